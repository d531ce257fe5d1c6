"""The command line per SPEC, through subprocesses: ask (text, --json, --batch), chunks,
index, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rxquote.answer import DISCLAIMER

from .conftest import SEED_FILE, SEEDS
from .test_hostile_common import PASSAGE_KEYS, SPEC_KEYS


def run(*args, stdin: str | None = None, index: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "rxquote", *args]
    if "--corpus" not in args:
        cmd += ["--corpus", str(SEEDS)]
    cmd += ["--index", str(index)]
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def idx(seed_index):
    return seed_index


def test_ask_text_quotes_with_attribution_and_disclaimer(idx):
    r = run("ask", "can I stop diazepam suddenly?", index=idx)
    assert r.returncode == 0, r.stderr
    assert "> **Q: Can I stop taking Diazepam suddenly?** A: No. Abruptly stopping Diazepam" in r.stdout
    assert "[1] Diazepam (Diazepam + Imipramine)\n" in r.stdout  # the medicine, and its page
    assert f"\u2014 FAQ, line 28 \u00b7 {SEED_FILE}\n" in r.stdout
    assert r.stdout.rstrip().endswith(DISCLAIMER)


def test_ask_text_quotes_the_lines_that_answer_and_full_the_whole_section(idx):
    """The quote is the focused lines, then where they sit, each thing said once; --full
    quotes the whole section as before."""
    lines = (SEEDS / SEED_FILE).read_text(encoding="utf-8").split("\n")
    r = run("ask", "does imipramine cause dry mouth?", index=idx)
    assert r.returncode == 0, r.stderr
    first = r.stdout.split("\n\n")[0].split("\n")
    assert first == ["[1] Imipramine (Diazepam + Imipramine)", "  > " + lines[42].removeprefix("* "),
                     f"  \u2014 line 43 of the Side effects section \u00b7 {SEED_FILE}"]
    assert "Less Common but Serious" not in r.stdout
    full = run("ask", "--full", "does imipramine cause dry mouth?", index=idx)
    first = full.stdout.split("\n\n[2]")[0].split("\n")
    assert first[0] == "[1] Imipramine (Diazepam + Imipramine)"
    assert first[1:5] == ["  > **Side Effects:**", "  >", "  > " + lines[42], "  > " + lines[43]]
    assert first[5] == f"  \u2014 the Side effects section, lines 41\u201344 \u00b7 {SEED_FILE}"
    # the JSON is the same with or without --full: the focused lines and their section's span
    data = json.loads(run("ask", "--json", "does imipramine cause dry mouth?", index=idx).stdout)
    p = data["passages"][0]
    assert (p["start_line"], p["end_line"], p["section_start_line"], p["section_end_line"]) == (43, 43, 41, 44)
    assert p["text"] == lines[42].removeprefix("* ")


def test_ask_json_matches_spec(idx):
    r = run("ask", "--json", "can I stop diazepam suddenly?", index=idx)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert set(data) == SPEC_KEYS
    assert data["status"] == "answered" and data["drugs"] == ["Diazepam"] and data["id"] is None
    p = data["passages"][0]
    assert set(p) == PASSAGE_KEYS
    assert (p["drug"], p["section"], p["heading"], p["title"], p["source"]) == (
        "Diazepam", "faq", "Can I stop taking Diazepam suddenly?", "Diazepam + Imipramine", SEED_FILE)
    assert p["rank"] == 1 and p["start_line"] == p["end_line"] == 28
    assert len(data["passages"]) <= 3


def test_ask_top_k_and_history(idx):
    r = run("ask", "--json", "-k", "1", "--history", "tell me about imipramine", "what are the side effects?", index=idx)
    data = json.loads(r.stdout)
    assert len(data["passages"]) == 1 and data["passages"][0]["drug"] == "Imipramine"


def test_batch_keeps_ids_and_order(idx, tmp_path):
    lines = [
        {"id": "a", "question": "what is imipramine used for"},
        {"id": 7, "question": "what are the side effects?", "history": ["tell me about diazepam"]},
        {"id": "c", "question": "ibuprofen side effects"},
        {"id": "d", "question": "I just took 30 diazepam tablets at once"},
    ]
    f = tmp_path / "q.jsonl"
    f.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    r = run("ask", "--json", "--batch", str(f), "-k", "10", index=idx)
    assert r.returncode == 0, r.stderr
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", 7, "c", "d"]
    assert [o["status"] for o in out] == ["answered", "answered", "unknown_drug", "emergency"]
    assert out[1]["passages"][0]["drug"] == "Diazepam"
    assert all(o["disclaimer"] == DISCLAIMER for o in out)
    # stdin gives the same
    r2 = run("ask", "--json", "--batch", "-", "-k", "10", stdin=f.read_text(), index=idx)
    assert r2.stdout == r.stdout


def test_chunks_json(idx):
    r = run("chunks", "--json", index=idx)
    assert r.returncode == 0, r.stderr
    chunks = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(chunks) == 20
    assert [c["id"] for c in chunks] == list(range(20))
    assert {"source", "title", "drug", "section", "heading", "start_line", "end_line", "text"} <= set(chunks[0])


def test_index_summary(tmp_path):
    r = run("index", index=tmp_path / "ix")
    assert r.returncode == 0, r.stderr
    for word in ("files", "medicines", "chunks", "faq", "usage"):
        assert word in r.stdout
    assert (tmp_path / "ix" / "manifest.json").is_file()
    again = run("index", index=tmp_path / "ix")
    assert "up to date" in again.stdout


def test_index_names_files_it_could_not_parse(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.md").write_text((SEEDS / SEED_FILE).read_text())
    (corpus / "empty.md").write_text("")
    (corpus / "junk.txt").write_bytes(b"\x00\x01\x02")
    r = run("index", "--corpus", str(corpus), index=tmp_path / "ix")
    assert r.returncode == 0, r.stderr
    assert "empty.md" in r.stdout and "junk.txt" in r.stdout


def test_usage_errors_are_one_line_exit_2(idx, tmp_path):
    for args in (["ask"], ["ask", "--bogus", "x"], ["ask", "-k", "0", "x"], ["ask", "--corpus", str(tmp_path / "missing"), "x"]):
        r = run(*args, index=idx)
        assert r.returncode == 2, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_python_dash_m_and_console_script_agree(idx):
    a = run("ask", "--json", "how does imipramine work", index=idx).stdout
    exe = Path(sys.executable).with_name("rxquote")
    if not exe.exists():
        pytest.skip("console script not installed next to this interpreter")
    b = subprocess.run([str(exe), "ask", "--json", "how does imipramine work", "--corpus", str(SEEDS), "--index", str(idx)],
                       capture_output=True, text=True, timeout=120).stdout
    assert a == b


def test_focus_option_reproduces_a_sidebar_choice(idx, tmp_path):
    r = run("ask", "--json", "-k", "1", "--focus", "Imipramine", "side effects?", index=idx)
    assert json.loads(r.stdout)["passages"][0]["drug"] == "Imipramine"
    f = tmp_path / "q.jsonl"
    f.write_text(json.dumps({"id": 1, "question": "side effects?", "focus": ["Diazepam"]}) + "\n"
                 + json.dumps({"id": 2, "question": "x", "focus": "Diazepam"}) + "\n")
    r = run("ask", "--json", "--batch", str(f), index=idx)
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert out[0]["passages"][0]["drug"] == "Diazepam"
    assert out[1]["id"] == 2 and "focus" in out[1]["error"] and r.returncode == 2


def test_explain_is_readable(idx):
    r = run("ask", "--explain", "can I take valium while pregnant?", index=idx)
    assert r.returncode == 0
    for needle in ("understand:", "tokens:", "valium \u2192 Diazepam (alias)", "intent:     precautions", "candidates:",
                   "rank (final", "chunk", "section +", "decide:     answered (Diazepam)"):
        assert needle in r.stdout


def test_medicines_option_and_batch_field(seed_index, tmp_path):
    """`--medicines` (and "medicines" in a batch line) is the person's own list: a question that
    names no medicine is about it."""
    r = run("ask", "--json", "--medicines", "Diazepam", "can I stop it suddenly?", index=seed_index)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["status"] == "answered" and data["drugs"] == ["Diazepam"]
    batch = tmp_path / "b.jsonl"
    batch.write_text(json.dumps({"id": 1, "question": "can I stop it suddenly?", "medicines": ["Diazepam"]}) + "\n"
                     + json.dumps({"id": 2, "question": "x", "medicines": "Diazepam"}) + "\n")
    r = run("ask", "--json", "--batch", str(batch), index=seed_index)
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert lines[0]["drugs"] == ["Diazepam"] and lines[0]["status"] == "answered"
    assert lines[1] == {"id": 2, "error": 'line 2: "medicines" must be a list of medicine names'}
    assert r.returncode == 2


def test_version(tmp_path):
    from rxquote import __version__

    r = run("--version", index=tmp_path / "idx")
    assert r.returncode == 0 and r.stdout.strip() == f"rxquote {__version__}"


def test_each_corpus_has_its_own_default_index_folder(monkeypatch, tmp_path):
    from rxquote.startup import builtin_corpus, default_corpus, default_index

    monkeypatch.delenv("RXQUOTE_INDEX", raising=False)
    monkeypatch.delenv("RXQUOTE_CORPUS", raising=False)
    seeds_index = default_index(builtin_corpus())
    other = tmp_path / "monographs"
    other.mkdir()
    # a corpus named by the environment gets a folder of its own, not the seeds' index
    # (switching back and forth would rebuild both every time)
    monkeypatch.setenv("RXQUOTE_CORPUS", str(other))
    assert default_corpus() == other
    assert default_index(other) != seeds_index and default_index(other).parent == seeds_index
    assert default_index(builtin_corpus()) == seeds_index
    monkeypatch.setenv("RXQUOTE_INDEX", str(tmp_path / "idx"))
    assert default_index(other) == tmp_path / "idx"
