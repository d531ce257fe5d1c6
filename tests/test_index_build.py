"""The streaming build (issue #13): the same index whichever way it is built.

A build in a pool of processes, a build in this process, a build with tiny postings blocks
(many blocks, merged per term) and an incremental rebuild that reuses unchanged files must all
write the same generation, file for file, as a fresh full build — including the term numbering
in first-occurrence order that rank-bm25's idf needs, when the file that first used a word
changes or disappears. (A rebuild's tokens hold the same words, as ids into the
token vocabulary it keeps from the previous generation.) And the loaded index is
memory-mapped, not decoded.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rxquote.bm25 as bm25_mod
import rxquote.builder as builder_mod
from rxquote.drugs import normalize
from rxquote.index import build, load, read_manifest, stale_reason
from rxquote.segments import generation_lines, generation_tokens

from .conftest import SEEDS, SHARED

WORDS = ("dose tablet pain liver kidney sleep rash nausea child pregnancy alcohol food water heart blood "
         "seizure dizziness headache morning evening").split()


def page(title: str, rng: random.Random, extra: list[str] = ()) -> str:
    def para(n):
        return " ".join(rng.choice(WORDS + list(extra)) for _ in range(n)).capitalize() + "."

    return (f"---\ntitle: {title}\n---\n# {title}\n### Usage\n{para(12)} {' '.join(extra)}\n### Side effects\n- {para(6)}\n- {para(5)}\n"
            f"### FAQ\n**Q: Can I take {title} with food?**\nA: {para(8)}\n")


def synthetic_corpus(folder: Path, n: int = 30, seed: int = 1) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        rare = [f"rare{i}x", f"word{i % 7}y"]  # words first met in one file, some met again later
        p = folder / f"{i:03d}-med{i}.md"
        title = f"Med{i}" if i % 5 else f"Med{i} + Med{i + 1}"
        p.write_text(page(title, rng, rare), encoding="utf-8")
        paths.append(p)
    return paths



def built_synthetic(tmp_path: Path, index_name: str, n: int = 30) -> tuple[Path, list[Path]]:
    """A synthetic corpus under tmp_path/corpus, indexed into tmp_path/index_name."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    paths = synthetic_corpus(corpus, n=n)
    build(corpus, tmp_path / index_name, use_lexicon=False)
    return corpus, paths

def generation_files(index: Path) -> dict[str, bytes]:
    """Every file of the index's generation, the chunk segments as one file of lines and one
    of tokens ("chunks.jsonl", "doc_tokens"): where segments start depends on the builds before."""
    gen = index / read_manifest(index)["generation"]
    files = {p.name: p.read_bytes() for p in sorted(gen.iterdir())
             if not p.name.startswith(("chunks-", "doc_tokens-")) and p.name != "segments.npy"}
    files["chunks.jsonl"] = generation_lines(gen)
    files["doc_tokens"] = generation_tokens(gen)[0].tobytes()
    return files


def assert_same_generation(a: Path, b: Path, rebuilt: bool = False) -> None:
    """`rebuilt`: `a` was refreshed from an older generation, whose stem memo it keeps (words
    that left the corpus included: the memo only saves stemming them again)."""
    fa, fb = generation_files(a), generation_files(b)
    assert sorted(fa) == sorted(fb)
    differ = [name for name in fa if fa[name] != fb[name]]
    if rebuilt and "stems.json" in differ:
        differ.remove("stems.json")
        stems_a, stems_b = json.loads(fa["stems.json"]), json.loads(fb["stems.json"])
        assert stems_a.items() >= stems_b.items()
    if rebuilt:  # the tokens are the same words, ids into the token vocabulary a rebuild keeps
        for name in ("doc_tokens", "token_vocab.json"):
            if name in differ:
                differ.remove(name)
        assert tokens_as_words(a) == tokens_as_words(b)
        vocab_a, vocab_b = json.loads(fa["token_vocab.json"]), json.loads(fb["token_vocab.json"])
        assert vocab_a[: len(vocab_b)] == vocab_b or set(vocab_a) >= set(vocab_b)
    assert not differ, differ


def tokens_as_words(index: Path) -> list[str]:
    gen = index / read_manifest(index)["generation"]
    vocab = json.loads((gen / "token_vocab.json").read_text(encoding="utf-8"))
    return [vocab[i] for i in generation_tokens(gen)[0].tolist()]


