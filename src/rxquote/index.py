"""Build, save, load and check the index: plain data only (JSON, JSONL, .npy without pickle).

Layout of an index folder:

    manifest.json        points at the current generation; format, tokenizer, parser fingerprint,
                         per-file records (sha256, size, mtime, chunk range), and per-file
                         [size, sha256, mtime_ns] of the generation's own files
    gen-<id>/            one complete index: chunks.jsonl (one chunk per line, its id is the
                         line number), chunk_meta.json, chunk_offsets.npy, vocab.json, bm25.json,
                         *.npy postings, doc_tokens.npy, doc_tokens_ptr.npy, drugs.json, lexicon.json, stems.json

A build writes a new generation folder, then replaces manifest.json atomically (os.replace):
a crash or a concurrent build never leaves a torn index, and readers keep reading the
generation they opened. Builds take a file lock; the previous generation is kept one round.

Speed (issue #5):
- a rebuild reuses the work of every file whose sha256 is unchanged (same parser and
  tokenizer): its chunk lines are copied as bytes, its tokens as term ids, and the BM25
  postings are rebuilt with numpy, so one changed file costs a fraction of a full build;
- `stale_reason` compares (size, mtime_ns) from one directory scan with the manifest and
  hashes only files whose mtime moved;
- `load` checks every index file's size, and hashes a file only when it is small or its
  mtime is not the one recorded when it was written (so a 90 MB index is not hashed on every
  start, while a truncated, replaced or rewritten file is still caught); JSON and arrays are
  then checked structurally as they are read.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat as stat_
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from . import __version__
from .bm25 import BM25Index
from .corpus import MONOGRAPH_SUFFIXES, SECTIONS, Chunk, ParsedPage, list_corpus, parse_bytes, read_monograph
from .drugs import TABLE_VERSION, DrugTable, build_table
from .errors import IndexProblem
from .text import QUESTION_WORDS, TOKENIZER_SETTINGS, Analyzer, stopwords, words

FORMAT_VERSION = 6  # 5: chunk lines without "id", [size, sha256, mtime_ns] checksums; 6: lexicon.json
MANIFEST = "manifest.json"
ALWAYS_HASH_BYTES = 4 << 20  # index files smaller than this are hashed on every load

Progress = Callable[[str, int, int], None]  # (stage, done, total)

CHUNK_FIELDS = ("source", "title", "drug", "section", "heading", "start_line", "end_line", "text")


IndexError_ = IndexProblem  # the old name, for code written against it: use IndexProblem


@dataclass
class FileRecord:
    sha256: str
    size: int
    mtime_ns: int
    chunks: tuple[int, int]  # chunk id range [lo, hi)
    warnings: list[str] = field(default_factory=list)


@dataclass
class BuildReport:
    files: int
    medicines: int
    chunks: int
    per_section: dict[str, int]
    problems: dict[str, list[str]]  # file → what could not be parsed
    seconds: float
    reused_files: int = 0


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
    from . import corpus, text

    h = hashlib.sha256(__version__.encode())
    for mod in (corpus, text):
        try:
            h.update(Path(mod.__file__).read_bytes())
        except (OSError, TypeError):  # pragma: no cover - no source (frozen): never reuse
            h.update(uuid.uuid4().bytes)
    return h.hexdigest()[:16]


# -- loading ---------------------------------------------------------------------------------


@dataclass
class Index:
    """A loaded index: chunk metadata in columns, texts read on demand."""

    folder: Path  # the generation folder
    manifest: dict
    bm25: BM25Index
    drugs: DrugTable
    analyzer: Analyzer
    meta: dict  # columnar chunk metadata
    offsets: np.ndarray

    def __post_init__(self) -> None:
        names = self.meta["names"]
        self._drug, self._drug_names = self.meta["drug"], names["drug"]
        self._title, self._title_names = self.meta["title"], names["title"]
        self._source, self._source_names = self.meta["source"], names["source"]
        self._section, self._heading = self.meta["section"], self.meta["heading"]

    @property
    def size(self) -> int:
        return self.bm25.size

    def chunk(self, i: int) -> Chunk:
        return self.chunks([i])[0]

    def chunks(self, ids) -> list[Chunk]:
        out = []
        with open(self.folder / "chunks.jsonl", "rb") as f:
            for i in ids:
                i = int(i)
                f.seek(int(self.offsets[i]))
                out.append(Chunk(id=i, **json.loads(f.readline())))
        return out

    def iter_chunks(self):
        with open(self.folder / "chunks.jsonl", "rb") as f:
            for i, line in enumerate(f):
                yield Chunk(id=i, **json.loads(line))

    def drug_of(self, i: int) -> str:
        return self._drug_names[self._drug[i]]

    def section_of(self, i: int) -> str:
        return SECTIONS[self._section[i]]

    def title_of(self, i: int) -> str:
        return self._title_names[self._title[i]]

    def heading_of(self, i: int) -> str:
        return self._heading[i]

    def source_of(self, i: int) -> str:
        return self._source_names[self._source[i]]


def _read_lexicon(path: Path) -> dict:
    """The lexicon-only names, read on first need (a damaged file counts as none: the
    checksums caught damage at load; this guards a file changed since)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def read_manifest(index_dir: Path) -> dict | None:
    try:
        manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return manifest if isinstance(manifest, dict) else None


