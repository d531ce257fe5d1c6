"""The sidebar: the person's own medicines at the top, then every indexed medicine, filterable
by typing. Space ticks a medicine as one of "my medicines"; Enter chooses it as the focus.

One line per medicine: a name too long for the column ends in an ellipsis, and the
highlighted one is shown whole under the list. The sidebar owns no state of its own: the
person's list (`mine`) is data-bound from the app, and ticks, choices and clearing are posted
up as messages (`tui/messages.py`).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..messages import MedicineChosen, MyMedicinesCleared, MyMedicinesToggled
from ..text import lit

ANY = "\x00any"  # option id of "no focus"
TICK = "\u2713 "
FOCUS = "\u00bb "


class MyMedicineOptions(OptionList):
    """The person's own medicines (ticked), at the top of the sidebar."""

    BINDINGS = [
        Binding("space,delete,backspace", "untick", "Remove the highlighted one from my medicines",
                id="mine.remove", show=False),
        Binding("x", "clear_all", "Clear my medicines", id="mine.clear"),
    ]

    def action_untick(self) -> None:
        option = self.highlighted_option
        if option is not None and option.id:
            self.post_message(MyMedicinesToggled(option.id[2:]))

    def action_clear_all(self) -> None:
        self.post_message(MyMedicinesCleared())


class MedicineOptions(OptionList):
    """Every indexed medicine. Typing a letter here goes to the filter box."""

    BINDINGS = [
        Binding("enter", "select", "Choose the highlighted medicine as the focus", id="list.choose", show=False),
        Binding("space", "tick", "Tick or untick it as one of my medicines", id="list.tick", show=False),
    ]

    class TypeAhead(Message):
        def __init__(self, character: str) -> None:
            super().__init__()
            self.character = character

    def action_tick(self) -> None:
        option = self.highlighted_option
        if option is not None and option.id and option.id != ANY:
            self.post_message(MyMedicinesToggled(option.id[2:]))

    def on_key(self, event) -> None:
        if event.character and event.character.isprintable() and event.key not in ("space", "enter"):
            event.stop()
            event.prevent_default()
            self.post_message(self.TypeAhead(event.character))


class FilterInput(Input):
    BINDINGS = [Binding("down", "to_list", "From the filter to the list", id="filter.down", show=False)]

    def action_to_list(self) -> None:
        self.screen.query_one(MedicineOptions).focus()


