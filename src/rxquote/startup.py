"""Where the corpus and the index are, and opening the engine on them: shared by the commands
(`cli.py`, `cli_eval.py`). Problems a person can fix become `UsageError`s (one line)."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from .errors import IndexProblem, UsageError
from .progress import progress_bar

# what each stage of an index build is called on its progress bar
BUILD_STAGES = {"parse": "Reading monographs", "index": "Building BM25 index", "names": "Medicine names",
                "write": "Writing index"}


def project_root() -> Path | None:
    """The source checkout this package runs from (editable install), if any."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "seeds").is_dir() else None


def default_corpus() -> Path:
    env = os.environ.get("RXQUOTE_CORPUS")
    return Path(env) if env else builtin_corpus()


def builtin_corpus() -> Path:
    """The project's own seeds/ (or the wheel's copy of it)."""
    root = project_root()
    if root is not None:
        return root / "seeds"
    return Path(__file__).resolve().parent / "_seeds"


def default_index(corpus: Path) -> Path:
    env = os.environ.get("RXQUOTE_INDEX")
    if env:
        return Path(env)
    root = project_root()
    base = root / "index" if root is not None else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rxquote" / "index"
    if corpus.resolve() == builtin_corpus().resolve():
        return base
    # another corpus (by --corpus or RXQUOTE_CORPUS) gets its own subfolder, so switching
    # corpora never clobbers the seeds index
    tag = hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:8]
    return base / f"{corpus.resolve().name}-{tag}"


def resolve_paths(args) -> tuple[Path, Path]:
    """(corpus, index) from `args.corpus`/`args.index` or the defaults; the index folder is
    created when missing. Raises UsageError for a path that cannot work."""
    corpus = getattr(args, "corpus", None) or default_corpus()
    if not corpus.exists():
        raise UsageError(f"corpus folder not found: {corpus}")
    if not corpus.is_dir():
        raise UsageError(f"corpus is not a folder: {corpus}")
    index = getattr(args, "index", None) or default_index(corpus)
    if index.exists() and not index.is_dir():
        raise UsageError(f"index path is a file, not a folder: {index}")
    blocker = next((p for p in index.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise UsageError(f"index path is inside a file, not a folder: {index} ({blocker} is a file)")
    probe = index if index.exists() else next((p for p in index.parents if p.exists()), None)
    if probe is not None and not os.access(probe, os.W_OK):
        if not (index / "manifest.json").is_file():
            raise UsageError(f"index folder is not writable: {index}")
    if not index.exists():
        try:
            index.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise UsageError(f"cannot create the index folder {index}: {e.strerror or e}") from e
    return corpus, index


def open_engine(args, show_progress: bool | None = None):
    """The engine on `args`' corpus and index, building the index first when it is missing or
    stale (with a progress bar on stderr when it is a terminal, or when `show_progress`)."""
    from .answer import Engine

    corpus, index = resolve_paths(args)
    if show_progress is None:
        show_progress = sys.stderr.isatty()
    with progress_bar(show_progress, BUILD_STAGES) as progress:
        try:
            engine = Engine.open(corpus, index, progress)
        except IndexProblem as e:
            raise UsageError(str(e)) from e
        except PermissionError as e:
            raise UsageError(f"cannot write the index: {e.filename or index}") from e
        except OSError as e:  # a read-only file system, a full disk, a path the OS refuses
            raise UsageError(f"cannot write the index {index}: {e.strerror or e}") from e
    if engine.index.size == 0:
        raise UsageError(no_monographs(corpus))
    return engine


def no_monographs(corpus: Path) -> str:
    return (f"no monographs to answer from: {corpus} has no readable .md or .txt files with text "
            f"(run 'rxquote index --corpus {corpus}' to see why)")
