"""The exact fast path (issue #5): the inverted index gives rank-bm25's own scores and top-10.

With routing off (raw question → the analyzer → `BM25Index`), the top 10 must equal a plain
`rank_bm25.BM25Okapi(chunk_tokens).get_scores(query)` full scan: same chunks, same order (ties
by chunk id), same scores. "Top 10" means the ten best chunks with a score above 0 — a chunk
sharing no query term scores 0 in both. Also: save → load keeps every score, and a rebuild
that reuses unchanged files gives the same index as a full build. No timing here: see
benchmarks/bench.py.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from rxquote.bm25 import BM25Index
from rxquote.index import build, load, stale_reason
from rxquote.layout import FileRecords
from rxquote.segments import generation_lines, generation_tokens
from rxquote.text import Analyzer

from .conftest import SHARED, SEEDS

K = 10


def full_scan_top(model: BM25Okapi, query: list[str], k: int = K) -> tuple[list[int], np.ndarray]:
    scores = model.get_scores(query)
    pos = np.flatnonzero(scores > 0)
    order = pos[np.lexsort((pos, -scores[pos]))][:k]
    return order.tolist(), scores


def assert_same_top(index: BM25Index, model: BM25Okapi, query: list[str]) -> None:
    want, ref = full_scan_top(model, query)
    got = index.top_k(query, K)
    assert [d for d, _ in got] == want, query
    assert [s for _, s in got] == ref[want].tolist(), query  # bit-identical, not just close
    assert np.array_equal(index.get_scores(query), ref), query
    # scoring only some candidates (a medicine's chunks) gives those same bits
    rng = np.random.default_rng(len(query) + index.size)
    n = index.size
    for docs in (np.arange(n), rng.choice(n, size=min(40, n), replace=False), np.zeros(0, dtype=np.int64),
                 np.flatnonzero(ref > 0), rng.integers(0, n, size=7), np.asarray(want, dtype=np.int32)):
        assert np.array_equal(index.get_scores_for(query, docs), ref[docs]), (query, docs)


def index_tokens(idx) -> list[list[str]]:
    """The chunk tokens an index was built from (the segments' tokens, ids into token_vocab.json)."""
    ids, ptr = (a.tolist() for a in generation_tokens(idx.folder))
    vocab = json.loads((idx.folder / "token_vocab.json").read_text(encoding="utf-8"))
    words = [vocab[i] for i in ids]
    return [words[ptr[d] : ptr[d + 1]] for d in range(len(ptr) - 1)]


# -- synthetic corpus: always runs ------------------------------------------------------------
WORDS = "dose tablet pain liver kidney sleep rash nausea child pregnancy alcohol food water heart blood".split()


def synthetic_docs(seed: int = 7, n: int = 300) -> list[list[str]]:
    rng = random.Random(seed)
    docs = []
    for d in range(n):
        length = rng.choice([0, 1, 3, 8, 20, 40])
        # a skewed vocabulary: common words in most docs (negative idf → epsilon floor), rare ones
        vocab = WORDS + [f"rare{d % 37}", f"uniq{d}"]
        docs.append([rng.choice(vocab[: rng.choice([2, 5, len(vocab)])]) for _ in range(length)])
    docs.append(["dose"] * 5)  # ties: identical documents
    docs.append(["dose"] * 5)
    return docs


def test_synthetic_parity_with_rank_bm25():
    docs = synthetic_docs()
    index, model = BM25Index.build(docs), BM25Okapi(docs)
    assert index.idf.tolist() == [model.idf[t] for t in index.vocab]
    rng = random.Random(1)
    queries = [["dose"], ["dose", "dose"], ["unknownword"], [], ["rare3", "uniq10", "pain"], ["tablet", "nausea", "xyz"]]
    queries += [rng.sample(WORDS + ["rare1", "uniq5", "nope"], rng.randint(1, 6)) for _ in range(200)]
    for q in queries:
        assert_same_top(index, model, q)
        assert set(index.matching_docs(q).tolist()) == {d for d, doc in enumerate(docs) if set(doc) & set(q)}


def test_postings_built_in_blocks_equal_the_reference_build(tmp_path, monkeypatch):
    """PostingsBuilder (blocks spilled to disk, merged per term) gives the very arrays of the
    in-memory reference build, each posting's score included, whatever the block sizes."""
    import rxquote.bm25 as bm25_mod

    docs = synthetic_docs(seed=5)
    ref = BM25Index.build(docs)
    ids = [[ref.term_id[t] for t in d] for d in docs]
    for block_tokens, range_postings in ((7, 5), (64, 1000), (1 << 22, 1 << 22)):
        monkeypatch.setattr(bm25_mod, "RANGE_POSTINGS", range_postings)
        folder = tmp_path / f"b{block_tokens}"
        folder.mkdir()
        builder = bm25_mod.PostingsBuilder(folder / ".spill", block_tokens)
        for lo in range(0, len(docs), 9):  # documents arrive a few at a time
            part = ids[lo : lo + 9]
            builder.add(np.asarray([t for d in part for t in d], dtype=np.int32), np.asarray([len(d) for d in part]), lo)
        got = builder.finish(folder, ref.vocab, np.asarray([len(d) for d in docs]))
        for name in bm25_mod.ARRAY_FILES:
            assert np.array_equal(getattr(got, name), getattr(ref, name)), (block_tokens, name)
        assert got.avgdl == ref.avgdl and got.vocab == ref.vocab
        assert not (folder / ".spill").exists()


def test_tiny_corpora_and_negative_idf():
    for docs in ([["a"]], [["a"], ["a"]], [["a", "b"], ["a"], ["a", "c"]], [[], ["x"]], [["x", "y"], ["y", "x"]]):
        index, model = BM25Index.build(docs), BM25Okapi(docs)
        for q in (["a"], ["b"], ["a", "c"], ["x"], ["y", "x", "y"], ["z"]):
            assert np.array_equal(index.get_scores(q), model.get_scores(q)), (docs, q)
            assert_same_top(index, model, q)


def test_save_load_keeps_scores(tmp_path):
    docs = synthetic_docs(seed=3)
    index = BM25Index.build(docs)
    index.save(tmp_path)
    again = BM25Index.load(tmp_path)
    assert again.vocab == index.vocab and again.avgdl == index.avgdl
    for q in (["dose"], ["pain", "liver", "rare2"], ["uniq4", "uniq4"], ["missing"]):
        assert np.array_equal(again.get_scores(q), index.get_scores(q))
        assert again.top_k(q, K) == index.top_k(q, K)


def test_seed_index_parity_and_reload(seed_index):
    idx = load(seed_index)
    model = BM25Okapi(index_tokens(idx))
    again = load(seed_index)
    for q in ("can I stop diazepam suddenly?", "side effects of imipramine", "how does it work", "dose for children"):
        toks = idx.analyzer.tokens(q)
        assert_same_top(idx.bm25, model, toks)
        assert np.array_equal(again.bm25.get_scores(toks), idx.bm25.get_scores(toks))


# -- rxhive: a sample of files and questions -------------------------------------------------
def rxhive_dir() -> Path:
    rx = SHARED / "corpus" / "rxhive" if SHARED else None
    if rx is None or not rx.is_dir():
        pytest.skip("../shared/corpus/rxhive is not beside this checkout (the rxhive parity test needs it)")
    return rx


def rxhive_questions(n: int) -> list[str]:
    path = SHARED / "eval" / "rxhive-templates.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    qs = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return random.Random(5).sample(qs, min(n, len(qs)))


@pytest.fixture(scope="module")
def rxhive_subset(tmp_path_factory):
    """A few hundred rxhive files (fixed sample) copied to tmp, and their index."""
    rx = rxhive_dir()
    files = sorted(p for p in rx.rglob("*") if p.is_file() and p.suffix in (".md", ".txt"))
    pick = random.Random(11).sample(files, min(300, len(files)))
    corpus = tmp_path_factory.mktemp("rxhive-subset")
    for p in pick:
        dest = corpus / p.relative_to(rx)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, dest)
    index = tmp_path_factory.mktemp("rxhive-subset-index")
    build(corpus, index, use_lexicon=False)
    return corpus, index


