"""Helpers shared by the hostile-input and fuzzing tests (issue #7): run the CLI in a
subprocess, and check an answer against the SPEC's invariants. (No tests here.)"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from rxquote.answer import (
    CLARIFY_MESSAGE,
    DISCLAIMER,
    EMERGENCY_MESSAGE,
    NO_MATCH_MESSAGE,
    STATUSES,
)
from rxquote.corpus import SECTIONS, decode, trim_span

SPEC_KEYS = {"id", "question", "status", "drugs", "message", "passages", "disclaimer"}
PASSAGE_KEYS = {"rank", "score", "drug", "section", "heading", "title", "source", "start_line", "end_line", "text",
                "section_start_line", "section_end_line"}
# characters that act on a terminal (or reorder what it shows): never in text output
TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# the unknown_drug message is a template with the names filled in
UNKNOWN_RE = re.compile(r"^.+ (?:is|are) not among the medicines in these monographs\.(?: Closest indexed names: .+\.)?$", re.S)
# no_match for a medicine that was understood: what its monograph covers (fixed text, the
# corpus's names and section labels, its FAQ questions quoted as written)
NOT_COVERED_RE = re.compile(r"^The monograph of .+ does not cover this\. It covers: [a-z ,]+\."
                            r"(?: Its questions and answers include: \u201c.+\u201d\.)?$", re.S)
TIMEOUT = 120  # generous: a hang fails the test, slowness does not


def rxquote(*args: str, corpus: Path | None, index: Path | None, stdin: str | bytes | None = None,
            timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """`python -m rxquote ARGS --corpus C --index I`, output as text (bytes decoded with replacement)."""
    cmd = [sys.executable, "-m", "rxquote", *args]
    if corpus is not None:
        cmd += ["--corpus", str(corpus)]
    if index is not None:
        cmd += ["--index", str(index)]
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    r = subprocess.run(cmd, input=data, capture_output=True, timeout=timeout)
    return subprocess.CompletedProcess(r.args, r.returncode, r.stdout.decode("utf-8", "replace"),
                                       r.stderr.decode("utf-8", "replace"))


def popen(*args: str, corpus: Path, index: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "rxquote", *args, "--corpus", str(corpus), "--index", str(index)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def assert_one_line_error(r: subprocess.CompletedProcess, code: int = 2, *words: str) -> None:
    assert r.returncode == code, (r.returncode, r.stdout[-500:], r.stderr[-2000:])
    assert "Traceback" not in r.stderr, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip() and not _is_progress(ln)]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("rxquote: "), lines
    for w in words:
        assert w.lower() in lines[0].lower(), (w, lines[0])
    assert not TERMINAL_CONTROLS.search(lines[0]), repr(lines[0])


def _is_progress(line: str) -> bool:
    """A line of `rxquote index`'s progress bars (rich prints them to stderr)."""
    return re.search(r"\d+/\d+ \d+:\d\d:\d\d\s*$", line) is not None


def source_lines(corpus: Path, source: str) -> list[str]:
    text, _ = decode((corpus / source).read_bytes())
    return text.split("\n")


def check_passage_verbatim(corpus: Path, p: dict) -> None:
    lines = source_lines(corpus, p["source"])
    assert 1 <= p["start_line"] <= p["end_line"] <= len(lines), p
    raw = "\n".join(lines[p["start_line"] - 1 : p["end_line"]])
    assert p["text"] == trim_span(raw), (p["text"], raw)
    assert p["text"] and p["text"] in raw
    # the chunk it was cut from: real lines of the same file, with text at both ends
    s, e = p["section_start_line"], p["section_end_line"]
    assert 1 <= s <= p["start_line"] <= p["end_line"] <= e <= len(lines), p
    assert lines[s - 1].strip() and lines[e - 1].strip(), p
    assert trim_span("\n".join(lines[s - 1 : e])), p


def check_answer(data: dict, corpus: Path, question: str | None = None) -> None:
    """The SPEC's invariants for one `ask --json` object: nothing but fixed messages and
    verbatim passages, the disclaimer, a status from the vocabulary."""
    assert set(data) >= SPEC_KEYS, data.keys()
    assert data["status"] in STATUSES, data["status"]
    assert data["disclaimer"] == DISCLAIMER
    if question is not None:
        assert data["question"] == question
    status, message, passages = data["status"], data["message"], data["passages"]
    fixed = {"no_match": NO_MATCH_MESSAGE, "clarify": CLARIFY_MESSAGE, "emergency": EMERGENCY_MESSAGE}
    if status == "answered":
        assert message is None and passages
    elif status == "unknown_drug":
        assert UNKNOWN_RE.match(message), message
    elif status == "no_match" and message != NO_MATCH_MESSAGE:
        assert NOT_COVERED_RE.match(message) and data["drugs"], message  # names the medicine it understood
    else:
        assert message == fixed[status], (status, message)
    if status in ("no_match", "unknown_drug", "clarify"):
        assert passages == [], passages
    for rank, p in enumerate(passages, 1):
        assert set(p) == PASSAGE_KEYS
        assert p["rank"] == rank and p["section"] in SECTIONS
        # the quote lies inside the chunk it was cut from
        assert p["section_start_line"] <= p["start_line"] <= p["end_line"] <= p["section_end_line"], p
        check_passage_verbatim(corpus, p)


def check_answer_obj(answer, corpus: Path) -> None:
    """check_answer for an in-process Answer, through its JSON form."""
    from rxquote.render import to_json_line

    line = to_json_line(answer)
    assert line.isascii() and "\n" not in line
    check_answer(json.loads(line), corpus)
