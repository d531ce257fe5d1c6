"""Building a generation, in stages, in bounded memory, on every core.

    plan     scan the corpus; each file is either reused (its bytes are unchanged since the
             previous generation) or parsed; consecutive reused files become one `ReuseRun`,
             files to parse are grouped into `ParseJob`s of a few dozen
    parse    `parse_files` turns a job's files into a `Batch` (chunk lines, columns, term ids
             local to the batch) — in a pool of processes when there is much to parse, each
             with its own stemmer; at most a few jobs are in flight, results come in file order
    write    `GenerationWriter` appends each batch or reused run to the new generation's files
             as it comes: chunk lines and token ids go straight to disk, term ids are made
             global in first-occurrence order (`TermNumbering`: rank-bm25's idf sum order),
             postings are built in blocks (`bm25.PostingsBuilder`)
    finish   postings concatenated per term with each posting's score, name tables sorted,
             per-medicine chunk lists, the medicine-name table, file records; then checksums,
             fsync and the atomic switch of the manifest

Memory holds per-chunk integers (a few bytes each), the vocabulary and one block of postings —
not the corpus. A reused run costs no parsing and almost no writing: its chunk lines and tokens
are hard-linked a whole segment at a time (segments.py), or copied file to file by the kernel
in a segment that holds a changed page, and so are its headings (tokens are ids into a token
vocabulary that a rebuild only appends to, so they keep their bytes whatever the new term
numbering); the terms it meets first are numbered from the previous `term_first` without
reading its tokens, and its postings are the previous ones, copied where no posting was
dropped or inserted (bm25.py); its name columns and per-medicine lists are linked when no
page changed its names or its number of chunks. What
a rebuild must write anew is what every changed page changes for all: each posting's score
(idf and avgdl move), and the doc ids after a page that gained or lost chunks. On this kind of
machine writing fresh bytes (and touching fresh memory) costs more than the arithmetic, hence
the copies, the hard links (`link_or_copy`) and the work arrays allocated once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from array import array
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
from json.encoder import encode_basestring as _json_string

from . import __version__
from .bm25 import BLOCK_TOKENS, PostingsBuilder, ReusedPostings
from .corpus import SECTIONS, CorpusFile, CorpusScan, parse_bytes, read_capped, read_monograph, scan_corpus
from .drugs import TABLE_VERSION, DrugTable
from .layout import (DRUG_TABLE_FILES, SECTION_ID, FileRecord, FileRecords, medicine_chunks, save_drug_table,
                     FileTable, save_file_records, save_folders)
from .segments import SEGMENT_BYTES, ChunkSegments, SegmentWriter
from .store import SEP, NpyWriter, StringTable, link_or_copy, load_array, save_array, save_strings
from .text import stopwords, QUESTION_WORDS, Analyzer, TermCoder, words

JOB_FILES = 48  # files per parse job: enough work to hide the cost of sending it to a worker
IN_PROCESS_FILES = 400  # parse fewer files than this in this process (a pool costs ~0.2 s to start)
MAX_WORKERS = 8
PROGRESS_SECONDS = 0.1  # report progress at most this often

Progress = Callable[[str, int, int], None]
TableBuilder = Callable[[list[str], dict], DrugTable]  # (medicines, the corpus's words) → table


class ReuseFailed(Exception):
    """The previous generation cannot be reused as planned (damaged, or an unexpected shape)."""


# -- plan ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReuseRun:
    """Consecutive unchanged files whose chunks are consecutive in the previous generation."""

    files: tuple[CorpusFile, ...]
    old: tuple[int, ...]  # their positions in the previous generation's file records
    chunks: tuple[int, int]  # their chunk range there


@dataclass(frozen=True)
class ParseJob:
    files: tuple[CorpusFile, ...]


@dataclass(frozen=True)
class BuildPlan:
    steps: tuple[ReuseRun | ParseJob, ...]
    files: int
    reused: int
    problems: dict[str, list[str]]
    folders: tuple[tuple[str, int], ...]  # the corpus's folders and their mtimes, as scanned


def plan_build(corpus: Path, old: "PreviousGeneration | None", scan: CorpusScan | None = None) -> BuildPlan:
    scan = scan if scan is not None else scan_corpus(corpus)
    files = scan.files
    problems: dict[str, list[str]] = {}
    for w in scan.warnings:
        rel, _, why = w.partition(": ")
        problems.setdefault(rel, []).append(why)
    at, reuse = _reusable(files, old)
    # steps start where reuse starts or stops, and where a reused file's chunks do not follow
    # the previous one's (in arrays: a Python loop over 64,000 files cost a rebuild ~0.3 s)
    start = np.ones(len(files), dtype=bool)
    if len(files) > 1:
        lo, hi = (np.asarray(a, dtype=np.int64) for a in ((old.file_lo, old.file_hi) if old else ([0], [0])))
        follows = reuse[1:] & reuse[:-1] & (lo[np.maximum(at[1:], 0)] == hi[np.maximum(at[:-1], 0)])
        start[1:] = ~(follows | (~reuse[1:] & ~reuse[:-1]))
    bounds = np.append(np.flatnonzero(start), len(files)).tolist()
    steps: list[ReuseRun | ParseJob] = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        if reuse[a]:
            old_at = tuple(at[a:b].tolist())
            steps.append(ReuseRun(tuple(files[a:b]), old_at, (old.file_lo[old_at[0]], old.file_hi[old_at[-1]])))
        else:
            steps.extend(ParseJob(tuple(files[j : min(b, j + JOB_FILES)])) for j in range(a, b, JOB_FILES))
    return BuildPlan(tuple(steps), len(files), int(reuse.sum()), problems, tuple(scan.folders))


def _reusable(files: list[CorpusFile], old: "PreviousGeneration | None") -> tuple[np.ndarray, np.ndarray]:
    """(each file's position in the previous generation's records, -1 if none; whether its
    bytes are unchanged since)."""
    n = len(files)
    if old is None or not n:
        return np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=bool)
    get = old.position.get
    at = np.fromiter((get(f.rel, -1) for f in files), dtype=np.int64, count=n)
    size = np.fromiter((f.size for f in files), dtype=np.int64, count=n)
    mtime = np.fromiter((f.mtime_ns for f in files), dtype=np.int64, count=n)
    known = at >= 0
    i = np.maximum(at, 0)
    same_size = known & (np.asarray(old.file_size, dtype=np.int64)[i] == size)
    reuse = same_size & (np.asarray(old.file_mtime, dtype=np.int64)[i] == mtime)
    for j in np.flatnonzero(same_size & ~reuse).tolist():  # touched: same bytes?
        reuse[j] = _unchanged(files[j], old, int(at[j]))
    return at, reuse


def _unchanged(f: CorpusFile, old: "PreviousGeneration", i: int) -> bool:
    """Same bytes as when the previous generation read it: same size and mtime (what
    stale_reason trusts too), or same size and same sha256."""
    if old.file_size[i] != f.size:
        return False
    if old.file_mtime[i] == f.mtime_ns:
        return True
    try:
        return hashlib.sha256(read_monograph(Path(f.path))).hexdigest() == old.sha256(i)
    except OSError:
        return False


# -- parse ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileOut:
    """One parsed file: its record, or why it could not be read."""

    rel: str
    sha256: str = ""
    size: int = 0
    mtime_ns: int = 0
    chunks: int = 0
    title: str = ""
    warnings: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class Batch:
    """What parsing a job's files gives, ready to append to a generation. Term ids are local
    to the batch, numbered in first-occurrence order (`vocab[id]` is the term)."""

    files: tuple[FileOut, ...]
    lines: bytes  # the chunk lines (JSON), one after another
    line_lens: bytes  # int64 per chunk
    drug_names: tuple[str, ...]  # the batch's chunk drugs, in first-occurrence order
    drug_ids: bytes  # int32 per chunk: its drug, into drug_names (a name is sent once a batch)
    sections: bytes  # int8 per chunk
    headings: bytes  # per chunk, UTF-8, each followed by NUL
    heading_lens: bytes  # int64 per chunk (with its NUL)
    vocab: tuple[str, ...]
    ids: bytes  # int32 per token
    doc_len: bytes  # int64 per chunk: its number of tokens
    stems: tuple[tuple[str, str], ...] = ()  # (word, stem) learnt by the worker


def chunk_line(c) -> bytes:
    """A chunk's line in its segment (segments.py): its line span and text (the rest is in the columns)."""
    # what json.dumps([start, end, text], ensure_ascii=False) gives, without its Python layers
    return f"[{int(c.start_line)}, {int(c.end_line)}, {_json_string(c.text)}]\n".encode("utf-8")


