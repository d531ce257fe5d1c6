"""One of the person's questions in the conversation, and the chat's notes about a turn (a
declaration of medicines, a shortened question, a question waiting for the index)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ..text import lit


SHOWN_CHARS = 400  # a longer question is shown cut (the transcript keeps all of it)


class QuestionView(Static):
    def __init__(self, question: str, focus: tuple[str, ...] = ()) -> None:
        label = Content.assemble(("You", "bold"), ("  (about " + ", ".join(focus) + ")", "dim") if focus else "", ": ")
        shown = lit(question)
        if len(question) > SHOWN_CHARS:
            shown = Content.assemble(lit(question[:SHOWN_CHARS].rstrip()),
                                     (f" \u2026 ({len(question):,} characters in all)", "dim italic"))
        super().__init__(Content.assemble(label, shown), classes="question")
        self.question = question


class NoteView(Static):
    """What the chat did with a turn, in its own words (never about medicines themselves)."""

    def __init__(self, text: str, classes: str = "") -> None:
        super().__init__(Content.assemble(("\u2139 ", "bold"), lit(text)), classes=f"note {classes}".strip())
        self.text = text
