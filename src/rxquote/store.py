"""Plain-data storage for the index: .npy arrays opened memory-mapped, and string tables.

Everything is a `.npy` file written and read with `allow_pickle=False`, so a generation is
plain data that a reader maps instead of decoding: opening costs the same for 6,000 pages as
for 60,000, and only the pages a question touches are read from disk.

A string table is two arrays: `<name>.npy` (uint8, the UTF-8 strings, each followed by a NUL)
and `<name>_ptr.npy` (int64, where each string starts, plus the end). One string is read by
offset; the whole table, when needed, by one decode and split. A pack (`Pack`) holds several
string tables and int arrays in a few files.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

SEP = b"\x00"


def load_array(path: Path, dtypes: tuple = (), ndim: int = 1) -> np.ndarray:
    """A saved array, memory-mapped read-only; never unpickles (an object array raises ValueError)."""
    arr = np.load(path, mmap_mode="r", allow_pickle=False)
    if arr.ndim != ndim or (dtypes and arr.dtype not in dtypes):
        raise ValueError(f"{Path(path).name}: unexpected array shape or type")
    return arr


def unique(arr) -> np.ndarray:
    """`np.unique(arr)` of a 1-D array, by one sort: numpy ≥ 2.3's np.unique goes through a
    hash table first, ~50 times slower on a million integers."""
    a = np.sort(np.asarray(arr).reshape(-1))
    if a.shape[0] < 2:
        return a
    keep = np.empty(a.shape[0], dtype=bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


def save_array(path: Path, arr: np.ndarray) -> None:
    np.save(path, np.ascontiguousarray(arr), allow_pickle=False)


class NpyWriter:
    """Writes one 1-d .npy file piece by piece, so a large array never has to be in memory
    whole. The length may be unknown until the end: the header is then rewritten in place
    (it has a fixed size, padded with spaces as the format allows)."""

    HEADER_BYTES = 128

    def __init__(self, path: Path, dtype, length: int | None = None):
        self.dtype = np.dtype(dtype)
        self.length = length
        self.written = 0
        self._f = open(path, "wb")
        self._f.write(self._header(length or 0))

    def _header(self, length: int) -> bytes:
        text = "{'descr': %r, 'fortran_order': False, 'shape': (%d,), }" % (np.lib.format.dtype_to_descr(self.dtype), length)
        body = text.encode("latin1")
        pad = self.HEADER_BYTES - 10 - len(body) - 1
        if pad < 0:
            raise ValueError("array too long for the header")
        return b"\x93NUMPY\x01\x00" + (len(body) + pad + 1).to_bytes(2, "little") + body + b" " * pad + b"\n"

    def write(self, arr) -> None:
        arr = np.ascontiguousarray(arr, dtype=self.dtype)
        if arr.size:
            self._f.write(memoryview(arr).cast("B"))
        self.written += arr.shape[0]

    def copy_from(self, src: Path, start: int, stop: int) -> None:
        """Items stored in bytes [start, stop) of the file `src`, copied by the kernel."""
        if (stop - start) % self.dtype.itemsize:
            raise ValueError("a copy of part of an item")
        self.written += copy_range(src, start, stop, self._f) // self.dtype.itemsize

    def fileno(self) -> int:
        return self._f.fileno()

    def abort(self) -> None:
        self._f.close()

    def close(self) -> None:
        if self.length is None:
            self._f.seek(0)
            self._f.write(self._header(self.written))
        self._f.close()
        if self.length is not None and self.written != self.length:
            raise ValueError(f"{self._f.name}: wrote {self.written} of {self.length} items")


def copy_range(src: Path, start: int, stop: int, out) -> int:
    """Append bytes [start, stop) of the file `src` to the open binary file `out` (flushed
    first), copied by the kernel where it can: on this kind of machine several times faster
    than writing the same bytes from memory. Returns the bytes copied."""
    out.flush()
    n, done = stop - start, 0
    with open(src, "rb", buffering=0) as f:
        try:
            while done < n:
                k = os.copy_file_range(f.fileno(), out.fileno(), n - done, start + done)
                if k <= 0:
                    break
                done += k
        except (AttributeError, OSError):
            pass  # not supported here: copy through Python
        f.seek(start + done)
        while done < n:
            block = f.read(min(1 << 22, n - done))
            if not block:
                raise OSError(f"{src} is shorter than expected")
            view, at = memoryview(block), 0
            while at < len(block):
                at += out.write(view[at:])
            done += len(block)
    return n


def link_or_copy(src: Path, dst: Path) -> None:
    """`dst` as the same file as `src` (a hard link: nothing written), or a copy where links
    are refused. Only for files no one writes again: a generation's files never change."""
    try:
        os.link(src, dst)
    except OSError:
        import shutil

        shutil.copyfile(src, dst)