def parse_files(files: tuple[CorpusFile, ...], coder: TermCoder) -> Batch:
    """Parse and tokenize files (pure: the same files give the same batch anywhere, whatever
    the coder has seen before)."""
    out: list[FileOut] = []
    lines: list[bytes] = []
    drug_index: dict[str, int] = {}
    drug_ids = array("i")
    sections = bytearray()
    headings: list[bytes] = []
    word_ids = array("i")  # the coder's id of every word token, -1 for those not indexed
    words_per_chunk = array("q")
    code = coder.word_ids
    for f in files:
        try:
            with open(f.path, "rb") as fh:
                st = os.fstat(fh.fileno())
                data = read_capped(fh, st.st_size)
        except OSError as e:
            out.append(FileOut(f.rel, error=f"unreadable ({e.strerror})"))
            continue
        page = parse_bytes(data, f.rel)
        for c in page.chunks:
            lines.append(chunk_line(c))
            drug_ids.append(drug_index.setdefault(c.drug, len(drug_index)))
            sections.append(SECTION_ID[c.section])
            headings.append(c.heading.encode("utf-8"))
            toks = code(f"{c.heading}\n{c.text}" if c.section == "faq" else c.text)
            word_ids.extend(toks)
            words_per_chunk.append(len(toks))
        out.append(FileOut(f.rel, hashlib.sha256(data).hexdigest(), st.st_size, st.st_mtime_ns, len(page.chunks),
                           page.title, tuple(page.warnings)))
    vocab, ids, doc_len = batch_terms(word_ids, words_per_chunk, coder.terms)
    return Batch(
        files=tuple(out),
        lines=b"".join(lines),
        line_lens=array("q", [len(x) for x in lines]).tobytes(),
        drug_names=tuple(drug_index),
        drug_ids=drug_ids.tobytes(),
        sections=bytes(sections),
        headings=b"".join(h + SEP for h in headings),
        heading_lens=array("q", [len(h) + 1 for h in headings]).tobytes(),
        vocab=vocab,
        ids=ids.tobytes(),
        doc_len=doc_len.tobytes(),
    )


def batch_terms(word_ids: array, words_per_chunk: array, terms: list[str]) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """(the batch's terms in first-occurrence order, int32 token ids into them, int64 tokens
    per chunk) from a coder's ids of every word (-1: not indexed) and the words per chunk."""
    coded = np.frombuffer(word_ids, dtype=np.int32) if len(word_ids) else np.zeros(0, dtype=np.int32)
    per_chunk = np.frombuffer(words_per_chunk, dtype=np.int64) if len(words_per_chunk) else np.zeros(0, dtype=np.int64)
    keep = coded >= 0
    kept_before = np.zeros(coded.shape[0] + 1, dtype=np.int64)
    np.cumsum(keep, out=kept_before[1:])
    ends = np.cumsum(per_chunk)
    doc_len = kept_before[ends] - kept_before[ends - per_chunk]
    kept = coded[keep]
    if not kept.size:
        return (), np.zeros(0, dtype=np.int32), doc_len
    # each coder id's first position (ufunc.at: no sort), then the ids by it
    first = np.full(len(terms), kept.shape[0], dtype=np.int64)
    np.minimum.at(first, kept, np.arange(kept.shape[0], dtype=np.int64))
    met = np.flatnonzero(first < kept.shape[0])
    coder_ids = met[np.argsort(first[met])]
    local = np.empty(len(terms), dtype=np.int32)
    local[coder_ids] = np.arange(coder_ids.shape[0], dtype=np.int32)
    return tuple(terms[i] for i in coder_ids.tolist()), local[kept], doc_len


# the worker process's analyzer, with a stemmer of its own (C stemmers do not pickle, and
# each process loads nltk's once); the stems it learns are sent back with each batch
_worker_coder: TermCoder | None = None
_worker_learnt: list[tuple[str, str]] = []


def _init_worker(stems: dict[str, str]) -> None:
    global _worker_coder
    from .text import snowball_stemmer

    def stem(word: str) -> str:
        s = snowball_stemmer()(word)
        _worker_learnt.append((word, s))
        return s

    _worker_coder = TermCoder(Analyzer(stems, stemmer=stem))


def _parse_in_worker(files: tuple[CorpusFile, ...]) -> Batch:
    batch = parse_files(files, _worker_coder)
    learnt = tuple(_worker_learnt)
    _worker_learnt.clear()
    return Batch(**{**batch.__dict__, "stems": learnt})


