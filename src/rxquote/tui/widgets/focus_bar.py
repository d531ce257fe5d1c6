"""The line above the question box: what the next question is about, and what the chat is doing.

`mine` and `activity` are data-bound from the app's reactives; `focus` and `chosen` are set by the
app after each answer (they come from the engine's reading of the conversation)."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from ..text import lit


class FocusBar(Widget):
    focus: reactive[tuple[str, ...]] = reactive(())
    chosen: reactive[bool] = reactive(False)
    mine: reactive[tuple[str, ...]] = reactive(())
    activity: reactive[str] = reactive("")  # what the chat is doing ("" = waiting for a question)

    def render(self) -> Content:
        if self.activity:
            return Content.styled(self.activity, "italic")
        label = ("Focus: ", "bold")
        if self.focus:
            how = "chosen" if self.chosen else "from the conversation"
            out = Content.assemble(label, lit(", ".join(self.focus), "bold $accent"), (f"  ({how})", "dim"))
            if self.mine and set(self.focus) != set(self.mine):
                out = Content.assemble(out, ("  \u00b7  ", "dim"), (f"my medicines: {len(self.mine)}", "dim"))
            return out
        if self.mine:
            return Content.assemble(label, ("my medicines: ", "bold"), lit(", ".join(self.mine), "bold $accent"))
        return Content.assemble(label, ("none", "italic"), ("  (name a medicine, or pick one: ctrl+f)", "dim"))
