"""The one progress bar of the commands: rich, on stderr, fed by `(stage, done, total)` calls
(the signature of `index.Progress` and of `evaluate.evaluate`'s `progress`)."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterator, Mapping

ProgressCallback = Callable[[str, int, int], None]

# Set (True) on a thread that only draws a progress display: a build may fork while it runs
# (builder._can_fork, which reads the same name: library modules never import this one),
# since a forked child never draws, so never needs a lock it might hold.
FORK_SAFE = "rxquote_fork_safe"


@contextmanager
def progress_bar(enabled: bool, labels: Mapping[str, str] | None = None,
                 transient: bool = False) -> Iterator[ProgressCallback | None]:
    """Yields a callback that draws one bar per stage (labelled by `labels`, else by the stage
    name), or None when not `enabled`. The bar is stopped on leaving, also on an error;
    `transient` bars disappear when done."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=transient)
    tasks: dict[str, int] = {}
    labels = labels or {}

    def update(stage: str, done: int, total: int) -> None:
        if not bar.live.is_started:
            before = set(threading.enumerate())
            bar.start()
            for thread in set(threading.enumerate()) - before:  # rich's refresh thread
                setattr(thread, FORK_SAFE, True)
        if stage not in tasks:
            tasks[stage] = bar.add_task(labels.get(stage, stage), total=total)
        bar.update(tasks[stage], completed=done, total=total)

    try:
        yield update
    finally:
        if bar.live.is_started:
            bar.stop()
