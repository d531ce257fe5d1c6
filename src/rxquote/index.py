"""Build, save, load and check the index: plain data only (JSON, JSONL, .npy without pickle).

Layout of an index folder:

    manifest.json        points at the current generation; format, tokenizer, per-file hashes,
                         per-file checksums of the generation's files
    gen-<id>/            one complete index: chunks.jsonl, chunk_meta.json, chunk_offsets.npy,
                         vocab.json, bm25.json, *.npy postings, doc_tokens.npy, drugs.json, stems.json

A build writes a new generation folder, then replaces manifest.json atomically (os.replace):
a crash or a concurrent build never leaves a torn index, and readers keep reading the
generation they opened. Builds take a file lock; the previous generation is kept one round.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from . import __version__
from .bm25 import BM25Index
from .corpus import SECTIONS, Chunk, ParsedPage, list_corpus, parse_bytes
from .drugs import DrugTable, build_table
from .text import QUESTION_WORDS, TOKENIZER_SETTINGS, Analyzer, words

FORMAT_VERSION = 4
MANIFEST = "manifest.json"

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class IndexError_(Exception):
    """An index problem a person can act on (one line)."""


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


def _file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def corpus_key(corpus: Path) -> str:
    return str(corpus.resolve())


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

    @property
    def size(self) -> int:
        return self.bm25.size

    def chunk(self, i: int) -> Chunk:
        with open(self.folder / "chunks.jsonl", "rb") as f:
            f.seek(int(self.offsets[i]))
            return Chunk(**json.loads(f.readline()))

    def chunks(self, ids) -> list[Chunk]:
        out = []
        with open(self.folder / "chunks.jsonl", "rb") as f:
            for i in ids:
                f.seek(int(self.offsets[i]))
                out.append(Chunk(**json.loads(f.readline())))
        return out

    def iter_chunks(self):
        with open(self.folder / "chunks.jsonl", "rb") as f:
            for line in f:
                yield Chunk(**json.loads(line))

    def drug_of(self, i: int) -> str:
        return self.meta["names"]["drug"][self.meta["drug"][i]]

    def section_of(self, i: int) -> str:
        return SECTIONS[self.meta["section"][i]]

    def title_of(self, i: int) -> str:
        return self.meta["names"]["title"][self.meta["title"][i]]

    def heading_of(self, i: int) -> str:
        return self.meta["heading"][i]

    def source_of(self, i: int) -> str:
        return self.meta["names"]["source"][self.meta["source"][i]]


def read_manifest(index_dir: Path) -> dict | None:
    try:
        return json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def load(index_dir: Path, verify: bool = True) -> Index:
    manifest = read_manifest(index_dir)
    if manifest is None:
        raise IndexError_("no index")
    if manifest.get("format") != FORMAT_VERSION or manifest.get("tokenizer") != TOKENIZER_SETTINGS:
        raise IndexError_("index format is older or newer")
    gen = index_dir / manifest["generation"]
    if verify:
        for name, (size, digest) in manifest["checksums"].items():
            p = gen / name
            try:
                if p.stat().st_size != size or _file_sha(p) != digest:
                    raise IndexError_(f"index file {name} is damaged")
            except OSError as e:
                raise IndexError_(f"index file {name} is missing") from e
    try:
        bm25 = BM25Index.load(gen)
        meta = json.loads((gen / "chunk_meta.json").read_text(encoding="utf-8"))
        drugs_json = json.loads((gen / "drugs.json").read_text(encoding="utf-8"))
        stems = json.loads((gen / "stems.json").read_text(encoding="utf-8"))
        offsets = np.load(gen / "chunk_offsets.npy", allow_pickle=False)
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise IndexError_(f"index is unreadable ({type(e).__name__})") from e
    common = frozenset(stems)  # words of the corpus and of questions: never "misspellings"
    return Index(gen, manifest, bm25, DrugTable.from_json(drugs_json, common), Analyzer(stems), meta, offsets)


# -- staleness -------------------------------------------------------------------------------


def stale_reason(index_dir: Path, corpus: Path, manifest: dict | None = None) -> str | None:
    """Why the index does not match the corpus (None when it is current)."""
    manifest = manifest if manifest is not None else read_manifest(index_dir)
    if manifest is None:
        return "no index yet"
    if manifest.get("format") != FORMAT_VERSION or manifest.get("tokenizer") != TOKENIZER_SETTINGS:
        return "index format changed"
    if manifest.get("corpus") != corpus_key(corpus):
        return "built for another corpus"
    files, _ = list_corpus(corpus)
    recorded = manifest["files"]
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


def _previous_cache(index_dir: Path) -> tuple[dict, Index | None]:
    """Files of the current index and the index itself, to reuse unchanged files' work."""
    try:
        idx = load(index_dir, verify=True)
    except Exception:
        return {}, None
    if idx.manifest.get("corpus") is None:
        return {}, None
    return idx.manifest.get("files", {}), idx


