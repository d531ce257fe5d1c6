"""One answer: its status, the fixed message if any, the quoted passages (each with its
attribution) and the disclaimer. Each status has its own look; an emergency is first and loud.

A passage is shown as the Markdown it is written in (`QuoteView`), under its medicine and
above where it sits; `r` shows the raw source text instead, `e` expands a focused passage in
place to its whole section with the answering lines marked, Enter opens the monograph."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from ...answer import Answer, Passage
from ...focus import section_lines
from ...render import STATUS_TITLES, attribution, is_focused, line_range, where
from ..text import lit, title_line
from .quote import QuoteView

STATUS_MARKS = {
    "answered": "\u275d",  # ❝
    "no_match": "?",
    "unknown_drug": "?",
    "clarify": "?",
    "emergency": "\u203c",  # ‼
}

SourcePath = Callable[[str], "Path | None"]


class PassageView(Vertical, can_focus=True):
    """A quoted passage. Enter or a click opens it in its monograph; `e` shows its whole
    section, `r` its raw text."""

    BINDINGS = [  # ids for remapping and F1; Enter and c stay off the footer so that at 80
        # columns it keeps the app's keys (issue #14): Enter is hinted on the answer, c is ctrl+y
        Binding("enter", "open_source", "Open in monograph", id="passage.open", show=False),
        Binding("e", "expand", "Whole section", id="passage.expand"),
        Binding("r", "raw", "Raw text", id="passage.raw"),
        Binding("c", "copy", "Copy answer", id="passage.copy", show=False),
    ]

    expanded: reactive[bool] = reactive(False, recompose=True, bindings=True)
    raw: reactive[bool] = reactive(False, recompose=True, bindings=True)

    class OpenSource(Message):
        def __init__(self, passage: Passage) -> None:
            super().__init__()
            self.passage = passage

    class Copy(Message):
        def __init__(self, answer: Answer) -> None:
            super().__init__()
            self.answer = answer

    def __init__(self, passage: Passage, answer: Answer, source_path: SourcePath | None = None) -> None:
        super().__init__(classes="passage")
        self.passage = passage
        self.answer = answer
        self._source_path = source_path
        self._section: list[str] | None = None  # the whole section's source lines, read on first expand
        self.tooltip = "Enter or click: open the monograph at this passage"

    # -- what is shown -------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        p = self.passage
        yield Static(title_line(p), classes="passage-title")
        if self.expanded and self._section is not None:
            yield from self._whole_section()
        elif self.raw:
            yield Static(lit(_lines(p.text)), classes="quote-raw")
        else:
            yield QuoteView(p.text, classes="quote")
        yield Static(lit(self._attribution(), "italic $text-muted"), classes="attribution")

    def _attribution(self) -> str:
        p = self.passage
        if self.expanded and self._section is not None:  # the whole section, the answer marked in it
            return f"\u2014 {where(p, whole=True)} (answer: {line_range(p.start_line, p.end_line)}) \u00b7 {p.source}"
        return attribution(p)

    def _whole_section(self) -> ComposeResult:
        """The section in three parts: before, the answering lines (marked), after."""
        p, lines = self.passage, self._section or []
        first = p.section_start_line
        parts = (("before", lines[: p.start_line - first]), ("focus", lines[p.start_line - first : p.end_line - first + 1]),
                 ("after", lines[p.end_line - first + 1 :]))
        for name, part in parts:
            text = "\n".join(part).rstrip("\n") if name == "after" else "\n".join(part)
            if not text.strip():
                continue
            classes = f"quote section-{name}"
            yield Static(lit(_lines(text)), classes=classes + " quote-raw") if self.raw else QuoteView(text, classes=classes)

    # -- actions -------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "expand" and not is_focused(self.passage):
            return None  # already the whole section: shown dimmed, does nothing
        return True

    def action_expand(self) -> None:
        if not self.expanded and self._section is None:
            path = self._source_path(self.passage.source) if self._source_path is not None else None
            self._section = section_lines(self.passage, path)
            if self._section is None:
                self.notify("The monograph file is not available to show the whole section.", timeout=4)
                return
        self.expanded = not self.expanded
        self.scroll_visible()

    def action_raw(self) -> None:
        self.raw = not self.raw

    def action_open_source(self) -> None:
        self.post_message(self.OpenSource(self.passage))

    def action_copy(self) -> None:
        self.post_message(self.Copy(self.answer))

    def on_click(self) -> None:
        self.post_message(self.OpenSource(self.passage))

    def shown_text(self) -> str:
        """What the passage shows, as plain text (for tests and screen readers' sake)."""
        out = []
        for w in self.query(Static):
            if w.children:
                continue  # a Markdown container: its blocks are listed themselves
            visual = w.visual
            out.append(getattr(visual, "plain", str(visual)))
        return "\n".join(t for t in out if t)


def _lines(text: str) -> str:
    """Raw text as shown: a CRLF page's CR is a line end, not a character to show."""
    return text.replace("\r\n", "\n")


class AnswerView(Vertical):
    def __init__(self, answer: Answer, source_path: SourcePath | None = None) -> None:
        super().__init__(classes=f"answer status-{answer.status}")
        self.answer = answer
        self._source_path = source_path

    def compose(self) -> ComposeResult:
        a = self.answer
        title = STATUS_TITLES.get(a.status, a.status)
        if a.status == "emergency":
            title = "EMERGENCY \u2014 get help now"
        head = Content.assemble((f"{STATUS_MARKS.get(a.status, '')} {title}", "bold"))
        if a.drugs and a.status != "unknown_drug":
            head = Content.assemble(head, (" \u00b7 ", "dim"), lit(", ".join(a.drugs)))
        yield Static(head, classes="answer-head")
        if a.message:
            yield Static(lit(a.message), classes="message")
        if a.status == "answered" and a.passages:
            n = len(a.passages)
            yield Static(Content.styled(f"{n} passage{'s' if n != 1 else ''}, word for word "
                                        "\u00b7 click to open", "dim"),
                         classes="hint")
        for p in a.passages:
            yield PassageView(p, a, self._source_path)
        yield Static(Content.assemble(("Disclaimer: ", "bold"), lit(a.disclaimer)), classes="disclaimer")


class ErrorView(Static):
    """An internal error while answering (never shown as an answer)."""

    def __init__(self, text: str) -> None:
        super().__init__(Content.assemble(("Something went wrong: ", "bold"), lit(text)), classes="answer error")
