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

from . import wordforms
from .candidates import OWN
from .drugs import normalize, variant_key
from .understand import expand


@dataclass(frozen=True)
class Weights:
    lexical: float = 1.0
    section_choice: tuple = (2.0, 1.0, 0.6)  # the intent's first, second, third section
    faq_intent: float = 2.5  # an FAQ whose question carries the intent (its first choice)
    faq_words: float = 1.5  # an FAQ whose question shares the asked words (share 0..1)
    page: float = 3.0  # × OWN / VARIANT / COMBINATION
    page_common: float = 0.6  # an asked word in this share of the candidate passages is not a topic
    sure_intent: float = 5.0  # an intent whose rules weigh this much is sure; weaker ones scale the section bonus
    subject: float = 0.3  # of two or more medicines, the first the question names
    file_named: float = 0.1  # of duplicate pages, the one whose file is named for the medicine
    overview_penalty: float = 0.5  # titles and "Generic Name" lines answer little
    relative_floor: float = 0.2  # passages below this share of the best relevance are dropped
    faq_exact: float = 1.5  # an FAQ whose question has every asked word: it asks the very question
    intent_words: float = 0.5  # BM25 of the intent's words that are not everyday words (0..1)
    faq_same: float = 2.0  # × how much the FAQ's question and the person's are the same words (F1, 0..1)
    faq_same_floor: float = 0.35  # below this the two questions are not the same question
    names_other: float = 2.0  # of two medicines asked about together, a passage of one that names the other
    glossed: float = 0.5  # × BM25 of the glossary's words for an asked word (the word itself: 1)


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


def _same_question(groups: list[tuple[str, ...]], heading_terms: list[str], names: set[str], idf) -> float:
    """How far an FAQ's question is the person's question: the idf-weighted F1 of their words,
    medicine names left out ("how long can I take melatonin" ~ "How long can I take melatonin?")."""
    heading = [t for t in dict.fromkeys(heading_terms) if t not in names]
    groups = [g for g in groups if g[0] not in names]
    if not heading or not groups:
        return 0.0
    have = set(heading)
    said = {t for g in groups for t in g}
    q_w = [max(idf(t) for t in g) for g in groups]
    h_w = [idf(t) for t in heading]
    if sum(q_w) <= 0 or sum(h_w) <= 0:
        return 0.0
    recall = sum(w for g, w in zip(groups, q_w) if have.intersection(g)) / sum(q_w)
    precision = sum(w for t, w in zip(heading, h_w) if t in said) / sum(h_w)
    return 2 * recall * precision / (recall + precision) if recall + precision else 0.0


