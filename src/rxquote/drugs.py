"""Medicine names: the alias table (built at index time) and resolution (at query time).

The table maps normalised names — the corpus's own titles and ingredients, their forms
without salt or route words, and the brand names and synonyms that the
drug-named-entity-recognition lexicon links to them — to the corpus's medicine names.
Names the lexicon knows but the corpus lacks are kept too, to say "unknown medicine".
Misspellings are resolved with rapidfuzz against the same table.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Callable
from functools import cached_property, lru_cache
from pathlib import Path

# Salt, form and route words that people leave out ("metoprolol succinate" → "metoprolol").
SALT_WORDS = frozenset(
    """hydrochloride hcl hydrobromide sodium potassium calcium magnesium succinate tartrate maleate
    sulfate sulphate phosphate acetate citrate besylate besilate mesylate mesilate fumarate
    bromide chloride dihydrate monohydrate trihydrate anhydrous disodium dipropionate propionate
    valerate butyrate furoate hyclate lactate gluconate carbonate oxide nitrate bitartrate
    decanoate enanthate palmitate pamoate embonate tromethamine meglumine systemic oral topical
    ophthalmic otic nasal inhalation injection injectable tablets tablet capsules capsule cream
    ointment gel solution suspension syrup drops spray patch extended release er xr sr cr la
    vaginal rectal transdermal intravenous iv im subcutaneous chewable dispersible""".split()
)

# Lexicon entries that are everyday words: never treated as a medicine mention.
NOT_MEDICINE_WORDS = frozenset(
    """alcohol water oxygen caffeine sugar salt iron zinc calcium sodium potassium magnesium air
    food milk coffee tea juice grapefruit wine beer tobacco nicotine sleep pain sun light heat
    cold fever cough stress tablet tablets pill pills capsule dose doses medicine medication drug
    drugs vitamin vitamins oil honey fish garlic ginger mint charcoal acid base protein fiber fibre
    today weather can may will said does done care plan""".split()
)


TABLE_VERSION = 6  # bump when the way aliases are derived changes (an index reuses tables by it)


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize(name: str) -> str:
    return _NON_ALNUM.sub(" ", name.lower()).strip()


def base_forms(name: str) -> set[str]:
    """A name and its forms without parentheses or salt/route words."""
    n = normalize(name)
    forms = {n}
    no_paren = normalize(re.sub(r"\([^)]*\)", " ", name))
    forms.add(no_paren)
    if "/" in name:  # "Levothyroxine/ T4": each name on its own
        forms.update(normalize(part) for part in name.split("/"))
    for f in list(forms):
        words = [w for w in f.split() if w not in SALT_WORDS]
        if words:
            forms.add(" ".join(words))
    return {f for f in forms if f}


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


@dataclass
class Mention:
    drug: str  # corpus medicine name ("" for a lexicon-only name)
    text: str  # the words of the question that named it
    start: int  # word position
    end: int
    how: str  # "exact", "alias", "fuzzy"
    score: float = 100.0
    unknown_name: str = ""  # the lexicon name, for medicines the corpus lacks


class DrugTable:
    """Plain-data alias table, saved in the index as JSON.

    The lexicon-only names (~95,000 medicines the corpus lacks, and drug classes) are needed
    only when a question has a word that is neither a corpus medicine nor an ordinary word,
    so an index may hand them over as a loader that is called on first use.
    """

    def __init__(self, aliases: dict[str, list[str]], medicines: list[str], other_names: dict[str, str] | None = None,
                 common_words: frozenset[str] = frozenset(), classes: list[str] | None = None,
                 version: int = TABLE_VERSION, lexicon_loader: Callable[[], tuple[dict, list]] | None = None):
        self.aliases = aliases  # normalised alias → corpus medicine names
        self.medicines = medicines  # corpus medicine names (ingredients and page titles)
        self.common_words = common_words  # words never taken for a (misspelt) medicine
        self.version = version
        self._other = other_names if other_names is not None or lexicon_loader else {}
        self._classes = classes if classes is not None or lexicon_loader else []
        self._loader = lexicon_loader

    def _load_lexicon(self) -> None:
        other, classes = self._loader() if self._loader else ({}, [])
        self._other = other if self._other is None else self._other
        self._classes = classes if self._classes is None else self._classes
        self._loader = None

    @property
    def other_names(self) -> dict[str, str]:
        """Lexicon name → display name, for medicines the corpus lacks."""
        if self._other is None:
            self._load_lexicon()
        return self._other

    @property
    def classes(self) -> list[str]:
        """Drug classes ("benzodiazepines", "statins"): not medicines, but medical topics."""
        if self._classes is None:
            self._load_lexicon()
        return self._classes

    def names_class(self, text: str) -> bool:
        """Does `text` name a drug class (a MeSH-only lexicon entry such as "statins")?"""
        words = normalize(text).split()
        classes = self._class_set
        return any(" ".join(words[i : i + n]) in classes for n in (1, 2, 3) for i in range(len(words) - n + 1))

    @cached_property
    def _class_set(self) -> frozenset[str]:
        return frozenset(self.classes)

    def to_json(self) -> tuple[dict, dict]:
        """(drugs.json, lexicon.json). The lexicon-only names are ~95,000 strings: parallel
        lists and one joined string parse several times faster than a JSON object."""
        return (
            {"version": self.version, "aliases": self.aliases, "medicines": self.medicines},
            {"other_names": [list(self.other_names), list(self.other_names.values())], "classes": "\n".join(self.classes)},
        )

    @classmethod
    def from_json(cls, data: dict, common_words: frozenset[str] = frozenset(),
                  lexicon: dict | Callable[[], dict] | None = None) -> "DrugTable":
        def parse(lex: dict) -> tuple[dict, list]:
            other = lex.get("other_names") or [[], []]
            other = dict(zip(other[0], other[1])) if isinstance(other, list) else dict(other)
            classes = lex.get("classes") or ""
            classes = classes.split("\n") if isinstance(classes, str) and classes else list(classes or [])
            return other, classes

        if callable(lexicon):
            return cls(data["aliases"], data["medicines"], None, common_words, None, data.get("version", 0),
                       lexicon_loader=lambda: parse(lexicon()))
        other, classes = parse(lexicon if lexicon is not None else data)
        return cls(data["aliases"], data["medicines"], other, common_words, classes, data.get("version", 0))

    @cached_property
    def max_alias_words(self) -> int:
        return max((len(a.split()) for a in self.aliases), default=1)

    @cached_property
    def _single_word_aliases(self) -> list[str]:
        return sorted({a for a in self.aliases if " " not in a and len(a) >= 4})

    @cached_property
    def _other_single(self) -> list[str]:
        return sorted({a for a in self.other_names if " " not in a and len(a) >= 5})

    def find(self, text: str) -> list[Mention]:
        """Medicine mentions in `text`, longest match first, then fuzzy for unknown words."""
        words = normalize(text).split()
        mentions: list[Mention] = []
        used = [False] * len(words)
        # corpus names first (longest first), then, in what is left, names the corpus lacks
        for n in range(min(self.max_alias_words, 6, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                if any(used[i : i + n]):
                    continue
                phrase = " ".join(words[i : i + n])
                drugs = self.aliases.get(phrase) if len(phrase) >= 3 else None
                if drugs:
                    how = "exact" if normalize(drugs[0]) == phrase else "alias"
                    drugs = preferred(phrase, drugs)
                    if phrase in NOT_MEDICINE_WORDS:
                        how = "weak"  # "alcohol", "zinc": a medicine only if nothing else is named
                    for d in drugs:
                        mentions.append(Mention(d, phrase, i, i + n, how))
                    used[i : i + n] = [True] * n
        for n in range(min(6, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                span = words[i : i + n]
                if any(used[i : i + n]) or all(w in _plain_words() for w in span):
                    continue  # everyday words only: no need to open the big lexicon
                phrase = " ".join(span)
                other = self.other_names.get(phrase) if len(phrase) >= 3 else None
                if other and phrase not in NOT_MEDICINE_WORDS:
                    mentions.append(Mention("", phrase, i, i + n, "lexicon", unknown_name=other))
                    used[i : i + n] = [True] * n
        # misspellings: only words that are not ordinary words of the corpus or questions
        for i, w in enumerate(words):
            if used[i] or len(w) < 5 or w in self.common_words or w in NOT_MEDICINE_WORDS or w.isdigit():
                continue
            hit = _fuzzy(w, self._single_word_aliases)
            if hit:
                alias, score = hit
                for d in preferred(alias, self.aliases[alias]):
                    mentions.append(Mention(d, w, i, i + 1, "fuzzy", score))
                used[i] = True
                continue
            hit = _fuzzy(w, self._other_single, strict=True)
            if hit:
                mentions.append(Mention("", w, i, i + 1, "fuzzy", hit[1], unknown_name=self.other_names[hit[0]]))
                used[i] = True
        mentions.sort(key=lambda m: m.start)
        return mentions

    def closest(self, name: str, limit: int = 3) -> list[str]:
        """Indexed medicine names closest to `name` (for "did you mean")."""
        from rapidfuzz import fuzz, process

        got = process.extract(normalize(name), {m: normalize(m) for m in self.medicines}, scorer=fuzz.WRatio, limit=limit)
        return [m for _, score, m in got if score >= 60]


def _fuzzy(word: str, choices: list[str], strict: bool = False) -> tuple[str, float] | None:
    """The closest name within a small edit distance (a typo: one edit for short words,
    two for long ones; a swap of two letters counts as one), or None.

    `strict` (for the lexicon's names that are not in the corpus, where a false match would
    wrongly say "unknown medicine") allows one edit, and only in long words."""
    if not choices:
        return None
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    if strict:
        max_edits = 1 if len(word) >= 7 else 0
    else:
        max_edits = 1 if len(word) < 8 else 2
    if max_edits == 0:
        return None
    for hit in process.extract(word, choices, scorer=OSA.distance, score_cutoff=max_edits, limit=5):
        # typos rarely hit the first letters: "synthroid" is not a misspelt "sinthrome"
        if word[: hit[1]] == hit[0][: hit[1]]:
            return hit[0], 100.0 * (1 - hit[1] / max(len(word), len(hit[0])))
    return None


# -- building the table (index time) ---------------------------------------------------------


def _word_key(name: str) -> frozenset:
    """A name's words without "and"/"with" and salt or form words, in any order."""
    return frozenset(w for w in normalize(name).split() if w not in SALT_WORDS and w not in ("and", "with", "plus"))