class MedicineSidebar(Vertical):
    mine: reactive[tuple[str, ...]] = reactive((), init=False)  # the person's list (from the app)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.medicines: list[str] = []
        self.known: frozenset[str] = frozenset()
        self.pinned: str | None = None
        self.border_title = "Medicines"

    def compose(self) -> ComposeResult:
        yield Static(id="mine-title")
        yield MyMedicineOptions(id="mine-list")
        yield Static(id="mine-empty")
        yield FilterInput(placeholder="Type to filter", id="med-filter")
        yield MedicineOptions(id="med-list")
        yield Static(id="med-full")
        yield Static(id="med-count")

    def on_mount(self) -> None:
        self._show_mine()

    # -- the person's list -------------------------------------------------------------------
    def watch_mine(self, before: tuple[str, ...], after: tuple[str, ...]) -> None:
        self._show_mine()
        ol = self.query_one(MedicineOptions)
        for m in set(before) ^ set(after):
            self._replace_prompt(ol, m)

    def _show_mine(self) -> None:
        mine = self.mine
        self.query_one("#mine-title", Static).update(Content.assemble(
            ("My medicines", "bold"), (f" ({len(mine)})" if mine else "", "")))
        ol = self.query_one(MyMedicineOptions)
        keep = ol.highlighted
        ol.clear_options()
        ol.add_options([Option(self._mine_prompt(m), id=f"m:{m}") for m in mine])
        if mine:
            ol.highlighted = min(keep or 0, len(mine) - 1)
        ol.display = bool(mine)
        self.query_one("#mine-empty", Static).update(Content.styled(
            "None yet. Space ticks one below, or type \u201cI take \u2026\u201d.", "dim italic"))
        self.query_one("#mine-empty").display = not mine

    def _mine_prompt(self, medicine: str) -> Content:
        if self.known and medicine not in self.known:
            return Content.assemble((TICK, "bold"), lit(medicine, "dim strike"), (" (not in these monographs)", "dim"))
        return Content.assemble((TICK, "bold"), lit(medicine))

    # -- every medicine -----------------------------------------------------------------------
    def set_medicines(self, medicines: list[str]) -> None:
        self.medicines = list(medicines)
        self.known = frozenset(medicines)
        self._refill()
        self._show_mine()

    def _prompt(self, medicine: str) -> Content:
        mark = TICK if medicine in self.mine else FOCUS if medicine == self.pinned else "  "
        style = "bold" if medicine == self.pinned else ""
        return Content.assemble((mark, "bold"), lit(medicine, style))

    def _replace_prompt(self, ol: OptionList, medicine: str) -> None:
        try:
            ol.replace_option_prompt(f"m:{medicine}", self._prompt(medicine))
        except Exception:  # not shown (filtered out), or not a medicine of this index
            pass

    def _refill(self) -> None:
        needle = self.query_one("#med-filter", Input).value.strip().lower()
        shown = [m for m in self.medicines if needle in m.lower()] if needle else self.medicines
        # names that start with the typed text first, then the rest that contain it
        if needle:
            shown = [m for m in shown if m.lower().startswith(needle)] + [m for m in shown if not m.lower().startswith(needle)]
        ol = self.query_one(MedicineOptions)
        ol.clear_options()
        if not needle:
            ol.add_option(Option(Content.styled("  (any medicine)", "italic"), id=ANY))
        ol.add_options([Option(self._prompt(m), id=f"m:{m}") for m in shown])
        if ol.option_count:
            ol.highlighted = 0
            self._highlight_pinned()
        count = f"{len(shown):,} of {len(self.medicines):,}" if needle else f"{len(self.medicines):,} medicines"
        self.query_one("#med-count", Static).update(Content.styled(count, "dim"))

    def _highlight_pinned(self) -> None:
        ol = self.query_one(MedicineOptions)
        if self.pinned:
            try:
                ol.highlighted = ol.get_option_index(f"m:{self.pinned}")
            except Exception:  # filtered out
                return
            self.call_after_refresh(ol.scroll_to_highlight)

    @on(OptionList.OptionHighlighted)
    def _show_whole_name(self, event: OptionList.OptionHighlighted) -> None:
        """A name cut by the column is shown whole under the list while highlighted."""
        oid = event.option.id or ""
        name = oid[2:] if oid.startswith("m:") else ""
        full = self.query_one("#med-full", Static)
        width = event.option_list.scrollable_content_region.width - 3
        fits = not name or width <= 0 or len(name) <= width
        full.update(Content.assemble(lit(name, "bold")) if not fits else "")
        full.display = not fits

    @on(Input.Changed, "#med-filter")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self._refill()

    @on(Input.Submitted, "#med-filter")
    def _choose_first(self, event: Input.Submitted) -> None:
        event.stop()
        ol = self.query_one(MedicineOptions)
        if ol.option_count:
            ol.highlighted = ol.highlighted or 0
            ol.action_select()

    @on(MedicineOptions.TypeAhead)
    def _type_ahead(self, event: MedicineOptions.TypeAhead) -> None:
        box = self.query_one("#med-filter", Input)
        box.focus()
        box.insert_text_at_cursor(event.character)

    @on(OptionList.OptionSelected, "#med-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        oid = event.option.id or ""
        self.post_message(MedicineChosen(None if oid == ANY else oid[2:]))

    @on(OptionList.OptionSelected, "#mine-list")
    def _chosen_mine(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # Enter on one of my medicines: ask about it
        if event.option.id:
            self.post_message(MedicineChosen(event.option.id[2:]))

    def show_pinned(self, medicine: str | None) -> None:
        """Mark the chosen medicine; the filter is emptied so the whole list is back. The
        list keeps its scroll position."""
        before, self.pinned = self.pinned, medicine
        box = self.query_one("#med-filter", Input)
        if box.value:
            with box.prevent(Input.Changed):
                box.value = ""
            self._refill()
            return
        ol = self.query_one(MedicineOptions)  # the whole list is shown: just move the mark
        for m in (before, medicine):
            if m:
                self._replace_prompt(ol, m)
        if medicine:
            self._highlight_pinned()

    def focus_filter(self) -> None:
        self.query_one("#med-filter", Input).focus()

    def focus_mine(self) -> bool:
        """Focus the person's list (False when it is empty)."""
        ol = self.query_one(MyMedicineOptions)
        if not self.mine:
            return False
        ol.focus()
        return True