@pytest.fixture
def small_blocks(monkeypatch):
    """Postings in blocks of 64 tokens, merged 100 postings at a time, chunk lines in segments
    of 2 KB: many of each (and a rebuild copies even the shortest run of unchanged postings
    from the previous files, and links every unchanged segment of 1 KB or more)."""
    monkeypatch.setattr(builder_mod, "BLOCK_TOKENS", 64)
    monkeypatch.setattr(builder_mod, "SEGMENT_BYTES", 2048)
    monkeypatch.setattr(bm25_mod, "RANGE_POSTINGS", 100)
    monkeypatch.setattr(bm25_mod, "COPY_POSTINGS", 1)


@pytest.mark.parametrize("threads", [1, 2])
def test_pool_and_in_process_builds_are_identical(tmp_path, monkeypatch, threads):
    """threads=2: as when the chat builds from a worker thread, the pool spawns its workers
    (fresh interpreters) instead of forking."""
    import threading

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    synthetic_corpus(corpus, n=60)
    shutil.copy(next(p for p in SEEDS.iterdir() if p.is_file()), corpus / "seed.txt")
    build(corpus, tmp_path / "here", use_lexicon=False, workers=1)
    monkeypatch.setattr(threading, "active_count", lambda: threads)
    build(corpus, tmp_path / "pool", use_lexicon=False, workers=2)
    assert_same_generation(tmp_path / "pool", tmp_path / "here")


def test_small_blocks_give_the_same_index(tmp_path, monkeypatch):
    corpus, _ = built_synthetic(tmp_path, "big")
    monkeypatch.setattr(builder_mod, "BLOCK_TOKENS", 50)
    monkeypatch.setattr(bm25_mod, "RANGE_POSTINGS", 37)
    build(corpus, tmp_path / "small", use_lexicon=False)
    assert_same_generation(tmp_path / "big", tmp_path / "small")
    spill = [p for p in (tmp_path / "small").rglob("*") if "spill" in p.name or p.suffix == ".bin"]
    assert not spill  # the blocks are gone once merged


EDITS = ("rewrite", "remove", "add_first", "add_middle", "touch", "empty")


def apply_edit(kind: str, paths: list[Path], i: int, rng: random.Random) -> None:
    p = paths[i % len(paths)]
    if not p.exists():
        return
    if kind == "rewrite":  # its own words gone: words it met first are now first met later
        p.write_text(page(f"Changed{i}", rng, ["brandnew"]), encoding="utf-8")
    elif kind == "remove":
        p.unlink()
    elif kind == "add_first":
        (p.parent / f"000-aaa{i}.md").write_text(page(f"First{i}", rng, [f"early{i}"]), encoding="utf-8")
    elif kind == "add_middle":
        (p.parent / f"{p.stem}-b.md").write_text(page(f"Middle{i}", rng, ["rare3x", f"mid{i}"]), encoding="utf-8")
    elif kind == "touch":
        p.touch()
    elif kind == "empty":
        p.write_text("", encoding="utf-8")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 29)), min_size=1, max_size=4),
       seed=st.integers(0, 1000))
def test_incremental_rebuild_equals_full_build(tmp_path_factory, small_blocks, edits, seed):
    tmp = tmp_path_factory.mktemp("inc")
    corpus = tmp / "corpus"
    corpus.mkdir()
    paths = synthetic_corpus(corpus, seed=seed)
    build(corpus, tmp / "inc", use_lexicon=False)
    before = {p.name: p.read_bytes() for p in corpus.iterdir()}
    rng = random.Random(seed)
    for kind, i in edits:
        apply_edit(kind, paths, i, rng)
    unchanged = sum(before.get(p.name) == p.read_bytes() for p in corpus.iterdir())
    report = build(corpus, tmp / "inc", use_lexicon=False)
    assert report.reused_files == unchanged  # every unchanged file reused (no fallback to a full parse)
    assert stale_reason(tmp / "inc", corpus) is None
    build(corpus, tmp / "full", use_lexicon=False)
    assert_same_generation(tmp / "inc", tmp / "full", rebuilt=True)