def run_plan(plan: BuildPlan, analyzer: Analyzer, workers: int | None) -> Iterator[tuple[ReuseRun | ParseJob, Batch | None]]:
    """Each step with its batch (None for a reused run), in file order. Jobs go to a pool of
    `workers` processes when there is enough to parse, with at most 2 per worker in flight."""
    jobs = [s for s in plan.steps if isinstance(s, ParseJob)]
    to_parse = sum(len(j.files) for j in jobs)
    n = min(MAX_WORKERS, os.cpu_count() or 1) if workers is None else workers
    if n <= 1 or (workers is None and to_parse < IN_PROCESS_FILES):
        coder = TermCoder(analyzer)
        for step in plan.steps:
            yield step, parse_files(step.files, coder) if isinstance(step, ParseJob) else None
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork when this process has one thread (rxquote index, tests, scripts: a fresh worker
    # then costs nothing and never re-runs the caller's __main__); spawn when it has more
    # (the chat builds from a worker thread, and forking a threaded process can deadlock)
    method = "fork" if _can_fork() else "spawn"
    with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context(method), initializer=_init_worker,
                             initargs=(analyzer.stem_cache,)) as pool:
        pending: deque = deque()
        queue = iter(jobs)
        for step in plan.steps:
            while len(pending) < 2 * n:
                job = next(queue, None)
                if job is None:
                    break
                pending.append(pool.submit(_parse_in_worker, job.files))
            yield step, pending.popleft().result() if isinstance(step, ParseJob) else None


# -- write ---------------------------------------------------------------------------------------


class PreviousGeneration:
    """Read access to the generation a rebuild reuses (all checked by the caller's load)."""

    def __init__(self, gen: Path, vocab: list[str], stems: dict[str, str], drugs: DrugTable):
        self.gen = gen
        self.vocab = vocab
        self.term_id = {t: i for i, t in enumerate(vocab)}
        self.stems = stems
        self.drugs = drugs
        self.records = FileRecords.open(gen)
        self.position = {rel: i for i, rel in enumerate(self.records.names.list())}
        # per-file values as Python lists: read once per file, not through the memory map
        self.file_size, self.file_mtime = self.records.size.tolist(), self.records.mtime_ns.tolist()
        self.file_lo, self.file_hi = np.asarray(self.records.chunks).T.tolist() if len(self.records) else ([], [])
        self._sha = np.array(self.records.sha)
        # previous position → warnings, for the few files that have some
        self.warnings = {self.position[rel]: why for rel, why in self.records.warnings.items() if rel in self.position}
        self.offsets = load_array(gen / "chunk_offsets.npy")
        self.drug = load_array(gen / "chunk_drug.npy")
        self.title = load_array(gen / "chunk_title.npy")
        self.source = load_array(gen / "chunk_source.npy")
        self.section = load_array(gen / "chunk_section.npy")
        self.heading_ptr = load_array(gen / "headings_ptr.npy")
        self.headings = load_array(gen / "headings.npy")
        self.tok_ptr = load_array(gen / "doc_tokens_ptr.npy")
        self.segments = ChunkSegments.open(gen, self.offsets)
        # the tokens are ids into token_vocab.json (see GenerationWriter): their terms here
        token_vocab = json.loads((gen / "token_vocab.json").read_text(encoding="utf-8"))
        if not (isinstance(token_vocab, list) and all(isinstance(t, str) for t in token_vocab)):
            raise ValueError("token_vocab.json damaged")
        self.token_vocab: list[str] = token_vocab
        self.tok_to_term = np.fromiter((self.term_id.get(t, -1) for t in token_vocab), dtype=np.int64, count=len(token_vocab))
        self.term_first = np.asarray(load_array(gen / "term_first.npy"), dtype=np.int64)
        self.postings_ptr = np.array(load_array(gen / "postings_ptr.npy"))
        self.postings_doc = load_array(gen / "postings_doc.npy")
        self.postings_tf = load_array(gen / "postings_tf.npy")
        self.names = {key: StringTable.open(gen, f"names_{key}").list() for key in ("drug", "title", "source")}
        n = self.offsets.shape[0] - 1
        if (self.tok_ptr.shape != (n + 1,) or self.heading_ptr.shape != (n + 1,) or self.term_first.shape != (len(vocab),)
                or (len(vocab) > 1 and not np.all(np.diff(self.term_first) > 0))):
            raise ValueError("previous generation does not fit together")
        seg_tokens = np.diff(np.asarray(self.tok_ptr)[self.segments.bounds])
        if any(self.segments.tokens(k).shape[0] != int(seg_tokens[k]) for k in range(len(self.segments))):
            raise ValueError("previous generation's tokens do not fit their offsets")

    def sha256(self, i: int) -> str:
        return self._sha[i].tobytes().hex()

    def read_terms(self, lo: int, hi: int) -> np.ndarray:
        """The term ids of the tokens of chunks [lo, hi) (a damaged token raises ValueError)."""
        tokens = self.segments.tokens_of(self.tok_ptr, lo, hi).astype(np.int64)
        if tokens.size and not (0 <= int(tokens.min()) and int(tokens.max()) < self.tok_to_term.shape[0]):
            raise ValueError("doc_tokens damaged")
        terms = self.tok_to_term[tokens]
        if terms.size and int(terms.min()) < 0:
            raise ValueError("a token without a term")
        return terms

    def segment_bytes(self, k: int, lo: int, hi: int) -> tuple[tuple[Path, int, int], tuple[Path, int, int]]:
        """Where chunks [lo, hi) of segment k lie: (file, start, stop) of their lines and tokens."""
        first = self.segments.starts[k]
        line0, tok0 = int(self.offsets[first]), int(self.tok_ptr[first])
        tokens = self.segments.tokens(k)
        return ((self.segments.lines(k), int(self.offsets[lo]) - line0, int(self.offsets[hi]) - line0),
                (self.segments.tokens_path(k), tokens.offset + 4 * (int(self.tok_ptr[lo]) - tok0),
                 tokens.offset + 4 * (int(self.tok_ptr[hi]) - tok0)))


