"""Stage 3 of answering: score each candidate chunk, with every weight in one place.

    final = relevance + page bonus
    relevance = lexical + section + faq

- lexical: BM25 (rank-bm25's statistics) of the words that say what is asked ("suddenly",
  "alcohol", "nightmares", with everyday words expanded to the monographs' words), normalised
  to the best candidate (0..1). Everyday question words ("take", "can") never count here.
- section: how much the chunk's section is the one the intent wants (first, second, third
  choice); an FAQ counts as wanted only when its question carries the intent.
- faq: an FAQ whose question shares the asked words (idf-weighted share of them).
- page: the medicine's own page over its variant pages over combination pages.

`Weights` holds every number; tests and tuning pass their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .candidates import OWN
from .drugs import normalize
from .understand import expand


@dataclass(frozen=True)
class Weights:
    lexical: float = 1.0
    section_choice: tuple = (2.0, 1.0, 0.6)  # the intent's first, second, third section
    faq_intent: float = 2.5  # an FAQ whose question carries the intent (its first choice)
    faq_words: float = 1.5  # an FAQ whose question shares the asked words (share 0..1)
    page: float = 3.0  # × OWN / VARIANT / COMBINATION
    file_named: float = 0.1  # of duplicate pages, the one whose file is named for the medicine
    overview_penalty: float = 0.5  # titles and "Generic Name" lines answer little
    relative_floor: float = 0.5  # passages below this share of the best relevance are dropped
    faq_exact: float = 1.5  # an FAQ whose question has every asked word: it asks the very question


WEIGHTS = Weights()


@dataclass(frozen=True)
class Scored:
    chunk: int
    final: float
    relevance: float
    bm25: float
    parts: dict = field(default_factory=dict, compare=False)


def _share(groups: list[tuple[str, ...]], heading_terms: list[str], idf) -> float:
    """idf-weighted share of the question's words that the FAQ question has; a word counts as
    there when it or the monographs' word for it is ("wine" ~ "alcohol")."""
    if not groups:
        return 0.0
    have = set(heading_terms)
    weight = [max(idf(t) for t in g) for g in groups]
    total = sum(weight)
    return sum(w for g, w in zip(groups, weight) if have.intersection(g)) / total if total > 0 else 0.0


def rank(engine, u, cands, weights: Weights = WEIGHTS) -> list[Scored]:
    """Candidates best first (ties: the plainer file name, then chunk order)."""
    index = engine.index
    bm = index.bm25
    ids = cands.ids
    if ids.size == 0:
        return []
    intent = u.intent.intent()
    specific = [t for t in _expand_topic(u)]
    lex_raw = engine.scores(specific, ids) if specific else np.zeros(ids.size)
    top = float(lex_raw.max()) if lex_raw.size else 0.0
    lex = lex_raw / top if top > 0 else lex_raw
    asked_scores = engine.scores(list(u.asked), ids) if u.asked else np.zeros(ids.size)
    q_terms = [tuple(expand([k])) for k in u.key]  # each asked word with the monographs' words for it

    def idf(t: str) -> float:
        tid = bm.term_id.get(t)
        return float(bm.idf[tid]) if tid is not None else 0.0

    out: list[Scored] = []
    for j, cid in enumerate(ids.tolist()):
        section = index.section_of(cid)
        heading = index.heading_of(cid)
        parts: dict = {"section": section}
        rel = weights.lexical * float(lex[j])
        sec_bonus = 0.0
        if intent is not None and section in intent.sections:
            pos = min(intent.sections.index(section), len(weights.section_choice) - 1)
            sec_bonus = weights.section_choice[pos]
            if section == "faq":
                if intent.faq_matches(heading):
                    sec_bonus = weights.section_choice[0] + weights.faq_intent if pos == 0 else weights.section_choice[1]
                    if pos == 0:
                        parts["faq_intent"] = True
                else:
                    sec_bonus = 0.0 if pos == 0 else weights.section_choice[-1] * 0.5
        if section == "faq" and q_terms:
            share = _share(q_terms, index.analyzer.tokens(heading), idf)
            if share > 0:
                parts["faq_words"] = round(share, 2)
                rel += weights.faq_words * share
                if intent is not None and share >= 0.5 and intent.faq_matches(heading) and not parts.get("faq_intent"):
                    # the FAQ that asks the very question ("Can I drink alcohol with it?") over a
                    # section that is the intent's first choice but never names the topic
                    sec_bonus = weights.section_choice[0] + weights.faq_intent
                    parts["faq_intent"] = True
        if parts.get("faq_words", 0) >= 0.99 and len(q_terms) >= 1:
            rel += weights.faq_exact
        rel += sec_bonus
        if sec_bonus:
            parts["section_bonus"] = round(sec_bonus, 2)
        if asked_scores[j] <= 0 and sec_bonus < weights.section_choice[0] and "faq_words" not in parts:
            continue  # shares no word but the medicine's name, and is not the wanted section
        if intent is not None and intent.name != "about" and section not in intent.sections and lex[j] < 0.5 \
                and cands.page.get(cid, 0) < OWN:
            continue  # off-intent text of another page
        if len(u.named) > 1 and not getattr(u, "apart", False) and _shared_text_of(index, cid, u.named):
            rel += weights.section_choice[0]  # two medicines named: their page's shared text first
            parts["shared_text"] = True
        page = cands.page.get(cid, 0.0)
        bonus = weights.page * page
        drug = normalize(index.drug_of(cid))
        if page == OWN and Path(index.source_of(cid)).stem.lower() == drug.replace(" ", "-"):
            bonus += weights.file_named
        if section == "overview" and (intent is None or "overview" not in intent.sections) and "shared_text" not in parts:
            bonus -= weights.overview_penalty
        parts["page"] = page
        parts["relevance"] = round(rel, 3)
        parts["lexical"] = round(float(lex[j]), 3)
        out.append(Scored(cid, rel + bonus, rel, float(lex_raw[j]), parts))
    if not out:
        return []
    out.sort(key=lambda s: (-s.final, len(index.source_of(s.chunk)), s.chunk))
    best = max(s.relevance for s in out)
    return [s for s in out if s.relevance >= weights.relative_floor * best]


def _shared_text_of(index, cid: int, named) -> bool:
    """Is the chunk the shared text of a combination page naming all the named medicines?"""
    from .corpus import split_ingredients

    title = index.title_of(cid)
    return (" + " in title and index.drug_of(cid) == title
            and {normalize(i) for i in split_ingredients(title)} >= {normalize(n) for n in named})


def _expand_topic(u) -> list[str]:
    return expand(u.topic)
