"""Literal text for the chat: the person's words and corpus text become `Content` objects, never
markup, and terminal control characters are neutralised first. Also the chat's wording of a
passage's title and citation (the same as `rxquote ask`'s, from `render`)."""

from __future__ import annotations

from textual.content import Content

from ..answer import Passage
from ..render import citation, medicine, own_heading, safe_text


def lit(text: str, style: str = "") -> Content:
    """`text` exactly as written (no markup), with control characters made visible."""
    return Content.styled(safe_text(text), style) if style else Content(safe_text(text))


def line_range(p: Passage) -> str:
    return f"{p.start_line}" if p.start_line == p.end_line else f"{p.start_line}-{p.end_line}"


def attribution(p: Passage) -> str:
    """A quote's full citation for a quote standing alone (clipboard, transcript):
    "— Imipramine (Diazepam + Imipramine) · line 43 of the Side effects section · file"."""
    return citation(p)


def heading(p: Passage) -> str:
    """A passage's title without its rank: the medicine (and its page), and the chunk's own
    heading when it says more than the section ("Taking them together")."""
    extra = own_heading(p)
    return medicine(p) + (f" \u2014 {extra}" if extra else "")


def title_line(p: Passage) -> Content:
    """"[1] Imipramine (Diazepam + Imipramine)": the rank and what the quote is from. The
    section and lines are said once, under the quote; an FAQ question opens its own quote."""
    return Content.assemble((f"[{p.rank}] ", "bold"), lit(heading(p), "bold"))
