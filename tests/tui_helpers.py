"""Shared helpers of the chat's Pilot tests: run an async test in its own event loop, open the
chat at a size, ask a question and wait for its answer, read what a widget shows."""

from __future__ import annotations

import asyncio
import functools
import threading
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_FILE = "000_39c9e491993bb9e1.txt"
SIZE = (100, 30)
SIZES = [(80, 24), (120, 40)]


def chat_test(fn):
    """An `async def` test run with `asyncio.run` (pytest's fixtures still apply)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return run


def make_app(engine, **kw):
    from rxquote.tui.app import RxQuoteApp

    return RxQuoteApp(engine=engine, cursor_blink=False, **kw)


@asynccontextmanager
async def chat(engine, size=SIZE, notifications=False, **kw):
    app = make_app(engine, **kw)
    async with app.run_test(size=size, notifications=notifications) as pilot:
        await pilot.pause()
        yield app, pilot


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def submit(app, pilot, question: str) -> None:
    """Put a question in the box (as a paste) and press Enter; wait for the answer."""
    box = app.query_one("#question")
    box.focus()
    box.value = question
    await pilot.press("enter")
    await settle(app, pilot)


def answers(app):
    from rxquote.tui.widgets.answer_view import AnswerView

    return list(app.query(AnswerView))


def passages_of(app):
    from rxquote.tui.widgets.answer_view import PassageView

    return list(app.query(PassageView))


def plain(widget) -> str:
    """What a widget shows, as plain text (a passage: `PassageView.shown_text`)."""
    if hasattr(widget, "shown_text"):
        return widget.shown_text()
    if hasattr(widget, "render") and not hasattr(widget, "visual"):
        content = widget.render()
    else:
        content = widget.visual if hasattr(widget, "visual") else widget.renderable
    return getattr(content, "plain", str(content))


def visible_in(widget, container) -> bool:
    """Is `widget` wholly inside `container`'s region on screen?"""
    r, c = widget.region, container.region
    return r.height > 0 and c.y <= r.y and r.bottom <= c.bottom


class BlockingEngine:
    """Wraps the engine; `ask` waits until released (to see the app while it answers)."""

    def __init__(self, engine):
        self._engine = engine
        self.release = threading.Event()
        self.calls: list[tuple[str, dict]] = []

    def ask(self, question, **kw):
        self.calls.append((question, kw))
        self.release.wait(60)
        return self._engine.ask(question, **kw)

    def __getattr__(self, name):
        return getattr(self._engine, name)


# -- fixtures shared by the chat's test modules (import them there) ---------------------------
@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Every chat keeps its files (my medicines, transcripts) in a temporary folder."""
    monkeypatch.setenv("RXQUOTE_DATA", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture(scope="session")
def engine(seed_engine):
    return seed_engine