def build(corpus: Path, index_dir: Path, progress: Progress | None = None, use_lexicon: bool = True) -> BuildReport:
    """Build (or refresh) the index of `corpus` into `index_dir` under a lock."""
    from filelock import FileLock, Timeout

    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir / ".build.lock"))
    try:
        lock.acquire(timeout=600)
    except Timeout as e:  # pragma: no cover
        raise IndexError_(f"another rxquote is still building {index_dir}") from e
    try:
        return _build_locked(corpus, index_dir, progress, use_lexicon)
    finally:
        lock.release()


def _build_locked(corpus: Path, index_dir: Path, progress: Progress | None, use_lexicon: bool) -> BuildReport:
    t0 = time.perf_counter()
    files, list_warnings = list_corpus(corpus)
    old_files, old = _previous_cache(index_dir)
    old_tokens = None
    stems: dict[str, str] = dict(old.analyzer.stem_cache) if old else {}
    analyzer = Analyzer(stems)
    for w in QUESTION_WORDS:
        analyzer.stem(w)

    chunks: list[Chunk] = []
    doc_tokens: list[list[str]] = []
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
        try:
            st = path.stat()
            data = path.read_bytes()
        except OSError as e:
            problems.setdefault(rel, []).append(f"unreadable ({e.strerror})")
            continue
        digest = _sha256(data)
        prev = old_files.get(rel)
        page_chunks: list[Chunk]
        page_tokens: list[list[str]]
        warnings: list[str]
        if old is not None and prev and prev["sha256"] == digest:
            if old_tokens is None:
                old_tokens = _load_doc_tokens(old)
            lo, hi = prev["chunks"]
            page_chunks = old.chunks(range(lo, hi))
            page_tokens = old_tokens[lo:hi]
            warnings = list(prev.get("warnings", []))
            reused += 1
        else:
            page: ParsedPage = parse_bytes(data, rel)
            page_chunks = list(page.chunks)
            page_tokens = [analyzer.tokens(f"{c.heading}\n{c.text}" if c.section == "faq" else c.text) for c in page_chunks]
            warnings = list(page.warnings)
        lo = len(chunks)
        for c, toks in zip(page_chunks, page_tokens):
            chunks.append(Chunk(**{**c.to_dict(), "id": len(chunks)}))
            doc_tokens.append(toks)
        records[rel] = {"sha256": digest, "size": st.st_size, "mtime_ns": st.st_mtime_ns, "chunks": [lo, len(chunks)], "warnings": warnings}
        if warnings:
            problems.setdefault(rel, []).extend(warnings)
    if progress:
        progress("parse", total, total)
        progress("index", 0, 1)
    bm25 = BM25Index.build(doc_tokens)
    if progress:
        progress("index", 1, 1)
    medicines = sorted({c.drug for c in chunks} | {c.title for c in chunks})
    if progress:
        progress("names", 0, 1)
    if old is not None and sorted(old.drugs.medicines) == medicines:
        table = DrugTable(old.drugs.aliases, old.drugs.medicines, old.drugs.other_names)
    else:
        table = build_table(medicines, use_lexicon=use_lexicon)
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
        "corpus": corpus_key(corpus),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "files": records,
        "counts": {"files": len(files), "chunks": len(chunks), "medicines": len(medicines)},
    }
    _write_generation(index_dir, manifest, chunks, doc_tokens, bm25, table, analyzer.stem_cache)
    per_section = {s: 0 for s in SECTIONS}
    for c in chunks:
        per_section[c.section] += 1
    if progress:
        progress("write", 1, 1)
    return BuildReport(len(files), len(medicines), len(chunks), per_section, problems, time.perf_counter() - t0, reused)


