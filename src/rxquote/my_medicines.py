"""The person's own medicines ("my medicines"): the list, the file that keeps it between
sessions, and the sentences that declare it ("I take sertraline and metoprolol", "my mum is
on warfarin, metoprolol and aspirin", "I'm on zoloft", "she stopped taking aspirin").

The list is a tuple of corpus medicine names, in the order they were added. Nothing here
imports Textual or the engine: `parse_declaration` is given the engine's `resolve_names`.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

FORMAT_VERSION = 1
MAX_MEDICINES = 50  # a longer saved list is cut here (a person's list, not a catalogue)
MAX_NAME_CHARS = 200
MAX_FILE_BYTES = 1 << 20  # a bigger file is not read: it is not one of ours


# -- the list --------------------------------------------------------------------------------


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def added(current: tuple[str, ...], names: Iterable[str]) -> tuple[str, ...]:
    """`current` plus `names` not already on it (compared without case), in order."""
    out = list(current)
    seen = {_key(n) for n in out}
    for n in names:
        n = " ".join(str(n).split())[:MAX_NAME_CHARS]
        if n and _key(n) not in seen and len(out) < MAX_MEDICINES:
            out.append(n)
            seen.add(_key(n))
    return tuple(out)


def removed(current: tuple[str, ...], names: Iterable[str]) -> tuple[str, ...]:
    gone = {_key(n) for n in names}
    return tuple(n for n in current if _key(n) not in gone)


def toggled(current: tuple[str, ...], name: str) -> tuple[str, ...]:
    """Ticked if it was not on the list, unticked if it was."""
    return removed(current, [name]) if _key(name) in {_key(n) for n in current} else added(current, [name])


# -- the file ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    names: tuple[str, ...]
    problem: str | None = None  # why the file could not be read (then `names` is empty)


def load(path: Path) -> Loaded:
    """The saved list. A missing file is an empty list; an unreadable, garbled or foreign one
    is an empty list with the reason, never an exception."""
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return Loaded(())
    except OSError as e:
        return Loaded((), f"cannot read {path}: {e.strerror or e}")
    if len(raw) > MAX_FILE_BYTES:
        return Loaded((), f"{path} is too big to be a list of medicines")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return Loaded((), f"{path} is not a readable list of medicines (not JSON)")
    names = data.get("medicines") if isinstance(data, dict) else None
    if not isinstance(names, list):
        return Loaded((), f"{path} has no \"medicines\" list")
    return Loaded(added((), (n for n in names if isinstance(n, str))))


def save(path: Path, names: Iterable[str]) -> None:
    """Write the list atomically: a temporary file in the same folder, then `os.replace`, so a
    crash leaves the old list or the new one, never half of one. Creates the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"version": FORMAT_VERSION, "medicines": list(added((), names))}, ensure_ascii=False, indent=2)
    fd, tmp = tempfile.mkstemp(prefix=".my-medicines-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# -- declarations -----------------------------------------------------------------------------

# Who takes them: "I", "we", "she", "my mum", "my 80 year old dad", "her husband", "Mum".
# A bare word is a subject unless it is a function word that starts questions or clauses.
_NOT_SUBJECT = {
    "what", "which", "who", "whom", "whose", "how", "why", "when", "where", "is", "are", "am",
    "was", "were", "does", "do", "did", "can", "could", "should", "would", "will", "may",
    "might", "must", "if", "it", "this", "that", "there", "these", "those", "anyone",
    "someone", "everyone", "nobody", "people", "you",
}
_SUBJ = r"(?P<subj>i|(?:my|our|his|her|their)(?:\s+[\w'-]+){1,4}?|[a-z][\w-]*)"
_BE = r"(?:\s+(?:am|is|are)|\s*'(?:m|s|re)|(?<=i)m)"  # "I am", "I'm", "she's", "im"
_ADV = r"(?:\s+(?:also|currently|now|still|usually|regularly|already|only|just|daily))*"
_GIVEN = r"(?:on|taking|using|prescribed|given|put\s+on|started\s+on)"
_ADD = re.compile(
    r"\s*" + _SUBJ + r"(?:"
    + _BE + _ADV + r"\s+" + _GIVEN
    + r"|" + _ADV + r"\s+(?:take|takes|use|uses)"
    + r"|\s*(?:\s+have|\s+has|'ve|'s)\s+been" + _ADV + r"\s+" + _GIVEN
    + r"|\s+(?:was|were|got|get|gets)" + _ADV + r"\s+(?:prescribed|given|put\s+on|started\s+on)"
    + r"|" + _ADV + r"\s+started\s+(?:taking|using|on)"
    + r")\b",
    re.I,
)
_LIST = re.compile(  # "my medicines are …", "her tablets: …", "my mum's meds include …"
    r"\s*(?P<subj>(?:my|our|his|her|their)(?:\s+[\w'-]+){0,2}?)\s+"
    r"(?:medicines?|medications?|meds|tablets|pills|prescriptions?|drugs)\s*(?:are|include|:)", re.I)
_REMOVE = re.compile(
    r"\s*" + _SUBJ + r"(?:"
    + r"(?:\s+have|\s+has|'ve|'s)?\s+(?:stopped|quit)(?:\s+(?:taking|using))?"
    + r"|\s+(?:no\s+longer|don't|do\s+not|doesn't|does\s+not)\s+(?:take|use)"
    + r"|" + _BE + r"\s+(?:not|no\s+longer)\s+(?:on|taking|using)"
    + r"|\s+(?:came|comes|come|has\s+come|have\s+come)\s+off"
    + r"|\s+used\s+to\s+take"
    + r")\b",
    re.I,
)
# A clause may start after a comma or one of these words ("Hi, I take …", "… and she takes …").
_LEAD = re.compile(r"[\s,]*(?:(?:and|but|so|also|well|hi|hello|hey|ok|okay|yes|no)\b[\s,]*)*", re.I)
# The list of names ends where a new clause or a question starts.
_LIST_END = re.compile(
    r"(?:,|\s)\s*(?:and\s+|but\s+|so\s+)?(?=(?:can|could|should|is|are|am|will|would|does|do|did|what|which|how|why|"
    r"when|where|may|might|any|anything|i|she|he|we|they|it|this|that|please|thanks?)\b)",
    re.I,
)
_ITEM_SPLIT = re.compile(r",|;|&|\+|\band\b|\bplus\b|\bas\s+well\s+as\b", re.I)
_ASKS = re.compile(  # a clause that starts like a question ("any problem with …", "is it …")
    r"^[\s,]*(?:(?:and|but|so|also|well|hi|hello|hey|ok|okay)\b[\s,]*)*"
    r"(?:can|could|should|shall|is|are|am|will|would|does|do|did|what|which|how|why|when|where|who|may|might|"
    r"any|anything|must)\b", re.I)


@dataclass(frozen=True)
class Declaration:
    added: tuple[str, ...]  # medicines the text says are taken
    removed: tuple[str, ...]  # medicines it says are no longer taken
    unrecognised: tuple[str, ...]  # list items naming no medicine of the corpus ("a water pill")
    question: bool  # the text also asks something ("?", or a clause that starts like a question)
    rest: str = ""  # the text outside the declaration ("I look after my dad", "I feel dizzy")


def parse_declaration(text: str, resolve: Callable[[str], tuple[str, ...]]) -> Declaration | None:
    """The medicines `text` says someone takes (or stopped taking), or None when it declares
    none. `resolve(text)` gives the corpus medicines a text names (`Engine.resolve_names`).
    Whether the rest of the text asks something beyond `question` ("I feel dizzy") is for the
    caller to judge from `rest` (the chat asks the engine's intent detector).

    A declaration starts a sentence or a clause ("Hi, I take …", "… and she takes …"), so
    "can I take ibuprofen?" or "what if I take aspirin" never declares anything. A clause counts
    only when `resolve` finds a medicine in it."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    add: list[str] = []
    drop: list[str] = []
    unknown: list[str] = []
    rest: list[str] = []
    for sentence in re.split(r"[.!?;\n]+", text):
        for clause, kind, names, items in _clauses(sentence, resolve):
            if kind is None:
                rest.append(clause)
                continue
            (add if kind == "add" else drop).extend(names)
            unknown.extend(items)
    if not add and not drop:
        return None
    clauses = [c.strip(" ,") for c in rest if re.search(r"[a-z]", c, re.I)]
    asks = "?" in text or any(_ASKS.match(c) for c in clauses)
    return Declaration(_unique(add), _unique(drop), _unique(unknown) if add else (), asks, " ".join(clauses))


def _clauses(sentence: str, resolve):
    """(clause text, "add" | "remove" | None, names, unrecognised items) for a sentence."""
    pos = 0
    while pos < len(sentence):
        lead = _LEAD.match(sentence, pos)
        start = lead.end()
        match = None
        for kind, pattern in (("remove", _REMOVE), ("add", _ADD), ("add", _LIST)):
            m = pattern.match(sentence, start)
            if m and (kind == "add" and pattern is _LIST or m.group("subj").lower() not in _NOT_SUBJECT):
                match = (kind, m)
                break
        if match is None:
            nxt = _next_clause(sentence, start)
            yield sentence[pos:nxt], None, (), ()
            pos = nxt
            continue
        kind, m = match
        end = _LIST_END.search(sentence, m.end())
        stop = end.start() if end else len(sentence)
        listed = sentence[m.end():stop]
        names = resolve(listed) if listed.strip() else ()
        if not names:  # "I am on holiday": not a declaration after all
            yield sentence[pos:stop], None, (), ()
        else:
            items = [i.strip(" :-") for i in _ITEM_SPLIT.split(listed)]
            unknown = tuple(i for i in items if re.search(r"[a-z]", i, re.I) and not resolve(i)) if kind == "add" else ()
            yield sentence[pos:stop], kind, names, unknown
        pos = max(stop, pos + 1)


def _next_clause(sentence: str, start: int) -> int:
    """Where the next clause may start: after the next comma or "and"/"but"."""
    m = re.compile(r",|\b(?:and|but)\b", re.I).search(sentence, start + 1)
    return m.start() + (1 if m.group(0) == "," else 0) if m else len(sentence)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for i in items:
        if i not in out:
            out.append(i)
    return tuple(out)