class AppendFile:
    """An append-only binary file (chunk lines, token ids) that counts what it holds. Writes
    come in pieces of a batch of pages, so it is unbuffered."""

    def __init__(self, path: Path):
        self.path = path
        self._f = open(path, "wb", buffering=0)
        self.size = 0

    def write(self, data) -> None:
        view = memoryview(data).cast("B")
        done = 0
        while done < view.nbytes:
            done += self._f.write(view[done:])
        self.size += view.nbytes

    def copy_from(self, src: Path, start: int, stop: int) -> None:
        """Bytes [start, stop) of `src`, copied by the kernel where it can."""
        self.size += copy_range(src, start, stop, self._f)

    def close(self) -> None:
        self._f.close()


def encode_strings(strings: Iterable[str]) -> tuple[bytes, np.ndarray]:
    """(blob, ptr) of a string table."""
    encoded = [s.encode("utf-8") for s in strings]
    ptr = np.zeros(len(encoded) + 1, dtype=np.int64)
    if encoded:
        np.cumsum(np.fromiter((len(e) + 1 for e in encoded), dtype=np.int64, count=len(encoded)), out=ptr[1:])
    return SEP.join(encoded) + (SEP if encoded else b""), ptr


def save_strings(folder: Path, name: str, strings: Iterable[str]) -> None:
    blob, ptr = encode_strings(strings)
    save_array(folder / f"{name}.npy", np.frombuffer(blob, dtype=np.uint8))
    save_array(folder / f"{name}_ptr.npy", ptr)


class StringTable(Sequence):
    """A read-only list of strings stored as blob + offsets (see the module doc).

    Item i is decoded on access; `list()` decodes all at once. For a sorted table, `find`
    is a binary search that decodes ~log2(n) items. A long-running reader (a chat, a batch,
    an evaluation) that keeps reading items or finding strings gets a small table decoded,
    or hashed, once: then a question costs what it reads, not log2(n) decodes per lookup.
    Until then a small table keeps each item it decoded (a question reads its medicine's
    title or name for every chunk of its pages: one decode, then a dictionary hit)."""

    DECODE_ALL_AFTER = 1 << 15  # items decoded one by one before the whole table is decoded ...
    DECODE_ALL_BYTES = 4 << 20  # ... when it is no larger than this (name tables, not the headings)
    HASH_AFTER = 256  # finds before a dictionary of every string is built

    def __init__(self, blob: np.ndarray, ptr: np.ndarray):
        if ptr.ndim != 1 or ptr.shape[0] < 1 or int(ptr[0]) != 0 or int(ptr[-1]) != blob.shape[0]:
            raise ValueError("string table offsets do not match its text")
        self._blob, self._ptr = blob, ptr
        # memoryviews: one item costs two int reads and a slice, without numpy's per-call overhead
        self._text, self._starts = memoryview(blob), memoryview(ptr)
        self._n = int(ptr.shape[0]) - 1
        self._n_bytes = int(blob.shape[0])
        self._all: list[str] | None = None
        self._position: dict[str, int] | None = None
        self._reads = 0  # items decoded one by one so far (see DECODE_ALL_AFTER)
        self._finds = 0
        # decoded items of a small table (DECODE_ALL_BYTES), by position: at most the table
        self._memo: dict[int, str] | None = {} if self._n_bytes <= self.DECODE_ALL_BYTES else None

    @classmethod
    def open(cls, folder: Path, name: str) -> "StringTable":
        return cls(load_array(folder / f"{name}.npy", (np.uint8,)), load_array(folder / f"{name}_ptr.npy", (np.int64,)))

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        memo = self._memo
        if memo is not None and type(i) is int:
            got = memo.get(i)
            if got is not None:
                return got
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        if self._all is not None:
            return self._all[i]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("string table index out of range")
        self._reads += 1
        if self._reads > self.DECODE_ALL_AFTER and self._n_bytes <= self.DECODE_ALL_BYTES:
            self._memo = None  # the whole list answers from now on
            return self.list()[i]
        got = self._decode(i)
        if memo is not None:
            memo[i] = got
        return got

    def _decode(self, i: int) -> str:
        lo, hi = self._starts[i], self._starts[i + 1] - 1
        if not 0 <= lo <= hi < self._n_bytes:
            raise ValueError("string table offsets are damaged")
        return str(self._text[lo:hi], "utf-8")

    def head(self, n: int) -> "StringTable":
        """The first `n` strings, as a table over the same maps (O(1))."""
        if not 0 <= n <= self._n:
            raise ValueError("string table has fewer strings")
        return StringTable(self._blob[: int(self._ptr[n])], self._ptr[: n + 1])

    def list(self) -> list[str]:
        """Every string, decoded once and kept (for tables read whole)."""
        if self._all is None:
            blob = np.asarray(self._blob)
            # one decode and split when the NULs are exactly where the offsets say strings end
            whole = np.array_equal(np.flatnonzero(blob == 0) + 1, np.asarray(self._ptr)[1:])
            parts = blob.tobytes().decode("utf-8").split("\x00")[:-1] if whole and self._n else []
            if len(parts) != self._n:  # a string that holds a NUL itself: decode one by one
                parts = [self._decode(i) for i in range(self._n)]
            self._all = parts
        return self._all

    def __iter__(self):
        return iter(self.list())

    def find(self, s: str) -> int:
        """Position of `s` in a sorted table, or -1."""
        if self._position is not None:
            return self._position.get(s, -1)
        self._finds += 1
        if self._finds > self.HASH_AFTER:
            position: dict[str, int] = {}
            for i, x in enumerate(self.list()):
                position.setdefault(x, i)  # the first of equal strings, as bisect_left finds
            self._position = position
            return position.get(s, -1)
        i = bisect_left(self, s)
        return i if i < self._n and self[i] == s else -1