_CORE_FILES = ("chunks.jsonl", "chunk_meta.json", "chunk_offsets.npy", "drugs.json", "lexicon.json", "stems.json")


def manifest_problem(manifest: dict) -> str | None:
    """What is malformed in a manifest of the current format (None when its shape is right):
    a damaged or hand-edited manifest must be rebuilt, never crash or read outside the folder."""
    gen = manifest.get("generation")
    if not isinstance(gen, str) or not gen.startswith("gen-") or "/" in gen or "\\" in gen or ".." in gen:
        return "bad generation"
    checksums = manifest.get("checksums")
    if not isinstance(checksums, dict) or not all(
        isinstance(k, str) and "/" not in k and isinstance(v, list) and len(v) == 3
        and isinstance(v[0], int) and isinstance(v[1], str) and isinstance(v[2], int) for k, v in checksums.items()
    ):
        return "bad checksums"
    if any(name not in checksums for name in _CORE_FILES):
        return "checksums do not cover the index files"
    files = manifest.get("files")
    if not isinstance(files, dict) or not all(
        isinstance(r, dict) and isinstance(r.get("sha256"), str) and isinstance(r.get("size"), int)
        and isinstance(r.get("mtime_ns"), int) and isinstance(r.get("chunks"), list) for r in files.values()
    ):
        return "bad file records"
    return None


def _verify(gen: Path, checksums: dict) -> None:
    """Every file's size; the hash of small files and of files whose mtime moved."""
    for name, (size, digest, mtime_ns) in checksums.items():
        p = gen / name
        try:
            st = p.stat()
            if st.st_size != size:
                raise IndexProblem(f"index file {name} is damaged (size changed)")
            if (size < ALWAYS_HASH_BYTES or st.st_mtime_ns != mtime_ns) and _file_sha(p) != digest:
                raise IndexProblem(f"index file {name} is damaged")
        except OSError as e:
            raise IndexProblem(f"index file {name} is missing") from e


