"""Index loading progress from the loading thread to the UI: posted, throttled, cancellable.

`index.build` calls its progress callback once per file (6,447 times on rxhive). Posting a
message is thread-safe and never waits for the UI (`call_from_thread` would, every time), and
at most one message per `interval` (plus each stage's first and last step) keeps the UI free.
Raising `BuildCancelled` from the callback stops the build; an index build is atomic, so a
stopped build leaves the previous index (or none), never half of one.
"""

from __future__ import annotations

import time
from typing import Callable


class BuildCancelled(Exception):
    """The person quit, or the app stopped the load."""


class ProgressReporter:
    def __init__(self, post: Callable[[str, int, int], None], cancelled: Callable[[], bool],
                 interval: float = 0.1, clock: Callable[[], float] = time.monotonic) -> None:
        self.post = post
        self.cancelled = cancelled
        self.interval = interval
        self.clock = clock
        self._stage: str | None = None
        self._last = float("-inf")
        self.posted = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.cancelled():
            raise BuildCancelled()
        now = self.clock()
        if stage != self._stage or done >= total or now - self._last >= self.interval:
            self._stage, self._last = stage, now
            self.posted += 1
            self.post(stage, done, total)
