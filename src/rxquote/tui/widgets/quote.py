"""A quote shown as the Markdown it is written in: bold labels, bullets, line breaks — and
nothing that acts. Links, images, HTML and entities are not parsed (they show as written), so
a monograph's `[text](url)`, `<script>` or `[@click=app.quit]` is text, never an action; the
words are the passage's own, with terminal control characters made visible first."""

from __future__ import annotations

from markdown_it import MarkdownIt
from textual.widgets import Markdown

from ...render import safe_text

# markdown-it rules that would turn monograph text into something other than text: links and
# images (clickable), autolinks, raw HTML, and link reference definitions and entities (which
# would hide or change the characters written)
_INERT = ["link", "image", "autolink", "html_inline", "html_block", "reference", "entity", "linkify"]


def quote_parser() -> MarkdownIt:
    """CommonMark with GitHub's tables and strikethrough, hard line breaks (a monograph's lines
    are lines), and none of the rules in `_INERT`."""
    parser = MarkdownIt("gfm-like", {"html": False, "linkify": False, "breaks": True, "typographer": False})
    parser.disable(_INERT, ignoreInvalid=True)
    return parser


def quote_source(text: str) -> str:
    """A passage's text as Markdown source: CRLF line ends read as line ends, controls visible."""
    return safe_text(text.replace("\r\n", "\n"))


class QuoteView(Markdown):
    """One quote (or part of one) rendered as Markdown; not focusable (its PassageView is)."""

    DEFAULT_CSS = """
    QuoteView {
        margin: 0;
        padding: 0;
        background: transparent;
    }
    QuoteView > MarkdownBlock:last-child {
        margin-bottom: 0;
    }
    """

    def __init__(self, text: str, classes: str | None = None) -> None:
        super().__init__(quote_source(text), classes=classes, parser_factory=quote_parser, open_links=False)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()  # nothing in a quote is a link; should one slip through, it does nothing
        event.prevent_default()