class TermNumbering:
    """Global term ids in the order terms first occur in the collection (rank-bm25's order).

    A parsed batch brings its terms in their batch order. A reused run of the previous
    generation brings the old terms whose first *kept* occurrence lies inside it: an old term's
    first occurrence (`term_first`), or — when that lay in a file that changed or went away —
    its first occurrence in the chunks this build keeps, found from its postings (they are
    sorted by chunk) and that one chunk's tokens. So a run costs no reading of its tokens."""

    def __init__(self, old: PreviousGeneration | None, kept_chunks: np.ndarray | None = None):
        self.vocab: list[str] = []
        self.term_id: dict[str, int] = {}
        self.first = array("q")  # per term: token position of its first occurrence
        self.tokens = 0  # tokens numbered so far
        self.old = old
        if old is not None:
            self.old_to_new = np.full(len(old.vocab), -1, dtype=np.int64)
            first = _first_kept(old, kept_chunks)
            self.order = np.argsort(first, kind="stable")  # old terms by first kept occurrence
            self.sorted_first = first[self.order]
            self.old_end = 0  # end of the last run, in old token positions

    def _new(self, term: str, position: int) -> int:
        g = len(self.vocab)
        self.vocab.append(term)
        self.term_id[term] = g
        self.first.append(position)
        if self.old is not None:
            o = self.old.term_id.get(term)
            if o is not None:
                self.old_to_new[o] = g
        return g

    def number_batch(self, vocab: tuple[str, ...], ids: np.ndarray) -> np.ndarray:
        local = list(map(self.term_id.get, vocab))  # (map of a bound method: no per-term frame)
        if None in local:
            # where each batch term first occurs: local ids are in first-occurrence order
            firsts = np.flatnonzero(np.diff(np.maximum.accumulate(np.append(-1, ids))) > 0) if ids.size else ids
            for j, g in enumerate(local):
                if g is None:
                    local[j] = self._new(vocab[j], self.tokens + int(firsts[j]))
        self.tokens += int(ids.shape[0])
        return np.asarray(local, dtype=np.int32)[ids] if ids.size else np.zeros(0, dtype=np.int32)

    def number_run(self, lo: int, hi: int) -> None:
        """Number the terms first met in the previous generation's tokens [lo, hi)."""
        if lo < self.old_end:
            raise ReuseFailed("reused runs out of order")
        self.old_end = hi
        k_lo, k_hi = np.searchsorted(self.sorted_first, [lo, hi])
        met, at = self.order[k_lo:k_hi], self.sorted_first[k_lo:k_hi]
        unmet = self.old_to_new[met] < 0  # (a term met in a batch before has its id)
        vocab = self.old.vocab
        for o, p in zip(met[unmet].tolist(), at[unmet].tolist()):
            self._new(vocab[o], self.tokens + p - lo)
        self.tokens += hi - lo


def _first_kept(old: PreviousGeneration, kept_chunks: np.ndarray) -> np.ndarray:
    """Per old term, the old token position of its first occurrence in the kept chunks (the
    int64 maximum for a term that occurs in none)."""
    first = old.term_first.copy()
    tok_ptr = np.asarray(old.tok_ptr)
    if first.size:
        chunk_of_first = np.searchsorted(tok_ptr, first, side="right") - 1
        if int(chunk_of_first.min()) < 0 or int(chunk_of_first.max()) >= kept_chunks.shape[0]:
            raise ReuseFailed("term positions outside the previous generation")
    else:
        chunk_of_first = np.zeros(0, dtype=np.int64)
    ptr, docs = old.postings_ptr, old.postings_doc
    for o in np.flatnonzero(~kept_chunks[chunk_of_first]).tolist():  # first met in a dropped chunk
        lo, hi = int(ptr[o]), int(ptr[o + 1])
        found = -1
        step = 64  # the first kept chunk is usually among the first few: look there first
        while lo < hi and found < 0:
            part = np.asarray(docs[lo : min(hi, lo + step)])
            if part.size and (int(part.min()) < 0 or int(part.max()) >= kept_chunks.shape[0]):
                raise ReuseFailed("postings outside the previous generation")
            hits = np.flatnonzero(kept_chunks[part])
            if hits.size:
                found = int(part[hits[0]])
            lo, step = lo + part.shape[0], step * 8
        if found < 0:
            first[o] = np.iinfo(np.int64).max  # gone from the collection
            continue
        t0 = int(tok_ptr[found])
        at = np.flatnonzero(old.read_terms(found, found + 1) == o)
        if not at.size:
            raise ReuseFailed("tokens and postings disagree")
        first[o] = t0 + int(at[0])
    return first


class _Names:
    """Strings numbered as they come (sorted at the end). A rebuild starts from the previous
    generation's table, so that reused chunks keep their ids (a copy, not a lookup per name);
    the names no chunk uses any more are left out at the end."""

    def __init__(self, names: list[str] = ()):
        self.ids: dict[str, int] = {name: i for i, name in enumerate(names)}

    def id(self, name: str) -> int:
        i = self.ids.get(name)
        if i is None:
            i = self.ids[name] = len(self.ids)
        return i

    def ids_of(self, names: list[str]) -> np.ndarray:
        ids = self.ids
        # (setdefault reads len(ids) before it inserts: a new name gets the next id)
        return np.asarray([ids.setdefault(x, len(ids)) for x in names], dtype=np.int32)

    def used(self, column: array) -> list[str]:
        """The names the chunks use (`column`: each chunk's id), in id order."""
        counts = np.bincount(np.frombuffer(column, dtype=np.int32), minlength=len(self.ids)) if len(column) else np.zeros(len(self.ids))
        return [name for name, i in self.ids.items() if counts[i]]

    def sorted(self, column: array) -> tuple[list[str], np.ndarray]:
        """(the names the chunks use, sorted; the new id of each current id, -1 if unused)."""
        names = sorted(self.used(column))
        remap = np.full(len(self.ids), -1, dtype=np.int32)
        for new, name in enumerate(names):
            remap[self.ids[name]] = new
        return names, remap


@dataclass
class WriteStats:
    chunks: int = 0
    reused_files: int = 0
    records: FileTable = field(default_factory=FileTable)
    problems: dict[str, list[str]] = field(default_factory=dict)


