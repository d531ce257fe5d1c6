"""The one text analyzer used for both the index and the query.

Words are lower-cased alphanumeric runs (nltk's RegexpTokenizer semantics), English stopwords
(nltk's list, shipped with the package: no nltk.download) are dropped, and the rest are
stemmed with nltk's Snowball English stemmer.

Stems are memoised: the index stores the stem of every word it has seen (plus common
question words), and a query loads the stemmer only for a word that table does not know
(`_nltk_light` loads it in ~40 ms instead of the seconds `import nltk` takes). The stemmer
can be injected (`Analyzer(stemmer=...)`), as tests do.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from operator import itemgetter
from importlib import resources
from typing import Callable, Sequence

TOKENIZER_SETTINGS = {
    "pattern": r"[^\W_]+",
    "lowercase": True,
    "stopwords": "nltk-english",
    "stemmer": "nltk-snowball-english",
    "min_length": 2,
    "version": 1,
}
_WORD = re.compile(TOKENIZER_SETTINGS["pattern"])
# the same words with min_length applied by the regex: a run of word characters is consumed
# whole, so "runs of at least 2" equals "runs, then drop those shorter than 2"
_WORD_MIN = re.compile(r"[^\W_]{%d,}" % TOKENIZER_SETTINGS["min_length"])


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = resources.files("rxquote").joinpath("stopwords_en.txt").read_text(encoding="utf-8")
    words = {w.strip() for w in text.split() if w.strip()}
    # the tokenizer splits "don't" into "don", "t": drop the apostrophe forms' pieces too
    return frozenset(words | {w.split("'")[0] for w in words})


Stemmer = Callable[[str], str]


@lru_cache(maxsize=1)
def snowball_stemmer() -> Stemmer:
    """nltk's Snowball English stemmer (`stem` of one instance per process), loaded on the
    first stem-cache miss without nltk's package __init__ (see `_nltk_light`)."""
    from ._nltk_light import snowball_class

    return snowball_class()("english").stem


# ASCII text (96 % of monograph chunks) the fast way: NFKC leaves ASCII as it is, and there
# the pattern's word characters are [A-Za-z0-9], so its runs are what is left between the
# other bytes (mapped to spaces, letters lower-cased); tests/test_text.py checks both agree
_ASCII_FOLD = bytes(c if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256)).lower()


def words(text: str) -> list[str]:
    """Lower-cased word tokens (NFKC-folded), stopwords kept."""
    if text.isascii():
        n = TOKENIZER_SETTINGS["min_length"]
        return [w for w in text.encode("ascii").translate(_ASCII_FOLD).decode("ascii").split() if len(w) >= n]
    return _WORD_MIN.findall(unicodedata.normalize("NFKC", text).lower())


class Analyzer:
    """Tokenize → drop stopwords → stem, with a persistent stem memo."""

    def __init__(self, stem_cache: dict[str, str] | None = None, stemmer: Stemmer | None = None):
        self.stem_cache: dict[str, str] = dict(stem_cache or {})
        self._stemmer = stemmer  # None: nltk's Snowball, loaded on the first miss
        self._stop = stopwords()

    def stem(self, word: str) -> str:
        s = self.stem_cache.get(word)
        if s is None:
            if self._stemmer is None:
                self._stemmer = snowball_stemmer()
            s = self._stemmer(word)
            self.stem_cache[word] = s
        return s

    def tokens(self, text: str) -> list[str]:
        """The index's and the query's terms: stems of the non-stopwords, in order."""
        return self.stems(self.content_words(text))

    def content_words(self, text: str) -> list[str]:
        """Unstemmed non-stopwords (for name matching), one per token of `tokens`."""
        stop = self._stop
        return [w for w in words(text) if w not in stop]

    def stems(self, content_words: list[str]) -> list[str]:
        cache = self.stem_cache
        return [cache.get(w) or self.stem(w) for w in content_words]


