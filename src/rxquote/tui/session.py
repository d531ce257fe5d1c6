"""The conversation behind the chat, without any UI: what to pass to `Engine.ask`, how the
focus evolves, the follow-up suggestions and the Markdown transcript.

The chat asks exactly like `rxquote ask`: `engine.ask(question, history=earlier questions,
top_k=k, focus=...)`. `focus` is only passed while the person has chosen a medicine in the
sidebar; it is kept until they name another medicine in a question, after which the
conversation itself (the history) decides again, as it does for `rxquote ask --history`.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from ..answer import Answer
from ..render import STATUS_TITLES
from .text import attribution, heading, line_range


@dataclass
class Turn:
    question: str
    answer: Answer | None = None
    focus: tuple[str, ...] = ()  # the focus shown when it was asked


@dataclass
class Suggestion:
    label: str
    question: str


@dataclass
class Conversation:
    top_k: int = 3
    turns: list[Turn] = field(default_factory=list)
    pinned: tuple[str, ...] = ()  # chosen in the sidebar

    # -- asking --------------------------------------------------------------------------
    @property
    def history(self) -> list[str]:
        """The person's earlier questions, oldest first (answered or not)."""
        return [t.question for t in self.turns if t.answer is not None]

    def ask_kwargs(self) -> dict:
        return {"history": self.history, "top_k": self.top_k, "focus": list(self.pinned) or None}

    def record(self, question: str, answer: Answer, named: tuple[str, ...]) -> None:
        """Add an answered turn. `named`: the medicines the question itself names
        (`engine.context([question]).drugs`)."""
        self.turns.append(Turn(question, answer, self.pinned))
        if self.pinned and named and set(named) != set(self.pinned):
            self.pinned = ()  # they named another medicine: the conversation decides again

    def pin(self, medicine: str | None) -> None:
        self.pinned = (medicine,) if medicine else ()

    def clear(self) -> None:
        self.turns.clear()
        self.pinned = ()

    @property
    def last_answer(self) -> Answer | None:
        for t in reversed(self.turns):
            if t.answer is not None:
                return t.answer
        return None

    # -- suggestions ---------------------------------------------------------------------
    def suggestions(self, medicines: tuple[str, ...], faq: list[str], limit: int = 9) -> list[Suggestion]:
        if not medicines:
            return []
        name = " and ".join(medicines)
        # what was already answered about these medicines is not suggested again
        done = {t.answer.intent for t in self.turns
                if t.answer and t.answer.status == "answered" and set(t.answer.drugs) == set(medicines)}
        out = [s for intent, s in [
            ("side_effects", Suggestion(f"Side effects of {name}", f"What are the side effects of {name}?")),
            ("dosage", Suggestion(f"Dosage of {name}", f"What is the dosage of {name}?")),
            ("precautions", Suggestion(f"Precautions for {name}", f"What precautions should I take with {name}?")),
        ] if intent not in done]
        out += [Suggestion(q, q) for q in faq]
        asked = {t.question.strip().lower() for t in self.turns}
        # and the FAQ questions whose answers are already on screen
        asked |= {p.heading.strip().lower() for t in self.turns if t.answer for p in t.answer.passages if p.section == "faq"}
        return [s for s in out if s.question.strip().lower() not in asked][:limit]

    # -- transcript ----------------------------------------------------------------------
    def to_markdown(self, when: _dt.datetime | None = None) -> str:
        when = when or _dt.datetime.now()
        out = ["# rxquote transcript", "", f"Saved {when:%Y-%m-%d %H:%M}. Every answer below is quoted word "
               "for word from the drug monographs named in its citation.", ""]
        for n, t in enumerate(self.turns, 1):
            a = t.answer
            if a is None:
                continue
            out += [f"## {n}. {_one_line(t.question)}", ""]
            meta = [f"**{STATUS_TITLES.get(a.status, a.status)}** ({a.status})"]
            if a.drugs:
                meta.append("medicines: " + ", ".join(a.drugs))
            if t.focus:
                meta.append("focus: " + ", ".join(t.focus))
            out += [" · ".join(meta), ""]
            if a.message:
                prefix = "**EMERGENCY:** " if a.status == "emergency" else ""
                out += [prefix + a.message, ""]
            for p in a.passages:
                out.append(f"**[{p.rank}] {_one_line(heading(p))}**")
                out.append("")
                out += [("> " + line) if line.strip() else ">" for line in p.text.split("\n")]
                out.append("")
                out.append(attribution(p))
                out.append("")
            out += [f"*Disclaimer: {a.disclaimer}*", ""]
        return "\n".join(out).rstrip() + "\n"

    def save(self, folder: Path, when: _dt.datetime | None = None) -> Path:
        when = when or _dt.datetime.now()
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"rxquote-transcript-{when:%Y%m%d-%H%M%S}"
        path = folder / f"{stem}.md"
        n = 2
        while path.exists():
            path = folder / f"{stem}-{n}.md"
            n += 1
        path.write_text(self.to_markdown(when), encoding="utf-8")
        return path


def answer_text(answer: Answer) -> str:
    """An answer as plain text for the clipboard: quotes, citations, disclaimer."""
    out = [f"Q: {answer.question}", ""]
    if answer.message:
        out += [("EMERGENCY: " if answer.status == "emergency" else "") + answer.message, ""]
    for p in answer.passages:
        out += [("> " + line) if line.strip() else ">" for line in p.text.split("\n")]
        out += [attribution(p), ""]
    out.append(f"Disclaimer: {answer.disclaimer}")
    return "\n".join(out)


def _one_line(s: str) -> str:
    return " ".join(s.split())


__all__ = ["Conversation", "Turn", "Suggestion", "answer_text", "line_range"]