def load(index_dir: Path, verify: bool = True, manifest: dict | None = None) -> Index:
    """The current generation; `manifest` when the caller has just read it."""
    manifest = manifest if manifest is not None else read_manifest(index_dir)
    if manifest is None:
        raise IndexProblem("no index")
    if manifest.get("format") != FORMAT_VERSION or manifest.get("tokenizer") != TOKENIZER_SETTINGS:
        raise IndexProblem("index format is older or newer")
    problem = manifest_problem(manifest)
    if problem:
        raise IndexProblem(f"index manifest is damaged ({problem})")
    gen = index_dir / manifest["generation"]
    if verify:
        _verify(gen, manifest["checksums"])
    try:
        bm25 = BM25Index.load(gen)
        meta = json.loads((gen / "chunk_meta.json").read_text(encoding="utf-8"))
        drugs_json = json.loads((gen / "drugs.json").read_text(encoding="utf-8"))
        lexicon_file = gen / "lexicon.json"
        stems = json.loads((gen / "stems.json").read_text(encoding="utf-8"))
        offsets = np.load(gen / "chunk_offsets.npy", allow_pickle=False)
        n = bm25.size
        if offsets.shape != (n,) or any(len(meta[k]) != n for k in ("drug", "title", "source", "section", "heading", "start_line", "end_line")):
            raise ValueError("chunk metadata does not match the postings")
        # words of the corpus and of questions (and stopwords): never "misspellings"
        common = frozenset(stems) | stopwords()
        table = DrugTable.from_json(drugs_json, common, lexicon=lambda: _read_lexicon(lexicon_file))
        return Index(gen, manifest, bm25, table, Analyzer(stems), meta, offsets)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as e:
        raise IndexProblem(f"index is unreadable ({type(e).__name__})") from e


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
    if manifest.get("corpus") != corpus_key(corpus):
        return "built for another corpus"
    if manifest.get("parser") != parser_fingerprint():
        return "the parser or tokenizer changed"
    if manifest.get("names") != TABLE_VERSION:
        return "the medicine names table changed"
    recorded = manifest["files"]
    # fast path: one scan; current when exactly the recorded files are there, unchanged
    scanned = _scan(os.fspath(corpus))
    if scanned is not None and len(scanned) == len(recorded):
        for rel, (size, mtime_ns, path) in scanned.items():
            rec = recorded.get(rel)
            if rec is None:
                break  # new, or a file list_corpus skips: let it decide
            if size != rec["size"] or (mtime_ns != rec["mtime_ns"] and _file_sha(path) != rec["sha256"]):
                return f"{rel} changed"  # an indexed file's bytes changed
        else:
            return None
    # slow path: list_corpus decides which files count, and says what changed
    files, _ = list_corpus(corpus)
    if len(files) != len(recorded):
        return "files added or removed"
    for rel, path in files:
        rec = recorded.get(rel)
        if rec is None:
            return f"new file {rel}"
        try:
            st = path.stat()
        except OSError:
            return f"{rel} unreadable"
        if st.st_size != rec["size"]:
            return f"{rel} changed"
        if st.st_mtime_ns != rec["mtime_ns"] and _file_sha(path) != rec["sha256"]:
            return f"{rel} changed"
    return None


# -- building --------------------------------------------------------------------------------


def _previous(index_dir: Path, fingerprint: str) -> tuple[dict, Index | None]:
    """Files of the current index and the index itself, to reuse unchanged files' work."""
    try:
        idx = load(index_dir, verify=True)
    except Exception:
        return {}, None
    if idx.manifest.get("corpus") is None:
        return {}, None
    if idx.manifest.get("parser") != fingerprint:
        return {}, idx  # other parser or tokenizer code: re-parse every file (stems still help)
    return idx.manifest.get("files", {}), idx


class _Reuse:
    """Read access to the previous generation's chunk lines and term ids."""

    def __init__(self, old: Index):
        gen = old.folder
        self.blob = (gen / "chunks.jsonl").read_bytes()
        self.offsets = np.append(old.offsets.astype(np.int64), len(self.blob))
        self.tok_ptr = np.load(gen / "doc_tokens_ptr.npy", allow_pickle=False)
        self.tok = np.load(gen / "doc_tokens.npy", allow_pickle=False)
        if self.tok_ptr.shape != (old.size + 1,) or int(self.tok_ptr[-1]) != self.tok.shape[0]:
            raise ValueError("doc tokens do not match the index")
        self.meta = old.meta