def test_first_file_changed_renumbers_like_a_full_build(tmp_path, small_blocks):
    """The first page loses the words it introduced; they are first met in later pages."""
    corpus, paths = built_synthetic(tmp_path, "inc")
    before = load(tmp_path / "inc").bm25.vocab
    paths[0].write_text(page("Other", random.Random(9), ["zzznew"]), encoding="utf-8")
    report = build(corpus, tmp_path / "inc", use_lexicon=False)
    assert report.reused_files == len(paths) - 1
    assert not report.reused_postings  # "word0y" is now first met after words that came after it
    after = load(tmp_path / "inc").bm25.vocab
    assert "zzznew" in after and after != before
    build(corpus, tmp_path / "full", use_lexicon=False)
    assert_same_generation(tmp_path / "inc", tmp_path / "full", rebuilt=True)


def test_a_page_edited_without_new_words_keeps_the_other_postings(tmp_path, small_blocks):
    """The common edit: the postings of every other page are merged in as they were, not
    sorted again — and the index is still the one a full build writes."""
    corpus, paths = built_synthetic(tmp_path, "inc")
    with open(paths[12], "a", encoding="utf-8") as f:
        f.write("\n- More nausea and dizziness in the morning.\n")
    (corpus / "020-med20-b.md").write_text(page("Med20b", random.Random(3), ["zzzbrandnew"]), encoding="utf-8")
    report = build(corpus, tmp_path / "inc", use_lexicon=False)
    assert report.reused_files == len(paths) - 1 and report.reused_postings
    build(corpus, tmp_path / "full", use_lexicon=False)
    assert_same_generation(tmp_path / "inc", tmp_path / "full", rebuilt=True)


def test_loaded_index_is_mapped_not_decoded(seed_index):
    idx = load(seed_index)
    table = idx.drugs  # its alias table is read by offset; what it would compute on first use is stored
    assert table.max_alias_words == max(len(a.split()) for a in table.aliases)
    assert table.aliases.get("diazepam") == ["Diazepam"] and "no such name" not in table.aliases
    for arr in (idx.bm25.postings_doc, idx.bm25.postings_score, idx.columns.drug, idx.columns.offsets,
                idx.columns.medicine_chunks):
        assert isinstance(arr, np.memmap) or isinstance(arr.base, np.memmap), type(arr)  # a view of the file
        assert not arr.flags.writeable and not arr.flags.owndata


def old_engine_parts(idx) -> dict[str, np.ndarray]:
    """What Engine.__init__ computed at every start before #13 (its code, on the columns)."""
    from rxquote.corpus import split_ingredients
    from rxquote.drugs import normalize

    drug_col, title_col = np.asarray(idx.columns.drug), np.asarray(idx.columns.title)
    drug_names, title_names = list(idx.columns.drug_names), list(idx.columns.title_names)
    parts: dict[str, list] = {}
    drug_id = {name: i for i, name in enumerate(drug_names)}
    for d, name in enumerate(drug_names):
        parts.setdefault(normalize(name), []).append(np.flatnonzero(drug_col == d))
    for t, title in enumerate(title_names):
        if " + " not in title:
            continue
        ids = np.flatnonzero(title_col == t)
        shared = ids[drug_col[ids] == drug_id[title]] if title in drug_id else ids[:0]
        for ing in split_ingredients(title):
            parts.setdefault(normalize(ing), []).append(shared)
    return {k: np.unique(np.concatenate(v)) for k, v in parts.items()}


def check_chunks_about(idx) -> None:
    parts = old_engine_parts(idx)
    assert list(idx.columns.medicine_keys) == sorted(parts)
    for key, want in parts.items():
        assert idx.knows(key)
        assert idx.chunks_about(key).tolist() == want.tolist(), key
    for name in list(idx.columns.drug_names)[:50]:  # any spelling with the same normal form
        assert idx.chunks_about(name.upper()).tolist() == parts[normalize(name)].tolist()
    assert not idx.knows("no such medicine") and idx.chunks_about("no such medicine").size == 0
    assert idx.medicines() == sorted(set(idx.columns.drug_names), key=lambda n: (n.lower(), n))


def test_chunks_about_matches_the_engine_it_replaces(seed_index, tmp_path):
    check_chunks_about(load(seed_index))
    corpus, _ = built_synthetic(tmp_path, "ix")
    check_chunks_about(load(tmp_path / "ix"))


