"""Stage 2 of answering: which chunks may answer, and how much each page is the medicine's own.

When a person names one medicine, its own monograph answers: the pages titled with its name
first, then its variant pages (route, salt, "(Systemic)"), which may hold what the plain page
lacks. A combination page comes in only when the question names two or more of its
ingredients (or the combination itself), or when the medicine has no page of its own.
Duplicate pages of one medicine are one medicine (the same title): both are candidates.
Questions that name no medicine are searched across every monograph only when they are clear.
"""

from __future__ import annotations

import re
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
# of duplicate pages of one combination, the fullest is its own page; a thinner one ranks like a
# systemic variant: it comes first only where it answers clearly better
THINNER_DUPLICATE = 0.8
# where a page says what its medicine is ("X is a statin")
OVERVIEW_SECTIONS = (SECTIONS.index("overview"), SECTIONS.index("usage"))


@dataclass(frozen=True)
class Candidates:
    ids: np.ndarray  # chunk ids
    page: dict  # chunk id → OWN / VARIANT / COMBINATION
    reason: str
    names: tuple[str, ...] = ()  # stems that name what the pages are (a drug class): read like a medicine's name


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


def combination_key(title: str) -> frozenset[str]:
    """A combination's ingredients, order and spacing aside ("Ethinyl Estradiol + Drospirenone"
    and "Drospirenone + Ethinylestradiol" are one medicine)."""
    return frozenset(normalize(i).replace(" ", "") for i in split_ingredients(title))


def duplicate_pages(engine, name: str) -> tuple[str, ...]:
    """The other corpus medicines that are the same combination as `name`, found among the
    pages of its least common ingredient."""
    if " + " not in name:
        return ()
    key = combination_key(name)
    fewest = None
    for part in split_ingredients(name):
        if engine.knows(part):
            ids = engine.chunks_of(part)
            if fewest is None or ids.size < fewest.size:
                fewest = ids
    if fewest is None:
        return ()
    index = engine.index
    titles = {index.title_of(c) for c in fewest.tolist()}
    own = normalize(name)
    return tuple(sorted(t for t in titles if " + " in t and normalize(t) != own
                        and combination_key(t) == key and engine.knows(t)))


def _typed(pages: tuple[str, ...], question: str) -> str | None:
    """The one page whose title the question has word for word: its words in order, else all
    its words ("levonorgestrel ethinyl estradiol" is "Ethinyl Estradiol + Levonorgestrel",
    not "Levonorgestrel + Ethinylestradiol")."""
    q = f" {normalize(question)} "
    words = set(q.split())
    for has in (lambda t: f" {t} " in q, lambda t: set(t.split()) <= words):
        found = [n for n in pages if has(normalize(n))]
        if len(found) == 1:
            return found[0]
    return None


def titled(engine, name: str) -> list[int]:
    """The chunks of the pages titled `name` (not the combination pages that name it)."""
    index = engine.index
    n = normalize(name)
    return [c for c in engine.chunks_of(name).tolist() if normalize(index.title_of(c)) == n]


def class_pages(engine, phrase: str, names: tuple[str, ...] | None = None) -> tuple[tuple[int, bool], ...]:
    """The pages of a drug class's medicines, as (a chunk of the page, whether the page says it
    is of the class): the pages whose overview or usage section says one of the class's names
    word for word ("statins", "HMG-CoA reductase inhibitor", "emergency contraception" for
    "morning after pill"). Pages that say they are of it first ("X is a statin", "belongs to the
    class of benzodiazepines"), then those that only mention it ("used with statins"); single
    medicines' pages before combinations. `names`: the class's other names (by default
    engine.class_synonyms)."""
    index = engine.index
    an, bm = index.analyzer, index.bm25
    runs: dict[int, list[list[str]]] = {}  # chunk → the class names (stems) it has every word of
    for name in dict.fromkeys((phrase, *(engine.class_synonyms(phrase) if names is None else names))):
        stems = an.tokens(name)
        if not stems:
            continue
        docs = bm.docs_with_all(stems)
        for c in docs[np.isin(engine.section_ids(docs), OVERVIEW_SECTIONS)].tolist():
            runs.setdefault(c, []).append(stems)
    pages: dict[str, tuple[int, bool]] = {}
    for chunk in index.chunks(sorted(runs)):  # read in one pass over the chunk file
        source = chunk.source
        if pages.get(source, (0, False))[1]:
            continue
        for stems in runs[chunk.id]:
            found = _class_mention(an, chunk.text, stems)
            if found is not None and (source not in pages or found):
                pages[source] = (chunk.id, found)
            if found:
                break
    return tuple(sorted(pages.values(), key=lambda p: (not p[1], " + " in index.title_of(p[0]), p[0])))


# words with which a text says what a medicine is: "belongs to the class of", "a type of", "is a"
CLASS_CUES = frozenset("class classes type group family kind called belongs belong known".split())
ARTICLES = frozenset(("a", "an", "the"))


