"""Stage 2 of answering: which chunks may answer, and how much each page is the medicine's own.

When a person names one medicine, its own monograph answers: the pages titled with its name
first, then its variant pages (route, salt, "(Systemic)"), which may hold what the plain page
lacks. A combination page comes in only when the question names two or more of its
ingredients (or the combination itself), or when the medicine has no page of its own.
Duplicate pages of one medicine are one medicine (the same title): both are candidates.
Questions that name no medicine are searched across every monograph only when they are clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .corpus import SECTIONS, split_ingredients
from .drugs import base_forms, normalize

OWN, VARIANT, COMBINATION = 1.0, 0.6, 0.3  # how much a page is the medicine's own (see rank.Weights.page)
# the own pages of medicines named as one combination ("amlodipine and atenolol combination"):
# below the combination's page, by more than rank's bonus for the first-named (subject) medicine
OTHER_OWN = 0.8
SYSTEMIC = 0.8  # a "(Systemic)" or "(Oral)" variant: the medicine as usually taken, before other routes


@dataclass(frozen=True)
class Candidates:
    ids: np.ndarray  # chunk ids
    page: dict  # chunk id → OWN / VARIANT / COMBINATION
    reason: str


@lru_cache(maxsize=20000)
def title_key(title: str) -> tuple[str, frozenset]:
    """A page title normalised, and its ingredients normalised (the same title recurs on every
    chunk of its page: computed once)."""
    return normalize(title), frozenset(normalize(i) for i in split_ingredients(title))


def variant_weight(title: str) -> float:
    t = title.lower()
    return SYSTEMIC if "(systemic)" in t or "(oral)" in t else VARIANT


def plain_key(name: str) -> str:
    """A medicine name without parentheses and salt or route words ("Ibuprofen (Systemic)" → "ibuprofen")."""
    forms = sorted(base_forms(name), key=len)
    return forms[0] if forms else normalize(name)


def _titles(engine, name: str) -> set[str]:
    index = engine.index
    return {index.title_of(c) for c in engine.chunks_of(name).tolist()}


def for_medicines(engine, drugs: tuple[str, ...], apart: bool = False) -> Candidates:
    """The chunks of the medicines' pages, each with how much its page is the medicine's own.
    `apart`: the medicines were named as separate ones
    ("plavix with aspirin"), so a combination page of them is not their own page."""
    index = engine.index
    want = {normalize(d) for d in drugs}
    ids: list[np.ndarray] = []
    page: dict[int, float] = {}
    # named as one ("the amlodipine and atenolol combination", or so in the conversation): their
    # combination page, when there is one of just them, is the page asked about
    together = not apart and len(want) > 1 and any(
        " + " in t and title_key(t)[1] == frozenset(want) for d in drugs for t in _titles(engine, d))
    own = OTHER_OWN if together else OWN
    for d in drugs:
        own_or_variant = []
        variants = engine.variants_of(d)
        nd = normalize(d)
        for cid in engine.chunks_of(d).tolist():
            title = index.title_of(cid)
            nt, ingredients = title_key(title)
            if nt == nd:
                page[cid] = max(page.get(cid, 0.0), own)
                own_or_variant.append(cid)
            elif title in variants:
                page[cid] = max(page.get(cid, 0.0), variant_weight(title))
                own_or_variant.append(cid)
            elif " + " in title:
                if nt in want or (len(ingredients & want) >= 2 and not apart):
                    page[cid] = max(page.get(cid, 0.0), OWN)
                    own_or_variant.append(cid)
                elif len(ingredients & want) >= 2:  # named apart: theirs too, after their own pages
                    page[cid] = max(page.get(cid, 0.0), VARIANT)
                    own_or_variant.append(cid)
                else:
                    page.setdefault(cid, COMBINATION)
        for v in variants:  # variant pages reached by name only ("Ibuprofen (Systemic)")
            for cid in engine.chunks_of(v).tolist():
                if normalize(index.title_of(cid)) == normalize(v):
                    page.setdefault(cid, variant_weight(v))
                    own_or_variant.append(cid)
        if not own_or_variant:  # only combination pages describe it
            own_or_variant = [c for c in engine.chunks_of(d).tolist()]
        ids.append(np.asarray(own_or_variant, dtype=np.int64))
    cand = np.unique(np.concatenate(ids)) if ids else np.zeros(0, dtype=np.int64)
    cand = cand[engine.section_ids(cand) != SECTIONS.index("disclaimer")]
    return Candidates(cand, {int(c): page.get(int(c), COMBINATION) for c in cand.tolist()}, "the medicine's pages")
