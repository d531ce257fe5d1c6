"""One of the person's questions in the conversation."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ..text import lit


class QuestionView(Static):
    def __init__(self, question: str, focus: tuple[str, ...] = ()) -> None:
        label = Content.assemble(("You", "bold"), ("  (about " + ", ".join(focus) + ")", "dim") if focus else "")
        super().__init__(Content.assemble(label, "\n", lit(question)), classes="question")
        self.question = question
