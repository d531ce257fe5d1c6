"""regex_needs: the strings every match of a pattern holds, and patterns that skip texts by them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rxquote import intents, safety
from rxquote.regex_needs import GatedPattern, PatternSet, required_strings


@pytest.mark.parametrize("pattern, needs", [
    (r"\b(ok|fine)\b", {"ok", "fine"}),  # short words count too: every alternative brings one
    (r"a?b", {"b"}),
    (r"(x|y*)", None),  # an alternative that may match nothing: no string is needed
    (r"foo(?=bar)", {"foo"}),  # a lookahead's text is not part of the match
    (r"(?!no)yes", {"yes"}),
    (r"\bwhat is\b.{1,40}\bfor $", {"what is"}),  # the longest of the runs a match holds
    (r"(?i)abc", None),  # case-insensitive: "ABC" matches without holding "abc"
    (r"ab(?i:cd)", {"ab"}),
    (r"[abc]+", None),
    (r"x{0,3}yz", {"yz"}),
    (r"(?:ab)+", {"ab"}),
    (r"\bstor(e|es|age)\b", {"stor"}),
    (r"(?:took|taken|(?:i|he) was taking) too much", {" too much"}),
])
def test_required_strings(pattern, needs):
    assert required_strings(pattern) == (frozenset(needs) if needs is not None else None)


# small patterns over a small alphabet, so that random texts often match them
_ATOMS = st.sampled_from(["a", "b", "ab", "ba", "c", ".", "[ab]", r"\b", " ", "a b"])


def _patterns():
    def extend(inner):
        return st.one_of(
            st.tuples(inner, inner).map("".join),
            st.tuples(inner, inner).map(lambda t: f"(?:{t[0]}|{t[1]})"),
            inner.map(lambda p: f"(?:{p})?"),
            inner.map(lambda p: f"(?:{p})+"),
            inner.map(lambda p: f"(?:{p}){{0,2}}"),
            inner.map(lambda p: f"(?:{p}){{2,3}}"),
            st.tuples(inner, inner).map(lambda t: f"(?={t[0]}){t[1]}"),
            st.tuples(inner, inner).map(lambda t: f"(?!{t[0]}){t[1]}"),
            inner.map(lambda p: f"({p})"),
        )

    return st.recursive(_ATOMS, extend, max_leaves=8)


@settings(max_examples=400, deadline=None)
@given(_patterns(), st.lists(st.text(alphabet="abc ", max_size=12), min_size=1, max_size=8))
def test_a_text_that_matches_holds_a_needed_string(pattern, texts):
    needs = required_strings(pattern)
    gated = GatedPattern(pattern, gate_after=0)
    for text in texts:
        m = re.search(pattern, text)
        if m is not None and needs is not None:
            assert any(s in text for s in needs), (pattern, text, needs)
        g = gated.search(text)
        assert (g and g.span()) == (m and m.span())
        assert [x.span() for x in gated.finditer(text)] == [x.span() for x in re.finditer(pattern, text)]


@settings(max_examples=200, deadline=None)
@given(st.lists(_patterns(), min_size=1, max_size=6), st.lists(st.text(alphabet="abc ", max_size=12), min_size=1, max_size=8))
def test_a_pattern_set_leaves_out_only_patterns_that_cannot_match(patterns, texts):
    regexes = [re.compile(p) for p in patterns]
    together = PatternSet(regexes, gate_after=1)
    assert together.may_match("first text") is None  # before the strings are worked out: any may
    for text in texts:
        may = together.may_match(text)
        assert {r for r in regexes if r.search(text)} <= may


QUESTIONS = ["what is diazepam used for?", "how should I store my insulin", "i took 30 of my sleeping pills",
             "my son swallowed some of my pills", "can I drink alcohol with metronidazole", "whats the dose for a child",
             "how does it work in the body", "i forgot my pill yesterday", "where can i buy it cheap", ""]


def test_gated_intents_and_rules_answer_as_their_patterns():
    every = PatternSet([p for intent in intents.INTENTS for p, _ in intent._compiled], gate_after=0)
    for q in map(intents.normalize_question, QUESTIONS):
        for intent in intents.INTENTS:
            assert intent.score(q, every.may_match(q)) == intent.score(q)
    for intent in intents.INTENTS:
        gated = [GatedPattern(p.pattern, p, gate_after=0) for p, _ in intent._compiled]
        for q in map(intents.normalize_question, QUESTIONS):
            for g, (p, _) in zip(gated, intent._compiled):
                assert bool(g.search(q)) == bool(p.search(q))
    for rule in safety.RULES:
        g = GatedPattern(rule.pattern, gate_after=0)
        for q in QUESTIONS:
            for clause in safety.clauses(q):
                assert (m := g.search(clause)) is None or m.group(0) == re.search(rule.pattern, clause).group(0)
                assert (g.search(clause) is None) == (re.search(rule.pattern, clause) is None)


def test_every_intent_pattern_needs_some_string():
    """The intents' patterns are all gated (a pattern that needs no string would be searched
    in every question: what made detecting an intent cost a quarter of a millisecond)."""
    assert all(required_strings(p) for intent in intents.INTENTS for p, _ in intent.patterns)
