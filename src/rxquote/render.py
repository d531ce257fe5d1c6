"""Answer → text for people (terminal) and Answer → JSON line (scripts)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # render is imported for safe_text by error paths: keep it light
    from .answer import Answer, Passage

# C0 controls but tab and newline (ESC starts terminal sequences, CR overwrites a line), DEL,
# C1 controls (U+009B is a one-character CSI), bidi marks, embeddings, overrides and isolates
# (they reorder what is shown), and lone surrogates (unencodable: they would crash the output)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

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
        out.append(f"!! {safe_text(answer.message or '')}")
        out.append("")
    elif answer.message:
        out.append(safe_text(answer.message))  # it may name a medicine as the question typed it
        out.append("")
    for p in answer.passages:
        heading = f"[{p.rank}] {p.title}" + (f" \u2014 {p.heading}" if p.heading and p.heading != p.title else "")
        out.append(safe_text(heading))
        for line in p.text.split("\n"):
            line = line[:-1] if line.endswith("\r") else line  # CRLF pages: the CR is a line end, not text
            out.append("  > " + safe_text(line) if line.strip() else "  >")
        out.append("  " + safe_text(attribution(p)))
        out.append("")
    if explain and answer.explain:
        out.extend(safe_text(line) for line in explain_lines(answer.explain))
        out.append("")
    out.append(f"Disclaimer: {safe_text(answer.disclaimer)}")
    return "\n".join(out)


def explain_lines(e: dict) -> list[str]:
    """How the answer was found: tokens, medicines, intent, and each passage's score parts."""
    mentions = ", ".join(
        f"{m['text']} → {m['drug'] or ('unknown: ' + m['unknown'] if m.get('unknown') else '?')} ({m['how']})"
        for m in e.get("mentions", [])
    ) or "none named"
    lines = ["explain:"]
    if e.get("emergency"):
        t = e["emergency"]
        lines.append(f"  emergency:  {t['family']} / {t['rule']}: \u201c{t['words']}\u201d")
    lines += [
        f"  tokens:     {' '.join(e.get('tokens', [])) or '(none)'}",
        f"  medicines:  {mentions}",
        f"  focus:      {', '.join(e.get('focus') or []) or '(none)'}   used: {', '.join(e.get('drugs') or []) or '(none)'}",
        f"  intent:     {e.get('intent') or '(none)'}",
        f"  candidates: {e.get('candidates', 0)}",
    ]
    for p in e.get("passages", []):
        parts = [f"bm25 {p['bm25']:.3f}"]
        if p.get("section_bonus"):
            parts.append(f"section +{p['section_bonus']}")
        if p.get("shared_text"):
            parts.append("shared text of the named medicines")
        if p.get("drug_bonus"):
            parts.append(f"medicine +{p['drug_bonus']}")
        lines.append(f"  #{p['rank']} chunk {p['chunk']} ({p['section']}): final {p['final']:.3f} = relevance "
                     f"{p.get('relevance', 0):.3f} [{', '.join(parts)}]")
    return lines


def to_json_line(answer: Answer) -> str:
    """One JSON object on one line; non-ASCII escaped so any terminal or pipe is safe."""
    data = answer.to_json()
    if answer.explain is not None:
        data["explain"] = answer.explain
    return json.dumps(data, ensure_ascii=True)