class GenerationWriter:
    """Appends batches and reused runs to a new generation folder, in file order."""

    def __init__(self, folder: Path, old: PreviousGeneration | None, block_tokens: int,
                 reused: tuple[tuple[int, int], ...] = (), segment_bytes: int = SEGMENT_BYTES):
        """`reused`: the previous generation's chunk ranges this build will keep, in order."""
        self.folder = folder
        self.old = old
        self.block_tokens = block_tokens
        # chunk lines and tokens, in segments (segments.py). The tokens are ids into
        # token_vocab: a full build's vocabulary, to which a rebuild only appends (the previous
        # one's, then any new word) — so a reused chunk's tokens are the same bytes, linked
        # with their segment or copied by the kernel, whatever the new term ids are
        self.segments = SegmentWriter(folder, segment_bytes)
        self.headings = NpyWriter(folder / "headings.npy", np.uint8)
        self.token_vocab: list[str] = list(old.token_vocab) if old is not None else []
        self.token_id: dict[str, int] = {t: i for i, t in enumerate(self.token_vocab)}
        self.postings = PostingsBuilder(folder / ".spill", block_tokens)
        kept = None
        if old is not None:
            kept = np.zeros(old.offsets.shape[0] - 1, dtype=bool)
            for lo, hi in reused:
                kept[lo:hi] = True
        self.terms = TermNumbering(old, kept)
        if old is None:
            self.token_vocab = self.terms.vocab  # the same list, as it grows
        self.line_len = array("q")
        self.heading_len = array("q")
        self.doc_len = array("q")
        self.section = array("b")
        self.drug, self.title, self.source = array("i"), array("i"), array("i")
        self.names = {key: _Names(old.names[key] if old is not None else ()) for key in ("drug", "title", "source")}
        self.stats = WriteStats()
        # a rebuild keeps the previous postings of reused chunks (see bm25.ReusedPostings):
        # their new chunk ids, -1 for chunks not kept
        self.doc_map = np.full(old.offsets.shape[0] - 1, -1, dtype=np.int64) if old is not None else None
        self.reused_postings = False

    def add_batch(self, batch: Batch) -> None:
        lo = self.stats.chunks
        file_ends = []  # chunks of the batch at the end of each file
        for f in batch.files:
            file_ends.append(lo + f.chunks - self.stats.chunks)
            if f.error:
                self.stats.problems.setdefault(f.rel, []).append(f.error)
                continue
            self.stats.records.add(FileRecord(f.rel, f.sha256, f.size, f.mtime_ns, (lo, lo + f.chunks), f.warnings))
            if f.warnings:
                self.stats.problems.setdefault(f.rel, []).extend(f.warnings)
            self.title.extend([self.names["title"].id(f.title)] * f.chunks)
            self.source.extend([self.names["source"].id(f.rel)] * f.chunks)
            lo += f.chunks
        ids = np.frombuffer(batch.ids, dtype=np.int32)
        doc_len = np.frombuffer(batch.doc_len, dtype=np.int64)
        global_ids = self.terms.number_batch(batch.vocab, ids)
        self.postings.add(global_ids, doc_len, self.stats.chunks)
        if self.old is None:  # the token vocabulary is the vocabulary
            tokens = global_ids
        else:
            get = self.token_id.get
            local = [get(t) for t in batch.vocab]
            for j, k in enumerate(local):
                if k is None:
                    local[j] = self.token_id[batch.vocab[j]] = len(self.token_vocab)
                    self.token_vocab.append(batch.vocab[j])
            tokens = np.asarray(local, dtype=np.int32)[ids] if ids.size else ids
        line_lens = np.frombuffer(batch.line_lens, dtype=np.int64)
        self.segments.write(batch.lines, line_lens, tokens, doc_len, file_ends)
        self._append(line_lens, batch.headings, np.frombuffer(batch.heading_lens, dtype=np.int64), doc_len)
        drug_ids = self.names["drug"].ids_of(list(batch.drug_names))
        self.drug.frombytes(drug_ids[np.frombuffer(batch.drug_ids, dtype=np.int32)].tobytes())
        self.section.frombytes(batch.sections)
        self.stats.chunks = lo

    def add_run(self, run: ReuseRun) -> None:
        old = self.old
        lo, hi = run.chunks
        base = self.stats.chunks
        at = np.asarray(run.old, dtype=np.int64)
        warned = {f.rel: list(old.warnings[i]) for f, i in zip(run.files, run.old) if i in old.warnings}
        self.stats.records.add_columns(
            [f.rel for f in run.files], np.fromiter((f.size for f in run.files), dtype=np.int64, count=len(run.files)),
            np.fromiter((f.mtime_ns for f in run.files), dtype=np.int64, count=len(run.files)),
            old._sha[at], np.asarray(old.records.chunks)[at] + (base - lo), warned)
        for rel, why in warned.items():
            self.stats.problems.setdefault(rel, []).extend(why)
        # a whole previous segment (large enough) is linked, the part of one is copied (whole
        # files: a run is whole files, and a segment ends at the end of one)
        starts = old.segments.starts
        for k, x, y in old.segments.pieces(lo, hi):
            self._add_old_chunks(k, x, y, link=x == starts[k] and y == starts[k + 1] and self._linkable(k))
        self.stats.chunks = base + hi - lo
        self.stats.reused_files += len(run.files)

    def _linkable(self, k: int) -> bool:
        """Is the previous segment k large enough to be linked (a smaller one is copied, so that
        small segments merge again)?"""
        starts, offsets = self.old.segments.starts, self.old.offsets
        return int(offsets[starts[k + 1]]) - int(offsets[starts[k]]) >= self.segments.segment_bytes // 2

    def _add_old_chunks(self, k: int, lo: int, hi: int, link: bool = False) -> None:
        """The previous chunks [lo, hi), of its segment k (all of it when `link`)."""
        old = self.old
        t_lo, t_hi = int(old.tok_ptr[lo]), int(old.tok_ptr[hi])
        h_lo, h_hi = int(old.heading_ptr[lo]), int(old.heading_ptr[hi])
        if link:
            self.segments.link(old.segments.lines(k), old.segments.tokens_path(k), hi - lo)
        else:
            self.segments.copy(*old.segment_bytes(k, lo, hi), hi - lo)
        self.terms.number_run(t_lo, t_hi)
        self.headings.copy_from(old.gen / "headings.npy", old.headings.offset + h_lo, old.headings.offset + h_hi)
        first = len(self.doc_len)  # the new id of chunk lo
        self.doc_map[lo:hi] = np.arange(first, first + hi - lo)
        self._append(np.diff(old.offsets[lo : hi + 1]), None, np.diff(old.heading_ptr[lo : hi + 1]),
                     np.diff(old.tok_ptr[lo : hi + 1]))
        for key, col in (("drug", self.drug), ("title", self.title), ("source", self.source)):
            part = np.asarray(getattr(old, key)[lo:hi], dtype=np.int32)  # (the same ids: see _Names)
            if part.size and not (0 <= int(part.min()) and int(part.max()) < len(old.names[key])):
                raise ReuseFailed(f"chunk_{key}.npy outside its names")
            col.frombytes(part.tobytes())
        self.section.frombytes(np.asarray(old.section[lo:hi]).tobytes())

    def _append(self, line_lens, headings, heading_lens, doc_len: np.ndarray) -> None:
        self.line_len.frombytes(np.asarray(line_lens, dtype=np.int64).tobytes())
        if headings is not None:  # (a reused run's headings are copied already)
            self.headings.write(np.frombuffer(headings, dtype=np.uint8))
        self.heading_len.frombytes(np.asarray(heading_lens, dtype=np.int64).tobytes())
        self.doc_len.frombytes(np.asarray(doc_len, dtype=np.int64).tobytes())

    def finish_postings(self) -> None:
        """Postings of every chunk: the new chunks' blocks, merged with the reused chunks'
        previous postings when their terms kept their order, else all from the tokens."""
        doc_len = np.frombuffer(self.doc_len, dtype=np.int64)
        reused = None
        if self.old is not None:
            old = self.old
            reused = ReusedPostings(old.postings_ptr, old.postings_doc, old.postings_tf, self.terms.old_to_new, self.doc_map)
            if not reused.prepare(self._dropped_tokens()):
                reused = None
                self.postings.discard()
                self._postings_from_tokens(doc_len)
        self.reused_postings = reused is not None
        self.postings.finish(self.folder, self.terms.vocab, doc_len, reused)

    def _dropped_tokens(self) -> tuple[np.ndarray, np.ndarray]:
        """(old term ids, per-chunk lengths) of the previous chunks this build did not keep."""
        old = self.old
        dropped = np.flatnonzero(self.doc_map < 0)
        if not dropped.size:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        # runs of consecutive dropped chunks: one read each
        cut = np.flatnonzero(np.diff(dropped) > 1) + 1
        parts = [old.read_terms(int(r[0]), int(r[-1]) + 1) for r in np.split(dropped, cut)]
        lens = np.diff(np.asarray(old.tok_ptr))[dropped]
        return np.concatenate(parts).astype(np.int64), lens

    def _postings_from_tokens(self, doc_len: np.ndarray) -> None:
        """Every chunk's tokens (as written to the segments) into the postings, in blocks."""
        ptr = _ptr(self.doc_len)
        segments = ChunkSegments(self.folder, np.asarray(self.segments.starts, dtype=np.int64))
        term_of = np.fromiter((self.terms.term_id.get(t, -1) for t in self.token_vocab), dtype=np.int32, count=len(self.token_vocab))
        lo, n = 0, doc_len.shape[0]
        while lo < n:
            hi = min(n, max(lo + 1, int(np.searchsorted(ptr, ptr[lo] + self.block_tokens, side="right")) - 1))
            ids = term_of[segments.tokens_of(ptr, lo, hi)]
            self.postings.add(ids, doc_len[lo:hi], lo)
            lo = hi

    def close_streams(self) -> None:
        self.segments.close()
        self.headings.close()
        self.postings._flush()
        self.postings.drain()  # no thread left when _finish forks

    def abort(self) -> None:
        try:
            self.postings.drain()
        except Exception:
            pass
        self.segments.abort()
        try:
            self.headings.abort()
        except (OSError, ValueError):
            pass


