"""The conversation: questions, notes and answers, scrolled as one column.

It is one stop in the chat's focus chain: Tab lands on the latest answer's first passage (or
on the column itself when there is no passage), and ↑↓ then move from passage to passage,
older answers included; ↓ past the last passage goes back to the question box.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widget import Widget

from .answer_view import PassageView
from .question_view import QuestionView


class ConversationView(VerticalScroll):
    BINDINGS = [
        Binding("up", "passage(-1)", "Previous passage (or scroll up)", id="conversation.up", show=False),
        Binding("down", "passage(1)", "Next passage (or scroll down; past the last: the question box)",
                id="conversation.down", show=False),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._anchor: QuestionView | None = None

    def keep_in_view(self, anchor: QuestionView | None) -> None:
        """Bring `anchor` back to the top once the layout has changed (resize, sidebar)."""
        self._anchor = anchor
        if anchor is not None:
            self.call_after_refresh(self._restore, -1)

    def on_resize(self) -> None:
        if self._anchor is not None:  # our own size changed: the children are laid out anew
            self.call_after_refresh(self._restore, 3)

    def _restore(self, again: int) -> None:
        """Scroll to the anchor; `again` more times after the following refreshes, as the
        children's new heights (wrapped text) arrive over more than one layout pass."""
        anchor = self._anchor
        if anchor is None or not anchor.is_attached:
            return
        self.scroll_to(y=anchor.virtual_region.y, animate=False, force=True)
        if again > 0:
            self.call_after_refresh(self._restore, again - 1)
        elif again == 0:
            self._anchor = None  # done: a later change of size (suggestions shown) keeps its own place

    def passages(self) -> list[PassageView]:
        return list(self.query(PassageView))

    def latest_question(self) -> QuestionView | None:
        views = list(self.query(QuestionView))
        return views[-1] if views else None

    def entry_point(self) -> Widget:
        """Where Tab lands: the focused passage, else the latest answer's first passage, else
        the column itself."""
        focused = self.screen.focused
        if isinstance(focused, PassageView) and focused in self.passages():
            return focused
        kids = list(self.children)
        starts = [n for n, w in enumerate(kids) if isinstance(w, QuestionView)]
        latest = [p for w in kids[starts[-1]:] for p in w.query(PassageView)] if starts else []
        return latest[0] if latest else (self.passages() or [self])[-1]

    def action_passage(self, step: int) -> None:
        passages = self.passages()
        focused = self.screen.focused
        if not isinstance(focused, PassageView) or focused not in passages:
            self.scroll_relative(y=step, animate=False)
            return
        n = passages.index(focused) + step
        if n < 0:
            self.scroll_home(animate=False)
        elif n >= len(passages):
            self.screen.query_one("#question").focus()
        else:
            passages[n].focus()

    def scroll_to_latest(self, tries: int = 20) -> None:
        """The latest question at the top, so its answer is read from its start."""
        self._anchor = None
        latest = self.latest_question()
        if latest is None:
            return
        if not latest.virtual_region.height and tries:  # not laid out yet (a busy relayout): next time
            self.call_after_refresh(self.scroll_to_latest, tries - 1)
            return
        self.scroll_to(y=latest.virtual_region.y, animate=False, force=True)

    def reading(self) -> QuestionView | None:
        """The turn the person is reading: the latest when its question is in view, else the
        one whose question is nearest above the top of the view."""
        latest = self.latest_question()
        if latest is not None and self.scroll_y <= latest.virtual_region.y < self.scroll_y + self.size.height:
            return latest
        seen = None
        for q in self.query(QuestionView):
            if q.virtual_region.y <= self.scroll_y:
                seen = q
        return seen
