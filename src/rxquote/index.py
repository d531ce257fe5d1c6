"""Save, load and check the index: plain data only (JSON and .npy without pickle), opened
memory-mapped so that start-up costs the same for any corpus size.

Layout of an index folder:

    manifest.json        points at the current generation; format, tokenizer, parser fingerprint,
                         counts, and per-file [size, sha256, mtime_ns] of the generation's files
    gen-<id>/            one complete index (see layout.py for its files): chunk texts read by
                         offset, per-chunk columns, per-medicine chunk lists, BM25 postings with
                         each posting's score, the medicine-name table, per-corpus-file records

A build (builder.py) writes a new generation folder, then replaces manifest.json atomically
(os.replace): a crash or a concurrent build never leaves a torn index, and readers keep reading
the generation they opened. Builds take a file lock; the previous generation is kept one round.

Speed:
- `load` maps arrays (numpy mmap_mode="r") and decodes only the vocabulary and the stem memo
  (one entry per distinct word); chunk metadata, names, headings and per-medicine chunk lists
  are read by offset when a question needs them;
- `load` checks every index file's size, and hashes a file only when it is small or its
  mtime is not the one recorded when it was written (so a large index is not hashed on every
  start, while a truncated, replaced or rewritten file is still caught); arrays are then
  checked structurally (shapes and end points) as they are opened;
- `stale_reason` compares (size, mtime_ns) from one directory scan with the generation's
  file records and hashes only files whose mtime moved.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat as stat_
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from . import __version__
from .bm25 import BM25Index
from .corpus import MONOGRAPH_SUFFIXES, SECTIONS, Chunk, list_corpus
from .drugs import TABLE_VERSION, DrugTable, build_table, normalize
from .errors import IndexProblem
from .layout import FILES, ChunkColumns, FileRecords, open_drug_table
from .text import TOKENIZER_SETTINGS, Analyzer, stopwords

FORMAT_VERSION = 7  # 6: lexicon.json; 7: memory-mapped columns, posting scores, per-medicine chunks, file records in the generation
MANIFEST = "manifest.json"
ALWAYS_HASH_BYTES = 1 << 20  # index files smaller than this are hashed on every load

Progress = Callable[[str, int, int], None]  # (stage, done, total)

MANIFEST_FIELDS = {"format": int, "rxquote": str, "tokenizer": dict, "parser": str, "names": int, "corpus": str,
                   "built_at": str, "counts": dict, "generation": str, "checksums": dict}


IndexError_ = IndexProblem  # the old name, for code written against it: use IndexProblem


@dataclass
class BuildReport:
    files: int
    medicines: int
    chunks: int
    per_section: dict[str, int]
    problems: dict[str, list[str]]  # file → what could not be parsed
    seconds: float
    reused_files: int = 0
    stage_seconds: dict[str, float] = field(default_factory=dict)  # where the time went


def _file_sha(path: Path | str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def corpus_key(corpus: Path) -> str:
    return str(corpus.resolve())


@lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """Hash of the code that turns a file into chunks and tokens: a build reuses a file's
    previous chunks only when this is unchanged."""
    from . import builder, corpus, text

    h = hashlib.sha256(__version__.encode())
    for mod in (corpus, text, builder):
        try:
            h.update(Path(mod.__file__).read_bytes())
        except (OSError, TypeError):  # pragma: no cover - no source (frozen): never reuse
            h.update(uuid.uuid4().bytes)
    return h.hexdigest()[:16]


# -- loading ---------------------------------------------------------------------------------


@dataclass
class Index:
    """A loaded index: arrays mapped, chunk texts and names read on demand."""

    folder: Path  # the generation folder
    manifest: dict
    bm25: BM25Index
    drugs: DrugTable
    analyzer: Analyzer
    columns: ChunkColumns

    @property
    def size(self) -> int:
        return self.bm25.size

    @property
    def offsets(self) -> np.ndarray:
        """Where each chunk's line starts in chunks.jsonl (n+1 entries)."""
        return self.columns.offsets

    @property
    def section_ids(self) -> np.ndarray:
        """Per chunk, its section as an index into corpus.SECTIONS (int8)."""
        return self.columns.section

    def chunk(self, i: int) -> Chunk:
        return self.chunks([i])[0]

    def chunks(self, ids) -> list[Chunk]:
        out = []
        offsets = self.columns.offsets
        with open(self.folder / "chunks.jsonl", "rb") as f:
            for i in ids:
                i = int(i)
                if not 0 <= i < self.size:
                    raise IndexError(f"no chunk {i}")
                lo, hi = int(offsets[i]), int(offsets[i + 1])
                f.seek(lo)
                out.append(Chunk(id=i, **json.loads(f.read(hi - lo))))
        return out

    def iter_chunks(self):
        with open(self.folder / "chunks.jsonl", "rb") as f:
            for i, line in enumerate(f):
                yield Chunk(id=i, **json.loads(line))

    def drug_of(self, i: int) -> str:
        return self.columns.drug_names[int(self.columns.drug[i])]

    def section_of(self, i: int) -> str:
        return SECTIONS[self.columns.section[i]]

    def title_of(self, i: int) -> str:
        return self.columns.title_names[int(self.columns.title[i])]

    def heading_of(self, i: int) -> str:
        return self.columns.headings[int(i)]

    def source_of(self, i: int) -> str:
        return self.columns.source_names[int(self.columns.source[i])]

    # -- medicines ------------------------------------------------------------------------
    def _medicine_key(self, name: str) -> int:
        return self.columns.medicine_keys.find(normalize(name))

    def knows(self, name: str) -> bool:
        """Is `name` (any spelling with the same normal form) a medicine of the index?"""
        return self._medicine_key(name) >= 0

    def chunks_about(self, name: str) -> np.ndarray:
        """Sorted ids of the chunks about a medicine (by normalised name): its own sections,
        and the shared text of the combination pages that name it. Empty when unknown."""
        k = self._medicine_key(name)
        if k < 0:
            return np.zeros(0, dtype=np.int32)
        ptr = self.columns.medicine_ptr
        return np.array(self.columns.medicine_chunks[int(ptr[k]) : int(ptr[k + 1])])

    def medicines(self) -> list[str]:
        """Indexed medicines (ingredients and single-medicine pages), sorted case-insensitively."""
        return sorted(self.columns.drug_names, key=lambda n: (n.lower(), n))


