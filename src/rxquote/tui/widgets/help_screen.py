"""F1: every key, generated from the real bindings so it cannot drift from them.

The app passes `KeyGroup`s, each a title and the `BINDINGS` of one widget class (or screen);
a binding is listed with its `tooltip` (the long description) or else its `description`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {
    "escape": "Esc", "enter": "Enter", "space": "Space", "tab": "Tab", "shift+tab": "Shift+Tab",
    "up": "\u2191", "down": "\u2193", "left": "\u2190", "right": "\u2192", "pageup": "PgUp",
    "pagedown": "PgDn", "home": "Home", "end": "End", "delete": "Del", "backspace": "Backspace",
    "ctrl+home": "ctrl+Home", "ctrl+end": "ctrl+End",
}


def key_label(keys: str) -> str:
    """"escape,f1,q" → "Esc / F1 / q"."""
    out = []
    for key in keys.split(","):
        key = key.strip()
        out.append(KEY_NAMES.get(key) or (key.upper() if key[:1] == "f" and key[1:].isdigit() else key))
    return " / ".join(out)


def describe(binding: Binding) -> str:
    return binding.tooltip or binding.description


@dataclass(frozen=True)
class KeyGroup:
    title: str
    bindings: tuple[Binding, ...]
    note: str = ""

    @classmethod
    def of(cls, title: str, *binding_lists: list[BindingType], note: str = "") -> "KeyGroup":
        # as declared: one line per binding, its keys together ("Esc / F1 / q")
        found = [b if isinstance(b, Binding) else Binding(*b) for bl in binding_lists for b in bl]
        return cls(title, tuple(b for b in found if describe(b)), note)


def help_table(groups: tuple[KeyGroup, ...]) -> Group:
    """One titled table per group; the key columns share one width so they line up."""
    width = max((len(key_label(b.key)) for g in groups for b in g.bindings), default=8)
    parts: list = []
    for n, g in enumerate(groups):
        title = Text(g.title, style="bold underline")
        if g.note:
            title.append(f"  ({g.note})", style="dim italic")
        parts += [Text("") if n else Text(""), title]
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, style="bold", width=min(width, 24))
        grid.add_column(ratio=1)
        for b in g.bindings:
            grid.add_row(Text(key_label(b.key)), Text(describe(b)))
        parts.append(grid)
    parts += [Text(""), Text("rxquote quotes drug monographs word for word and never gives advice of its own.", style="italic")]
    return Group(*parts[1:])


def help_text(groups: tuple[KeyGroup, ...]) -> str:
    """The same keys as plain text (tests, docs)."""
    return "\n".join(f"{key_label(b.key)}: {describe(b)}" for g in groups for b in g.bindings)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close this help", id="help.close")]

    def __init__(self, groups: tuple[KeyGroup, ...]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "Esc close \u00b7 \u2191\u2193 PgUp PgDn scroll"
            with VerticalScroll(id="help-scroll"):
                yield Static(help_table(self.groups), id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()
