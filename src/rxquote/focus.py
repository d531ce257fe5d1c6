"""The lines of a chunk that answer a question: a passage cut down to whole source lines.

A chunk (a whole section, or an FAQ pair) is read as Markdown blocks: paragraphs, bullets
(with their continuation lines and sub-bullets), and leads — a heading, a bold label on a line
of its own (`**Adults:**`), or any block ending in a colon — which own the blocks after them.
Each block is scored with the index's own idf over the question's topic terms (stems of the
index's analyzer); the smallest block holding the best score wins, with the blocks tied with
it and the adjacent blocks naming the question's other terms, and with the lead right above
it. The whole chunk is the answer for an FAQ pair, when the question asks for the section's
whole topic, and when no block is clearly better than the rest.

Line i of `chunk.text.split("\\n")` is source line `end_line - (n - 1) + i`: the chunk's text
is its source lines joined and trimmed only at the ends (`corpus.trim_span`), so its last line
is always `end_line`, and leading blank or marker-only lines may have been trimmed away. The
focused text is `trim_span` of the chosen lines, so it is verbatim exactly as chunk texts are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from .corpus import Chunk, clean_inline, decode, read_monograph, trim_span

# A cut that keeps this share of the chunk or more is no cut: the whole chunk is quoted.
KEEP_WHOLE_SHARE = 0.8
CONTEXT_CHARS = 400  # a focused quote shorter than this takes in its neighbouring blocks (measured: 0 → 400 chars lifts consumer-dev section Hit@1 0.767 → 0.781, median first quote 262 → 370)
# A block must name this share of the question's (idf-weighted) words to be quoted alone.
MIN_QUESTION_SHARE = 0.2
# What two medicines taken together is called in monographs (see `question_terms`).
INTERACTIONS = "interactions"
# A lead (label, heading, "…:" line) is kept with the focused block when no more than this many
# characters of other blocks stand between them ("**Common:**", "* Fatigue", "* Depression").
LEAD_GAP_CHARS = 120

_BULLET = re.compile(r"^(?P<indent>[ \t]*)(?:[*+-]|\d{1,3}[.)])[ \t]+\S")
_HEADING = re.compile(r"^[ \t]{0,3}(?P<hashes>#{1,6})[ \t]")
# `**Adults:**`, `* **Weight-adjusted dosing:**`, `__Children__`: a label with no text of its own
_LABEL_ONLY = re.compile(r"^[ \t]*(?:[*+-][ \t]+)?(?:\*\*|__)[^*_\n]{1,80}(?:\*\*|__)[ \t]*:?[ \t]*$")

_LEADING_BOLD = re.compile(r"^[ \t]*(?:(?:[*+-]|\d{1,3}[.)])[ \t]+)?(?:\*\*|__)(?P<label>[^*_\n]{1,80}?)(?:\*\*|__)")


@dataclass(frozen=True)
class LineSpan:
    """Source lines start_line..end_line (1-based, inclusive) and their trimmed text."""

    start_line: int
    end_line: int
    text: str
    whole: bool  # the span is the whole chunk


@dataclass(frozen=True)
class _Block:
    first: int  # index into the chunk's lines
    last: int
    depth: int  # nesting: headings < labels < paragraphs < bullets (by indent)
    lead: bool  # owns the blocks after it that are nested deeper
    parent: int  # index of the owning lead or bullet block, -1 for none
    end: int  # last line of the block with everything it owns


def question_terms(topic_terms: Sequence[Sequence[str]], drugs: Sequence[str], drug: str,
                   tokenize: Callable[[str], list[str]]) -> tuple[list[Sequence[str]], bool]:
    """(terms, whole) for `focus_span` of a passage about `drug`.

    `topic_terms` are the question's topic words (each with its synonyms), `drugs` the
    medicines it is about. With no topic word, a question naming two medicines ("can I take A
    with B?") asks how they go together, a word it never says: on A's page the lines naming B,
    or interactions, answer it; a question about one medicine asks for the whole chunk.
    """
    if topic_terms:
        return list(topic_terms), False
    own = set(tokenize(drug))
    others = [t for d in drugs for t in tokenize(d) if t not in own]
    if not others:
        return [], True
    return [tuple(dict.fromkeys(others + tokenize(INTERACTIONS)))], False


def whole_span(chunk: Chunk) -> LineSpan:
    return LineSpan(chunk.start_line, chunk.end_line, chunk.text, True)


def focus_span(chunk: Chunk, terms: Sequence[str | Sequence[str]], idf: Callable[[str], float], whole: bool,
               tokenize: Callable[[str], list[str]], context: int = 0) -> LineSpan:
    """The smallest span of whole lines of `chunk` that answers a question about `terms`.

    `terms` are the question's topic stems (as `tokenize`, the index's analyzer, makes them),
    each a stem or a group of stems that count as one (a word and its everyday synonyms);
    `idf` gives a stem's weight in the index; `whole` says the question asks for the chunk's
    whole topic; a focus shorter than `context` characters takes in its neighbouring blocks
    (answers use CONTEXT_CHARS). Pure: reads nothing but its arguments.
    """
    if whole or chunk.section == "faq" or chunk.start_line == chunk.end_line:
        return whole_span(chunk)
    groups = _groups(terms, idf)
    weights = {stem: w for group, w in groups for stem in group}
    lines = chunk.text.split("\n")
    first_line = chunk.end_line - (len(lines) - 1)
    if not weights or first_line < chunk.start_line:
        return whole_span(chunk)
    blocks = _blocks(lines)
    if len(blocks) < 2:
        return whole_span(chunk)
    # what each block names, as the question's words (a group stands for its first stem)
    rep = {stem: group[0] for group, _ in groups for stem in group}
    found = [frozenset(rep[t] for t in tokenize(_joined(lines, b.first, b.last)) if t in rep) for b in blocks]
    labelled = [frozenset(rep[t] for t in tokenize(_label(lines[b.first])) if t in rep) for b in blocks]
    picked = _pick(blocks, found, labelled, {group[0]: w for group, w in groups}, lines, chunk.heading)
    if picked is None:
        return whole_span(chunk)
    # a short focus in a section longer than the budget takes in its neighbours; a section that
    # short keeps its focus (quoting it whole would say no more)
    a, b = _with_neighbours(*picked, blocks, lines, context) if len(chunk.text) > context else picked
    kept = sum(len(s) + 1 for s in lines[a : b + 1])
    if kept >= KEEP_WHOLE_SHARE * (len(chunk.text) + 1):
        return whole_span(chunk)
    text = trim_span(_joined(lines, a, b))
    if not text:
        return whole_span(chunk)
    return LineSpan(first_line + a, first_line + b, text, False)


def _groups(terms, idf) -> list[tuple[tuple[str, ...], float]]:
    """The question's words as groups of stems that count as one ("pregnant" or "pregnanc"),
    each weighted by the idf of its rarest known stem; unknown words are dropped."""
    out: list[tuple[tuple[str, ...], float]] = []
    seen: set[str] = set()
    for term in terms:
        group = tuple(s for s in dict.fromkeys((term,) if isinstance(term, str) else term) if s not in seen)
        weight = max((idf(s) for s in group), default=0.0)
        if group and weight > 0:
            out.append((group, weight))
            seen.update(group)
    return out


def _joined(lines: list[str], a: int, b: int) -> str:
    return "\n".join(lines[a : b + 1])


def _pick(blocks: list[_Block], found: list[frozenset], labelled: list[frozenset], weights: dict[str, float],
          lines: list[str], heading: str) -> tuple[int, int] | None:
    """(first, last) chunk line of the focused span, or None for the whole chunk."""
    # every block with what it owns is a candidate; its score is the idf of the terms it names
    owned = [_owned_terms(i, blocks, found) for i in range(len(blocks))]
    score = [sum(weights[t] for t in got) for got in owned]
    best = max(score)
    if best <= 0 or best < MIN_QUESTION_SHARE * sum(weights.values()):
        return None  # no block names a good part of what is asked: the answer may be anywhere
    top = {i for i, s in enumerate(score) if s >= best - 1e-9}
    for i in sorted(top):
        inside = {j for j in top if j != i and blocks[i].first <= blocks[j].first and blocks[j].end <= blocks[i].end}
        if inside:
            # a lead that names it itself is quoted with what it owns; one that scores only
            # through a block under it gives way to that block
            top -= inside if found[i] else {i}
    if len(top) > 1:
        # tied blocks: those whose own label names it ("**Bladder Cancer:**" is about it,
        # "**Elderly:** ... the risk of bladder cancer" mentions it)
        label = {i: sum(weights[t] for t in labelled[i]) for i in top}
        if max(label.values()) > 0:
            top = {i for i in top if label[i] == max(label.values())}
    a = min(blocks[i].first for i in top)
    b = max(blocks[i].end for i in top)
    covered = frozenset().union(*(owned[i] for i in top))
    a, b = _widen_to_adjacent(a, b, blocks, found, covered)
    return _with_lead(a, b, blocks, lines, heading)


def _owned_terms(i: int, blocks: list[_Block], found: list[frozenset]) -> frozenset:
    got = set(found[i])
    for j in range(i + 1, len(blocks)):
        if blocks[j].first > blocks[i].end:
            break
        got |= found[j]
    return frozenset(got)


def _widen_to_adjacent(a: int, b: int, blocks: list[_Block], found: list[frozenset], covered: frozenset) -> tuple[int, int]:
    """Add the blocks right before and after the span that name a term it lacks ("alcohol
    and driving" in two neighbouring bullets)."""
    while True:
        before = max((i for i, bl in enumerate(blocks) if bl.last < a), key=lambda i: blocks[i].last, default=None)
        after = min((i for i, bl in enumerate(blocks) if bl.first > b), key=lambda i: blocks[i].first, default=None)
        grown = False
        for i in (before, after):
            if i is not None and found[i] - covered:
                covered |= found[i]
                a, b = min(a, blocks[i].first), max(b, blocks[i].end)
                grown = True
        if not grown:
            return a, b


def _with_neighbours(a: int, b: int, blocks: list[_Block], lines: list[str], limit: int) -> tuple[int, int]:
    """A short focus grows by whole neighbouring blocks, nearest first, while the quote stays
    under `limit` characters: the line that answers often sits beside the one that names the word
    ("Drowsiness" next to "Hangover effect"), and a few lines are still read at a glance."""
    def size(x: int, y: int) -> int:
        return sum(len(line.strip()) + 1 for line in lines[x : y + 1])

    while size(a, b) < limit:
        before = max((bl for bl in blocks if bl.last < a), key=lambda bl: bl.last, default=None)
        after = min((bl for bl in blocks if bl.first > b), key=lambda bl: bl.first, default=None)
        options = [(x, y) for x, y in ((before and before.first, b), (a, after and after.last)) if x is not None and y is not None]
        options = [(x, y) for x, y in options if size(x, y) <= limit]
        if not options:
            break
        a, b = min(options, key=lambda o: size(*o))
    return a, b


def _with_lead(a: int, b: int, blocks: list[_Block], lines: list[str], heading: str) -> tuple[int, int]:
    """Start at the lead (label, heading, "…:" line) the span sits under, when it is near and
    says more than the passage's own heading ("**Precautions:**" atop Precautions does not)."""
    inner = next((i for i, bl in enumerate(blocks) if bl.first == a), None)
    if inner is None:
        return a, b
    p = blocks[inner].parent
    while p >= 0 and not blocks[p].lead:
        p = blocks[p].parent
    gap = sum(len(line.strip()) for line in lines[blocks[p].last + 1 : a]) if p >= 0 else 0
    if p >= 0 and gap <= LEAD_GAP_CHARS and clean_inline(lines[blocks[p].first]) != heading:
        return blocks[p].first, b
    return a, b


def _blocks(lines: list[str]) -> list[_Block]:
    """The chunk's Markdown blocks, each with the lead or bullet that owns it."""
    raw: list[tuple[int, int, int, bool, bool]] = []  # first, last, depth, lead, bullet
    lines = [line.rstrip() for line in lines]  # for reading the shape only: CRLF pages end in "\r"
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        if heading:
            raw.append((i, i, len(heading.group("hashes")) - 10, True, False))
            i += 1
            continue
        if _LABEL_ONLY.match(line) and not bullet:
            raw.append((i, i, 0, True, False))
            i += 1
            continue
        # a bullet or a paragraph: its line and the plain lines that continue it
        j = i
        while j + 1 < n and lines[j + 1].strip() and not _BULLET.match(lines[j + 1]) \
                and not _HEADING.match(lines[j + 1]) and not _LABEL_ONLY.match(lines[j + 1]):
            j += 1
        if bullet:
            depth = 2 + len(bullet.group("indent").expandtabs(4))
        else:  # "**Children:** text" is a sub-labelled block, beside "**Adults:**", not under it
            depth = 0 if _LEADING_BOLD.match(line) else 1
        ends_colon = _plain_end(lines[j]).endswith(":")
        lead = ends_colon or bool(bullet and _LABEL_ONLY.match(line))
        raw.append((i, j, depth, lead, bool(bullet)))
        i = j + 1
    for k in range(len(raw) - 1):
        first, last, depth, lead, bullet = raw[k]
        if bullet or depth > 1 or not raw[k + 1][4]:
            continue
        if first == 0 and raw[k + 1][2] == 2 and _LEADING_BOLD.match(lines[0]) and _LEADING_BOLD.match(lines[raw[k + 1][0]]):
            # "**Contraindications:** ..." above "* **Interactions:** ...": the chunk's first
            # bullet, its marker trimmed with the chunk's text (so in 4 of 5 such rxhive chunks)
            raw[k] = (first, last, 2, lead, True)
        else:
            raw[k] = (first, last, depth, True, bullet)  # a paragraph introduces the list after it
    # owners by a stack: a lead owns deeper blocks; a bullet owns deeper-indented bullets
    parents: list[int] = []
    stack: list[int] = []
    for k, (_, _, depth, _, _) in enumerate(raw):
        while stack and raw[stack[-1]][2] >= depth:
            stack.pop()
        parents.append(stack[-1] if stack else -1)
        _, _, _, lead, bullet = raw[k]
        if lead or bullet:
            stack.append(k)
    ends = [last for _, last, *_ in raw]
    for k in range(len(raw) - 1, -1, -1):
        if parents[k] >= 0:
            ends[parents[k]] = max(ends[parents[k]], ends[k])
    return [_Block(f, l, d, ld, parents[k], ends[k]) for k, (f, l, d, ld, _) in enumerate(raw)]


def _label(line: str) -> str:
    """A block's label: its leading bold text, a heading's text, or a short "…:" line."""
    m = _LEADING_BOLD.match(line)
    if m:
        return m.group("label")
    stripped = line.strip()
    if _HEADING.match(line) or (stripped.endswith(":") and len(stripped) <= 80):
        return stripped
    return ""


def _plain_end(line: str) -> str:
    """A line's end without trailing whitespace and emphasis marks ("**Note:**" ends in ":")."""
    return line.rstrip().rstrip("*_").rstrip()


def section_lines(p, path: Path | None) -> list[str] | None:
    """The source lines of the chunk a passage was cut from (its section or FAQ pair), read
    from its file at `path`, as they are; None when the file or the lines are gone."""
    if path is None:
        return None
    try:
        lines = decode(read_monograph(path))[0].split("\n")
    except OSError:
        return None
    start, end = p.section_start_line or p.start_line, p.section_end_line or p.end_line
    if not 1 <= start <= p.start_line <= p.end_line <= end <= len(lines):
        return None
    return lines[start - 1 : end]


def section_text(p, path: Path | None) -> str | None:
    """The whole chunk a passage was cut from, trimmed as chunk texts are (`ask --full`)."""
    lines = section_lines(p, path)
    if lines is None:
        return None
    return trim_span("\n".join(lines)) or None


def index_idf(bm25) -> Callable[[str], float]:
    """A stem's idf in a `bm25.BM25Index` (0 for a stem the index has never seen)."""
    term_id, idf = bm25.term_id, bm25.idf

    def get(term: str) -> float:
        tid = term_id.get(term)
        return 0.0 if tid is None else float(idf[tid])

    return get