def read_manifest(index_dir: Path) -> dict | None:
    try:
        manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return manifest if isinstance(manifest, dict) else None


def manifest_problem(manifest: dict) -> str | None:
    """What is malformed in a manifest of the current format (None when its shape is right):
    a damaged or hand-edited manifest must be rebuilt, never crash or read outside the folder."""
    if set(manifest) != set(MANIFEST_FIELDS):
        return "unexpected or missing fields"
    if not all(isinstance(manifest[k], t) for k, t in MANIFEST_FIELDS.items()):
        return "a field has the wrong type"
    gen = manifest["generation"]
    if not gen.startswith("gen-") or "/" in gen or "\\" in gen or ".." in gen:
        return "bad generation"
    checksums = manifest["checksums"]
    if not all(
        isinstance(k, str) and "/" not in k and isinstance(v, list) and len(v) == 3
        and isinstance(v[0], int) and isinstance(v[1], str) and isinstance(v[2], int) for k, v in checksums.items()
    ):
        return "bad checksums"
    if any(name not in checksums for name in FILES):
        return "checksums do not cover the index files"
    return None


def _check_manifest(manifest: dict | None) -> str | None:
    if manifest is None:
        return "no index"
    if manifest.get("format") != FORMAT_VERSION or manifest.get("tokenizer") != TOKENIZER_SETTINGS:
        return "index format is older or newer"
    problem = manifest_problem(manifest)
    return f"index manifest is damaged ({problem})" if problem else None


def _verify(gen: Path, checksums: dict) -> None:
    """Every file's size; the hash of small files and of files whose mtime moved."""
    for name, (size, digest, mtime_ns) in checksums.items():
        p = gen / name
        try:
            st = p.stat()
            if st.st_size != size:
                raise IndexError_(f"index file {name} is damaged (size changed)")
            if (size < ALWAYS_HASH_BYTES or st.st_mtime_ns != mtime_ns) and _file_sha(p) != digest:
                raise IndexError_(f"index file {name} is damaged")
        except OSError as e:
            raise IndexError_(f"index file {name} is missing") from e


def load(index_dir: Path, verify: bool = True, manifest: dict | None = None) -> Index:
    """The current generation; `manifest` when the caller has just read it."""
    manifest = manifest if manifest is not None else read_manifest(index_dir)
    problem = _check_manifest(manifest)
    if problem:
        raise IndexError_(problem)
    gen = index_dir / manifest["generation"]
    if verify:
        _verify(gen, manifest["checksums"])
    try:
        bm25 = BM25Index.load(gen)
        columns = ChunkColumns.open(gen, bm25.size)
        stems = json.loads((gen / "stems.json").read_text(encoding="utf-8"))
        if not isinstance(stems, dict):
            raise ValueError("stems.json damaged")
        # words of the corpus and of questions (and stopwords): never "misspellings"
        common = frozenset(stems) | stopwords()
        table = open_drug_table(gen, common)
        return Index(gen, manifest, bm25, table, Analyzer(stems), columns)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as e:
        raise IndexError_(f"index is unreadable ({type(e).__name__})") from e


# -- staleness -------------------------------------------------------------------------------


