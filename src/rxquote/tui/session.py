"""The conversation behind the chat, without any UI: what to pass to `Engine.ask`, how the
focus evolves, the follow-up suggestions, notes about the person's list, and the Markdown
transcript.

The chat asks exactly like `rxquote ask`: `engine.ask(question, history=earlier questions,
top_k=k, focus=..., medicines=the person's list)`. `focus` is only passed while the person has
chosen a medicine in the sidebar; it is kept until they name another medicine in a question,
after which the conversation itself (the history) decides again, as it does for
`rxquote ask --history`. A sentence that only declares medicines ("I take warfarin") changes
the list and is kept as a note; it is not a question, so it is not in the history.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from ..answer import MAX_QUESTION_CHARS, Answer
from ..understand import shorten_question
from ..my_medicines import Declaration
from ..render import STATUS_TITLES
from .text import attribution, heading, line_range


@dataclass
class Turn:
    question: str
    answer: Answer | None = None
    focus: tuple[str, ...] = ()  # the focus shown when it was asked
    note: str | None = None  # what the chat did with it (a declaration, a shortened question)
    medicines: tuple[str, ...] = ()  # the person's list when it was asked


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

    def ask_kwargs(self, medicines: tuple[str, ...] = ()) -> dict:
        return {"history": self.history, "top_k": self.top_k, "focus": list(self.pinned) or None,
                "medicines": list(medicines) or None}

    def record(self, question: str, answer: Answer, named: tuple[str, ...], note: str | None = None,
               medicines: tuple[str, ...] = ()) -> None:
        """Add an answered turn. `named`: the medicines the question itself names
        (`engine.resolve_names(question)`)."""
        self.turns.append(Turn(question, answer, self.pinned, note, medicines))
        if self.pinned and named and set(named) != set(self.pinned):
            self.pinned = ()  # they named another medicine: the conversation decides again

    def record_note(self, text: str, note: str) -> None:
        """A turn that was not asked (it only declared medicines): shown and saved, not history."""
        self.turns.append(Turn(text, None, self.pinned, note))

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

    @property
    def last_passage(self):
        """The newest answer's first passage, looking back past answers without one (an
        emergency, a clarification) to the latest that has one."""
        for t in reversed(self.turns):
            if t.answer is not None and t.answer.passages:
                return t.answer.passages[0]
        return None

    # -- suggestions ---------------------------------------------------------------------
    def suggestions(self, medicines: tuple[str, ...], faq: list[str], limit: int = 9,
                    mine: tuple[str, ...] = ()) -> list[Suggestion]:
        """Follow-ups about `medicines`: side effects, dosage, precautions, then their FAQ
        questions; none already answered or asked. When they are the person's own list, the
        questions say "my medicines" (the engine reads that as the list)."""
        if not medicines:
            return []
        if len(medicines) > 1 and set(medicines) == set(mine):
            name = "my medicines"
        else:
            name = medicines[0] if len(medicines) == 1 else ", ".join(medicines[:-1]) + " and " + medicines[-1]
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
            out += [f"## {n}. {_one_line(t.question)}", ""]
            if t.note:
                out += [f"*{t.note}*", ""]
            if a is None:
                continue
            meta = [f"**{STATUS_TITLES.get(a.status, a.status)}** ({a.status})"]
            if a.drugs:
                meta.append("medicines: " + ", ".join(a.drugs))
            if t.focus:
                meta.append("focus: " + ", ".join(t.focus))
            if t.medicines:
                meta.append("my medicines: " + ", ".join(t.medicines))
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


def shortened_note(question: str) -> str:
    return (f"Your question was longer than {MAX_QUESTION_CHARS:,} characters: only its first "
            f"{len(question):,} (up to the last whole word) were read.")


def declaration_note(d: Declaration, before: tuple[str, ...], after: tuple[str, ...]) -> str:
    """What happened to the person's list, in one or two sentences (names as the corpus has them)."""
    new = [m for m in after if m not in before]
    gone = [m for m in before if m not in after]
    already = [m for m in d.added if m in before]
    parts = []
    if new:
        parts.append("Added to your medicines: " + ", ".join(new) + ".")
    if already:
        parts.append("Already on your list: " + ", ".join(already) + ".")
    if gone:
        parts.append("Removed from your medicines: " + ", ".join(gone) + ".")
    elif d.removed and not new:
        parts.append("Not on your list: " + ", ".join(d.removed) + ".")
    if d.unrecognised:
        parts.append("Not found in these monographs: " + ", ".join(f"\u201c{u}\u201d" for u in d.unrecognised) + ".")
    if after:
        parts.append(f"Questions that name no medicine now mean your {len(after)} (ctrl+t to change).")
    return " ".join(parts)


def example_medicines(engine, limit: int = 2) -> list[str]:
    """Single-ingredient medicines to use in examples: the ones with the most brand names and
    synonyms in the index's name table (a sign that people know them), that have FAQ entries."""
    counts: dict[str, int] = {}
    for names in engine.index.drugs.aliases.values():
        if len(names) == 1 and " + " not in names[0]:
            counts[names[0]] = counts.get(names[0], 0) + 1
    ranked = sorted(counts, key=lambda m: (-counts[m], m))
    known = set(engine.medicines())
    out = [m for m in ranked[:50] if m in known and engine.faq_questions(m, limit=1)][:limit]
    return out or [m for m in engine.medicines() if " + " not in m][:limit]


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


__all__ = ["Conversation", "Turn", "Suggestion", "answer_text", "line_range", "shorten_question",
           "shortened_note", "declaration_note", "example_medicines"]
