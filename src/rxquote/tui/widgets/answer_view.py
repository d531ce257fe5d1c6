"""One answer: its status, the fixed message if any, the quoted passages (each with its
attribution) and the disclaimer. Each status has its own look; an emergency is first and loud."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from ...answer import Answer, Passage
from ...render import STATUS_TITLES
from ..text import attribution, heading, lit

STATUS_MARKS = {
    "answered": "\u275d",  # ❝
    "no_match": "?",
    "unknown_drug": "?",
    "clarify": "?",
    "emergency": "\u203c",  # ‼
}


class PassageView(Static, can_focus=True):
    """A quoted passage. Enter or a click opens it in its monograph."""

    BINDINGS = [  # show=False: at 80 columns the footer keeps the app's keys (issue #14)
        Binding("enter", "open_source", "Open in monograph", id="passage.open", show=False),
        Binding("c", "copy", "Copy answer", id="passage.copy", show=False),
    ]

    class OpenSource(Message):
        def __init__(self, passage: Passage) -> None:
            super().__init__()
            self.passage = passage

    class Copy(Message):
        def __init__(self, answer: Answer) -> None:
            super().__init__()
            self.answer = answer

    def __init__(self, passage: Passage, answer: Answer) -> None:
        self.passage = passage
        self.answer = answer
        super().__init__(self._content(passage), classes="passage")
        self.tooltip = "Enter or click: open the monograph at this passage"

    @staticmethod
    def _content(p: Passage) -> Content:
        return Content.assemble(
            (f"[{p.rank}] ", "bold"), lit(heading(p), "bold"), "\n",
            lit(p.text), "\n",
            lit(attribution(p), "italic $text-muted"),
        )

    def action_open_source(self) -> None:
        self.post_message(self.OpenSource(self.passage))

    def action_copy(self) -> None:
        self.post_message(self.Copy(self.answer))

    def on_click(self) -> None:
        self.post_message(self.OpenSource(self.passage))


class AnswerView(Vertical):
    def __init__(self, answer: Answer) -> None:
        super().__init__(classes=f"answer status-{answer.status}")
        self.answer = answer

    def compose(self) -> ComposeResult:
        a = self.answer
        title = STATUS_TITLES.get(a.status, a.status)
        if a.status == "emergency":
            title = "EMERGENCY \u2014 get help now"
        head = Content.assemble((f"{STATUS_MARKS.get(a.status, '')} {title}", "bold"))
        if a.drugs and a.status != "unknown_drug":
            head = Content.assemble(head, ("  \u00b7  ", "dim"), lit(", ".join(a.drugs)))
        yield Static(head, classes="answer-head")
        if a.message:
            yield Static(lit(a.message), classes="message")
        if a.status == "answered" and a.passages:
            n = len(a.passages)
            yield Static(Content.styled(f"{n} passage{'s' if n != 1 else ''}, word for word "
                                        "\u00b7 click to open", "dim"),
                         classes="hint")
        for p in a.passages:
            yield PassageView(p, a)
        yield Static(Content.assemble(("Disclaimer: ", "bold"), lit(a.disclaimer)), classes="disclaimer")


class ErrorView(Static):
    """An internal error while answering (never shown as an answer)."""

    def __init__(self, text: str) -> None:
        super().__init__(Content.assemble(("Something went wrong: ", "bold"), lit(text)), classes="answer error")
