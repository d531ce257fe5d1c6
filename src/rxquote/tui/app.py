"""The rxquote chat: a Textual app around the same `Engine.ask` as `rxquote ask`.

`RxQuoteApp(engine=...)` takes a ready engine (tests); `RxQuoteApp(corpus=..., index=...)`
opens (and if needed builds) the index in a worker thread, showing its progress.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ..answer import Answer, Engine, Passage
from .session import Conversation, answer_text
from .text import lit
from .widgets.answer_view import AnswerView, ErrorView, PassageView
from .widgets.help_screen import HelpScreen
from .widgets.loading import LoadingPanel
from .widgets.question_input import QuestionInput
from .widgets.question_view import QuestionView
from .widgets.sidebar import MedicineSidebar
from .widgets.source_viewer import SourceViewer
from .widgets.suggestions import Suggestions
from .widgets.thinking import Thinking
from .widgets.welcome import Welcome


class RxQuoteApp(App[int]):
    CSS_PATH = "rxquote.tcss"
    AUTO_FOCUS = None  # the question box is focused when it is ready, never the filter instead
    TITLE = "rxquote"
    SUB_TITLE = "quotes from drug monographs, never advice"
    BINDINGS = [
        Binding("f1", "help", "Help", priority=True),
        Binding("ctrl+f", "find_medicine", "Find", priority=True),
        Binding("ctrl+o", "open_source", "Source", priority=True),
        Binding("ctrl+y", "copy_answer", "Copy", priority=True),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+l", "clear", "Clear", priority=True),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", show=False, priority=True),
        Binding("escape", "to_input", "To question", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        engine: Engine | None = None,
        *,
        corpus: Path | None = None,
        index: Path | None = None,
        top_k: int = 3,
        transcript_dir: Path | None = None,
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        if engine is None and (corpus is None or index is None):
            raise ValueError("RxQuoteApp needs an engine, or a corpus and an index folder")
        self.engine = engine
        self.corpus, self.index_dir = corpus, index
        self.conversation = Conversation(top_k=top_k)
        self.transcript_dir = transcript_dir
        self.cursor_blink = cursor_blink
        self.busy = False
        self.last_saved: Path | None = None
        self.exit_code = 0

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="\u211e")
        with Horizontal(id="body"):
            yield MedicineSidebar(id="sidebar")
            with Vertical(id="main"):
                with VerticalScroll(id="conversation"):
                    yield Welcome()
                yield Suggestions(id="suggestions")
                yield Static(id="focus-bar")
                yield QuestionInput(id="question")
        yield Footer()

    def on_resize(self, event) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        """Small terminals (80x24): a narrower sidebar, a one-line question box, fewer
        suggestion rows; the conversation keeps most of the screen."""
        self.screen.set_class(width < 96, "narrow")
        self.screen.set_class(height < 28, "short")
        self.query_one(QuestionInput).compact = height < 28

    def on_mount(self) -> None:
        self._fit(self.size.width, self.size.height)
        self.query_one(QuestionInput).cursor_blink = self.cursor_blink
        self.query_one(Suggestions).display = False
        self._update_focus_bar()
        if self.engine is not None:
            self._engine_ready()
        else:
            self._set_busy(True, "Loading the monographs\u2026")
            self.query_one(Welcome).display = False
            self.query_one("#conversation").mount(LoadingPanel(id="loading"), before=0)
            self._load_engine()

    # -- loading -------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="load")
    def _load_engine(self) -> None:
        panel = self.query_one(LoadingPanel)

        def progress(stage: str, done: int, total: int) -> None:
            self.call_from_thread(panel.progress, stage, done, total)

        try:
            engine = Engine.open(self.corpus, self.index_dir, progress)
        except Exception as e:  # shown in the app; `run` returns 1 on quit
            self.call_from_thread(self._engine_failed, f"{type(e).__name__}: {e}")
            return
        self.engine = engine
        self.call_from_thread(self._engine_ready)

    def _engine_failed(self, text: str) -> None:
        self.exit_code = 1
        for w in self.query(LoadingPanel):
            w.remove()
        self.query_one("#conversation").mount(ErrorView(f"could not open the index. {text}"))
        self.query_one(QuestionInput).placeholder = "The index could not be opened (ctrl+q to quit)"

    def _engine_ready(self) -> None:
        for w in self.query(LoadingPanel):
            w.remove()
        meds = self.engine.medicines()
        self.query_one(MedicineSidebar).set_medicines(meds)
        for w in self.query(Welcome):
            w.set_count(len(meds), self._examples())
            w.display = True
        self._set_busy(False)
        self._show_suggestions(None)

    # -- asking --------------------------------------------------------------------------
    @on(QuestionInput.Submitted, "#question")
    def _submitted(self, event: QuestionInput.Submitted) -> None:
        question = event.value.strip()
        if question:
            self.ask(question)

    def ask(self, question: str) -> None:
        """Ask `question` as the next turn of the conversation (as typed, or picked)."""
        if self.busy or self.engine is None or not question.strip():
            return
        box = self.query_one(QuestionInput)
        box.remember(question)
        box.value = ""
        conv = self.query_one("#conversation", VerticalScroll)
        for w in self.query(Welcome):
            w.remove()
        qv = QuestionView(question, self.conversation.pinned)
        conv.mount(qv)
        conv.mount(Thinking(id="thinking"))
        conv.scroll_end(animate=False)
        self._set_busy(True, "Searching the monographs\u2026")
        self._answer(question, self.conversation.ask_kwargs())

    @work(thread=True, exclusive=True, group="answer")
    def _answer(self, question: str, kwargs: dict) -> None:
        try:
            answer = self.engine.ask(question, **kwargs)
            named = self.engine.context([question]).drugs
        except Exception as e:
            self.call_from_thread(self._answer_failed, f"{type(e).__name__}: {e}")
            return
        self.call_from_thread(self._show_answer, question, answer, named)

    def _answer_failed(self, text: str) -> None:
        for w in self.query(Thinking):
            w.remove()
        self.query_one("#conversation").mount(ErrorView(text))
        self._set_busy(False)

    def _show_answer(self, question: str, answer: Answer, named: tuple[str, ...]) -> None:
        for w in self.query(Thinking):
            w.remove()
        self.conversation.record(question, answer, named)
        sidebar = self.query_one(MedicineSidebar)
        if sidebar.pinned and not self.conversation.pinned:
            sidebar.show_pinned(None)
        conv = self.query_one("#conversation", VerticalScroll)
        view = AnswerView(answer, self.engine.source_path)  # source_path: expanding a passage reads its section
        conv.mount(view)
        question_view = list(self.query(QuestionView))[-1]
        # the start of the new turn at the top: an emergency message, or the first passage,
        # is read first even when the answer is longer than the window
        self.call_after_refresh(self._scroll_to_turn, question_view)
        if answer.status == "emergency":
            self.bell()
        self._set_busy(False)
        self._update_focus_bar()
        self._show_suggestions(answer)

    def _scroll_to_turn(self, question_view: QuestionView) -> None:
        conv = self.query_one("#conversation", VerticalScroll)
        conv.scroll_to(y=max(0, question_view.virtual_region.y - 1), animate=False, force=True)

    def _set_busy(self, busy: bool, placeholder: str | None = None) -> None:
        self.busy = busy
        box = self.query_one(QuestionInput)
        from .widgets.question_input import PLACEHOLDER

        box.placeholder = placeholder if busy and placeholder else PLACEHOLDER
        box.disabled = busy
        if busy:
            # keys typed meanwhile must not land in another widget (the medicine filter)
            if self.focused is None or self.focused is box or self.focused.id == "med-filter":
                self.set_focus(None)
        else:
            box.focus()

    # -- focus and suggestions -----------------------------------------------------------
    def current_focus(self) -> tuple[str, ...]:
        """The medicines the next question is about unless it names one (always shown)."""
        if self.engine is None:
            return self.conversation.pinned
        return self.engine.context(self.conversation.history, list(self.conversation.pinned) or None).drugs

    def _update_focus_bar(self) -> None:
        focus = self.current_focus()
        pinned = bool(self.conversation.pinned)
        if focus:
            how = "chosen" if pinned else "from the conversation"
            text = Content.assemble(("Focus: ", "bold"), lit(", ".join(focus), "bold $accent"), (f"  ({how})", "dim"))
        else:
            text = Content.assemble(("Focus: ", "bold"), ("none", "italic"),
                                    ("  (name a medicine, or pick one: ctrl+f)", "dim"))
        self.query_one("#focus-bar", Static).update(text)

    def _show_suggestions(self, answer: Answer | None) -> None:
        box = self.query_one(Suggestions)
        if self.engine is None:
            return
        if answer is None:  # welcome: examples about a well-known medicine
            pick = self._example_medicines()[:1]
            items = self.conversation.suggestions(tuple(pick), self.engine.faq_questions(pick[0])[:2] if pick else [], limit=4)
            box.show(items, "Try")
            return
        drugs = answer.drugs if answer.status in ("answered", "no_match") and answer.drugs else self.current_focus()
        if not drugs or answer.status == "emergency":
            box.show([])
            return
        faq: list[str] = []
        for d in drugs:
            faq += [q for q in self.engine.faq_questions(d) if q not in faq]
        box.show(self.conversation.suggestions(tuple(drugs), faq), "Ask next")

    WELL_KNOWN = ("Diazepam", "Imipramine", "Paracetamol", "Ibuprofen", "Metformin", "Amoxicillin")

    def _example_medicines(self) -> list[str]:
        meds = self.engine.medicines() if self.engine is not None else []
        known = [m for m in self.WELL_KNOWN if m in set(meds)]
        return known or [m for m in meds if m[:1].isalpha() and " + " not in m][:2] or meds[:2]

    def _examples(self) -> tuple[str, ...]:
        pick = self._example_medicines()
        if not pick:
            return ()
        a, b = pick[0], pick[1] if len(pick) > 1 else pick[0]
        return (f"can I stop {a.lower()} suddenly?", f"what is {b.lower()} used for?")

    @on(Suggestions.Picked)
    def _picked(self, event: Suggestions.Picked) -> None:
        self.ask(event.question)

    @on(MedicineSidebar.Chosen)
    def _chosen(self, event: MedicineSidebar.Chosen) -> None:
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
        self.copy_to_clipboard(answer_text(answer))
        self.notify("The answer, with its citations, is on the clipboard.", title="Copied", timeout=3)

    def _selected_answer(self) -> Answer | None:
        w = self.focused
        if isinstance(w, PassageView):
            return w.answer
        return self.conversation.last_answer

    # -- actions -------------------------------------------------------------------------
    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
        else:
            self.push_screen(HelpScreen())

    def action_find_medicine(self) -> None:
        sidebar = self.query_one(MedicineSidebar)
        sidebar.display = True
        sidebar.focus_filter()

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(MedicineSidebar)
        sidebar.display = not sidebar.display
        if not sidebar.display:
            self.query_one(QuestionInput).focus()

    def action_to_input(self) -> None:
        box = self.query_one(QuestionInput)
        if not box.disabled:
            box.focus()

    def action_open_source(self) -> None:
        w = self.focused
        if isinstance(w, PassageView):
            self.open_source(w.passage)
            return
        answer = self.conversation.last_answer
        if answer is None or not answer.passages:
            self.notify("No quoted passage to open yet.", timeout=3)
            return
        self.open_source(answer.passages[0])

    def action_copy_answer(self) -> None:
        answer = self._selected_answer()
        if answer is None:
            self.notify("No answer to copy yet.", timeout=3)
            return
        self._copy_answer(answer)

    def action_save(self) -> None:
        if not self.conversation.turns:
            self.notify("Nothing to save yet: ask a question first.", timeout=3)
            return
        folder = self.transcript_dir or Path.cwd()
        try:
            path = self.conversation.save(folder)
        except OSError as e:
            self.notify(f"Could not save the transcript in {folder}: {e.strerror or e}", severity="error", markup=False)
            return
        self.last_saved = path
        self.notify(f"Transcript saved to {path}", title="Saved", markup=False, timeout=8)

    def action_clear(self) -> None:
        if self.busy:
            return
        self.conversation.clear()
        self.query_one(MedicineSidebar).show_pinned(None)
        conv = self.query_one("#conversation", VerticalScroll)
        conv.remove_children()
        welcome = Welcome()
        conv.mount(welcome)
        if self.engine is not None:
            welcome.set_count(len(self.engine.medicines()), self._examples())
        self.query_one(QuestionInput).forget()
        self._update_focus_bar()
        self._show_suggestions(None)
        self.query_one(QuestionInput).focus()

    CHAT_ACTIONS = {"find_medicine", "open_source", "copy_answer", "save", "clear", "toggle_sidebar", "to_input"}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a window (help, monograph, palette) is open, the chat's keys wait."""
        if action in self.CHAT_ACTIONS and self.screen is not self.screen_stack[0]:
            return False
        return True

    def format_title(self, title: str, sub_title: str) -> Content:
        # Textual's " — " between title and subtitle is drawn run together by some fonts ("rxquote—")
        return Content.assemble((title, "bold"), (": ", "dim"), (sub_title, "dim")) if sub_title else Content(title)

    # -- command palette -----------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help: keys", "Every key of rxquote (F1)", self.action_help)
        yield SystemCommand("Find a medicine", "Filter the medicine list and choose the focus (ctrl+f)", self.action_find_medicine)
        yield SystemCommand("Clear the focus", "Questions follow the conversation again", lambda: self._chosen(MedicineSidebar.Chosen(None)))
        yield SystemCommand("Open the monograph", "Open the source of the latest answer's first passage (ctrl+o)", self.action_open_source)
        yield SystemCommand("Copy the answer", "Copy the latest answer with its citations (ctrl+y)", self.action_copy_answer)
        yield SystemCommand("Save the transcript", "Save the conversation as Markdown with citations (ctrl+s)", self.action_save)
        yield SystemCommand("Clear the conversation", "Start again (ctrl+l)", self.action_clear)
        yield SystemCommand("Toggle the medicine list", "Show or hide the sidebar (ctrl+b)", self.action_toggle_sidebar)


def create_app(corpus: Path, index: Path, top_k: int = 3, **kwargs) -> RxQuoteApp:
    return RxQuoteApp(corpus=corpus, index=index, top_k=top_k, **kwargs)


def run(corpus: Path, index: Path, top_k: int = 3) -> int:
    app = create_app(corpus, index, top_k=top_k)
    app.run()
    return app.exit_code
