"""The indexed medicines, filterable by typing; choosing one sets the conversation's focus."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..text import lit

ANY = "\x00any"  # option id of "no focus"


class MedicineList(OptionList):
    """Typing a letter here goes to the filter box."""

    class TypeAhead(Message):
        def __init__(self, character: str) -> None:
            super().__init__()
            self.character = character

    def on_key(self, event) -> None:
        if event.character and event.character.isprintable() and event.key not in ("space", "enter"):
            event.stop()
            event.prevent_default()
            self.post_message(self.TypeAhead(event.character))


class FilterInput(Input):
    BINDINGS = [Binding("down", "to_list", "To the list", show=False)]

    def action_to_list(self) -> None:
        self.screen.query_one(MedicineList).focus()


class MedicineSidebar(Vertical):
    class Chosen(Message):
        """The person chose a medicine (None: no focus, follow the conversation)."""

        def __init__(self, medicine: str | None) -> None:
            super().__init__()
            self.medicine = medicine

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.medicines: list[str] = []
        self.pinned: str | None = None
        self.border_title = "Medicines"

    def compose(self) -> ComposeResult:
        yield FilterInput(placeholder="Type to filter", id="med-filter")
        yield MedicineList(id="med-list")
        yield Static(id="med-count")

    def set_medicines(self, medicines: list[str]) -> None:
        self.medicines = list(medicines)
        self._refill()

    def _prompt(self, medicine: str) -> Content:
        if medicine == self.pinned:
            return Content.assemble(("\u2713 ", "bold"), lit(medicine, "bold"))
        return lit(medicine)

    def _refill(self) -> None:
        needle = self.query_one("#med-filter", Input).value.strip().lower()
        shown = [m for m in self.medicines if needle in m.lower()] if needle else self.medicines
        # names that start with the typed text first, then the rest that contain it
        if needle:
            shown = [m for m in shown if m.lower().startswith(needle)] + [m for m in shown if not m.lower().startswith(needle)]
        ol = self.query_one(MedicineList)
        ol.clear_options()
        if not needle:
            ol.add_option(Option(Content.styled("(any medicine)", "italic"), id=ANY))
        ol.add_options([Option(self._prompt(m), id=f"m:{m}") for m in shown])
        if ol.option_count:
            ol.highlighted = 0
            self._highlight_pinned()
        count = f"{len(shown)} of {len(self.medicines)}" if needle else f"{len(self.medicines)} medicines"
        self.query_one("#med-count", Static).update(Content.styled(count, "dim"))

    def _highlight_pinned(self) -> None:
        ol = self.query_one(MedicineList)
        if self.pinned:
            try:
                ol.highlighted = ol.get_option_index(f"m:{self.pinned}")
            except Exception:  # filtered out
                return
            self.call_after_refresh(ol.scroll_to_highlight)

    @on(Input.Changed, "#med-filter")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self._refill()

    @on(Input.Submitted, "#med-filter")
    def _choose_first(self, event: Input.Submitted) -> None:
        event.stop()
        ol = self.query_one(MedicineList)
        if ol.option_count:
            ol.highlighted = ol.highlighted or 0
            ol.action_select()

    @on(MedicineList.TypeAhead)
    def _type_ahead(self, event: MedicineList.TypeAhead) -> None:
        box = self.query_one("#med-filter", Input)
        box.focus()
        box.insert_text_at_cursor(event.character)

    @on(OptionList.OptionSelected, "#med-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        oid = event.option.id or ""
        self.post_message(self.Chosen(None if oid == ANY else oid[2:]))

    def show_pinned(self, medicine: str | None) -> None:
        """Mark the chosen medicine; the filter is emptied so the whole list is back."""
        before, self.pinned = self.pinned, medicine
        box = self.query_one("#med-filter", Input)
        if box.value:
            with box.prevent(Input.Changed):
                box.value = ""
            self._refill()
            return
        ol = self.query_one(MedicineList)  # the whole list is shown: just move the mark
        for m in (before, medicine):
            if m:
                try:
                    ol.replace_option_prompt(f"m:{m}", self._prompt(m))
                except Exception:
                    pass
        self._highlight_pinned()

    def focus_filter(self) -> None:
        self.query_one("#med-filter", Input).focus()
