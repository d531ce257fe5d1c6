"""Literal text for the chat: the person's words and corpus text become `Content` objects, never
markup, and terminal control characters are neutralised first."""

from __future__ import annotations

from textual.content import Content

from ..answer import Passage
from ..render import safe_text


def lit(text: str, style: str = "") -> Content:
    """`text` exactly as written (no markup), with control characters made visible."""
    return Content.styled(safe_text(text), style) if style else Content(safe_text(text))


def line_range(p: Passage) -> str:
    return f"{p.start_line}" if p.start_line == p.end_line else f"{p.start_line}-{p.end_line}"


def attribution(p: Passage) -> str:
    """medicine · section · page title · source:lines (the chat's fuller form of
    `render.attribution`)."""
    parts = [p.drug, p.section_label]
    if p.title:
        parts.append(p.title)
    parts.append(f"{p.source}:{line_range(p)}")
    return "\u2014 " + " \u00b7 ".join(parts)


def heading(p: Passage) -> str:
    """What a passage is about: its FAQ question or its section."""
    if p.heading and p.heading not in (p.title, p.drug):
        return p.heading
    return f"{p.drug} \u00b7 {p.section_label}"
