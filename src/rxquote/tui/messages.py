"""The chat's own messages, as small dataclasses in one place (as in toolong's messages.py).

Widgets send intent up (a medicine chosen, ticked, a suggestion picked); the app owns the
state and flows it back down through reactives. `BuildProgress` is posted from the loading
thread: `can_replace` lets a flood of them collapse to the newest.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class MedicineChosen(Message):
    """A medicine chosen in the sidebar as the focus (None: no focus, follow the conversation)."""

    medicine: str | None


@dataclass
class MyMedicinesToggled(Message):
    """Tick or untick one of the person's own medicines."""

    medicine: str


@dataclass
class MyMedicinesCleared(Message):
    """Empty the person's list of medicines."""


@dataclass
class SuggestionPicked(Message):
    question: str


@dataclass
class BuildProgress(Message):
    """How far the index load or build is: `stage` (parse, index, names, write), `done` of `total`."""

    stage: str
    done: int
    total: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, BuildProgress) and message.stage == self.stage
