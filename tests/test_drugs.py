"""Medicine names: the alias table (lexicon-enriched) and resolution of names as written."""

from __future__ import annotations

from rxquote.drugs import DrugTable, base_forms, build_table, preferred

MEDICINES = ["Diazepam", "Imipramine", "Diazepam + Imipramine", "Metoprolol Succinate", "Ibuprofen",
             "Ibuprofen (Topical)", "Levothyroxine/ T4", "Alcohol"]


def table(tmp_path, monkeypatch) -> DrugTable:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    t = build_table(MEDICINES)
    drugs_json, lexicon_json = t.to_json()
    return DrugTable.from_json(drugs_json, common_words=frozenset({"dose", "effects", "side"}), lexicon=lambda: lexicon_json)


def names(t: DrugTable, q: str):
    return [(m.drug, m.how) for m in t.find(q)]


def test_base_forms_drop_salts_routes_and_parentheses():
    assert "metoprolol" in base_forms("Metoprolol Succinate")
    assert "ibuprofen" in base_forms("Ibuprofen (Topical)")
    assert "levothyroxine" in base_forms("Levothyroxine/ T4")


def test_preferred_picks_exact_then_plainest():
    assert preferred("ibuprofen", ["Ibuprofen", "Ibuprofen (Topical)"]) == ["Ibuprofen"]
    assert preferred("advil", ["Ibuprofen (Topical)", "Ibuprofen"]) == ["Ibuprofen"]


def test_brands_salts_misspellings_and_unknown(tmp_path, monkeypatch):
    t = table(tmp_path, monkeypatch)
    assert names(t, "can I take valium?") == [("Diazepam", "alias")]
    assert names(t, "tofranil dose") == [("Imipramine", "alias")]
    assert names(t, "metoprolol side effects") == [("Metoprolol Succinate", "alias")]
    assert names(t, "advil") == [("Ibuprofen", "alias")]
    assert names(t, "diazapam") == [("Diazepam", "fuzzy")]
    assert names(t, "levothyroxine") == [("Levothyroxine/ T4", "alias")]
    assert names(t, "diazepam and imipramine") == [("Diazepam", "exact"), ("Imipramine", "exact")]
    unknown = t.find("what about zoloft")
    assert unknown[0].drug == "" and unknown[0].unknown_name.lower() == "sertraline"
    assert names(t, "can I drink alcohol") == [("Alcohol", "weak")]


def test_ordinary_words_are_never_misspelled_medicines(tmp_path, monkeypatch):
    t = table(tmp_path, monkeypatch)
    assert t.find("side effects dose weather today please") == []


def test_drug_classes_are_not_unknown_medicines(tmp_path, monkeypatch):
    t = table(tmp_path, monkeypatch)
    assert t.find("what is a benzodiazepine used for") == []
    assert t.names_class("how do statins work")


def test_lexicon_cache_gives_the_same_table(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = build_table(MEDICINES).to_json()  # reads the lexicon package, writes the cache
    assert list((tmp_path / "cache" / "rxquote").glob("lexicon-*.json"))
    assert build_table(MEDICINES).to_json() == first  # from the cache


def test_lexicon_names_are_read_only_when_a_question_needs_them(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    drugs_json, lexicon_json = build_table(MEDICINES).to_json()
    calls = []
    t = DrugTable.from_json(drugs_json, common_words=frozenset({"can", "stop", "suddenly", "dose"}),
                            lexicon=lambda: calls.append(1) or lexicon_json)
    assert names(t, "can I stop valium suddenly?") == [("Diazepam", "alias")] and calls == []
    assert t.find("zoloft dose")[0].unknown_name.lower() == "sertraline" and calls == [1]