def build(corpus: Path, index_dir: Path, progress: Progress | None = None, use_lexicon: bool = True) -> BuildReport:
    """Build (or refresh) the index of `corpus` into `index_dir` under a lock."""
    from filelock import FileLock, Timeout

    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir / ".build.lock"))
    try:
        lock.acquire(timeout=600)
    except Timeout as e:  # pragma: no cover
        raise IndexProblem(f"another rxquote is still building {index_dir}") from e
    try:
        return _build_locked(corpus, index_dir, progress, use_lexicon)
    finally:
        lock.release()


def _chunk_line(c: Chunk) -> bytes:
    d = {"source": c.source, "title": c.title, "drug": c.drug, "section": c.section, "heading": c.heading,
         "start_line": c.start_line, "end_line": c.end_line, "text": c.text}
    return (json.dumps(d, ensure_ascii=False) + "\n").encode("utf-8")


def _build_locked(corpus: Path, index_dir: Path, progress: Progress | None, use_lexicon: bool) -> BuildReport:
    t0 = time.perf_counter()
    files, list_warnings = list_corpus(corpus)
    fingerprint = parser_fingerprint()
    old_files, old = _previous(index_dir, fingerprint)
    reuse: _Reuse | None = None
    stems: dict[str, str] = dict(old.analyzer.stem_cache) if old else {}
    analyzer = Analyzer(stems)
    for w in QUESTION_WORDS:
        analyzer.stem(w)

    # term ids: the previous vocabulary first, so reused files' ids need no translation
    term_id: dict[str, int] = {t: i for i, t in enumerate(old.bm25.vocab)} if old else {}
    blobs: list[bytes] = []  # chunk lines, file by file
    line_lens: list[np.ndarray] = []
    tok_ids: list[np.ndarray] = []
    tok_lens: list[np.ndarray] = []
    cols: dict[str, list] = {"drug": [], "title": [], "source": [], "section": [], "heading": [], "start_line": [], "end_line": []}
    sec_id = {s: i for i, s in enumerate(SECTIONS)}
    n_chunks = 0
    records: dict[str, dict] = {}
    problems: dict[str, list[str]] = {}
    for w in list_warnings:
        rel, _, why = w.partition(": ")
        problems.setdefault(rel, []).append(why)
    reused = 0
    total = len(files)
    for n, (rel, path) in enumerate(files):
        if progress:
            progress("parse", n, total)
        prev = old_files.get(rel)
        data = None
        try:
            st = path.stat()
            if prev and prev.get("size") == st.st_size and prev.get("mtime_ns") == st.st_mtime_ns:
                digest = prev["sha256"]  # untouched since it was hashed (stale_reason trusts this too)
            else:
                data = read_monograph(path)
                digest = _sha256(data)
        except OSError as e:
            problems.setdefault(rel, []).append(f"unreadable ({e.strerror})")
            continue
        warnings: list[str]
        page_reused = False
        lo = n_chunks
        if old is not None and prev and prev["sha256"] == digest:
            try:
                if reuse is None:
                    reuse = _Reuse(old)
                plo, phi = prev["chunks"]
                if not (isinstance(plo, int) and isinstance(phi, int) and 0 <= plo <= phi <= old.size):
                    raise ValueError("chunk range")
                m, tp = reuse.meta, reuse.tok_ptr
                names = m["names"]
                part = {key: [names[key][x] for x in m[key][plo:phi]] for key in ("drug", "title", "source")}
                part.update({key: m[key][plo:phi] for key in ("section", "heading", "start_line", "end_line")})
                if any(len(v) != phi - plo for v in part.values()):
                    raise ValueError("chunk metadata")
                o, t = reuse.offsets[plo : phi + 1], tp[plo : phi + 1]
                blobs.append(reuse.blob[int(o[0]) : int(o[-1])])
                line_lens.append(o[1:] - o[:-1])
                tok_ids.append(reuse.tok[t[0] : t[-1]])
                tok_lens.append(t[1:] - t[:-1])
                for key, v in part.items():
                    cols[key].extend(v)
                n_chunks += phi - plo
                warnings = list(prev.get("warnings", []))
                page_reused = True
                reused += 1
            except (OSError, ValueError, KeyError, IndexError, TypeError):
                old_files = {}  # the previous index is not usable: parse this and every other file
        if not page_reused:
            if data is None:
                try:
                    data = read_monograph(path)
                except OSError as e:
                    problems.setdefault(rel, []).append(f"unreadable ({e.strerror})")
                    continue
                digest = _sha256(data)
            page: ParsedPage = parse_bytes(data, rel)
            lines = [_chunk_line(c) for c in page.chunks]
            blobs.append(b"".join(lines))
            line_lens.append(np.fromiter((len(x) for x in lines), dtype=np.int64, count=len(lines)))
            ids: list[int] = []
            lens: list[int] = []
            for c in page.chunks:
                toks = analyzer.tokens(f"{c.heading}\n{c.text}" if c.section == "faq" else c.text)
                ids.extend(term_id.setdefault(t, len(term_id)) for t in toks)
                lens.append(len(toks))
                cols["drug"].append(c.drug)
                cols["title"].append(c.title)
                cols["source"].append(c.source)
                cols["section"].append(sec_id[c.section])
                cols["heading"].append(c.heading)
                cols["start_line"].append(c.start_line)
                cols["end_line"].append(c.end_line)
            tok_ids.append(np.asarray(ids, dtype=np.int64))
            tok_lens.append(np.asarray(lens, dtype=np.int64))
            warnings = list(page.warnings)
            n_chunks += len(page.chunks)
        records[rel] = {"sha256": digest, "size": st.st_size, "mtime_ns": st.st_mtime_ns, "chunks": [lo, n_chunks], "warnings": warnings}
        if warnings:
            problems.setdefault(rel, []).extend(warnings)
    if progress:
        progress("parse", total, total)
        progress("index", 0, 1)
    reuse = None
    flat = np.concatenate(tok_ids).astype(np.int64) if tok_ids else np.zeros(0, dtype=np.int64)
    doc_len = np.concatenate(tok_lens) if tok_lens else np.zeros(0, dtype=np.int64)
    bm25, flat = BM25Index.from_ids(flat, doc_len, list(term_id))
    del term_id, tok_ids
    if progress:
        progress("index", 1, 1)
    medicines = sorted(set(cols["drug"]) | set(cols["title"]))
    if progress:
        progress("names", 0, 1)
    table = build_table(medicines, use_lexicon=use_lexicon, vocabulary=analyzer.stem_cache, previous=old.drugs if old else None)
    if progress:
        progress("names", 1, 1)
    for name in medicines:  # medicine names are never "misspellings" of each other
        for w in words(name):
            analyzer.stem(w)
    if progress:
        progress("write", 0, 1)
    manifest = {
        "format": FORMAT_VERSION,
        "rxquote": __version__,
        "tokenizer": TOKENIZER_SETTINGS,
        "parser": fingerprint,
        "names": TABLE_VERSION,
        "corpus": corpus_key(corpus),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "files": records,
        "counts": {"files": len(files), "chunks": n_chunks, "medicines": len(medicines)},
    }
    lens_all = np.concatenate(line_lens) if line_lens else np.zeros(0, dtype=np.int64)
    offsets = np.zeros(n_chunks, dtype=np.int64)
    if n_chunks:
        np.cumsum(lens_all[:-1], out=offsets[1:])
    table.common_words = frozenset(analyzer.stem_cache) | stopwords()  # as load() gives it: for word_groups
    _write_generation(index_dir, manifest, blobs, offsets, cols, flat, bm25, table, analyzer.stem_cache)
    per_section = {s: 0 for s in SECTIONS}
    for s, k in zip(*np.unique(np.asarray(cols["section"], dtype=np.int64), return_counts=True)):
        per_section[SECTIONS[int(s)]] = int(k)
    if progress:
        progress("write", 1, 1)
    return BuildReport(len(files), len(medicines), n_chunks, per_section, problems, time.perf_counter() - t0, reused)


