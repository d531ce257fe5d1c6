"""The medicine-name table's lookups, worked out at index time and saved so that a question
opens them in constant time (issue #13).

`DrugTable.find` (drugs.py) reads a question's words through lookups over every alias and
medicine: the first word of each alias, every word of one, each alias without its spaces, ...
Worked out in the answering process they cost time and memory in proportion to the corpus
(~0.9 s of CPU and ~70 MB at 10× rxhive) on its first question. The index saves them in one
pack of sorted string tables and int arrays (`store.Pack`, names_index.*); a lookup is opened
on first use, in O(1), and read by binary search:

    first_words, alias_words, joined_starts   sorted sets (`SavedSet`)
    joined        an alias without its spaces → the alias          (values: alias ids)
    word_sets     an alias's words, sorted → the alias
    by_rest       "n j other words" of 2–3 word aliases → aliases
    word_groups   a word → the groups of medicines it is one word of  (values: group ids,
                  each group a run of medicine ids)
    base_forms    a medicine's base form → the single medicines with that form

Alias ids index the sorted alias table (alias_keys), medicine ids the medicine names table
(medicine_names), both saved beside this by layout.save_drug_table.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from .store import Pack, PackWriter, StringTable

PACK = "names_index"
SETS = ("first_words", "alias_words", "joined_starts")
# Finds in a saved lookup before it hashes all its keys (StringTable.HASH_AFTER): one question
# makes up to ~20 in the busiest (measured at 10× rxhive), so a single `ask` never pays for
# hashing, while a batch or a chat hashes after its first few questions instead of binary
# searching (tens of µs a find) through its first hundred.
HASH_AFTER = 32
_ABSENT = object()
ALIAS_MAPS = ("joined", "word_sets", "by_rest")  # DrugTable attribute `_<name>`, values alias ids


class SavedSet(Set):
    """A sorted string table read as a set: `in` is a binary search (then a hash, for a
    long-running reader: StringTable.find), each string's answer kept (a question asks about
    the same few words many times); iterating decodes it once."""

    def __init__(self, table: StringTable):
        self._table = table
        self._known: dict[str, bool] = {}

    def __contains__(self, s) -> bool:
        if not isinstance(s, str):
            return False
        got = self._known.get(s)
        if got is None:
            got = self._known[s] = self._table.find(s) >= 0
        return got

    def __iter__(self):
        return iter(self._table.list())

    def __len__(self) -> int:
        return len(self._table)

    @classmethod
    def _from_iterable(cls, it):  # what `|`, `&`, `-` return: an ordinary frozenset
        return frozenset(it)


class SavedMap(Mapping):
    """Sorted string keys → the values of their run in a CSR (ptr, ids), each id turned into
    what the table holds by `value`; with `one`, a key's single value instead of a list. Each
    key's answer is kept once read, like SavedSet's."""

    def __init__(self, keys: StringTable, ptr: np.ndarray, ids: np.ndarray, value: Callable[[int], object],
                 one: bool = False):
        if ptr.shape != (len(keys) + 1,) or (len(keys) and (int(ptr[0]) != 0 or int(ptr[-1]) != ids.shape[0])):
            raise ValueError("saved name lookup damaged")
        self._keys, self._ptr, self._ids = keys, memoryview(ptr), memoryview(ids)
        self._value, self._one = value, one
        self._known: dict[str, object] = {}

    def get(self, key, default=None):
        if not isinstance(key, str):
            return default
        got = self._known.get(key, _ABSENT)
        if got is _ABSENT:
            got = self._known[key] = self._read(key)
        return default if got is None else got

    def _read(self, key: str):
        i = self._keys.find(key)
        if i < 0:
            return None
        values = [self._value(j) for j in self._ids[self._ptr[i] : self._ptr[i + 1]]]
        return values[0] if self._one else values

    def __getitem__(self, key: str):
        got = self.get(key)
        if got is None:
            raise KeyError(key)
        return got

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def __iter__(self):
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


class NameIndex:
    """The saved lookups of one generation, opened on the first `get`. A pack that cannot be
    read gives None (the table then works the lookup out itself: slower, the same answers)."""

    def __init__(self, gen: Path, alias_keys: StringTable, medicine_names: StringTable):
        self._gen, self._aliases, self._medicines = gen, alias_keys, medicine_names
        self._pack: Pack | None = None
        self._broken = False

    def get(self, name: str):
        if self._broken:
            return None
        try:
            if self._pack is None:
                self._pack = Pack.open(self._gen, PACK)
            return self._open(name)
        except (OSError, ValueError, KeyError, TypeError):
            self._broken = True
            return None

    def _strings(self, name: str) -> StringTable:
        table = self._pack.strings(name)
        table.HASH_AFTER = HASH_AFTER
        return table

    def _open(self, name: str):
        pack = self._pack
        if name in SETS:
            return SavedSet(self._strings(name))
        keys, ptr, ids = self._strings(f"{name}.keys"), pack.ints(f"{name}.ptr"), pack.ints(f"{name}.ids")
        if name in ALIAS_MAPS:
            return SavedMap(keys, ptr, ids, self._aliases.__getitem__, one=name != "by_rest")
        if name == "base_forms":
            return SavedMap(keys, ptr, ids, self._medicines.__getitem__)
        if name == "word_groups":
            members, meds = pack.ints("word_groups.group_ptr"), pack.ints("word_groups.meds")
            if members.shape != (ids.shape[0] + 1,) or (ids.shape[0] and int(members[-1]) != meds.shape[0]):
                raise ValueError("saved word groups damaged")

            def group(g: int) -> list[str]:
                return [self._medicines[m] for m in meds[int(members[g]) : int(members[g + 1])].tolist()]

            return SavedMap(keys, ptr, ids, group)
        raise KeyError(name)


def save_name_index(folder: Path, lookups: Mapping[str, object], alias_keys: list[str],
                    medicine_id: Mapping[str, int]) -> None:
    """Save a DrugTable's lookups (`lookups`: name → the in-memory structure, see the module
    doc) as the pack that `NameIndex` reads. `alias_keys` is the sorted alias table."""
    pack = PackWriter()
    for name in SETS:
        pack.add_strings(name, sorted(lookups[name]))
    alias_id = {a: i for i, a in enumerate(alias_keys)}
    for name in ALIAS_MAPS:
        mapping = lookups[name]
        _add_map(pack, name, {k: [v] if isinstance(v, str) else v for k, v in mapping.items()}, alias_id.__getitem__)
    _add_map(pack, "base_forms", lookups["base_forms"], medicine_id.__getitem__)
    groups = lookups["word_groups"]
    keys = sorted(groups)
    members: list[list[str]] = [g for k in keys for g in groups[k]]
    pack.add_strings("word_groups.keys", keys)
    pack.add_ints("word_groups.ptr", _ptr(len(groups[k]) for k in keys))
    pack.add_ints("word_groups.ids", range(len(members)))
    pack.add_ints("word_groups.group_ptr", _ptr(len(g) for g in members))
    pack.add_ints("word_groups.meds", [medicine_id[m] for g in members for m in g])
    pack.save(folder, PACK)


def _add_map(pack: PackWriter, name: str, mapping: Mapping[str, list], to_id: Callable[[str], int]) -> None:
    keys = sorted(mapping)
    pack.add_strings(f"{name}.keys", keys)
    pack.add_ints(f"{name}.ptr", _ptr(len(mapping[k]) for k in keys))
    pack.add_ints(f"{name}.ids", [to_id(v) for k in keys for v in mapping[k]])


def _ptr(lengths: Iterable[int]) -> np.ndarray:
    lengths = np.fromiter(lengths, dtype=np.int64)
    ptr = np.zeros(lengths.shape[0] + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    return ptr


PACK_FILES = Pack.files(PACK)
