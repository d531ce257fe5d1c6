"""Gold question files for `rxquote eval` (format: ../shared/eval/README.md).

One JSON object a line: `id`, `question`, optional `history`, and either `expect` (what a
relevant passage looks like) or `expect_status` (optionally with `expect_drugs`: medicines the
answer's `drugs` must name), plus optional `qtype` and `style` tags for per-group reports.
A bad line is a `GoldProblem` (`FILE:LINE: why`) and is skipped; an unknown field in an
`expect` entry is a warning and the line is kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from .corpus import SECTIONS

GOLD_STATUSES = ("answered", "no_match", "unknown_drug", "emergency", "clarify")
EXPECT_FIELDS = {"source", "drug", "section", "sections", "contains_any"}


def fold(name: str) -> str:
    """A medicine name compared without case or surrounding space."""
    return name.strip().casefold()


@dataclass(frozen=True)
class Expect:
    """One `expect` entry: what a relevant passage looks like."""

    source: str
    drug: str | None = None
    sections: tuple[str, ...] | None = None  # `section` and/or `sections`, merged
    contains_any: tuple[str, ...] | None = None

    def matches(self, passage: Mapping, level: str = "section") -> bool:
        """Relevance at the drug level (source, and drug where given) or the section level
        (every field the entry gives)."""
        if str(passage.get("source", "")) != self.source:
            return False
        if self.drug is not None and fold(str(passage.get("drug", ""))) != fold(self.drug):
            return False
        if level == "drug":
            return True
        if self.sections is not None and passage.get("section") not in self.sections:
            return False
        if self.contains_any is not None:
            text = str(passage.get("text", "")).lower()
            if not any(s.lower() in text for s in self.contains_any):
                return False
        return True

    def to_json(self) -> dict:
        d: dict = {"source": self.source}
        if self.drug is not None:
            d["drug"] = self.drug
        if self.sections is not None:
            d["sections"] = list(self.sections)
        if self.contains_any is not None:
            d["contains_any"] = list(self.contains_any)
        return d


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    history: tuple[str, ...] = ()
    expect: tuple[Expect, ...] = ()
    expect_status: str | None = None
    expect_drugs: tuple[str, ...] = ()  # the answer's `drugs` must name each (case-insensitive)
    qtype: str | None = None
    style: str | None = None
    file: str = ""
    line: int = 0

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def answerable(self) -> bool:
        """The page can answer it: passages are expected and every entry names its section."""
        return bool(self.expect) and all(e.sections is not None for e in self.expect)

    @property
    def names_medicine(self) -> bool:
        """The gold says which medicine the question is about."""
        return bool(self.expect or self.expect_drugs)

    def expected(self) -> dict:
        """What the gold expects, as JSON (for failure reports)."""
        out: dict = {}
        if self.expect:
            out["expect"] = [e.to_json() for e in self.expect]
        if self.expect_status is not None:
            out["status"] = self.expect_status
        if self.expect_drugs:
            out["drugs"] = list(self.expect_drugs)
        return out


@dataclass(frozen=True)
class GoldProblem:
    file: str
    line: int
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" + ("" if self.skipped else " (line kept)")


class GoldLineError(ValueError):
    pass


def _str_list(value, what: str, allow_empty: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise GoldLineError(f"{what} must be a list of strings")
    if not allow_empty and not [v for v in value if v.strip()]:
        raise GoldLineError(f"{what} must not be empty")
    return tuple(value)


def _tag(obj: dict, key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise GoldLineError(f'"{key}" must be a non-empty string')
    return value.strip()


def parse_expect(entry, n: int, warnings: list[str]) -> Expect:
    what = f"expect[{n}]"
    if not isinstance(entry, dict):
        raise GoldLineError(f"{what} must be an object")
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        raise GoldLineError(f"{what}.source must be a non-empty string")
    drug = entry.get("drug")
    if drug is not None and (not isinstance(drug, str) or not drug.strip()):
        raise GoldLineError(f"{what}.drug must be a non-empty string")
    sections: list[str] = []
    if "section" in entry and entry["section"] is not None:
        if not isinstance(entry["section"], str):
            raise GoldLineError(f"{what}.section must be a string")
        sections.append(entry["section"])
    if "sections" in entry and entry["sections"] is not None:
        sections.extend(_str_list(entry["sections"], f"{what}.sections"))
    for s in sections:
        if s not in SECTIONS:
            raise GoldLineError(f"{what}: unknown section {s!r} (one of {', '.join(SECTIONS)})")
    contains = None
    if entry.get("contains_any") is not None:
        contains = tuple(s for s in _str_list(entry["contains_any"], f"{what}.contains_any") if s.strip())
    extra = sorted(set(entry) - EXPECT_FIELDS)
    if extra:
        warnings.append(f"{what}: unknown field(s) {', '.join(map(repr, extra))} ignored")
    return Expect(source.replace("\\", "/"), drug, tuple(dict.fromkeys(sections)) or None, contains)


def parse_gold_line(text: str, file: str = "<gold>", line: int = 0) -> tuple[GoldItem, list[str]]:
    """One gold line → (item, warnings). Raises GoldLineError with a one-line reason."""
    try:
        obj = json.loads(text)
    except ValueError as e:
        raise GoldLineError(f"not valid JSON ({getattr(e, 'msg', e)})") from None
    if not isinstance(obj, dict):
        raise GoldLineError("expected a JSON object")
    qid = obj.get("id")
    if isinstance(qid, bool) or not isinstance(qid, (str, int)) or (isinstance(qid, str) and not qid.strip()):
        raise GoldLineError('"id" must be a non-empty string or an integer')
    question = obj.get("question")
    if not isinstance(question, str) or not question.strip():
        raise GoldLineError('"question" must be a non-empty string')
    history = obj.get("history")
    if history is None:
        history = []
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        raise GoldLineError('"history" must be a list of strings')
    warnings: list[str] = []
    expect: tuple[Expect, ...] = ()
    if obj.get("expect") is not None:
        if not isinstance(obj["expect"], list) or not obj["expect"]:
            raise GoldLineError('"expect" must be a non-empty list of objects')
        expect = tuple(parse_expect(e, n, warnings) for n, e in enumerate(obj["expect"]))
    status = obj.get("expect_status")
    if status is not None and status not in GOLD_STATUSES:
        raise GoldLineError(f'"expect_status" must be one of {", ".join(GOLD_STATUSES)}, not {status!r}')
    if not expect and status is None:
        raise GoldLineError('needs "expect" (a list) or "expect_status"')
    if expect and status not in (None, "answered", "emergency"):
        raise GoldLineError(f'"expect" passages contradict "expect_status": {status!r} (those have no passages)')
    drugs: tuple[str, ...] = ()
    if obj.get("expect_drugs") is not None:
        raw = obj["expect_drugs"]
        if not isinstance(raw, list) or not raw or not all(isinstance(d, str) and d.strip() for d in raw):
            raise GoldLineError('"expect_drugs" must be a non-empty list of medicine names')
        drugs = tuple(dict.fromkeys(d.strip() for d in raw))
    item = GoldItem(str(qid), question, tuple(history), expect, status, drugs,
                    _tag(obj, "qtype"), _tag(obj, "style"), file, line)
    return item, warnings


def load_gold(paths: Sequence[Path | str]) -> tuple[list[GoldItem], list[GoldProblem]]:
    """Every valid question of every file, in order; bad lines become problems (skipped).
    A missing or unreadable file raises OSError."""
    items: list[GoldItem] = []
    problems: list[GoldProblem] = []
    for path in paths:
        path = Path(path)
        name = str(path)
        seen: dict[str, int] = {}
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, raw in enumerate(f, 1):
                if not raw.strip():
                    continue
                try:
                    item, warnings = parse_gold_line(raw, name, n)
                except GoldLineError as e:
                    problems.append(GoldProblem(name, n, str(e)))
                    continue
                if item.id in seen:
                    problems.append(GoldProblem(name, n, f"duplicate id {item.id!r} (first on line {seen[item.id]})"))
                    continue
                seen[item.id] = n
                problems.extend(GoldProblem(name, n, w, skipped=False) for w in warnings)
                items.append(item)
    return items, problems