class TermCoder:
    """Words → term ids for the indexer, memoised for a whole process (a build's worker
    codes thousands of pages with one coder).

    `word_ids(text)` gives one id per word token of `text` — -1 for a stopword or a word
    shorter than min_length — so that the ids ≥ 0, in order, are `Analyzer.tokens(text)`
    numbered by `terms` (the coder's own ids: first met, first numbered). Words are looked up
    as the bytes of an ASCII text's fold (no decoding, no per-word filtering) and a
    non-ASCII text's words encoded: one dictionary lookup per token once a word is known."""

    def __init__(self, analyzer: Analyzer):
        self.analyzer = analyzer
        self.word_id: dict[bytes, int] = {b"": -1}  # b"": the pad of a one-word text
        self.terms: list[str] = []  # coder id → term
        self._term_id: dict[str, int] = {}
        self._min = TOKENIZER_SETTINGS["min_length"]

    def word_ids(self, text: str) -> Sequence[int]:
        if text.isascii():
            ws = text.encode("ascii").translate(_ASCII_FOLD).split()
        else:
            ws = [w.encode("utf-8") for w in words(text)]
        if len(ws) == 1:  # (itemgetter of one key gives the value, not a tuple)
            return self.word_ids_of([ws[0], b""])[:1]
        return self.word_ids_of(ws) if ws else ()

    def word_ids_of(self, ws: list[bytes]) -> tuple[int, ...]:
        """Ids of at least two words, looked up by one itemgetter: the lookups run in C, a
        third faster than a list comprehension (the coder does one per token of the corpus)."""
        known = self.word_id
        try:
            return itemgetter(*ws)(known)
        except KeyError:
            for w in ws:
                if w not in known:
                    known[w] = self._code(w.decode("utf-8"))
            return itemgetter(*ws)(known)

    def _code(self, word: str) -> int:
        if len(word) < self._min or word in self.analyzer._stop:
            return -1
        term = self.analyzer.stem(word)
        i = self._term_id.get(term)
        if i is None:
            i = self._term_id[term] = len(self.terms)
            self.terms.append(term)
        return i


# Everyday question words, stemmed at index time so queries rarely need nltk.
QUESTION_WORDS = """
about absorb abuse accident accidentally ache aches addict addicted addiction addictive adult adults
affect affects after afternoon again age alcohol alcoholic allergic allergies allergy alone alternative
alternatives anxiety anxious appetite apply applying asleep avoid awake baby babies bad bed bedtime
beer best better bleeding blood blurry body born bottle brain break breakfast breast breastfeed
breastfeeding breathe breathing burn burning buy caffeine can capsule capsules careful cause causes
change changes cheap child children chew chewing cigarette coffee cold combine combined combining
common concern concerns condition conditions constipation contraception contraindicated cost cough
counter crush crushed crushing daily damage danger dangerous day days dementia depression diabetes
diarrhea diarrhoea diet different difficult dinner discontinue discontinuing disease diseases disposal
dispose dizziness dizzy doctor does dose doses dosing double drink drinking drinks drive driving drowsy
drug drugs during eat eating effect effective effects elderly empty end energy evening everyday exercise
expire expired expires extra eye eyes fast faster feel feeling feelings fever food foods forget forgot
forgetting fridge generic get gets give given giving go good grapefruit hair happen happens harm harmful
headache headaches health healthy heart help helps high hot hour hours how ill illness infection
inject injection injections interact interacting interaction interactions its itch itching juice keep
kid kidney kidneys kids kill labor lactation last lasts late later liquid live liver long longer lose
loss low lung lungs machine machinery main many max maximum meal meals mean medication medications
medicine medicines mg mild milk miss missed missing mix mixing month months morning mother much muscle
nausea need needs never night normal nurse nursing often ok okay old older one online operate overdose
overdosed pain painful pains patient patients pharmacist pill pills poison poisoning pregnancy pregnant
prescribe prescribed prescription problem problems purpose quit quitting rash reaction reactions
recommended refrigerate refrigerator remember risk risks room safe safely safety same seizure seizures
serious severe sex side sick skin sleep sleeping sleepy slow smoke smoking sore start starting stay stomach
stop stopped stopping storage store stored storing strong stronger sudden suddenly sun sunlight supplement
supplements surgery swallow swallowing symptom symptoms tablet tablets take taken takes taking tea
teen teenager teenagers temperature test therapy thing things think thought thoughts time times tired
together too treat treated treating treatment treats trying twice type use used useful uses using vaccine
vitamin vitamins vomit vomiting wait want warning warnings water way weak weeks weight well what wine
withdrawal without woman women work worked working works worse wrong year years young
""".split()
