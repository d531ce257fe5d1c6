"""Issue #7, a hostile corpus: empty, binary, invalid UTF-8, huge, unreadable and non-monograph
files, symlink loops, FIFOs and odd file names → `rxquote index` names each file in its
summary, the good files are still indexed and answered from; an empty corpus → a clear message.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rxquote.corpus import MAX_FILE_BYTES, list_corpus, parse_bytes, parse_file

from .conftest import SEED_FILE, SEEDS
from .test_hostile_common import TERMINAL_CONTROLS, assert_one_line_error, check_answer, rxquote

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
GOOD = (SEEDS / SEED_FILE).read_bytes()
BAD_UTF8 = b"---\ntitle: Badcodeine\n---\n# Badcodeine\n\n### Usage\nBadcodeine \xff\xfe is used for \xc3 coughs.\n"
NOT_MONOGRAPH = b"Shopping list\n\neggs, milk, bread\n"
ESC_NAME = "evil\x1b[2J\x1b]0;owned\x07name.md"
MARKUP_NAME = "[bold red]markup[/] [x].md"  # a folder "[bold red]markup[" and a file "] [x].md"

# file → words its summary line must contain
EXPECTED_PROBLEMS = {
    "empty.md": "no text",
    "whitespace.md": "no text",
    "binary.md": "binary",
    "nul_in_text.txt": "binary",
    "bad_utf8.md": "invalid UTF-8",
    "huge.md": "larger than",
    "not_a_monograph.txt": "no known sections",
    "sub/loop": "loop",
    "fifo.md": "not a readable file",
    "undecodable-\ufffd.md": "not valid UTF-8",
}


def make_hostile_corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "good.md").write_bytes(GOOD)
    (root / "empty.md").write_bytes(b"")
    (root / "whitespace.md").write_bytes(b" \n\t\n\n")
    (root / "binary.md").write_bytes(bytes(range(256)) * 20)
    (root / "nul_in_text.txt").write_bytes(GOOD[:200] + b"\x00" + GOOD[200:])
    (root / "bad_utf8.md").write_bytes(BAD_UTF8)
    with open(root / "huge.md", "wb") as f:
        f.write(b"# Huge\n\n### Usage\n")
        f.write((b"Hugezepam is used for everything. " * 1000 + b"\n") * (MAX_FILE_BYTES // 34_000 + 2))
    (root / "not_a_monograph.txt").write_bytes(NOT_MONOGRAPH)
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)  # not .md/.txt: ignored
    (root / ".hidden.md").write_bytes(GOOD)  # hidden: ignored
    (root / ESC_NAME).write_bytes(GOOD.replace(b"Diazepam", b"Escapezepam"))
    (root / MARKUP_NAME).parent.mkdir()
    (root / MARKUP_NAME).write_bytes(GOOD.replace(b"Diazepam", b"Markupzepam"))
    (root / "sub").mkdir()
    (root / "sub" / "nested.md").write_bytes(GOOD.replace(b"Diazepam", b"Nestezepam"))
    os.symlink("..", root / "sub" / "loop")  # a directory symlink loop
    os.symlink("missing-target.md", root / "dangling.md")  # a dangling link
    os.mkfifo(root / "fifo.md")  # reading it would block forever
    undecodable = os.fsencode(root) + b"/undecodable-\xff.md"
    with open(undecodable, "wb") as f:
        f.write(GOOD)
    return root


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, Path, object]:
    base = tmp_path_factory.mktemp("hostile-corpus")
    corpus = make_hostile_corpus(base / "corpus")
    index = base / "index"
    r = rxquote("index", corpus=corpus, index=index)
    return corpus, index, r


def test_index_names_every_bad_file_and_keeps_going(hostile):
    corpus, index, r = hostile
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    out = r.stdout
    for name, why in EXPECTED_PROBLEMS.items():
        line = next((ln for ln in out.splitlines() if ln.strip().startswith(name)), None)
        assert line is not None, (name, out)
        assert why in line, (name, line)
    assert "dangling.md" in out
    assert not TERMINAL_CONTROLS.search(out), repr(out)  # the ESC file name is shown inertly
    assert "\x1b" not in out


def test_good_files_are_indexed(hostile):
    corpus, index, _ = hostile
    r = rxquote("chunks", "--json", corpus=corpus, index=index)
    assert r.returncode == 0, r.stderr
    chunks = [json.loads(ln) for ln in r.stdout.splitlines()]
    sources = {c["source"] for c in chunks}
    assert {"good.md", "sub/nested.md", ESC_NAME, MARKUP_NAME, "bad_utf8.md", "not_a_monograph.txt"} <= sources
    for skipped in ("empty.md", "binary.md", "huge.md", "nul_in_text.txt", ".hidden.md", "image.png", "fifo.md"):
        assert skipped not in sources
    assert not any(s.startswith("sub/loop") for s in sources)
    assert all(s.isprintable() or "\x1b" in s for s in sources)
    bad = [c for c in chunks if c["source"] == "bad_utf8.md"]
    assert any("\ufffd" in c["text"] for c in bad)  # decoded with replacement, not dropped


def test_answers_come_from_the_good_files(hostile):
    corpus, index, _ = hostile
    stdin = "".join(json.dumps({"id": q, "question": q}) + "\n" for q in (
        "can I stop diazepam suddenly?", "what is nestezepam used for?", "escapezepam side effects",
        "markupzepam dosage", "what is badcodeine used for?"))
    r = rxquote("ask", "--json", "--batch", "-", corpus=corpus, index=index, stdin=stdin)
    assert r.returncode == 0, r.stderr
    for line in r.stdout.splitlines():
        data = json.loads(line)
        check_answer(data, corpus)
        assert data["status"] == "answered", data
    r = rxquote("ask", "escapezepam side effects", corpus=corpus, index=index)
    assert r.returncode == 0 and "\x1b" not in r.stdout and "evil" in r.stdout  # attribution shown inertly


def test_reindex_is_up_to_date_and_survives_the_fifo(hostile):
    corpus, index, _ = hostile
    r = rxquote("index", corpus=corpus, index=index)
    assert r.returncode == 0 and "up to date" in r.stdout, (r.stdout, r.stderr)


def test_unreadable_file(tmp_path):
    if IS_ROOT:
        pytest.skip("running as root: chmod 000 does not stop reading")
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.md").write_bytes(GOOD)
    locked = corpus / "locked.md"
    locked.write_bytes(GOOD)
    locked.chmod(0)
    try:
        r = rxquote("index", corpus=corpus, index=tmp_path / "ix")
        assert r.returncode == 0, r.stderr
        assert any(ln.strip().startswith("locked.md") and "unreadable" in ln for ln in r.stdout.splitlines()), r.stdout
    finally:
        locked.chmod(0o600)


def test_empty_corpus_is_a_clear_message(tmp_path):
    corpus = tmp_path / "empty"
    corpus.mkdir()
    r = rxquote("index", corpus=corpus, index=tmp_path / "ix")
    assert_one_line_error(r, 2, "no monographs")
    r = rxquote("ask", "what is diazepam used for?", corpus=corpus, index=tmp_path / "ix")
    assert_one_line_error(r, 2, "no monographs")
    r = rxquote("ask", "--json", "--batch", "-", corpus=corpus, index=tmp_path / "ix", stdin='{"id": 1, "question": "x"}\n')
    assert_one_line_error(r, 2, "no monographs")


def test_corpus_with_no_monographs_at_all(tmp_path):
    corpus = tmp_path / "junk"
    corpus.mkdir()
    (corpus / "empty.md").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (corpus / "notes.pdf").write_bytes(b"%PDF-1.4")
    r = rxquote("index", corpus=corpus, index=tmp_path / "ix")
    assert r.returncode == 2, r.stderr
    assert "empty.md" in r.stdout and "binary.txt" in r.stdout  # each file still named
    assert "no monographs" in r.stderr and "Traceback" not in r.stderr
    r = rxquote("ask", "diazepam", corpus=corpus, index=tmp_path / "ix")
    assert_one_line_error(r, 2, "no monographs")


# -- the parser and the walk on their own (fast) -----------------------------------------------

def test_parse_bytes_on_hostile_bytes():
    assert parse_bytes(b"", "e.md").chunks == () and "no text" in parse_bytes(b"", "e.md").warnings
    assert "binary file (skipped)" in parse_bytes(b"abc\x00def", "b.md").warnings
    page = parse_bytes(BAD_UTF8, "u.md")
    assert page.chunks and any("invalid UTF-8" in w for w in page.warnings)
    assert parse_bytes(b"x" * (MAX_FILE_BYTES + 1), "h.md").chunks == ()
    page = parse_bytes(b"\xef\xbb\xbf# Bom\r\n\r\n### Usage\r\nBom is used for tests.\r\n", "bom.md")
    assert page.title == "Bom" and [c.section for c in page.chunks][-1] == "usage"
    for data in (b"\r" * 10_000, b"#" * 100_000, b"*" * 100_000 + b"\n", b"- " * 50_000, b"**Q: " * 20_000,
                 b"---\n" + b"title: x\n" * 10_000, b"\n" * 200_000):
        parse_bytes(data, "x.md")  # no exception, no hang


def test_huge_file_is_not_read_whole(tmp_path):
    big = tmp_path / "big.md"
    with open(big, "wb") as f:
        f.write(b"# Big\n\n### Usage\n" + b"Bigzepam is used for tests.\n" * 400)
        f.truncate(MAX_FILE_BYTES * 40)  # sparse: 200 MB that costs nothing to make
    page = parse_file(big, "big.md")
    assert page.chunks == () and any("larger than" in w for w in page.warnings)


def test_list_corpus_loops_links_and_names(tmp_path):
    corpus = make_hostile_corpus(tmp_path / "c")
    os.symlink(corpus, corpus / "sub" / "back-to-root")  # a second loop, through an absolute link
    files, warnings = list_corpus(corpus)
    rels = [rel for rel, _ in files]
    assert rels == sorted(rels)
    assert "good.md" in rels and "sub/nested.md" in rels
    assert sum(1 for w in warnings if "loop" in w) == 2
    assert all(w.encode("utf-8") for w in warnings)  # printable: no lone surrogates
    assert all(r.encode("utf-8") for r in rels)