def rank(engine, u, cands, weights: Weights = WEIGHTS) -> list[Scored]:
    """Candidates best first (ties: the plainer file name, then chunk order)."""
    index = engine.index
    bm = index.bm25
    ids = cands.ids
    if ids.size == 0:
        return []
    intent = u.intent.intent()
    # which candidate passages have each asked word (with the monographs' words for it), once
    have = {w: engine.scores(expand([w]), ids) > 0 for w in dict.fromkeys(u.key)}
    forms = page_forms(engine, have, ids)
    extra = [f for fs in forms.values() for f in fs]
    # a word most of the pages' passages have ("implant" on the implant's page) tells none apart
    common = {w for w, h in have.items() if ids.size >= 4 and h.mean() >= weights.page_common}
    written = [w for w in u.topic if w not in common]
    expanded = expand(written)
    specific = expanded + extra
    glossed = expanded[len(written):]  # (expand keeps the words first, then adds the glossary's)
    # the words as written and the pages' own forms of them ("infertility" for "fertility")
    # count in full; the glossary's words for them less ("mouth" → "oral" finds "oral thrush",
    # but "taken orally" less than "dry mouth")
    as_written_raw = engine.scores(written + extra, ids) if written or extra else np.zeros(ids.size)
    lex_raw = as_written_raw + weights.glossed * engine.scores(glossed, ids) if glossed else as_written_raw
    top = float(lex_raw.max()) if lex_raw.size else 0.0
    lex = lex_raw / top if top > 0 else lex_raw
    # which passages have a word as written, not only the glossary's word for it ("addictive"
    # → "depend" finds "depending on the dose")
    as_written = as_written_raw > 0
    # the intent's own words that are not everyday words ("weight", "alcohol") count for less:
    # the section bonus already rewards the intent, these only tell passages within it apart
    cue = [t for t in expand([k for k in u.key if k not in u.topic and k not in common]) if t not in specific]
    cue_raw = engine.scores(cue, ids) if cue else np.zeros(ids.size)
    cue_top = float(cue_raw.max()) if cue_raw.size else 0.0
    cue_lex = cue_raw / cue_top if cue_top > 0 else cue_raw
    asked = list(u.asked) + extra
    asked_scores = engine.scores(asked, ids) if asked else np.zeros(ids.size)
    q_terms = [tuple(expand([k])) for k in u.key if k not in common]  # each asked word with the monographs' words for it
    w_groups = [tuple(expand([w])) for w in u.words if w not in common]
    subject = normalize(u.drugs[0]) if u.drugs else ""
    # "what are the side effects of X?" names its section: the section, whole, answers it
    said = {t for g in w_groups for t in g}
    names_section = intent is not None and intent.sections[:1] not in ((), ("faq",)) and \
        set(index.analyzer.tokens(intent.sections[0].replace("_", " "))) <= said

    # (not for "which of my medicines …?", which asks about each alone)
    # (nor when the second is offered instead of the first: "can I take tylenol? what about
    # ibuprofen?" asks about each, and a passage of one that names the other is no better for it)
    others = _names_others(engine, u, ids) if len(u.drugs) > 1 and u.drugs_from != "my medicines" \
        and not u.instead else None
    # how sure the intent is: its rules' weight against a clear one's
    sure = min(1.0, u.intent.weight / weights.sure_intent) if u.intent.source in ("rules", "corpus") and not names_section else 1.0
    specific_words = top > 0

    def idf(t: str) -> float:
        tid = bm.term_id.get(t)
        return float(bm.idf[tid]) if tid is not None else 0.0

    out: list[Scored] = []
    for j, cid in enumerate(ids.tolist()):
        section = index.section_of(cid)
        heading = index.heading_of(cid)
        parts: dict = {"section": section}
        rel = weights.lexical * float(lex[j]) + weights.intent_words * float(cue_lex[j])
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
        heading_terms, name_terms = engine.heading_terms(cid) if section == "faq" else ((), frozenset())
        if section == "faq" and q_terms:
            share = _share(q_terms, list(heading_terms), idf)
            if share > 0:
                parts["faq_words"] = round(share, 2)
                rel += weights.faq_words * share
                if intent is not None and share >= 0.5 and intent.faq_matches(heading) and not parts.get("faq_intent"):
                    # the FAQ that asks the very question ("Can I drink alcohol with it?") over a
                    # section that is the intent's first choice but never names the topic
                    sec_bonus = weights.section_choice[0] + weights.faq_intent
                    parts["faq_intent"] = True
        if section == "faq" and w_groups and not names_section:
            same = _same_question(w_groups, list(heading_terms), name_terms, idf)
            if same >= weights.faq_same_floor:
                parts["faq_same"] = round(same, 2)
                rel += weights.faq_same * same
        if parts.get("faq_words", 0) >= 0.99 and len(q_terms) >= 1:
            rel += weights.faq_exact
        if sec_bonus and sure < 1.0 and specific_words:
            sec_bonus *= sure  # a weak intent ("why is …") against words that say what is asked ("rash")
        rel += sec_bonus
        if sec_bonus:
            parts["section_bonus"] = round(sec_bonus, 2)
        names_other = others is not None and bool(others[j])
        if asked_scores[j] <= 0 and sec_bonus < weights.section_choice[0] and "faq_words" not in parts \
                and not names_other:
            continue  # shares no word but the medicine's name, and is not the wanted section
        if intent is not None and intent.name != "about" and section not in intent.sections and (
                (lex[j] < 0.5 and (cands.page.get(cid, 0) < OWN
                                   or (sure >= 1.0 and lex[j] == 0 and not parts.get("faq_words"))))
                or (lex[j] > 0 and not as_written[j])):
            # off-intent text of another page; or of the medicine's own page when a sure intent
            # says what is asked and the passage has no word of the topic (only the intent's),
            # or has it only in the glossary's words for it
            continue
        if names_other:
            rel += weights.names_other  # "plavix with aspirin": clopidogrel's page on aspirin
            parts["names_other"] = True
        if len(u.named) > 1 and not u.apart and _shared_text_of(index, cid, u.named):
            rel += weights.section_choice[0]  # two medicines named: their page's shared text first
            parts["shared_text"] = True
        page = cands.page.get(cid, 0.0)
        bonus = weights.page * page
        drug = normalize(index.drug_of(cid))
        if len(u.drugs) > 1 and drug == subject:
            bonus += weights.subject  # of two medicines, the one asked about ("can I take A with B?")
        if page == OWN and Path(index.source_of(cid)).stem.lower() == drug.replace(" ", "-"):
            bonus += weights.file_named
        if section == "overview" and (intent is None or "overview" not in intent.sections) and "shared_text" not in parts:
            bonus -= weights.overview_penalty
        parts["page"] = page
        parts["relevance"] = round(rel, 3)
        parts["lexical"] = round(float(lex[j]), 3)
        if forms:
            parts["forms"] = forms
        out.append(Scored(cid, rel + bonus, rel, float(lex_raw[j]), parts))
    if not out:
        return []
    out.sort(key=lambda s: (-s.final, len(index.source_of(s.chunk)), s.chunk))
    best = max(s.relevance for s in out)
    # a passage with no relevance at all (only its page's bonus) answers nothing
    return [s for s in out if s.relevance >= weights.relative_floor * best and s.relevance > 0]