@pytest.mark.rxhive
def test_chunks_about_on_rxhive_sample(tmp_path):
    rx = SHARED / "corpus" / "rxhive" if SHARED else None
    if rx is None or not rx.is_dir():
        pytest.skip("../shared/corpus/rxhive is not beside this checkout")
    corpus = tmp_path / "corpus"
    for p in sorted(rx.rglob("*.md"))[::25]:  # ~260 pages, combinations among them
        dest = corpus / p.relative_to(rx)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, dest)
    build(corpus, tmp_path / "ix", use_lexicon=False)
    check_chunks_about(load(tmp_path / "ix"))


@pytest.mark.parametrize("part", ["save_drug_table", "save_file_records"])  # each forked part
def test_a_failure_while_writing_names_fails_the_build_and_keeps_the_index(tmp_path, monkeypatch, part):
    """The name tables are written beside the postings (in a forked process when possible):
    their failure must fail the build like any other, leaving the previous index current."""
    corpus, paths = built_synthetic(tmp_path, "ix", n=8)
    before = read_manifest(tmp_path / "ix")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(builder_mod, part, boom)
    paths[2].write_text(page("Renamed", random.Random(2)), encoding="utf-8")  # new medicines: a new table
    with pytest.raises((OSError, RuntimeError), match="No space left"):
        build(corpus, tmp_path / "ix", use_lexicon=False)
    assert read_manifest(tmp_path / "ix") == before
    assert not list((tmp_path / "ix").glob(".gen-*.tmp"))
    assert load(tmp_path / "ix").size > 0


def test_a_large_corpus_is_checked_by_folders_and_each_quoted_file(tmp_path, monkeypatch):
    """Above FULL_CHECK_FILES files, opening checks the folders only (a file added, removed or
    renamed changes its folder), and a file rewritten in place is caught when it is quoted:
    the quote is refused, the index marked stale, and the next open rebuilds it."""
    import rxquote.index as index_mod
    from rxquote.index import StaleIndexError, ensure

    monkeypatch.setattr(index_mod, "FULL_CHECK_FILES", 5)
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    paths = synthetic_corpus(corpus, n=8)
    moved = corpus / "sub" / paths[7].name
    paths[7].rename(moved)
    ix = tmp_path / "ix"
    build(corpus, ix, use_lexicon=False)
    idx, report = ensure(corpus, ix)
    assert report is None and idx.corpus == corpus

    changed = paths[3]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nAppended in place.\n", encoding="utf-8")
    idx, report = ensure(corpus, ix)
    assert report is None  # its folder did not change: not noticed yet
    mine = [i for i in range(idx.size) if idx.source_of(i) == changed.name]
    others = [i for i in range(idx.size) if idx.source_of(i) != changed.name]
    assert len(idx.chunks(others)) == len(others)  # unchanged files are quoted as before
    with pytest.raises(StaleIndexError, match=changed.name):
        idx.chunks(mine[:1])
    assert stale_reason(ix, corpus, every_file=False) is not None  # marked
    idx, report = ensure(corpus, ix)
    assert report is not None and report.reused_files == 7  # rebuilt, the changed file re-read
    assert idx.chunks([i for i in range(idx.size) if idx.source_of(i) == changed.name])

    (corpus / "sub" / "added.md").write_text(page("Added", random.Random(4)), encoding="utf-8")
    _, report = ensure(corpus, ix)
    assert report is not None and report.files == 9  # a new file changes its folder

    moved.write_text(moved.read_text(encoding="utf-8") + "\nAgain.\n", encoding="utf-8")
    assert stale_reason(ix, corpus, every_file=False) is None
    assert stale_reason(ix, corpus) == f"sub/{moved.name} changed"  # `rxquote index` checks every file