@pytest.mark.rxhive
def test_rxhive_top10_equals_rank_bm25_full_scan(rxhive_subset):
    corpus, index = rxhive_subset
    idx = load(index)
    model = BM25Okapi(index_tokens(idx))
    analyzer = Analyzer(idx.analyzer.stem_cache)
    questions = rxhive_questions(150)
    # plus questions made of the subset's own medicine names, so many have real matches
    names = sorted({idx.drug_of(i) for i in range(idx.size)})
    rng = random.Random(2)
    questions += [f"what are the side effects of {rng.choice(names)}?" for _ in range(30)]
    questions += [f"can I take {rng.choice(names)} with {rng.choice(names)} while pregnant?" for _ in range(20)]
    nonempty = 0
    for q in questions:
        toks = analyzer.tokens(q)  # routing off: the raw question through the analyzer
        assert_same_top(idx.bm25, model, toks)
        nonempty += bool(idx.bm25.top_k(toks, K))
    assert nonempty > len(questions) // 2


@pytest.mark.rxhive
def test_rxhive_incremental_rebuild_equals_full_build(rxhive_subset, tmp_path):
    corpus, index = rxhive_subset
    work = tmp_path / "corpus"
    shutil.copytree(corpus, work)
    files = sorted(p for p in work.rglob("*.md"))
    inc, full = tmp_path / "inc", tmp_path / "full"
    build(work, inc, use_lexicon=False)
    # change one file, add one, remove one, touch one (same bytes, new mtime)
    files[3].write_text(files[3].read_text(encoding="utf-8") + "\n### Side effects\n- Zzyzx rash, added by a test.\n", encoding="utf-8")
    (work / "zz-new.md").write_text("---\ntitle: Newdrug\n---\n### Usage\nNewdrug treats headaches.\n", encoding="utf-8")
    files[5].unlink()
    files[7].touch()
    assert stale_reason(inc, work) is not None
    report = build(work, inc, use_lexicon=False)
    assert report.reused_files == report.files - 2  # the changed and the new file were parsed
    assert stale_reason(inc, work) is None
    build(work, full, use_lexicon=False)
    a, b = load(inc), load(full)
    assert a.bm25.vocab == b.bm25.vocab
    for name in ("postings_ptr", "postings_doc", "postings_tf", "doc_len", "idf"):
        assert np.array_equal(getattr(a.bm25, name), getattr(b.bm25, name)), name
    assert a.bm25.avgdl == b.bm25.avgdl
    for name in ("drug", "title", "source", "section", "medicine_ptr", "medicine_chunks", "offsets"):
        assert np.array_equal(getattr(a.columns, name), getattr(b.columns, name)), name
    for name in ("drug_names", "title_names", "source_names", "headings", "medicine_keys"):
        assert list(getattr(a.columns, name)) == list(getattr(b.columns, name)), name
    for name in ("postings_score.npy", "term_first.npy", "doc_tokens_ptr.npy", "file_chunks.npy", "file_sha.npy"):
        assert (a.folder / name).read_bytes() == (b.folder / name).read_bytes(), name
    assert generation_lines(a.folder) == generation_lines(b.folder)
    assert index_tokens(a) == index_tokens(b)  # (ids into each one's token vocabulary)
    assert [c.to_dict() for c in a.iter_chunks()] == [c.to_dict() for c in b.iter_chunks()]
    assert a.chunk(a.size - 1) == b.chunk(b.size - 1) and a.chunk(0).id == 0
    ra, rb = FileRecords.open(a.folder), FileRecords.open(b.folder)
    assert [ra.record(i) for i in range(len(ra))] == [rb.record(i) for i in range(len(rb))]


