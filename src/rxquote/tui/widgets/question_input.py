"""The question box: Enter asks, Up/Down walk through earlier questions.

It stays usable while the monographs load or an answer is looked up: what is typed is kept,
and Enter then queues the question (the app asks it when ready). A question longer than the
engine reads is cut by the app at a word boundary, with a note; the box itself only bounds
what a paste can hold."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input

PLACEHOLDER = "Ask about a medicine, or say \u201cI take \u2026\u201d (F1: help)"
MAX_TYPED_CHARS = 20_000  # the engine reads 2,000: the app cuts and says so; this bounds a paste


class QuestionInput(Input):
    BINDINGS = [
        Binding("enter", "submit", "Ask the question (or declare your medicines: \u201cI take \u2026\u201d)",
                id="question.ask", show=False),
        Binding("up", "history(-1)", "Previous question", id="question.previous", show=False),
        Binding("down", "history(1)", "Next question (back to what you were typing)", id="question.next", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder=PLACEHOLDER, max_length=MAX_TYPED_CHARS, **kwargs)
        self.past: list[str] = []
        self._pos = 0  # len(past) = the draft being typed
        self._draft = ""

    def remember(self, question: str) -> None:
        if question and (not self.past or self.past[-1] != question):
            self.past.append(question)
        self._pos = len(self.past)
        self._draft = ""

    def forget(self) -> None:
        self.past.clear()
        self._pos = 0
        self._draft = ""

    def action_history(self, step: int) -> None:
        if not self.past:
            return
        if self._pos == len(self.past):
            self._draft = self.value
        pos = max(0, min(len(self.past), self._pos + step))
        if pos == self._pos:
            return
        self._pos = pos
        self.value = self.past[pos] if pos < len(self.past) else self._draft
        self.cursor_position = len(self.value)
