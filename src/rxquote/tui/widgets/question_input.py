"""The question box: Enter asks, Up/Down walk through earlier questions."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input

PLACEHOLDER = "Ask about a medicine (F1: help)"


class QuestionInput(Input):
    BINDINGS = [
        Binding("up", "history(-1)", "Previous question", show=False),
        Binding("down", "history(1)", "Next question", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder=PLACEHOLDER, max_length=2000, **kwargs)
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