def _load_doc_tokens(idx: Index) -> list[list[str]]:
    gen = idx.folder
    ptr = np.load(gen / "doc_tokens_ptr.npy", allow_pickle=False)
    ids = np.load(gen / "doc_tokens.npy", allow_pickle=False)
    vocab = idx.bm25.vocab
    flat = [vocab[i] for i in ids.tolist()]
    return [flat[ptr[d] : ptr[d + 1]] for d in range(len(ptr) - 1)]


def _write_generation(index_dir, manifest, chunks, doc_tokens, bm25: BM25Index, table: DrugTable, stems) -> None:
    gen_name = f"gen-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    tmp = index_dir / f".{gen_name}.tmp"
    tmp.mkdir()
    try:
        offsets = []
        pos = 0
        with open(tmp / "chunks.jsonl", "wb") as f:
            for c in chunks:
                line = (json.dumps(c.to_dict(), ensure_ascii=False) + "\n").encode("utf-8")
                offsets.append(pos)
                f.write(line)
                pos += len(line)
        np.save(tmp / "chunk_offsets.npy", np.asarray(offsets, dtype=np.int64), allow_pickle=False)
        names: dict[str, dict[str, int]] = {"drug": {}, "title": {}, "source": {}}
        cols: dict[str, list] = {"drug": [], "title": [], "source": [], "section": [], "heading": [], "start_line": [], "end_line": []}
        sec_id = {s: i for i, s in enumerate(SECTIONS)}
        for c in chunks:
            for key in ("drug", "title", "source"):
                cols[key].append(names[key].setdefault(getattr(c, key), len(names[key])))
            cols["section"].append(sec_id[c.section])
            cols["heading"].append(c.heading)
            cols["start_line"].append(c.start_line)
            cols["end_line"].append(c.end_line)
        cols["names"] = {k: list(v) for k, v in names.items()}
        (tmp / "chunk_meta.json").write_text(json.dumps(cols, ensure_ascii=False), encoding="utf-8")
        bm25.save(tmp)
        tid = bm25.term_id
        lens = [len(t) for t in doc_tokens]
        ptr = np.zeros(len(doc_tokens) + 1, dtype=np.int64)
        np.cumsum(lens, out=ptr[1:])
        flat = np.fromiter((tid[t] for toks in doc_tokens for t in toks), dtype=np.int32, count=int(ptr[-1]))
        np.save(tmp / "doc_tokens.npy", flat, allow_pickle=False)
        np.save(tmp / "doc_tokens_ptr.npy", ptr, allow_pickle=False)
        (tmp / "drugs.json").write_text(json.dumps(table.to_json(), ensure_ascii=False), encoding="utf-8")
        (tmp / "stems.json").write_text(json.dumps(stems, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        checksums = {}
        for p in sorted(tmp.iterdir()):
            checksums[p.name] = [p.stat().st_size, _file_sha(p)]
            with open(p, "rb") as f:
                os.fsync(f.fileno())
        os.replace(tmp, index_dir / gen_name)
        manifest = {**manifest, "generation": gen_name, "checksums": checksums}
        mtmp = index_dir / f".{MANIFEST}.{uuid.uuid4().hex[:8]}.tmp"
        with open(mtmp, "w", encoding="utf-8") as f:
            json.dump(manifest, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        previous = read_manifest(index_dir)
        os.replace(mtmp, index_dir / MANIFEST)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    # keep the generation that was current until now (a reader may still use it); drop older ones
    keep = {gen_name, (previous or {}).get("generation")}
    for p in index_dir.iterdir():
        if p.name.startswith("gen-") and p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)
        elif p.name.startswith(".gen-") and p.name.endswith(".tmp") and time.time() - p.stat().st_mtime > 3600:
            shutil.rmtree(p, ignore_errors=True)  # left by a crashed build


def ensure(corpus: Path, index_dir: Path, progress: Progress | None = None) -> tuple[Index, BuildReport | None]:
    """Load the index, rebuilding it first if it is missing, stale or damaged."""
    manifest = read_manifest(index_dir)
    reason = stale_reason(index_dir, corpus, manifest)
    report = None
    if reason is None:
        try:
            return load(index_dir), None
        except IndexError_:
            pass
    report = build(corpus, index_dir, progress)
    return load(index_dir), report
