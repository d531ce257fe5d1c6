"""BM25Okapi over an inverted index, exact to rank-bm25.

rank-bm25 computes the statistics (its own `BM25Okapi._calc_idf` gives the idf table, with
its epsilon floor), and scoring evaluates rank-bm25's `get_scores` expression term by term,
in the same order, but only over the postings of the query's terms: a chunk without a query
term scores exactly 0 there too. So scores are bit-identical to `BM25Okapi.get_scores`
(tests/test_bm25.py checks it) while a query touches a few thousand postings instead of
every chunk.

Saved as plain arrays: `vocab.json` and `bm25.npz`-free `.npy` files (allow_pickle=False).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

K1, B, EPSILON = 1.5, 0.75, 0.25  # rank-bm25's defaults

ARRAY_FILES = ("postings_ptr", "postings_doc", "postings_tf", "doc_len", "idf")


def rank_bm25_idf(doc_freq: dict[str, int], corpus_size: int) -> dict[str, float]:
    """idf exactly as rank-bm25 computes it (its own method, not a copy of the formula)."""
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

    def __post_init__(self) -> None:
        # per-document part of rank-bm25's denominator, same operations in the same order
        self._norm = self.k1 * (1 - self.b + self.b * self.doc_len.astype(np.int64) / self.avgdl)

    @property
    def size(self) -> int:
        return int(self.doc_len.shape[0])

    # -- build -------------------------------------------------------------------------
    @classmethod
    def build(cls, docs: list[list[str]]) -> "BM25Index":
        term_id: dict[str, int] = {}
        rows_t: list[int] = []
        rows_d: list[int] = []
        rows_f: list[int] = []
        doc_freq: dict[str, int] = {}
        for d, tokens in enumerate(docs):
            counts: dict[str, int] = {}
            for t in tokens:  # first-occurrence order, as rank-bm25 builds its tables
                counts[t] = counts.get(t, 0) + 1
            for t, f in counts.items():
                tid = term_id.setdefault(t, len(term_id))
                doc_freq[t] = doc_freq.get(t, 0) + 1
                rows_t.append(tid)
                rows_d.append(d)
                rows_f.append(f)
        n = len(docs)
        vocab = list(term_id)
        t_arr = np.asarray(rows_t, dtype=np.int64)
        order = np.argsort(t_arr, kind="stable")  # by term, then doc (already ascending)
        ptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(t_arr, minlength=len(vocab)), out=ptr[1:])
        doc_len = np.asarray([len(t) for t in docs], dtype=np.int32)
        if n and len(vocab):
            idf_map = rank_bm25_idf(doc_freq, n)
            idf = np.asarray([idf_map[t] for t in vocab], dtype=np.float64)
        else:
            idf = np.zeros(len(vocab), dtype=np.float64)
        avgdl = float(int(doc_len.sum()) / n) if n else 1.0
        return cls(
            vocab=vocab,
            term_id=term_id,
            postings_ptr=ptr,
            postings_doc=np.asarray(rows_d, dtype=np.int32)[order],
            postings_tf=np.asarray(rows_f, dtype=np.int32)[order],
            doc_len=doc_len,
            idf=idf,
            avgdl=avgdl or 1.0,
        )

    # -- score -------------------------------------------------------------------------
    def get_scores(self, query: list[str]) -> np.ndarray:
        """Scores of every document; equals rank_bm25.BM25Okapi.get_scores(query)."""
        score = np.zeros(self.size)
        for q in query:
            tid = self.term_id.get(q)
            if tid is None:
                continue  # rank-bm25 adds (0 or 0) * … = 0 for an unknown term
            lo, hi = self.postings_ptr[tid], self.postings_ptr[tid + 1]
            docs = self.postings_doc[lo:hi]
            q_freq = self.postings_tf[lo:hi].astype(np.int64)
            score[docs] += self.idf[tid] * (q_freq * (self.k1 + 1) / (q_freq + self._norm[docs]))
        return score

    def matching_docs(self, query: list[str]) -> np.ndarray:
        """Documents that contain at least one query term (all others score 0)."""
        parts = []
        for q in set(query):
            tid = self.term_id.get(q)
            if tid is not None:
                parts.append(self.postings_doc[self.postings_ptr[tid] : self.postings_ptr[tid + 1]])
        if not parts:
            return np.zeros(0, dtype=np.int32)
        return np.unique(np.concatenate(parts))

    def top_k(self, query: list[str], k: int) -> list[tuple[int, float]]:
        """(doc, score) of the k best documents with score > 0, ties by doc id."""
        scores = self.get_scores(query)
        docs = self.matching_docs(query)
        if docs.size == 0:
            return []
        s = scores[docs]
        order = np.lexsort((docs, -s))[:k]
        return [(int(docs[i]), float(s[i])) for i in order if s[i] > 0]

    def doc_freq(self, term: str) -> int:
        tid = self.term_id.get(term)
        return 0 if tid is None else int(self.postings_ptr[tid + 1] - self.postings_ptr[tid])

    def doc_terms(self) -> list[dict[str, int]]:
        """Per-document term counts, recovered from the postings (for incremental builds)."""
        out: list[dict[str, int]] = [dict() for _ in range(self.size)]
        for tid, term in enumerate(self.vocab):
            lo, hi = self.postings_ptr[tid], self.postings_ptr[tid + 1]
            for d, f in zip(self.postings_doc[lo:hi].tolist(), self.postings_tf[lo:hi].tolist()):
                out[d][term] = f
        return out

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
        return cls(vocab=vocab, term_id={t: i for i, t in enumerate(vocab)}, **arrays, **params)