def _class_mention(an, text: str, run: list[str]) -> bool | None:
    """Where `text` has the class name `run` (stems, in order): True when a sentence says what
    the medicine is with it ("… is a statin"), False when it only mentions it, None when absent."""
    mentioned = False
    cue = run[0][:4]  # the first word's first letters, in every form of it: sentences without them are skipped
    for sentence in _SENTENCE.split(text):
        lower = sentence.lower()
        if cue not in lower:
            continue
        ws = _ALL_WORDS.findall(lower)  # "a" too: "is a statin"
        at = [i for i, w in enumerate(ws) if an.content_words(w)]
        seq = an.stems([ws[i] for i in at])
        n = len(run)
        for j in range(len(seq) - n + 1):
            if seq[j : j + n] == run:
                i = at[j]
                near = ws[max(0, i - 6) : i]
                if CLASS_CUES.intersection(ws[max(0, i - 8) : i]) or any(
                        near[k] in ("is", "are") and near[k + 1] in ARTICLES for k in range(len(near) - 1)):
                    return True
                mentioned = True
    return False if mentioned else None


_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_ALL_WORDS = re.compile(r"[^\W_]+")


MAX_CLASS_CHUNKS = 2000  # a broad class ("antibiotics"): only its passages that share an asked word


def for_class(engine, phrase: str, pages: tuple[tuple[int, bool], ...], topic: list[str]) -> Candidates:
    """The chunks of a drug class's pages (see class_pages): a single medicine's page that says
    it is of the class as its own; one that only mentions the class, or a combination, after."""
    index = engine.index
    page: dict[int, float] = {}
    for c, says_it_is in pages:
        weight = COMBINATION if " + " in index.title_of(c) else OWN if says_it_is else VARIANT
        for cid in index.page_of(c):
            page.setdefault(cid, weight)
    ids = np.fromiter(page, dtype=np.int64, count=len(page))
    if ids.size > MAX_CLASS_CHUNKS and topic:
        ids = ids[np.isin(ids, index.bm25.matching_docs(list(topic)))]
    ids = np.sort(ids[engine.section_ids(ids) != SECTIONS.index("disclaimer")])
    return Candidates(ids, {int(c): page[int(c)] for c in ids.tolist()},
                      f"the pages of the class \"{phrase}\" ({len(pages)} pages)", tuple(index.analyzer.tokens(phrase)))


def _titles(engine, name: str) -> set[str]:
    index = engine.index
    return {index.title_of(c) for c in engine.chunks_of(name).tolist()}


def for_medicines(engine, drugs: tuple[str, ...], apart: bool = False, question: str = "") -> Candidates:
    """The chunks of the medicines' pages, each with how much its page is the medicine's own.
    `apart`: the medicines were named as separate ones
    ("plavix with aspirin"), so a combination page of them is not their own page.
    `question`: of duplicate pages of one combination, the one whose title the person typed is
    its own page, else the fullest."""
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
                    # of the combinations of the named medicines, one of just them is theirs;
                    # one with more in it ("paracetamol + famotidine + ibuprofen") comes after
                    extra = not ingredients <= want and nt not in want
                    page[cid] = max(page.get(cid, 0.0), VARIANT if extra else OWN)
                    own_or_variant.append(cid)
                elif len(ingredients & want) >= 2:  # named apart: theirs too, after their own pages
                    page[cid] = max(page.get(cid, 0.0), VARIANT)
                    own_or_variant.append(cid)
                else:
                    page.setdefault(cid, COMBINATION)
        for v in variants:  # variant pages reached by name only ("Ibuprofen (Systemic)")
            for cid in titled(engine, v):
                page.setdefault(cid, variant_weight(v))
                own_or_variant.append(cid)
        duplicates = engine.duplicates_of(d)
        if duplicates:  # one medicine on several pages: the one typed, else the fullest, first
            pages = (d, *duplicates)
            first = _typed(pages, question)
            chunks = {n: titled(engine, n) for n in pages}
            if first is None:
                first = max(pages, key=lambda n: (len(chunks[n]), n == d))
            for n in pages:
                weight = own if n == first else min(own, THINNER_DUPLICATE)
                for cid in chunks[n]:
                    page[cid] = weight
                    own_or_variant.append(cid)
        if not own_or_variant:  # only combination pages describe it
            own_or_variant = [c for c in engine.chunks_of(d).tolist()]
        ids.append(np.asarray(own_or_variant, dtype=np.int64))
    cand = np.unique(np.concatenate(ids)) if ids else np.zeros(0, dtype=np.int64)
    cand = cand[engine.section_ids(cand) != SECTIONS.index("disclaimer")]
    return Candidates(cand, {int(c): page.get(int(c), COMBINATION) for c in cand.tolist()}, "the medicine's pages")
