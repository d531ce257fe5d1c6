"""Snapshots of the chat's main states (pytest-textual-snapshot). Deterministic: fixed terminal
size, no cursor blink, no clock, no timestamps; the seed corpus only.

Update after an intended change of look: pytest tests/test_tui_snapshots.py --snapshot-update
(then look at the SVGs in tests/__snapshots__/ before committing them)."""

from __future__ import annotations

import pytest

SIZE = (100, 30)


@pytest.fixture
def app(seed_engine):
    from rxquote.tui.app import RxQuoteApp

    return RxQuoteApp(engine=seed_engine, cursor_blink=False)


def asking(*questions: str, then: tuple[str, ...] = ()):
    async def run_before(pilot) -> None:
        app = pilot.app
        for q in questions:
            box = app.query_one("#question")
            box.value = q
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
        if then:
            await pilot.press(*then)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()

    return run_before


def test_welcome(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, run_before=asking())


def test_answered(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, run_before=asking("what are the side effects of imipramine?"))


def test_emergency(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, run_before=asking("I just took 30 diazepam tablets at once"))


def test_help_screen(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, run_before=asking(then=("f1",)))


def test_source_viewer(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, run_before=asking("can I stop diazepam suddenly?", then=("ctrl+o",)))


def test_small_light_followup_with_focus(snap_compare, app):
    """80x24, light theme, a medicine chosen in the sidebar and a follow-up about it."""

    async def run_before(pilot) -> None:
        pilot.app.theme = "textual-light"
        await pilot.press("ctrl+f", *"imi", "enter")
        await asking("side effects?")(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
