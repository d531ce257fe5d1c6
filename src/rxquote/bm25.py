"""BM25Okapi over an inverted index, exact to rank-bm25.

rank-bm25 computes the statistics (its own `BM25Okapi._calc_idf` gives the idf table, with
its epsilon floor), and scoring evaluates rank-bm25's `get_scores` expression term by term,
in the same order, but only over the postings of the query's terms: a chunk without a query
term scores exactly 0 there too (rank-bm25 adds `idf * 0 / (0 + norm) = 0.0` to it). So scores
are bit-identical to `BM25Okapi.get_scores` (tests/test_fastpath.py checks it) while a query
touches a few thousand postings instead of every chunk.

What rank-bm25 adds to a document's score for one query term,
`idf * (tf * (k1 + 1) / (tf + k1 * (1 - b + b * doc_len / avgdl)))`, is computed once per
posting at index time (`postings_score`), with the same float operations in the same order, so
a query only sums slices of saved arrays. `get_scores_for` sums them for a given set of
candidate documents only: a question about one medicine costs what its chunks cost.

Building: the vocabulary is put in the order rank-bm25 first meets the words (which fixes the
order of its idf sum, hence the epsilon floor, bit for bit). `PostingsBuilder` takes documents
as arrays of such term ids, a block at a time, spills each block's postings to disk and
concatenates them per term at the end (doc ids only rise from block to block, so no merge
sort is needed): memory stays bounded by the block size, not the collection. A rebuild merges
the changed pages' postings into the previous ones (`ReusedPostings`): a few are inserted where
they fall, and the stretches in between, unchanged, are copied file to file; every score is
computed again (`RangeScorer`, in work arrays allocated once).

Saved as plain arrays: `vocab.json`, `bm25.json` and `.npy` files (allow_pickle=False), opened
memory-mapped.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .store import NpyWriter, load_array, save_array, unique

K1, B, EPSILON = 1.5, 0.75, 0.25  # rank-bm25's defaults

ARRAY_FILES = ("postings_ptr", "postings_doc", "postings_tf", "postings_score", "doc_len", "idf")
_DTYPES = {"postings_ptr": np.int64, "postings_doc": np.int32, "postings_tf": np.int32,
           "postings_score": np.float64, "doc_len": np.int32, "idf": np.float64}
BLOCK_TOKENS = 1 << 21  # tokens per postings block (8 MB of term ids, ~80 MB while sorted)
RANGE_POSTINGS = 1 << 20  # postings merged at once at the end (~60 MB while scored)
FEW_ADDED = 16  # a rebuild's added postings are inserted one term at a time below 1/16 of a range
COPY_POSTINGS = 1 << 12  # a rebuild copies runs of unchanged postings this long (file to file)
FEW_DROPPED_RUNS = 16  # up to this many runs of dropped documents are looked up per term


def rank_bm25_idf(doc_freq: dict[str, int], corpus_size: int) -> dict[str, float]:
    """idf exactly as rank-bm25 computes it (its own method, not a copy of the formula).

    `doc_freq` must iterate in rank-bm25's order (first occurrence in the corpus): the
    average idf behind the epsilon floor is a float sum in that order.
    """
    from rank_bm25 import BM25Okapi  # only at build time

    model = BM25Okapi.__new__(BM25Okapi)
    model.k1, model.b, model.epsilon = K1, B, EPSILON
    model.corpus_size = corpus_size
    model.idf = {}
    model._calc_idf(doc_freq)
    return model.idf


def idf_array(vocab: list[str], df: np.ndarray, n_docs: int) -> np.ndarray:
    if not (n_docs and vocab):
        return np.zeros(len(vocab), dtype=np.float64)
    idf_map = rank_bm25_idf(dict(zip(vocab, df.tolist())), n_docs)
    return np.asarray([idf_map[t] for t in vocab], dtype=np.float64)


def doc_norms(doc_len: np.ndarray, avgdl: float, k1: float = K1, b: float = B) -> np.ndarray:
    """Per-document part of rank-bm25's denominator, same operations in the same order."""
    return k1 * (1 - b + b * np.asarray(doc_len).astype(np.int64) / avgdl)


def posting_scores(idf: np.ndarray, tf: np.ndarray, norm: np.ndarray, k1: float = K1) -> np.ndarray:
    """What rank-bm25 adds per posting: `(idf or 0) * (q_freq * (k1 + 1) / (q_freq + norm))`,
    element by element (`idf`, `tf`, `norm` given per posting).

    The same IEEE operations in the same order, in place: numpy turns the int64 q_freq into
    float64 for each mixed operation (exact for counts), and idf * x == x * idf bit for bit."""
    q_freq = np.asarray(tf).astype(np.float64)
    out = q_freq * (k1 + 1)
    np.add(q_freq, norm, out=q_freq)
    np.divide(out, q_freq, out=out)
    np.multiply(out, idf, out=out)
    return out