def _names_others(engine, u, ids) -> np.ndarray:
    """For each candidate, does it name another of the medicines asked about than its own page's
    (by the corpus's name or as the person wrote it)? A page that is a combination of them
    names them all, so it never counts."""
    analyzer = engine.index.analyzer
    typed: dict[str, set[str]] = {}
    spans: dict[str, set[tuple[int, int]]] = {}
    for m in u.mentions:
        if m.drug in u.drugs:
            typed.setdefault(m.drug, set()).add(m.text)
            spans.setdefault(variant_key(m.drug), set()).add((m.start, m.end))
    has = {}
    for d in u.drugs:
        terms = [t for n in {d, *typed.get(d, ())} for t in analyzer.tokens(n)]
        has[variant_key(d)] = engine.scores(terms, ids) > 0 if terms else np.zeros(ids.size, dtype=bool)
    out = np.zeros(ids.size, dtype=bool)
    index = engine.index
    for j, cid in enumerate(ids.tolist()):
        if " + " in index.title_of(cid):
            continue
        own = variant_key(index.drug_of(cid))  # "Ibuprofen (systemic)" is ibuprofen's page too
        # one word read as two spellings ("amoxicilin": Amoxicillin, Amoxycillin) is one medicine
        out[j] = any(h[j] for n, h in has.items() if n != own and not spans.get(n, set()) & spans.get(own, set()))
    return out


def _shared_text_of(index, cid: int, named) -> bool:
    """Is the chunk the shared text of a combination page naming all the named medicines?"""
    from .corpus import split_ingredients

    title = index.title_of(cid)
    return (" + " in title and index.drug_of(cid) == title
            and {normalize(i) for i in split_ingredients(title)} >= {normalize(n) for n in named})


def page_forms(engine, have: dict, ids) -> dict[str, list[str]]:
    """For each asked word (`have`: word → which candidates have it or the monographs' word for
    it): when none has it, the pages' words that are another form of it (wordforms.stand_ins);
    when some do, its negation on the pages too ("fertility" → "does not cause infertility")."""
    term_id = engine.index.bm25.term_id

    def present(term: str) -> bool:
        return term in term_id and float(engine.scores([term], ids).max()) > 0

    out = {}
    for w, h in have.items():
        group = tuple(expand([w]))
        if h.any():
            found = [f for f in wordforms.negations(w) if f not in group and present(f)]
        else:
            found = wordforms.stand_ins(group, present)
        if found:
            out[w] = found
    return out
