"""The Textual chat, driven with Textual's Pilot: asking, follow-ups and the focus, every
status, the medicine sidebar, suggestions, the source viewer, saving, copying, literal display
of user and corpus text, and one engine shared with `rxquote ask`. "My medicines", the
keyboard flow, small terminals and the small honesty rules (issue #14) are in
tests/test_tui_flow.py.

No pytest-asyncio here: `@chat_test` runs each async test in its own event loop."""

from __future__ import annotations

import pytest

from rxquote.answer import CLARIFY_MESSAGE, DISCLAIMER, EMERGENCY_MESSAGE, NO_MATCH_MESSAGE

from .tui_helpers import (  # noqa: F401  (data_dir, engine: fixtures)
    SEED_FILE,
    SEEDS,
    SIZE,
    BlockingEngine,
    answers,
    chat,
    chat_test,
    data_dir,
    engine,
    passages_of,
    plain,
    settle,
    submit,
)


# -- asking --------------------------------------------------------------------------------------


@chat_test
async def test_welcome_then_ask(engine):
    from rxquote.tui.widgets.question_input import QuestionInput
    from rxquote.tui.widgets.welcome import Welcome

    async with chat(engine) as (app, pilot):
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
        assert DISCLAIMER in plain(view.query_one(".disclaimer"))
        assert box.value == "" and not box.disabled and box.has_focus


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
@chat_test
async def test_each_status_has_its_look(engine, question, status, message):
    async with chat(engine) as (app, pilot):
        await submit(app, pilot, question)
        [view] = answers(app)
        assert view.answer.status == status
        assert f"status-{status}" in view.classes
        kids = list(view.children)
        if status == "emergency":
            # first, loud and unmissable: the heading, then the message, before anything else
            assert "EMERGENCY" in plain(kids[0])
            assert plain(kids[1]) == EMERGENCY_MESSAGE
            assert view.styles.border_top[0] == "heavy"
        if message is not None:
            assert message in plain(view.query_one(".message"))
        else:
            assert not view.query(".message")
        assert DISCLAIMER in plain(view.query_one(".disclaimer"))


@chat_test
async def test_followup_uses_the_conversation(engine):
    async with chat(engine) as (app, pilot):
        await submit(app, pilot, "what is imipramine used for?")
        await submit(app, pilot, "what should I do if I miss a dose?")
        second = answers(app)[1].answer
        assert second.status == "answered" and second.drugs == ("Imipramine",)
        assert second.passages[0].start_line == 53
        assert "Imipramine" in plain(app.query_one("#focus-bar"))


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

    @chat_test
    async def go():
        async with chat(engine) as (app, pilot):
            for q in conversation:
                await submit(app, pilot, q)
            return [v.answer for v in answers(app)]

    got = go()
    assert len(got) == len(conversation)
    for n, (q, a) in enumerate(zip(conversation, got)):
        want = engine.ask(q, history=conversation[:n], top_k=3)
        assert a == want, q
        assert a.passages == want.passages


@chat_test
async def test_input_history_up_down(engine):
    from rxquote.tui.widgets.question_input import QuestionInput

    async with chat(engine) as (app, pilot):
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


@chat_test
async def test_typed_while_answering_is_kept_and_asked_next(engine):
    from rxquote.tui.widgets.question_input import QuestionInput
    from rxquote.tui.widgets.thinking import Thinking

    slow = BlockingEngine(engine)
    async with chat(slow) as (app, pilot):
        box = app.query_one(QuestionInput)
        box.value = "is diazepam addictive?"
        await pilot.press("enter")
        await pilot.pause()
        assert app.busy and app.query(Thinking)
        assert not box.disabled  # the box stays usable: typing is never lost
        await pilot.press(*"what is imipramine used for?")
        assert box.value == "what is imipramine used for?"
        await pilot.press("enter")  # queued, shown as waiting
        await pilot.pause()
        assert app.queued == ["what is imipramine used for?"] and app.query(".queued")
        slow.release.set()
        await settle(app, pilot)
        await settle(app, pilot)
        assert [v.answer.question for v in answers(app)] == ["is diazepam addictive?", "what is imipramine used for?"]
        assert not app.query(".queued") and not app.busy


