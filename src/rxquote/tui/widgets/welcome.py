"""What the chat shows before the first question."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ...answer import DISCLAIMER


def welcome_text(medicines: int | None) -> Content:
    what = f"{medicines} medicines" if medicines is not None else "the medicines"
    return Content.assemble(
        ("Welcome to rxquote", "bold"), "\n",
        f"Ask a question about {what} in these monographs. Every answer is quoted word for word "
        "from a monograph, with where it comes from; rxquote never writes advice of its own.\n\n",
        ("Try: ", "bold"), "\u201ccan I stop diazepam suddenly?\u201d \u00b7 \u201cwhat is imipramine used for?\u201d\n",
        ("Pick a medicine ", "bold"), "on the left (ctrl+f) to ask follow-ups about it. ",
        ("F1 ", "bold"), "lists every key.\n\n",
        (DISCLAIMER, "italic"),
    )


class Welcome(Static):
    def __init__(self, medicines: int | None = None) -> None:
        super().__init__(welcome_text(medicines), id="welcome")

    def set_count(self, medicines: int) -> None:
        self.update(welcome_text(medicines))