def _scan(root: str) -> dict[str, tuple[int, int, str]] | None:
    """Plausible monograph files under `root` → (size, mtime_ns, path), from one scandir walk
    (symlinks followed, loops cut by (dev, inode)). None on any error: the caller then falls
    back to `list_corpus`, which is the authority on which files are monographs."""
    out: dict[str, tuple[int, int, str]] = {}
    seen: set[tuple[int, int]] = set()
    stack = [(root, "")]
    try:
        while stack:
            path, prefix = stack.pop()
            st = os.stat(path)
            key = (st.st_dev, st.st_ino)
            if key in seen:
                return None  # a link loop: let list_corpus decide (and warn)
            seen.add(key)
            with os.scandir(path) as it:
                for e in it:
                    name = e.name
                    if name.startswith("."):
                        continue
                    if e.is_dir():
                        stack.append((e.path, f"{prefix}{name}/"))
                    elif name.lower().endswith(MONOGRAPH_SUFFIXES):
                        fst = e.stat()
                        if not stat_.S_ISREG(fst.st_mode):
                            return None
                        out[prefix + name] = (fst.st_size, fst.st_mtime_ns, e.path)
    except (OSError, UnicodeError):
        return None
    return out


def stale_reason(index_dir: Path, corpus: Path, manifest: dict | None = None) -> str | None:
    """Why the index does not match the corpus (None when it is current)."""
    manifest = manifest if manifest is not None else read_manifest(index_dir)
    if manifest is None:
        return "no index yet"
    if manifest.get("format") != FORMAT_VERSION or manifest.get("tokenizer") != TOKENIZER_SETTINGS:
        return "index format changed"
    if manifest_problem(manifest):
        return "index manifest is damaged"
    if manifest["corpus"] != corpus_key(corpus):
        return "built for another corpus"
    if manifest["parser"] != parser_fingerprint():
        return "the parser or tokenizer changed"
    if manifest["names"] != TABLE_VERSION:
        return "the medicine names table changed"
    try:
        records = FileRecords.open(index_dir / manifest["generation"])
        names = records.names.list()
    except (OSError, ValueError, TypeError, RecursionError):
        return "index is damaged"
    # fast path: one scan; current when exactly the recorded files are there, unchanged
    scanned = _scan(os.fspath(corpus))
    if scanned is not None and len(scanned) == len(names):
        found = [scanned.get(rel) for rel in names]
        if None not in found:  # else: new, or a file list_corpus skips: let it decide
            sizes = np.fromiter((f[0] for f in found), dtype=np.int64, count=len(found))
            mtimes = np.fromiter((f[1] for f in found), dtype=np.int64, count=len(found))
            resized = np.flatnonzero(sizes != records.size)
            if resized.size:
                return f"{names[resized[0]]} changed"
            for i in np.flatnonzero(mtimes != records.mtime_ns).tolist():
                if _file_sha(found[i][2]) != records.sha256(i):
                    return f"{names[i]} changed"  # an indexed file's bytes changed
            return None
    # slow path: list_corpus decides which files count, and says what changed
    files, _ = list_corpus(corpus)
    if len(files) != len(names):
        return "files added or removed"
    position = {rel: i for i, rel in enumerate(names)}
    for rel, path in files:
        i = position.get(rel)
        if i is None:
            return f"new file {rel}"
        try:
            st = path.stat()
        except OSError:
            return f"{rel} unreadable"
        if st.st_size != int(records.size[i]):
            return f"{rel} changed"
        if st.st_mtime_ns != int(records.mtime_ns[i]) and _file_sha(path) != records.sha256(i):
            return f"{rel} changed"
    return None


# -- building --------------------------------------------------------------------------------


def build(corpus: Path, index_dir: Path, progress: Progress | None = None, use_lexicon: bool = True,
          workers: int | None = None) -> BuildReport:
    """Build (or refresh) the index of `corpus` into `index_dir` under a lock.

    `workers`: processes that parse files (None: one per CPU, in-process for small jobs)."""
    from filelock import FileLock, Timeout

    from .builder import build_generation

    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir / ".build.lock"))
    try:
        lock.acquire(timeout=600)
    except Timeout as e:  # pragma: no cover
        raise IndexError_(f"another rxquote is still building {index_dir}") from e
    try:
        # the medicine-name table builder is looked up here, at call time, so tests can swap it
        return build_generation(corpus, index_dir, progress, lambda meds, vocabulary: build_table(meds, use_lexicon=use_lexicon, vocabulary=vocabulary), workers)
    finally:
        lock.release()


def ensure(corpus: Path, index_dir: Path, progress: Progress | None = None) -> tuple[Index, BuildReport | None]:
    """Load the index, rebuilding it first if it is missing, stale or damaged."""
    manifest = read_manifest(index_dir)
    reason = stale_reason(index_dir, corpus, manifest)
    report = None
    if reason is None:
        try:
            return load(index_dir, manifest=manifest), None
        except IndexError_:
            pass
    report = build(corpus, index_dir, progress)
    return load(index_dir), report
