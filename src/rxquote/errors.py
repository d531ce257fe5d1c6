"""The errors a person can act on, shared by the library and the commands.

They live here, below everything else, so that the engine and the evaluation can raise them
without importing the command line (which would make the layers import each other).
"""

from __future__ import annotations


class UsageError(Exception):
    """Bad usage or unreadable input: the commands exit 2 with this one line."""


class IndexProblem(Exception):
    """An index that cannot be read or built, said in one line (damaged, missing, locked)."""
