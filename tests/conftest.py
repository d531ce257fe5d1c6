"""Shared fixtures. `../shared` (beside the checkout) holds the rxhive corpus and the eval
sets; tests that need it skip with a reason when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_FILE = "000_39c9e491993bb9e1.txt"


def shared_dir() -> Path | None:
    env = os.environ.get("RXQUOTE_SHARED")
    for cand in ([Path(env)] if env else []) + [ROOT.parent / "shared"]:
        if (cand / "SPEC.md").is_file():
            return cand
    return None


SHARED = shared_dir()
RXHIVE = SHARED / "corpus" / "rxhive" if SHARED else None


@pytest.fixture(scope="session")
def shared() -> Path:
    if SHARED is None:
        pytest.skip("../shared (eval sets, rxhive corpus) is not beside this checkout")
    return SHARED


@pytest.fixture(scope="session")
def rxhive() -> Path:
    if RXHIVE is None or not RXHIVE.is_dir():
        pytest.skip("../shared/corpus/rxhive is not beside this checkout")
    return RXHIVE


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    from rxquote.index import build

    folder = tmp_path_factory.mktemp("seed-index")
    build(SEEDS, folder)
    return folder


@pytest.fixture(scope="session")
def seed_engine(seed_index):
    from rxquote.answer import Engine

    return Engine.open(SEEDS, seed_index)


@pytest.fixture(scope="session")
def rxhive_engine(rxhive, tmp_path_factory):
    """The full rxhive index (about 15 s to build), once per session."""
    from rxquote.answer import Engine

    return Engine.open(rxhive, tmp_path_factory.mktemp("rxhive-index"))