def test_a_batch_is_the_same_whatever_its_worker_parsed_before(tmp_path):
    """Workers code words with one memo for their whole life: a batch's terms (first-occurrence
    order), token ids and chunk lengths must not depend on what the worker saw earlier, and
    must be the analyzer's tokens of each chunk."""
    from rxquote.corpus import scan_corpus
    from rxquote.text import Analyzer, TermCoder

    (tmp_path / "c").mkdir()
    synthetic_corpus(tmp_path / "c", n=12)
    files = scan_corpus(tmp_path / "c").files
    first, later = tuple(files[:6]), tuple(files[6:])
    seasoned = TermCoder(Analyzer())
    builder_mod.parse_files(later, seasoned)
    a = builder_mod.parse_files(first, TermCoder(Analyzer()))
    b = builder_mod.parse_files(first, seasoned)
    assert a == b
    # the reference: each chunk's tokens, numbered in order of first occurrence
    analyzer, numbering, expected_ids, expected_lens = Analyzer(), {}, [], []
    lines = a.lines.decode("utf-8").splitlines()
    headings = a.headings.decode("utf-8").split("\0")[:-1]
    for line, heading, section in zip(lines, headings, a.sections):
        text = json.loads(line)[2]
        toks = analyzer.tokens(f"{heading}\n{text}" if section == builder_mod.SECTION_ID["faq"] else text)
        expected_ids += [numbering.setdefault(t, len(numbering)) for t in toks]
        expected_lens.append(len(toks))
    assert list(a.vocab) == list(numbering)
    assert np.frombuffer(a.ids, dtype=np.int32).tolist() == expected_ids
    assert np.frombuffer(a.doc_len, dtype=np.int64).tolist() == expected_lens


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80), st.integers(1, 10**6), st.integers(1, 10**6))
def test_chunk_line_is_the_json_of_span_and_text(text, start, end):
    from types import SimpleNamespace

    line = builder_mod.chunk_line(SimpleNamespace(start_line=start, end_line=end, text=text))
    assert line == (json.dumps([start, end, text], ensure_ascii=False) + "\n").encode("utf-8")


@given(st.lists(st.integers(-(2**40), 2**40), max_size=200))
def test_unique_is_numpys(values):
    from rxquote.store import unique

    a = np.asarray(values, dtype=np.int64)
    assert np.array_equal(unique(a), np.unique(a))


def test_the_same_corpus_gives_the_same_index_whatever_the_hash_seed(tmp_path):
    # sets and dicts iterate in string-hash order: every file of a generation must not
    import hashlib
    import os
    import subprocess
    import sys

    def digests(seed: str) -> dict[str, str]:
        out = tmp_path / f"idx{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "rxquote", "index", "--corpus", str(SEEDS), "--index", str(out)],
                       env=env, check=True, capture_output=True, timeout=300)
        gen = next(p for p in out.iterdir() if p.is_dir())
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in gen.iterdir() if p.is_file()}

    first, second = digests("1"), digests("2")
    assert first.keys() == second.keys() and len(first) > 10
    assert [name for name in first if first[name] != second[name]] == []


QUESTIONS = ("what is med12 used for?", "side effects of med3", "can I take med20 with food?", "nausea in the morning",
             "is med5 safe in pregnancy?", "dizziness and headache at night")


def answers(corpus: Path, index: Path) -> list[dict]:
    """Every question's answer, passages with their exact scores (as `ask --json` gives them)."""
    from rxquote.answer import Engine

    engine = Engine.open(corpus, index)
    return [engine.ask(q, top_k=10).to_json() for q in QUESTIONS]


def test_a_line_appended_copies_the_unchanged_postings_and_answers_as_a_full_build(tmp_path, small_blocks, monkeypatch):
    """The benchmark's edit (a line appended to one page, the same chunks): the other pages'
    tokens, headings and postings are copied from the previous files, not written again, and
    the rebuilt index is the one a full build writes — the same answers, scores bit for bit."""
    from rxquote.store import NpyWriter

    corpus, paths = built_synthetic(tmp_path, "inc")
    with open(paths[12], "a", encoding="utf-8") as f:
        f.write("\nAn extra line about zzqbenchword, added by the benchmark.\n")
    copied: list[str] = []
    real = NpyWriter.copy_from

    def spy(self, src, start, stop):
        copied.append(Path(src).name)
        return real(self, src, start, stop)

    monkeypatch.setattr(NpyWriter, "copy_from", spy)
    report = build(corpus, tmp_path / "inc", use_lexicon=False)
    assert report.reused_files == len(paths) - 1 and report.reused_postings
    assert {"postings_doc.npy", "postings_tf.npy", "headings.npy"} <= set(copied)
    assert report.linked_segments and any(name.startswith("doc_tokens-") for name in copied)  # (the changed page's)
    build(corpus, tmp_path / "full", use_lexicon=False)
    assert_same_generation(tmp_path / "inc", tmp_path / "full", rebuilt=True)
    got, want = answers(corpus, tmp_path / "inc"), answers(corpus, tmp_path / "full")
    assert got == want and any(a["passages"] for a in got)


