"""What the chat shows before the first question: what rxquote does, two examples, how to tell
it your medicines, and the disclaimer (all of it visible at 80×24)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ...answer import DISCLAIMER
from ..text import lit


def welcome_text(medicines: int | None, examples: tuple[str, ...] = (), mine: tuple[str, ...] = (),
                 names: tuple[str, ...] = ()) -> Content:
    """`examples`: two example questions; `names`: two medicines for the "I take …" example."""
    what = f"{medicines:,} medicines" if medicines is not None else "the medicines"
    parts: list = [
        ("Welcome to rxquote. ", "bold"),
        f"Ask about {what}: each answer is quoted word for word from a monograph, with its "
        "source. rxquote never writes advice of its own.\n",
    ]
    if examples:
        parts += [("Try: ", "bold"), lit(" \u00b7 ".join(f"\u201c{e}\u201d" for e in examples)), "\n"]
    if mine:
        parts += [("Your medicines: ", "bold"), lit(", ".join(mine)), " (ctrl+t). Questions that name no medicine mean them.\n"]
    else:
        say = f"I take {' and '.join(names)}" if names else "I take \u2026"
        parts += [("Your medicines: ", "bold"), lit(f"say \u201c{say}\u201d"),
                  " or tick them (ctrl+t); questions that name no medicine then mean them.\n"]
    parts += [("F1 ", "bold"), "every key. ", (DISCLAIMER, "italic")]
    return Content.assemble(*parts)


class Welcome(Static):
    def __init__(self, medicines: int | None = None) -> None:
        super().__init__(welcome_text(medicines), id="welcome")

    def set_count(self, medicines: int, examples: tuple[str, ...] = (), mine: tuple[str, ...] = (),
                  names: tuple[str, ...] = ()) -> None:
        self.update(welcome_text(medicines, examples, mine, names))
