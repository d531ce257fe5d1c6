"""Where rxquote keeps the person's files: one module answers it, nothing else reads `XDG_*`.

- `data_dir()`: what the person made and wants to keep ("my medicines", and transcripts when
  there is no documents folder). `$RXQUOTE_DATA` wins (tests point it at a temporary folder),
  then `$XDG_DATA_HOME/rxquote`, then the platform's convention (`~/.local/share/rxquote` on
  Linux) via platformdirs.
- `cache_dir()`: what can be rebuilt (indexes of other corpora, the lexicon's cached fields):
  `$XDG_CACHE_HOME/rxquote`, else the platform's cache folder.
- `transcripts_dir()`: where ctrl+s offers to save: `$RXQUOTE_DATA/transcripts` when set,
  else `<documents>/rxquote` when the person has a documents folder, else
  `data_dir()/transcripts`. Never the current directory.

Nothing here creates a folder: the code that writes a file creates its folder then (importing
or asking a location has no side effect).
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "rxquote"
ENV_DATA = "RXQUOTE_DATA"
MY_MEDICINES_FILE = "my-medicines.json"


def _xdg(variable: str) -> Path | None:
    value = os.environ.get(variable, "")
    # the XDG spec: a relative path in these variables is invalid and must be ignored
    return Path(value) / APP_NAME if value and os.path.isabs(value) else None


def data_dir() -> Path:
    env = os.environ.get(ENV_DATA, "")
    if env:
        return Path(env).expanduser()
    xdg = _xdg("XDG_DATA_HOME")
    if xdg is not None:
        return xdg
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    xdg = _xdg("XDG_CACHE_HOME")
    if xdg is not None:
        return xdg
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def documents_dir() -> Path | None:
    """The person's documents folder (`XDG_DOCUMENTS_DIR`, `~/Documents`…), if it exists."""
    import platformdirs

    try:
        docs = Path(platformdirs.user_documents_dir())
    except Exception:  # an odd platform or environment: no documents folder, not a crash
        return None
    return docs if docs.is_dir() and docs != Path.home() else None


def transcripts_dir() -> Path:
    if os.environ.get(ENV_DATA):
        return data_dir() / "transcripts"
    docs = documents_dir()
    return docs / APP_NAME if docs is not None else data_dir() / "transcripts"


def my_medicines_path() -> Path:
    return data_dir() / MY_MEDICINES_FILE