def build_table(medicines: list[str], use_lexicon: bool = True, progress=None) -> DrugTable:
    """Alias table for the corpus's medicine names, enriched from the drug lexicon."""
    aliases: dict[str, set[str]] = {}

    def add(alias: str, med: str) -> None:
        alias = normalize(alias)
        if alias and len(alias) >= 3 and (alias not in NOT_MEDICINE_WORDS or alias == normalize(med)):
            aliases.setdefault(alias, set()).add(med)

    for med in medicines:
        for form in base_forms(med):
            add(form, med)
    other: dict[str, str] = {}
    classes: set[str] = set()
    if use_lexicon:
        lex = load_lexicon()
        if lex is not None:
            variant_to_canonical, canonical_synonyms, canonical_name, specific_canon = lex
            # link each corpus medicine to lexicon entries: by a variant name, by the entry's own
            # name, or — for combinations — by the same set of words ("Amoxicillin + Clavulanic
            # acid" is "amoxicillin and clavulanic acid")
            by_words: dict[frozenset, set[str]] = {}
            for c in canonical_synonyms:
                by_words.setdefault(_word_key(c), set()).add(c)
            for v, cs in variant_to_canonical.items():
                if " " in v:
                    by_words.setdefault(_word_key(v), set()).update(cs)
            canon_to_meds: dict[str, set[str]] = {}
            for med in medicines:
                for form in base_forms(med) | {normalize(med)}:
                    linked = set(variant_to_canonical.get(form, ()))
                    if form in canonical_synonyms:
                        linked.add(form)
                    key = _word_key(form)
                    if len(key) > 1:
                        linked |= by_words.get(key, set())
                    for c in linked:
                        canon_to_meds.setdefault(c, set()).add(med)
            for c, meds in canon_to_meds.items():
                for syn in canonical_synonyms.get(c, ()):
                    for med in meds:
                        add(syn, med)
            for variant, canons in variant_to_canonical.items():
                v = normalize(variant)
                if v in aliases or v in NOT_MEDICINE_WORDS or len(v) < 4:
                    continue
                if any(c in canon_to_meds for c in canons):
                    for c in canons:
                        for med in canon_to_meds.get(c, ()):
                            add(v, med)
                    continue
                specific = [c for c in canons if c in specific_canon]
                if specific:  # drug classes ("benzodiazepines", "statins") stay ordinary words
                    other[v] = canonical_name.get(specific[0], variant)
                elif v not in NOT_MEDICINE_WORDS:
                    classes.add(v)
    # an alias that names a medicine exactly wins over lexicon links ("ibuprofen" page vs combos)
    table = {a: sorted(meds, key=lambda m: (normalize(m) != a, len(m), m)) for a, meds in aliases.items()}
    return DrugTable(table, sorted(set(medicines)), other, classes=sorted(classes))


