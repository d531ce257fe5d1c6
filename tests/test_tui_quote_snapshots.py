"""Snapshots of the chat's quotes (issue #12): a focused quote as Markdown, the same passage
expanded in place to its section, and its raw text, at 80×24 and 120×40 (seed corpus, no cursor
blink). Update after an intended change of look: pytest tests/test_tui_quote_snapshots.py
--snapshot-update, then look at the SVGs before committing them."""

from __future__ import annotations

import pytest

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    """The chat keeps its files (my medicines, transcripts) in a temporary folder."""
    monkeypatch.setenv("RXQUOTE_DATA", str(tmp_path / "data"))


@pytest.fixture
def app(seed_engine):
    from rxquote.tui.app import RxQuoteApp

    return RxQuoteApp(engine=seed_engine, cursor_blink=False)


def asking(question: str, *keys: str):
    """Ask, focus the answer's first passage, press `keys` on it."""

    async def run_before(pilot) -> None:
        app = pilot.app
        box = app.query_one("#question")
        box.value = question
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        if keys:
            from rxquote.tui.widgets.answer_view import PassageView

            passage = app.query(PassageView).first()
            passage.focus()
            await pilot.press(*keys)
            await pilot.pause()
            passage.scroll_visible(top=True, animate=False)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_focused_quote(snap_compare, app, size):
    assert snap_compare(app, terminal_size=SIZES[size], run_before=asking("imipramine and seizures"))


@pytest.mark.parametrize("size", SIZES)
def test_expanded_quote(snap_compare, app, size):
    assert snap_compare(app, terminal_size=SIZES[size], run_before=asking("can imipramine cause dry mouth?", "e"))


@pytest.mark.parametrize("size", SIZES)
def test_raw_quote(snap_compare, app, size):
    assert snap_compare(app, terminal_size=SIZES[size], run_before=asking("can imipramine cause dry mouth?", "e", "r"))
