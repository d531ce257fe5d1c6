"""Save, load and check the index: plain data only (JSON and .npy without pickle), opened
memory-mapped so that start-up costs the same for any corpus size.

Layout of an index folder:

    manifest.json        points at the current generation; format, tokenizer, parser fingerprint,
                         counts, and per-file [size, sha256 ("" for files of 1 MB or more), mtime_ns]
                         of the generation's files
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
- `load` checks every index file's size and mtime, and hashes a file only when it is small or
  its mtime is not the one recorded when it was written (so a large index is not hashed on
  every start, while a truncated, replaced or rewritten file is still caught); files of 1 MB
  or more are not hashed at build time either (that cost a rebuild more than writing them),
  so one of them whose mtime moved is taken as damaged; arrays are then checked structurally
  (shapes and end points) as they are opened;
- `stale_reason` compares (size, mtime_ns) from one directory scan with the generation's
  file records and hashes only files whose mtime moved. That is one stat per file (~0.4 s for
  64,000 files here), so `ensure` — opening the index for questions — does it only up to
  FULL_CHECK_FILES files; a larger corpus is checked by its folders' mtimes (files added,
  removed, renamed) and each file again when a passage of it is about to be quoted, so a quote
  is never text the file no longer holds (`StaleIndexError`; the next open rebuilds).
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
from .corpus import MONOGRAPH_SUFFIXES, SECTIONS, Chunk, CorpusScan, list_corpus
from .drugs import TABLE_VERSION, DrugTable, normalize
from .drugs_build import build_table, load_name_sources
from .errors import IndexProblem
from .layout import FILES, ChunkColumns, FileRecords, open_drug_table, open_folders
from .text import TOKENIZER_SETTINGS, Analyzer, stopwords

FORMAT_VERSION = 10  # 10: chunk lines and tokens in segments (segments.py); 9: doc_tokens into token_vocab.json; 6: lexicon.json; 7: memory-mapped columns, posting scores, per-medicine chunks, file records in the generation; 8: the name table's lookups saved (names_index pack)
MANIFEST = "manifest.json"
ALWAYS_HASH_BYTES = 1 << 20  # index files smaller than this are hashed on every load
# Opening an index for questions checks every corpus file's size and mtime up to this many files
# (~0.1 s here); beyond, only the folders' mtimes, plus each quoted file when it is quoted
FULL_CHECK_FILES = 10_000

Progress = Callable[[str, int, int], None]  # (stage, done, total)

MANIFEST_FIELDS = {"format": int, "rxquote": str, "tokenizer": dict, "parser": str, "names": int, "corpus": str,
                   "built_at": str, "counts": dict, "generation": str, "checksums": dict}


IndexError_ = IndexProblem  # the old name, for code written against it: use IndexProblem


class StaleIndexError(IndexError_):
    """A file about to be quoted changed since the index was built: the quote would not be
    verbatim. The index is marked stale (the next open rebuilds it)."""


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
    reused_postings: bool = False  # the reused files' postings were kept, not sorted again
    linked_segments: int = 0  # chunk segments of the previous generation hard-linked, not written


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
    # set when it was opened without checking every corpus file (a large corpus): then each
    # chunk's file is checked when the chunk is read for quoting
    corpus: Path | None = None

    def __post_init__(self) -> None:
        # per-chunk columns as memoryviews: an item is a plain int, read without numpy's overhead
        cols = self.columns
        self._drug, self._title, self._source, self._section = (memoryview(a) for a in (cols.drug, cols.title, cols.source, cols.section))
        self._records: FileRecords | None = None  # opened on the first quote that is checked
        # quoted file → (its path, its size and mtime_ns as indexed, its record): see _check_sources
        self._indexed: dict[str, tuple[str, int, int, int]] = {}

    @property
    def size(self) -> int:
        return self.bm25.size

    @property
    def offsets(self) -> np.ndarray:
        """Where each chunk's line starts, over the chunk segments one after another (n+1 entries)."""
        return self.columns.offsets

    @property
    def section_ids(self) -> np.ndarray:
        """Per chunk, its section as an index into corpus.SECTIONS (int8)."""
        return self.columns.section

    def chunk(self, i: int) -> Chunk:
        return self.chunks([i])[0]

    def chunks(self, ids) -> list[Chunk]:
        out = [self._chunk(i, line) for i, line in self.columns.read_lines(ids)]
        if self.corpus is not None:
            self._check_sources({c.source for c in out})
        return out

    def _check_sources(self, sources: set[str]) -> None:
        """Each file is still the one indexed (size, and mtime or content); else mark the
        index stale and refuse: a quote must be the file's text as it is now. Every quote
        costs one stat of its file; what the stat is compared with (the file's path, and its
        size and mtime as indexed) is looked up in the file records once per file."""
        for rel in sorted(sources):
            indexed = self._indexed.get(rel)
            if indexed is None:
                records = self._file_records()
                i = records.names.find(rel)
                if i < 0:
                    self._refuse(rel, "is not in the index's records")
                indexed = self._indexed[rel] = (os.path.join(self.corpus, rel), int(records.size[i]),
                                                int(records.mtime_ns[i]), i)
            path, size, mtime_ns, i = indexed
            why = None
            try:
                st = os.stat(path)
                if st.st_size != size or (st.st_mtime_ns != mtime_ns and _file_sha(path) != self._file_records().sha256(i)):
                    why = "changed"
            except OSError:
                why = "is gone"
            if why:
                self._refuse(rel, why)

    def _refuse(self, rel: str, why: str) -> None:
        mark_stale(self.folder, f"{rel} {why}")
        raise StaleIndexError(f"{rel} {why} since the index was built: ask again to rebuild the index")

    def _file_records(self) -> FileRecords:
        if self._records is None:
            self._records = FileRecords.open(self.folder)
        return self._records

    def page_of(self, i: int) -> range:
        """The ids of the chunks of chunk i's file (its page), from the file records."""
        records = self._file_records()
        lo, hi = (int(x) for x in records.chunks[records.names.find(self.source_of(i))])
        return range(lo, hi)

    def iter_chunks(self):
        cols = self.columns
        drug, title, source = cols.drug_names.list(), cols.title_names.list(), cols.source_names.list()
        for i, line in enumerate(cols.segments.iter_lines()):
            start, end, text = _line(line)
            yield Chunk(i, source[cols.source[i]], title[cols.title[i]], drug[cols.drug[i]], SECTIONS[cols.section[i]],
                        cols.headings[i], start, end, text)

    def _chunk(self, i: int, line: bytes) -> Chunk:
        start, end, text = _line(line)
        return Chunk(i, self.source_of(i), self.title_of(i), self.drug_of(i), self.section_of(i), self.heading_of(i),
                     start, end, text)

    def drug_of(self, i: int) -> str:
        return self.columns.drug_names[self._drug[i]]

    def section_of(self, i: int) -> str:
        return SECTIONS[self._section[i]]

    def title_of(self, i: int) -> str:
        return self.columns.title_names[self._title[i]]

    def heading_of(self, i: int) -> str:
        return self.columns.headings[i]

    def source_of(self, i: int) -> str:
        return self.columns.source_names[self._source[i]]

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


