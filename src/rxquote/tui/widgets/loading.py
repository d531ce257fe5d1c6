"""Shown while the index is loaded, or built: which stage, and how far along. Progress arrives
as `BuildProgress` messages posted from the loading thread (`tui/progress.py`).

No `LoadingIndicator` here: the progress bar and the counts already show that the build is
moving, and an animation redrawing many times a second would compete with the build thread
for the interpreter lock."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, ProgressBar

from ..messages import BuildProgress

STAGES = {
    "parse": "Reading the monographs",
    "index": "Building the search index",
    "names": "Indexing medicine names",
    "write": "Writing the index",
}


class LoadingPanel(Vertical):
    def compose(self) -> ComposeResult:
        yield Label("Loading the monographs\u2026", id="loading-stage")
        yield Label("You can type your question now: Enter asks it when the monographs are ready.", id="loading-note")
        yield ProgressBar(total=None, show_eta=False, id="loading-bar")

    @on(BuildProgress)
    def _progress(self, event: BuildProgress) -> None:
        event.stop()
        self.progress(event.stage, event.done, event.total)

    def progress(self, stage: str, done: int, total: int) -> None:
        self.query_one("#loading-note", Label).update(
            "Building the search index (first start, or the monographs changed). You can type your "
            "question now: Enter asks it when the index is ready.")
        count = f"  {done:,} of {total:,}" if total > 1 else ""
        self.query_one("#loading-stage", Label).update(f"{STAGES.get(stage, stage)}\u2026{count}")
        bar = self.query_one("#loading-bar", ProgressBar)
        if total > 1:
            bar.update(total=total, progress=done)
        else:  # a stage without steps: the bar just moves
            bar.update(total=None)
