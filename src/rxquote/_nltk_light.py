"""nltk's Snowball stemmer class, without running nltk's package __init__.

`import nltk` runs nltk/__init__.py, which imports most of nltk and scipy (1–3 s here); the
stemmer needs a few small modules. `light_snowball_class` loads `nltk.stem.snowball` under
stand-in parent packages — `nltk` and `nltk.stem` as plain module objects whose `__path__` is
nltk's own folders (so no __init__ code runs), `nltk.corpus` as an empty module (the stemmer
only uses its `stopwords` for ignore_stopwords=True, which rxquote never asks for) — and then
removes every nltk module it added, so a later `import nltk` elsewhere gets the real package:
~40 ms instead of seconds. The global import lock is held meanwhile, so no other thread sees
the stand-ins.

The class keeps working once its modules are gone (its functions hold their own globals). A
later `import nltk` creates a second, distinct `SnowballStemmer` class; rxquote only calls
`stem` on its own instance, so the two never meet.

This leans on nltk's internal imports (`snowball.py` imports `nltk.corpus.stopwords`,
`nltk.stem.porter`, `.api`, `.util`, `nltk.redos`, `nltk.termsec`), so it is tried only for
the nltk versions it was tested with (`TESTED`); any other version, or any error, takes the
ordinary import: slower, the same stems. tests/test_text.py compares both paths' stems in
fresh interpreters and forces the fallback.
"""

from __future__ import annotations

import sys

TESTED = ((3, 8), (4, 0))  # nltk versions [from, to) the light path is used with


def snowball_class():
    """nltk's `SnowballStemmer`, imported the light way when that is known to work."""
    if "nltk" not in sys.modules:
        try:
            return light_snowball_class()
        except Exception:
            pass  # an nltk layout we do not know: import it whole
    return ordinary_snowball_class()


def ordinary_snowball_class():
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer


def nltk_version(roots: list[str]) -> tuple[int, ...] | None:
    """nltk's version from its VERSION file (without importing it)."""
    import os

    for root in roots:
        try:
            with open(os.path.join(root, "VERSION"), encoding="utf-8") as f:
                return tuple(int(p) for p in f.read().strip().split(".")[:2])
        except (OSError, ValueError):
            continue
    return None


def light_snowball_class():
    import _imp
    import importlib.util
    import os
    import types

    _imp.acquire_lock()  # the import lock: no other thread may see the stand-ins
    try:
        spec = importlib.util.find_spec("nltk")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("nltk is not installed")
        roots = list(spec.submodule_search_locations)
        version = nltk_version(roots)
        if version is None or not TESTED[0] <= version < TESTED[1]:
            raise ImportError(f"nltk {version} is not a version the light import was tested with")
        before = set(sys.modules)

        def package(name: str, path: list[str]) -> types.ModuleType:
            mod = types.ModuleType(name)
            mod.__path__ = path
            return mod

        corpus = types.ModuleType("nltk.corpus")
        corpus.stopwords = None
        sys.modules.update({
            "nltk": package("nltk", roots),
            "nltk.stem": package("nltk.stem", [os.path.join(r, "stem") for r in roots]),
            "nltk.corpus": corpus,
        })
        try:
            from nltk.stem.snowball import SnowballStemmer
        finally:
            for name in [n for n in sys.modules if (n == "nltk" or n.startswith("nltk.")) and n not in before]:
                del sys.modules[name]
        return SnowballStemmer
    finally:
        _imp.release_lock()
