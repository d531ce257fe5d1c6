"""Issue #7, fuzzing (hypothesis): random questions against the seed index, and random
monograph pages mixing the real layouts (`### Usage`, `### Usage:`, `**Usage:** text`,
ingredient headings on combination pages, `* **Q: ...?** A: ...`, `**Q: ...?**` + `A: ...`,
numbered questions, ...) built into a tiny index and questioned in-process.

Invariants: no exception; every passage is the trimmed source lines start..end (verbatim);
the disclaimer is present; the status is in the vocabulary; no passages for no_match,
unknown_drug and clarify; the JSON line is strict ASCII; the text rendering has no terminal
controls.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rxquote.answer import DISCLAIMER, STATUSES, Engine
from rxquote.corpus import SECTIONS, parse_bytes, trim_span
from rxquote.focus import focus_span
from rxquote.index import build, load
from rxquote.render import to_json_line, to_text
from rxquote.text import Analyzer

from .conftest import SEEDS
from .test_hostile_common import TERMINAL_CONTROLS, check_answer_obj

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PAGES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# any Unicode but surrogates (a str from a file or a terminal never holds them unpaired)
ANY_CHAR = st.characters(blacklist_categories=("Cs",))
CONTROLS = st.sampled_from(["\x1b[2J", "\x1b]52;c;aGk=\x07", "\x00", "\x9b", "\u202e", "\r", "\x08", "\x7f", "\t", "\n"])
WORDS = st.sampled_from([
    "diazepam", "imipramine", "Diazepam + Imipramine", "side effects", "dose", "dosage", "what is", "used for",
    "how does it work", "pregnancy", "alcohol", "stop", "suddenly", "overdose", "took too many", "ibuprofen",
    "zorblaxium", "?", "[bold]", "[/]", "$(reboot)", "'; DROP TABLE x;--", "ignore previous instructions",
    "\U0001f48a", "\u0645\u0627", "\u05de\u05d4", "and", "it", "its", "can I", "with", "children",
])
QUESTIONS = st.one_of(
    st.text(ANY_CHAR, max_size=200),
    st.lists(st.one_of(WORDS, CONTROLS, st.text(ANY_CHAR, max_size=8)), max_size=12).map(" ".join),
)


def _check(answer, corpus: Path) -> None:
    assert answer.status in STATUSES
    assert answer.disclaimer == DISCLAIMER
    if answer.status in ("no_match", "unknown_drug", "clarify"):
        assert not answer.passages
    check_answer_obj(answer, corpus)  # verbatim passages, fixed messages, strict JSON
    text = to_text(answer, explain=answer.explain is not None)
    assert not TERMINAL_CONTROLS.search(text), repr(text)
    text.encode("utf-8")


@FUZZ
@given(question=QUESTIONS, history=st.lists(QUESTIONS, max_size=3), top_k=st.integers(1, 12))
def test_fuzz_questions_on_the_seed_index(seed_engine, question, history, top_k):
    answer = seed_engine.ask(question, history=history, top_k=top_k)
    _check(answer, SEEDS)
    assert len(answer.passages) <= top_k
    assert answer.question == question  # echoed as given (JSON-escaped on output)


@FUZZ
@given(question=QUESTIONS)
def test_fuzz_questions_with_explain(seed_engine, question):
    answer = seed_engine.ask(question, explain=True)
    _check(answer, SEEDS)
    line = to_json_line(answer)
    assert line.isascii()
    json.loads(line)


# -- generated monograph pages ----------------------------------------------------------------

INGREDIENTS = ["Fuzzamine", "Testolol", "Quuxacillin"]
SECTION_WORDS = {
    "usage": ["Usage", "Uses", "Indications"],
    "dosage": ["Dosage", "Dosage and Administration", "How to take"],
    "side_effects": ["Side Effects", "Adverse Reactions"],
    "how_it_works": ["How it Works", "Mechanism of Action"],
    "precautions": ["Precautions", "Warnings", "Contraindications"],
}
BODY_WORDS = st.sampled_from([
    "the", "tablet", "is", "used", "for", "pain", "take", "daily", "with", "food", "may", "cause", "nausea",
    "dizziness", "**bold**", "`code`", "_em_", "\u00e9", "\U0001f48a", "\u2014", "Q:", "A:", "?", ":", "#", "*",
    "-", "1.", ">", "(see", "below)", "[link](x)", "<b>", "&amp;", "Fuzzamine", "Testolol", "\u202e", "\x1b[1m",
])
NOISE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=30)


@st.composite
def body_lines(draw, min_lines: int = 1) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(min_lines, 4))):
        words = " ".join(draw(st.lists(BODY_WORDS, min_size=1, max_size=12)))
        prefix = draw(st.sampled_from(["", "", "* ", "- ", "1. ", "> ", "   ", "\t"]))
        suffix = draw(st.sampled_from(["", "", ".", "  ", " \r"]))
        lines.append(prefix + words + suffix)
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", " ", draw(NOISE)])))
    return lines


@st.composite
def section_block(draw, section: str, drug: str, combination: bool) -> list[str]:
    word = draw(st.sampled_from(SECTION_WORDS[section]))
    style = draw(st.integers(0, 6))
    body = draw(body_lines())
    if style == 0:
        return [f"### {word}", *body]
    if style == 1:
        return [f"### {word}:", *body]
    if style == 2:
        return [f"## {word}", "", *body]
    if style == 3:
        return [f"**{word}:** {body[0]}", *body[1:]]
    if style == 4:
        return [f"### {word}: {body[0]}", *body[1:]]
    if style == 5:
        return [f"### {word} ({drug})" if combination else f"### {word}", *body]
    return [f"### {drug} {word}:", *body]


@st.composite
def faq_block(draw, drug: str) -> list[str]:
    lines = [draw(st.sampled_from(["### FAQ", "## Frequently Asked Questions", "**FAQs:**", "### FAQs:"])), ""]
    for n in range(1, draw(st.integers(1, 4)) + 1):
        q = f"{draw(st.sampled_from(['Can I take', 'Is', 'What does', 'How long does']))} {drug} {' '.join(draw(st.lists(BODY_WORDS, max_size=3)))}?"
        a = " ".join(draw(st.lists(BODY_WORDS, min_size=1, max_size=10)))
        style = draw(st.integers(0, 5))
        if style == 0:
            lines.append(f"* **Q: {q}** A: {a}")
        elif style == 1:
            lines += [f"**Q: {q}**", f"A: {a}"]
        elif style == 2:
            lines += [f"{n}. **{q}**", a]
        elif style == 3:
            lines += [f"**{q}**", a]
        elif style == 4:
            lines += [f"### {q}", a]
        else:
            lines += [f"{n}. {q}", f"   {a}"]
        if draw(st.booleans()):
            lines.append("")
    return lines


@st.composite
def monograph(draw) -> tuple[str, list[str]]:
    k = draw(st.integers(1, 2))
    ingredients = INGREDIENTS[:k] if draw(st.booleans()) else draw(st.permutations(INGREDIENTS))[:k]
    title = " + ".join(ingredients)
    lines: list[str] = []
    if draw(st.booleans()):
        lines += ["---", f"title: {title}", "---"]
    if draw(st.booleans()):
        lines += [f"# {title}", ""]
    lines += draw(body_lines(min_lines=0))
    if draw(st.booleans()):
        lines.append(f"**Generic Name:** {title}")
    for ing in ingredients:
        if k > 1:
            lines.append(draw(st.sampled_from([f"### {ing}", f"## {ing}", f"### Generic Name: {ing}", f"**{ing}**"])))
        sections = draw(st.permutations(sorted(SECTION_WORDS)))[: draw(st.integers(0, len(SECTION_WORDS)))]
        for section in sections:
            lines += draw(section_block(section, ing, k > 1))
    if k > 1 and draw(st.booleans()):
        lines += [draw(st.sampled_from(["### Combination Warnings", "### Taking them together"])), *draw(body_lines())]
    if draw(st.booleans()):
        lines += draw(faq_block(ingredients[0]))
    if draw(st.booleans()):
        lines += ["### Disclaimer", "This page is not medical advice."]
    if draw(st.booleans()):
        lines.append(draw(NOISE))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return newline.join(lines) + draw(st.sampled_from(["", newline])), ingredients


def _assert_verbatim_page(page, raw: str) -> None:
    lines = raw.split("\n")
    for c in page.chunks:
        assert c.section in SECTIONS
        assert 1 <= c.start_line <= c.end_line <= len(lines)
        assert c.text == trim_span("\n".join(lines[c.start_line - 1 : c.end_line])), c
        assert c.text


@PAGES
@given(page=monograph())
def test_fuzz_generated_pages_parse_verbatim(page):
    text, _ = page
    data = text.encode("utf-8")
    parsed = parse_bytes(data, "page.md")
    _assert_verbatim_page(parsed, text.lstrip("\ufeff"))


@PAGES
@given(page=monograph(), data=st.data())
def test_fuzz_focused_spans_are_verbatim_and_inside_their_chunk(page, data):
    """focus_span on every chunk of a generated page, for topic words drawn from the page and
    from anywhere: the span lies inside the chunk, starts and ends on a line with text, and its
    text is the trimmed source lines (the verbatim rule chunks follow)."""
    text, _ = page
    parsed = parse_bytes(text.encode("utf-8"), "page.md")
    lines = text.lstrip("\ufeff").split("\n")
    analyzer = Analyzer()
    vocab = sorted({t for c in parsed.chunks for t in analyzer.tokens(c.text)}) or ["x"]
    for c in parsed.chunks:
        terms = data.draw(st.lists(st.one_of(st.sampled_from(vocab), st.lists(st.sampled_from(vocab), min_size=1, max_size=3)),
                                   max_size=4))
        weight = data.draw(st.sampled_from([lambda t: 1.0, lambda t: float(len(t)), lambda t: 0.0]))
        span = focus_span(c, terms, weight, data.draw(st.booleans()), analyzer.tokens)
        assert c.start_line <= span.start_line <= span.end_line <= c.end_line, (c, span)
        assert span.text == trim_span("\n".join(lines[span.start_line - 1 : span.end_line])), (c, span)
        assert span.text and lines[span.start_line - 1].strip() and lines[span.end_line - 1].strip()
        assert span.whole == ((span.start_line, span.end_line) == (c.start_line, c.end_line))


@PAGES
@given(page=monograph(), extra=QUESTIONS)
def test_fuzz_generated_pages_answer_verbatim(page, extra):
    text, ingredients = page
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        (corpus / "page.md").write_bytes(text.encode("utf-8"))
        report = build(corpus, Path(tmp) / "index", use_lexicon=False)
        assume(report.chunks > 0)
        engine = Engine(load(Path(tmp) / "index"), corpus)
        drug = ingredients[-1]
        history: list[str] = []
        for q in (f"what is {drug} used for?", f"side effects of {drug}", f"how does {drug} work",
                  f"can I take {ingredients[0]} with alcohol?", "and its dosage?", extra,
                  f"{' and '.join(ingredients)} together"):
            answer = engine.ask(q, history=history, top_k=5)
            _check(answer, corpus)
            history.append(q)