def _line(line: bytes) -> tuple[int, int, str]:
    """A chunk line (segments.py): [start_line, end_line, text]."""
    start, end, text = json.loads(line)
    if not (isinstance(start, int) and isinstance(end, int) and isinstance(text, str)):
        raise ValueError("a damaged chunk line")
    return start, end, text


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


def mark_stale(gen: Path, why: str) -> None:
    """Leave a mark beside the generation that stale_reason reads (cheap), so the next open
    rebuilds even when the folders look unchanged."""
    try:
        (gen.parent / f".stale-{gen.name}").write_text(why, encoding="utf-8")
    except OSError:
        pass  # a read-only index: the quote is refused all the same


def _check_manifest(manifest: dict | None) -> str | None:
    if manifest is None:
        return "no index"
    if manifest.get("format") != FORMAT_VERSION or manifest.get("tokenizer") != TOKENIZER_SETTINGS:
        return "index format is older or newer"
    problem = manifest_problem(manifest)
    return f"index manifest is damaged ({problem})" if problem else None


def _verify(gen: Path, checksums: dict) -> None:
    """Every file's size and mtime; the hash of small files, and of a file whose mtime moved
    when one was recorded (large files have none: one whose mtime moved is taken as damaged)."""
    for name, (size, digest, mtime_ns) in checksums.items():
        p = gen / name
        try:
            st = p.stat()
            if st.st_size != size:
                raise IndexError_(f"index file {name} is damaged (size changed)")
            if (size < ALWAYS_HASH_BYTES or st.st_mtime_ns != mtime_ns) and (not digest or _file_sha(p) != digest):
                raise IndexError_(f"index file {name} is damaged")
        except OSError as e:
            raise IndexError_(f"index file {name} is missing") from e


def load(index_dir: Path, verify: bool = True, manifest: dict | None = None, check_quoted: Path | None = None) -> Index:
    """The current generation; `manifest` when the caller has just read it. `check_quoted`:
    the corpus, when its files were not all checked: each file is then checked as it is quoted."""
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
        if any(name not in manifest["checksums"] for name in columns.segments.names()):
            raise ValueError("the checksums do not cover the chunk segments")
        stems = json.loads((gen / "stems.json").read_text(encoding="utf-8"))
        if not isinstance(stems, dict):
            raise ValueError("stems.json damaged")
        # words of the corpus and of questions (and stopwords): never "misspellings"
        common = frozenset(stems) | stopwords()
        table = open_drug_table(gen, common)
        return Index(gen, manifest, bm25, table, Analyzer(stems), columns, check_quoted)
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