def _ptr(lengths: array) -> np.ndarray:
    ptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    if len(lengths):
        np.cumsum(np.frombuffer(lengths, dtype=np.int64), out=ptr[1:])
    return ptr


# -- finish --------------------------------------------------------------------------------------


def _finish(w: GenerationWriter, tmp: Path, table_job: "_Parallel", analyzer: Analyzer,
            timer: "_Timer") -> tuple[int, dict[str, int]]:
    """Write everything that needs the whole collection; returns (medicines, chunks per section).

    Three independent parts: the postings (idf, scores, the per-term merge) here, the name
    columns (sorted name tables, per-medicine chunk lists, file records) in a forked process,
    and the medicine-name table in `table_job` (the table alone takes seconds at 60,000
    medicines), which is given the medicines first."""
    medicines = sorted(set(w.names["drug"].used(w.drug)) | set(w.names["title"].used(w.title)))
    table_job.start(medicines, analyzer.stem_cache)
    w.close_streams()
    offsets = _ptr(w.line_len)
    if int(offsets[-1]) != w.segments.size:
        raise ValueError("chunk lines and their lengths disagree")
    save_array(tmp / "chunk_offsets.npy", offsets)
    save_array(tmp / "headings_ptr.npy", _ptr(w.heading_len))
    save_array(tmp / "doc_tokens_ptr.npy", _ptr(w.doc_len))
    save_array(tmp / "chunk_section.npy", np.frombuffer(w.section, dtype=np.int8))
    save_array(tmp / "term_first.npy", np.frombuffer(w.terms.first, dtype=np.int64))
    (tmp / "token_vocab.json").write_text(json.dumps(w.token_vocab, ensure_ascii=False), encoding="utf-8")
    timer.lap("write")
    names_half = [_Parallel(lambda: _write_name_columns(w, tmp)).start(), table_job]
    # the files written so far go to disk meanwhile (after the forks: a thread of its own), so
    # that the commit's fsync finds them clean
    synced = _sync_in_background(sorted(tmp.iterdir()))
    try:
        w.finish_postings()
        timer.lap("postings")
        for part in names_half:
            part.wait()
    except BaseException:
        for part in names_half:
            part.cancel()
        raise
    finally:
        synced.result()
    timer.lap("names")
    per_section = {s: 0 for s in SECTIONS}
    for s, k in zip(*np.unique(np.frombuffer(w.section, dtype=np.int8), return_counts=True)):
        per_section[SECTIONS[int(s)]] = int(k)
    return len(medicines), per_section


def _sync_in_background(paths: list[Path]):
    """fsync `paths` in a thread (fsync lets go of the GIL); returns its future."""
    from concurrent.futures import ThreadPoolExecutor

    def sync() -> None:
        for p in paths:
            if p.is_file():
                with open(p, "rb") as f:
                    os.fsync(f.fileno())

    pool = ThreadPoolExecutor(1, thread_name_prefix="rxquote-fsync")
    try:
        return pool.submit(sync)
    finally:
        pool.shutdown(wait=False)


MEDICINE_CHUNK_FILES = ("medicine_keys.npy", "medicine_keys_ptr.npy", "medicine_ptr.npy", "medicine_chunks.npy")