class Interrupted(BaseException):
    pass


@pytest.mark.parametrize("where", ["scores", "tokens", "commit"])
def test_an_interrupted_rebuild_leaves_the_previous_index_usable(tmp_path, small_blocks, monkeypatch, where):
    """Stopped while scoring postings, while copying tokens, or while syncing the files (^C, a
    crash): the previous generation stays current and whole (its files, some of which the
    new one shares as hard links, unchanged), and the next build finishes the job."""
    import rxquote.bm25 as bm25_mod
    from rxquote.store import NpyWriter

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    paths = synthetic_corpus(corpus)
    ix = tmp_path / "ix"
    build(corpus, ix, use_lexicon=False)
    before, files_before = read_manifest(ix), generation_files(ix)
    tokens = [["nausea"], ["med12", "usag"], ["dizzi", "morn", "pain"]]
    scores_before = [load(ix).bm25.get_scores(q) for q in tokens]
    with open(paths[12], "a", encoding="utf-8") as f:
        f.write("\nAn extra line about zzqbenchword.\n")

    def stop(*args, **kwargs):
        raise Interrupted()

    target = {"scores": (bm25_mod.RangeScorer, "scores"), "tokens": (NpyWriter, "copy_from"),
              "commit": (os, "fsync")}[where]
    with monkeypatch.context() as m:
        m.setattr(*target, stop)
        with pytest.raises(Interrupted):
            build(corpus, ix, use_lexicon=False)
    assert read_manifest(ix) == before
    assert generation_files(ix) == files_before
    assert not list(ix.glob(".gen-*.tmp"))
    idx = load(ix)  # checked: sizes, mtimes, small files' hashes
    assert all(np.array_equal(idx.bm25.get_scores(q), s) for q, s in zip(tokens, scores_before))
    report = build(corpus, ix, use_lexicon=False)
    assert report.reused_files == len(paths) - 1
    build(corpus, tmp_path / "full", use_lexicon=False)
    assert_same_generation(ix, tmp_path / "full", rebuilt=True)


def test_a_rebuild_links_the_name_table_of_the_same_medicines(tmp_path):
    """A page edited without a new medicine: the medicine-name table files are the previous
    generation's own (hard links: nothing written), and both generations still load."""
    from rxquote.layout import DRUG_TABLE_FILES

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    paths = synthetic_corpus(corpus, n=8)
    ix = tmp_path / "ix"
    build(corpus, ix, use_lexicon=False)
    old_gen = ix / read_manifest(ix)["generation"]
    with open(paths[3], "a", encoding="utf-8") as f:
        f.write("\n- Rash.\n")
    build(corpus, ix, use_lexicon=False)
    new_gen = ix / read_manifest(ix)["generation"]
    assert new_gen != old_gen and old_gen.is_dir()  # the previous generation is kept one round
    for name in DRUG_TABLE_FILES:
        assert (new_gen / name).stat().st_ino == (old_gen / name).stat().st_ino, name
    assert load(ix).size > 0


