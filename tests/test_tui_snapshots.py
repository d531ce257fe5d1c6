"""Snapshots of the chat's main states (pytest-textual-snapshot), at 80×24 and 120×40.
Deterministic: fixed terminal sizes, no cursor blink, no clock, no timestamps, the seed corpus
only, and the person's files in a temporary folder (RXQUOTE_DATA).

Update after an intended change of look: pytest tests/test_tui_snapshots.py --snapshot-update
(then look at the SVGs in tests/__snapshots__/ before committing them)."""

from __future__ import annotations

import pytest

SMALL, LARGE = (80, 24), (120, 40)
SIZES = pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])


@pytest.fixture
def app(seed_engine, tmp_path, monkeypatch):
    from rxquote.tui.app import RxQuoteApp

    monkeypatch.setenv("RXQUOTE_DATA", str(tmp_path / "data"))
    return RxQuoteApp(engine=seed_engine, cursor_blink=False, transcript_dir=None)


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
        app.clear_notifications()
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()

    return run_before


class TestStart:
    @SIZES
    def test_welcome(self, snap_compare, app, size):
        assert snap_compare(app, terminal_size=size, run_before=asking())

    @SIZES
    def test_help_screen(self, snap_compare, app, size):
        assert snap_compare(app, terminal_size=size, run_before=asking(then=("f1",)))


class TestAnswers:
    @SIZES
    def test_answered(self, snap_compare, app, size):
        assert snap_compare(app, terminal_size=size, run_before=asking("can I stop diazepam suddenly?"))

    @SIZES
    def test_emergency(self, snap_compare, app, size):
        assert snap_compare(app, terminal_size=size, run_before=asking("I just took 30 diazepam tablets at once"))

    def test_source_viewer(self, snap_compare, app):
        assert snap_compare(app, terminal_size=LARGE, run_before=asking("can I stop diazepam suddenly?", then=("ctrl+o",)))

    def test_long_question_is_shortened(self, snap_compare, app):
        question = "is diazepam addictive? " + "I would really like to know more about this " * 50
        assert snap_compare(app, terminal_size=LARGE, run_before=asking(question))


class TestMyMedicines:
    @SIZES
    def test_declared_then_asked(self, snap_compare, app, size):
        """A carer declares two medicines, then asks about "her tablets"."""
        assert snap_compare(app, terminal_size=size, run_before=asking(
            "my mum is on valium and imipramine", "which of her tablets can cause dizziness?"))

    def test_ticked_in_the_sidebar(self, snap_compare, app):
        assert snap_compare(app, terminal_size=SMALL, run_before=asking(then=("ctrl+t", "down", "space", "down", "down", "space")))


class TestKeyboard:
    @SIZES
    def test_tab_to_the_latest_passage(self, snap_compare, app, size):
        assert snap_compare(app, terminal_size=size, run_before=asking(
            "what are the side effects of imipramine?", "can I stop diazepam suddenly?", then=("tab", "tab")))

    def test_save_dialog(self, snap_compare, app, monkeypatch, tmp_path):
        from pathlib import Path

        app.transcript_dir = Path("/home/someone/Documents/rxquote")  # shown, not written
        assert snap_compare(app, terminal_size=SMALL, run_before=asking("is diazepam addictive?", then=("ctrl+s",)))

    def test_small_light_followup_with_focus(self, snap_compare, app):
        """80x24, light theme, a medicine chosen in the sidebar and a follow-up about it."""

        async def run_before(pilot) -> None:
            pilot.app.theme = "textual-light"
            await pilot.press("ctrl+f", *"imi", "enter")
            await asking("side effects?")(pilot)

        assert snap_compare(app, terminal_size=SMALL, run_before=run_before)
