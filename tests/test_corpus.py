"""Parser: one fixture per layout found in rxhive, the seed's acceptance, verbatim spans
(property-based), and the whole rxhive corpus."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rxquote.corpus import SECTIONS, list_corpus, parse_bytes, parse_file, parse_text, trim_span

from .conftest import SEED_FILE, SEEDS

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"


def parse_fixture(name: str):
    return parse_file(LAYOUTS / name, name)


def table(page) -> list[tuple[str, str]]:
    return [(c.section, c.drug) for c in page.chunks]


def assert_verbatim(page, raw: str) -> None:
    lines = raw.split("\n")
    for c in page.chunks:
        span = "\n".join(lines[c.start_line - 1 : c.end_line])
        assert trim_span(span) == c.text, (c.source, c.start_line)
        assert c.text and c.text in span
        assert c.section in SECTIONS


@pytest.mark.parametrize("name", sorted(p.name for p in LAYOUTS.iterdir()))
def test_every_fixture_is_verbatim(name):
    page = parse_fixture(name)
    assert page.chunks
    assert_verbatim(page, (LAYOUTS / name).read_text(encoding="utf-8"))


def test_h3_sections_layout():
    page = parse_fixture("h3_sections.md")
    assert page.title == "Atorvastatin"
    assert [c.section for c in page.chunks] == [
        "overview", "usage", "dosage", "side_effects", "how_it_works", "precautions", "faq", "faq", "disclaimer",
    ]
    assert {c.drug for c in page.chunks} == {"Atorvastatin"}
    dosage = page.chunks[2]
    assert "**Children:**" in dosage.text  # bold sub-labels stay inside their section
    precautions = page.chunks[5]
    assert "Use with Caution" in precautions.text and "Alcohol" in precautions.text  # not split, not "usage"
    faq = page.chunks[7]
    assert faq.heading == "What should I do if I miss a dose?"
    assert faq.text.endswith("Don't double the dose.")  # the answer's continuation line stays
    assert (faq.start_line, faq.end_line) == (36, 37)


def test_h3_colon_and_inline_layout_switches_ingredient_by_generic_name():
    page = parse_fixture("h3_colon_inline.md")
    got = table(page)
    assert ("usage", "Benfotiamine") in got and ("precautions", "Benfotiamine") in got
    assert ("usage", "Folic Acid") in got and ("dosage", "Folic Acid") in got
    usage = next(c for c in page.chunks if c.section == "usage" and c.drug == "Benfotiamine")
    assert usage.text.startswith("### Usage:  Benfotiamine is")  # inline body: the heading line is the text
    faqs = [c for c in page.chunks if c.section == "faq"]
    assert [c.heading for c in faqs] == ["Can I take them together?", "Is folic acid safe in pregnancy?"]
    assert all(c.end_line == c.start_line + 1 for c in faqs)  # "**Q: …**" then "A: …" on the next line


def test_bold_labels_on_combination_page():
    page = parse_fixture("bold_labels_combination.md")
    got = table(page)
    for drug in ("Benidipine", "Metoprolol Succinate"):
        for section in ("usage", "dosage", "side_effects", "how_it_works", "precautions"):
            assert (section, drug) in got
    combined = next(c for c in page.chunks if c.heading.startswith("Combined Use"))
    assert combined.drug == page.title and combined.section == "precautions"
    faq = next(c for c in page.chunks if c.section == "faq")
    assert faq.drug == page.title  # "### FAQs (Combined Use)"
    assert page.chunks[-1].section == "disclaimer"
    side = next(c for c in page.chunks if c.section == "side_effects" and c.drug == "Metoprolol Succinate")
    assert "Tiredness" in side.text


def test_qualified_section_headings_pick_the_ingredient():
    page = parse_fixture("qualified_sections.md")
    assert table(page)[1:] == [
        ("usage", "Tranexamic Acid"), ("usage", "Glutathione"), ("dosage", "Tranexamic Acid"),
        ("side_effects", "Glutathione"), ("faq", "Tranexamic Acid"),
    ]


def test_drug_prefixed_section_headings():
    page = parse_fixture("drug_prefix_headings.md")
    assert ("usage", "Biotin") in table(page) and ("usage", "Finasteride") in table(page)
    assert page.chunks[0].section == "overview" and "**Note:**" in page.chunks[0].text


def test_faq_styles():
    page = parse_fixture("faq_styles.md")
    faqs = [c for c in page.chunks if c.section == "faq"]
    assert [c.heading for c in faqs] == [
        "Can I drink alcohol with metformin?",
        "How should I store metformin?",
        "What if I miss a dose?",
        "Is metformin safe for the kidneys?",
        "Does metformin cause weight loss?",
    ]
    assert faqs[3].text.endswith("Your doctor will check kidney function.")


def test_page_without_sections_is_overview_with_warning():
    page = parse_fixture("not_a_monograph.md")
    assert [c.section for c in page.chunks] == ["overview"]
    assert page.warnings and "no known sections" in page.warnings[0]


def test_no_front_matter_title_from_heading():
    page = parse_fixture("no_front_matter.txt")
    assert page.title == "Baclofen"
    assert [c.section for c in page.chunks] == ["overview", "usage", "dosage", "faq"]


def test_seed_acceptance():
    raw = (SEEDS / SEED_FILE).read_text(encoding="utf-8")
    page = parse_file(SEEDS / SEED_FILE, SEED_FILE)
    assert_verbatim(page, raw)
    assert page.title == "Diazepam + Imipramine"
    counts = Counter((c.drug, c.section) for c in page.chunks)
    for drug in ("Diazepam", "Imipramine"):
        for section in ("usage", "dosage", "side_effects", "how_it_works", "precautions"):
            assert counts[(drug, section)] == 1, (drug, section)
        assert counts[(drug, "faq")] == 3
    first = page.chunks[0]
    assert first.section == "overview" and "not* typically combined" in first.text
    last = page.chunks[-1]
    assert last.section == "disclaimer" and last.text.startswith("**Disclaimer:**")
    stop = next(c for c in page.chunks if c.heading == "Can I stop taking Diazepam suddenly?")
    assert (stop.start_line, stop.end_line) == (28, 28)
    assert stop.text.startswith("**Q: Can I stop taking Diazepam suddenly?** A: No.")


def test_invalid_utf8_and_binary_are_reported():
    page = parse_bytes(b"---\ntitle: X\n---\n### Usage\nGood \xff text\n", "x.md")
    assert any("UTF-8" in w for w in page.warnings)
    assert page.chunks[-1].section == "usage" and "\ufffd" in page.chunks[-1].text
    assert parse_bytes(b"\x00\x01binary", "b.md").warnings == ("binary file (skipped)",)


# -- property: generated pages in any mix of layouts give verbatim spans ----------------------
SECTION_NAMES = ["Usage", "Dosage", "Side Effects", "How it Works", "Precautions", "FAQs", "Generic Name", "Disclaimer"]
text_line = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=60)


@st.composite
def pages(draw):
    ingredients = draw(st.lists(st.sampled_from(["Alpha", "Beta Sodium", "Gamma", "Delta Acid"]), min_size=1, max_size=3, unique=True))
    title = " + ".join(ingredients)
    lines = ["---", f"title: {title}", "---", "", f"# {title}"]
    for _ in range(draw(st.integers(1, 14))):
        kind = draw(st.integers(0, 9))
        name = draw(st.sampled_from(SECTION_NAMES))
        if kind == 0:
            lines.append(f"### {name}")
        elif kind == 1:
            lines.append(f"### {name}:")
        elif kind == 2:
            lines.append(f"**{name}:** {draw(text_line)}")
        elif kind == 3:
            lines.append(f"### {draw(st.sampled_from(ingredients))}")
        elif kind == 4:
            lines.append(f"* **Q: {draw(text_line)}?** A: {draw(text_line)}")
        elif kind == 5:
            lines += [f"**Q: {draw(text_line)}?**", f"A: {draw(text_line)}"]
        elif kind == 6:
            lines.append(f"{draw(st.integers(1, 9))}. **{draw(text_line)}?** {draw(text_line)}")
        elif kind == 7:
            lines.append(f"### {name} ({draw(st.sampled_from(ingredients))})")
        else:
            lines.append(draw(text_line))
        if draw(st.booleans()):
            lines.append("")
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_generated_pages_give_verbatim_chunks(raw):
    page = parse_text(raw, "gen.md")
    assert_verbatim(page, raw)
    for c in page.chunks:
        assert c.drug in {page.title, *page.drugs}


# -- the whole rxhive corpus ------------------------------------------------------------------
MARK = re.compile(
    r"^\s*(?:###\s*(?P<h>Usage|Dosage|Side Effects|How it Works|Precautions|FAQs)\s*:?\s*$"
    r"|\*\*(?P<b>Usage|Dosage|Side Effects|How it Works|Precautions|FAQs):?\*\*)",
    re.I,
)
LABEL = {"usage": "usage", "dosage": "dosage", "side effects": "side_effects", "how it works": "how_it_works",
         "precautions": "precautions", "faqs": "faq"}


def test_whole_rxhive_corpus(rxhive):
    """Every chunk verbatim; ≥ 99.5% of standard sections labelled right; no page lost silently."""
    files, problems = list_corpus(rxhive)
    assert len(files) >= 6000 and not problems
    marks = right = 0
    for rel, path in files:
        raw = path.read_bytes().decode("utf-8", errors="replace")
        page = parse_file(path, rel)
        assert page.chunks or page.warnings, rel  # a page is indexed or named in the summary
        assert_verbatim(page, raw)
        covered = {ln: c.section for c in page.chunks for ln in range(c.start_line, c.end_line + 1)}
        lines = raw.split("\n")
        for i, line in enumerate(lines):
            m = MARK.match(line)
            if not m:
                continue
            want = LABEL[(m.group("h") or m.group("b")).lower()]
            j = i
            if m.group("h") or not line[m.end():].strip(" :"):  # label alone: its body follows
                j = i + 1
                while j < len(lines) and not lines[j].strip():
                    j += 1
            marks += 1
            right += covered.get(j + 1) == want
    assert marks > 35000
    assert right / marks >= 0.995, (right, marks)


def test_read_capped_reads_what_the_file_holds_up_to_the_cap(tmp_path, monkeypatch):
    import rxquote.corpus as corpus_mod

    monkeypatch.setattr(corpus_mod, "MAX_FILE_BYTES", 10)
    p = tmp_path / "f.md"
    for content in (b"", b"abc", b"x" * 10, b"y" * 11, b"z" * 50):
        p.write_bytes(content)
        with open(p, "rb") as f:
            assert corpus_mod.read_capped(f, len(content)) == content[:11]
        with open(p, "rb") as f:  # the file grew after its size was read: read on, to the cap
            assert corpus_mod.read_capped(f, max(0, len(content) - 3)) == content[:11]
        assert corpus_mod.read_monograph(p) == content[:11]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab *_`:\t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000")), max_size=30))
def test_clean_inline_collapses_whitespace_as_the_regex_did(text):
    from rxquote.corpus import _MARKUP, clean_inline

    assert clean_inline(text) == re.sub(r"\s+", " ", _MARKUP.sub("", text)).strip().strip(" :")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(" \t\x0b\u3000#*_+-:ab1.?")), min_size=1, max_size=16))
def test_the_parsers_cheap_tests_never_skip_a_heading_or_label(line):
    """parse() tries the heading and bold-label patterns only on lines whose first non-space
    character can start them: no line they match is ever skipped."""
    from rxquote.corpus import _BOLD_LABEL, _HEADING

    stripped = line.strip()
    if _HEADING.match(line):
        assert stripped[0] == "#"
    if _BOLD_LABEL.match(line):
        assert stripped[0] in "*+-_"


_LINE_PIECES = ["**", "__", "*", "_", "-", "+", "Q", "q", "Question", "1.", "12)", "?", ":", " ", "A:", "What", "x"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_LINE_PIECES), min_size=1, max_size=12).map("".join))
def test_faq_question_test_is_the_four_openers(line):
    from rxquote.corpus import _Q_OPENERS, _PageParser

    # one combined pattern, tried only on lines whose first character can open a question
    stripped = line.strip()
    if stripped:
        assert _PageParser.is_question(None, stripped) == any(p.match(stripped) for p in _Q_OPENERS)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_LINE_PIECES), min_size=1, max_size=12).map("".join))
def test_bold_labels_all_contain_a_bold_marker(line):
    from rxquote.corpus import _BOLD_LABEL

    # the parser tries the bold-label pattern only on lines holding "**" or "__"
    if _BOLD_LABEL.match(line):
        assert "**" in line or "__" in line