def _write_name_columns(w: GenerationWriter, tmp: Path) -> None:
    """Name tables sorted, the per-chunk name columns, per-medicine chunk lists, file records.
    A rebuild links the previous generation's files where they would be written the same
    (the common edit changes a page's text, not its names nor its number of chunks): the
    per-medicine lists alone cost seconds at 60,000 medicines."""
    n = w.stats.chunks
    old = w.old
    columns, names, same = {}, {}, {}
    for key, col in (("drug", w.drug), ("title", w.title), ("source", w.source)):
        sorted_names, remap = w.names[key].sorted(col)
        columns[key] = remap[np.frombuffer(col, dtype=np.int32)] if n else np.zeros(0, dtype=np.int32)
        names[key] = sorted_names
        same_names = old is not None and sorted_names == old.names[key]
        same[key] = same_names and np.array_equal(columns[key], getattr(old, key))
        if same[key]:
            link_or_copy(old.gen / f"chunk_{key}.npy", tmp / f"chunk_{key}.npy")
        else:
            save_array(tmp / f"chunk_{key}.npy", columns[key])
        if same_names:
            for name in (f"names_{key}.npy", f"names_{key}_ptr.npy"):
                link_or_copy(old.gen / name, tmp / name)
        else:
            save_strings(tmp, f"names_{key}", sorted_names)
    if same["drug"] and same["title"]:  # the same inputs: the same lists
        for name in MEDICINE_CHUNK_FILES:
            link_or_copy(old.gen / name, tmp / name)
    else:
        keys, ptr, chunks = medicine_chunks(columns["drug"], columns["title"], names["drug"], names["title"])
        save_strings(tmp, "medicine_keys", keys)
        save_array(tmp / "medicine_ptr.npy", ptr)
        save_array(tmp / "medicine_chunks.npy", chunks)
    save_file_records(tmp, w.stats.records)


def _write_drug_table(tmp: Path, make_table: TableBuilder, old: PreviousGeneration | None,
                      analyzer: Analyzer, medicines: list[str]) -> None:
    """The medicine-name table (or the previous one, for the same medicines) and the stem memo."""
    same = old is not None and old.drugs.version == TABLE_VERSION and list(old.drugs.medicines) == medicines
    if same:
        for name in DRUG_TABLE_FILES:  # the same medicines: the same table (the same files)
            link_or_copy(old.gen / name, tmp / name)
    else:  # (the same medicines' words are in the previous memo, which `analyzer` started from)
        for name in medicines:  # medicine names are never "misspellings" of each other
            for word in words(name):
                analyzer.stem(word)
        table = make_table(medicines, analyzer.stem_cache)
        table.common_words = frozenset(analyzer.stem_cache) | stopwords()  # as load gives it
        save_drug_table(tmp, table)
    (tmp / "stems.json").write_text(json.dumps(analyzer.stem_cache, ensure_ascii=False, sort_keys=True), encoding="utf-8")


FORK_SAFE = "rxquote_fork_safe"  # the mark progress.progress_bar sets on its drawing thread (progress.FORK_SAFE)


def _can_fork() -> bool:
    import multiprocessing
    import threading

    # forking a process with other threads can deadlock (a lock held by another thread is
    # copied locked); rxquote index, tests and scripts have one thread — besides the progress
    # bar's, which only draws (what a child never does) — the chat has more
    drawing = sum(1 for t in threading.enumerate() if getattr(t, FORK_SAFE, False))
    return threading.active_count() - drawing == 1 and "fork" in multiprocessing.get_all_start_methods()