def stale_reason(index_dir: Path, corpus: Path, manifest: dict | None = None, every_file: bool = True,
                 scan: CorpusScan | None = None) -> str | None:
    """Why the index does not match the corpus (None when it is current).

    `every_file`: compare each file's size and mtime (and its hash when only the mtime
    moved); else only the folders' mtimes, which change when a file is added, removed or
    renamed (an editor's or a sync's atomic save), not when one is rewritten in place.
    `scan`: the corpus's `scan_corpus`, when the caller has just made it (to build with it
    next: one walk of the corpus serves both)."""
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
    gen = index_dir / manifest["generation"]
    mark = index_dir / f".stale-{manifest['generation']}"
    if mark.exists():
        try:
            return mark.read_text(encoding="utf-8")[:200] or "a quoted file changed"
        except (OSError, ValueError):
            return "a quoted file changed"
    if not every_file:
        return _folders_changed(gen, corpus)
    try:
        records = FileRecords.open(gen)
        names = records.names.list()
    except (OSError, ValueError, TypeError, RecursionError):
        return "index is damaged"
    if scan is not None:
        return _files_changed(records, names, scan)
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


def _files_changed(records: FileRecords, names: list[str], scan: CorpusScan) -> str | None:
    """What changed between a generation's file records and a fresh scan of the corpus."""
    if len(scan.files) != len(names):
        return "files added or removed"
    for f, rel in zip(scan.files, names):  # both sorted by relative path
        if f.rel != rel:
            return f"new file {f.rel}"
    sizes = np.fromiter((f.size for f in scan.files), dtype=np.int64, count=len(names))
    mtimes = np.fromiter((f.mtime_ns for f in scan.files), dtype=np.int64, count=len(names))
    resized = np.flatnonzero(sizes != records.size)
    if resized.size:
        return f"{names[resized[0]]} changed"
    for i in np.flatnonzero(mtimes != records.mtime_ns).tolist():
        try:
            if _file_sha(scan.files[i].path) != records.sha256(i):
                return f"{names[i]} changed"
        except OSError:
            return f"{names[i]} unreadable"
    return None


def _folders_changed(gen: Path, corpus: Path) -> str | None:
    try:
        names, mtimes = open_folders(gen)
        recorded = list(names)
    except (OSError, ValueError, TypeError):
        return "index is damaged"
    for rel, mtime_ns in zip(recorded, mtimes.tolist()):
        try:
            if os.stat(corpus / rel).st_mtime_ns != mtime_ns:
                return f"files added, removed or renamed in {rel or 'the corpus folder'}"
        except OSError:
            return f"{rel or 'the corpus folder'} is gone"
    return None


def file_count(index_dir: Path, manifest: dict | None) -> int:
    counts = (manifest or {}).get("counts")
    n = counts.get("files") if isinstance(counts, dict) else None
    return n if isinstance(n, int) else 0


# -- building --------------------------------------------------------------------------------


def build(corpus: Path, index_dir: Path, progress: Progress | None = None, use_lexicon: bool = True,
          workers: int | None = None, scan: CorpusScan | None = None) -> BuildReport:
    """Build (or refresh) the index of `corpus` into `index_dir` under a lock.

    `workers`: processes that parse files (None: one per CPU, in-process for small jobs).
    `scan`: the corpus's `scan_corpus` when the caller has just made it (else it is made here)."""
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
        return build_generation(corpus, index_dir, progress, lambda meds, vocabulary: build_table(meds, use_lexicon=use_lexicon, vocabulary=vocabulary),
                                workers, scan=scan, prepare_table=lambda: load_name_sources(use_lexicon))
    finally:
        lock.release()


def ensure(corpus: Path, index_dir: Path, progress: Progress | None = None) -> tuple[Index, BuildReport | None]:
    """Load the index, rebuilding it first if it is missing, stale or damaged.

    Up to FULL_CHECK_FILES files, every file is checked. A larger corpus is checked by its
    folders only — so opening costs the same at any size — and each file is checked when it
    is quoted (`Index.chunks`): a quote is never text the file no longer holds."""
    manifest = read_manifest(index_dir)
    every_file = file_count(index_dir, manifest) <= FULL_CHECK_FILES
    reason = stale_reason(index_dir, corpus, manifest, every_file=every_file)
    if reason is None:
        try:
            return load(index_dir, manifest=manifest, check_quoted=None if every_file else corpus), None
        except IndexError_:
            pass
    report = build(corpus, index_dir, progress)
    manifest = read_manifest(index_dir)
    every_file = file_count(index_dir, manifest) <= FULL_CHECK_FILES
    return load(index_dir, manifest=manifest, check_quoted=None if every_file else corpus), report
