"""Medicine names: the alias table (built at index time, see drugs_build.py) and how a
question's words are read as medicines (at query time, `DrugTable.find`).

The table maps normalised names — the corpus's own titles and ingredients, their forms
without salt or route words, and the brand names and synonyms that the
drug-named-entity-recognition lexicon links to them — to the corpus's medicine names.
`find` reads names as people type them: written apart or together ("hydrochloro thiazide"),
shortened ("pot chloride"), misspelt ("amlodipne"), or one word of one clear name
("glargine"). Names the lexicon knows but the corpus lacks, and words that only look like a
medicine's name ("veltrazine"), come back with `drug == ""` so the answer can say which name it
does not know.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from . import namelike
from .text import stopwords

# Salt, form and route words that people leave out ("metoprolol succinate" → "metoprolol").
SALT_WORDS = frozenset(
    """hydrochloride hcl hydrobromide sodium potassium calcium magnesium succinate tartrate maleate
    sulfate sulphate phosphate acetate citrate besylate besilate mesylate mesilate fumarate
    bromide chloride dihydrate monohydrate trihydrate anhydrous disodium dipropionate propionate
    valerate butyrate furoate hyclate lactate gluconate carbonate oxide nitrate bitartrate
    decanoate enanthate palmitate pamoate embonate tromethamine meglumine systemic oral topical
    ophthalmic otic nasal inhalation injection injectable tablets tablet capsules capsule cream
    ointment gel solution suspension syrup drops spray patch extended release er xr sr cr la
    vaginal rectal transdermal intravenous iv im subcutaneous chewable dispersible sublingual buccal""".split()
)

# Lexicon entries that are everyday words: never treated as a medicine mention.
NOT_MEDICINE_WORDS = frozenset(
    """alcohol water oxygen caffeine sugar salt iron zinc calcium sodium potassium magnesium air
    food milk coffee tea juice grapefruit wine beer tobacco nicotine sleep pain sun light heat
    cold fever cough stress tablet tablets pill pills capsule dose doses medicine medication drug
    drugs vitamin vitamins oil honey fish garlic ginger mint charcoal acid base protein fiber fibre
    today weather can may will said does done care plan""".split()
)

# Dosage-form words that say which of a medicine's route pages is meant ("diclofenac gel" is
# Diclofenac (Topical)). Keys are the corpus's own route qualifiers, the words inside the
# parentheses of its titles; the values are the pharmaceutical meaning of form words, which no
# data here states. Tablets and injections are left out: the plain page already covers them.
ROUTE_WORDS = {
    "topical": frozenset("topical gel cream creams ointment lotion foam".split()),
    "ophthalmic": frozenset("eye eyes eyedrop eyedrops ophthalmic".split()),
    "otic": frozenset("ear ears eardrop eardrops otic".split()),
    "nasal": frozenset("nose nasal nostril nostrils".split()),
    "oral inhalation": frozenset("inhaler inhalers inhale puffer puffers inhalation".split()),
}

# Short forms that neither the lexicon nor the names themselves can give (a prefix of a
# name's word is found by `_short_forms` without a list). Each entry says why.
SHORT_FORMS = {
    "asa": "aspirin",  # acetylsalicylic acid's initials; the lexicon lists neither
    "mtx": "methotrexate",  # the clinical abbreviation; not in the lexicon
    "kcl": "potassium chloride",  # the chemical formula; the lexicon spells salts out in words
}
# a vitamin's letter and number ("b12", "d3", "k2"), written without the word "vitamin"
_VITAMIN_CODE = re.compile(r"^[a-z]\d{1,2}$")
# Chemical symbols written for an element in a salt's name ("k chloride"): the lexicon has none.
ELEMENT_SYMBOLS = {"k": "potassium", "na": "sodium", "ca": "calcium", "mg": "magnesium", "fe": "iron", "zn": "zinc"}

# Letters that sound alike at the start of a word (a misspelling keeps the first sound:
# "kelfex" for keflex, "sefalexin" for cefalexin), so a misspelling may swap them.
_SAME_SOUND = ({"c", "k", "q"}, {"s", "z", "c"}, {"f", "p"})

TABLE_VERSION = 23  # bump when the way aliases are derived changes (an index reuses tables by it)

SPANS_KEPT = 1 << 15  # spans of words whose reading is kept (a question reads a few dozen)
_NOT_READ = object()

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ALPHA = re.compile(r"^[a-z]+$")


# ASCII names (nearly all) the fast way: lower-case, every other character a space, runs of
# spaces collapsed — what the pattern gives (tests/test_drugs.py checks both agree)
_ASCII_NAME = str.maketrans({chr(c): chr(c) if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789" else " " for c in range(128)})


@lru_cache(maxsize=1 << 18)  # (a build normalises the same names again and again: ~1 million calls at 10×)
def normalize(name: str) -> str:
    if name.isascii():
        return " ".join(name.lower().translate(_ASCII_NAME).split())
    return _NON_ALNUM.sub(" ", name.lower()).strip()


_PARENTHESISED = re.compile(r"\([^)]*\)")


def without_parentheses(name: str) -> str:
    return normalize(_PARENTHESISED.sub(" ", name) if "(" in name else name)


@lru_cache(maxsize=1 << 17)
def base_forms(name: str) -> frozenset[str]:
    """A name and its forms without parentheses or salt/route words."""
    n = normalize(name)
    forms = {n, without_parentheses(name)}
    if "/" in name:  # "Levothyroxine/ T4": each name on its own
        forms.update(normalize(part) for part in name.split("/"))
    for f in list(forms):
        words = [w for w in f.split() if w not in SALT_WORDS]
        if words:
            forms.add(" ".join(words))
    return frozenset(f for f in forms if f)


@lru_cache(maxsize=None)
def variant_key(name: str) -> str:
    """What a medicine's variant pages share: its name without route or salt
    ("Metoprolol Succinate", "Diclofenac (Topical)" → "metoprolol", "diclofenac")."""
    words = without_parentheses(name).split()
    return " ".join(w for w in words if w not in SALT_WORDS) or " ".join(words)


def _variant_order(name: str) -> tuple:
    """The plain page, then the systemic one (the whole-body form a bare name means), then others."""
    route = route_of(name)
    return (route != "", route != "systemic", len(name), name)


@lru_cache(maxsize=None)
def route_of(name: str) -> str:
    """The route qualifier of a variant page ("Diclofenac (Topical)" → "topical"), or ""."""
    m = re.search(r"\(([^)]*)\)\s*$", name)
    return normalize(m.group(1)) if m else ""


@lru_cache(maxsize=1)
def _plain_words() -> frozenset[str]:
    """Everyday words that never start a medicine's name."""
    from .text import QUESTION_WORDS, stopwords

    return stopwords() | frozenset(QUESTION_WORDS)


