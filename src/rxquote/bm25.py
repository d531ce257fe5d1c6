"""BM25Okapi over an inverted index, exact to rank-bm25.

rank-bm25 computes the statistics (its own `BM25Okapi._calc_idf` gives the idf table, with
its epsilon floor), and scoring evaluates rank-bm25's `get_scores` expression term by term,
in the same order, but only over the postings of the query's terms: a chunk without a query
term scores exactly 0 there too (rank-bm25 adds `idf * 0 / (0 + norm) = 0.0` to it). So scores
are bit-identical to `BM25Okapi.get_scores` (tests/test_fastpath.py checks it) while a query
touches a few thousand postings instead of every chunk.

Per term, the vector `idf * (tf * (k1 + 1) / (tf + norm[doc]))` over its postings is the exact
array rank-bm25 adds for that term (restricted to the documents where it is not 0); it is
computed once per term on first use and memoised, so a long-running process (batch, chat)
pays for each term once.

Building is vectorised: documents arrive as arrays of term ids; the vocabulary is put in the
order rank-bm25 first meets the words (which fixes the order of its idf sum, hence the
epsilon floor, bit for bit), and the postings are one `np.unique` over (term, doc) keys.

Saved as plain arrays: `vocab.json`, `bm25.json` and `.npy` files (allow_pickle=False).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

K1, B, EPSILON = 1.5, 0.75, 0.25  # rank-bm25's defaults

ARRAY_FILES = ("postings_ptr", "postings_doc", "postings_tf", "doc_len", "idf")


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


@dataclass
class BM25Index:
    vocab: list[str]
    term_id: dict[str, int]
    postings_ptr: np.ndarray  # int64, len(vocab)+1
    postings_doc: np.ndarray  # int32, doc ids per term, ascending
    postings_tf: np.ndarray  # int32, term frequency per posting
    doc_len: np.ndarray  # int32
    idf: np.ndarray  # float64 per term id
    avgdl: float
    k1: float = K1
    b: float = B
    epsilon: float = EPSILON
    _contrib: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # per-document part of rank-bm25's denominator, same operations in the same order
        self._norm = self.k1 * (1 - self.b + self.b * self.doc_len.astype(np.int64) / self.avgdl)

    @property
    def size(self) -> int:
        return int(self.doc_len.shape[0])

    # -- build -------------------------------------------------------------------------
    @classmethod
    def build(cls, docs: list[list[str]]) -> "BM25Index":
        """From token lists (the reference path; the indexer uses `from_ids`)."""
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
        # postings: token positions sorted by term, stably (so by doc within a term: ids are
        # doc after doc); runs of one (term, doc) are one posting, their length its tf
        doc_of = np.repeat(np.arange(n, dtype=np.int64), doc_len)
        order = np.argsort(new_ids.astype(np.uint16) if v <= 1 << 16 else new_ids, kind="stable")  # radix sort
        t_sorted, d_sorted = new_ids[order], doc_of[order]
        change = np.ones(size, dtype=bool)
        if size:
            change[1:] = (t_sorted[1:] != t_sorted[:-1]) | (d_sorted[1:] != d_sorted[:-1])
        starts = np.flatnonzero(change)
        post_term, post_doc = t_sorted[starts], d_sorted[starts]
        tf = np.diff(np.append(starts, size))
        ptr = np.zeros(v + 1, dtype=np.int64)
        np.cumsum(np.bincount(post_term, minlength=v), out=ptr[1:])
        if n and v:
            df = np.diff(ptr).tolist()
            idf_map = rank_bm25_idf(dict(zip(vocab, df)), n)
            idf = np.asarray([idf_map[t] for t in vocab], dtype=np.float64)
        else:
            idf = np.zeros(v, dtype=np.float64)
        avgdl = float(int(doc_len.sum()) / n) if n else 1.0
        index = cls(
            vocab=vocab,
            term_id={t: i for i, t in enumerate(vocab)},
            postings_ptr=ptr,
            postings_doc=post_doc.astype(np.int32),
            postings_tf=tf.astype(np.int32),
            doc_len=doc_len.astype(np.int32),
            idf=idf,
            avgdl=avgdl or 1.0,
        )
        return index, new_ids

    # -- score -------------------------------------------------------------------------
    def _term(self, tid: int) -> tuple[np.ndarray, np.ndarray]:
        """(docs, what rank-bm25 adds to their scores) for one term, memoised."""
        got = self._contrib.get(tid)
        if got is None:
            lo, hi = self.postings_ptr[tid], self.postings_ptr[tid + 1]
            docs = self.postings_doc[lo:hi]
            q_freq = self.postings_tf[lo:hi].astype(np.int64)
            # rank-bm25: (idf or 0) * (q_freq * (k1 + 1) / (q_freq + k1 * (1 - b + b * doc_len / avgdl)))
            got = (docs, self.idf[tid] * (q_freq * (self.k1 + 1) / (q_freq + self._norm[docs])))
            self._contrib[tid] = got
        return got

    def get_scores(self, query: list[str]) -> np.ndarray:
        """Scores of every document; equals rank_bm25.BM25Okapi.get_scores(query)."""
        score = np.zeros(self.size)
        for q in query:  # every occurrence, in order, as rank-bm25 does
            tid = self.term_id.get(q)
            if tid is None:
                continue  # rank-bm25 adds (0 or 0) * … = 0 for an unknown term
            docs, add = self._term(tid)
            score[docs] += add
        return score

    def matching_docs(self, query: list[str]) -> np.ndarray:
        """Documents that contain at least one query term (all others score 0), ascending."""
        tids = {self.term_id.get(q) for q in query} - {None}
        if not tids:
            return np.zeros(0, dtype=np.int32)
        if len(tids) == 1:
            (tid,) = tids
            return self.postings_doc[self.postings_ptr[tid] : self.postings_ptr[tid + 1]].copy()
        mask = np.zeros(self.size, dtype=bool)
        for tid in tids:
            mask[self.postings_doc[self.postings_ptr[tid] : self.postings_ptr[tid + 1]]] = True
        return np.flatnonzero(mask).astype(np.int32)

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
        (folder / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")
        for name in ARRAY_FILES:
            np.save(folder / f"{name}.npy", getattr(self, name), allow_pickle=False)
        params = {"avgdl": self.avgdl, "k1": self.k1, "b": self.b, "epsilon": self.epsilon}
        (folder / "bm25.json").write_text(json.dumps(params), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "BM25Index":
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        params = json.loads((folder / "bm25.json").read_text(encoding="utf-8"))
        arrays = {name: np.load(folder / f"{name}.npy", allow_pickle=False) for name in ARRAY_FILES}
        index = cls(vocab=vocab, term_id={t: i for i, t in enumerate(vocab)}, **arrays, **params)
        index.check()
        return index

    def check(self) -> None:
        """Cheap structural checks (a damaged file raises ValueError)."""
        v, n = len(self.vocab), self.size
        ptr = self.postings_ptr
        if (ptr.ndim != 1 or ptr.shape[0] != v + 1 or self.idf.shape != (v,) or ptr[0] != 0
                or ptr[-1] != self.postings_doc.shape[0] or self.postings_tf.shape != self.postings_doc.shape
                or (v and np.any(np.diff(ptr) < 0))):
            raise ValueError("inconsistent postings")
        if self.postings_doc.size and (int(self.postings_doc.min()) < 0 or int(self.postings_doc.max()) >= n):
            raise ValueError("posting outside the collection")
