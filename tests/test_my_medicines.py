""""My medicines": the list operations, the file (atomic, tolerant of missing and garbled
files), the declaration parser, and where the file lives (`locations`)."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rxquote import locations
from rxquote.my_medicines import (
    MAX_MEDICINES,
    Declaration,
    added,
    load,
    parse_declaration,
    removed,
    save,
    toggled,
)

# a small corpus's names and the brand/typo names its table maps to them
NAMES = {
    "sertraline": "Sertraline", "zoloft": "Sertraline", "metoprolol": "Metoprolol",
    "warfarin": "Warfarin", "warfarn": "Warfarin", "aspirin": "Aspirin", "amlodipine": "Amlodipine",
    "tylenol": "Paracetamol", "ibuprofen": "Ibuprofen", "diazepam": "Diazepam",
}


def fake_resolve(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for word in re.findall(r"[a-z]+", text.lower()):
        name = NAMES.get(word)
        if name and name not in out:
            out.append(name)
    return tuple(out)


def parse(text: str) -> Declaration | None:
    return parse_declaration(text, fake_resolve)


# -- the list ----------------------------------------------------------------------------------


def test_list_operations_keep_order_and_ignore_case():
    mine = added((), ["Warfarin", "Metoprolol"])
    assert added(mine, ["warfarin", " Amlodipine "]) == ("Warfarin", "Metoprolol", "Amlodipine")
    assert removed(mine, ["WARFARIN"]) == ("Metoprolol",)
    assert toggled(mine, "metoprolol") == ("Warfarin",)
    assert toggled(mine, "Aspirin") == ("Warfarin", "Metoprolol", "Aspirin")
    assert len(added((), [f"M{i}" for i in range(MAX_MEDICINES + 10)])) == MAX_MEDICINES


# -- the file ----------------------------------------------------------------------------------


def test_save_then_load(tmp_path):
    path = tmp_path / "deep" / "er" / "my-medicines.json"  # folders are created on write
    save(path, ["Warfarin", "Metoprolol", "warfarin"])
    assert load(path).names == ("Warfarin", "Metoprolol") and load(path).problem is None
    assert json.loads(path.read_text(encoding="utf-8"))["medicines"] == ["Warfarin", "Metoprolol"]
    assert [p.name for p in path.parent.iterdir()] == ["my-medicines.json"]  # no temporary left


def test_missing_file_is_an_empty_list(tmp_path):
    assert load(tmp_path / "nope.json").names == () and load(tmp_path / "nope.json").problem is None


@pytest.mark.parametrize("content", [
    b"", b"{", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b'{"medicines": "Warfarin"}', b"null",
    b'{"medicines": [1, null, {"a": 1}]}', b"[" * 100_000,
])
def test_garbled_file_is_an_empty_list_never_an_error(tmp_path, content):
    path = tmp_path / "my-medicines.json"
    path.write_bytes(content)
    got = load(path)
    assert got.names == ()
    if content.startswith(b'{"medicines": ['):
        assert got.problem is None  # a list, just with no names in it
    else:
        assert got.problem and str(path) in got.problem


def test_odd_entries_are_cleaned(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"medicines": ["  Warfarin ", 3, "warfarin", "", "x" * 500, "Aspirin"]}), encoding="utf-8")
    names = load(path).names
    assert names[0] == "Warfarin" and names[-1] == "Aspirin" and len(names) == 3 and len(names[1]) == 200


def test_a_folder_or_unreadable_path_is_reported(tmp_path):
    assert load(tmp_path).problem  # a folder, not a file


def test_a_failed_save_keeps_the_old_list(tmp_path, monkeypatch):
    path = tmp_path / "my-medicines.json"
    save(path, ["Warfarin"])

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(OSError):
        save(path, ["Aspirin"])
    assert load(path).names == ("Warfarin",)
    assert [p.name for p in tmp_path.iterdir()] == ["my-medicines.json"]


# -- declarations ------------------------------------------------------------------------------


@pytest.mark.parametrize("text, names", [
    ("I take sertraline and metoprolol", ("Sertraline", "Metoprolol")),
    ("my mum is on warfarin, metoprolol and aspirin", ("Warfarin", "Metoprolol", "Aspirin")),
    ("I'm on zoloft", ("Sertraline",)),
    ("I\u2019m on zoloft", ("Sertraline",)),
    ("im on zoloft", ("Sertraline",)),
    ("I am taking warfarin", ("Warfarin",)),
    ("she takes warfarn, metoprolol & amlodipine", ("Warfarin", "Metoprolol", "Amlodipine")),
    ("Mum takes warfarin 5mg daily and metoprolol in the morning", ("Warfarin", "Metoprolol")),
    ("my dad's on amlodipine", ("Amlodipine",)),
    ("my 80 year old mother is on warfarin", ("Warfarin",)),
    ("I've been taking diazepam for a year", ("Diazepam",)),
    ("I was prescribed metoprolol", ("Metoprolol",)),
    ("my medicines are warfarin and aspirin", ("Warfarin", "Aspirin")),
    ("her tablets: warfarin, aspirin", ("Warfarin", "Aspirin")),
    ("Hi, I take warfarin. Thanks!", ("Warfarin",)),
    ("I take warfarin. My husband is on aspirin.", ("Warfarin", "Aspirin")),
    ("I also take aspirin", ("Aspirin",)),
])
def test_declarations(text, names):
    d = parse(text)
    assert d is not None and d.added == names and d.removed == ()
    assert not d.question


@pytest.mark.parametrize("text", [
    "can I take ibuprofen?", "what if I take aspirin", "should she take it with food",
    "which of her tablets could make her dizzy?", "is she on warfarin?", "I am on holiday in Spain",
    "I take my tablets at night", "I just took 30 diazepam tablets", "I was on warfarin",
    "does warfarin interact with aspirin", "what is on the label of warfarin", "",
    "if you take warfarin, avoid aspirin",
])
def test_not_declarations(text):
    assert parse(text) is None


@pytest.mark.parametrize("text, names, question, rest", [
    ("I'm on zoloft, can i tkae tylenol w/ it", ("Sertraline",), True, "can i tkae tylenol w/ it"),
    ("I take warfarin, is ibuprofen ok?", ("Warfarin",), True, "is ibuprofen ok"),
    ("I take warfarin and I feel dizzy", ("Warfarin",), False, "and I feel dizzy"),
    ("I take warfarin. Any problem with grapefruit", ("Warfarin",), True, "Any problem with grapefruit"),
    ("I look after my dad. He takes warfarin", ("Warfarin",), False, "I look after my dad"),
    ("I take diazepam and I just swallowed 30 of them", ("Diazepam",), False, "and I just swallowed 30 of them"),
    ("I take warfarin?", ("Warfarin",), True, ""),
])
def test_declaration_with_more(text, names, question, rest):
    d = parse(text)
    assert d is not None and d.added == names and d.question is question and d.rest == rest


@pytest.mark.parametrize("text, names", [
    ("she stopped taking aspirin", ("Aspirin",)),
    ("I don't take aspirin anymore", ("Aspirin",)),
    ("I'm no longer on warfarin", ("Warfarin",)),
    ("he came off metoprolol", ("Metoprolol",)),
    ("my mum has stopped warfarin", ("Warfarin",)),
])
def test_stopping(text, names):
    d = parse(text)
    assert d is not None and d.removed == names and d.added == ()


def test_unrecognised_items_are_named():
    d = parse("I take warfarin, a water pill and metoprolol")
    assert d.added == ("Warfarin", "Metoprolol") and d.unrecognised == ("a water pill",)
    assert parse("I take a blood thinner") is None  # nothing recognised: not a declaration


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ',.?!;&+-\u2019")), max_size=80)
       | st.lists(st.sampled_from(["I", "take", "she", "is", "on", "warfarin", "my", "mum", "and", ",", "?", "can",
                                   "stopped", "aspirin", "zoloft", "not", "what", "if", "'m", "tablets", "are"]),
                  max_size=14).map(" ".join))
def test_parser_never_fails_and_only_names_what_resolve_found(text):
    d = parse(text)
    if d is not None:
        found = set(fake_resolve(text))
        assert set(d.added) <= found and set(d.removed) <= found and (d.added or d.removed)


def test_with_the_seed_engine(seed_engine):
    d = parse_declaration("I take Valium and imipramin", seed_engine.resolve_names)
    assert d.added == ("Diazepam", "Imipramine")


@pytest.mark.rxhive
def test_with_the_rxhive_engine(rxhive_engine):
    d = parse_declaration("my mum is on warfarin, metoprolol and amlodipine", rxhive_engine.resolve_names)
    assert d.added == ("Warfarin", "Metoprolol", "Amlodipine")
    assert parse_declaration("I'm on zoloft", rxhive_engine.resolve_names).added == ("Sertraline",)
    assert parse_declaration("I am on a diet", rxhive_engine.resolve_names) is None


# -- locations ---------------------------------------------------------------------------------


def test_locations_follow_the_environment_and_create_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("RXQUOTE_DATA", str(tmp_path / "data"))
    assert locations.data_dir() == tmp_path / "data"
    assert locations.my_medicines_path() == tmp_path / "data" / "my-medicines.json"
    assert locations.transcripts_dir() == tmp_path / "data" / "transcripts"
    monkeypatch.delenv("RXQUOTE_DATA")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert locations.data_dir() == tmp_path / "xdg" / "rxquote"
    assert locations.cache_dir() == tmp_path / "cache" / "rxquote"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")  # invalid per the XDG spec: ignored
    assert locations.data_dir().is_absolute()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert locations.transcripts_dir() == tmp_path / "xdg" / "rxquote" / "transcripts"  # no documents folder
    (tmp_path / "home" / "Documents").mkdir(parents=True)
    assert locations.transcripts_dir() == tmp_path / "home" / "Documents" / "rxquote"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]  # asking created nothing
