"""Does a word look like a medicine's name? A character-trigram model learnt at index time.

Medicine names are built from a small stock of syllables (the INN stems -azepam, -pril,
-olol, -mab, -vir, -cillin, brand-name endings in -ex, -ix, -ra), so their letter trigrams
differ from those of ordinary and medical English. The model is the log-odds of each trigram
between the two vocabularies (names from the drug lexicon and the corpus; the corpus's other
words and the question words), averaged over a word's trigrams: a naive-Bayes score per letter
that does not grow with length. It only ever judges words that are in no vocabulary at all
("veltrazine" vs "sideefects"), so it needs to be good, not perfect.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable

# a word's trigrams include its edges ("^ve", "ne$"): endings carry most of the signal
_EDGE = "^"
_END = "$"
# trigrams seen fewer times than this in both vocabularies together are left out of the saved
# model (they score 0): they are mostly noise, and the model stays small in lexicon.json
MIN_COUNT = 3
# a word scoring above this looks like a medicine's name (chosen on held-out lexicon names vs
# misspelt ordinary words; see benchmarks/names.py --namelike)
THRESHOLD = 0.5


def trigrams(word: str) -> list[str]:
    w = f"{_EDGE}{word}{_END}"
    return [w[i : i + 3] for i in range(len(w) - 2)]


def train(names: Iterable[str], ordinary: Iterable[str]) -> dict[str, float]:
    """Trigram → log-odds of appearing in a medicine name rather than an ordinary word."""
    pos: Counter = Counter()
    neg: Counter = Counter()
    for w in set(names):
        pos.update(trigrams(w))
    for w in set(ordinary):
        neg.update(trigrams(w))
    n_pos, n_neg = sum(pos.values()) or 1, sum(neg.values()) or 1
    vocab = len(pos.keys() | neg.keys()) or 1
    model = {}
    for g in pos.keys() | neg.keys():
        if pos[g] + neg[g] < MIN_COUNT:
            continue
        # add-one smoothing: a trigram never seen in one vocabulary is strong, not infinite, evidence
        lo = math.log((pos[g] + 1) / (n_pos + vocab)) - math.log((neg[g] + 1) / (n_neg + vocab))
        model[g] = round(lo, 2)
    return model


def score(model: dict[str, float], word: str) -> float:
    """Mean trigram log-odds: > 0 leans towards a medicine name, < 0 towards an ordinary word."""
    grams = trigrams(word)
    return sum(model.get(g, 0.0) for g in grams) / len(grams)


def looks_like_a_name(model: dict[str, float], word: str) -> bool:
    return bool(model) and score(model, word) > THRESHOLD
