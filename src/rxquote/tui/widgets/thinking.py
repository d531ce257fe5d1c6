"""Shown in the conversation while an answer is being looked up."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, LoadingIndicator


class Thinking(Horizontal):
    def compose(self) -> ComposeResult:
        yield LoadingIndicator()
        yield Label("Searching the monographs\u2026")