def test_seed_rebuild_reuses_and_matches(tmp_path):
    corpus = tmp_path / "seeds"
    shutil.copytree(SEEDS, corpus)
    first = build(corpus, tmp_path / "ix", use_lexicon=False)
    again = build(corpus, tmp_path / "ix", use_lexicon=False)
    assert again.reused_files == first.files and again.chunks == first.chunks
    a = load(tmp_path / "ix")
    build(corpus, tmp_path / "fresh", use_lexicon=False)
    b = load(tmp_path / "fresh")
    assert [c.to_dict() for c in a.iter_chunks()] == [c.to_dict() for c in b.iter_chunks()]
    assert np.array_equal(a.bm25.postings_doc, b.bm25.postings_doc)


@pytest.mark.parametrize("per_term", [1, 3, 200])  # short lists (one product) and long ones (one per term)
def test_range_scorer_gives_posting_scores_bits(per_term):
    from rxquote.bm25 import RangeScorer, doc_norms, posting_scores

    rng = np.random.default_rng(per_term)
    n, v = 500, 40
    norm = doc_norms(rng.integers(0, 90, size=n), 31.7)
    idf = rng.normal(1.0, 2.0, size=v)
    scorer = RangeScorer(idf, norm)
    for t0, t1 in ((0, 10), (10, 11), (11, 40), (3, 3)):
        counts = rng.integers(0, 2 * per_term, size=t1 - t0)
        m = int(counts.sum())
        tf = rng.integers(1, 9, size=m).astype(np.int32)
        docs = rng.integers(0, n, size=m).astype(np.int32)
        want = posting_scores(np.repeat(idf[t0:t1], counts), tf, norm[docs])
        assert scorer.scores(t0, counts, tf, docs).tobytes() == want.tobytes()
    with pytest.raises(ValueError):
        scorer.scores(0, np.array([1]), np.array([1], dtype=np.int32), np.array([n], dtype=np.int32))
