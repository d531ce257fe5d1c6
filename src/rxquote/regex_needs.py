"""What every match of a regular expression holds: strings to look for before searching.

A pattern is searched in a text only when the text holds one of the strings every match of
the pattern holds; a text that holds none cannot match, so skipping it changes no result.
Most of a question's intent patterns and emergency rules are skipped that way (a search of a
long alternation costs tens of microseconds; looking for its words, about one).

Working the strings out parses the pattern, which costs about what compiling it does, so a
`GatedPattern` (or a `PatternSet`) does it only once it has been searched a few times: a
process that answers one question (a cold `ask`) never pays for it; a chat, a batch or an
evaluation does, once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

_UNKNOWN = object()


class GatedPattern:
    """A compiled pattern that skips the texts it cannot match (see the module doc). Its
    `search`, `finditer` and `sub` give what the compiled pattern's give."""

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

    def sub(self, replacement: str, text: str) -> str:
        return self.regex.sub(replacement, text) if self.may_match(text) else text


class PatternSet:
    """Patterns searched in the same texts (every intent's): `may_match(text)` gives those that
    may match it, from one look for every string their matches need (None: all of them, before
    the strings are worked out)."""

    def __init__(self, regexes: Sequence[re.Pattern], gate_after: int = 4):
        self.regexes = tuple(regexes)
        self.gate_after = gate_after  # texts before the strings are worked out
        self._texts = 0
        self._always: frozenset[re.Pattern] | None = None  # patterns that need no known string
        self._by_string: dict[str, frozenset[re.Pattern]] = {}  # needed string → patterns needing it

    def may_match(self, text: str) -> frozenset[re.Pattern] | None:
        if self._always is None:
            self._texts += 1
            if self._texts <= self.gate_after:
                return None
            self._work_out()
        found = [ps for s, ps in self._by_string.items() if s in text]
        return self._always.union(*found) if found else self._always

    def _work_out(self) -> None:
        always: set[re.Pattern] = set()
        by_string: dict[str, set[re.Pattern]] = {}
        for regex in self.regexes:
            needs = required_strings(regex.pattern) if regex.flags & re.IGNORECASE == 0 else None
            if needs is None:
                always.add(regex)
            for s in needs or ():
                by_string.setdefault(s, set()).add(regex)
        self._by_string = {s: frozenset(ps) for s, ps in by_string.items()}
        self._always = frozenset(always)


def required_strings(pattern: str) -> frozenset[str] | None:
    """Strings of which every match of `pattern` (compiled without flags) holds at least one,
    or None when no such set is known (then every text must be searched). Read from the parsed pattern: a run of
    literal characters must appear in the match of the sequence it is in, each alternative
    of a group brings its own, a repeat its body's when it repeats at least once; lookarounds,
    character sets and case-insensitive parts bring none. A text that holds none of the
    strings cannot match, so skipping its search changes no result."""
    try:
        try:
            from re import _constants as sre, _parser as parser
        except ImportError:  # Python 3.10
            import sre_constants as sre
            import sre_parse as parser

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