class RangeScorer:
    """`posting_scores` for ranges of postings, term after term, in work arrays allocated once
    (on this kind of machine fresh memory for every range costs more than the arithmetic)."""

    def __init__(self, idf: np.ndarray, norm: np.ndarray, k1: float = K1):
        self.idf, self.norm, self.k1 = idf, norm, k1
        self._q = self._out = self._norm = np.zeros(0)

    def scores(self, t0: int, counts: np.ndarray, tf: np.ndarray, docs: np.ndarray) -> np.ndarray:
        """The scores of the postings (`tf`, `docs`) of terms t0, t0 + 1, … (`counts` each);
        a view of a work array, valid until the next call."""
        m = int(tf.shape[0])
        if m > self._q.shape[0]:
            self._q, self._out, self._norm = np.empty(m), np.empty(m), np.empty(m)
        q, out, norm = self._q[:m], self._out[:m], self._norm[:m]
        if m and (int(docs.min()) < 0 or int(docs.max()) >= self.norm.shape[0]):
            raise ValueError("a posting outside the collection")
        # posting_scores' operations, in its order
        q[...] = tf
        np.multiply(q, self.k1 + 1, out=out)
        np.take(self.norm, docs, out=norm, mode="clip")  # (bounds checked above)
        np.add(q, norm, out=q)
        np.divide(out, q, out=out)
        terms = np.flatnonzero(counts)
        if terms.shape[0] * 64 > m:  # many short lists: one product with the idf of each posting
            np.multiply(out, np.repeat(self.idf[t0 : t0 + counts.shape[0]], counts), out=out)
            return out
        ends = np.cumsum(counts).tolist()
        idf = self.idf[t0 : t0 + counts.shape[0]]
        for j in terms.tolist():  # × a term's idf: the same product as with an array of it
            lo = ends[j] - int(counts[j])
            np.multiply(out[lo : ends[j]], idf[j], out=out[lo : ends[j]])
        return out


