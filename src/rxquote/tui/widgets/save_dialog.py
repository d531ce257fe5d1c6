"""Where to save (ctrl+s, or a copy the terminal cannot take): the folder, shown and editable
before anything is written. Enter saves there, Esc cancels; an error stays in the dialog."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..text import lit


class SaveDialog(ModalScreen[Path | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel without saving", id="save.cancel")]

    def __init__(self, title: str, folder: Path, write: Callable[[Path], Path], why: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.folder = folder
        self.write = write
        self.why = why

    def compose(self) -> ComposeResult:
        with Vertical(id="save-box") as box:
            box.border_title = self.title_text
            box.border_subtitle = "Enter save \u00b7 Esc cancel"
            if self.why:
                yield Static(lit(self.why), id="save-why")
            yield Static(Content.styled("Folder (edit it to save elsewhere):", "bold"))
            yield Input(str(self.folder), id="save-folder")
            yield Static(id="save-error")

    def on_mount(self) -> None:
        box = self.query_one("#save-folder", Input)
        box.focus()
        box.cursor_position = len(box.value)

    @on(Input.Submitted, "#save-folder")
    def _save(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self._error("Type a folder to save into.")
            return
        folder = Path(text).expanduser()
        try:
            path = self.write(folder)
        except OSError as e:
            self._error(f"Could not save in {folder}: {e.strerror or e}")
            return
        self.dismiss(path)

    def _error(self, text: str) -> None:
        self.query_one("#save-error", Static).update(lit(text, "bold $text-error"))

    def action_cancel(self) -> None:
        self.dismiss(None)
