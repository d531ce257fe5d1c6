"""The rxquote chat: a Textual app around the same `Engine.ask` as `rxquote ask`.

`RxQuoteApp(engine=...)` takes a ready engine (tests); `RxQuoteApp(corpus=..., index=...)`
opens (and if needed builds) the index in a worker thread, showing its progress; what the
person types meanwhile is kept and asked when the engine is ready.

State lives in two reactives, `my_medicines` (the person's list, saved in their data folder
whenever it changes) and `busy`, and flows down to the sidebar and the focus bar by
`data_bind`; widgets send intent back up as the messages in `tui/messages.py`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header
from textual.worker import get_current_worker

from .. import intents, locations
from .. import my_medicines as mm
from ..answer import Answer, Engine, Passage
from .clipboard import clipboard_support
from .messages import BuildProgress, MedicineChosen, MyMedicinesCleared, MyMedicinesToggled, SuggestionPicked
from .progress import BuildCancelled, ProgressReporter
from .session import (
    Conversation,
    Suggestion,
    answer_text,
    declaration_note,
    example_medicines,
    shorten_question,
    shortened_note,
)
from .widgets.answer_view import AnswerView, ErrorView, PassageView
from .widgets.conversation import ConversationView
from .widgets.focus_bar import FocusBar, focus_line
from .widgets.help_screen import HelpScreen, KeyGroup
from .widgets.loading import LoadingPanel
from .widgets.question_input import QuestionInput
from .widgets.question_view import NoteView, QuestionView
from .widgets.save_dialog import SaveDialog
from .widgets.sidebar import FilterInput, MedicineOptions, MedicineSidebar, MyMedicineOptions
from .widgets.source_viewer import SourceViewer
from .widgets.suggestions import SuggestionList, Suggestions
from .widgets.thinking import Thinking
from .widgets.welcome import Welcome

LOADING = "Loading the monographs\u2026 type your question: Enter asks it when they are ready."
SEARCHING = "Searching the monographs\u2026"


class ChatScreen(Screen):
    """The chat's one screen. Its focus chain is question box → suggestions → conversation
    (one stop: the latest answer's first passage) → sidebar, whatever their places on screen."""

    BINDINGS = [
        Binding("tab", "app.focus_next", "Next stop: question box \u2192 suggestions \u2192 conversation \u2192 medicines",
                id="move.next", show=False),
        Binding("shift+tab", "app.focus_previous", "The same stops, backwards", id="move.previous", show=False),
        Binding("pageup", "scroll_conversation('page_up')", "Scroll the conversation up (from the question box too)",
                id="scroll.pageup", show=False),
        Binding("pagedown", "scroll_conversation('page_down')", "Scroll the conversation down", id="scroll.pagedown",
                show=False),
        Binding("ctrl+home", "scroll_conversation('home')", "To the start of the conversation", id="scroll.home",
                show=False),
        Binding("ctrl+end", "scroll_conversation('end')", "To the end of the conversation", id="scroll.end",
                show=False),
    ]

    @property
    def focus_chain(self) -> list[Widget]:
        chain = super().focus_chain
        conv = self.query_one(ConversationView)
        in_conv = [w for w in chain if conv in w.ancestors_with_self]
        first = [w for w in chain if w.id == "question"] + [w for w in chain if w.id == "sugg-list"]
        rest = [w for w in chain if w not in first and w not in in_conv]
        return first + ([conv.entry_point()] if in_conv else []) + rest

    def action_scroll_conversation(self, how: str) -> None:
        conv = self.query_one(ConversationView)
        {"page_up": conv.scroll_page_up, "page_down": conv.scroll_page_down,
         "home": conv.scroll_home, "end": conv.scroll_end}[how](animate=False)


class RxQuoteApp(App[int]):
    CSS_PATH = "rxquote.tcss"
    AUTO_FOCUS = None  # the question box is focused on mount, never the filter instead
    TITLE = "rxquote"
    SUB_TITLE = "quotes from drug monographs, never advice"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("f1", "help", "Help", tooltip="Every key (this list)", id="app.help", priority=True),
        Binding("ctrl+f", "find_medicine", "Find", tooltip="Find a medicine: type to filter the list, Enter chooses the focus",
                id="app.find", priority=True),
        Binding("ctrl+o", "open_source", "Source", tooltip="Open the monograph at the latest quoted passage (or the focused one)",
                id="app.source", priority=True),
        Binding("ctrl+t", "my_medicines", "Medicines", tooltip="My medicines: the list at the top of the sidebar",
                id="app.medicines", priority=True),
        Binding("ctrl+y", "copy_answer", "Copy", tooltip="Copy the answer (the focused one, or the latest) with its citations",
                id="app.copy", show=False, priority=True),
        Binding("ctrl+s", "save", "Save", tooltip="Save the conversation as Markdown with citations (asks where)",
                id="app.save", show=False, priority=True),
        Binding("ctrl+l", "clear", "Clear", tooltip="Clear the conversation and the chosen focus (not your medicines)",
                id="app.clear", show=False, priority=True),
        Binding("ctrl+g", "latest", "Latest", tooltip="Jump to the latest answer", id="app.latest", show=False, priority=True),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", tooltip="Show or hide the medicine list", id="app.sidebar",
                show=False, priority=True),
        Binding("escape", "to_input", "To question", tooltip="Back to the question box (the conversation stays where it is)",
                id="app.to_question", show=False),
    ]

    my_medicines: reactive[tuple[str, ...]] = reactive((), init=False)
    busy: reactive[bool] = reactive(False, bindings=True)
    activity: reactive[str] = reactive("")  # what the chat is doing, for the focus bar

    def __init__(
        self,
        engine: Engine | None = None,
        *,
        corpus: Path | None = None,
        index: Path | None = None,
        top_k: int = 3,
        transcript_dir: Path | None = None,
        medicines_path: Path | None = None,
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        if engine is None and (corpus is None or index is None):
            raise ValueError("RxQuoteApp needs an engine, or a corpus and an index folder")
        self.engine = engine
        self.corpus, self.index_dir = corpus, index
        self.conversation = Conversation(top_k=top_k)
        self.transcript_dir = transcript_dir
        self.medicines_path = medicines_path or locations.my_medicines_path()
        self.cursor_blink = cursor_blink
        self.last_saved: Path | None = None
        self.exit_code = 0
        self.queued: list[str] = []  # asked while busy or loading: asked in order when ready
        self._medicines_loaded = False

    def get_default_screen(self) -> Screen:
        return ChatScreen(id="_default")

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="\u211e")
        with Horizontal(id="body"):
            yield MedicineSidebar(id="sidebar").data_bind(mine=RxQuoteApp.my_medicines)
            with Vertical(id="main"):
                with ConversationView(id="conversation"):
                    yield Welcome()
                yield Suggestions(id="suggestions")
                yield FocusBar(id="focus-bar").data_bind(mine=RxQuoteApp.my_medicines, activity=RxQuoteApp.activity)
                yield QuestionInput(id="question")
        yield Footer()

    def on_resize(self, event) -> None:
        self._keep_reading(lambda: self._fit(event.size.width, event.size.height))

    def _fit(self, width: int, height: int) -> None:
        """Small terminals (80x24): a narrower sidebar, no header, fewer suggestion rows; the
        conversation keeps most of the screen and the question box keeps its border."""
        self.screen.set_class(width < 100, "narrow")
        self.screen.set_class(height < 30, "short")
        footer = self.query_one(Footer)
        footer.compact = width < 100
        # at 80 columns the chat's own keys come first; ctrl+p stays in F1 and works everywhere
        footer.show_command_palette = width >= 100
        self._sync_focus_line()

    def _sync_focus_line(self) -> None:
        """Short terminals: the focus line is the question box's top border, and the hint to
        the suggestions its bottom border (the suggestions lose their title row)."""
        box = self.query_one(QuestionInput)
        if self.screen.has_class("short"):
            bar = self.query_one(FocusBar)
            box.border_title = focus_line(bar.focus, bar.chosen, self.my_medicines, self.activity)
            box.border_subtitle = "Tab: suggestions · F1: keys" if self.query_one(Suggestions).display else "F1: keys"
        else:
            box.border_title = box.border_subtitle = None

    def _keep_reading(self, change) -> None:
        """Apply a layout change (resize, sidebar), then bring back the turn being read: after
        an answer, that is the latest one."""
        conv = self.query_one(ConversationView)
        anchor = conv.reading()
        change()
        conv.keep_in_view(anchor)

    def on_mount(self) -> None:
        self._fit(self.size.width, self.size.height)
        box = self.query_one(QuestionInput)
        box.cursor_blink = self.cursor_blink
        box.focus()
        self.query_one(Suggestions).display = False
        self._restore_my_medicines()
        if self.engine is not None:
            self._engine_ready()
        else:
            self.busy = True
            self.activity = LOADING
            self.query_one(Welcome).display = False
            panel = LoadingPanel(id="loading")
            self.query_one(ConversationView).mount(panel, before=0)
            self._load_engine(panel)

    # -- my medicines ---------------------------------------------------------------------
    def _restore_my_medicines(self) -> None:
        loaded = mm.load(self.medicines_path)
        self.my_medicines = loaded.names
        self._medicines_loaded = True
        if loaded.problem:
            self.notify(f"Your saved medicines could not be read ({loaded.problem}); starting with none.",
                        title="My medicines", severity="warning", markup=False, timeout=8)

    def watch_my_medicines(self, before: tuple[str, ...], after: tuple[str, ...]) -> None:
        if self._medicines_loaded:
            try:
                mm.save(self.medicines_path, after)
            except OSError as e:
                self.notify(f"Could not save your medicines in {self.medicines_path}: {e.strerror or e}",
                            severity="error", markup=False)
        self._update_focus_bar()
        if not self.conversation.turns and self.engine is not None:
            self._show_welcome()

    @on(MyMedicinesToggled)
    def _toggled(self, event: MyMedicinesToggled) -> None:
        self.my_medicines = mm.toggled(self.my_medicines, event.medicine)

    @on(MyMedicinesCleared)
    def _cleared(self, event: MyMedicinesCleared) -> None:
        self.action_clear_my_medicines()

    def action_clear_my_medicines(self) -> None:
        if self.my_medicines:
            self.my_medicines = ()
            self.notify("Your list of medicines is empty now.", title="My medicines", timeout=4)
        self.query_one(QuestionInput).focus()

    def action_my_medicines(self) -> None:
        sidebar = self.query_one(MedicineSidebar)
        if not sidebar.display:
            self._keep_reading(lambda: setattr(sidebar, "display", True))
        if not sidebar.focus_mine():
            self.query_one(MedicineOptions).focus()
            self.notify("Space ticks the highlighted medicine as one of yours (type to filter); or type "
                        "\u201cI take \u2026\u201d in the question box.", title="My medicines", timeout=6)

    # -- loading -------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="load")
    def _load_engine(self, panel: LoadingPanel) -> None:
        worker = get_current_worker()
        report = ProgressReporter(lambda stage, done, total: panel.post_message(BuildProgress(stage, done, total)),
                                  lambda: worker.is_cancelled)
        try:
            engine = Engine.open(self.corpus, self.index_dir, report)
        except BuildCancelled:
            return
        except Exception as e:  # shown in the app; `run` returns 1 on quit
            if not worker.is_cancelled:
                self.call_from_thread(self._engine_failed, f"{type(e).__name__}: {e}")
            return
        if not worker.is_cancelled:
            self.call_from_thread(self._engine_opened, engine)

    def _engine_opened(self, engine: Engine) -> None:
        self.engine = engine
        self._engine_ready()

    def _engine_failed(self, text: str) -> None:
        self.exit_code = 1
        for w in self.query(LoadingPanel):
            w.remove()
        self.query_one(ConversationView).mount(ErrorView(f"could not open the index. {text}"))
        self.activity = "The index could not be opened (ctrl+q to quit)."

    def _engine_ready(self) -> None:
        for w in self.query(LoadingPanel):
            w.remove()
        self.query_one(MedicineSidebar).set_medicines(self.engine.medicines())
        self._show_welcome()
        self.busy = False
        self.activity = ""
        self._update_focus_bar()
        self._ask_queued()

    def _show_welcome(self) -> None:
        for w in self.query(Welcome):
            names = tuple(m.lower() for m in example_medicines(self.engine, 2))
            w.set_count(len(self.engine.medicines()), self._examples(), self.my_medicines, names)
            w.display = True
        self._show_suggestions(None)

    # -- asking --------------------------------------------------------------------------
    @on(QuestionInput.Submitted, "#question")
    def _submitted(self, event: QuestionInput.Submitted) -> None:
        self.submit(event.value)

    def submit(self, text: str) -> None:
        """What the person typed or picked: asked now, or queued while the chat is busy."""
        box = self.query_one(QuestionInput)
        if not text.strip():
            box.value = ""  # whitespace only: nothing to ask, and nothing left in the box
            return
        box.value = ""
        if self.busy or self.engine is None:
            if self.exit_code:  # the index could not be opened: nothing will ever answer
                return
            self.queued.append(text.strip())
            box.remember(text.strip())
            self.query_one(ConversationView).mount(NoteView(f"Waiting to ask: \u201c{' '.join(text.split())[:200]}\u201d",
                                                            classes="queued"))
            return
        self.ask(text)

    def _ask_queued(self) -> None:
        for w in self.query(".queued"):
            w.remove()
        if self.queued and not self.busy:
            self.ask(self.queued.pop(0))
            for q in self.queued:  # the rest stay visible as waiting
                self.query_one(ConversationView).mount(NoteView(f"Waiting to ask: \u201c{q[:200]}\u201d", classes="queued"))

    def ask(self, text: str) -> None:
        """Ask `text` as the next turn (as typed, or picked). A sentence that declares the
        person's medicines ("I take warfarin and metoprolol") updates their list first; if it
        asks nothing else, that is the whole turn."""
        text = text.strip()
        if self.busy or self.engine is None or not text:
            return
        box = self.query_one(QuestionInput)
        box.remember(text)
        question, shortened = shorten_question(text)
        conv = self.query_one(ConversationView)
        for w in self.query(Welcome):
            w.remove()
        notes = []
        # an emergency is never read as a declaration: it goes to the engine as it is
        declared = None if self.engine.emergency(question) else mm.parse_declaration(question, self.engine.resolve_names)
        if declared is not None:
            before = self.my_medicines
            self.my_medicines = mm.removed(mm.added(before, declared.added), declared.removed)
            notes.append(declaration_note(declared, before, self.my_medicines))
        if shortened:
            notes.append(shortened_note(question))
        conv.mount(QuestionView(question, self.conversation.pinned))
        for n in notes:
            conv.mount(NoteView(n))
        # asked too when the rest asks something: "…, can I take ibuprofen?", "… and I feel dizzy";
        # not for context alone ("I look after my dad. He takes …")
        if declared is not None and not declared.question and intents.detect(declared.rest) is None:
            self.conversation.record_note(question, " ".join(notes))
            self.call_after_refresh(conv.scroll_to_latest)
            self._update_focus_bar()
            self._show_suggestions(None)
            self._ask_queued()
            return
        conv.mount(Thinking())
        conv.scroll_end(animate=False)
        self.busy = True
        self.activity = SEARCHING
        self._answer(question, self.conversation.ask_kwargs(self.my_medicines), " ".join(notes) or None)

    @work(thread=True, group="answer")  # one at a time: `busy` queues the next question
    def _answer(self, question: str, kwargs: dict, note: str | None) -> None:
        try:
            answer = self.engine.ask(question, **kwargs)
            named = self.engine.resolve_names(question)
        except Exception as e:
            self.call_from_thread(self._answer_failed, f"{type(e).__name__}: {e}")
            return
        self.call_from_thread(self._show_answer, question, answer, named, note)

    def _answer_failed(self, text: str) -> None:
        for w in self.query(Thinking):
            w.remove()
        self.query_one(ConversationView).mount(ErrorView(text))
        self.busy = False
        self.activity = ""
        self._ask_queued()

    def _show_answer(self, question: str, answer: Answer, named: tuple[str, ...], note: str | None) -> None:
        for w in self.query(Thinking):
            w.remove()
        self.conversation.record(question, answer, named, note, self.my_medicines)
        sidebar = self.query_one(MedicineSidebar)
        if sidebar.pinned and not self.conversation.pinned:
            sidebar.show_pinned(None)
        conv = self.query_one(ConversationView)
        conv.mount(AnswerView(answer, self.engine.source_path))  # source_path: expanding a passage reads its section
        # the start of the new turn at the top: an emergency message, or the first passage,
        # is read first even when the answer is longer than the window
        self.call_after_refresh(conv.scroll_to_latest)
        if answer.status == "emergency":
            self.bell()
        self.busy = False
        self.activity = ""
        self._update_focus_bar()
        self._show_suggestions(answer)
        self.refresh_bindings()
        self._ask_queued()

    # -- focus and suggestions -----------------------------------------------------------
    def current_focus(self) -> tuple[str, ...]:
        """The medicines the next question is about unless it names one."""
        if self.engine is None:
            return self.conversation.pinned
        return self.engine.context(self.conversation.history, list(self.conversation.pinned) or None).drugs

    def _update_focus_bar(self) -> None:
        bar = self.query_one(FocusBar)
        bar.focus = self.current_focus()
        bar.chosen = bool(self.conversation.pinned)
        self._sync_focus_line()

    def watch_activity(self) -> None:
        self._sync_focus_line()

    def _show_suggestions(self, answer: Answer | None) -> None:
        box = self.query_one(Suggestions)
        if self.engine is None:
            return
        if answer is None:
            if self.my_medicines:
                box.show(self._mine_suggestions(), "Ask about your medicines")
                self._sync_focus_line()
                return
            pick = example_medicines(self.engine, 1)
            items = self.conversation.suggestions(tuple(pick), self.engine.faq_questions(pick[0])[:2] if pick else [], limit=4)
            box.show(items, "Try")
            self._sync_focus_line()
            return
        drugs = answer.drugs if answer.status in ("answered", "no_match") and answer.drugs else self.current_focus()
        if not drugs or answer.status == "emergency":
            box.show([])
            self._sync_focus_line()
            return
        faq: list[str] = []
        for d in drugs:
            faq += [q for q in self.engine.faq_questions(d) if q not in faq]
        box.show(self.conversation.suggestions(tuple(drugs), faq, mine=self.my_medicines), "Ask next")
        self._sync_focus_line()

    def _mine_suggestions(self) -> list[Suggestion]:
        out = [Suggestion("Side effects of my medicines", "What are the side effects of my medicines?"),
               Suggestion("Precautions for my medicines", "What precautions should I take with my medicines?")]
        out += [Suggestion(f"Side effects of {m}", f"What are the side effects of {m}?") for m in self.my_medicines[:3]]
        asked = {t.question.strip().lower() for t in self.conversation.turns}
        return [s for s in out if s.question.lower() not in asked]

    def _examples(self) -> tuple[str, ...]:
        pick = example_medicines(self.engine, 2) if self.engine is not None else []
        if not pick:
            return ()
        a, b = pick[0], pick[1] if len(pick) > 1 else pick[0]
        return (f"can I stop {a.lower()} suddenly?", f"what is {b.lower()} used for?")

    @on(SuggestionPicked)
    def _picked(self, event: SuggestionPicked) -> None:
        self.query_one(QuestionInput).focus()
        self.submit(event.question)

    @on(MedicineChosen)
    def _chosen(self, event: MedicineChosen) -> None:
        self.conversation.pin(event.medicine)
        self.query_one(MedicineSidebar).show_pinned(event.medicine)
        self._update_focus_bar()
        if event.medicine:
            self.notify(f"Questions are now about {event.medicine} until you name another medicine.",
                        title="Focus", markup=False, timeout=4)
            self._show_suggestions_for((event.medicine,))
        self.query_one(QuestionInput).focus()

    def _show_suggestions_for(self, drugs: tuple[str, ...]) -> None:
        faq = [q for d in drugs for q in self.engine.faq_questions(d)]
        self.query_one(Suggestions).show(self.conversation.suggestions(drugs, faq), "Ask about " + ", ".join(drugs))

    # -- passages: source, copy ----------------------------------------------------------
    @on(PassageView.OpenSource)
    def _open_source(self, event: PassageView.OpenSource) -> None:
        self.open_source(event.passage)

    def open_source(self, passage: Passage) -> None:
        path = self.engine.source_path(passage.source) if self.engine is not None else None
        self.push_screen(SourceViewer(passage, path))

    @on(PassageView.Copy)
    def _copy(self, event: PassageView.Copy) -> None:
        self._copy_answer(event.answer)

    def _copy_answer(self, answer: Answer) -> None:
        """Copy, and say what happened: the terminal gives no receipt, so the message says what
        is known about this terminal; where it surely drops the copy, offer a file instead."""
        text = answer_text(answer)
        support = clipboard_support(os.environ)
        if support == "no":
            self.push_screen(SaveDialog(
                "Save the answer", self._save_folder(), lambda folder: self._write_text(folder, "rxquote-answer", text),
                why="This terminal does not take copies from programs, so nothing was copied. "
                    "Save the answer, with its citations, to a file instead:"), self._saved)
            return
        self.copy_to_clipboard(text)
        if support == "yes":
            self.notify("The answer, with its citations, is on the clipboard.", title="Copied", timeout=4)
        elif support == "tmux":
            self.notify("Sent to tmux: it reaches your clipboard only with `set -g set-clipboard on`. "
                        "ctrl+s saves the conversation to a file instead.", title="Copy sent", markup=False, timeout=8)
        else:
            self.notify("Sent to the terminal's clipboard. If nothing pastes, your terminal does not accept "
                        "copies from programs: ctrl+s saves the conversation to a file instead.", title="Copy sent",
                        timeout=8)

    def _selected_answer(self) -> Answer | None:
        w = self.focused
        if isinstance(w, PassageView):
            return w.answer
        return self.conversation.last_answer

    # -- saving --------------------------------------------------------------------------
    def _save_folder(self) -> Path:
        return self.transcript_dir or locations.transcripts_dir()

    @staticmethod
    def _write_text(folder: Path, stem: str, text: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path, n = folder / f"{stem}.txt", 2
        while path.exists():
            path, n = folder / f"{stem}-{n}.txt", n + 1
        path.write_text(text + "\n", encoding="utf-8")
        return path

    def _saved(self, path: Path | None) -> None:
        if path is None:
            return
        self.last_saved = path
        self.transcript_dir = path.parent  # the next save offers the same folder
        self.notify(f"Saved to {path}", title="Saved", markup=False, timeout=8)

    def action_save(self) -> None:
        if not self.conversation.turns:
            self.notify("Nothing to save yet: ask a question first.", timeout=3)
            return
        self.push_screen(SaveDialog("Save the transcript", self._save_folder(), self.conversation.save), self._saved)

    def action_screenshot_to_file(self) -> None:
        folder = self._save_folder()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = self.save_screenshot(path=str(folder))
        except OSError as e:
            self.notify(f"Could not save the screenshot in {folder}: {e.strerror or e}", severity="error", markup=False)
            return
        self.notify(f"Screenshot saved to {path}", title="Screenshot", markup=False, timeout=8)

    # -- actions -------------------------------------------------------------------------
    def key_groups(self) -> tuple[KeyGroup, ...]:
        """Every key, from the real bindings (F1)."""
        return (
            KeyGroup.of("Anywhere", self.BINDINGS, [Binding(self.COMMAND_PALETTE_BINDING, "command_palette", "",
                        tooltip="Command palette: every action, searchable; also themes")]),
            KeyGroup.of("Moving around", ChatScreen.BINDINGS),
            KeyGroup.of("Question box", QuestionInput.BINDINGS),
            KeyGroup.of("Suggestions", SuggestionList.BINDINGS),
            KeyGroup.of("Conversation", ConversationView.BINDINGS, PassageView.BINDINGS),
            KeyGroup.of("My medicines (top of the sidebar)", MyMedicineOptions.BINDINGS),
            KeyGroup.of("Medicine list", FilterInput.BINDINGS, MedicineOptions.BINDINGS,
                        note="typing filters; first entry: no focus"),
            KeyGroup.of("Monograph window", SourceViewer.BINDINGS, note="\u2191\u2193 PgUp PgDn scroll"),
            KeyGroup.of("Save window", SaveDialog.BINDINGS, note="Enter saves"),
            KeyGroup.of("This help", HelpScreen.BINDINGS),
        )

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
        else:
            self.push_screen(HelpScreen(self.key_groups()))

    def action_find_medicine(self) -> None:
        sidebar = self.query_one(MedicineSidebar)
        if not sidebar.display:
            self._keep_reading(lambda: setattr(sidebar, "display", True))
        sidebar.focus_filter()

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(MedicineSidebar)
        self._keep_reading(lambda: setattr(sidebar, "display", not sidebar.display))
        if not sidebar.display:
            self.query_one(QuestionInput).focus()

    def action_to_input(self) -> None:
        self.query_one(QuestionInput).focus(scroll_visible=False)

    def action_latest(self) -> None:
        self.query_one(ConversationView).scroll_to_latest()

    def action_open_source(self) -> None:
        w = self.focused
        if isinstance(w, PassageView):
            self.open_source(w.passage)
            return
        passage = self.conversation.last_passage
        if passage is None:
            self.notify("No quoted passage to open yet.", timeout=3)
            return
        self.open_source(passage)

    def action_copy_answer(self) -> None:
        answer = self._selected_answer()
        if answer is None:
            self.notify("No answer to copy yet.", timeout=3)
            return
        self._copy_answer(answer)

    def action_clear(self) -> None:
        if self.busy:
            return
        self.conversation.clear()
        self.query_one(MedicineSidebar).show_pinned(None)
        conv = self.query_one(ConversationView)
        conv.remove_children()
        conv.mount(Welcome())
        if self.engine is not None:
            self.call_after_refresh(self._show_welcome)
        self.query_one(QuestionInput).forget()
        self._update_focus_bar()
        self.refresh_bindings()
        self.query_one(QuestionInput).focus()

    CHAT_ACTIONS = {"find_medicine", "open_source", "copy_answer", "save", "clear", "toggle_sidebar", "to_input",
                    "my_medicines", "latest"}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a window (help, monograph, save, palette) is open, the chat's keys wait; Source
        is dimmed while there is no passage to open."""
        if action in self.CHAT_ACTIONS and self.screen is not self.screen_stack[0]:
            return False
        if action == "open_source" and self.conversation.last_passage is None and not isinstance(self.focused, PassageView):
            return None
        return True

    def format_title(self, title: str, sub_title: str) -> Content:
        # Textual's " — " between title and subtitle is drawn run together by some fonts ("rxquote—")
        return Content.assemble((title, "bold"), (": ", "dim"), (sub_title, "dim")) if sub_title else Content(title)

    # -- command palette -----------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's own Screenshot saves to a Downloads folder that may not exist: ours saves
        # where transcripts go and says where
        yield from (c for c in super().get_system_commands(screen) if c.title != "Screenshot")
        yield SystemCommand("Help: keys", "Every key of rxquote (F1)", self.action_help)
        yield SystemCommand("My medicines", "The list at the top of the sidebar (ctrl+t)", self.action_my_medicines)
        yield SystemCommand("Clear my medicines", "Empty the list of your medicines", self.action_clear_my_medicines)
        yield SystemCommand("Find a medicine", "Filter the medicine list and choose the focus (ctrl+f)", self.action_find_medicine)
        yield SystemCommand("Clear the focus", "Questions follow the conversation again", lambda: self._chosen(MedicineChosen(None)))
        yield SystemCommand("Open the monograph", "Open the source of the latest quoted passage (ctrl+o)", self.action_open_source)
        yield SystemCommand("Copy the answer", "Copy the latest answer with its citations (ctrl+y)", self.action_copy_answer)
        yield SystemCommand("Save the transcript", "Save the conversation as Markdown with citations (ctrl+s)", self.action_save)
        yield SystemCommand("Latest answer", "Jump to the latest answer (ctrl+g)", self.action_latest)
        yield SystemCommand("Clear the conversation", "Start again (ctrl+l)", self.action_clear)
        yield SystemCommand("Toggle the medicine list", "Show or hide the sidebar (ctrl+b)", self.action_toggle_sidebar)
        yield SystemCommand("Screenshot", f"Save an SVG picture of the screen in {self._save_folder()}",
                            self.action_screenshot_to_file)


def create_app(corpus: Path, index: Path, top_k: int = 3, **kwargs) -> RxQuoteApp:
    return RxQuoteApp(corpus=corpus, index=index, top_k=top_k, **kwargs)


def run(corpus: Path, index: Path, top_k: int = 3) -> int:
    app = create_app(corpus, index, top_k=top_k)
    app.run()
    return app.exit_code