def _postings_of_block(ids: np.ndarray, doc_len: np.ndarray, doc_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(term, doc, tf) of every posting of some documents (ascending `doc_ids`, with their
    lengths, their tokens one after another in `ids`), by term then doc.

    Token positions are sorted by term, stably (so by doc within a term: ids come doc after
    doc); runs of one (term, doc) are one posting, their length its tf."""
    size = int(ids.shape[0])
    doc_of = np.repeat(np.asarray(doc_ids, dtype=np.int64), doc_len)
    key = ids.astype(np.uint16) if size and int(ids.max()) < 1 << 16 else ids
    order = np.argsort(key, kind="stable")  # a radix sort for 16-bit keys
    t_sorted, d_sorted = ids[order], doc_of[order]
    change = np.ones(size, dtype=bool)
    if size:
        change[1:] = (t_sorted[1:] != t_sorted[:-1]) | (d_sorted[1:] != d_sorted[:-1])
    starts = np.flatnonzero(change)
    tf = np.diff(np.append(starts, size))
    return t_sorted[starts].astype(np.int64), d_sorted[starts], tf


@dataclass
class BM25Index:
    vocab: list[str]
    term_id: dict[str, int]
    postings_ptr: np.ndarray  # int64, len(vocab)+1
    postings_doc: np.ndarray  # int32, doc ids per term, ascending
    postings_tf: np.ndarray  # int32, term frequency per posting
    postings_score: np.ndarray  # float64, what the posting adds to its doc's score
    doc_len: np.ndarray  # int32
    idf: np.ndarray  # float64 per term id
    avgdl: float
    k1: float = K1
    b: float = B
    epsilon: float = EPSILON

    @property
    def size(self) -> int:
        return int(self.doc_len.shape[0])

    # -- build (in memory: the reference path and small collections) --------------------
    @classmethod
    def build(cls, docs: list[list[str]]) -> "BM25Index":
        """From token lists (the reference path; the indexer uses `PostingsBuilder`)."""
        term_id: dict[str, int] = {}
        lens = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
        ids = np.fromiter((term_id.setdefault(t, len(term_id)) for d in docs for t in d),
                          dtype=np.int64, count=int(lens.sum()))
        return cls.from_ids(ids, lens, list(term_id))[0]

    @classmethod
    def from_ids(cls, ids: np.ndarray, doc_len: np.ndarray, terms: list[str]) -> tuple["BM25Index", np.ndarray]:
        """Index of documents given as concatenated term ids (`terms[id]` is the word) and
        their lengths. Returns the index and `ids` renumbered into its vocabulary."""
        ids = np.asarray(ids, dtype=np.int64)
        doc_len = np.asarray(doc_len, dtype=np.int64)
        n, size = int(doc_len.shape[0]), int(ids.shape[0])
        # vocabulary in first-occurrence order (rank-bm25's dict order)
        first = np.full(max(len(terms), 1), size, dtype=np.int64)
        np.minimum.at(first, ids, np.arange(size, dtype=np.int64))
        present = np.flatnonzero(first < size)
        present = present[np.argsort(first[present], kind="stable")]
        remap = np.full(max(len(terms), 1), -1, dtype=np.int64)
        remap[present] = np.arange(present.size, dtype=np.int64)
        new_ids = remap[ids]
        vocab = [terms[i] for i in present.tolist()]
        v = len(vocab)
        post_term, post_doc, tf = _postings_of_block(new_ids, doc_len, np.arange(n))
        ptr = np.zeros(v + 1, dtype=np.int64)
        np.cumsum(np.bincount(post_term, minlength=v), out=ptr[1:])
        idf = idf_array(vocab, np.diff(ptr), n)
        avgdl = float(int(doc_len.sum()) / n) if n else 1.0
        avgdl = avgdl or 1.0
        score = posting_scores(idf[post_term], tf, doc_norms(doc_len, avgdl)[post_doc])
        index = cls(
            vocab=vocab,
            term_id={t: i for i, t in enumerate(vocab)},
            postings_ptr=ptr,
            postings_doc=post_doc.astype(np.int32),
            postings_tf=tf.astype(np.int32),
            postings_score=score,
            doc_len=doc_len.astype(np.int32),
            idf=idf,
            avgdl=avgdl,
        )
        return index, new_ids

    # -- score -------------------------------------------------------------------------
    def _postings(self, tid: int) -> tuple[np.ndarray, np.ndarray]:
        """(docs, what rank-bm25 adds to their scores) for one term."""
        lo, hi = int(self.postings_ptr[tid]), int(self.postings_ptr[tid + 1])
        return self.postings_doc[lo:hi], self.postings_score[lo:hi]

    def get_scores(self, query: list[str]) -> np.ndarray:
        """Scores of every document; equals rank_bm25.BM25Okapi.get_scores(query)."""
        score = np.zeros(self.size)
        for q in query:  # every occurrence, in order, as rank-bm25 does
            tid = self.term_id.get(q)
            if tid is None:
                continue  # rank-bm25 adds (0 or 0) * … = 0 for an unknown term
            docs, add = self._postings(tid)
            score[docs] += add
        return score

    def get_scores_for(self, query: list[str], docs) -> np.ndarray:
        """Scores of the given documents only; bit-identical to `get_scores(query)[docs]`
        (the same additions in the same order), at the cost of those documents: each query
        term's postings are searched for them (they are sorted by doc)."""
        # the postings' own dtype: searchsorted with another one converts every posting of the
        # term first (a copy of ~200k ids for a common word at 10×, 14× the search itself)
        docs = np.asarray(docs, dtype=self.postings_doc.dtype)
        score = np.zeros(docs.shape[0])
        if not docs.size:
            return score
        for q in query:
            tid = self.term_id.get(q)
            if tid is None:
                continue
            tdocs, add = self._postings(tid)
            if not tdocs.size:
                continue
            pos = np.minimum(np.searchsorted(tdocs, docs), tdocs.shape[0] - 1)
            hit = tdocs[pos] == docs
            score[hit] += add[pos[hit]]
        return score

    def matching_docs(self, query: list[str]) -> np.ndarray:
        """Documents that contain at least one query term (all others score 0), ascending."""
        tids = {self.term_id.get(q) for q in query} - {None}
        if not tids:
            return np.zeros(0, dtype=np.int32)
        if len(tids) == 1:
            (tid,) = tids
            return np.array(self._postings(tid)[0])
        mask = np.zeros(self.size, dtype=bool)
        for tid in tids:
            mask[self._postings(tid)[0]] = True
        return np.flatnonzero(mask).astype(np.int32)

    def docs_with_all(self, terms: list[str]) -> np.ndarray:
        """Documents that contain every one of `terms`, ascending (none for no terms)."""
        docs = None
        for t in dict.fromkeys(terms):
            d = self.matching_docs([t])
            docs = d if docs is None else np.intersect1d(docs, d, assume_unique=True)
            if not docs.size:
                break
        return docs if docs is not None else np.zeros(0, dtype=np.int32)

    def top_k(self, query: list[str], k: int, exclude: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(doc, score) of the k best documents with score > 0, ties by doc id; documents
        where the boolean mask `exclude` is set are never returned."""
        if k <= 0:
            return []
        scores = self.get_scores(query)
        if exclude is not None:
            scores[exclude] = 0.0
        docs = np.flatnonzero(scores > 0)
        if docs.size == 0:
            return []
        s = scores[docs]
        if docs.size > k:  # keep the k best and everything tied with the k-th
            kth = np.partition(s, docs.size - k)[docs.size - k]
            keep = s >= kth
            docs, s = docs[keep], s[keep]
        order = np.lexsort((docs, -s))[:k]
        return [(int(docs[i]), float(s[i])) for i in order]

    def doc_freq(self, term: str) -> int:
        tid = self.term_id.get(term)
        return 0 if tid is None else int(self.postings_ptr[tid + 1] - self.postings_ptr[tid])

    # -- persistence -------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        for name in ARRAY_FILES:
            save_array(folder / f"{name}.npy", np.asarray(getattr(self, name), dtype=_DTYPES[name]))
        _save_vocab(folder, self.vocab, self.avgdl, self.k1, self.b, self.epsilon)

    @classmethod
    def load(cls, folder: Path) -> "BM25Index":
        """Arrays memory-mapped; the vocabulary (one entry per distinct word) is decoded."""
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        params = json.loads((folder / "bm25.json").read_text(encoding="utf-8"))
        if not isinstance(vocab, list) or not isinstance(params, dict):
            raise ValueError("vocabulary or parameters damaged")
        # mapped, but as plain ndarrays: slicing a np.memmap costs a subclass round trip each time
        arrays = {name: np.asarray(load_array(folder / f"{name}.npy", (np.dtype(_DTYPES[name]),))) for name in ARRAY_FILES}
        index = cls(vocab=vocab, term_id={t: i for i, t in enumerate(vocab)}, **arrays,
                    **{k: float(params[k]) for k in ("avgdl", "k1", "b", "epsilon")})
        index.check()
        return index

    def check(self) -> None:
        """Structural checks that cost O(vocabulary), not O(postings) (a damaged file raises
        ValueError): a large file's contents are covered by the manifest's size and checksum."""
        v, n = len(self.vocab), self.size
        ptr = self.postings_ptr
        p = self.postings_doc.shape[0]
        if (ptr.ndim != 1 or ptr.shape[0] != v + 1 or self.idf.shape != (v,) or (v and int(ptr[0]) != 0)
                or int(ptr[-1]) != p or self.postings_tf.shape != (p,) or self.postings_score.shape != (p,)
                or (v and np.any(np.diff(ptr) < 0)) or len(self.term_id) != v):
            raise ValueError("inconsistent postings")
        if p and (int(self.postings_doc[0]) < 0 or int(self.postings_doc[-1]) >= n):
            raise ValueError("posting outside the collection")


class _Syncing:
    """fdatasync of some open files, again and again, in a thread, until `stop`."""

    def __init__(self, fds: list[int], every: float = 0.05):
        import threading

        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(fds, every), name="rxquote-sync", daemon=True)
        self._thread.start()

    def _run(self, fds: list[int], every: float) -> None:
        while not self._done.wait(every):
            for fd in fds:
                try:
                    os.fdatasync(fd)
                except OSError:
                    return  # not supported here: the commit's fsync does it all

    def stop(self) -> None:
        """(before the files are closed)"""
        self._done.set()
        self._thread.join()


def _write_copying(writer: NpyWriter, out: np.ndarray, runs: list[tuple[int, int, int]], old: np.ndarray) -> None:
    """Append `out` to `writer`, its parts that are runs (start in `out`, start in the
    memory-mapped `old`, length) of `old` copied from old's file by the kernel instead
    (a page-cache copy: on this kind of machine several times cheaper than writing)."""
    at = 0
    item = old.dtype.itemsize
    for start, old_start, k in runs:
        writer.write(out[at:start])
        writer.copy_from(Path(old.filename), old.offset + item * old_start, old.offset + item * (old_start + k))
        at = start + k
    writer.write(out[at:])


def _save_vocab(folder: Path, vocab: list[str], avgdl: float, k1: float = K1, b: float = B, epsilon: float = EPSILON) -> None:
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    params = {"avgdl": avgdl, "k1": k1, "b": b, "epsilon": epsilon}
    (folder / "bm25.json").write_text(json.dumps(params), encoding="utf-8")


@dataclass
class ReusedPostings:
    """A previous index's postings whose documents a rebuild keeps (renumbered): when the kept
    terms keep their relative order in the new numbering — as when a page changed without
    bringing or losing a word the rest of the collection meets first — they are already in
    (new term, new doc) order, so they are merged in as they are instead of being sorted again."""

    ptr: np.ndarray  # the previous index's postings_ptr, postings_doc, postings_tf
    doc: np.ndarray
    tf: np.ndarray
    old_to_new: np.ndarray  # new id of each old term (-1: not met again)
    doc_map: np.ndarray  # new id of each old document (-1: not kept)

    def _read(self, o0: int, o1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(old term, new doc, tf) of the kept postings of old terms [o0, o1)."""
        lo, hi = int(self.ptr[o0]), int(self.ptr[o1])
        if hi == lo:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty.astype(np.int32)
        docs = np.fromfile(self.doc.filename, dtype=np.int32, count=hi - lo, offset=self.doc.offset + 4 * lo)
        new_docs = self.doc_map[docs]
        keep = new_docs >= 0
        terms = np.repeat(np.arange(o0, o1, dtype=np.int64), np.diff(self.ptr[o0 : o1 + 1]))[keep]
        tfs = np.fromfile(self.tf.filename, dtype=np.int32, count=hi - lo, offset=self.tf.offset + 4 * lo)[keep]
        return terms, new_docs[keep], tfs

    def prepare(self, dropped: tuple[np.ndarray, np.ndarray]) -> bool:
        """Count the kept postings per term — all but those of the dropped documents, whose
        tokens are `dropped` (old term ids, and each document's length) — and say whether the
        kept terms are in the new order."""
        terms, lens = dropped
        v_old = self.ptr.shape[0] - 1
        docs = np.repeat(np.arange(lens.shape[0], dtype=np.int64), lens)
        pairs = unique(docs * max(v_old, 1) + terms)  # one posting per (document, term)
        kept = np.diff(self.ptr) - np.bincount(pairs % max(v_old, 1), minlength=v_old)
        if kept.size and int(kept.min()) < 0:
            return False  # tokens and postings disagree: let the caller count afresh
        self.kept_old = np.flatnonzero(kept)
        self.kept_new = self.old_to_new[self.kept_old]
        self.kept_count = kept[self.kept_old]
        # postings of dropped documents up to each old term: a range without any is read as is
        self.dropped = np.diff(self.ptr) - kept
        self.dropped_before = np.concatenate(([0], np.cumsum(self.dropped)))
        self.doc_map32 = self.doc_map.astype(np.int32)
        # every kept document keeps its id (a page changed without gaining or losing chunks):
        # then a term whose postings neither lost nor gained one keeps its bytes
        kept_docs = np.flatnonzero(self.doc_map >= 0)
        self.same_ids = bool(np.array_equal(self.doc_map[kept_docs], kept_docs))
        # and when the dropped documents are a few runs of ids (a few pages changed), a term's
        # dropped postings are found by binary search in its own, not by reading all through
        # the map
        gone = np.flatnonzero(self.doc_map < 0)
        cut = np.flatnonzero(np.diff(gone) > 1) + 1
        runs = [(int(r[0]), int(r[-1]) + 1) for r in np.split(gone, cut)] if gone.size else []
        self.dropped_runs = runs if self.same_ids and len(runs) <= FEW_DROPPED_RUNS else None
        self._doc = np.asarray(self.doc)
        return bool(np.all(self.kept_new >= 0) and np.all(np.diff(self.kept_new) > 0))

    def df(self, v: int) -> np.ndarray:
        df = np.zeros(v, dtype=np.int64)
        df[self.kept_new] = self.kept_count
        return df

    def kept_postings(self, t0: int, t1: int) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
        """(new doc, tf) of the kept postings of new terms [t0, t1), in order — read through
        the maps, and filtered only when the range holds postings of dropped documents —, where
        they start in the previous postings, and the dropped ones' positions from there."""
        j0, j1 = np.searchsorted(self.kept_new, [t0, t1])
        none = np.zeros(0, dtype=np.int64)
        if j0 == j1:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), 0, none
        o0, o1 = int(self.kept_old[j0]), int(self.kept_old[j1 - 1]) + 1
        lo, hi = int(self.ptr[o0]), int(self.ptr[o1])
        dropped = self.dropped_before[o1] != self.dropped_before[o0]
        if dropped and self.dropped_runs is not None:
            return self._kept_between(o0, o1, lo, hi)
        docs = np.asarray(self.doc[lo:hi]) if self.same_ids and not dropped else self.doc_map32[self.doc[lo:hi]]
        tfs = self.tf[lo:hi]
        if not dropped:
            return docs, tfs, lo, none
        gone = np.flatnonzero(docs < 0)
        keep = np.ones(docs.shape[0], dtype=bool)
        keep[gone] = False
        return docs[keep], tfs[keep], lo, gone

    def _kept_between(self, o0: int, o1: int, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
        """`kept_postings` when documents keep their ids and the dropped ones are a few runs:
        each old term that lost postings has them at one place per run (its postings are
        sorted by doc); the kept ones are the stretches in between, concatenated."""
        doc, tf, ptr = self._doc, np.asarray(self.tf), self.ptr
        cuts: list[tuple[int, int]] = []
        for o in (o0 + np.flatnonzero(self.dropped[o0:o1])).tolist():
            p, q = int(ptr[o]), int(ptr[o + 1])
            at = np.searchsorted(doc[p:q], np.asarray(self.dropped_runs, dtype=doc.dtype).reshape(-1))
            cuts.extend((p + int(i), p + int(j)) for i, j in zip(at[0::2].tolist(), at[1::2].tolist()) if i < j)
        gone_n = sum(j - i for i, j in cuts)
        if gone_n != int(self.dropped_before[o1] - self.dropped_before[o0]):
            raise ValueError("postings and dropped documents disagree")
        starts = [lo] + [j for _, j in cuts]
        stops = [i for i, _ in cuts] + [hi]
        docs = np.concatenate([doc[a:b] for a, b in zip(starts, stops)])
        tfs = np.concatenate([tf[a:b] for a, b in zip(starts, stops)])
        gone = np.concatenate([np.arange(i - lo, j - lo, dtype=np.int64) for i, j in cuts]) if cuts else np.zeros(0, dtype=np.int64)
        return docs, tfs, lo, gone

    def postings(self, t0: int, t1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(new term, new doc, tf) of the kept postings of new terms [t0, t1), in order."""
        j0, j1 = np.searchsorted(self.kept_new, [t0, t1])
        if j0 == j1:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty.astype(np.int32)
        terms, docs, tfs = self._read(int(self.kept_old[j0]), int(self.kept_old[j1 - 1]) + 1)
        return self.old_to_new[terms], docs, tfs


class PostingsBuilder:
    """BM25 postings of a collection that arrives in order, built in bounded memory.

    `add(ids, doc_len, first_doc)` takes the next documents (ids first_doc, first_doc + 1, …)
    as global term ids (numbered in first-occurrence order by the caller) and their lengths.
    Every `block_tokens` tokens, a block's postings (term, then doc) are computed and spilled
    to `spill`; `finish` concatenates each term's postings block after block (and merges a
    rebuild's `ReusedPostings` in), computes idf and each posting's score, and writes the
    arrays piece by piece."""

    def __init__(self, spill: Path, block_tokens: int = BLOCK_TOKENS, background: bool = True):
        self.spill = spill
        self.block_tokens = block_tokens
        self._ids: list[np.ndarray] = []
        self._lens: list[np.ndarray] = []
        self._docs: list[np.ndarray] = []
        self._pending = 0
        self._blocks: list[tuple[Path, Path, np.ndarray]] = []  # doc file, tf file, postings per term
        # a block is sorted by one thread while the caller goes on (numpy lets go of the GIL);
        # one block at a time, so memory stays bounded
        self._background = background
        self._thread = None
        self._running = None

    def add(self, ids: np.ndarray, doc_len: np.ndarray, first_doc: int) -> None:
        doc_len = np.asarray(doc_len, dtype=np.int64)
        self._ids.append(np.asarray(ids, dtype=np.int32))
        self._lens.append(doc_len)
        self._docs.append(np.arange(first_doc, first_doc + doc_len.shape[0], dtype=np.int64))
        self._pending += int(ids.shape[0])
        if self._pending >= self.block_tokens:
            self._flush()

    def _flush(self) -> None:
        if not self._lens:
            return
        ids = np.concatenate(self._ids) if self._ids else np.zeros(0, dtype=np.int32)
        lens, docs = np.concatenate(self._lens), np.concatenate(self._docs)
        self._ids, self._lens, self._docs, self._pending = [], [], [], 0
        k = len(self._blocks) + (self._running is not None)
        self.spill.mkdir(parents=True, exist_ok=True)
        self.drain(keep_thread=True)
        if not self._background:
            self._blocks.append(self._spill_block(ids, lens, docs, k))
            return
        if self._thread is None:
            from concurrent.futures import ThreadPoolExecutor

            self._thread = ThreadPoolExecutor(1, thread_name_prefix="rxquote-postings")
        self._running = self._thread.submit(self._spill_block, ids, lens, docs, k)

    def _spill_block(self, ids: np.ndarray, lens: np.ndarray, docs: np.ndarray, k: int) -> tuple[Path, Path, np.ndarray]:
        term, doc, tf = _postings_of_block(ids, lens, docs)
        del ids
        doc_file, tf_file = self.spill / f"block{k}_doc.bin", self.spill / f"block{k}_tf.bin"
        doc.astype(np.int32).tofile(doc_file)
        tf.astype(np.int32).tofile(tf_file)
        counts = np.bincount(term) if term.size else np.zeros(0, dtype=np.int64)
        return doc_file, tf_file, counts

    def drain(self, keep_thread: bool = False) -> None:
        """Wait for the block being sorted; without `keep_thread`, stop the thread too (before
        the caller forks: a forked process must not copy a busy thread)."""
        if self._running is not None:
            running, self._running = self._running, None
            self._blocks.append(running.result())
        if not keep_thread and self._thread is not None:
            self._thread.shutdown()
            self._thread = None

    def discard(self) -> None:
        self.drain()
        self._blocks = []
        shutil.rmtree(self.spill, ignore_errors=True)

    def finish(self, folder: Path, vocab: list[str], doc_len: np.ndarray, reused: ReusedPostings | None = None) -> BM25Index:
        """Write the index of `vocab` over documents of lengths `doc_len` (every document: the
        added ones and, in a rebuild, the kept ones of `reused`, already `prepare`d)."""
        self._flush()
        self.drain()
        v = len(vocab)
        doc_len = np.asarray(doc_len, dtype=np.int32)
        n = int(doc_len.shape[0])
        df = reused.df(v) if reused is not None else np.zeros(v, dtype=np.int64)
        for _, _, counts in self._blocks:
            if counts.shape[0] > v:
                raise ValueError("a term id outside the vocabulary")
            df[: counts.shape[0]] += counts
        ptr = np.zeros(v + 1, dtype=np.int64)
        np.cumsum(df, out=ptr[1:])
        total = int(ptr[-1])
        idf = idf_array(vocab, df, n)
        avgdl = float(int(doc_len.astype(np.int64).sum()) / n) if n else 1.0
        avgdl = avgdl or 1.0
        norm = doc_norms(doc_len, avgdl)
        scorer = RangeScorer(idf, norm)
        # each block's postings start, per term (its counts padded to the vocabulary)
        block_ptr = []
        for _, _, counts in self._blocks:
            bp = np.zeros(v + 1, dtype=np.int64)
            np.cumsum(counts, out=bp[1 : counts.shape[0] + 1])
            bp[counts.shape[0] + 1 :] = bp[counts.shape[0]]
            block_ptr.append(bp)
        writers = {name: NpyWriter(folder / f"{name}.npy", _DTYPES[name], total)
                   for name in ("postings_doc", "postings_tf", "postings_score")}
        # a range's scores are computed and written by a thread of their own while this one
        # merges the next range (numpy and file writes let go of the GIL): one range at a
        # time in flight, so memory stays bounded
        from concurrent.futures import ThreadPoolExecutor

        scoring = ThreadPoolExecutor(1, thread_name_prefix="rxquote-scores")
        pending = None
        # and what is written goes to disk meanwhile, so that the commit's fsync finds it clean
        syncing = _Syncing([w.fileno() for w in writers.values()])

        def score(t0: int, t1: int, out_tf: np.ndarray, out_doc: np.ndarray) -> None:
            writers["postings_score"].write(scorer.scores(t0, df[t0:t1], out_tf, out_doc))

        try:
            t0 = 0
            while t0 < v:
                # a range of terms holding about RANGE_POSTINGS postings (at least one term)
                t1 = max(t0 + 1, int(np.searchsorted(ptr, ptr[t0] + RANGE_POSTINGS, side="right")) - 1)
                t1 = min(t1, v)
                out_doc, out_tf, runs = self._merge_range(t0, t1, ptr, block_ptr, n, reused)
                if pending is not None:
                    pending.result()
                pending = scoring.submit(score, t0, t1, out_tf, out_doc)
                if reused is None:
                    writers["postings_doc"].write(out_doc)
                    writers["postings_tf"].write(out_tf)
                else:  # runs of the previous postings, unchanged: copied file to file
                    _write_copying(writers["postings_tf"], out_tf, runs, reused.tf)
                    _write_copying(writers["postings_doc"], out_doc, runs if reused.same_ids else [], reused.doc)
                t0 = t1
            if pending is not None:
                pending.result()
        except BaseException:
            scoring.shutdown(wait=True, cancel_futures=True)
            syncing.stop()
            for w in writers.values():
                w.abort()
            raise
        finally:
            scoring.shutdown(wait=True)
            syncing.stop()
        for w in writers.values():
            w.close()
        save_array(folder / "postings_ptr.npy", ptr)
        save_array(folder / "doc_len.npy", doc_len)
        save_array(folder / "idf.npy", idf)
        _save_vocab(folder, vocab, avgdl)
        shutil.rmtree(self.spill, ignore_errors=True)
        return BM25Index.load(folder)

    def _merge_range(self, t0: int, t1: int, ptr: np.ndarray, block_ptr: list, n: int,
                     reused: ReusedPostings | None) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, int]]]:
        """(doc, tf) of the postings of terms [t0, t1), by term then doc; and the runs of them
        that are a stretch of the previous postings (see `_insert_few`)."""
        # the added documents' postings: each block's part of the range, concatenated per term
        sizes = sum((np.diff(bp[t0 : t1 + 1]) for bp in block_ptr), np.zeros(t1 - t0, dtype=np.int64))
        m = int(sizes.sum())
        add_doc = np.empty(m, dtype=np.int32)
        add_tf = np.empty(m, dtype=np.int32)
        cursor = np.concatenate(([0], np.cumsum(sizes)[:-1]))  # where each term's next posting goes
        for (doc_file, tf_file, _), bp in zip(self._blocks, block_ptr):
            lo, hi = int(bp[t0]), int(bp[t1])
            if hi == lo:
                continue
            counts = np.diff(bp[t0 : t1 + 1])
            dest = np.repeat(cursor - (bp[t0:t1] - lo), counts) + np.arange(hi - lo, dtype=np.int64)
            # read from the spill files, not mapped: they stay out of this process's memory
            add_doc[dest] = np.fromfile(doc_file, dtype=np.int32, count=hi - lo, offset=4 * lo)
            add_tf[dest] = np.fromfile(tf_file, dtype=np.int32, count=hi - lo, offset=4 * lo)
            cursor = cursor + counts
        if reused is None:
            return add_doc, add_tf, []
        # and the kept documents' postings, merged in by (term, doc): a doc is one or the other
        total = int(ptr[t1] - ptr[t0])
        if m * FEW_ADDED <= total:  # the common rebuild: a few pages' postings among many kept
            return self._insert_few(t0, t1, ptr, sizes, add_doc, add_tf, reused)
        old_terms, old_docs, old_tfs = reused.postings(t0, t1)
        key_add = np.repeat(np.arange(t1 - t0, dtype=np.int64), sizes) * (n + 1) + add_doc
        key_old = (old_terms - t0) * (n + 1) + old_docs
        at = np.searchsorted(key_old, key_add) + np.arange(m, dtype=np.int64)
        if total != m + old_docs.shape[0]:
            raise ValueError("postings counts disagree")
        from_old = np.ones(total, dtype=bool)
        from_old[at] = False
        out_doc = np.empty(total, dtype=np.int32)
        out_tf = np.empty(total, dtype=np.int32)
        out_doc[at], out_tf[at] = add_doc, add_tf
        out_doc[from_old], out_tf[from_old] = old_docs, old_tfs
        return out_doc, out_tf, []

    def _insert_few(self, t0: int, t1: int, ptr: np.ndarray, sizes: np.ndarray, add_doc: np.ndarray,
                    add_tf: np.ndarray, reused: ReusedPostings) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, int]]]:
        """`_merge_range` when the added postings are few: the kept postings as they are read,
        each added one inserted where its (term, doc) falls, term by term. Between the places
        where a posting was dropped or inserted, the output is a stretch of the previous
        postings: those runs (start in the output, start in the previous postings, length),
        when COPY_POSTINGS long or more, go with it."""
        old_docs, old_tfs, lo, gone = reused.kept_postings(t0, t1)
        kept = np.diff(ptr[t0 : t1 + 1]) - sizes  # kept postings per term
        if int(kept.min(initial=0)) < 0 or int(kept.sum()) != old_docs.shape[0]:
            raise ValueError("postings counts disagree")
        at = np.zeros(0, dtype=np.int64)
        out_doc, out_tf = old_docs, old_tfs
        if add_doc.size:
            kept_start = np.concatenate(([0], np.cumsum(kept)))
            add_start = np.concatenate(([0], np.cumsum(sizes)))
            at = np.empty(add_doc.shape[0], dtype=np.int64)
            for j in np.flatnonzero(sizes).tolist():  # each term that gains postings
                k0, k1, a0, a1 = int(kept_start[j]), int(kept_start[j + 1]), int(add_start[j]), int(add_start[j + 1])
                at[a0:a1] = k0 + np.searchsorted(old_docs[k0:k1], add_doc[a0:a1])
            out_doc, out_tf = np.insert(old_docs, at, add_doc), np.insert(old_tfs, at, add_tf)
        # kept posting k comes from previous position lo + k + (dropped before it) and goes to
        # k + (inserted before it): the runs lie between the kept positions where either grows
        gaps = gone - np.arange(gone.shape[0])  # the kept position each dropped one preceded
        cuts = unique(np.concatenate(([0, old_docs.shape[0]], gaps, at)))
        runs = []
        for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
            if b - a >= COPY_POSTINGS:
                dropped_before = int(np.searchsorted(gaps, a, side="right"))
                inserted_before = int(np.searchsorted(at, a, side="right"))
                runs.append((a + inserted_before, lo + a + dropped_before, b - a))
        return out_doc, out_tf, runs