class _Parallel:
    """`task(*args)` in a process forked at once (it sees this process's memory as it was then;
    only `args` are pickled), or, when this process may not fork, run by `wait()` itself.

    The process runs `prepare()` first, then waits for `start(*args)`: what it prepares (the
    name table's sources) overlaps what this process does meanwhile (the parse)."""

    def __init__(self, task: Callable[..., None], prepare: Callable[[], None] | None = None):
        import multiprocessing

        self.task, self.prepare, self.proc, self.args = task, prepare, None, None
        if _can_fork():
            ctx = multiprocessing.get_context("fork")
            self.reader, writer = ctx.Pipe(duplex=False)  # its outcome
            self.inbox, self.outbox = ctx.Pipe(duplex=False)  # its arguments
            self.proc = ctx.Process(target=self._run, args=(writer,), daemon=True)
            self.proc.start()
            writer.close()
            self.inbox.close()

    def _run(self, writer) -> None:
        import gc

        # the parent's objects are never garbage here: out of the collector's sight, its passes
        # neither walk them (seconds at 10×) nor copy their pages by touching them
        gc.freeze()
        self.outbox.close()  # (the parent's end: when the parent goes, recv sees the end)
        try:
            if self.prepare is not None:
                self.prepare()
            try:
                args = self.inbox.recv()
            except EOFError:  # the build was given up before the task's turn
                return
            self.task(*args)
            writer.send(None)
        except BaseException as e:
            writer.send(f"{type(e).__name__}: {e}")
            raise

    def start(self, *args) -> "_Parallel":
        if self.args is not None:
            raise RuntimeError("started twice")
        self.args = args
        if self.proc is not None:
            try:
                self.outbox.send(args)
            except OSError:  # it has stopped already (its preparation failed): wait() says why
                pass
            self.outbox.close()
        return self

    def wait(self) -> None:
        if self.args is None:
            raise RuntimeError("waited for before it was started")
        if self.proc is None:
            if self.prepare is not None:
                self.prepare()
            self.task(*self.args)
            return
        try:
            why = self.reader.recv()
        except EOFError:  # it died without a word (killed)
            why = "stopped"
        self.proc.join()
        if why is not None or self.proc.exitcode != 0:
            raise RuntimeError(f"writing the name tables failed ({why or self.proc.exitcode})")

    def cancel(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.join()


class _Timer:
    def __init__(self):
        self.t = self.t0 = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self.t
        self.t = now


class _Throttle:
    """Progress callbacks at most every PROGRESS_SECONDS (a UI redraws on each)."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int, force: bool = False) -> None:
        if self.progress is None:
            return
        now = time.perf_counter()
        if force or done >= total or now - self.last >= PROGRESS_SECONDS:
            self.last = now
            self.progress(stage, done, total)


def _previous(index_dir: Path, fingerprint: str) -> tuple[PreviousGeneration | None, dict[str, str]]:
    """The current generation to reuse (None when there is none, it is damaged, or another
    parser made it), and its stem memo (which helps in any case)."""
    from .index import load

    try:
        idx = load(index_dir, verify=True)
    except Exception:
        return None, {}
    stems = dict(idx.analyzer.stem_cache)
    if idx.manifest.get("parser") != fingerprint:
        return None, stems
    try:
        return PreviousGeneration(idx.folder, idx.bm25.vocab, stems, idx.drugs), stems
    except (OSError, ValueError, KeyError, TypeError):
        return None, stems


def build_generation(corpus: Path, index_dir: Path, progress: Progress | None, make_table: TableBuilder,
                     workers: int | None = None, block_tokens: int | None = None, scan: CorpusScan | None = None,
                     prepare_table: Callable[[], None] | None = None):
    """Build the corpus's index as a new generation of `index_dir` (the caller holds the lock),
    reusing the current generation's work for unchanged files. `prepare_table` reads what
    `make_table` needs besides the medicines; the build has it done while pages are parsed."""
    from .index import parser_fingerprint

    block_tokens = block_tokens or BLOCK_TOKENS
    timer = _Timer()
    fingerprint = parser_fingerprint()
    old, stems = _previous(index_dir, fingerprint)
    try:
        return _build(corpus, index_dir, progress, make_table, workers, block_tokens, old, stems, timer, scan,
                      prepare_table)
    except ReuseFailed:
        return _build(corpus, index_dir, progress, make_table, workers, block_tokens, None, stems, _Timer(), scan,
                      prepare_table)


def _build(corpus, index_dir, progress, make_table, workers, block_tokens, old, stems, timer, scan=None,
           prepare_table=None):
    from .index import FORMAT_VERSION, BuildReport, corpus_key, parser_fingerprint
    from .text import TOKENIZER_SETTINGS

    analyzer = Analyzer(stems)
    for w in QUESTION_WORDS:
        analyzer.stem(w)
    plan = plan_build(corpus, old, scan)
    timer.lap("plan")
    report = _Throttle(progress)
    gen_name = f"gen-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    tmp = index_dir / f".{gen_name}.tmp"
    tmp.mkdir()
    table_job = None
    try:
        # the medicine-name table's process, forked now (this process is still small): it reads
        # the table's sources while the pages are parsed — unless the previous table will most
        # likely serve again (a rebuild whose medicines did not change links it: forked at the
        # end, as there is nothing to read ahead)
        def table_task(medicines: list[str], stems: dict[str, str]) -> None:
            _write_drug_table(tmp, make_table, old, Analyzer(stems), medicines)

        reused_table = old is not None and old.drugs.version == TABLE_VERSION
        if prepare_table is not None and not reused_table:
            table_job = _Parallel(table_task, prepare=prepare_table)
        writer = GenerationWriter(tmp, old, block_tokens, tuple(s.chunks for s in plan.steps if isinstance(s, ReuseRun)),
                                  SEGMENT_BYTES)
        done = 0
        try:
            for step, batch in run_plan(plan, analyzer, workers):
                if batch is None:
                    writer.add_run(step)
                else:
                    writer.add_batch(batch)
                    for word, stem in batch.stems:
                        analyzer.stem_cache.setdefault(word, stem)
                done += len(step.files)
                report("parse", done, plan.files)
        except BaseException:
            writer.abort()
            raise
        report("parse", plan.files, plan.files, force=True)
        timer.lap("parse")
        report("index", 0, 1, force=True)
        save_folders(tmp, plan.folders)
        table_job = table_job or _Parallel(table_task)
        medicines, per_section = _finish(writer, tmp, table_job, analyzer, timer)
        report("index", 1, 1, force=True)
        report("write", 0, 1, force=True)
        stats = writer.stats
        manifest = {
            "format": FORMAT_VERSION,
            "rxquote": __version__,
            "tokenizer": TOKENIZER_SETTINGS,
            "parser": parser_fingerprint(),
            "names": TABLE_VERSION,
            "corpus": corpus_key(corpus),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "counts": {"files": plan.files, "chunks": stats.chunks, "medicines": medicines},
        }
        commit_generation(index_dir, tmp, gen_name, manifest)
        timer.lap("commit")
    except BaseException:
        if table_job is not None:
            table_job.cancel()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report("write", 1, 1, force=True)
    problems = {**plan.problems}
    for rel, why in stats.problems.items():
        problems.setdefault(rel, []).extend(why)
    return BuildReport(plan.files, medicines, stats.chunks, per_section, problems, time.perf_counter() - timer.t0,
                       stats.reused_files, dict(timer.laps), writer.reused_postings, writer.segments.linked)


def commit_generation(index_dir: Path, tmp: Path, gen_name: str, manifest: dict) -> None:
    """Checksum and fsync the new generation, rename it into place, switch the manifest
    atomically, and drop generations older than the previous one."""
    from .index import ALWAYS_HASH_BYTES, MANIFEST, _file_sha, read_manifest

    from concurrent.futures import ThreadPoolExecutor

    shutil.rmtree(tmp / ".spill", ignore_errors=True)

    def record(p: Path) -> list:
        with open(p, "rb") as f:
            os.fsync(f.fileno())
        st = p.stat()
        # a large file is not hashed: its size and mtime are its check (see index._verify);
        # hashing the ~1 GB of a large generation cost a rebuild more than all else it writes
        return [st.st_size, _file_sha(p) if st.st_size < ALWAYS_HASH_BYTES else "", st.st_mtime_ns]

    files = sorted(tmp.iterdir())
    with ThreadPoolExecutor(2) as pool:  # hashing and fsync let go of the GIL: two files at a time
        checksums = dict(zip((p.name for p in files), pool.map(record, files)))
    os.replace(tmp, index_dir / gen_name)
    manifest = {**manifest, "generation": gen_name, "checksums": checksums}
    mtmp = index_dir / f".{MANIFEST}.{uuid.uuid4().hex[:8]}.tmp"
    with open(mtmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(manifest, ensure_ascii=False))  # dumps: the C encoder (dump is pure Python)
        f.flush()
        os.fsync(f.fileno())
    previous = read_manifest(index_dir)
    os.replace(mtmp, index_dir / MANIFEST)
    # keep the generation that was current until now (a reader may still use it); drop older ones
    prev_gen = (previous or {}).get("generation")
    keep = {gen_name, prev_gen if isinstance(prev_gen, str) else None}  # a damaged manifest may hold anything
    for p in index_dir.iterdir():
        if p.name.startswith("gen-") and p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)
        elif p.name.startswith(".stale-") and p.name[len(".stale-") :] != gen_name:
            p.unlink(missing_ok=True)  # the mark of a generation that is no longer current
        elif p.name.startswith(".gen-") and p.name.endswith(".tmp") and time.time() - p.stat().st_mtime > 3600:
            shutil.rmtree(p, ignore_errors=True)  # left by a crashed build
        elif p.name.startswith(f".{MANIFEST}.") and p.name.endswith(".tmp") and time.time() - p.stat().st_mtime > 3600:
            p.unlink(missing_ok=True)  # a manifest a crashed build never committed
