"""The chat as people use it (issue #14): "my medicines" (declared, ticked, kept, cleared,
passed to the engine), the keyboard flow the hints promise, 80×24 as a first-class size, and
the small honesty rules (copy, queued typing, long questions, emergencies and ctrl+o, toasts).

Behaviours that depend on the layout run at both 80×24 and 120×40."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from rxquote.answer import MAX_QUESTION_CHARS, Engine

from .tui_helpers import (  # noqa: F401  (data_dir, engine: fixtures)
    SEEDS,
    SIZES,
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
    visible_in,
)


def saved(data_dir) -> list[str]:
    return json.loads((data_dir / "my-medicines.json").read_text(encoding="utf-8"))["medicines"]


# -- my medicines --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@chat_test
async def test_declared_medicines_are_kept_shown_and_asked_with(engine, data_dir, size):
    from rxquote.tui.widgets.question_view import NoteView
    from rxquote.tui.widgets.sidebar import MyMedicineOptions

    spy = BlockingEngine(engine)
    spy.release.set()
    async with chat(spy, size=size) as (app, pilot):
        await submit(app, pilot, "I take valium and imipramin")
        # a declaration only: the list changes, a note says so, nothing is asked
        assert app.my_medicines == ("Diazepam", "Imipramine")
        assert saved(data_dir) == ["Diazepam", "Imipramine"]
        assert not answers(app) and not spy.calls
        [note] = app.query(NoteView)
        assert "Added to your medicines: Diazepam, Imipramine." in note.text
        mine = app.query_one(MyMedicineOptions)
        assert [str(mine.get_option_at_index(i).prompt) for i in range(mine.option_count)] == [
            "\u2713 Diazepam", "\u2713 Imipramine"]
        assert "my medicines: Diazepam, Imipramine" in plain(app.query_one("#focus-bar"))
        assert app.conversation.history == []  # a declaration is not a question
        # every question passes the list to the engine, exactly as `rxquote ask --medicines`
        await submit(app, pilot, "what are the side effects?")
        a = answers(app)[-1].answer
        assert spy.calls[-1][1]["medicines"] == ["Diazepam", "Imipramine"]
        assert a == engine.ask("what are the side effects?", history=[], top_k=3, medicines=["Diazepam", "Imipramine"])
        assert a.status == "answered"


@chat_test
async def test_a_declaration_with_a_question_is_asked_too(engine, data_dir):
    async with chat(engine) as (app, pilot):
        await submit(app, pilot, "I'm on diazepam, is it addictive?")
        assert app.my_medicines == ("Diazepam",)
        [view] = answers(app)
        assert view.answer.status == "answered" and view.answer.drugs == ("Diazepam",)
        assert "Added to your medicines: Diazepam." in app.conversation.turns[-1].note
        # stopping one takes it off the list
        await submit(app, pilot, "I stopped taking diazepam")
        assert app.my_medicines == () and saved(data_dir) == []
        # context alone is not asked; a symptom is
        await submit(app, pilot, "I look after my mum. She takes imipramine")
        assert app.my_medicines == ("Imipramine",) and len(answers(app)) == 1
        await submit(app, pilot, "she takes diazepam too and she feels dizzy")
        assert app.my_medicines == ("Imipramine", "Diazepam") and len(answers(app)) == 2


@chat_test
async def test_an_emergency_is_never_taken_for_a_declaration(engine):
    async with chat(engine) as (app, pilot):
        await submit(app, pilot, "I take diazepam and I just took 30 of them at once")
        assert app.my_medicines == ()
        assert answers(app)[0].answer.status == "emergency"


@pytest.mark.parametrize("size", SIZES)
@chat_test
async def test_tick_untick_and_clear_with_keys(engine, data_dir, size):
    from rxquote.tui.widgets.sidebar import MedicineOptions, MyMedicineOptions

    async with chat(engine, size=size) as (app, pilot):
        await pilot.press("ctrl+t")  # empty list: the medicine list, with a hint
        assert isinstance(app.focused, MedicineOptions)
        await pilot.press("down", "space")  # (any) -> Diazepam: ticked
        await pilot.pause()
        assert app.my_medicines == ("Diazepam",) and saved(data_dir) == ["Diazepam"]
        ol = app.query_one(MedicineOptions)
        assert str(ol.get_option_at_index(1).prompt) == "\u2713 Diazepam"
        await pilot.press("ctrl+f", *"imip", "down", "space")
        await pilot.pause()
        assert app.my_medicines == ("Diazepam", "Imipramine")
        await pilot.press("ctrl+t")  # now: the list at the top
        assert isinstance(app.focused, MyMedicineOptions)
        await pilot.press("space")  # unticks the highlighted one
        await pilot.pause()
        assert app.my_medicines == ("Imipramine",)
        await pilot.press("ctrl+t", "x")  # clears them all
        await pilot.pause()
        assert app.my_medicines == () and saved(data_dir) == []
        assert app.focused.id == "question"


@chat_test
async def test_the_list_is_kept_between_sessions(engine, data_dir):
    async with chat(engine) as (app, pilot):
        await submit(app, pilot, "I take diazepam")
    async with chat(engine) as (app, pilot):
        assert app.my_medicines == ("Diazepam",)
        assert "Diazepam" in plain(app.query_one("#welcome"))
        assert [s.label for s in app.query_one("#suggestions").items][0] == "Side effects of my medicines"


@chat_test
async def test_a_garbled_file_starts_empty_and_says_so(engine, data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / "my-medicines.json").write_bytes(b"{\x00 not json")
    async with chat(engine) as (app, pilot):
        assert app.my_medicines == ()
        assert any("could not be read" in n.message for n in app._notifications)
        await submit(app, pilot, "I take diazepam")
    assert saved(data_dir) == ["Diazepam"]


@chat_test
async def test_names_from_another_corpus_are_kept_but_marked(engine, data_dir):
    from rxquote.tui.widgets.sidebar import MyMedicineOptions

    data_dir.mkdir(parents=True)
    (data_dir / "my-medicines.json").write_text(json.dumps({"medicines": ["Warfarin", "Diazepam"]}), encoding="utf-8")
    async with chat(engine) as (app, pilot):
        mine = app.query_one(MyMedicineOptions)
        assert "not in these monographs" in str(mine.get_option_at_index(0).prompt)
        await submit(app, pilot, "is it addictive?")
        assert answers(app)[0].answer.drugs == ("Diazepam",)


# -- keyboard flow ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@chat_test
async def test_tab_order_question_suggestions_conversation_sidebar(engine, size):
    async with chat(engine, size=size) as (app, pilot):
        await submit(app, pilot, "can I stop diazepam suddenly?")
        await submit(app, pilot, "what are the side effects of imipramine?")
        latest_first = [p for p in passages_of(app) if p.answer is answers(app)[-1].answer][0]
        order = []
        for _ in range(6):
            await pilot.press("tab")
            order.append(app.focused)
        assert order[0].id == "sugg-list"
        assert order[1] is latest_first  # the latest answer, not the first passage of all
        assert [w.id for w in order[2:]] == ["med-filter", "med-list", "question", "sugg-list"]
        await pilot.press("shift+tab")
        assert app.focused.id == "question"


@chat_test
async def test_passages_up_down_and_escape_keeps_the_view(engine):
    async with chat(engine) as (app, pilot):
        await submit(app, pilot, "can I stop diazepam suddenly?")
        await submit(app, pilot, "what are the side effects of imipramine?")
        ps = passages_of(app)
        await pilot.press("tab", "tab")
        first_of_latest = app.focused
        n = ps.index(first_of_latest)
        await pilot.press("up")  # to the older answer's passage
        assert app.focused is ps[n - 1]
        conv = app.query_one("#conversation")
        await pilot.pause()
        where = conv.scroll_y
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused.id == "question" and conv.scroll_y == where
        await pilot.press("tab", "tab")
        for _ in range(len(ps) - n):
            await pilot.press("down")
        assert app.focused.id == "question"  # past the last passage: back to the box


@pytest.mark.parametrize("size", SIZES)
@chat_test
async def test_scroll_keys_from_the_question_box(engine, size):
    async with chat(engine, size=size) as (app, pilot):
        for q in ("what are the side effects of diazepam?", "what are the side effects of imipramine?",
                  "how does diazepam work?", "what is imipramine used for?"):
            await submit(app, pilot, q)
        conv = app.query_one("#conversation")
        assert app.focused.id == "question" and conv.max_scroll_y > 0
        await pilot.press("ctrl+home")
        assert conv.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert conv.scroll_y > 0
        down = conv.scroll_y
        await pilot.press("pageup")
        await pilot.pause()
        assert conv.scroll_y < down
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert conv.scroll_y == conv.max_scroll_y
        await pilot.press("ctrl+home", "ctrl+g")  # the latest answer, from anywhere
        await pilot.pause()
        latest = list(app.query("QuestionView"))[-1]
        assert visible_in(latest, conv)
        assert app.focused.id == "question"


@pytest.mark.parametrize("before, after", [((120, 40), (80, 24)), ((80, 24), (120, 40))])
@chat_test
async def test_resize_and_sidebar_keep_the_latest_answer_in_view(engine, before, after):
    async with chat(engine, size=before) as (app, pilot):
        for q in ("what are the side effects of diazepam?", "what are the side effects of imipramine?",
                  "can I stop diazepam suddenly?"):
            await submit(app, pilot, q)
        conv = app.query_one("#conversation")
        latest = list(app.query("QuestionView"))[-1]
        assert visible_in(latest, conv)
        await pilot.resize_terminal(*after)
        await pilot.pause()
        await pilot.pause()
        assert visible_in(latest, conv)
        await pilot.press("ctrl+b")  # sidebar off
        await pilot.pause()
        await pilot.pause()
        assert visible_in(latest, conv)
        await pilot.press("ctrl+b")
        await pilot.pause()
        await pilot.pause()
        assert visible_in(latest, conv)


def our_bindings():
    from rxquote.tui.app import ChatScreen, RxQuoteApp
    from rxquote.tui.widgets.conversation import ConversationView
    from rxquote.tui.widgets.help_screen import HelpScreen
    from rxquote.tui.widgets.question_input import QuestionInput
    from rxquote.tui.widgets.save_dialog import SaveDialog
    from rxquote.tui.widgets.sidebar import FilterInput, MedicineOptions, MyMedicineOptions
    from rxquote.tui.widgets.suggestions import SuggestionList

    for cls in (RxQuoteApp, ChatScreen, QuestionInput, ConversationView, SuggestionList, MyMedicineOptions,
                MedicineOptions, FilterInput, SaveDialog, HelpScreen):
        yield from cls.BINDINGS


@chat_test
async def test_help_is_generated_from_every_binding(engine):
    from rxquote.tui.widgets.help_screen import HelpScreen, help_text, key_label

    bindings = list(our_bindings())
    assert all(b.id and (b.description or b.tooltip) for b in bindings)
    assert len({b.id for b in bindings}) == len(bindings)  # ids are unique (remappable)
    async with chat(engine) as (app, pilot):
        text = help_text(app.key_groups())
        for b in bindings:
            assert f"{key_label(b.key)}: {b.tooltip or b.description}" in text
        for key in ("PgUp", "PgDn", "ctrl+Home", "ctrl+End", "ctrl+g", "Tab", "Space", "ctrl+p", "ctrl+t", "Esc"):
            assert key in text
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("ctrl+s")  # chat keys wait while a window is open
        await pilot.press("f1")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


def test_readme_lists_every_chat_key():
    from pathlib import Path

    from rxquote.tui.app import ChatScreen, RxQuoteApp
    from rxquote.tui.widgets.help_screen import key_label

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    keys = readme[readme.index("**Keys.**"):readme.index("**What the chat writes")]
    for b in RxQuoteApp.BINDINGS + ChatScreen.BINDINGS:
        for key in key_label(b.key).split(" / "):
            assert key in keys, key


# -- the sidebar --------------------------------------------------------------------------------


LONG = "Abacavir + Dolutegravir + Lamivudine"
PAGES = {
    "selegiline.md": "---\ntitle: Selegiline\n---\n# Selegiline\n### Uses\nSelegiline treats Parkinson's disease.\n",
    "selegiline-transdermal.md": "---\ntitle: Selegiline (Transdermal)\n---\n# Selegiline (Transdermal)\n"
                                 "### Uses\nThe patch treats depression.\n",
    "abacavir-dolutegravir-lamivudine.md": f"---\ntitle: {LONG}\n---\n# {LONG}\n### Uses\nTreats HIV infection.\n",
}


@pytest.fixture(scope="module")
def pages_engine(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("pages")
    for name, text in PAGES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    for n in range(40):  # enough names to scroll
        (corpus / f"m{n:02d}.md").write_text(f"---\ntitle: Medicine{n:02d}\n---\n# Medicine{n:02d}\n### Uses\nUse {n}.\n",
                                             encoding="utf-8")
    return Engine.open(corpus, tmp_path_factory.mktemp("pages-index"))


@pytest.mark.parametrize("size", SIZES)
@chat_test
async def test_sidebar_one_line_per_medicine_and_distinct_names(pages_engine, size):
    from rxquote.tui.widgets.sidebar import MedicineOptions

    async with chat(pages_engine, size=size) as (app, pilot):
        ol = app.query_one(MedicineOptions)
        names = [str(ol.get_option_at_index(i).prompt).strip() for i in range(ol.option_count)]
        assert "Selegiline" in names and "Selegiline (Transdermal)" in names  # the page's own qualifier
        assert ol.virtual_size.height == ol.option_count  # one line each, however long the name
        await pilot.press("ctrl+f", *"abac", "down")
        await pilot.pause()
        full = app.query_one("#med-full")
        width = ol.scrollable_content_region.width
        if len(LONG) + 3 > width:  # cut in the column: an ellipsis there, the whole name below
            assert full.display and LONG in plain(full)
            svg = app.export_screenshot()
            assert "\u2026" in svg or "&#8230;" in svg


@chat_test
async def test_sidebar_keeps_its_scroll_after_ask_and_clear(pages_engine):
    from rxquote.tui.widgets.sidebar import MedicineOptions

    async with chat(pages_engine, size=(80, 24)) as (app, pilot):
        ol = app.query_one(MedicineOptions)
        ol.focus()
        for _ in range(25):
            await pilot.press("down")
        await pilot.pause()
        where = ol.scroll_y
        assert where > 0
        await submit(app, pilot, "what is selegiline used for?")
        assert ol.scroll_y == where
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.pause()
        assert ol.scroll_y == where


# -- 80x24 -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@chat_test
async def test_small_and_large_screens_show_what_matters(engine, size):
    from textual.widgets import Footer

    async with chat(engine, size=size) as (app, pilot):
        conv = app.query_one("#conversation")
        box = app.query_one("#question")
        assert box.styles.border_top[0] not in ("", "none") and box.outer_size.height == 3
        welcome = app.query_one("#welcome")
        assert visible_in(welcome, conv)  # all of it, disclaimer included
        shown = {b.action for _, b, enabled, _ in app.screen.active_bindings.values() if b.show}
        assert {"quit", "help", "find_medicine", "open_source", "my_medicines"} <= shown
        footer = app.query_one(Footer)

        def footer_fits():
            keys = [w for w in footer.query("FooterKey") if w.display]
            return keys and all(k.region.right <= footer.region.right for k in keys)  # none cut off

        assert footer_fits()
        await submit(app, pilot, "can I stop diazepam suddenly?")
        view = answers(app)[0]
        assert visible_in(view, conv)  # a short answer, whole
        await pilot.press("tab", "tab")  # a passage focused: its keys join the footer, ours still fit
        await pilot.pause()
        assert app.focused in passages_of(app) and footer_fits()


# -- small honesty rules ------------------------------------------------------------------------


@pytest.mark.parametrize("env, says", [
    ({"TERM_PROGRAM": "iTerm.app"}, "is on the clipboard"),
    ({"TMUX": "/tmp/tmux-1/default,1,0"}, "set-clipboard on"),
    ({"TERM": "xterm-256color"}, "If nothing pastes"),
])
@chat_test
async def test_copy_says_what_happened(engine, monkeypatch, env, says):
    for var in ("TMUX", "STY", "TERM_PROGRAM", "WT_SESSION", "KONSOLE_VERSION", "KITTY_WINDOW_ID", "INSIDE_EMACS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    async with chat(engine) as (app, pilot):
        await pilot.press("ctrl+y")  # nothing yet
        assert app.clipboard == ""
        await submit(app, pilot, "can I stop diazepam suddenly?")
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert "Abruptly stopping Diazepam" in app.clipboard
        assert any(says in n.message for n in app._notifications)


@chat_test
async def test_copy_where_the_terminal_cannot_offers_a_file(engine, monkeypatch, data_dir):
    from rxquote.tui.widgets.save_dialog import SaveDialog

    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.setenv("TERM_PROGRAM", "Apple_Terminal")
    async with chat(engine) as (app, pilot):
        await submit(app, pilot, "can I stop diazepam suddenly?")
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert app.clipboard == ""  # nothing pretended
        assert isinstance(app.screen, SaveDialog)
        assert "nothing was copied" in plain(app.screen.query_one("#save-why"))
        await pilot.press("enter")
        await pilot.pause()
        path = app.last_saved
        assert path.parent == data_dir / "transcripts" and "Abruptly stopping Diazepam" in path.read_text(encoding="utf-8")


@chat_test
async def test_whitespace_only_input_is_cleared(engine):
    async with chat(engine) as (app, pilot):
        box = app.query_one("#question")
        box.value = "   \t  "
        await pilot.press("enter")
        await pilot.pause()
        assert box.value == "" and not answers(app) and not app.conversation.turns


@chat_test
async def test_a_long_question_is_cut_at_a_word_and_says_so(engine):
    from rxquote.tui.widgets.question_view import NoteView

    spy = BlockingEngine(engine)
    spy.release.set()
    question = "can I stop diazepam suddenly? " + "please tell me more " * 150 + "imipramine"
    assert len(question) > MAX_QUESTION_CHARS
    async with chat(spy) as (app, pilot):
        await submit(app, pilot, question)
        asked = spy.calls[0][0]
        assert len(asked) <= MAX_QUESTION_CHARS and question.startswith(asked)
        assert question[len(asked)] == " "  # cut between words
        assert not asked.endswith("imipramine")
        [note] = app.query(NoteView)
        assert f"longer than {MAX_QUESTION_CHARS:,} characters" in note.text
        assert answers(app)[0].answer.question == asked
        assert "longer than" in app.conversation.to_markdown()


@chat_test
async def test_source_after_an_emergency_opens_the_latest_passage(engine):
    from rxquote.tui.widgets.source_viewer import SourceViewer

    async with chat(engine) as (app, pilot):
        await pilot.press("ctrl+o")  # nothing yet: dimmed, nothing opens
        await pilot.pause()
        assert not isinstance(app.screen, SourceViewer)
        await submit(app, pilot, "can I stop diazepam suddenly?")
        want = answers(app)[0].answer.passages[0]
        await submit(app, pilot, "I just took 30 diazepam tablets at once")
        assert not answers(app)[-1].answer.passages
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, SourceViewer) and app.screen.passage == want


@pytest.mark.parametrize("size", SIZES)
@chat_test
async def test_toasts_cover_neither_suggestions_nor_the_focus_line(engine, size):
    from textual.widgets._toast import Toast

    async with chat(engine, size=size, notifications=True) as (app, pilot):
        await submit(app, pilot, "what is imipramine used for?")
        app.notify("A toast with a fairly long message that takes a few lines to show.", timeout=30)
        await pilot.pause()
        await pilot.pause()
        [toast] = app.screen.query(Toast)
        for wid in ("#suggestions", "#focus-bar", "#question"):
            assert not toast.region.overlaps(app.query_one(wid).region), wid


@chat_test
async def test_typed_while_loading_is_kept_and_asked_when_ready(tmp_path, monkeypatch, seed_index):
    """The box works while the monographs load; Enter queues the question, asked when ready."""
    from rxquote.tui.app import create_app

    ready = threading.Event()
    real_open = Engine.open

    def slow_open(corpus, index, progress=None):
        ready.wait(120)
        return real_open(corpus, index, progress)

    monkeypatch.setattr(Engine, "open", staticmethod(slow_open))
    app = create_app(SEEDS, seed_index, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        box = app.query_one("#question")
        assert app.busy and box.has_focus and not box.disabled
        box.value = "can I stop diazepam suddenly"
        await pilot.press("?")
        assert box.value == "can I stop diazepam suddenly?"  # typing works and is kept
        await pilot.press("enter")
        await pilot.pause()
        assert app.queued == ["can I stop diazepam suddenly?"] and app.query(".queued")
        ready.set()
        for _ in range(50):
            await settle(app, pilot)
            if answers(app):
                break
            await asyncio.sleep(0.05)
        [view] = answers(app)
        assert view.answer.question == "can I stop diazepam suddenly?" and view.answer.status == "answered"
        assert not app.query(".queued")


def test_load_progress_is_throttled_and_cancellable():
    from rxquote.tui.progress import BuildCancelled, ProgressReporter

    posted: list[tuple[str, int, int]] = []
    now = [0.0]
    cancelled = [False]
    report = ProgressReporter(lambda *a: posted.append(a), lambda: cancelled[0], interval=0.1, clock=lambda: now[0])
    for i in range(1, 1001):  # 1,000 files in 0.5 s
        now[0] = i * 0.0005
        report("parse", i, 1000)
    assert posted[0] == ("parse", 1, 1000) and posted[-1] == ("parse", 1000, 1000)
    assert len(posted) <= 7  # ~10 a second, plus the first and the last
    report("index", 0, 1)  # a new stage is always shown
    assert posted[-1] == ("index", 0, 1)
    cancelled[0] = True
    with pytest.raises(BuildCancelled):
        report("index", 1, 1)


def test_build_progress_messages_collapse():
    from rxquote.tui.messages import BuildProgress

    assert BuildProgress("parse", 2, 10).can_replace(BuildProgress("parse", 1, 10))
    assert not BuildProgress("index", 1, 10).can_replace(BuildProgress("parse", 9, 10))


@chat_test
async def test_a_build_in_worker_processes_works_inside_the_running_chat(tmp_path, monkeypatch):
    """A large corpus is parsed in spawned worker processes. Inside a running Textual app
    `sys.stderr` is Textual's capture (fileno -1), on which multiprocessing cannot start its
    resource tracker; `prepare_build_workers` (called by `run` before the app starts) starts
    it first. Here the pool threshold is lowered so three pages take that path."""
    from rxquote import builder
    from rxquote.tui.app import create_app, prepare_build_workers

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("Alphamol", "Betamol", "Gammamol"):
        (corpus / f"{name.lower()}.md").write_text(f"---\ntitle: {name}\n---\n# {name}\n### Uses\n{name} treats pain.\n",
                                                   encoding="utf-8")
    monkeypatch.setattr(builder, "IN_PROCESS_FILES", 0)
    monkeypatch.setattr(builder, "MAX_WORKERS", 2)
    prepare_build_workers(corpus, tmp_path / "index")
    app = create_app(corpus, tmp_path / "index", cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(600):
            await pilot.pause()
            if app.engine is not None or app.exit_code:
                break
            await asyncio.sleep(0.1)
        assert app.exit_code == 0 and app.engine is not None
        await submit(app, pilot, "what is betamol used for?")
        assert answers(app)[0].answer.status == "answered"
