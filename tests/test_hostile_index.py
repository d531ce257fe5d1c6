"""Issue #7, a damaged index: missing, truncated, garbage, older format, another version,
half-written (a .tmp generation or manifest left behind, a manifest pointing at a missing
generation), pickles planted, concurrent and killed builds → detected and rebuilt (or refused
with a one-line message); the index is plain data only.

Rebuilds in-process use the medicine table without the lexicon (monkeypatched) so that each
takes a fraction of a second; the detection logic under test is the same.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import rxquote.index as index_mod
from rxquote.answer import Engine
from rxquote.bm25 import PostingsBuilder
from rxquote.index import FORMAT_VERSION, MANIFEST, IndexProblem, build, ensure, load, read_manifest, stale_reason

from .conftest import SEEDS
from .test_hostile_common import TIMEOUT, assert_one_line_error, check_answer, check_answer_obj, rxquote

QUESTION = "can I stop diazepam suddenly?"


@pytest.fixture
def fast_tables(monkeypatch):
    """build_table without the lexicon: the same index shape, seconds faster."""
    real = index_mod.build_table
    monkeypatch.setattr(index_mod, "build_table", lambda medicines, use_lexicon=True, **kw: real(medicines, use_lexicon=False, **kw))


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("index-template") / "index"
    build(SEEDS, folder, use_lexicon=False)
    return folder


@pytest.fixture
def copy(template, tmp_path):
    def make(name: str = "index") -> Path:
        dest = tmp_path / name
        shutil.copytree(template, dest)  # copy2: sizes and mtimes kept
        return dest
    return make


def gen_dir(index: Path) -> Path:
    return index / read_manifest(index)["generation"]


def edit_manifest(index: Path, **changes) -> None:
    m = json.loads((index / MANIFEST).read_text())
    for k, v in changes.items():
        if v is KeyError:
            m.pop(k, None)
        else:
            m[k] = v
    (index / MANIFEST).write_text(json.dumps(m))


def assert_plain_data(index: Path) -> None:
    """No pickle: no pickle files anywhere; in the current generation every .npy loads with
    allow_pickle=False and every JSON parses. (The previous generation is kept one round for
    readers, damaged or not, and is never loaded again.)"""
    for p in index.rglob("*"):
        assert p.suffix not in (".pkl", ".pickle", ".joblib", ".dill", ".npz"), p
    current = [index / MANIFEST, *gen_dir(index).iterdir()]
    for p in current:
        if p.suffix == ".npy":
            arr = np.load(p, allow_pickle=False)
            assert arr.dtype != object and arr.dtype.hasobject is False, p
        elif p.suffix == ".json":
            json.loads(p.read_text(encoding="utf-8"))
        elif p.suffix == ".jsonl":
            for line in p.read_text(encoding="utf-8").splitlines():
                json.loads(line)


def assert_healthy(index: Path) -> None:
    assert stale_reason(index, SEEDS) is None
    idx = load(index, verify=True)
    assert idx.size > 0
    assert_plain_data(index)
    assert not list(index.glob(".gen-*.tmp")), "a fresh build leaves no temporary generation"


def assert_rebuilt_and_answers(index: Path) -> None:
    engine = Engine.open(SEEDS, index)
    a = engine.ask(QUESTION)
    assert a.status == "answered" and a.passages[0].section == "faq", a
    check_answer_obj(a, SEEDS)
    assert_healthy(index)


def _garbage(p: Path) -> None:
    p.write_bytes(os.urandom(max(16, p.stat().st_size)))


def _same_size_garbage(p: Path) -> None:
    st = p.stat()
    p.write_bytes(bytes((b + 1) % 256 for b in p.read_bytes()))
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))  # even with the old mtime


def _truncate(p: Path) -> None:
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


DAMAGE = {
    "folder_missing": lambda ix: shutil.rmtree(ix),
    "folder_empty": lambda ix: [shutil.rmtree(p) if p.is_dir() else p.unlink() for p in list(ix.iterdir())],
    "manifest_missing": lambda ix: (ix / MANIFEST).unlink(),
    "manifest_empty": lambda ix: (ix / MANIFEST).write_bytes(b""),
    "manifest_garbage": lambda ix: (ix / MANIFEST).write_bytes(b"\x00\xff garbage \x80" * 50),
    "manifest_truncated": lambda ix: _truncate(ix / MANIFEST),
    "manifest_a_list": lambda ix: (ix / MANIFEST).write_text("[1, 2, 3]"),
    "manifest_deeply_nested": lambda ix: (ix / MANIFEST).write_text("[" * 100_000 + "]" * 100_000),
    "manifest_is_a_folder_of_junk": lambda ix: ((ix / MANIFEST).unlink(), (ix / MANIFEST).mkdir(), (ix / MANIFEST / "x").write_text("x")),
    "format_older": lambda ix: edit_manifest(ix, format=FORMAT_VERSION - 1),
    "format_newer": lambda ix: edit_manifest(ix, format=FORMAT_VERSION + 1),
    "format_missing": lambda ix: edit_manifest(ix, format=KeyError),
    "tokenizer_changed": lambda ix: edit_manifest(ix, tokenizer={"stemmer": "something else"}),
    "other_corpus": lambda ix: edit_manifest(ix, corpus="/elsewhere"),
    "generation_missing": lambda ix: shutil.rmtree(gen_dir(ix)),
    "generation_points_nowhere": lambda ix: edit_manifest(ix, generation="gen-20000101000000-deadbeef"),
    "generation_escapes_folder": lambda ix: edit_manifest(ix, generation="gen-x/../../.."),
    "generation_not_a_string": lambda ix: edit_manifest(ix, generation=["gen-x"]),
    "checksums_missing": lambda ix: edit_manifest(ix, checksums=KeyError),
    "checksums_emptied": lambda ix: edit_manifest(ix, checksums={}),
    "checksums_wrong_shape": lambda ix: edit_manifest(ix, checksums={"chunks-0000.jsonl": "abc"}),
    "file_records_wrong": lambda ix: edit_manifest(ix, files={"x.md": {"size": "big"}}),
    "file_records_not_a_dict": lambda ix: edit_manifest(ix, files=7),
}


def _per_file_damage(template: Path) -> dict:
    cases = {}
    gen = gen_dir(template)
    for p in sorted(gen.iterdir()):
        cases[f"{p.name}:garbage"] = (p.name, _garbage)
        cases[f"{p.name}:truncated"] = (p.name, _truncate)
        cases[f"{p.name}:deleted"] = (p.name, Path.unlink)
    cases["chunks-0000.jsonl:same_size_same_mtime"] = ("chunks-0000.jsonl", _same_size_garbage)
    cases["chunk_drug.npy:same_size_same_mtime"] = ("chunk_drug.npy", _same_size_garbage)
    cases["postings_score.npy:same_size_same_mtime"] = ("postings_score.npy", _same_size_garbage)
    return cases


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_damaged_index_is_detected_and_rebuilt(copy, fast_tables, case):
    ix = copy()
    DAMAGE[case](ix)
    damaged = stale_reason(ix, SEEDS) is not None
    if not damaged:
        with pytest.raises(IndexProblem):
            load(ix)
    if case == "manifest_is_a_folder_of_junk":
        # the manifest cannot be replaced: refused with a clear message, nothing crashes
        with pytest.raises(OSError):
            Engine.open(SEEDS, ix)
        return
    assert_rebuilt_and_answers(ix)


def test_every_file_of_a_generation_damaged_in_every_way(template, tmp_path, fast_tables):
    cases = _per_file_damage(template)
    assert len(cases) >= 10
    for name, (fname, damage) in cases.items():
        ix = tmp_path / name.replace(":", "_")
        shutil.copytree(template, ix)
        damage(gen_dir(ix) / fname)
        with pytest.raises(IndexProblem):
            load(ix)
        _, report = ensure(SEEDS, ix)
        assert report is not None, name  # rebuilt
        assert_rebuilt_and_answers(ix)


def test_another_rxquote_version_of_the_same_format_is_used(copy):
    ix = copy()
    edit_manifest(ix, rxquote="0.0.0-someone-else", built_at="1999-01-01T00:00:00")
    _, report = ensure(SEEDS, ix)
    assert report is None  # same format, same checksums: nothing to rebuild
    assert_rebuilt_and_answers(ix)


def test_pickled_array_is_refused_not_loaded(copy, fast_tables):
    """An object array (a pickle inside a .npy) with matching checksums still never unpickles."""
    ix = copy()
    gen = gen_dir(ix)
    target = gen / "chunk_offsets.npy"

    class Boom:
        def __reduce__(self):
            return (os.system, ("echo pickle-ran > " + str(ix / "PWNED"),))

    np.save(target, np.array([Boom()], dtype=object), allow_pickle=True)
    st = target.stat()
    m = read_manifest(ix)
    m["checksums"]["chunk_offsets.npy"] = [st.st_size, index_mod._file_sha(target), st.st_mtime_ns]
    (ix / MANIFEST).write_text(json.dumps(m))
    with pytest.raises(IndexProblem):
        load(ix)
    assert_rebuilt_and_answers(ix)
    assert not (ix / "PWNED").exists()


def test_half_written_leftovers_are_ignored_then_cleaned(copy, fast_tables):
    ix = copy()
    tmp_gen = ix / ".gen-20000101000000-crashed0.tmp"
    tmp_gen.mkdir()
    (tmp_gen / "chunks-0000.jsonl").write_bytes(b'{"half": ')
    tmp_manifest = ix / f".{MANIFEST}.crashed0.tmp"
    tmp_manifest.write_text('{"format": 1, "generation": ".gen-20000101000000-crashed0.tmp"')
    _, report = ensure(SEEDS, ix)
    assert report is None  # the committed index is intact: used as it is
    assert Engine.open(SEEDS, ix).ask(QUESTION).status == "answered"
    old = time.time() - 2 * 3600
    for p in (tmp_gen, tmp_manifest):
        os.utime(p, (old, old))
    build(SEEDS, ix, use_lexicon=False)  # a later build sweeps what crashed builds left
    assert not tmp_gen.exists()
    assert not tmp_manifest.exists()
    assert_healthy(ix)


def test_a_build_that_fails_midway_loses_nothing(copy, monkeypatch, fast_tables):
    ix = copy()
    before = read_manifest(ix)

    def fail(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(PostingsBuilder, "finish", fail)  # late in the build, after most files are written
    with pytest.raises(OSError):
        build(SEEDS, ix, use_lexicon=False)
    monkeypatch.undo()
    assert read_manifest(ix) == before
    assert not list(ix.glob(".gen-*.tmp"))
    assert_healthy(ix)


def test_a_killed_build_leaves_the_previous_index(copy):
    ix = copy()
    before = read_manifest(ix)["generation"]
    p = subprocess.Popen([sys.executable, "-m", "rxquote", "index", "--force", "--corpus", str(SEEDS), "--index", str(ix)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(1.0)  # somewhere in the build (or done): either way the index must be whole
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=TIMEOUT)
    manifest = read_manifest(ix)
    assert manifest is not None and (ix / manifest["generation"]).is_dir()
    load(ix, verify=True)  # the old generation, or the new one if it finished
    if manifest["generation"] == before:
        assert (ix / before).is_dir()
    r = rxquote("ask", "--json", QUESTION, corpus=SEEDS, index=ix)  # and the lock is free again
    assert r.returncode == 0, r.stderr
    check_answer(json.loads(r.stdout), SEEDS)


def test_concurrent_index_runs_leave_a_valid_index(tmp_path):
    ix = tmp_path / "index"
    cmd = [sys.executable, "-m", "rxquote", "index", "--force", "--corpus", str(SEEDS), "--index", str(ix)]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    reader = subprocess.Popen([sys.executable, "-m", "rxquote", "ask", "--json", QUESTION, "--corpus", str(SEEDS),
                               "--index", str(ix)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for p in procs:
        out, err = p.communicate(timeout=TIMEOUT)
        assert p.returncode == 0, err.decode()
        assert b"Traceback" not in err
    out, err = reader.communicate(timeout=TIMEOUT)
    assert reader.returncode == 0, err.decode()
    check_answer(json.loads(out), SEEDS)
    assert_healthy(ix)
    gens = [p for p in ix.iterdir() if p.name.startswith("gen-")]
    assert 1 <= len(gens) <= 2  # the current one and at most the one before
    assert not list(ix.glob(f".{MANIFEST}.*.tmp"))


def test_cli_rebuilds_a_damaged_index_silently(copy):
    ix = copy()
    _garbage(gen_dir(ix) / "chunks-0000.jsonl")
    r = rxquote("ask", "--json", QUESTION, corpus=SEEDS, index=ix)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    check_answer(json.loads(r.stdout), SEEDS)
    assert_healthy(ix)


def test_cli_refuses_an_index_it_cannot_replace(copy):
    ix = copy()
    (ix / MANIFEST).unlink()
    (ix / MANIFEST).mkdir()  # the manifest cannot be written
    (ix / MANIFEST / "junk").write_text("x")
    r = rxquote("ask", QUESTION, corpus=SEEDS, index=ix)
    assert_one_line_error(r, 2, "index")
    r = rxquote("index", corpus=SEEDS, index=ix)
    assert_one_line_error(r, 2, "index")
