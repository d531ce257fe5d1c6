"""The analyzer and the way it loads nltk's stemmer (STYLE §2).

`_nltk_light` imports nltk's Snowball stemmer without nltk's package __init__. These tests
run it in fresh interpreters (a process that has imported nltk already never takes that path)
and compare its stems with the ordinary `import nltk` over a sample of words; they force the
fallback; and they inject a stemmer, as any caller may.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rxquote import _nltk_light
from rxquote.text import QUESTION_WORDS, Analyzer, TermCoder, words

from .conftest import SEEDS, SHARED


def word_sample() -> list[str]:
    """Every word of the seed monographs and the question words, plus rxhive's (a sample of
    its pages) when it is beside the checkout."""
    found = set(QUESTION_WORDS)
    for p in SEEDS.rglob("*"):
        if p.is_file():
            found.update(words(p.read_text(encoding="utf-8", errors="replace")))
    rx = SHARED / "corpus" / "rxhive" if SHARED else None
    if rx is not None and rx.is_dir():
        for p in sorted(rx.rglob("*.md"))[::40]:
            found.update(words(p.read_text(encoding="utf-8", errors="replace")))
    return sorted(found)


def stems_in_fresh_python(code: str, sample: list[str], tmp_path) -> dict:
    """Run `code` (which defines `stem`) in a new interpreter; its stems of `sample`, and
    which nltk modules it left imported."""
    (tmp_path / "words.json").write_text(json.dumps(sample), encoding="utf-8")
    script = textwrap.dedent(code) + textwrap.dedent(f"""
        import json, sys
        sample = json.load(open({str(tmp_path / 'words.json')!r}, encoding="utf-8"))
        out = {{"stems": [stem(w) for w in sample], "nltk_modules": sorted(m for m in sys.modules if m.split(".")[0] == "nltk")}}
        print(json.dumps(out))
    """)
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_light_import_gives_the_ordinary_stems(tmp_path):
    sample = word_sample()
    assert len(sample) > 1000
    light = stems_in_fresh_python("""
        from rxquote import _nltk_light
        cls = _nltk_light.light_snowball_class()
        stem = cls("english").stem
    """, sample, tmp_path)
    ordinary = stems_in_fresh_python("""
        import nltk
        from nltk.stem.snowball import SnowballStemmer
        stem = SnowballStemmer("english").stem
    """, sample, tmp_path)
    assert light["stems"] == ordinary["stems"]
    assert light["nltk_modules"] == []  # the stand-ins and everything under them are gone
    assert "nltk" in ordinary["nltk_modules"]


def test_a_later_import_nltk_gets_the_real_package(tmp_path):
    out = stems_in_fresh_python("""
        from rxquote.text import snowball_stemmer
        light_stem = snowball_stemmer()
        import nltk  # after the light import: the real package, with its __init__
        assert hasattr(nltk, "word_tokenize"), "nltk was left as a stand-in"
        from nltk.stem.snowball import SnowballStemmer
        real = SnowballStemmer("english").stem
        def stem(w):
            assert light_stem(w) == real(w), w
            return real(w)
    """, ["running", "pregnancy", "children", "emergency", "added"], tmp_path)
    assert out["stems"] == ["run", "pregnanc", "children", "emerg", "ad"]


def test_unknown_nltk_layout_falls_back_to_the_ordinary_import(monkeypatch):
    def broken():
        raise ImportError("an nltk layout this code does not know")

    monkeypatch.setattr(_nltk_light, "light_snowball_class", broken)
    monkeypatch.delitem(sys.modules, "nltk", raising=False)
    cls = _nltk_light.snowball_class()
    assert cls("english").stem("pregnancy") == "pregnanc"


def test_untested_nltk_version_is_not_given_the_light_import(monkeypatch):
    monkeypatch.setattr(_nltk_light, "TESTED", ((0, 1), (0, 2)))
    monkeypatch.delitem(sys.modules, "nltk", raising=False)
    with pytest.raises(ImportError, match="not a version"):
        _nltk_light.light_snowball_class()
    assert _nltk_light.snowball_class()("english").stem("running") == "run"  # the fallback


def test_stemmer_is_injected_and_only_called_on_a_miss():
    calls = []

    def fake(word: str) -> str:
        calls.append(word)
        return word[:3]

    analyzer = Analyzer({"pregnancy": "pregnanc"}, stemmer=fake)
    assert analyzer.tokens("Pregnancy and tablets") == ["pregnanc", "tab"]
    assert calls == ["tablets"]
    assert analyzer.tokens("tablets") == ["tab"] and calls == ["tablets"]  # memoised


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(list("aeiou rstln,.'-\n") + ["ö", "ﬁ", "Ⅻ", "the ", " and ", "dose", " a "]),
                         max_size=30).map("".join), max_size=6))
def test_term_coder_ids_are_the_tokens(texts):
    """The indexer's coder: one id per word, -1 for those not indexed; the others, in order,
    are `tokens(text)`, each term with one id (first met, first numbered)."""
    analyzer = Analyzer()
    coder = TermCoder(Analyzer())
    expected: dict[str, int] = {}
    for text in texts:
        ids = coder.word_ids(text)
        kept = [i for i in ids if i >= 0]
        toks = analyzer.tokens(text)
        assert [coder.terms[i] for i in kept] == toks
        assert kept == [expected.setdefault(t, len(expected)) for t in toks]
    assert coder.terms == list(expected)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60) | st.text(max_size=30))
def test_ascii_fast_path_splits_like_the_pattern(text):
    import re
    import unicodedata

    from rxquote.text import TOKENIZER_SETTINGS, _WORD_MIN

    assert words(text) == _WORD_MIN.findall(unicodedata.normalize("NFKC", text).lower())
    assert words(text) == [w for w in re.findall(TOKENIZER_SETTINGS["pattern"], unicodedata.normalize("NFKC", text).lower())
                           if len(w) >= TOKENIZER_SETTINGS["min_length"]]