def preferred(phrase: str, drugs: list[str]) -> list[str]:
    """The medicines a name most plausibly means: the exact name ("ivermectin" is the
    Ivermectin page, not "Ivermectin (Systemic)"), else the plainest forms ("Advil" is
    Ibuprofen, not also "Ibuprofen (Topical)")."""
    exact = [d for d in drugs if normalize(d) == phrase]
    if exact:
        return exact
    names = {normalize(d) for d in drugs}
    plain = [d for d in drugs if not any(f != normalize(d) and f in names for f in base_forms(d))]
    return plain or drugs


@dataclass(frozen=True)
class Mention:
    """One medicine named in a text.

    `drug` is a corpus medicine name, or "" for a name the corpus lacks; then `unknown_name`
    is the name to show (the lexicon's display name, or the word as written for an invented
    one) — except for `how == "ambiguous"`, where `alternatives` lists the medicines meant.
    `how` says how the words were read:
      exact    the medicine's own name              alias     a brand, synonym or base form
      weak     an everyday word ("alcohol")          joined    written apart/together ("co amoxiclav")
      short    an abbreviation ("pot chloride")      fuzzy     a misspelling (`score` < 100)
      partial  one word of one clear name ("glargine")
      ambiguous  one word of 2–3 medicines' names ("peroxide"): drug "", `alternatives` = them
      lexicon  a medicine the corpus lacks (drug "", unknown_name = the lexicon's name)
      invented a word that looks like a medicine's name and matches nothing (drug "")
    `alternatives` are other corpus pages the same words may mean (route variants such as
    "Diclofenac (Topical)" beside Diclofenac, in the table's order); `drug` is the plain page
    unless the text names a route ("diclofenac gel").
    """

    drug: str
    text: str  # the words of the question that named it (normalised)
    start: int  # word position
    end: int
    how: str
    score: float = 100.0
    unknown_name: str = ""
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """The lexicon-only part of the table, read on first need."""

    other_names: dict[str, str] = field(default_factory=dict)  # name → display name, medicines the corpus lacks
    classes: tuple[str, ...] = ()  # drug classes ("benzodiazepines"): medical topics, not medicines
    namelike: dict[str, float] = field(default_factory=dict)  # trigram model, see namelike.py
    class_groups: tuple[str, ...] = ()  # each class's names, tab-joined (see drugs_build.class_groups)

    def to_json(self) -> dict:
        """~95,000 names: parallel lists and one joined string parse several times faster
        than a JSON object."""
        # sorted: the same corpus gives the same file whatever Python's string hash seed
        other, model = sorted(self.other_names), sorted(self.namelike)
        return {"other_names": [other, [self.other_names[k] for k in other]],
                "classes": "\n".join(self.classes),
                "namelike": [model, [self.namelike[k] for k in model]],
                "class_groups": "\n".join(self.class_groups)}

    @classmethod
    def from_json(cls, data: dict) -> "Lexicon":
        def pairs(value) -> dict:
            if isinstance(value, list) and len(value) == 2:
                return dict(zip(value[0], value[1]))
            return dict(value or {})

        classes = data.get("classes") or ""
        classes = classes.split("\n") if isinstance(classes, str) and classes else list(classes or [])
        groups = data.get("class_groups") or ""
        groups = groups.split("\n") if isinstance(groups, str) and groups else []
        return cls(pairs(data.get("other_names")), tuple(classes), pairs(data.get("namelike")), tuple(groups))

    def synonyms_of_class(self, name: str) -> tuple[str, ...]:
        """The other names of the drug class `name` (normalised), or (). One search of the
        groups as one text: a question rarely names a class, so no map of every name is built."""
        found: list[str] = []
        for m in re.finditer(rf"^(?:.*\t)?{re.escape(name)}(?:\t.*)?$", self._groups_text, re.M):
            found += [n for n in m.group(0).split("\t") if n != name and n not in found]
        return tuple(found)

    @cached_property
    def _groups_text(self) -> str:
        return "\n".join(self.class_groups)