@chat_test
async def test_loading_failure_is_shown_not_raised(tmp_path):
    from rxquote.tui.app import create_app
    from rxquote.tui.widgets.answer_view import ErrorView

    bad = tmp_path / "index-is-a-file"
    bad.write_text("x")
    app = create_app(SEEDS, bad, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.query(ErrorView)
        await submit(app, pilot, "anything")  # nothing will answer: not queued forever
        assert app.queued == []
    assert app.exit_code == 1


# -- focus: the medicine sidebar ---------------------------------------------------------------


@chat_test
async def test_sidebar_filter_and_focus(engine):
    from rxquote.tui.widgets.sidebar import MedicineOptions, MedicineSidebar

    async with chat(engine) as (app, pilot):
        sidebar = app.query_one(MedicineSidebar)
        ol = app.query_one(MedicineOptions)
        assert ol.option_count == 1 + len(engine.medicines())  # (any) + each medicine
        await pilot.press("ctrl+f")
        assert app.focused.id == "med-filter"
        await pilot.press(*"imi")
        assert [str(ol.get_option_at_index(i).prompt).strip() for i in range(ol.option_count)] == [
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


@chat_test
async def test_sidebar_keyboard_and_any(engine):
    from rxquote.tui.widgets.sidebar import MedicineOptions

    async with chat(engine) as (app, pilot):
        await pilot.press("ctrl+f", "down")  # filter box -> list
        assert isinstance(app.focused, MedicineOptions)
        await pilot.press("down", "enter")  # (any) -> Diazepam
        await pilot.pause()
        assert app.conversation.pinned == ("Diazepam",)
        await pilot.press("ctrl+f", "down")  # the list opens at the chosen medicine
        assert app.query_one(MedicineOptions).highlighted == 1
        await pilot.press("up", "enter")  # (any): no focus
        await pilot.pause()
        assert app.conversation.pinned == ()
        # typing while in the list goes to the filter
        await pilot.press("ctrl+f", "down", "d")
        assert app.focused.id == "med-filter" and app.focused.value == "d"


# -- suggestions ----------------------------------------------------------------------------


@chat_test
async def test_followup_suggestions_keyboard_and_mouse(engine):
    from rxquote.tui.widgets.suggestions import Suggestions

    async with chat(engine) as (app, pilot):
        await submit(app, pilot, "what is imipramine used for?")
        box = app.query_one(Suggestions)
        assert box.display
        labels = [s.label for s in box.items]
        assert labels[:3] == ["Side effects of Imipramine", "Dosage of Imipramine", "Precautions for Imipramine"]
        assert "What should I do if I miss a dose?" in labels  # the medicine's FAQ questions
        # keyboard, as the hint says: Tab from the question box to the suggestions, Down, Enter
        assert "Tab here" in plain(app.query_one("#sugg-title"))
        await pilot.press("tab")
        assert app.focused.id == "sugg-list"
        await pilot.press("down", "enter")
        await settle(app, pilot)
        a = answers(app)[-1].answer
        assert a.question == "What is the dosage of Imipramine?" and a.intent == "dosage"
        assert app.focused.id == "question"  # back in the question box for the next one
        assert "Dosage of Imipramine" not in [s.label for s in box.items]  # already answered
        # mouse: click the first suggestion
        first = box.items[0]
        await pilot.click("#sugg-list", offset=(4, 0))
        await settle(app, pilot)
        assert answers(app)[-1].answer.question == first.question


@chat_test
async def test_no_suggestions_after_emergency(engine):
    from rxquote.tui.widgets.suggestions import Suggestions

    async with chat(engine) as (app, pilot):
        await submit(app, pilot, "I just took 30 diazepam tablets at once")
        assert not app.query_one(Suggestions).display


# -- source viewer, copy, save, clear, help, palette -------------------------------------------


@chat_test
async def test_source_viewer_highlights_the_passage(engine):
    from rxquote.tui.widgets.answer_view import PassageView
    from rxquote.tui.widgets.source_viewer import SourceViewer

    lines = (SEEDS / SEED_FILE).read_text(encoding="utf-8").splitlines()
    async with chat(engine) as (app, pilot):
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
        assert screen.query_one("#source-scroll").scroll_y > 0  # scrolled down to the passage
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


@chat_test
async def test_source_viewer_when_the_file_is_gone(engine):
    from rxquote.answer import Passage
    from rxquote.tui.widgets.source_viewer import SourceViewer

    p = Passage(1, 1.0, "X", "faq", "Q?", "X", "missing.txt", 1, 1, "[b]not markup[/b]")
    async with chat(engine) as (app, pilot):
        app.push_screen(SourceViewer(p, None))
        await pilot.pause()
        text = plain(app.screen.query_one("#source-missing"))
        assert "missing.txt" in text and "[b]not markup[/b]" in text


@chat_test
async def test_save_transcript(engine, data_dir, tmp_path, monkeypatch):
    from rxquote.tui.widgets.save_dialog import SaveDialog

    monkeypatch.chdir(tmp_path)
    async with chat(engine) as (app, pilot):
        await pilot.press("ctrl+s")  # nothing yet: says so, writes nothing
        await pilot.pause()
        assert not isinstance(app.screen, SaveDialog)
        await submit(app, pilot, "can I stop diazepam suddenly?")
        await submit(app, pilot, "I just took 30 diazepam tablets at once")
        await pilot.press("ctrl+s")
        await pilot.pause()
        # the folder is shown, and can be changed, before anything is written
        assert isinstance(app.screen, SaveDialog)
        assert app.screen.query_one("#save-folder").value == str(data_dir / "transcripts")
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, SaveDialog)
        path = app.last_saved
        assert path is not None and path.parent == data_dir / "transcripts"
        assert any(str(path) in n.message for n in app._notifications)  # says where it went
        # and a second time into a folder typed in the dialog
        await pilot.press("ctrl+s")
        await pilot.pause()
        field = app.screen.query_one("#save-folder")
        field.value = str(tmp_path / "elsewhere")
        await pilot.press("enter")
        await pilot.pause()
        assert app.last_saved.parent == tmp_path / "elsewhere"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "elsewhere"]  # never the cwd
    md = path.read_text(encoding="utf-8")
    assert "## 1. can I stop diazepam suddenly?" in md
    assert "> **Q: Can I stop taking Diazepam suddenly?** A: No. Abruptly stopping Diazepam" in md
    assert f"\u2014 Diazepam (Diazepam + Imipramine) \u00b7 FAQ, line 28 \u00b7 {SEED_FILE}" in md
    assert "**EMERGENCY:** " + EMERGENCY_MESSAGE in md
    assert md.count(DISCLAIMER) == 2


