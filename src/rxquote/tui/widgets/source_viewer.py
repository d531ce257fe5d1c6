"""The monograph a passage was quoted from, scrolled to the passage: its lines highlighted, the
rest of its section marked lightly."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ...answer import Passage
from ...corpus import decode, read_monograph
from ...render import safe_text, where
from ..text import attribution, lit


def _lines_table(lines: list[str], first: int, width: int, marker: str) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True, width=width + 1)
    grid.add_column(ratio=1, overflow="fold")
    for n, line in enumerate(lines, first):
        grid.add_row(Text(f"{marker}{n}" if marker else str(n), style="dim" if not marker else "bold"),
                     Text(safe_text(line.expandtabs(4))))
    return grid


class SourceViewer(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q", "dismiss", "Close"),
        Binding("n", "scroll_to_passage", "Back to passage"),
    ]

    def __init__(self, passage: Passage, path: Path | None) -> None:
        super().__init__()
        self.passage = passage
        self.path = path
        self.highlighted: list[str] = []  # the passage's lines, as shown highlighted

    def compose(self) -> ComposeResult:
        p = self.passage
        with Vertical(id="source-box") as box:
            box.border_title = "Monograph"
            box.border_subtitle = "Esc close \u00b7 \u2191\u2193 PgUp PgDn scroll \u00b7 n back to passage"
            yield Static(Content.assemble(lit(p.title, "bold"), ("\n", ""),
                                          lit(f"{p.source} \u00b7 {where(p)} highlighted", "$text-muted")),
                         id="source-title")
            with VerticalScroll(id="source-scroll"):
                lines = self._read()
                if lines is None:
                    yield Static(Content.assemble(("The monograph file is not available: ", "bold"), lit(p.source), "\n\n",
                                                  ("The quoted passage:", "bold"), "\n", lit(p.text), "\n",
                                                  lit(attribution(p), "italic")), id="source-missing")
                else:
                    yield from self._lines(lines)

    def _lines(self, lines: list[str]) -> ComposeResult:
        """The file in parts: before the passage's section, the section's other lines (marked
        lightly), the passage's own lines (highlighted), the rest."""
        p = self.passage
        width = len(str(len(lines))) + 1
        s, e = max(1, p.start_line), min(len(lines), p.end_line)
        ss = min(s, max(1, p.section_start_line or s))
        se = max(e, min(len(lines), p.section_end_line or e))
        self.highlighted = lines[s - 1 : e]
        parts = [
            (1, ss - 1, "", "src-before", None),
            (ss, s - 1, "\u2502", "src-section", None),
            (s, e, "\u25b6", None, "source-passage"),
            (e + 1, se, "\u2502", "src-section", None),
            (se + 1, len(lines), "", "src-after", None),
        ]
        for first, last, marker, classes, id in parts:
            if first <= last:
                yield Static(_lines_table(lines[first - 1 : last], first, width, marker), classes=classes, id=id)

    def _read(self) -> list[str] | None:
        """The file's lines, numbered as the index numbers them (split at "\n" only: a lone CR
        or U+2028 does not start a line there), a CRLF page's CR dropped."""
        if self.path is None:
            return None
        try:
            text = decode(read_monograph(self.path))[0]
        except OSError:
            return None
        return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]

    def on_mount(self) -> None:
        self.query_one("#source-scroll").focus()
        self.call_after_refresh(self.action_scroll_to_passage)

    def action_scroll_to_passage(self) -> None:
        for w in self.query("#source-passage"):
            scroll = self.query_one("#source-scroll", VerticalScroll)
            # a few lines of context above the passage
            scroll.scroll_to(y=max(0, w.virtual_region.y - 3), animate=False)
