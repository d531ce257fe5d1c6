"""The chat's quotes (issue #12), driven with Textual's Pilot: Markdown as written (bold labels,
bullets), the raw text behind `r`, a focused passage expanded in place with `e` (the answering
lines marked), the source viewer on the focused lines, the focus colour, and monograph links
and markup that never act. At 80×24 and 120×40."""

from __future__ import annotations

import asyncio

import pytest

from .conftest import SEED_FILE, SEEDS

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    """The chat keeps its files (my medicines, transcripts) in a temporary folder."""
    monkeypatch.setenv("RXQUOTE_DATA", str(tmp_path / "data"))


def make_app(engine):
    from rxquote.tui.app import RxQuoteApp

    return RxQuoteApp(engine=engine, cursor_blink=False)


async def ask(app, pilot, question: str) -> None:
    box = app.query_one("#question")
    box.focus()
    box.value = question
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def passages(app):
    from rxquote.tui.widgets.answer_view import PassageView

    return list(app.query(PassageView))


def seed_lines() -> list[str]:
    return (SEEDS / SEED_FILE).read_text(encoding="utf-8").split("\n")


@pytest.mark.parametrize("size", SIZES)
def test_a_focused_quote_is_markdown_and_expands_in_place(seed_engine, size):
    from textual.widgets._markdown import MarkdownBulletList

    from rxquote.tui.widgets.quote import QuoteView

    lines = seed_lines()

    async def go():
        app = make_app(seed_engine)
        async with app.run_test(size=size) as pilot:
            await ask(app, pilot, "can imipramine cause dry mouth?")
            [pv] = passages(app)
            p = pv.passage
            assert (p.start_line, p.end_line, p.section_start_line, p.section_end_line) == (43, 43, 41, 44)
            # the quote as Markdown: the bold label is bold, not asterisks; the words are the line's
            shown = pv.shown_text().split("\n")
            assert shown == ["[1] Imipramine (Diazepam + Imipramine)",
                             "Common: Dry mouth, constipation, blurred vision, drowsiness, dizziness, weight gain.",
                             f"\u2014 line 43 of the Side effects section \u00b7 {SEED_FILE}"]
            quote = pv.query_one(QuoteView)
            [block] = [b for b in quote.query("MarkdownParagraph")]
            assert any(span.style == ".strong" for span in block._content.spans)
            # e: the whole section in place, the answering line marked, the rest around it
            pv.focus()
            await pilot.press("e")
            await pilot.pause()
            assert pv.expanded
            marked = pv.query_one(".section-focus")
            assert "Dry mouth" in "\n".join(b._content.plain for b in marked.query("MarkdownParagraph"))
            before = pv.query_one(".section-before")
            assert "Side Effects:" in "\n".join(b._content.plain for b in before.query("MarkdownParagraph"))
            assert "Less Common but Serious" in pv.shown_text()
            assert pv.query(MarkdownBulletList)  # the section's bullets, as bullets
            assert pv.shown_text().endswith(
                f"\u2014 the Side effects section, lines 41\u201344 (answer: line 43) \u00b7 {SEED_FILE}")
            # r: the raw source text of the section, line for line
            await pilot.press("r")
            await pilot.pause()
            raw = "\n".join(w.visual.plain for w in pv.query(".quote-raw"))
            assert raw == "\n".join(lines[40:44])
            # e, r again: back to the focused Markdown quote
            await pilot.press("e", "r")
            await pilot.pause()
            assert not pv.expanded and not pv.raw
            assert pv.shown_text().split("\n") == shown
            assert app.is_running

    asyncio.run(go())


def test_raw_text_is_the_passage_exactly(seed_engine):
    async def go():
        app = make_app(seed_engine)
        async with app.run_test(size=(120, 40)) as pilot:
            await ask(app, pilot, "can I stop diazepam suddenly?")
            [pv] = passages(app)
            assert "**" not in pv.shown_text()
            pv.focus()
            await pilot.press("r")
            await pilot.pause()
            [raw] = pv.query(".quote-raw")
            assert raw.visual.plain == pv.passage.text
            assert pv.passage.text.startswith("**Q: Can I stop taking Diazepam suddenly?**")

    asyncio.run(go())


def test_a_whole_section_does_not_expand(seed_engine):
    async def go():
        app = make_app(seed_engine)
        async with app.run_test(size=(120, 40)) as pilot:
            await ask(app, pilot, "what are the side effects of imipramine?")
            [pv] = passages(app)
            assert (pv.passage.start_line, pv.passage.end_line) == (41, 44)
            pv.focus()
            before = pv.shown_text()
            await pilot.press("e")
            await pilot.pause()
            assert not pv.expanded and pv.shown_text() == before
            assert pv.check_action("expand", ()) is None  # shown dimmed in the footer
            assert "the Side effects section, lines 41\u201344" in before

    asyncio.run(go())


