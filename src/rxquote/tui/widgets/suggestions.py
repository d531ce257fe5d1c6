"""Follow-up questions after an answer: click one, or Tab here and press Enter."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..session import Suggestion
from ..text import lit


class Suggestions(Vertical):
    class Picked(Message):
        def __init__(self, question: str) -> None:
            super().__init__()
            self.question = question

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.items: list[Suggestion] = []

    def compose(self) -> ComposeResult:
        yield Static(Content.styled("Ask next (click, or Tab here + Enter):", "dim"), id="sugg-title")
        yield OptionList(id="sugg-list")

    def show(self, items: list[Suggestion], title: str = "Ask next") -> None:
        self.items = list(items)
        ol = self.query_one(OptionList)
        ol.clear_options()
        ol.add_options([Option(Content.assemble(("\u25b8 ", "bold"), lit(s.label)), id=str(i)) for i, s in enumerate(items)])
        if items:
            ol.highlighted = 0
        self.query_one("#sugg-title", Static).update(Content.styled(f"{title} (click, or Tab here + Enter):", "dim"))
        self.display = bool(items)

    @on(OptionList.OptionSelected, "#sugg-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Picked(self.items[int(event.option.id)].question))
