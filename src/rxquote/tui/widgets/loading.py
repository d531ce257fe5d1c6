"""Shown while the index is loaded, or built: which stage, and how far along."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, LoadingIndicator, ProgressBar

STAGES = {
    "parse": "Reading the monographs",
    "index": "Building the search index",
    "names": "Indexing medicine names",
    "write": "Writing the index",
}


class LoadingPanel(Vertical):
    def compose(self) -> ComposeResult:
        yield Label("Loading the monographs\u2026", id="loading-stage")
        yield Label("", id="loading-note")
        yield ProgressBar(total=None, show_eta=False, id="loading-bar")
        yield LoadingIndicator()

    def progress(self, stage: str, done: int, total: int) -> None:
        self.query_one("#loading-note", Label).update("Building the search index (first start, or the monographs changed).")
        count = f"  {done:,} of {total:,}" if total > 1 else ""
        self.query_one("#loading-stage", Label).update(f"{STAGES.get(stage, stage)}\u2026{count}")
        bar = self.query_one("#loading-bar", ProgressBar)
        if total > 1:
            bar.update(total=total, progress=done)
        else:  # a stage without steps: the bar just moves
            bar.update(total=None)
