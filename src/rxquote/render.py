"""Answer → text for people (terminal) and Answer → JSON line (scripts)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Callable

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


def line_range(start: int, end: int) -> str:
    return f"line {start}" if start == end else f"lines {start}\u2013{end}"


def is_focused(p: Passage) -> bool:
    """Is the passage cut from a larger chunk (not the whole section or FAQ pair)?"""
    return bool(p.section_start_line) and (p.start_line, p.end_line) != (p.section_start_line, p.section_end_line)


def where(p: Passage, whole: bool = False) -> str:
    """Where the quoted lines sit in their page, the section named once: "lines 54–55 of the
    Precautions section", "the Usage section, line 12", "FAQ, line 28". `whole`: the passage
    as its whole section (`--full`, the chat's expanded view)."""
    start, end = (p.section_start_line, p.section_end_line) if whole and p.section_start_line else (p.start_line, p.end_line)
    if p.section == "faq":
        return f"FAQ, {line_range(start, end)}"
    if is_focused(p) and not whole:
        return f"{line_range(start, end)} of the {p.section_label} section"
    return f"the {p.section_label} section, {line_range(start, end)}"


def medicine(p: Passage) -> str:
    """The medicine quoted, with its page when the page covers more ("Imipramine (Diazepam + Imipramine)")."""
    return p.drug if not p.title or p.title == p.drug else f"{p.drug} ({p.title})"


def own_heading(p: Passage) -> str:
    """The chunk's heading when it tells more than its medicine and section ("Taking them
    together"), else "": FAQ questions open their quote, and "Side Effects" or "Warnings and
    Precautions" only repeat the section's name."""
    heading = " ".join(p.heading.split())
    if p.section == "faq" or not heading:
        return ""
    said = _words(f"{p.drug} {p.title} {p.section_label}")
    return "" if _words(heading) <= said | _words(p.section) | {"and", "of", "for", "the"} else heading


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def attribution(p: Passage, whole: bool = False) -> str:
    """The line under a quote: where it sits and the file ("— lines 54–55 of the Precautions
    section · i/ibuprofen.md"); the medicine is in the passage's title line."""
    return f"\u2014 {where(p, whole)} \u00b7 {p.source}"


def citation(p: Passage, whole: bool = False) -> str:
    """A quote's full citation on one line, for a quote standing alone (clipboard, transcript):
    "— Ibuprofen · lines 54–55 of the Precautions section · i/ibuprofen.md"."""
    return f"\u2014 {medicine(p)} \u00b7 {where(p, whole)} \u00b7 {p.source}"


def to_text(answer: Answer, explain: bool = False, full: Callable[[Passage], str | None] | None = None) -> str:
    """The answer for a person: each quote under its medicine, then where it sits; the
    disclaimer last. `full(p)` gives a passage's whole section (`ask --full`)."""
    out: list[str] = []
    if answer.status == "emergency":
        out.append(f"!! {safe_text(answer.message or '')}")
        out.append("")
    elif answer.message:
        out.append(safe_text(answer.message))  # it may name a medicine as the question typed it
        out.append("")
    for p in answer.passages:
        whole = full(p) if full is not None else None
        heading = own_heading(p)
        out.append(safe_text(f"[{p.rank}] {medicine(p)}" + (f" \u2014 {heading}" if heading else "")))
        for line in (whole or p.text).split("\n"):
            line = line[:-1] if line.endswith("\r") else line  # CRLF pages: the CR is a line end, not text
            out.append("  > " + safe_text(line) if line.strip() else "  >")
        out.append("  " + safe_text(attribution(p, whole=whole is not None)))
        out.append("")
    if explain and answer.explain:
        out.extend(safe_text(line) for line in explain_lines(answer.explain))
        out.append("")
    out.append(f"Disclaimer: {safe_text(answer.disclaimer)}")
    return "\n".join(out)


def explain_lines(e: dict) -> list[str]:
    """How the answer was found, stage by stage: understand → candidates → rank → decide."""
    u = e.get("understand") or {}
    lines = ["explain:"]
    if u.get("emergency"):
        t = u["emergency"]
        lines.append(f"  emergency:  {t['family']} / {t['rule']}: \u201c{t['words']}\u201d")
    mentions = ", ".join(
        f"{m['text']} \u2192 {m['drug'] or ('unknown: ' + m['unknown'] if m.get('unknown') else '?')} ({m['how']})"
        for m in u.get("mentions", [])
    ) or "none named"
    intent = u.get("intent") or {}
    lines += [
        "  understand:",
        f"    medicines:  {mentions}",
        f"    about:      {', '.join(u.get('drugs') or []) or '(none)'} ({u.get('drugs_from', 'none')})",
        f"    intent:     {intent.get('name') or '(none)'} (weight {intent.get('weight', 0):g}, {intent.get('source', 'none')})",
        f"    topic:      {' '.join(u.get('topic') or []) or '(none)'}",
        f"    tokens:     {' '.join(u.get('tokens') or []) or '(none)'}",
    ]
    if u.get("asking"):
        lines.append(f"    asking:     {u['asking']}")
    if u.get("corrected"):
        lines.append("    corrected:  " + ", ".join(f"{a} \u2192 {b}" for a, b in u["corrected"].items()))
    c = e.get("candidates")
    if c:
        lines.append(f"  candidates: {c['count']} ({c['reason']})")
    forms = next((p["forms"] for p in e.get("rank", []) if p.get("forms")), None)
    if forms:
        lines.append("  page forms: " + ", ".join(f"{w} \u2192 {' '.join(fs)}" for w, fs in forms.items()))
    if e.get("rank"):
        lines.append("  rank (final = relevance + page):")
    for p in e.get("rank", []):
        parts = [f"lexical {p.get('lexical', 0):.2f}"]
        if p.get("section_bonus"):
            parts.append(f"section +{p['section_bonus']}")
        if p.get("faq_words"):
            parts.append(f"faq question {p['faq_words']:.2f}")
        if p.get("faq_same"):
            parts.append(f"same question {p['faq_same']:.2f}")
        if p.get("names_other"):
            parts.append("names the other medicine")
        parts.append(f"page {p.get('page', 0)}")
        lines.append(f"    chunk {p['chunk']} ({p['section']}): final {p['final']:.3f} = relevance "
                     f"{p.get('relevance', 0):.3f} [{', '.join(parts)}]")
    d = e.get("decide")
    if d:
        lines.append(f"  decide:     {d['status']} ({', '.join(d['drugs']) or 'no medicine'})")
    return lines


def to_json_line(answer: Answer) -> str:
    """One JSON object on one line; non-ASCII escaped so any terminal or pipe is safe."""
    data = answer.to_json()
    if answer.explain is not None:
        data["explain"] = answer.explain
    return json.dumps(data, ensure_ascii=True)
