"""The Textual chat (issue #6), driven with Textual's Pilot: asking, follow-ups and the focus,
every status, the medicine sidebar, suggestions, the source viewer, saving, copying, literal
display of user and corpus text, and one engine shared with `rxquote ask`.

No pytest-asyncio here: each test runs its own event loop with `asyncio.run`."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from rxquote.answer import CLARIFY_MESSAGE, DISCLAIMER, EMERGENCY_MESSAGE, NO_MATCH_MESSAGE, Engine

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_FILE = "000_39c9e491993bb9e1.txt"
SIZE = (100, 30)


@pytest.fixture(scope="session")
def engine(seed_engine) -> Engine:
    """The seed index, built once per session (conftest's `seed_engine`)."""
    return seed_engine


def make_app(engine, tmp_path=None, **kw):
    from rxquote.tui.app import RxQuoteApp

    return RxQuoteApp(engine=engine, transcript_dir=tmp_path, cursor_blink=False, **kw)


def run(coro):
    return asyncio.run(coro)


async def submit(app, pilot, question: str) -> None:
    """Type a question into the box (as a paste) and press Enter; wait for the answer."""
    from rxquote.tui.widgets.question_input import QuestionInput

    box = app.query_one(QuestionInput)
    box.focus()
    box.value = question
    await pilot.press("enter")
    await settle(app, pilot)


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def answers(app):
    from rxquote.tui.widgets.answer_view import AnswerView

    return list(app.query(AnswerView))


def plain(widget) -> str:
    """What a Static (or a passage: `PassageView.shown_text`) shows, as plain text."""
    if hasattr(widget, "shown_text"):
        return widget.shown_text()
    content = widget.visual if hasattr(widget, "visual") else widget.renderable
    return getattr(content, "plain", str(content))


def passages_of(app):
    from rxquote.tui.widgets.answer_view import PassageView

    return list(app.query(PassageView))


# -- asking --------------------------------------------------------------------------------------


def test_welcome_then_ask(engine):
    from rxquote.tui.widgets.question_input import QuestionInput
    from rxquote.tui.widgets.welcome import Welcome

    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.query(Welcome)
            box = app.query_one(QuestionInput)
            assert not box.disabled and box.has_focus and box.placeholder
            await pilot.press(*"can I stop diazepam suddenly?")
            await pilot.press("enter")
            await settle(app, pilot)
            assert not app.query(Welcome)
            [view] = answers(app)
            assert view.answer.status == "answered" and "status-answered" in view.classes
            [pv] = passages_of(app)
            text = plain(pv)
            assert "Abruptly stopping Diazepam can lead to severe withdrawal symptoms." in text
            # the medicine and its page above, where it sits below: each said once
            assert text.startswith("[1] Diazepam (Diazepam + Imipramine)\n")
            assert text.endswith(f"\n\u2014 FAQ, line 28 \u00b7 {SEED_FILE}")
            disclaimer = view.query_one(".disclaimer")
            assert DISCLAIMER in plain(disclaimer)
            assert box.value == "" and not box.disabled and box.has_focus

    run(go())


@pytest.mark.parametrize(
    "question, status, message",
    [
        ("can I stop diazepam suddenly?", "answered", None),
        ("what's the weather like today", "no_match", NO_MATCH_MESSAGE),
        ("ibuprofen side effects", "unknown_drug", "\u201cIbuprofen\u201d is not among the medicines"),
        ("I just took 30 diazepam tablets at once", "emergency", EMERGENCY_MESSAGE),
        ("what are the side effects?", "clarify", CLARIFY_MESSAGE),
    ],
)
def test_each_status_has_its_look(engine, question, status, message):
    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            await submit(app, pilot, question)
            [view] = answers(app)
            assert view.answer.status == status
            assert f"status-{status}" in view.classes
            kids = list(view.children)
            head = plain(kids[0])
            if status == "emergency":
                # first, loud and unmissable: the heading, then the message, before anything else
                assert "EMERGENCY" in head
                assert plain(kids[1]) == EMERGENCY_MESSAGE
                assert view.styles.border_top[0] == "heavy"
            if message is not None:
                assert message in plain(view.query_one(".message"))
            else:
                assert not view.query(".message")
            assert DISCLAIMER in plain(view.query_one(".disclaimer"))

    run(go())


def test_followup_uses_the_conversation(engine):
    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            await submit(app, pilot, "what is imipramine used for?")
            await submit(app, pilot, "what should I do if I miss a dose?")
            second = answers(app)[1].answer
            assert second.status == "answered" and second.drugs == ("Imipramine",)
            assert second.passages[0].start_line == 53
            assert "Imipramine" in plain(app.query_one("#focus-bar"))

    run(go())


def test_chat_passages_equal_engine_ask(engine):
    """One engine: turn n of the chat == engine.ask(question, history=the n-1 before) ==
    `rxquote ask --history ...`."""
    conversation = [
        "can I stop diazepam suddenly?",
        "is it addictive?",
        "what about imipramine?",
        "how does it work?",
        "I just took 30 diazepam tablets at once",
        "what are the side effects?",
    ]

    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            for q in conversation:
                await submit(app, pilot, q)
            return [v.answer for v in answers(app)]

    got = run(go())
    assert len(got) == len(conversation)
    for n, (q, a) in enumerate(zip(conversation, got)):
        want = engine.ask(q, history=conversation[:n], top_k=3)
        assert a == want, q
        assert a.passages == want.passages


def test_input_history_up_down(engine):
    from rxquote.tui.widgets.question_input import QuestionInput

    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            await submit(app, pilot, "is diazepam addictive?")
            await submit(app, pilot, "what is imipramine used for?")
            box = app.query_one(QuestionInput)
            await pilot.press(*"draft")
            await pilot.press("up")
            assert box.value == "what is imipramine used for?"
            await pilot.press("up")
            assert box.value == "is diazepam addictive?"
            await pilot.press("up")
            assert box.value == "is diazepam addictive?"
            await pilot.press("down", "down")
            assert box.value == "draft"

    run(go())


class BlockingEngine:
    """Wraps the engine; `ask` waits until released (to see the app while it answers)."""

    def __init__(self, engine):
        self._engine = engine
        self.release = threading.Event()

    def ask(self, *a, **kw):
        self.release.wait(10)
        return self._engine.ask(*a, **kw)

    def __getattr__(self, name):
        return getattr(self._engine, name)


def test_input_blocked_while_answering(engine):
    from rxquote.tui.widgets.question_input import QuestionInput
    from rxquote.tui.widgets.thinking import Thinking

    slow = BlockingEngine(engine)

    async def go():
        app = make_app(slow)
        async with app.run_test(size=SIZE) as pilot:
            box = app.query_one(QuestionInput)
            box.value = "is diazepam addictive?"
            await pilot.press("enter")
            await pilot.pause()
            assert box.disabled and app.busy
            assert app.query(Thinking)
            app.ask("another question")  # ignored while busy
            slow.release.set()
            await settle(app, pilot)
            assert not box.disabled and not app.query(Thinking)
            assert [v.answer.question for v in answers(app)] == ["is diazepam addictive?"]

    run(go())


def test_loading_failure_is_shown_not_raised(tmp_path):
    from rxquote.tui.app import create_app
    from rxquote.tui.widgets.answer_view import ErrorView

    bad = tmp_path / "index-is-a-file"
    bad.write_text("x")

    async def go():
        app = create_app(SEEDS, bad, cursor_blink=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert app.query(ErrorView)
            return app.exit_code

    assert run(go()) == 1


# -- focus: the medicine sidebar ---------------------------------------------------------------


def test_sidebar_filter_and_focus(engine):
    from rxquote.tui.widgets.sidebar import MedicineList, MedicineSidebar

    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            sidebar = app.query_one(MedicineSidebar)
            ol = app.query_one(MedicineList)
            assert ol.option_count == 1 + len(engine.medicines())  # (any) + each medicine
            await pilot.press("ctrl+f")
            assert app.focused.id == "med-filter"
            await pilot.press(*"imi")
            assert [str(ol.get_option_at_index(i).prompt) for i in range(ol.option_count)] == [
                "Imipramine", "Diazepam + Imipramine"]
            await pilot.press("enter")
            await pilot.pause()
            assert app.conversation.pinned == ("Imipramine",)
            assert sidebar.pinned == "Imipramine"
            bar = plain(app.query_one("#focus-bar"))
            assert "Focus: Imipramine" in bar and "chosen" in bar
            # a question without a medicine is about the focus
            await submit(app, pilot, "side effects?")
            a = answers(app)[-1].answer
            assert a.status == "answered" and a.drugs == ("Imipramine",)
            assert a == engine.ask("side effects?", history=[], top_k=3, focus=["Imipramine"])
            # it is kept for the next question...
            await submit(app, pilot, "how does it work?")
            assert answers(app)[-1].answer.drugs == ("Imipramine",)
            assert app.conversation.pinned == ("Imipramine",)
            # ...until another medicine is named
            await submit(app, pilot, "is diazepam addictive?")
            assert answers(app)[-1].answer.drugs == ("Diazepam",)
            assert app.conversation.pinned == ()
            assert "Focus: Diazepam" in plain(app.query_one("#focus-bar"))
            await submit(app, pilot, "how should I store it?")
            assert answers(app)[-1].answer.drugs == ("Diazepam",)

    run(go())


def test_sidebar_keyboard_and_any(engine):
    from rxquote.tui.widgets.sidebar import MedicineList

    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("ctrl+f", "down")  # filter box -> list
            assert isinstance(app.focused, MedicineList)
            await pilot.press("down", "enter")  # (any) -> Diazepam
            await pilot.pause()
            assert app.conversation.pinned == ("Diazepam",)
            await pilot.press("ctrl+f", "down")  # the list opens at the chosen medicine
            assert app.query_one(MedicineList).highlighted == 1
            await pilot.press("up", "enter")  # (any): no focus
            await pilot.pause()
            assert app.conversation.pinned == ()
            # typing while in the list goes to the filter
            await pilot.press("ctrl+f", "down", "d")
            assert app.focused.id == "med-filter" and app.focused.value == "d"

    run(go())


# -- suggestions ----------------------------------------------------------------------------


def test_followup_suggestions_keyboard_and_mouse(engine):
    from textual.widgets import OptionList

    from rxquote.tui.widgets.suggestions import Suggestions

    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            await submit(app, pilot, "what is imipramine used for?")
            box = app.query_one(Suggestions)
            assert box.display
            labels = [s.label for s in box.items]
            assert labels[:3] == ["Side effects of Imipramine", "Dosage of Imipramine", "Precautions for Imipramine"]
            assert "What should I do if I miss a dose?" in labels  # the medicine's FAQ questions
            # keyboard: Shift+Tab from the question box to the suggestions, Down, Enter
            await pilot.press("shift+tab")
            assert isinstance(app.focused, OptionList) and app.focused.id == "sugg-list"
            await pilot.press("down", "enter")
            await settle(app, pilot)
            a = answers(app)[-1].answer
            assert a.question == "What is the dosage of Imipramine?" and a.intent == "dosage"
            assert "Dosage of Imipramine" not in [s.label for s in box.items]  # already answered
            # mouse: click the first suggestion
            first = box.items[0]
            await pilot.click("#sugg-list", offset=(4, 0))
            await settle(app, pilot)
            assert answers(app)[-1].answer.question == first.question

    run(go())


def test_no_suggestions_after_emergency(engine):
    from rxquote.tui.widgets.suggestions import Suggestions

    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            await submit(app, pilot, "I just took 30 diazepam tablets at once")
            assert not app.query_one(Suggestions).display

    run(go())


# -- source viewer, copy, save, clear, help, palette -------------------------------------------


def test_source_viewer_highlights_the_passage(engine):
    from rxquote.tui.widgets.answer_view import PassageView
    from rxquote.tui.widgets.source_viewer import SourceViewer

    lines = (SEEDS / SEED_FILE).read_text(encoding="utf-8").splitlines()

    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            await submit(app, pilot, "what are the side effects of imipramine?")
            p = answers(app)[0].answer.passages[0]
            # keyboard: focus the passage, Enter
            app.query(PassageView).first().focus()
            await pilot.press("enter")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SourceViewer) and screen.passage == p
            assert screen.highlighted == lines[p.start_line - 1 : p.end_line]
            assert screen.query_one("#source-passage").region.height >= len(screen.highlighted)
            scroll = screen.query_one("#source-scroll")
            assert scroll.scroll_y > 0  # scrolled down to the passage
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, SourceViewer)
            # mouse: click the passage
            await pilot.click(PassageView)
            await pilot.pause()
            assert isinstance(app.screen, SourceViewer)
            await pilot.press("q")
            # ctrl+o: the latest answer's first passage
            await pilot.press("ctrl+o")
            await pilot.pause()
            assert isinstance(app.screen, SourceViewer) and app.screen.passage == p

    run(go())


