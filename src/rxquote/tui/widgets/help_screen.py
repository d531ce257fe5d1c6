"""F1: every key, in one place."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from rich.table import Table
from rich.text import Text
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Asking", [
        ("Enter", "ask the question in the box"),
        ("\u2191 / \u2193", "earlier questions (in the question box)"),
        ("Tab / Shift+Tab", "move between the question box, suggestions, passages and medicines"),
        ("Esc", "back to the question box / close a window"),
    ]),
    ("Medicines (left)", [
        ("ctrl+f", "find a medicine: type to filter the list"),
        ("\u2193 / \u2191, Enter", "move in the list, choose: questions are then about it"),
        ("(any)", "first entry: drop the focus, follow the conversation"),
        ("ctrl+b", "show or hide the medicine list"),
    ]),
    ("Answers", [
        ("Enter / click", "on a passage or suggestion: open the monograph / ask it"),
        ("ctrl+o", "open the monograph at the latest answer's first passage"),
        ("ctrl+y, c on a passage", "copy the answer with its citations"),
        ("ctrl+s", "save the conversation as Markdown with citations"),
        ("ctrl+l", "clear the conversation (and the focus)"),
    ]),
    ("App", [
        ("F1", "this help"),
        ("ctrl+p", "command palette: every action, searchable; also themes"),
        ("ctrl+q", "quit"),
    ]),
    ("Monograph window", [
        ("\u2191 \u2193 PgUp PgDn", "scroll"),
        ("n", "back to the quoted passage"),
        ("Esc / q", "close"),
    ]),
]


def help_table() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(ratio=1)
    for n, (title, rows) in enumerate(KEYS):
        if n:
            grid.add_row("", "")
        grid.add_row(Text(title, style="bold underline"), "")
        for key, what in rows:
            grid.add_row(Text(key), Text(what))
    grid.add_row("", "")
    grid.add_row(Text(""), Text("rxquote quotes drug monographs word for word and never gives advice of its own.", style="italic"))
    return grid


def help_text() -> str:
    """The same keys as plain text (tests, docs)."""
    return "\n".join(f"{k}: {w}" for _, rows in KEYS for k, w in rows)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "Esc close"
            with VerticalScroll(id="help-scroll"):
                yield Static(help_table(), id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()
