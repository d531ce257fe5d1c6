"""Answer → text for people (terminal) and Answer → JSON line (scripts)."""

from __future__ import annotations

import json
import re

from .answer import Answer, Passage

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

STATUS_TITLES = {
    "answered": "From the monographs",
    "no_match": "No matching passage",
    "unknown_drug": "Unknown medicine",
    "emergency": "EMERGENCY",
    "clarify": "Which medicine?",
}


def safe_text(s: str) -> str:
    """Make text safe to print to a terminal: control, escape and bidi-override characters
    become visible U+FFFD instead of acting on the terminal."""
    return _CONTROL.sub("\ufffd", s)


def attribution(p: Passage) -> str:
    lines = f"{p.start_line}" if p.start_line == p.end_line else f"{p.start_line}-{p.end_line}"
    return f"\u2014 {p.drug} \u00b7 {p.section_label} \u00b7 {p.source}:{lines}"


def to_text(answer: Answer, explain: bool = False) -> str:
    out: list[str] = []
    if answer.status == "emergency":
        out.append(f"!! {answer.message}")
        out.append("")
    elif answer.message:
        out.append(answer.message)
        out.append("")
    for p in answer.passages:
        heading = f"[{p.rank}] {p.title}" + (f" \u2014 {p.heading}" if p.heading and p.heading != p.title else "")
        out.append(safe_text(heading))
        for line in p.text.split("\n"):
            out.append("  > " + safe_text(line) if line.strip() else "  >")
        out.append("  " + safe_text(attribution(p)))
        out.append("")
    if explain and answer.explain:
        out.append("explain: " + json.dumps(answer.explain, ensure_ascii=False))
        out.append("")
    out.append(f"Disclaimer: {answer.disclaimer}")
    return "\n".join(out)


def to_json_line(answer: Answer) -> str:
    """One JSON object on one line; non-ASCII escaped so any terminal or pipe is safe."""
    data = answer.to_json()
    if answer.explain is not None:
        data["explain"] = answer.explain
    return json.dumps(data, ensure_ascii=True)