def test_source_viewer_when_the_file_is_gone(engine):
    from rxquote.answer import Passage
    from rxquote.tui.widgets.source_viewer import SourceViewer

    p = Passage(1, 1.0, "X", "faq", "Q?", "X", "missing.txt", 1, 1, "[b]not markup[/b]")

    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            app.push_screen(SourceViewer(p, None))
            await pilot.pause()
            text = plain(app.screen.query_one("#source-missing"))
            assert "missing.txt" in text and "[b]not markup[/b]" in text

    run(go())


def test_save_transcript(engine, tmp_path):
    async def go():
        app = make_app(engine, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+s")  # nothing yet: says so, writes nothing
            await pilot.pause()
            assert not list(tmp_path.iterdir())
            await submit(app, pilot, "can I stop diazepam suddenly?")
            await submit(app, pilot, "I just took 30 diazepam tablets at once")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.last_saved is not None
            msgs = [n.message for n in app._notifications]
            assert any(str(app.last_saved) in m for m in msgs)  # says where it went
            return app.last_saved

    path = run(go())
    assert path.parent == tmp_path and path.suffix == ".md"
    md = path.read_text(encoding="utf-8")
    assert "## 1. can I stop diazepam suddenly?" in md
    assert "> **Q: Can I stop taking Diazepam suddenly?** A: No. Abruptly stopping Diazepam" in md
    assert f"\u2014 Diazepam (Diazepam + Imipramine) \u00b7 FAQ, line 28 \u00b7 {SEED_FILE}" in md
    assert "**EMERGENCY:** " + EMERGENCY_MESSAGE in md
    assert md.count(DISCLAIMER) == 2


def test_copy_answer(engine):
    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+y")  # nothing yet
            assert app.clipboard == ""
            await submit(app, pilot, "can I stop diazepam suddenly?")
            await pilot.press("ctrl+y")
            return app.clipboard

    text = run(go())
    assert "Abruptly stopping Diazepam" in text and f"FAQ, line 28 \u00b7 {SEED_FILE}" in text and DISCLAIMER in text


def test_clear(engine):
    from rxquote.tui.widgets.question_view import QuestionView
    from rxquote.tui.widgets.welcome import Welcome

    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            await submit(app, pilot, "is diazepam addictive?")
            app.conversation.pin("Imipramine")
            await pilot.press("ctrl+l")
            await pilot.pause()
            assert not answers(app) and not app.query(QuestionView) and app.query(Welcome)
            assert app.conversation.turns == [] and app.conversation.pinned == ()
            # a fresh conversation: no leftover focus
            await submit(app, pilot, "what are the side effects?")
            assert answers(app)[0].answer.status == "clarify"

    run(go())


def test_help_lists_every_key(engine):
    from rxquote.tui.app import RxQuoteApp
    from rxquote.tui.widgets.help_screen import HelpScreen, help_text

    text = help_text()
    for b in RxQuoteApp.BINDINGS:
        for key in b.key.split(","):
            assert key.replace("escape", "Esc").replace("f1", "F1") in text, key
    for key in ("Enter", "\u2191", "Tab", "ctrl+p", "ctrl+q"):
        assert key in text

    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("ctrl+s")  # chat keys wait while a window is open
            await pilot.press("f1")
            await pilot.pause()
            assert not isinstance(app.screen, HelpScreen)

    run(go())


def test_command_palette_has_the_actions(engine):
    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            titles = [c.title for c in app.get_system_commands(app.screen)]
            for t in ("Help: keys", "Find a medicine", "Open the monograph", "Copy the answer",
                      "Save the transcript", "Clear the conversation", "Quit"):
                assert t in titles
            await pilot.press("ctrl+p")
            await pilot.pause()
            from textual.command import CommandPalette

            assert isinstance(app.screen, CommandPalette)

    run(go())


def test_footer_shows_the_bindings(engine):
    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            shown = {b.action for _, b, enabled, _ in app.screen.active_bindings.values() if b.show}
            assert {"help", "save", "clear", "quit", "copy_answer", "open_source", "find_medicine"} <= shown

    run(go())


# -- literal display ---------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["[@click=app.quit]x[/]", "[link=foo]", "[b]bold[/b] [red]x", "$accent [/]"])
def test_user_text_is_literal(engine, question):
    from rxquote.tui.widgets.question_view import QuestionView

    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            if question.startswith("[@click"):
                await pilot.press(*question)  # typed, key by key
                await pilot.press("enter")
                await settle(app, pilot)
            else:
                await submit(app, pilot, question)
            [qv] = app.query(QuestionView)
            assert question in plain(qv)
            await pilot.click(QuestionView)
            await pilot.pause()
            assert app.is_running and app.return_code is None
            await pilot.press("escape", "up")  # back to the question box; the question as typed
            assert app.focused.value == question
            return [v.answer.status for v in answers(app)]

    assert len(run(go())) == 1


ODD_PAGE = (
    "---\ntitle: Testamol\n---\n\n# Testamol\n\n"
    "**Usage:** Testamol treats [@click=app.quit]headaches[/] and [link=foo] pain.\n\n"
    "**Side Effects:** [red]Nausea[/red] and $accent rash.\n"
)


def test_loading_progress_and_literal_corpus_text(tmp_path):
    """Without an engine the app opens (here: builds) the index in a worker and shows the
    progress; then markup-like corpus text (title, passages, file name) is shown as written."""
    from rxquote.tui.app import create_app
    from rxquote.tui.widgets.loading import LoadingPanel
    from rxquote.tui.widgets.question_input import QuestionInput
    from rxquote.tui.widgets.sidebar import MedicineSidebar

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "[odd] name.md").write_text(ODD_PAGE, encoding="utf-8")
    seen: list[tuple[str, int, int]] = []
    original = LoadingPanel.progress

    def spy(self, stage, done, total):
        seen.append((stage, done, total))
        original(self, stage, done, total)

    async def go():
        app = create_app(corpus, tmp_path / "index", cursor_blink=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.query(LoadingPanel) or app.engine is not None
            await settle(app, pilot)
            assert app.engine is not None and not app.query(LoadingPanel)
            assert not app.query_one(QuestionInput).disabled
            assert app.query_one(MedicineSidebar).medicines == app.engine.medicines()
            await submit(app, pilot, "what is testamol used for?")
            view = answers(app)[0]
            assert view.answer.status == "answered"
            text = "\n".join(plain(p) for p in passages_of(app))
            assert "Usage: Testamol treats [@click=app.quit]headaches[/] and [link=foo] pain." in text  # Markdown, inert
            assert "[odd] name.md" in text
            for pv in passages_of(app):  # the raw view: the passage's text exactly
                pv.raw = True
            await pilot.pause()
            text = "\n".join(plain(p) for p in passages_of(app))
            for p in view.answer.passages:
                assert p.text in text
            await pilot.click(passages_of(app)[0].__class__)  # opens the monograph, nothing else
            await pilot.pause()
            assert app.is_running
            await pilot.press("escape")
            await submit(app, pilot, "testamol side effects")
            assert "[red]Nausea[/red] and $accent rash." in "\n".join(plain(p) for p in passages_of(app))
            assert app.is_running and app.return_code is None

    LoadingPanel.progress = spy
    try:
        run(go())
    finally:
        LoadingPanel.progress = original
    assert seen, "the index build reported no progress"


# -- sizes, themes, NO_COLOR -------------------------------------------------------------------


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
def test_small_terminal_and_themes(engine, theme):
    from rxquote.tui.widgets.question_input import QuestionInput
    from rxquote.tui.widgets.sidebar import MedicineSidebar

    async def go():
        app = make_app(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            app.theme = theme
            await submit(app, pilot, "I just took 30 diazepam tablets at once")
            await submit(app, pilot, "can I stop diazepam suddenly?")
            assert app.screen.has_class("narrow") and app.screen.has_class("short")
            assert app.query_one(QuestionInput).compact
            assert app.query_one(MedicineSidebar).outer_size.width == 22
            assert app.query_one("#conversation").size.height >= 10

    run(go())


def test_no_color(engine, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")

    async def go():
        app = make_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            await submit(app, pilot, "I just took 30 diazepam tablets at once")
            assert app.no_color
            # without colour the emergency still reads as one: its words and its heavy border
            view = answers(app)[0]
            assert "EMERGENCY" in plain(view.children[0])
            assert view.styles.border_top[0] == "heavy"

    run(go())
