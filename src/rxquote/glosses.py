"""What the monographs put beside a name in parentheses: abbreviations spelt out, everyday
names glossed.

People write "MAOIs", "PPIs" or "blood thinners"; the monographs write "monoamine oxidase
inhibitors (MAOIs)" and "anticoagulants (blood thinners)". What such a name stands for is read
from the corpus itself, when a question has one:

- an abbreviation, by the Schwartz & Hearst (2003) rule: its definition is the shortest run
  of words before the parenthesis in which its letters occur in order, the first starting a
  word. A run whose every word starts with the next letter ("proton pump inhibitor" for PPI)
  is preferred: the plain rule alone would stop at "pump inhibitor".
- an everyday name, by what stands on the other side of its parenthesis: "anticoagulants
  (blood thinners)", "blood thinners (anticoagulants)".

Only a clear majority of the passages counts (MIN_DEFINITIONS, MIN_SHARE). (The
`abbreviations` package implements Schwartz & Hearst too, but it configures the root logger
when imported, so it is not used.)
"""

from __future__ import annotations

import re
from collections import Counter

MIN_LETTERS, MAX_LETTERS = 2, 8  # "ED" … "DMARDs"
MIN_DEFINITIONS = 2  # a definition seen once may be a slip of one page
MIN_SHARE = 0.5  # the most common definition must be at least this share of all found
MIN_CLASS_PAGES = 5  # pages that say they are of an unglossed name ("is a beta-blocker") for it to be a class
MIN_CLASS_SHARE = 0.3  # … of the pages whose overview or usage uses the name at all
MAX_CLASS_PASSAGES = 120  # overview and usage passages read to tell (more: an everyday word)
MAX_TEXTS = 80  # passages read for a name's abbreviation or gloss (spread over the corpus)

_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"[.!?;:\n*]")


def looks_like_abbreviation(word: str) -> bool:
    """Letters only and short enough ("MAOIs", "ppi"); whether it is one is the corpus's to say."""
    core = word[:-1] if word.endswith("s") and len(word) > MIN_LETTERS + 1 else word
    return word.isalpha() and MIN_LETTERS <= len(core) <= MAX_LETTERS


def is_plural(phrase: str) -> bool:
    """People name a class in the plural ("blood thinners", "painkillers"): only such everyday
    names are looked up as glosses (a singular noun is rarely a class)."""
    last = phrase.split()[-1].lower()
    return last.endswith("s") and not last.endswith("ss") and len(last) > 3


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


def _phrase_pattern(phrase: str) -> str:
    """`phrase` as a pattern: its words apart by spaces or hyphens, its last in the singular or
    the plural ("blood thinners" ~ "blood-thinner")."""
    words = phrase.lower().split()
    last = words[-1][:-1] if words[-1].endswith("s") and len(words[-1]) > 3 else words[-1]
    return r"[\s-]+".join([*map(re.escape, words[:-1]), re.escape(last) + "s?"])


def beside(phrase: str, texts, names) -> Counter:
    """What `names` (a name → its canonical form, or None) finds beside `phrase` in
    parentheses: the last one to three words before "(phrase)", or the words in the
    parenthesis after "phrase (…)"."""
    p = _phrase_pattern(phrase)
    inside = re.compile(rf"\(\s*{p}\s*\)", re.I)  # "(blood thinners)"
    then = re.compile(rf"\b{p}\s*\(([^()]{{2,60}})\)", re.I)  # "blood thinners (anticoagulants)"
    first = phrase.lower().split()[0][:4]
    out: Counter = Counter()
    for text in texts:
        if first not in text.lower():
            continue
        for m in inside.finditer(text):
            words = _WORD.findall(text[max(0, m.start() - 80) : m.start()])
            for n in (3, 2, 1):
                found = names(" ".join(words[-n:])) if len(words) >= n else None
                if found:
                    out[found] += 1
                    break
        for m in then.finditer(text):
            found = names(" ".join(_WORD.findall(m.group(1))))
            if found:
                out[found] += 1
    return out