@dataclass
class _Scan:
    """One text being read: its words, which are taken, and what was found."""

    words: list[str]
    used: list[bool]
    mentions: list[Mention] = field(default_factory=list)

    def free(self, i: int, n: int) -> bool:
        return not any(self.used[i : i + n])

    def take(self, i: int, n: int) -> None:
        self.used[i : i + n] = [True] * n

    def free_words(self):
        return [(i, w) for i, w in enumerate(self.words) if not self.used[i]]


class DrugTable:
    """Plain-data alias table, saved in the index as JSON (drugs.json + lexicon.json).

    The lexicon-only part (~95,000 names the corpus lacks, drug classes, the name-likeness
    model) is needed only when a question has a word that is neither a corpus medicine nor an
    ordinary word, so an index may hand it over as a loader that is called on first use.
    """

    def __init__(self, aliases: dict[str, list[str]], medicines: list[str],
                 lexicon: Lexicon | Callable[[], Lexicon] = Lexicon(),
                 common_words: frozenset[str] = frozenset(), version: int = TABLE_VERSION):
        self.aliases = aliases  # normalised alias → corpus medicine names, plainest first
        self.medicines = medicines  # corpus medicine names (ingredients and page titles)
        self.common_words = common_words  # the corpus's and questions' words: never misspellings
        self.version = version
        self._lexicon = lexicon  # a Lexicon, or the loader that reads it once
        # lookups the index saved (name_index.NameIndex: name → lookup or None), for a table
        # opened from an index; a table built in memory works them out on first need
        self.saved_lookups = None
        self._span_names: dict[tuple[str, ...], object] = {}  # see _span_name
        self._expanded: dict[tuple[tuple[str, ...], int], str | None] = {}  # see _expand

    @property
    def lexicon(self) -> Lexicon:
        if not isinstance(self._lexicon, Lexicon):
            self._lexicon = self._lexicon()
        return self._lexicon

    @property
    def other_names(self) -> dict[str, str]:
        """Lexicon name → display name, for medicines the corpus lacks."""
        return self.lexicon.other_names

    @property
    def classes(self) -> tuple[str, ...]:
        return self.lexicon.classes

    def names_class(self, text: str) -> bool:
        """Does `text` name a drug class (a MeSH-only lexicon entry such as "statins")?"""
        return bool(self.classes_named(text))

    def classes_named(self, text: str) -> list[str]:
        """The drug classes `text` names, longest first, none inside another ("morning after
        pill"), each as the lexicon spells it ("ssri" → "ssris")."""
        words = normalize(text).split()
        found: list[tuple[int, int, str]] = []
        for n in (3, 2, 1):
            for i in range(len(words) - n + 1):
                name = self.class_form(" ".join(words[i : i + n]))
                if name is not None and not any(a < i + n and i < b for a, b, _ in found):
                    found.append((i, i + n, name))
        return [name for _, _, name in sorted(found)]

    def is_class(self, phrase: str) -> bool:
        """Is `phrase`, as a whole, a drug class ("antibiotic", "statins")?"""
        return self.class_form(phrase) is not None

    def class_form(self, phrase: str) -> str | None:
        """The drug class `phrase` names as the lexicon spells it, in the singular or the
        plural whichever it has ("ssri" → "ssris", "statin" → "statins"), else None."""
        p = normalize(phrase)
        if p in stopwords():
            return None  # MeSH has a "MORE" entry: "do water pills make you pee more" names no class
        classes = self._class_set
        if p in classes:
            return p
        for other in (p + "s", p[:-1] if p.endswith("s") and len(p.split()[-1]) > 4 else ""):
            if other in classes:
                return other
        return None

    @cached_property
    def _class_set(self) -> frozenset[str]:
        return frozenset(self.classes)

    # -- saving and loading ------------------------------------------------------------------
    def to_json(self) -> tuple[dict, dict]:
        """(drugs.json, lexicon.json)."""
        # word → medicines it is one word of: built here, at index time (seconds), not on a question
        return ({"version": self.version, "aliases": self.aliases, "medicines": self.medicines,
                 "word_groups": self._word_groups, "by_rest": self._by_rest},
                self.lexicon.to_json())

    @classmethod
    def from_json(cls, data: dict, common_words: frozenset[str] = frozenset(),
                  lexicon: dict | Callable[[], dict] | None = None) -> "DrugTable":
        """`lexicon` is lexicon.json's content, or a function that reads it (called on first
        need); without it, the lexicon part is read from `data` (older single-file tables)."""
        if callable(lexicon):
            part: Lexicon | Callable[[], Lexicon] = lambda: Lexicon.from_json(lexicon())
        else:
            part = Lexicon.from_json(lexicon if lexicon is not None else data)
        table = cls(data["aliases"], data["medicines"], part, common_words, data.get("version", 0))
        if isinstance(data.get("word_groups"), dict):
            table.__dict__["_word_groups"] = data["word_groups"]  # the cached_property, as saved
        if isinstance(data.get("by_rest"), dict):
            table.__dict__["_by_rest"] = data["by_rest"]
        return table

    SAVED_LOOKUPS = ("first_words", "alias_words", "joined_starts", "joined", "word_sets", "by_rest",
                     "word_groups", "base_forms")

    def lookups(self) -> dict[str, object]:
        """The lookups over every alias and medicine that an index saves (name_index.py):
        name → what the attribute `_<name>` holds."""
        return {name: getattr(self, f"_{name}") for name in self.SAVED_LOOKUPS}

    def _saved(self, name: str):
        """The lookup `name` as the index saved it (opened on first need), or None."""
        saved = self.saved_lookups
        return saved.get(name) if saved is not None else None

    # -- reading a text ----------------------------------------------------------------------
    def find(self, text: str) -> list[Mention]:
        """Medicine mentions in `text`, in text order. Passes, each on the words still free:
        corpus names (longest first, also written apart or together), short forms, names only
        the lexicon knows, misspellings, partial names, and invented names."""
        words = normalize(text).split()
        scan = _Scan(words, [False] * len(words))
        self._any_order(scan)  # "levonorgestrel ethinyl estradiol": a combination's words in another order
        self._short_forms(scan)  # first: "abac lamivudine" is abacavir + lamivudine, not lamivudine
        self._match_names(scan, words)
        if any(not used and w not in _plain_words() for w, used in zip(words, scan.used)):
            self._lexicon_names(scan)  # only now may the big lexicon be read
            self._misspellings(scan)
            self._combination_letters(scan)
            self._partial_names(scan)
            self._invented_names(scan)
        scan.mentions.sort(key=lambda m: m.start)
        return scan.mentions

    def _match_names(self, scan: _Scan, words: list[str], how: str = "", score: float = 100.0,
                     only: set[int] | None = None) -> None:
        """Corpus names in `words` (the text's words, or the same with misspellings corrected),
        longest first; a span may also be a name written apart or together. With `only`, just
        the spans that cover one of those positions."""
        first = self._first_words
        starts = [w in first for w in words]
        for n in range(min(self.max_alias_words, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                if (n > 3 and not starts[i]) or not scan.free(i, n):
                    continue  # cheap tests first: most spans start no name
                if only is not None and only.isdisjoint(range(i, i + n)):
                    continue
                named = self._span_name(tuple(words[i : i + n]))
                if named is not None:
                    alias, drugs, found = named
                    self._add(scan, alias, list(drugs), i, n, how or found, score)

    def _span_name(self, span: tuple[str, ...]) -> tuple[str, tuple[str, ...], str] | None:
        """(alias, its medicines, how) when the words of `span` are a corpus name, as written
        or written apart or together; else None. Kept per span: the same words recur from
        question to question ("side effects of", "can i take")."""
        got = self._span_names.get(span, _NOT_READ)
        if got is _NOT_READ:
            if len(self._span_names) >= SPANS_KEPT:
                self._span_names.clear()
            got = self._span_names[span] = self._read_span(span)
        return got

    def _read_span(self, span: tuple[str, ...]) -> tuple[str, tuple[str, ...], str] | None:
        n, phrase = len(span), " ".join(span)
        alias, found = phrase, "exact"
        drugs = self.aliases.get(phrase) if span[0] in self._first_words and len(phrase) >= 3 else None
        if not drugs and n <= 3:
            alias = self._joined_alias(list(span))
            drugs, found = (self.aliases[alias], "joined") if alias else (None, "")
        if not drugs:
            return None
        if found == "exact":
            found = "exact" if normalize(drugs[0]) == phrase else "alias"
            if phrase in NOT_MEDICINE_WORDS:
                found = "weak"  # "alcohol", "zinc": a medicine only if nothing else is named
        return alias, tuple(drugs), found

    def _add(self, scan: _Scan, alias: str, drugs: list[str], i: int, n: int, how: str, score: float = 100.0) -> None:
        """Mentions of the medicines an alias names: one per distinct medicine, the plain page
        first, its salt and route variants as alternatives, or the variant a route word in the
        text asks for ("diclofenac gel" → Diclofenac (Topical))."""
        routes = {r for r, forms in ROUTE_WORDS.items() if not forms.isdisjoint(scan.words)}
        text = " ".join(scan.words[i : i + n])
        seen: set[str] = set()
        plainest = preferred(alias, drugs)
        for drug in plainest:
            key = variant_key(drug)
            if key in seen:
                continue
            seen.add(key)
            pages = sorted((d for d in drugs if variant_key(d) == key), key=lambda d: (d not in plainest, _variant_order(d)))
            asked = [d for d in pages if route_of(d) in routes]
            first = asked[0] if asked else pages[0]
            rest = tuple(d for d in pages if d != first)
            scan.mentions.append(Mention(first, text, i, i + n, how, score, alternatives=rest))
        scan.take(i, n)

    def _joined_alias(self, span: list[str]) -> str | None:
        """The alias that `span` spells with other spaces ("hydrochloro thiazide",
        "coamoxiclav"), or None. Ordinary words are never joined into a name."""
        joined = "".join(span)
        if len(joined) < 6 or joined[:4] not in self._joined_starts or (len(span) > 1 and any(w in _plain_words() for w in span)):
            return None
        if len(span) > 1 and joined in self.aliases:
            return joined
        if len(span) == 1 and joined in self.common_words:
            return None  # an ordinary word ("retina") is not a name written together ("retin a")
        return self._joined.get(joined)

    @cached_property
    def _joined(self) -> Mapping[str, str]:
        """Multiword alias without its spaces → the alias (the last in sorted order, when two
        differ only in spaces: an index's alias table iterates sorted, a table built in memory
        in the order it was made)."""
        saved = self._saved("joined")
        if saved is not None:
            return saved
        return {a.replace(" ", ""): a for a in sorted(self.aliases) if " " in a}

    @cached_property
    def _first_words(self) -> AbstractSet[str]:
        saved = self._saved("first_words")
        if saved is not None:
            return saved
        return frozenset(a.split(" ", 1)[0] for a in self.aliases)

    @cached_property
    def _joined_starts(self) -> AbstractSet[str]:
        """First four letters of every alias without its spaces (most spans start no name)."""
        saved = self._saved("joined_starts")
        if saved is not None:
            return saved
        return frozenset(a.replace(" ", "")[:4] for a in self.aliases)

    @cached_property
    def max_alias_words(self) -> int:
        return min(6, max((len(a.split()) for a in self.aliases), default=1))

    # -- names in another word order ---------------------------------------------------------------
    def _any_order(self, scan: _Scan) -> None:
        """The words of a combination's name in another order ("levonorgestrel ethinyl
        estradiol" is Ethinyl Estradiol + Levonorgestrel), or of any name of three or four
        words; the longest span first. The name as written is left to the exact pass."""
        words = scan.words
        in_names = [w in self._alias_words for w in words]  # a span of other words is no name's
        for n in range(min(4, len(words)), 1, -1):
            for i in range(len(words) - n + 1):
                if not all(in_names[i : i + n]):
                    continue
                span = words[i : i + n]
                if not scan.free(i, n) or " ".join(span) in self.aliases or len(set(span)) < n:
                    continue
                alias = self._word_sets.get(" ".join(sorted(span)))
                if alias and (n > 2 or any(" + " in d for d in self.aliases[alias])):
                    self._add(scan, alias, self.aliases[alias], i, n, "joined")

    @cached_property
    def _word_sets(self) -> Mapping[str, str]:
        """The words of each 2–4 word alias (distinct words), sorted and joined → the alias
        (when only one has them): its words in any order."""
        saved = self._saved("word_sets")
        if saved is not None:
            return saved
        out: dict[str, str | None] = {}
        for a in self.aliases:
            ws = a.split()
            if 2 <= len(ws) <= 4 and len(set(ws)) == len(ws):
                key = " ".join(sorted(ws))
                out[key] = a if key not in out or out[key] == a else None
        return {k: a for k, a in out.items() if a}

    # -- letters of a combination's ingredients ---------------------------------------------------
    def _combination_letters(self, scan: _Scan) -> None:
        """Two short words, each letters of one ingredient of the same two-ingredient
        combination, in order and from its first letter ("smx tmp": SulfaMethoXazole +
        TriMethoPrim), when only that combination's ingredients spell them."""
        from .understand import is_english

        free = dict(scan.free_words())
        for i in range(len(scan.words) - 1):
            pair = (free.get(i), free.get(i + 1))
            if not all(w and 2 <= len(w) <= 4 and _ALPHA.match(w) and w not in _plain_words() and w not in self.aliases
                       and not is_english(w) for w in pair):
                continue
            found = {}
            for med, (a, b) in self._two_ingredients.items():
                if (_spells(pair[0], a) and _spells(pair[1], b)) or (_spells(pair[0], b) and _spells(pair[1], a)):
                    found.setdefault(frozenset((a, b)), med)
            if len(found) == 1:
                med = next(iter(found.values()))
                self._add(scan, normalize(med), [med], i, 2, "short")

    @cached_property
    def _two_ingredients(self) -> dict[str, tuple[str, str]]:
        """Two-ingredient combinations → their ingredients without salts, squashed."""
        out = {}
        for m in self.medicines:
            parts = m.split(" + ")
            if len(parts) == 2:
                a, b = ("".join(variant_key(p).split()) for p in parts)
                if a and b and a != b:
                    out[m] = (a, b)
        return out

    # -- short forms ---------------------------------------------------------------------------
    def _short_forms(self, scan: _Scan) -> None:
        """Abbreviations: the hand list, element symbols in salts ("k chloride"), and a word
        that begins one word of a two- or three-word name whose other words are given
        ("pot chloride" → potassium chloride, "vit d" → vitamin d)."""
        words = scan.words
        for i, w in enumerate(words):
            alias = SHORT_FORMS.get(w)
            if scan.free(i, 1) and alias in self.aliases and w not in self.aliases:
                self._add(scan, alias, self.aliases[alias], i, 1, "short")
        in_names = [w in self._alias_words for w in words]
        for n in (3, 2):
            for i in range(len(words) - n + 1):
                # every word of the span but the shortened one is a word of some name
                if in_names[i : i + n].count(False) > 1 or not scan.free(i, n):
                    continue
                span = words[i : i + n]
                if " ".join(span) in self.aliases:
                    continue  # the name as it is
                for j in range(n):
                    if all(in_names[i + k] for k in range(n) if k != j):
                        alias = self._expand(span, j)
                        if alias:
                            self._add(scan, alias, self.aliases[alias], i, n, "short")
                            break
        for i, w in enumerate(words):  # last: "coen b12" is coenzyme b12, above
            alias = f"vitamin {w}"  # vitamins go by their letter: "b12 shots", "d3 daily"
            if _VITAMIN_CODE.match(w) and alias in self.aliases and scan.free(i, 1) and (i == 0 or words[i - 1] not in ("vitamin", "vit")):
                self._add(scan, alias, self.aliases[alias], i, 1, "short")

    def _expand(self, span: list[str], j: int) -> str | None:
        """The one alias that `span` names with its word `j` shortened, or None (kept per span)."""
        key = (tuple(span), j)
        got = self._expanded.get(key, _NOT_READ)
        if got is _NOT_READ:
            if len(self._expanded) >= SPANS_KEPT:
                self._expanded.clear()
            got = self._expanded[key] = self._read_expanded(span, j)
        return got

    def _read_expanded(self, span: list[str], j: int) -> str | None:
        w = span[j]
        rest = tuple(span[:j] + span[j + 1 :])
        if w in ELEMENT_SYMBOLS:
            alias = " ".join(span[:j] + [ELEMENT_SYMBOLS[w]] + span[j + 1 :])
            return alias if alias in self.aliases else None
        if len(w) < 3 or w in _plain_words():
            return None
        full = {alias for alias in self._by_rest.get(_rest_key(len(span), j, rest), ())
                if (word := alias.split()[j]).startswith(w) and word != w}
        return full.pop() if len(full) == 1 else None

    @cached_property
    def _alias_words(self) -> AbstractSet[str]:
        saved = self._saved("alias_words")
        if saved is not None:
            return saved
        return frozenset(w for a in self.aliases for w in a.split())

    @cached_property
    def _by_rest(self) -> Mapping[str, list[str]]:
        """`_rest_key` (words, position, the other words) → the 2–3 word aliases with those
        other words around that position."""
        saved = self._saved("by_rest")
        if saved is not None:
            return saved
        out: dict[str, list[str]] = {}
        for a in self.aliases:
            ws = a.split()
            if 2 <= len(ws) <= 3:
                for j in range(len(ws)):
                    out.setdefault(_rest_key(len(ws), j, ws[:j] + ws[j + 1 :]), []).append(a)
        return out

    # -- names the corpus lacks ----------------------------------------------------------------
    def _lexicon_names(self, scan: _Scan) -> None:
        """Names only the lexicon knows ("zoloft" in a corpus without sertraline), longest first."""
        words, other, first = scan.words, self.other_names, self._other_first_words
        for n in range(min(6, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                span = words[i : i + n]
                if words[i] not in first or not scan.free(i, n) or all(w in _plain_words() for w in span):
                    continue
                phrase = " ".join(span)
                name = other.get(phrase) if len(phrase) >= 3 else None
                if name and phrase not in NOT_MEDICINE_WORDS:
                    scan.mentions.append(Mention("", phrase, i, i + n, "lexicon", unknown_name=name))
                    scan.take(i, n)

    # -- misspellings ----------------------------------------------------------------------------
    def _misspellings(self, scan: _Scan) -> None:
        """Words in no vocabulary, corrected to the one nearest word of a corpus name when it is
        clearly nearer than any other name word and than any ordinary word; then the corrected
        words are read as names again (so typos inside combination names count too). Words
        left over may be misspelt names only the lexicon knows (one edit, long words only)."""
        fixed = list(scan.words)
        corrected: dict[int, float] = {}
        for i, w in scan.free_words():
            if not self._may_be_misspelt(w):
                continue
            best = self._nearest_name_word(w)
            # an ordinary word as near by how people mistype wins ("pregnent"); one that is only
            # as many edits away but by unlikely slips does not ("augmenten": augmentin, not augmented)
            if best and not any(typo_cost(w, o) <= typo_cost(w, best[0])
                                for o, _ in _nearest(w, self._ordinary_by_len, best[1])):
                fixed[i] = best[0]
                corrected[i] = 100.0 * (1 - best[1] / max(len(w), len(best[0])))
        if corrected:
            self._match_names(scan, fixed, "fuzzy", min(corrected.values()), only=set(corrected))
        for i, w in scan.free_words():
            if len(w) < 7 or not self._may_be_misspelt(w):
                continue
            best = _nearest_unique(w, self._other_words_by_len, 1)
            if best and not _nearest(w, self._ordinary_by_len, 1):
                name = self.other_names[best[0]]
                scan.mentions.append(Mention("", w, i, i + 1, "fuzzy", 100.0 * (1 - 1 / len(w)), unknown_name=name))
                scan.take(i, 1)

    def _nearest_name_word(self, w: str) -> tuple[str, int] | None:
        """The nearest word of a corpus name by `typo_cost`, when every word as near means
        the same medicine ("melatonin", "melatonina"): a neighbouring name as near means the
        typo is unclear ("lantis": lantus or lanvis?). Returns (word, edits)."""
        budget = _typo_budget(w)
        got = [(typo_cost(w, c), c, d) for c, d in _nearest(w, self._name_words_by_len, _max_edits(w))]
        got = sorted(g for g in got if g[0] <= budget)
        if not got:
            return None
        best_cost = got[0][0]
        nearest = [g for g in got if g[0] == best_cost]
        meanings = [self._meaning(c) for _, c, _ in nearest]
        # the same medicine, or duplicate pages of it ("amoxicillin" / "amoxicilina" → Amoxicillin,
        # Amoxycillin): a shared medicine; else unclear
        if any(isinstance(m, str) for m in meanings) and len(set(meanings)) > 1:
            return None
        if all(isinstance(m, frozenset) for m in meanings) and not frozenset.intersection(*meanings):
            return None
        # the medicine's own name first among equally near words
        _, word, edits = min(nearest, key=lambda g: (g[1] not in self.aliases, g[1]))
        return word, edits

    def _meaning(self, word: str):
        """What a name word stands for: the medicines it names alone, else the word itself."""
        drugs = self.aliases.get(word)
        return frozenset(variant_key(d) for d in preferred(word, drugs)) if drugs else word

    def _may_be_misspelt(self, w: str) -> bool:
        """Out of every vocabulary: not an ordinary word (of the corpus, the questions or
        English: "told" is no misspelt "tolid"), not a name the lexicon knows."""
        from .understand import is_english

        return (len(w) >= 4 and _ALPHA.match(w) is not None and w not in self.common_words
                and w not in NOT_MEDICINE_WORDS and w not in _plain_words() and w not in self._lexicon_words
                and not is_english(w))

    @cached_property
    def _name_words_by_len(self) -> dict[tuple[int, str], list[str]]:
        return _by_length(w for w in self._alias_words if len(w) >= 4 and _ALPHA.match(w))

    @cached_property
    def _ordinary_by_len(self) -> dict[tuple[int, str], list[str]]:
        """The corpus's and questions' words that are in no medicine's name."""
        names = self._alias_words | self._lexicon_words
        return _by_length(w for w in self.common_words | _plain_words() if w not in names and _ALPHA.match(w))

    @cached_property
    def _other_first_words(self) -> frozenset[str]:
        return frozenset(a.split(" ", 1)[0] for a in self.other_names)

    @cached_property
    def _other_words_by_len(self) -> dict[tuple[int, str], list[str]]:
        return _by_length(a for a in self.other_names if " " not in a and len(a) >= 5)

    @cached_property
    def _lexicon_words(self) -> frozenset[str]:
        return frozenset(w for a in list(self.other_names) + list(self.classes) for w in a.split())

    # -- partial names -----------------------------------------------------------------------------
    def _partial_names(self, scan: _Scan) -> None:
        """A word that is one word of one medicine's name ("glargine" → Insulin Glargine),
        when it looks like a medicine's word (not "evening" of Evening Primrose Oil). Shared by
        two or three medicines ("peroxide"), it names them all as alternatives; by more
        ("acid", "sodium"), none."""
        for i, w in scan.free_words():
            groups = self._word_groups.get(w)
            if not groups or len(groups) > 3 or len(w) < 5 or w in _plain_words() or w in NOT_MEDICINE_WORDS:
                continue
            if not namelike.looks_like_a_name(self.lexicon.namelike, w):
                continue
            if len(groups) == 1:
                drug, *variants = groups[0]
                scan.mentions.append(Mention(drug, w, i, i + 1, "partial", alternatives=tuple(variants)))
            else:
                scan.mentions.append(Mention("", w, i, i + 1, "ambiguous", alternatives=tuple(g[0] for g in groups)))
            scan.take(i, 1)

    @cached_property
    def _word_groups(self) -> Mapping[str, list[list[str]]]:
        """Word → the medicines it is one word of, grouped by name without route or salt
        (plainest first): words of single-ingredient medicines' names, and words of multiword
        brand aliases that are no ordinary word ("yasmin" of "yasmin 28")."""
        saved = self._saved("word_groups")
        if saved is not None:
            return saved
        groups: dict[str, dict[str, set[str]]] = {}

        def add(word: str, meds: Iterable[str]) -> None:
            if len(word) >= 4 and word not in SALT_WORDS and _ALPHA.match(word) and word not in self.aliases:
                for m in meds:
                    groups.setdefault(word, {}).setdefault(variant_key(m), set()).add(m)

        for m in self.medicines:
            if "+" not in m:
                for w in variant_key(m).split():
                    add(w, [m])
        for alias, meds in self.aliases.items():
            if " " in alias:
                plainest = None  # worked out once per alias, when one of its words needs it
                for w in alias.split():
                    if w not in self.common_words:
                        plainest = plainest or preferred(alias, meds)
                        add(w, plainest)
        return {w: [sorted(ms, key=_variant_order) for _, ms in sorted(g.items())] for w, g in groups.items()}

    # -- variant pages -----------------------------------------------------------------------------
    def pages_with_base_form(self, form: str) -> list[str]:
        """The single medicines (no combinations) that have `form` among their `base_forms`,
        in table order: a medicine's pages by another route, salt or form."""
        return self._base_forms.get(form, [])

    @cached_property
    def _base_forms(self) -> Mapping[str, list[str]]:
        saved = self._saved("base_forms")
        if saved is not None:
            return saved
        by_form: dict[str, list[str]] = {}
        for m in self.medicines:
            if " + " not in m:
                for form in base_forms(m):
                    by_form.setdefault(form, []).append(m)
        return by_form

    # -- invented names ------------------------------------------------------------------------------
    def _invented_names(self, scan: _Scan) -> None:
        """A word in no vocabulary, no misspelling of an ordinary word or of a name, that looks
        like a medicine's name ("veltrazine"): named back as unknown."""
        for i, w in scan.free_words():
            if len(w) < 5 or not self._may_be_misspelt(w) or not namelike.looks_like_a_name(self.lexicon.namelike, w):
                continue
            edits = _max_edits(w)
            if _nearest(w, self._ordinary_by_len, edits) or _nearest(w, self._name_words_by_len, min(edits, 2)):
                continue  # a typo ("pregnent"), or a misspelt name too unclear to correct
            if self._splits_into_words(w):
                continue  # "sideefects": two words run together
            scan.mentions.append(Mention("", w, i, i + 1, "invented", 0.0, unknown_name=w))
            scan.take(i, 1)

    def _splits_into_words(self, w: str) -> bool:
        """Is `w` two ordinary words run together, the second maybe with one typo?"""
        ordinary = self.common_words
        for k in range(2, len(w) - 2):
            left, right = w[:k], w[k:]
            if left in ordinary and (right in ordinary or _nearest(right, self._ordinary_by_len, 1)):
                return True
        return False

    # -- suggestions ---------------------------------------------------------------------------------
    def closest(self, name: str, limit: int = 3) -> list[str]:
        """Indexed medicine names that look like `name` (for "did you mean"): similar as whole
        names, so an invented name gets no unrelated suggestions."""
        from rapidfuzz import fuzz, process

        typed = normalize(name)
        got = [m for _, _, m in process.extract(typed, {m: normalize(m) for m in self.medicines}, scorer=fuzz.ratio,
                                                 limit=limit, score_cutoff=75)]
        # and the pages whose name has every word of it ("fish oil": "Fish oil triglycerides"),
        # shortest first: the name the lexicon knows may be a page's name in part
        words = set(typed.split())
        if len(got) < limit and (len(words) > 1 or len(typed) >= 5):
            having = sorted((m for m in self.medicines if words <= set(normalize(m).split()) and m not in got),
                            key=lambda m: (len(m), m))
            got += having[: limit - len(got)]
        return got


def _rest_key(n: int, j: int, rest) -> str:
    """`_by_rest`'s key: an alias of `n` words whose word `j` is left out, the others `rest`."""
    return f"{n} {j} {' '.join(rest)}"


def _spells(short: str, name: str) -> bool:
    """Are `short`'s letters in `name`, in order, the first one its first ("smx": sulfamethoxazole)?"""
    if not name.startswith(short[0]):
        return False
    it = iter(name[1:])
    return all(c in it for c in short[1:])


def _max_edits(word: str) -> int:
    """Edits a misspelling may have: one in short words, two, three in long ones (≥ 10)."""
    return 1 if len(word) <= 5 else 2 if len(word) < 10 else 3


def _typo_budget(word: str) -> float:
    """The `typo_cost` a misspelling may have: a short word allows one real letter change at
    most ("brutal" is not a misspelt "blutal"), long ones up to four cheap slips."""
    return 1.0 if len(word) <= 6 else 1.5 if len(word) < 10 else 2.0


_KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEAR_KEYS = {frozenset((row[k], row[k + 1])) for row in _KEY_ROWS for k in range(len(row) - 1)}
_VOWELS = frozenset("aeiouy")


def _cheap_swap(a: str, b: str) -> bool:
    """Letters people mistype for each other: vowels, neighbouring keys, the same sound."""
    return ((a in _VOWELS and b in _VOWELS) or frozenset((a, b)) in _NEAR_KEYS
            or any(a in s and b in s for s in _SAME_SOUND))


def typo_cost(typed: str, name: str) -> float:
    """Edit distance weighted by how people misspell: a vowel for a vowel, a neighbouring
    key, a doubled or dropped double letter, two letters swapped cost ½; any other letter
    change 1½ (insertions and deletions 1)."""
    n, m = len(typed), len(name)
    d = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        d[i][0] = float(i)
    for j in range(1, m + 1):
        d[0][j] = float(j)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            a, b = typed[i - 1], name[j - 1]
            sub = 0.0 if a == b else 0.5 if _cheap_swap(a, b) else 1.5
            # an extra letter is cheap when it doubles a neighbour or is a vowel
            extra = 0.5 if a in _VOWELS or (i > 1 and typed[i - 2] == a) or (i < n and typed[i] == a) else 1.0
            missing = 0.5 if b in _VOWELS or (j > 1 and name[j - 2] == b) or (j < m and name[j] == b) else 1.0
            d[i][j] = min(d[i - 1][j - 1] + sub, d[i - 1][j] + extra, d[i][j - 1] + missing)
            if i > 1 and j > 1 and a == name[j - 2] and typed[i - 2] == b:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 0.5)
    return d[n][m]


def _by_length(words: Iterable[str]) -> dict[tuple[int, str], list[str]]:
    """Words by (length, first letter): a misspelling is looked for only among words of about
    its length that start with the same sound."""
    out: dict[tuple[int, str], list[str]] = {}
    for w in sorted(set(words)):
        out.setdefault((len(w), w[0]), []).append(w)
    return out


def _starts(letter: str) -> set[str]:
    return {letter}.union(*(s for s in _SAME_SOUND if letter in s))


def _nearest(word: str, by_len: dict[tuple[int, str], list[str]], max_edits: int) -> list[tuple[str, int]]:
    """Words within `max_edits` (a swap of two letters is one edit) that start with the same
    sound, nearest first."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    out = []
    for n in range(len(word) - max_edits, len(word) + max_edits + 1):
        for first in _starts(word[0]):
            choices = by_len.get((n, first))
            if choices:
                out += [(c, int(d)) for c, d, _ in process.extract(word, choices, scorer=OSA.distance,
                                                                  score_cutoff=max_edits, limit=None)]
    return sorted(out, key=lambda cd: (cd[1], cd[0]))


def _nearest_unique(word: str, by_len: dict[tuple[int, str], list[str]], max_edits: int) -> tuple[str, int] | None:
    """The nearest word, if no other is as near."""
    got = _nearest(word, by_len, max_edits)
    if not got or (len(got) > 1 and got[1][1] == got[0][1]):
        return None
    return got[0]