def _write_generation(index_dir, manifest, blobs, offsets, cols, doc_tokens: np.ndarray, bm25: BM25Index,
                      table: DrugTable, stems) -> None:
    gen_name = f"gen-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    tmp = index_dir / f".{gen_name}.tmp"
    tmp.mkdir()
    try:
        with open(tmp / "chunks.jsonl", "wb") as f:
            for blob in blobs:
                f.write(blob)
        np.save(tmp / "chunk_offsets.npy", offsets, allow_pickle=False)
        names: dict[str, dict[str, int]] = {"drug": {}, "title": {}, "source": {}}
        meta: dict[str, list] = {}
        for key in ("drug", "title", "source"):
            ids = names[key]
            meta[key] = [ids.setdefault(v, len(ids)) for v in cols[key]]
        for key in ("section", "heading", "start_line", "end_line"):
            meta[key] = cols[key]
        meta["names"] = {k: list(v) for k, v in names.items()}
        (tmp / "chunk_meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        bm25.save(tmp)
        ptr = np.zeros(bm25.size + 1, dtype=np.int64)
        np.cumsum(bm25.doc_len, out=ptr[1:])
        np.save(tmp / "doc_tokens.npy", doc_tokens.astype(np.int32), allow_pickle=False)
        np.save(tmp / "doc_tokens_ptr.npy", ptr, allow_pickle=False)
        drugs_json, lexicon_json = table.to_json()
        (tmp / "drugs.json").write_text(json.dumps(drugs_json, ensure_ascii=False), encoding="utf-8")
        (tmp / "lexicon.json").write_text(json.dumps(lexicon_json, ensure_ascii=False), encoding="utf-8")
        (tmp / "stems.json").write_text(json.dumps(stems, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        checksums = {}
        for p in sorted(tmp.iterdir()):
            with open(p, "rb") as f:
                os.fsync(f.fileno())
            st = p.stat()
            checksums[p.name] = [st.st_size, _file_sha(p), st.st_mtime_ns]
        os.replace(tmp, index_dir / gen_name)
        manifest = {**manifest, "generation": gen_name, "checksums": checksums}
        mtmp = index_dir / f".{MANIFEST}.{uuid.uuid4().hex[:8]}.tmp"
        with open(mtmp, "w", encoding="utf-8") as f:
            f.write(json.dumps(manifest, ensure_ascii=False))  # dumps: the C encoder (dump is pure Python)
            f.flush()
            os.fsync(f.fileno())
        previous = read_manifest(index_dir)
        os.replace(mtmp, index_dir / MANIFEST)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    # keep the generation that was current until now (a reader may still use it); drop older ones
    prev_gen = (previous or {}).get("generation")
    keep = {gen_name, prev_gen if isinstance(prev_gen, str) else None}  # a damaged manifest may hold anything
    for p in index_dir.iterdir():
        if p.name.startswith("gen-") and p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)
        elif p.name.startswith(".gen-") and p.name.endswith(".tmp") and time.time() - p.stat().st_mtime > 3600:
            shutil.rmtree(p, ignore_errors=True)  # left by a crashed build
        elif p.name.startswith(f".{MANIFEST}.") and p.name.endswith(".tmp") and time.time() - p.stat().st_mtime > 3600:
            p.unlink(missing_ok=True)  # a manifest a crashed build never committed


def ensure(corpus: Path, index_dir: Path, progress: Progress | None = None) -> tuple[Index, BuildReport | None]:
    """Load the index, rebuilding it first if it is missing, stale or damaged."""
    manifest = read_manifest(index_dir)
    reason = stale_reason(index_dir, corpus, manifest)
    report = None
    if reason is None:
        try:
            return load(index_dir, manifest=manifest), None
        except IndexProblem:
            pass
    report = build(corpus, index_dir, progress)
    return load(index_dir), report
