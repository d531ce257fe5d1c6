"""focus.py (issue #12): a passage is the smallest span of whole lines that answers, per layout
— bullets, paragraphs, sub-labelled blocks, FAQ pairs, CRLF pages, one-line sections — always
the source's own lines, inside the chunk they were cut from."""

from __future__ import annotations

from functools import lru_cache

import pytest

from rxquote.corpus import Chunk, parse_text, trim_span
from rxquote.focus import focus_span, question_terms, whole_span
from rxquote.text import Analyzer


@lru_cache(maxsize=1)
def analyzer() -> Analyzer:
    return Analyzer()


def tokenize(text: str) -> list[str]:
    return analyzer().tokens(text)


def idf(term: str) -> float:
    return 1.0  # every word weighs the same: the tests read the layout, not the statistics


def chunk_of(page: str, section: str, drug: str | None = None) -> Chunk:
    [c] = [c for c in parse_text(page, "page.md").chunks if c.section == section and (drug is None or c.drug == drug)]
    return c


def focus(page: str, section: str, topic: str, whole: bool = False, **kw):
    """Focus the page's `section` chunk on a question's topic words (as answer.py passes them:
    without the medicine's name); check the span is verbatim and inside the chunk."""
    c = chunk_of(page, section, **kw)
    span = focus_span(c, [[t] for t in tokenize(topic)], idf, whole, tokenize)
    lines = page.split("\n")
    assert c.start_line <= span.start_line <= span.end_line <= c.end_line
    assert span.text == trim_span("\n".join(lines[span.start_line - 1 : span.end_line]))
    assert lines[span.start_line - 1].strip() and lines[span.end_line - 1].strip()
    return c, span


def lines_of(page: str, span) -> list[str]:
    return page.split("\n")[span.start_line - 1 : span.end_line]


BULLETS = """# Testamol

### Precautions

* **Allergy:** Do not take Testamol if you are allergic to it.
* **Pregnancy:** Ask your doctor before use in pregnancy.
* **Alcohol:** Avoid alcohol while taking Testamol, as it
  increases drowsiness.
* **Driving:** Do not drive until you know how it affects you.
* **Kidneys:** Use with caution in kidney disease.
* **Interactions:** Testamol interacts with blood thinners.

### FAQ

**Q: Can I drink alcohol with Testamol?**
A: No. Alcohol increases its side effects.
"""


def test_bullets_the_one_that_answers_with_its_continuation_line():
    c, span = focus(BULLETS, "precautions", "drink alcohol")
    assert (span.start_line, span.end_line) == (7, 8)
    assert span.text == "**Alcohol:** Avoid alcohol while taking Testamol, as it\n  increases drowsiness."
    assert not span.whole and (c.start_line, c.end_line) == (5, 11)


def test_bullets_two_neighbours_for_two_things_asked():
    _, span = focus(BULLETS, "precautions", "alcohol and driving")
    assert (span.start_line, span.end_line) == (7, 9)


def test_bullets_first_one_whose_marker_the_chunk_trimmed():
    _, span = focus(BULLETS, "precautions", "allergic reaction")
    assert (span.start_line, span.end_line) == (5, 5)
    assert span.text == "**Allergy:** Do not take Testamol if you are allergic to it."


def test_the_whole_chunk_when_asked_for_it_or_nothing_stands_out():
    c = chunk_of(BULLETS, "precautions")
    assert focus(BULLETS, "precautions", "alcohol", whole=True)[1] == whole_span(c)
    assert focus(BULLETS, "precautions", "weather")[1] == whole_span(c)  # no line names it
    assert focus(BULLETS, "precautions", "testamol")[1].whole  # most bullets name it: no clear winner
    # a long story in which one everyday word happens to match: the answer may be anywhere
    assert focus(BULLETS, "precautions", "my mom loves salads gardening walks kidney")[1].whole
    span = focus_span(c, [], idf, False, tokenize)
    assert span == whole_span(c) and span.text == c.text


def test_faq_pairs_are_never_cut():
    c, span = focus(BULLETS, "faq", "alcohol side effects")
    assert span == whole_span(c) and (c.start_line, c.end_line) == (15, 16)


PARAGRAPHS = """# Testamol

### Dosage

Testamol is taken by mouth, once a day, with or without food.

For children, the dose depends on body weight and is set by
the child's doctor.

Older adults may need a lower dose.
"""


def test_paragraphs_the_whole_paragraph():
    _, span = focus(PARAGRAPHS, "dosage", "kids")  # no such word in the page
    assert span.whole
    _, span = focus(PARAGRAPHS, "dosage", "children")
    assert (span.start_line, span.end_line) == (7, 8)
    assert lines_of(PARAGRAPHS, span)[-1] == "the child's doctor."


