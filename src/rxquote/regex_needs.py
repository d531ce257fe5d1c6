"""What every match of a regular expression holds: strings to look for before searching.

A pattern is searched in a text only when the text holds one of the strings every match of
the pattern holds; a text that holds none cannot match, so skipping it changes no result.
Most of a question's intent patterns and emergency rules are skipped that way (a search of a
long alternation costs tens of microseconds; looking for its words, about one).

Working the strings out parses the pattern, which costs about what compiling it does, so a
`GatedPattern` does it only once it has been searched a few times: a process that answers one
question (a cold `ask`) never pays for it; a chat, a batch or an evaluation does, once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_UNKNOWN = object()


class GatedPattern:
    """A compiled pattern that skips the texts it cannot match (see the module doc). Its
    `search` and `finditer` give what the compiled pattern's give."""

    __slots__ = ("pattern", "regex", "gate_after", "_needs", "_searches")

    def __init__(self, pattern: str, regex: re.Pattern | None = None, gate_after: int = 4):
        self.pattern = pattern
        self.regex = regex if regex is not None else re.compile(pattern)
        self.gate_after = gate_after  # searches before the strings are worked out (a cold `ask`: 1-3)
        self._needs = _UNKNOWN
        self._searches = 0

    def may_match(self, text: str) -> bool:
        """False only when `text` holds none of the strings every match holds."""
        needs = self._needs
        if needs is _UNKNOWN:
            self._searches += 1
            if self._searches <= self.gate_after:
                return True
            needs = self._needs = required_strings(self.pattern)
        return needs is None or any(x in text for x in needs)

    def search(self, text: str) -> re.Match | None:
        return self.regex.search(text) if self.may_match(text) else None

    def finditer(self, text: str) -> Iterator[re.Match]:
        return self.regex.finditer(text) if self.may_match(text) else iter(())


def required_strings(pattern: str) -> frozenset[str] | None:
    """Strings of which every match of `pattern` (compiled without flags) holds at least one,
    or None when no such set is known (then every text must be searched). Read from the parsed pattern: a run of
    literal characters must appear in the match of the sequence it is in, each alternative
    of a group brings its own, a repeat its body's when it repeats at least once; lookarounds,
    character sets and case-insensitive parts bring none. A text that holds none of the
    strings cannot match, so skipping its search changes no result."""
    try:
        from re import _constants as sre, _parser as parser

        tree = parser.parse(pattern)
        if tree.state.flags & sre.SRE_FLAG_IGNORECASE:
            return None
        return _required(tree, sre)
    except Exception:  # noqa: BLE001 - a private parser that changed: search every text, as before
        return None


def _required(seq, sre) -> frozenset[str] | None:
    best: frozenset[str] | None = None

    def consider(found: frozenset[str] | None) -> None:
        nonlocal best
        # the set whose shortest string is longest: the rarest in a question
        if found and (best is None or min(map(len, found)) > min(map(len, best))):
            best = found

    run: list[str] = []
    for op, av in [*seq, (None, None)]:
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            consider(frozenset(["".join(run)]))
            run = []
        if op is sre.SUBPATTERN and not av[1] & sre.SRE_FLAG_IGNORECASE:
            consider(_required(av[3], sre))
        elif op is sre.BRANCH:
            alternatives = [_required(b, sre) for b in av[1]]
            if all(alternatives):
                consider(frozenset().union(*alternatives))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)) and av[0] >= 1:
            consider(_required(av[2], sre))
    return best
