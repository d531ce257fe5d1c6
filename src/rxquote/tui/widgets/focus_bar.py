"""The line above the question box: what the next question is about, and what the chat is doing.

`mine` and `activity` are data-bound from the app's reactives; `focus` and `chosen` are set by
the app after each answer (they come from the engine's reading of the conversation). On short
terminals the bar is hidden and the same line (`focus_line`) is the question box's border
title, so the conversation keeps the row."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from ..text import lit


def focus_line(focus: tuple[str, ...], chosen: bool, mine: tuple[str, ...], activity: str = "") -> Content:
    if activity:
        return Content.styled(activity, "italic")
    label = ("Focus: ", "bold")
    if focus:  # from the conversation, unless chosen in the sidebar
        out = Content.assemble(label, lit(", ".join(focus), "bold $accent"), ("  (chosen)" if chosen else "", "dim"))
        if mine and set(focus) != set(mine):
            out = Content.assemble(out, ("  \u00b7  ", "dim"), (f"my medicines: {len(mine)}", "dim"))
        return out
    if mine:
        return Content.assemble(label, ("my medicines: ", "bold"), lit(", ".join(mine), "bold $accent"))
    return Content.assemble(label, ("none", "italic"), ("  (name a medicine, or pick one: ctrl+f)", "dim"))


class FocusBar(Widget):
    focus: reactive[tuple[str, ...]] = reactive(())
    chosen: reactive[bool] = reactive(False)
    mine: reactive[tuple[str, ...]] = reactive(())
    activity: reactive[str] = reactive("")  # what the chat is doing ("" = waiting for a question)

    def render(self) -> Content:
        return focus_line(self.focus, self.chosen, self.mine, self.activity)