@chat_test
async def test_save_error_stays_in_the_dialog(engine, tmp_path):
    from rxquote.tui.widgets.save_dialog import SaveDialog

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    async with chat(engine) as (app, pilot):
        await submit(app, pilot, "is diazepam addictive?")
        await pilot.press("ctrl+s")
        await pilot.pause()
        app.screen.query_one("#save-folder").value = str(blocker / "sub")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SaveDialog)
        assert "Could not save" in plain(app.screen.query_one("#save-error"))
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SaveDialog) and app.last_saved is None


@chat_test
async def test_clear(engine):
    from rxquote.tui.widgets.question_view import QuestionView
    from rxquote.tui.widgets.welcome import Welcome

    async with chat(engine) as (app, pilot):
        await submit(app, pilot, "is diazepam addictive?")
        app.conversation.pin("Imipramine")
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not answers(app) and not app.query(QuestionView) and app.query(Welcome)
        assert app.conversation.turns == [] and app.conversation.pinned == ()
        # a fresh conversation: no leftover focus
        await submit(app, pilot, "what are the side effects?")
        assert answers(app)[0].answer.status == "clarify"


@chat_test
async def test_command_palette_has_the_actions(engine, data_dir):
    from textual.command import CommandPalette

    async with chat(engine) as (app, pilot):
        commands = list(app.get_system_commands(app.screen))
        titles = [c.title for c in commands]
        for t in ("Help: keys", "My medicines", "Clear my medicines", "Find a medicine", "Open the monograph",
                  "Copy the answer", "Save the transcript", "Latest answer", "Clear the conversation", "Quit"):
            assert t in titles
        # Screenshot: one, ours, and it saves where transcripts go, saying where
        [shot] = [c for c in commands if c.title == "Screenshot"]
        shot.callback()
        await pilot.pause()
        [svg] = list((data_dir / "transcripts").glob("*.svg"))
        assert "<svg" in svg.read_text(encoding="utf-8")[:200]
        assert any(str(svg) in n.message for n in app._notifications)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


# -- literal display ---------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["[@click=app.quit]x[/]", "[link=foo]", "[b]bold[/b] [red]x", "$accent [/]"])
@chat_test
async def test_user_text_is_literal(engine, question):
    from rxquote.tui.widgets.question_view import QuestionView

    async with chat(engine) as (app, pilot):
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
        assert len(answers(app)) == 1


ODD_PAGE = (
    "---\ntitle: Testamol\n---\n\n# Testamol\n\n"
    "**Usage:** Testamol treats [@click=app.quit]headaches[/] and [link=foo] pain.\n\n"
    "**Side Effects:** [red]Nausea[/red] and $accent rash.\n"
)


@chat_test
async def test_loading_progress_and_literal_corpus_text(tmp_path, monkeypatch):
    """Without an engine the app opens (here: builds) the index in a worker and shows the
    progress, posted as messages; then markup-like corpus text (title, passages, file name)
    is shown as written."""
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

    monkeypatch.setattr(LoadingPanel, "progress", spy)
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
    assert seen, "the index build reported no progress"


# -- themes, NO_COLOR --------------------------------------------------------------------------


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
@chat_test
async def test_small_terminal_and_themes(engine, theme):
    from rxquote.tui.widgets.sidebar import MedicineSidebar

    async with chat(engine, size=(80, 24)) as (app, pilot):
        app.theme = theme
        await submit(app, pilot, "I just took 30 diazepam tablets at once")
        await submit(app, pilot, "can I stop diazepam suddenly?")
        assert app.screen.has_class("narrow") and app.screen.has_class("short")
        assert app.query_one(MedicineSidebar).outer_size.width == 24
        assert app.query_one("#conversation").size.height >= 14


@chat_test
async def test_no_color(engine, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    async with chat(engine) as (app, pilot):
        await submit(app, pilot, "I just took 30 diazepam tablets at once")
        assert app.no_color
        # without colour the emergency still reads as one: its words and its heavy border
        view = answers(app)[0]
        assert "EMERGENCY" in plain(view.children[0])
        assert view.styles.border_top[0] == "heavy"