def _lexicon_cache_path() -> Path | None:
    try:
        from importlib.metadata import version

        ver = version("drug-named-entity-recognition")
    except Exception:
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "rxquote" / f"lexicon-{ver}-v{TABLE_VERSION}.json"


def load_lexicon():
    """(variant → canonicals, canonical → synonyms, canonical → display name, specific medicines).

    Importing the lexicon package takes seconds (it unpickles its own bundled dictionary), so
    the few fields used here are kept as plain JSON in the user's cache, per package version.
    """
    cache = _lexicon_cache_path()
    if cache is not None:
        try:
            data = json.loads(cache.read_text(encoding="utf-8"))
            return data["v2c"], data["syn"], data["name"], set(data["specific"])
        except (OSError, ValueError, KeyError):
            pass
    try:
        from drug_named_entity_recognition import drugs_finder as f  # slow: ~2 s, index time only
    except Exception:  # pragma: no cover - the lexicon is optional at run time
        return None
    v2c = {normalize(k): list(v) for k, v in f.drug_variant_to_canonical.items()}
    syn = {c: list(d.get("synonyms", [])) + [c] for c, d in f.drug_canonical_to_data.items()}
    name = {c: d.get("name", c) for c, d in f.drug_canonical_to_data.items()}
    # a specific medicine has a DrugBank, MedlinePlus or NHS entry; MeSH-only entries are classes
    specific = {c for c, d in f.drug_canonical_to_data.items() if d.get("drugbank_id") or d.get("medline_plus_id") or d.get("nhs_url")}
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"v2c": v2c, "syn": syn, "name": name, "specific": sorted(specific)}), encoding="utf-8")
            os.replace(tmp, cache)  # atomic: concurrent builds never read half a file
        except OSError:
            pass  # a read-only home only costs time
    return v2c, syn, name, specific
