"""What the chat shows before the first question."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ...answer import DISCLAIMER
from ..text import lit


def welcome_text(medicines: int | None, examples: tuple[str, ...] = ()) -> Content:
    what = f"{medicines:,} medicines" if medicines is not None else "the medicines"
    examples = examples or ("can I stop diazepam suddenly?", "what is imipramine used for?")
    return Content.assemble(
        ("Welcome to rxquote", "bold"), "\n",
        f"Ask a question about {what} in these monographs. Every answer is quoted word for word "
        "from a monograph, with where it comes from; rxquote never writes advice of its own.\n\n",
        ("Try: ", "bold"), lit(" \u00b7 ".join(f"\u201c{e}\u201d" for e in examples)), "\n",
        ("Pick a medicine ", "bold"), "on the left (ctrl+f) to ask follow-ups about it. ",
        ("F1 ", "bold"), "lists every key.\n\n",
        (DISCLAIMER, "italic"),
    )


class Welcome(Static):
    def __init__(self, medicines: int | None = None) -> None:
        super().__init__(welcome_text(medicines), id="welcome")

    def set_count(self, medicines: int, examples: tuple[str, ...] = ()) -> None:
        self.update(welcome_text(medicines, examples))
