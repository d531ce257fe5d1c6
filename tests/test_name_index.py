"""The name table's lookups saved at index time (name_index.py): an opened table reads the
same lookups, and finds the same medicines, as the table built in memory."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rxquote.drugs import DrugTable
from rxquote.drugs_build import build_table
from rxquote.layout import open_drug_table, save_drug_table
from rxquote.name_index import PACK, NameIndex, SavedMap, SavedSet

from .test_drugs import COMMON, MEDICINES

# brands and salts of the small table, names written apart or shortened, and everyday words
TEXTS = ["can I take valium?", "tofranil dose", "metoprolol side effects", "advil and alcohol", "hydrochloro thiazide",
         "pot chloride", "k chloride", "co amoxiclav", "clavulanic acid amoxicillin", "codeine paracetamol together",
         "diclofenac eye drops", "diclofenac gel on my knee", "b12 shots", "vit b12", "mtx weekly", "asa",
         "diazepamm", "imipramin dose", "veltrazine", "levothyroxine", "t4", "cyanocobalamin", "glargine",
         "succinate", "paracetamol + codeine", "coamoxiclav", "co amoxi clav", "augmentin", "yasmin", "kdur", ""]


def as_plain(lookup):
    """A lookup as plain Python data, whichever form it has."""
    if isinstance(lookup, (set, frozenset, SavedSet)):
        return sorted(lookup)
    return {k: lookup[k] for k in lookup}


# brands as the lexicon would add them (the lexicon itself is left out: it takes seconds),
# two that differ only in spaces, and a multiword brand whose words are no ordinary words
BRANDS = {"valium": ["Diazepam"], "tofranil": ["Imipramine"], "advil": ["Ibuprofen", "Ibuprofen (Topical)"],
          "co amoxiclav": ["Amoxicillin + Clavulanic acid"], "coamoxi clav": ["Amoxicillin + Clavulanic acid"],
          "augmentin duo": ["Amoxicillin + Clavulanic acid"], "k dur": ["Potassium Chloride"],
          "yasmin 28": ["Ethinyl Estradiol + Drospirenone"]}


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    """(the table built in memory, the same table saved and opened from the folder)."""
    base = build_table(MEDICINES, use_lexicon=False)
    built = DrugTable({**base.aliases, **BRANDS}, base.medicines, common_words=COMMON)
    folder = tmp_path_factory.mktemp("names")
    save_drug_table(folder, built)
    return built, open_drug_table(folder, COMMON)


def test_every_saved_lookup_is_the_one_worked_out_in_memory(tables):
    built, opened = tables
    assert isinstance(opened.saved_lookups, NameIndex)
    for name in DrugTable.SAVED_LOOKUPS:
        saved = getattr(opened, f"_{name}")
        assert isinstance(saved, (SavedSet, SavedMap)), name  # read from the pack, not worked out again
        assert as_plain(saved) == as_plain(getattr(built, f"_{name}")), name
    assert list(opened.medicines) == list(built.medicines)


def test_an_opened_table_finds_what_the_built_one_finds(tables):
    built, opened = tables
    for text in TEXTS:
        assert opened.find(text) == built.find(text), text
    for form in ("diclofenac", "ibuprofen", "metoprolol", "levothyroxine", "no such form"):
        assert opened.pages_with_base_form(form) == built.pages_with_base_form(form)


def _words(table: DrugTable) -> list[str]:
    return sorted({w for a in table.aliases for w in a.split()} | set(COMMON))


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_any_text_of_name_words_reads_the_same_from_the_saved_lookups(tables, data):
    """Property: texts made of the table's own name words (in any order, run together or cut
    short) and everyday words give the same mentions from the saved lookups as in memory."""
    built, opened = tables
    words = data.draw(st.lists(st.sampled_from(_words(built)), min_size=1, max_size=6))
    cut = data.draw(st.sampled_from(["", "join", "short"]))
    if cut == "join" and len(words) > 1:
        words = [words[0] + words[1]] + words[2:]
    elif cut == "short":
        words = [words[0][:3]] + words[1:]
    text = " ".join(words)
    assert opened.find(text) == built.find(text), text


def test_a_damaged_pack_is_worked_out_again(tables, tmp_path):
    built, _ = tables
    save_drug_table(tmp_path, built)
    (tmp_path / f"{PACK}.json").write_text("{not json", encoding="utf-8")
    opened = open_drug_table(tmp_path, COMMON)
    assert opened.saved_lookups.get("first_words") is None  # unreadable: the table works it out
    for text in TEXTS:
        assert opened.find(text) == built.find(text), text


def test_the_real_corpus_lookups_round_trip(rxhive_engine):
    """Every saved lookup of the rxhive index equals what a table over the same aliases and
    medicines works out in memory."""
    opened = rxhive_engine.index.drugs
    built = DrugTable(dict(opened.aliases.items()), list(opened.medicines), common_words=opened.common_words)
    for name in DrugTable.SAVED_LOOKUPS:
        saved, worked_out = as_plain(getattr(opened, f"_{name}")), as_plain(getattr(built, f"_{name}"))
        if name == "by_rest":  # aliases in the order the build made them: read as a set
            saved, worked_out = ({k: sorted(v) for k, v in m.items()} for m in (saved, worked_out))
        assert saved == worked_out, name


def test_the_opened_alias_map_answers_as_the_built_one(tables):
    """The alias map read from the index (layout.AliasMap: each answer kept once read) gives the
    built table's medicines for every alias, asked several times, and nothing for other keys."""
    built, opened = tables
    for _ in range(2):
        for alias, drugs in built.aliases.items():
            assert alias in opened.aliases and opened.aliases[alias] == drugs and opened.aliases.get(alias) == drugs
        for other in ("", "no such medicine", "diazepa", 7, None):
            assert other not in opened.aliases and opened.aliases.get(other, "none") == "none"
            with pytest.raises(KeyError):
                opened.aliases[other]
    first = opened.aliases["diazepam"]
    first.append("changed by the caller")
    assert opened.aliases["diazepam"] == built.aliases["diazepam"]  # a kept answer is handed out as a copy