class PackWriter:
    """Several string tables and int arrays written as one pack (see `Pack`)."""

    def __init__(self):
        self._strings: list[str] = []
        self._ints: list[np.ndarray] = []
        self._n_ints = 0
        self._sections: dict[str, dict[str, list[int]]] = {"strings": {}, "ints": {}}

    def add_strings(self, name: str, strings: Iterable[str]) -> None:
        lo = len(self._strings)
        self._strings.extend(strings)
        self._sections["strings"][name] = [lo, len(self._strings)]

    def add_ints(self, name: str, values) -> None:
        arr = np.asarray(values if isinstance(values, np.ndarray) else list(values), dtype=np.int64).reshape(-1)
        if arr.size and not (0 <= int(arr.min()) and int(arr.max()) < 2**31):
            raise ValueError(f"{name}: values out of the pack's int32 range")
        self._ints.append(arr)
        self._sections["ints"][name] = [self._n_ints, self._n_ints + arr.shape[0]]
        self._n_ints += arr.shape[0]

    def save(self, folder: Path, name: str) -> None:
        save_strings(folder, name, self._strings)
        ints = np.concatenate(self._ints) if self._ints else np.zeros(0, dtype=np.int64)
        save_array(folder / f"{name}_ints.npy", ints.astype(np.int32))
        (folder / f"{name}.json").write_text(json.dumps(self._sections), encoding="utf-8")


class Pack:
    """Several string tables and int arrays in four files — `<name>.npy` + `<name>_ptr.npy`
    (one string table holding them all), `<name>_ints.npy` (int32, all the arrays one after
    another) and `<name>.json` (each part's [start, end) in them) — so that many small
    lookups cost a few files, not two or three each. A part is opened by slicing the maps:
    an int array in O(1), a string table in O(its length) (its offsets are rebased)."""

    def __init__(self, blob: np.ndarray, ptr: np.ndarray, ints: np.ndarray, sections: dict):
        if ptr.ndim != 1 or ptr.shape[0] < 1 or int(ptr[-1]) != blob.shape[0] or not isinstance(sections, dict):
            raise ValueError("pack damaged")
        self._blob, self._ptr, self._ints = blob, ptr, ints
        self._strings_at, self._ints_at = sections.get("strings"), sections.get("ints")
        if not (isinstance(self._strings_at, dict) and isinstance(self._ints_at, dict)):
            raise ValueError("pack damaged")

    @staticmethod
    def files(name: str) -> tuple[str, ...]:
        return (f"{name}.npy", f"{name}_ptr.npy", f"{name}_ints.npy", f"{name}.json")

    @classmethod
    def open(cls, folder: Path, name: str) -> "Pack":
        sections = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        return cls(load_array(folder / f"{name}.npy", (np.uint8,)), load_array(folder / f"{name}_ptr.npy", (np.int64,)),
                   load_array(folder / f"{name}_ints.npy", (np.int32,)), sections)

    def _bounds(self, sections: dict, name: str, size: int) -> tuple[int, int]:
        lo, hi = sections[name]  # KeyError: no such part
        if not (isinstance(lo, int) and isinstance(hi, int) and 0 <= lo <= hi <= size):
            raise ValueError(f"pack part {name} damaged")
        return lo, hi

    def strings(self, name: str) -> StringTable:
        lo, hi = self._bounds(self._strings_at, name, self._ptr.shape[0] - 1)
        start, end = int(self._ptr[lo]), int(self._ptr[hi])
        return StringTable(self._blob[start:end], np.asarray(self._ptr[lo : hi + 1]) - start)

    def ints(self, name: str) -> np.ndarray:
        lo, hi = self._bounds(self._ints_at, name, self._ints.shape[0])
        return self._ints[lo:hi]