LABELS = """# Testamol

### Dosage

**Adults:**

* Tablets: 10 mg once daily.
* Liquid: 5 ml once daily.

**Children:**

* Under 6 years: not recommended.
* 6 to 12 years: 5 mg once daily.

**Kidney Disease:** Lower the dose to 5 mg every other day.

**Missed Dose:** Take it when you remember, unless the next dose is near.
"""


def test_sub_labels_a_label_line_brings_what_it_owns():
    _, span = focus(LABELS, "dosage", "children")
    assert lines_of(LABELS, span) == ["**Children:**", "", "* Under 6 years: not recommended.",
                                      "* 6 to 12 years: 5 mg once daily."]


def test_sub_labels_an_inline_label_is_its_own_block():
    _, span = focus(LABELS, "dosage", "kidney disease")
    assert lines_of(LABELS, span) == ["**Kidney Disease:** Lower the dose to 5 mg every other day."]


def test_sub_labels_a_bullet_keeps_the_label_right_above_it():
    _, span = focus(LABELS, "dosage", "liquid")
    assert lines_of(LABELS, span) == ["**Adults:**", "", "* Tablets: 10 mg once daily.", "* Liquid: 5 ml once daily."]


NESTED = """# Testamol

### Dosage

The dose depends on the condition treated:

* **Pain:** 10 mg as needed.
* **Weight-adjusted dosing:**
    * 12-16 kg: 5 mg twice daily
    * 17-22 kg: 5 mg in the morning and 10 mg in the evening
* **Fever:** 5 mg every 6 hours.

Always follow your doctor's instructions.
"""


def test_sub_bullets_come_with_their_parent_and_the_parent_with_them():
    _, span = focus(NESTED, "dosage", "evening")
    assert lines_of(NESTED, span) == ["* **Weight-adjusted dosing:**", "    * 12-16 kg: 5 mg twice daily",
                                      "    * 17-22 kg: 5 mg in the morning and 10 mg in the evening"]
    _, span = focus(NESTED, "dosage", "fever")
    assert lines_of(NESTED, span) == ["* **Fever:** 5 mg every 6 hours."]
    # the lead line is kept when little stands between it and the focused block
    _, span = focus(NESTED, "dosage", "weight adjusted")
    assert (span.start_line, span.end_line) == (5, 10)


def test_a_label_that_names_it_beats_a_mention():
    page = """# Testamol

### Precautions

* **Heart Failure:** Testamol can worsen heart failure.
* **Bladder Cancer:** Studies show a higher risk of bladder cancer.
* **Pregnancy:** Not recommended.
* **Elderly:** Use with caution, given the risk of bladder cancer in older adults.
"""
    _, span = focus(page, "precautions", "bladder cancer")
    assert (span.start_line, span.end_line) == (6, 6)


def test_the_sections_own_label_is_not_repeated_above_the_focused_lines():
    page = """# Testamol

**Side Effects:**

* **Common:** Dry mouth, constipation, drowsiness.
* **Serious:** Seizures, irregular heartbeat.
"""
    c, span = focus(page, "side_effects", "dry mouth")
    assert c.start_line == 3 and (span.start_line, span.end_line) == (5, 5)


def test_crlf_pages():
    page = BULLETS.replace("\n", "\r\n")
    c, span = focus(page, "precautions", "drink alcohol")
    assert (span.start_line, span.end_line) == (7, 8)
    assert span.text == "**Alcohol:** Avoid alcohol while taking Testamol, as it\r\n  increases drowsiness."
    c, span = focus(LABELS.replace("\n", "\r\n"), "dosage", "children")
    assert (span.start_line, span.end_line) == (10, 13)
    assert not span.text.endswith("\r")


def test_a_one_line_section_is_whole():
    page = "# Testamol\n\n**Usage:** Testamol treats headaches and, in children, fever.\n"
    c, span = focus(page, "usage", "children")
    assert span == whole_span(c) and (c.start_line, c.end_line) == (3, 3)


def test_line_numbers_count_from_the_chunks_end_when_leading_lines_were_trimmed():
    # trim_span may eat a marker-only first line ("*" then the text on the next line)
    c = Chunk(0, "x.md", "X", "X", "precautions", "Precautions", 10, 13,
              trim_span("*\nAlcohol: avoid it.\n\nDriving: take care."))
    assert c.text == "Alcohol: avoid it.\n\nDriving: take care."
    span = focus_span(c, [["drive"]], idf, False, tokenize)
    assert (span.start_line, span.end_line, span.text) == (13, 13, "Driving: take care.")