def test_large_index_files_are_checked_by_size_and_mtime(tmp_path, monkeypatch):
    """Files of ALWAYS_HASH_BYTES or more are not hashed at build time: their size and mtime
    are their check, so one whose mtime moved is damaged (rebuilt), even with the same bytes;
    a small file whose mtime moved is hashed, and kept when its bytes are the same."""
    import os as os_

    import rxquote.index as index_mod
    from rxquote.errors import IndexProblem
    from rxquote.index import ensure

    monkeypatch.setattr(index_mod, "ALWAYS_HASH_BYTES", 2048)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    synthetic_corpus(corpus, n=8)
    ix = tmp_path / "ix"
    build(corpus, ix, use_lexicon=False)
    checksums = read_manifest(ix)["checksums"]
    large = sorted(name for name, (size, _, _) in checksums.items() if size >= 2048)
    small = sorted(name for name, (size, _, _) in checksums.items() if size < 2048)
    assert large and small
    assert all(checksums[n][1] == "" for n in large) and all(len(checksums[n][1]) == 64 for n in small)
    gen = ix / read_manifest(ix)["generation"]
    st = (gen / small[0]).stat()
    os_.utime(gen / small[0], ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    load(ix)  # the same bytes: kept
    st = (gen / large[0]).stat()
    os_.utime(gen / large[0], ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    with pytest.raises(IndexProblem):
        load(ix)
    _, report = ensure(corpus, ix)
    assert report is not None  # rebuilt
    load(ix)


def test_the_progress_bar_and_the_builder_name_the_same_fork_safe_mark():
    from rxquote import builder, progress

    assert builder.FORK_SAFE == progress.FORK_SAFE


def test_the_progress_bars_drawing_thread_lets_a_build_fork():
    """`rxquote index` draws its bar from a thread of rich's: marked, it does not stop the
    build from forking (the name tables beside the postings, the parse pool) as a thread of
    the chat would."""
    import threading

    from rxquote.progress import FORK_SAFE, progress_bar

    before = set(threading.enumerate())
    with progress_bar(True) as update:
        update("parse", 1, 2)
        drawing = set(threading.enumerate()) - before
        assert drawing and all(getattr(t, FORK_SAFE, False) for t in drawing)


def _note(path: Path, what: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"{what} {os.getpid()}\n")


@pytest.mark.parametrize("fork", [True, False])
def test_a_parallel_part_prepares_then_runs_its_task_with_the_arguments_it_is_given(tmp_path, monkeypatch, fork):
    """The name table's process is forked before the parse: it prepares at once, and runs its
    task when the parse has found the medicines; a process that may not fork does both itself."""
    if not fork:
        monkeypatch.setattr(builder_mod, "_can_fork", lambda: False)
    log = tmp_path / "log"
    part = builder_mod._Parallel(lambda meds, stems: _note(log, f"task {','.join(meds)} {len(stems)}"),
                                 prepare=lambda: _note(log, "prepare"))
    with pytest.raises(RuntimeError, match="before it was started"):
        part.wait()
    part.start(["Aspirin", "Codeine"], {"aspirin": "aspirin"})
    part.wait()
    lines = log.read_text(encoding="utf-8").splitlines()
    assert [line.rsplit(" ", 1)[0] for line in lines] == ["prepare", "task Aspirin,Codeine 1"]
    pids = {int(line.rsplit(" ", 1)[1]) for line in lines}
    assert len(pids) == 1 and (pids != {os.getpid()}) == fork


def test_a_parallel_part_given_up_before_its_turn_never_runs_its_task(tmp_path):
    log = tmp_path / "log"
    part = builder_mod._Parallel(lambda: _note(log, "task"), prepare=lambda: _note(log, "prepare"))
    part.cancel()
    assert part.proc is None or not part.proc.is_alive()
    assert "task" not in (log.read_text(encoding="utf-8") if log.exists() else "")


def test_the_name_sources_are_read_during_a_full_build_not_for_a_rebuild_of_the_same_medicines(tmp_path, monkeypatch):
    import rxquote.index as index_mod

    log = tmp_path / "log"
    monkeypatch.setattr(index_mod, "load_name_sources", lambda use_lexicon: _note(log, "sources"))
    corpus, paths = built_synthetic(tmp_path, "ix", n=8)
    assert log.read_text(encoding="utf-8").startswith("sources")
    log.unlink()
    with open(paths[3], "a", encoding="utf-8") as f:
        f.write("\nOne more line.\n")  # the same medicines: the table is linked, nothing to read
    report = build(corpus, tmp_path / "ix", use_lexicon=False)
    assert report.reused_files == 7 and not log.exists()


def test_a_parallel_part_whose_preparation_fails_says_why_when_waited_for(tmp_path):
    def fail() -> None:
        raise OSError(5, "the lexicon cache could not be read")

    part = builder_mod._Parallel(lambda *args: None, prepare=fail)
    if part.proc is not None:
        part.proc.join()  # (gone before it is given its arguments)
    with pytest.raises((OSError, RuntimeError), match="could not be read"):
        part.start(["Aspirin"], {}).wait()
