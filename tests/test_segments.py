"""Chunk lines and tokens in segments (segments.py): a rebuild hard-links the segments whose
pages are all unchanged, writes only the others, and the index is still the one a full build
writes — the same chunks, tokens, answers and scores, bit for bit."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import numpy as np
import pytest

import rxquote.builder as builder_mod
from rxquote.errors import IndexProblem
from rxquote.index import build, ensure, load, read_manifest
from rxquote.layout import FileRecords
from rxquote.segments import SEGMENTS, segment_files

from .test_index_build import answers, assert_same_generation, built_synthetic, page, synthetic_corpus

SEGMENT_BYTES = 2048  # ~7 segments for the 30 synthetic pages


@pytest.fixture
def small_segments(monkeypatch):
    monkeypatch.setattr(builder_mod, "SEGMENT_BYTES", SEGMENT_BYTES)


def gen_of(index: Path) -> Path:
    return index / read_manifest(index)["generation"]


def segment_starts(gen: Path) -> list[int]:
    return np.load(gen / SEGMENTS, allow_pickle=False).tolist()


def inodes(gen: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in gen.iterdir()}


def test_a_full_build_cuts_segments_at_file_ends(tmp_path, small_segments):
    corpus, _ = built_synthetic(tmp_path, "ix")
    gen = gen_of(tmp_path / "ix")
    starts = segment_starts(gen)
    records = FileRecords.open(gen)
    file_starts = {int(lo) for lo, _ in np.asarray(records.chunks)}
    assert len(starts) - 1 >= 4  # several segments
    assert set(starts[:-1]) <= file_starts  # each begins with a page
    sizes = [(gen / segment_files(k)[0]).stat().st_size for k in range(len(starts) - 1)]
    assert all(s >= SEGMENT_BYTES for s in sizes[:-1]) and all(s < 2 * SEGMENT_BYTES for s in sizes)


def test_a_one_page_edit_links_the_other_segments_and_answers_as_a_full_build(tmp_path, small_segments):
    corpus, paths = built_synthetic(tmp_path, "inc")
    before_gen = gen_of(tmp_path / "inc")
    before, starts = inodes(before_gen), segment_starts(before_gen)
    records = FileRecords.open(before_gen)
    edited = 12
    lo = int(np.asarray(records.chunks)[records.names.find(paths[edited].name)][0])
    edited_segment = int(np.searchsorted(starts, lo, side="right")) - 1
    with open(paths[edited], "a", encoding="utf-8") as f:
        f.write("\nAn extra line about zzqsegmentword, and more nausea.\n")

    report = build(corpus, tmp_path / "inc", use_lexicon=False)

    gen = gen_of(tmp_path / "inc")
    after = inodes(gen)
    assert report.reused_files == len(paths) - 1
    # the segments before the edited one keep their number and their files (hard links) ...
    for k in range(edited_segment):
        for name in segment_files(k):
            assert after[name] == before[name], name
    # ... the edited page's segment is written anew, and every later one is linked (but a
    # small one, as the last one may be: small segments are copied, to merge again)
    assert after[segment_files(edited_segment)[0]] not in before.values()
    later = [k for k in range(edited_segment + 1, len(starts) - 1)
             if (before_gen / segment_files(k)[0]).stat().st_size >= SEGMENT_BYTES // 2]
    assert later and {before[segment_files(k)[0]] for k in later} <= set(after.values())
    assert report.linked_segments == edited_segment + len(later)
    # and the index is the one a full build writes
    build(corpus, tmp_path / "full", use_lexicon=False)
    assert_same_generation(tmp_path / "inc", tmp_path / "full", rebuilt=True)
    got, want = answers(corpus, tmp_path / "inc"), answers(corpus, tmp_path / "full")
    assert got == want and any(a["passages"] for a in got)
    text = [c.text for c in load(tmp_path / "inc").chunks(range(load(tmp_path / "inc").size))]
    assert any("zzqsegmentword" in t for t in text)


def test_segments_stay_few_when_pages_keep_being_added_and_removed(tmp_path, small_segments):
    """Small segments (pages added at the end, pages removed) are copied into their
    neighbours at the next rebuild, not linked: their number stays about size / segment."""
    corpus, paths = built_synthetic(tmp_path, "inc")
    rng = random.Random(4)
    for i in range(8):
        (corpus / f"{100 + i:03d}-late{i}.md").write_text(page(f"Late{i}", rng, [f"late{i}z"]), encoding="utf-8")
        if i % 3 == 0:
            paths[3 * i].unlink()
        build(corpus, tmp_path / "inc", use_lexicon=False)
        gen = gen_of(tmp_path / "inc")
        sizes = [(gen / segment_files(k)[0]).stat().st_size for k in range(len(segment_starts(gen)) - 1)]
        assert len(sizes) <= sum(sizes) // (SEGMENT_BYTES // 2) + 2, sizes
    build(corpus, tmp_path / "full", use_lexicon=False)
    assert_same_generation(tmp_path / "inc", tmp_path / "full", rebuilt=True)
    assert answers(corpus, tmp_path / "inc") == answers(corpus, tmp_path / "full")


@pytest.mark.parametrize("damage", ["truncated", "deleted", "not_in_checksums"])
def test_a_damaged_segment_is_detected_and_the_index_rebuilt(tmp_path, small_segments, damage):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    synthetic_corpus(corpus)
    ix = tmp_path / "ix"
    build(corpus, ix, use_lexicon=False)
    gen = gen_of(ix)
    k = (len(segment_starts(gen)) - 1) // 2
    target = gen / segment_files(k)[0]
    if damage == "truncated":
        with open(target, "r+b") as f:
            f.truncate(target.stat().st_size // 2)
    elif damage == "deleted":
        target.unlink()
    else:
        manifest = read_manifest(ix)
        del manifest["checksums"][target.name]
        (ix / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexProblem):
        load(ix)
    index, report = ensure(corpus, ix)
    assert report is not None and report.reused_files == 0  # nothing reused from a damaged generation
    build(corpus, tmp_path / "full", use_lexicon=False)
    full = load(tmp_path / "full")
    assert [c.to_dict() for c in index.iter_chunks()] == [c.to_dict() for c in full.iter_chunks()]
    for name in ("postings_ptr", "postings_doc", "postings_score"):
        assert np.array_equal(getattr(index.bm25, name), getattr(full.bm25, name)), name


def test_chunks_are_read_across_segments_in_any_order(tmp_path, small_segments):
    corpus, _ = built_synthetic(tmp_path, "ix")
    index = load(tmp_path / "ix")
    every = [c.to_dict() for c in index.iter_chunks()]
    ids = list(range(index.size))
    random.Random(2).shuffle(ids)
    assert [c.to_dict() for c in index.chunks(ids)] == [every[i] for i in ids]
    with pytest.raises(IndexError):
        index.chunks([index.size])
    assert os.path.getsize(gen_of(tmp_path / "ix") / SEGMENTS) > 0