def test_synonyms_count_as_the_word_asked():
    c = chunk_of(BULLETS, "precautions")
    span = focus_span(c, [("pregnant", "pregnanc")], idf, False, tokenize)
    assert (span.start_line, span.end_line) == (6, 6)


@pytest.mark.parametrize("layout", [BULLETS, PARAGRAPHS, LABELS, NESTED])
def test_any_question_gives_a_verbatim_span_inside_the_chunk(layout):
    for c in parse_text(layout, "page.md").chunks:
        for q in ("alcohol", "children dose", "testamol", "5 mg", "", "daily kidney"):
            span = focus_span(c, [[t] for t in tokenize(q)], idf, False, tokenize)
            assert c.start_line <= span.start_line <= span.end_line <= c.end_line
            assert span.text == trim_span("\n".join(layout.split("\n")[span.start_line - 1 : span.end_line]))


def test_question_terms():
    topic = [("pregnant", "pregnanc")]
    assert question_terms(topic, ["Testamol"], "Testamol", tokenize) == (topic, False)
    assert question_terms([], ["Testamol"], "Testamol", tokenize) == ([], True)
    # "can I take testamol with fuzzamine?": on Testamol's page, the lines naming Fuzzamine or interactions
    terms, whole = question_terms([], ["Testamol", "Fuzzamine"], "Testamol", tokenize)
    assert not whole and terms == [("fuzzamin", "interact")]
    span = focus_span(chunk_of(BULLETS, "precautions"), terms, idf, whole, tokenize)
    assert (span.start_line, span.end_line) == (11, 11)


# -- on the real corpus -------------------------------------------------------------------------


def test_two_medicines_quote_their_interaction_lines_on_rxhive(rxhive_engine):
    a = rxhive_engine.ask("can I take ibuprofen with lisinopril?")
    first, second = a.passages[:2]
    assert (first.drug, first.source, first.start_line, first.end_line) == ("Ibuprofen", "i/ibuprofen.md", 56, 56)
    assert first.text.startswith("**Drug Interactions:**")
    assert first.section_start_line < first.start_line
    assert second.drug == "Lisinopril" and second.text.startswith("**Interactions:**") and "NSAIDs" in second.text


def test_whole_topic_questions_quote_whole_sections_on_rxhive(rxhive_engine):
    p = rxhive_engine.ask("what are the side effects of sertraline?").passages[0]
    assert p.section == "side_effects"
    assert (p.start_line, p.end_line) == (p.section_start_line, p.section_end_line)


def test_focused_spans_match_the_source_files_on_rxhive(rxhive_engine):
    """A sweep over real chunks (every 40th section), focused on words of one of their lines:
    the span is the file's own lines, trimmed as chunks are, inside the chunk."""
    from rxquote.corpus import decode
    from rxquote.focus import index_idf

    index = rxhive_engine.index
    tok, weight = index.analyzer.tokens, index_idf(index.bm25)
    files: dict[str, list[str]] = {}
    cut = 0
    for c in index.chunks(range(0, index.size, 40)):
        lines = c.text.split("\n")
        words = tok(lines[len(lines) // 2])[:2]
        span = focus_span(c, words, weight, False, tok)
        if c.source not in files:
            files[c.source] = decode((rxhive_engine.corpus / c.source).read_bytes())[0].split("\n")
        src = files[c.source]
        assert c.start_line <= span.start_line <= span.end_line <= c.end_line
        assert span.text == trim_span("\n".join(src[span.start_line - 1 : span.end_line])), (c.source, span)
        cut += not span.whole
    assert cut > 100  # the sweep did cut many chunks, not only pass them through


def test_a_short_focus_takes_in_its_neighbours():
    """With a context budget, a one-bullet focus grows by neighbouring bullets (the answer often
    sits beside the line that names the word), never past the budget or to the whole chunk."""
    text = "\n".join(["**Common side effects:**", "* Drowsiness the next day", "* Hangover effect",
                      "* Headache", "* Dizziness"] + [f"* Rare effect number {i} with a long description of it" for i in range(12)])
    chunk = Chunk(0, "x.md", "X", "X", "side_effects", "Side Effects", 10, 10 + text.count("\n"), text)
    idf = lambda t: 1.0  # noqa: E731
    tok = lambda s: [w.lower() for w in s.replace("*", " ").split()]  # noqa: E731
    tight = focus_span(chunk, ["drowsiness"], idf, False, tok)
    wide = focus_span(chunk, ["drowsiness"], idf, False, tok, context=120)
    assert tight.end_line == 11 and "Hangover" not in tight.text
    assert wide.start_line <= 11 <= wide.end_line and "Hangover effect" in wide.text
    assert len(wide.text) <= 120 and not wide.whole
