"""Follow-up questions after an answer. Tab from the question box lands here (the next stop in
the chat's focus chain), ↑↓ pick, Enter asks; or click one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..messages import SuggestionPicked
from ..session import Suggestion
from ..text import lit

HINT = "Tab here, \u2191\u2193, Enter asks; or click"


class SuggestionList(OptionList):
    BINDINGS = [Binding("enter", "select", "Ask the highlighted suggestion", id="suggestions.ask", show=False)]


class Suggestions(Vertical):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.items: list[Suggestion] = []

    def compose(self) -> ComposeResult:
        yield Static(id="sugg-title")
        yield SuggestionList(id="sugg-list")

    def show(self, items: list[Suggestion], title: str = "Ask next") -> None:
        self.items = list(items)
        ol = self.query_one(OptionList)
        ol.clear_options()
        ol.add_options([Option(Content.assemble(("\u25b8 ", "bold"), lit(s.label)), id=str(i)) for i, s in enumerate(items)])
        if items:
            ol.highlighted = 0
        self.query_one("#sugg-title", Static).update(
            Content.assemble(lit(title, "bold"), (f"  ({HINT})", "dim")))
        self.display = bool(items)

    @on(OptionList.OptionSelected, "#sugg-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(SuggestionPicked(self.items[int(event.option.id)].question))
