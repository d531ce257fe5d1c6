"""Other forms of a word that a monograph may use where the person's word is missing.

Stemming joins "pigments" and "pigment" but not "pigment" and "hyperpigmentation", "gene" and
"genetic", "fertility" and "infertility". When none of a question's words for a
topic occurs in the medicine's pages, the pages' own words that are one of these forms of it
stand in: the medicine's monograph is the dictionary. Nothing here knows a medical word.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator

# English derivational prefixes that make a related word ("in-fertility", "hyper-pigmentation").
PREFIXES = ("in", "im", "il", "ir", "un", "non", "dis", "de", "hyper", "hypo", "over", "under", "anti")
NEGATIONS = ("in", "im", "il", "ir", "un", "non")  # the same thing, said not to happen
MIN_LENGTH = 4  # shorter stems ("flu", "eye") have too many neighbours to relax
MIN_PREFIXED = 5  # a prefix on a shorter stem is another word ("form" → "inform")


def forms(stem: str) -> Iterator[str]:
    """Candidate forms of a stem, nearest first: with a prefix ("fertil" → "infertil"), then with
    one more letter at the end, where the stemmer stopped short ("gene" → "genet")."""
    if len(stem) < MIN_LENGTH or not stem.isalpha():
        return
    if len(stem) >= MIN_PREFIXED:
        for p in PREFIXES:
            yield p + stem
    for a in string.ascii_lowercase:
        yield stem + a


def stand_ins(group: tuple[str, ...], present: Callable[[str], bool], limit: int = 4) -> list[str]:
    """Forms of the group's words that `present` accepts (the pages have them), nearest first."""
    out: list[str] = []
    for stem in group:
        for f in forms(stem):
            if f not in group and f not in out and present(f):
                out.append(f)
                if len(out) == limit:
                    return out
    return out


def negations(stem: str) -> list[str]:
    """The stem with a negating prefix ("fertil" → "infertil"): a passage that says the
    opposite of the word is about it too."""
    return [p + stem for p in NEGATIONS] if len(stem) >= MIN_PREFIXED and stem.isalpha() else []