def test_expand_without_the_file_says_so(seed_engine):
    from rxquote.answer import Answer, Passage
    from rxquote.tui.widgets.answer_view import AnswerView

    p = Passage(1, 1.0, "X", "precautions", "Precautions", "X", "gone.md", 5, 5, "**Alcohol:** avoid it.", 3, 9)
    answer = Answer("q", "answered", ("X",), None, (p,))

    async def go():
        app = make_app(seed_engine)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.query_one("#conversation").mount(AnswerView(answer, seed_engine.source_path))
            await pilot.pause()
            [pv] = passages(app)
            pv.focus()
            await pilot.press("e")
            await pilot.pause()
            assert not pv.expanded
            assert any("not available" in n.message for n in app._notifications)

    asyncio.run(go())


def test_the_keyboard_focus_is_marked_in_the_primary_colour(seed_engine):
    from textual.color import Color

    async def go():
        app = make_app(seed_engine)
        async with app.run_test(size=(120, 40)) as pilot:
            await ask(app, pilot, "imipramine and seizures")
            pv = passages(app)[0]
            pv.focus()
            await pilot.pause()
            variables = app.get_css_variables()
            edge = pv.styles.border_left[1]
            assert edge == Color.parse(variables["primary"])
            assert edge != Color.parse(variables["error"]) and edge != Color.parse(variables["accent"])

    asyncio.run(go())


def test_the_source_viewer_highlights_the_focused_lines_in_their_section(seed_engine):
    from rxquote.tui.widgets.source_viewer import SourceViewer

    lines = seed_lines()

    async def go():
        app = make_app(seed_engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(app, pilot, "can imipramine cause dry mouth?")
            [pv] = passages(app)
            pv.focus()
            await pilot.press("enter")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SourceViewer)
            assert screen.highlighted == [lines[42]]
            assert len(screen.query(".src-section")) == 2  # lines 41-42 above it, 44 below
            assert "line 43 of the Side effects section highlighted" in screen.query_one("#source-title").visual.plain
            assert screen.query_one("#source-scroll").scroll_y > 0

    asyncio.run(go())


HOSTILE_PAGE = (
    "---\ntitle: Testamol\n---\n\n# Testamol\n\n"
    "### Precautions\n\n"
    "* **Alcohol:** Avoid it. See [the leaflet](https://example.com/x) or <https://example.com/y>.\n"
    "* **Scripts:** <script>alert(1)</script> and <b>bold</b> &amp; ![pic](x.png)\n"
    "* **Markup:** [@click=app.quit]quit[/] [link=https://example.com]here[/link] [red]red[/red]\n"
    "* **Kidneys:** Use with caution.\n"
)


def test_links_and_markup_in_monographs_never_act(tmp_path, monkeypatch):
    """A monograph's links, HTML and Textual markup render as the characters written; clicking
    them opens nothing and runs nothing."""
    from rxquote.answer import Engine
    from rxquote.index import build

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "testamol.md").write_text(HOSTILE_PAGE, encoding="utf-8")
    build(corpus, tmp_path / "index", use_lexicon=False)
    engine = Engine.open(corpus, tmp_path / "index")
    opened: list[str] = []

    async def go():
        app = make_app(engine)
        monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
        async with app.run_test(size=(120, 40)) as pilot:
            await ask(app, pilot, "testamol precautions")
            [pv] = passages(app)
            text = pv.shown_text()
            for written in ("[the leaflet](https://example.com/x)", "<https://example.com/y>", "<script>alert(1)</script>",
                            "<b>bold</b> &amp; ![pic](x.png)", "[@click=app.quit]quit[/]",
                            "[link=https://example.com]here[/link] [red]red[/red]"):
                assert written in text, written
            for block in pv.query("MarkdownBlock"):
                content = getattr(block, "_content", None)
                if content is not None:  # no span carries a link or an action
                    assert not any("@click" in str(span.style) or "link" in str(span.style) for span in content.spans)
            # click on each link and markup as shown: the monograph opens (the passage's own
            # action), nothing else
            clicks = 0
            for block in list(pv.query("MarkdownParagraph")):
                plain = block._content.plain
                for needle in ("leaflet", "example.com/y", "script", "pic", "@click", "link=", "red"):
                    x = plain.find(needle)
                    if 0 <= x < block.size.width:
                        await pilot.click(block, offset=(x + 1, 0))
                        await pilot.pause()
                        await pilot.press("escape")
                        clicks += 1
            assert clicks >= 5
            assert app.is_running and app.return_code is None and opened == []

    asyncio.run(go())


def test_question_markup_is_not_a_quote(seed_engine):
    """A question's text is never rendered as Markdown either (it is the person's, shown literally)."""
    from rxquote.tui.widgets.question_view import QuestionView

    async def go():
        app = make_app(seed_engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(app, pilot, "**imipramine** [x](https://e.com) side effects?")
            [qv] = app.query(QuestionView)
            assert "**imipramine** [x](https://e.com) side effects?" in qv.visual.plain

    asyncio.run(go())
