"""Plain-data storage pieces of the index (store.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rxquote.store import AppendFile, NpyWriter, Pack, PackWriter, StringTable, load_array, save_strings


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=20))
def test_string_table_round_trip(tmp_path_factory, strings):
    folder = tmp_path_factory.mktemp("strings")
    save_strings(folder, "t", strings)
    table = StringTable.open(folder, "t")
    assert len(table) == len(strings)
    assert [table[i] for i in range(len(strings))] == strings  # one by one, by offset
    assert list(table) == strings  # all at once (strings holding a NUL take the slow path)
    ordered = sorted(set(strings))
    save_strings(folder, "s", ordered)
    sorted_table = StringTable.open(folder, "s")
    for i, s in enumerate(ordered):
        assert sorted_table.find(s) == i
    assert sorted_table.find("\U0010ffff never") == -1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=6), max_size=12), st.lists(st.text(max_size=6), max_size=30))
def test_a_table_read_often_answers_as_one_read_rarely(tmp_path_factory, strings, probes):
    """Past DECODE_ALL_AFTER reads and HASH_AFTER finds a table decodes, or hashes, itself
    whole: the same items, the same positions (the first of equal strings), the same misses."""
    folder = tmp_path_factory.mktemp("often")
    ordered = sorted(strings)  # duplicates kept: find gives the first, like bisect
    save_strings(folder, "s", ordered)
    rare, often = StringTable.open(folder, "s"), StringTable.open(folder, "s")
    often.DECODE_ALL_AFTER, often.HASH_AFTER = 1, 1
    for _ in range(3):
        assert [often[i] for i in range(len(ordered))] == [rare[i] for i in range(len(ordered))]
        assert [often.find(p) for p in probes + ordered] == [rare.find(p) for p in probes + ordered]
    assert often._position is not None or not (probes + ordered)


def test_string_table_refuses_offsets_that_do_not_fit(tmp_path):
    save_strings(tmp_path, "t", ["abc", "de"])
    np.save(tmp_path / "t_ptr.npy", np.array([0, 4, 99], dtype=np.int64))
    with pytest.raises(ValueError):
        StringTable.open(tmp_path, "t")


def test_npy_writer_of_unknown_length_writes_a_valid_mappable_file(tmp_path):
    w = NpyWriter(tmp_path / "a.npy", np.int32)
    for part in (np.arange(5), np.zeros(0), np.arange(3)):
        w.write(part)
    w.close()
    arr = load_array(tmp_path / "a.npy", (np.dtype(np.int32),))
    assert isinstance(arr, np.memmap) and arr.tolist() == [0, 1, 2, 3, 4, 0, 1, 2]
    w = NpyWriter(tmp_path / "b.npy", np.float64, length=2)
    w.write(np.ones(1))
    with pytest.raises(ValueError):
        w.close()  # fewer items than announced


def test_pickled_array_is_never_loaded(tmp_path):
    np.save(tmp_path / "o.npy", np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        load_array(tmp_path / "o.npy")


def test_append_file_copies_a_byte_range(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(bytes(range(256)) * 100)
    out = AppendFile(tmp_path / "out.bin")
    out.write(b"head")
    out.copy_from(src, 10, 5000)
    out.write(np.arange(3, dtype=np.int32))
    out.close()
    assert out.size == (tmp_path / "out.bin").stat().st_size
    assert (tmp_path / "out.bin").read_bytes() == b"head" + src.read_bytes()[10:5000] + np.arange(3, dtype=np.int32).tobytes()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.lists(st.text(max_size=8), max_size=10),
                          st.lists(st.integers(0, 2**31 - 1), max_size=10)), max_size=6))
def test_a_pack_gives_back_each_part(tmp_path_factory, parts):
    """Several string tables and int arrays in one pack: each part read back as it was saved,
    a string part as a table that finds (when sorted) like one saved on its own."""
    folder = tmp_path_factory.mktemp("pack")
    writer = PackWriter()
    for k, (is_text, strings, ints) in enumerate(parts):
        writer.add_strings(f"s{k}", sorted(strings) if is_text else strings)
        writer.add_ints(f"i{k}", ints)
    writer.save(folder, "p")
    pack = Pack.open(folder, "p")
    for k, (is_text, strings, ints) in enumerate(parts):
        table = pack.strings(f"s{k}")
        assert list(table) == (sorted(strings) if is_text else strings)
        assert [table[i] for i in range(len(table))] == list(table)
        if is_text:
            assert all(table[table.find(s)] == s for s in strings) and table.find("\U0010ffff") == -1
        assert pack.ints(f"i{k}").tolist() == ints
    with pytest.raises(KeyError):
        pack.strings("no such part")


def test_a_pack_refuses_parts_outside_its_arrays(tmp_path):
    writer = PackWriter()
    writer.add_strings("s", ["a", "b"])
    writer.add_ints("i", [1, 2])
    writer.save(tmp_path, "p")
    (tmp_path / "p.json").write_text('{"strings": {"s": [0, 9]}, "ints": {"i": [1, 0]}}', encoding="utf-8")
    pack = Pack.open(tmp_path, "p")
    with pytest.raises(ValueError):
        pack.strings("s")
    with pytest.raises(ValueError):
        pack.ints("i")
    with pytest.raises(ValueError):
        PackWriter().add_ints("big", [2**31])


def test_head_of_a_string_table_is_its_first_strings(tmp_path):
    save_strings(tmp_path, "t", ["b", "a", "c"])
    table = StringTable.open(tmp_path, "t")
    assert list(table.head(2)) == ["b", "a"] and len(table.head(0)) == 0 and list(table.head(3)) == list(table)
    with pytest.raises(ValueError):
        table.head(4)
