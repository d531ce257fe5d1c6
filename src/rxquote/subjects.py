"""Which of the medicines a message names it asks about.

A page title is not always the medicine the person takes: "is one fluconazole pill enough for a
yeast infection" names Yeast (a page) as the infection; "what if I'm allergic to penicillin?"
after a question about amoxicillin names Penicillin as the allergy. Two readings say so:

- a compound the corpus uses: the name followed by a word that, in the other pages of the
  corpus, follows that name often ("yeast infection(s)", "penicillin allergy", "iron
  deficiency", "insulin sensitivity"). Learnt from the monographs' text, per name, on first
  need; a name followed by a word the corpus does not put after it ("fluconazole pill") is the
  medicine itself.
- an allergy: "allergic to X", "X allergy": the person cannot take X, so X is not what is asked
  about when another medicine is named or in the conversation.

Such a mention is a topic of the question (its words still count for the section), not its
medicine, as long as another medicine is the subject.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from .drugs import Mention, normalize

# chunks of other pages read to learn which words follow a name (spread over all that have it)
SAMPLE_CHUNKS = 300
# a word follows the name "often" when at least this share of the name's occurrences has it next,
# and at least MIN_COMPOUND times
COMPOUND_SHARE = 0.05
MIN_COMPOUND = 3
# a name followed by a content word at least this share of the times it occurs in other pages
# is condition-like (yeast 0.81, thyroid 0.84, grapefruit 0.81; aspirin 0.08, metformin 0.16),
# judged only on names that occur at least MIN_OCCURRENCES times there
CONDITION_SHARE = 0.5
MIN_OCCURRENCES = 30
# what a medicine comes as ("iron pills", "calcium supplement", "the flu shot"): the product, not a topic
_PRODUCT_WORDS = frozenset("pill tablet capsule supplement shot injection jab drop dose vaccine product".split())
# "allergic to", "allergy to", "sensitive to", "intolerant to"/"of": the person cannot take what follows
_ALLERGY_BEFORE = re.compile(r"\b(allergic|allergy|allergies|sensitive|sensitivity|intolerant|intolerance|reaction)\s+(to|of)$")
_ALLERGY_AFTER = frozenset({"allergy", "allergies", "allergic", "intolerance", "sensitivity"})


def topic_mentions(engine, words: list[str], mentions: list[Mention]) -> set[int]:
    """Indexes (into `mentions`) of the corpus-medicine mentions that name a topic, not the
    medicine asked about: an allergy, or a compound the corpus uses ("yeast infection")."""
    out: set[int] = set()
    for k, m in enumerate(mentions):
        if not m.drug:
            continue
        before = " ".join(words[max(0, m.start - 2) : m.start])
        after = words[m.end] if m.end < len(words) else ""
        if _ALLERGY_BEFORE.search(before) or after in _ALLERGY_AFTER:
            out.add(k)
        elif after and (is_compound(engine.index, m.text, after) or (condition_like(engine.index, m.text) and _content(after))):
            out.add(k)
    return out


def _content(word: str) -> bool:
    """A word that says what the name is about ("thyroid blood work"), not a question word
    or the form the medicine comes in ("iron pills", "calcium supplement")."""
    from .text import stopwords
    from .understand import FORM_WORDS, GENERIC

    return word.isalpha() and word not in stopwords() and word not in GENERIC and word not in FORM_WORDS \
        and word.rstrip("s") not in _PRODUCT_WORDS


def condition_like(index, name: str) -> bool:
    """Is `name` mostly the first word of a compound in other pages ("thyroid problems",
    "yeast infections", "grapefruit juice"): a condition, organ or food more than a medicine?"""
    from .text import stopwords

    total, following = followers(index, normalize(name))
    if total < MIN_OCCURRENCES:
        return False
    sw = stopwords()
    return sum(c for w, c in following.items() if w not in sw) >= CONDITION_SHARE * total


def is_compound(index, name: str, word: str) -> bool:
    """Does the corpus (outside the name's own pages) often put `word` right after `name`?"""
    from .text import stopwords

    if word in stopwords() or not word.isalpha():
        return False
    total, following = followers(index, normalize(name))
    return following[word] >= max(MIN_COMPOUND, COMPOUND_SHARE * total)


def followers(index, name: str) -> tuple[int, Counter]:
    """(occurrences of `name` in a sample of other pages' chunks, the words right after it),
    kept on the index: a name is read once per process."""
    memo = index.__dict__.get("_name_followers")
    if memo is None:
        memo = {}
        object.__setattr__(index, "_name_followers", memo)
    if name not in memo:
        memo[name] = _followers(index, name)
    return memo[name]


def _followers(index, name: str) -> tuple[int, Counter]:
    words = name.split()
    if not words:
        return 0, Counter()
    stems = [index.analyzer.stem(w) for w in words]
    bm = index.bm25
    rarest = min(stems, key=lambda s: bm.doc_freq(s) or 10**9)
    docs = bm.matching_docs([rarest])
    if docs.size > SAMPLE_CHUNKS:
        docs = docs[:: -(-docs.size // SAMPLE_CHUNKS)]
    pattern = re.compile(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b(\s+[a-z]+)?")
    total, following = 0, Counter()
    # the name's own pages say how it is taken, not how others speak of it
    others = [d for d in docs.tolist() if name not in normalize(index.title_of(d))]
    for _, line in index.columns.read_lines(others):
        try:
            text = json.loads(line)[2].lower()
        except (ValueError, IndexError, TypeError):
            continue
        for m in pattern.finditer(text):
            total += 1
            if m.group(1):
                following[m.group(1).strip()] += 1
    return total, following


# -- "the flu shot", "the whooping cough vaccine": the vaccine against a disease -------------------
_VACCINE_WORDS = frozenset("shot shots vaccine vaccines jab jabs vaccination vaccinations immunization booster".split())
_VACCINE_TITLE = re.compile(r"\b(vaccine|toxoid)\b", re.I)


def vaccine_for(engine, q: str, mentions, named: tuple[str, ...]) -> tuple[str, ...]:
    """A disease followed by "shot", "vaccine", "jab" ("should I get the whooping cough shot",
    "can you get the flu from the flu shot") means the vaccine against it: the vaccine pages
    whose titles name the disease (its page's name, the name in its parentheses, or the
    monographs' word for an everyday one: flu → influenza): the one with the fewest
    ingredients — the single vaccine, not the six-in-one. Otherwise `named` as it is."""
    from .understand import EXPANSIONS

    words = normalize(q).split()
    hits = [i for i, w in enumerate(words) if w in _VACCINE_WORDS]
    # the word itself may name a page ("Vaccine"): that is not a vaccine named by its own name
    generic = {m.drug for m in mentions if m.drug and m.text in _VACCINE_WORDS}
    if not hits or any(_VACCINE_TITLE.search(n) for n in named if n not in generic):
        return named  # a vaccine named by its own name ("pneumococcal polysaccharide vaccine")
    disease: set[str] = set()
    for i in hits:
        before = words[max(0, i - 2) : i]
        for w in before:
            disease.add(w)
            disease.update(EXPANSIONS.get(w, ()))
        for m in mentions:  # a disease that has a page of its own: "Whooping Cough (Pertussis)"
            if m.drug and m.end == i:
                disease.update(normalize(m.drug).split())
    from .text import stopwords

    disease = {w for w in disease if len(w) >= 3 and w not in stopwords() and w not in _VACCINE_WORDS}
    if not disease:
        return named
    vaccines = [m for m in engine.index.drugs.medicines if _VACCINE_TITLE.search(m)
                and not disease.isdisjoint(normalize(m).split()) and engine.knows(m)]
    if not vaccines:
        return named
    def order(m: str) -> tuple:
        # fewest ingredients, then a title that says "<disease> vaccine" ("Pertussis Vaccine (Tdap)")
        t = normalize(m)
        return m.count(" + "), not any(f"{w} vaccine" in t for w in disease), len(m), m

    chosen = sorted(vaccines, key=order)[:1]
    # the disease's page and the generic word's page go
    kept = [n for n in named if n not in generic and not set(normalize(n).split()) & disease]
    return tuple(chosen) + tuple(n for n in kept if n not in chosen)
