"""Abbreviations as the monographs define them: "monoamine oxidase inhibitors (MAOIs)".

People write "MAOIs", "PPIs" or "TCAs"; the monographs spell these out where they first use
them, with the abbreviation in parentheses. What an abbreviation stands for is read from the
corpus itself, when a question has one, with the Schwartz & Hearst (2003) rule: the
definition is the shortest run of words before the parenthesis in which the abbreviation's
letters occur in order, its first letter starting a word. A definition whose every letter
starts a word ("proton pump inhibitor" for PPI) is preferred: the plain rule alone would stop
at "pump inhibitor".

(The `abbreviations` package implements the same rule, but it configures the root logger
when imported, so it is not used.)
"""

from __future__ import annotations

import re
from collections import Counter

MIN_LETTERS, MAX_LETTERS = 2, 8  # "ED" … "DMARDs"
MIN_DEFINITIONS = 2  # a definition seen once may be a slip of one page
MIN_SHARE = 0.5  # the most common definition must be at least this share of all found
MAX_TEXTS = 80  # passages read for one abbreviation (the first ones that have it)

_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"[.!?;:\n*]")


def looks_like_abbreviation(word: str) -> bool:
    """Letters only, short, with a vowel-poor or capitalised look is left to the corpus:
    here only the length and the letters are checked."""
    core = word[:-1] if word.endswith("s") and len(word) > MIN_LETTERS + 1 else word
    return word.isalpha() and MIN_LETTERS <= len(core) <= MAX_LETTERS


def _letters(abbreviation: str) -> str:
    """The letters a definition must hold: a plural's lowercase "s" is not one ("MAOIs")."""
    if len(abbreviation) > 2 and abbreviation.endswith("s") and abbreviation[:-1].isupper():
        abbreviation = abbreviation[:-1]
    return abbreviation.lower()


def by_initials(letters: str, words: list[str]) -> str | None:
    """The last run of words whose initials are the letters ("proton pump inhibitor")."""
    n = len(letters)
    for start in range(len(words) - n, -1, -1):
        run = words[start : start + n]
        if "".join(w[0] for w in run).lower() == letters:
            return " ".join(run)
    return None


def schwartz_hearst(letters: str, text: str) -> str | None:
    """The definition that ends `text` by the Schwartz & Hearst rule, or None."""
    s, t = len(letters) - 1, len(text) - 1
    while s >= 0:
        c = letters[s]
        if not c.isalnum():
            s -= 1
            continue
        # the first letter must start a word; the others may be anywhere, right to left
        while t >= 0 and (text[t].lower() != c or (s == 0 and t > 0 and text[t - 1].isalnum())):
            t -= 1
        if t < 0:
            return None
        t -= 1
        s -= 1
    start = t + 1
    return text[start:].strip() or None


def definition_before(abbreviation: str, before: str) -> str | None:
    """What `abbreviation` stands for when it follows `before` in parentheses."""
    letters = _letters(abbreviation)
    sentence = _SENTENCE_END.split(before)[-1]
    words = _WORD.findall(sentence)
    # at most min(|A| + 5, 2|A|) words, as Schwartz & Hearst bound it
    words = words[-min(len(letters) + 5, 2 * len(letters)):]
    if not words:
        return None
    found = by_initials(letters, words)
    if found is None:
        found = schwartz_hearst(letters, " ".join(words))
    if found is None or len(found.split()) < 2 and len(found) <= len(letters) + 1:
        return None  # the abbreviation again, or a word no longer than it
    return found.lower()


def definitions(abbreviation: str, texts) -> Counter:
    """Each definition of `abbreviation` (as "(ABBR)" or its plural) in `texts`, counted."""
    letters = _letters(abbreviation)
    pattern = re.compile(rf"\(\s*{re.escape(letters)}s?\s*\)", re.I)
    out: Counter = Counter()
    for text in texts:
        for m in pattern.finditer(text):
            found = definition_before(abbreviation, text[: m.start()])
            if found:
                out[found] += 1
    return out


def most_common(found: Counter) -> str | None:
    """The definition the corpus gives most, when it is clear."""
    if not found:
        return None
    (best, n), total = found.most_common(1)[0], sum(found.values())
    return best if n >= MIN_DEFINITIONS and n >= MIN_SHARE * total else None
