"""What a generation folder holds, and how each part is read (at load) and written (at build).

    chunks-<k>.jsonl        one chunk per line, read by offset: [start_line, end_line, text];
                            in segments of consecutive chunks (segments.py: segments.npy holds
                            where each starts), which a rebuild hard-links when unchanged
    chunk_offsets.npy       int64, n+1: where each line starts, counted over the segments one
                            after another (and their end)
    chunk_drug/title/source.npy   int32 per chunk: ids into the sorted name tables
    chunk_section.npy       int8 per chunk: index into corpus.SECTIONS
    headings, names_drug, names_title, names_source, medicine_keys, medicine_names, alias_keys,
    file_names              string tables (store.StringTable: <name>.npy + <name>_ptr.npy)
    medicine_ptr.npy, medicine_chunks.npy   CSR: normalised medicine name (medicine_keys[k]) →
                            the sorted chunk ids about it (its own sections, and the shared
                            text of combination pages naming it)
    alias_ptr.npy, alias_meds.npy   CSR: alias_keys[a] → ids into medicine_names (DrugTable)
    drugs.json              the alias table's version; lexicon.json: lexicon-only names (lazy)
    names_index.json/.npy, names_index_ptr.npy, names_index_ints.npy   DrugTable's lookups over
                            every alias and medicine, saved (name_index.py; store.Pack)
    file_size/file_mtime.npy (int64), file_sha.npy (uint8, F×32), file_chunks.npy (int64,
    F×2), file_warnings.json   one record per corpus file, in file_names order (sorted)
    folder_names, folder_mtime.npy   every corpus folder ("" is the corpus) and its mtime
    vocab.json, bm25.json, postings_*.npy, doc_len.npy, idf.npy   BM25 (bm25.py)
    term_first.npy          int64 per term: its first token position (first-occurrence order)
    doc_tokens-<k>.npy, doc_tokens_ptr.npy   the chunks' tokens (what a rebuild reuses), in the
                            same segments as the lines, as ids
                            into token_vocab.json: a full build's vocabulary (vocab.json), to
                            which each rebuild appends its new words (so reused tokens are
                            copied as they are)
    stems.json              word → stem memo of the analyzer

Nothing is decoded whole at load except the vocabulary and the stem memo (one entry per
distinct word, not per page); everything per chunk, per page or per medicine is mapped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from .corpus import SECTIONS
from .drugs import DrugTable, normalize
from .name_index import PACK_FILES, NameIndex, save_name_index
from .segments import ChunkSegments
from .store import StringTable, load_array, save_array, save_strings, unique

ID = (np.dtype(np.int32),)
I64 = (np.dtype(np.int64),)

STRING_TABLES = ("headings", "names_drug", "names_title", "names_source", "medicine_keys", "medicine_names",
                 "alias_keys", "file_names", "folder_names")
FILES = (
    "segments.npy", "chunk_offsets.npy", "chunk_drug.npy", "chunk_title.npy", "chunk_source.npy", "chunk_section.npy",
    "medicine_ptr.npy", "medicine_chunks.npy", "alias_ptr.npy", "alias_meds.npy", "drugs.json", "lexicon.json",
    "file_size.npy", "file_mtime.npy", "file_sha.npy", "file_chunks.npy", "file_warnings.json", "folder_mtime.npy",
    "vocab.json", "bm25.json", "postings_ptr.npy", "postings_doc.npy", "postings_tf.npy", "postings_score.npy",
    "doc_len.npy", "idf.npy", "term_first.npy", "doc_tokens_ptr.npy", "token_vocab.json", "stems.json",
) + tuple(f"{t}{suffix}" for t in STRING_TABLES for suffix in (".npy", "_ptr.npy"))


# -- chunks -----------------------------------------------------------------------------------


@dataclass
class ChunkColumns:
    """Per-chunk metadata, memory-mapped; names decoded one at a time."""

    offsets: np.ndarray  # int64, n+1
    drug: np.ndarray
    title: np.ndarray
    source: np.ndarray
    section: np.ndarray  # int8
    headings: StringTable
    drug_names: StringTable
    title_names: StringTable
    source_names: StringTable
    medicine_keys: StringTable  # sorted normalised names
    medicine_ptr: np.ndarray
    medicine_chunks: np.ndarray
    segments: ChunkSegments  # where the chunk lines are

    @classmethod
    def open(cls, gen: Path, n: int) -> "ChunkColumns":
        offsets = load_array(gen / "chunk_offsets.npy", I64)
        if offsets.shape != (n + 1,) or int(offsets[0]) != 0:
            raise ValueError("chunk offsets do not match the postings")
        cols = cls(
            offsets=offsets,
            drug=load_array(gen / "chunk_drug.npy", ID),
            title=load_array(gen / "chunk_title.npy", ID),
            source=load_array(gen / "chunk_source.npy", ID),
            section=load_array(gen / "chunk_section.npy", (np.dtype(np.int8),)),
            headings=StringTable.open(gen, "headings"),
            drug_names=StringTable.open(gen, "names_drug"),
            title_names=StringTable.open(gen, "names_title"),
            source_names=StringTable.open(gen, "names_source"),
            medicine_keys=StringTable.open(gen, "medicine_keys"),
            medicine_ptr=load_array(gen / "medicine_ptr.npy", I64),
            medicine_chunks=load_array(gen / "medicine_chunks.npy", ID),
            segments=ChunkSegments.open(gen, offsets),  # (checks each segment's size: a stat each)
        )
        cols.check(n)
        return cols

    def check(self, n: int) -> None:
        """Shapes and end points (O(1)); a damaged large file's contents are the checksums' job."""
        if self.offsets.shape != (n + 1,) or int(self.offsets[0]) != 0:
            raise ValueError("chunk offsets do not match the postings")
        if any(a.shape != (n,) for a in (self.drug, self.title, self.source, self.section)) or len(self.headings) != n:
            raise ValueError("chunk columns do not match the postings")
        k = len(self.medicine_keys)
        if (self.medicine_ptr.shape != (k + 1,) or int(self.medicine_ptr[0]) != 0
                or int(self.medicine_ptr[-1]) != self.medicine_chunks.shape[0]):
            raise ValueError("medicine table damaged")
        if n and not (len(self.drug_names) and len(self.title_names) and len(self.source_names)):
            raise ValueError("name tables damaged")

    def read_lines(self, ids) -> "Iterator[tuple[int, bytes]]":
        """(id, chunk line) of each chunk id, in the given order."""
        n = self.offsets.shape[0] - 1
        ids = [int(i) for i in ids]  # (once: a generator would be used up by the check)
        for i in ids:
            if not 0 <= i < n:
                raise IndexError(f"no chunk {i}")
        return self.segments.read_lines(self.offsets, ids)


# -- medicine → chunks --------------------------------------------------------------------------


def medicine_chunks(drug: np.ndarray, title: np.ndarray, drug_names: list[str],
                    title_names: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(sorted keys, ptr, chunk ids): for each normalised medicine name, the chunks about it —
    the chunks of every drug name with that normal form, and the shared text (drug = title) of
    every combination page whose title names it as an ingredient. A key may have no chunks (an
    ingredient whose combination page has no shared text): the medicine is still known."""
    from .corpus import split_ingredients

    n = int(drug.shape[0])
    drug_keys = [normalize(name) for name in drug_names]
    combos = {t: [normalize(i) for i in split_ingredients(name)] for t, name in enumerate(title_names) if " + " in name}
    keys = sorted(set(drug_keys).union(*combos.values()))
    key_id = {k: i for i, k in enumerate(keys)}
    # (key, chunk) pairs: every chunk under its drug's key ...
    pair_key = [np.asarray([key_id[k] for k in drug_keys], dtype=np.int64)[drug] if n else np.zeros(0, dtype=np.int64)]
    pair_chunk = [np.arange(n, dtype=np.int64)]
    # ... and a combination page's shared text under each ingredient's key
    drug_id = {name: i for i, name in enumerate(drug_names)}
    same_as_title = np.full(len(title_names), -1, dtype=np.int64)
    for t in combos:
        same_as_title[t] = drug_id.get(title_names[t], -1)
    shared = np.flatnonzero((same_as_title[title] >= 0) & (drug == same_as_title[title])) if n else np.zeros(0, dtype=np.int64)
    order = shared[np.argsort(title[shared], kind="stable")]
    bounds = np.searchsorted(title[order], np.arange(len(title_names) + 1))
    # every (combination title, ingredient key) pair brings that title's shared chunks
    pair_title = np.fromiter((t for t, ks in combos.items() for _ in ks), dtype=np.int64)
    pair_ingredient = np.fromiter((key_id[k] for ks in combos.values() for k in ks), dtype=np.int64)
    counts = bounds[pair_title + 1] - bounds[pair_title]
    within = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    pair_key.append(np.repeat(pair_ingredient, counts))
    pair_chunk.append(order[np.repeat(bounds[pair_title], counts) + within].astype(np.int64))
    code = unique(np.concatenate(pair_key) * max(n, 1) + np.concatenate(pair_chunk))
    ptr = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(np.bincount(code // max(n, 1), minlength=len(keys)), out=ptr[1:])
    return keys, ptr, (code % max(n, 1)).astype(np.int32)


# -- the medicine-name table (drugs.DrugTable) ----------------------------------------------------


_UNREAD = object()


class AliasMap(Mapping):
    """DrugTable's alias → medicine names mapping, read from the generation on demand: a
    lookup is a find in the sorted alias table (a binary search, hashed for a long-running
    reader: StringTable.find); iterating decodes the keys once. `in` and `get` read no
    medicine names for an alias that is absent, and a present alias's names are decoded once."""

    KNOWN_LIMIT = 1 << 16  # answers kept (a question looks up a few dozen phrases); then forgotten

    def __init__(self, keys: StringTable, ptr: np.ndarray, meds: np.ndarray, names: StringTable):
        if ptr.shape != (len(keys) + 1,) or int(ptr[0]) != 0 or int(ptr[-1]) != meds.shape[0]:
            raise ValueError("alias table damaged")
        self._keys, self._ptr, self._meds, self._names = keys, memoryview(ptr), memoryview(meds), names
        self._known: dict[str, tuple[str, ...] | None] = {}  # alias → its medicines (None: absent)

    def _read(self, alias) -> tuple[str, ...] | None:
        if not isinstance(alias, str):
            return None
        got = self._known.get(alias, _UNREAD)
        if got is _UNREAD:
            i = self._keys.find(alias)
            got = None if i < 0 else tuple(self._names[j] for j in self._meds[self._ptr[i] : self._ptr[i + 1]])
            if len(self._known) >= self.KNOWN_LIMIT:
                self._known.clear()
            self._known[alias] = got
        return got

    def __getitem__(self, alias: str) -> list[str]:
        got = self._read(alias)
        if got is None:
            raise KeyError(alias)
        return list(got)

    def get(self, alias, default=None):
        got = self._read(alias)
        return default if got is None else list(got)

    def __contains__(self, alias) -> bool:
        return self._read(alias) is not None

    def __iter__(self):
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def save_drug_table(folder: Path, table: DrugTable) -> None:
    medicines = list(table.medicines)
    med_id = {m: i for i, m in enumerate(medicines)}
    keys = sorted(table.aliases)
    ids: list[int] = []
    ptr = [0]
    for k in keys:
        for m in table.aliases[k]:
            if m not in med_id:  # an alias of a name outside the list: keep it reachable
                med_id[m] = len(medicines)
                medicines.append(m)
            ids.append(med_id[m])
        ptr.append(len(ids))
    save_strings(folder, "alias_keys", keys)
    save_array(folder / "alias_ptr.npy", np.asarray(ptr, dtype=np.int64))
    save_array(folder / "alias_meds.npy", np.asarray(ids, dtype=np.int32))
    save_strings(folder, "medicine_names", medicines)
    info = {"version": table.version, "medicines": len(table.medicines),
            "max_alias_words": max((len(a.split()) for a in keys), default=1)}
    (folder / "drugs.json").write_text(json.dumps(info), encoding="utf-8")
    (folder / "lexicon.json").write_text(json.dumps(table.lexicon.to_json(), ensure_ascii=False), encoding="utf-8")
    save_name_index(folder, table.lookups(), keys, med_id)  # the lookups a question reads, worked out now


DRUG_TABLE_FILES = ("alias_keys.npy", "alias_keys_ptr.npy", "alias_ptr.npy", "alias_meds.npy", "medicine_names.npy",
                    "medicine_names_ptr.npy", "drugs.json", "lexicon.json") + PACK_FILES


def open_drug_table(gen: Path, common_words: frozenset[str]) -> DrugTable:
    info = json.loads((gen / "drugs.json").read_text(encoding="utf-8"))
    if not isinstance(info, dict) or not all(isinstance(info.get(k), int) for k in ("version", "medicines", "max_alias_words")):
        raise ValueError("drugs.json damaged")
    names, alias_keys = StringTable.open(gen, "medicine_names"), StringTable.open(gen, "alias_keys")
    aliases = AliasMap(alias_keys, load_array(gen / "alias_ptr.npy", I64), load_array(gen / "alias_meds.npy", ID), names)
    if info["medicines"] > len(names):
        raise ValueError("medicine names damaged")
    medicines = names.head(info["medicines"])  # the table's own; the rest are only aliases' targets
    lexicon_file = gen / "lexicon.json"
    data = {"aliases": aliases, "medicines": medicines, "version": info["version"]}
    table = DrugTable.from_json(data, common_words, lexicon=lambda: _read_lexicon(lexicon_file))
    table.saved_lookups = NameIndex(gen, alias_keys, names)  # first words, word groups, ...: opened on first need
    # DrugTable computes this on the first question by splitting every alias (~0.1 s for a
    # 10× corpus); it is known at index time, so it is filled into its cached_property here
    table.__dict__["max_alias_words"] = info["max_alias_words"]
    return table


def _read_lexicon(path: Path) -> dict:
    """The lexicon-only names, read on first need (a damaged file counts as none: the
    checksums caught damage at load; this guards a file changed since)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


# -- per-file records -------------------------------------------------------------------------


@dataclass(frozen=True)
class FileRecord:
    """What the index knows of one corpus file."""

    rel: str
    sha256: str
    size: int
    mtime_ns: int
    chunks: tuple[int, int]  # chunk id range [lo, hi)
    warnings: tuple[str, ...] = ()


@dataclass
class FileRecords:
    """The generation's per-file records, as columns (file_names is sorted)."""

    names: StringTable
    size: np.ndarray
    mtime_ns: np.ndarray
    sha: np.ndarray  # uint8, F×32
    chunks: np.ndarray  # int64, F×2
    warnings: dict[str, list[str]]

    @classmethod
    def open(cls, gen: Path) -> "FileRecords":
        names = StringTable.open(gen, "file_names")
        f = len(names)
        recs = cls(names, load_array(gen / "file_size.npy", I64), load_array(gen / "file_mtime.npy", I64),
                   load_array(gen / "file_sha.npy", (np.dtype(np.uint8),), ndim=2),
                   load_array(gen / "file_chunks.npy", I64, ndim=2),
                   json.loads((gen / "file_warnings.json").read_text(encoding="utf-8")))
        if (recs.size.shape != (f,) or recs.mtime_ns.shape != (f,) or recs.sha.shape != (f, 32)
                or recs.chunks.shape != (f, 2) or not isinstance(recs.warnings, dict)):
            raise ValueError("file records damaged")
        return recs

    def __len__(self) -> int:
        return len(self.names)

    def sha256(self, i: int) -> str:
        return self.sha[i].tobytes().hex()

    def record(self, i: int) -> FileRecord:
        rel = self.names[i]
        lo, hi = (int(x) for x in self.chunks[i])
        return FileRecord(rel, self.sha256(i), int(self.size[i]), int(self.mtime_ns[i]), (lo, hi),
                          tuple(self.warnings.get(rel, ())))


def save_file_records(folder: Path, records: "FileTable") -> None:
    """`records` in file order (sorted by rel, as corpus.list_corpus gives them)."""
    records.save(folder)


class FileTable:
    """File records gathered as columns while a generation is written, in file order: a
    parsed file's one by one, a reused run's as slices of the previous columns."""

    def __init__(self):
        self.names: list[str] = []
        self.size: list[np.ndarray] = []
        self.mtime_ns: list[np.ndarray] = []
        self.sha: list[np.ndarray] = []  # F×32 uint8 pieces
        self.chunks: list[np.ndarray] = []  # F×2 int64 pieces
        self.warnings: dict[str, list[str]] = {}

    def __len__(self) -> int:
        return len(self.names)

    def add(self, r: FileRecord) -> None:
        self.names.append(r.rel)
        self.size.append(np.asarray([r.size], dtype=np.int64))
        self.mtime_ns.append(np.asarray([r.mtime_ns], dtype=np.int64))
        self.sha.append(np.frombuffer(bytes.fromhex(r.sha256), dtype=np.uint8).reshape(1, 32))
        self.chunks.append(np.asarray([r.chunks], dtype=np.int64).reshape(1, 2))
        if r.warnings:
            self.warnings[r.rel] = list(r.warnings)

    def add_columns(self, names: list[str], size: np.ndarray, mtime_ns: np.ndarray, sha: np.ndarray,
                    chunks: np.ndarray, warnings: dict[str, list[str]]) -> None:
        self.names.extend(names)
        self.size.append(np.asarray(size, dtype=np.int64))
        self.mtime_ns.append(np.asarray(mtime_ns, dtype=np.int64))
        self.sha.append(np.asarray(sha, dtype=np.uint8).reshape(-1, 32))
        self.chunks.append(np.asarray(chunks, dtype=np.int64).reshape(-1, 2))
        self.warnings.update(warnings)

    def save(self, folder: Path) -> None:
        def joined(parts: list[np.ndarray], shape: tuple[int, ...], dtype) -> np.ndarray:
            return np.concatenate(parts) if parts else np.zeros(shape, dtype=dtype)

        save_strings(folder, "file_names", self.names)
        save_array(folder / "file_size.npy", joined(self.size, (0,), np.int64))
        save_array(folder / "file_mtime.npy", joined(self.mtime_ns, (0,), np.int64))
        save_array(folder / "file_sha.npy", joined(self.sha, (0, 32), np.uint8))
        save_array(folder / "file_chunks.npy", joined(self.chunks, (0, 2), np.int64))
        (folder / "file_warnings.json").write_text(json.dumps(self.warnings, ensure_ascii=False), encoding="utf-8")


def save_folders(folder: Path, folders) -> None:
    save_strings(folder, "folder_names", (rel for rel, _ in folders))
    save_array(folder / "folder_mtime.npy", np.asarray([m for _, m in folders], dtype=np.int64))


def open_folders(gen: Path) -> tuple[StringTable, np.ndarray]:
    names, mtimes = StringTable.open(gen, "folder_names"), load_array(gen / "folder_mtime.npy", I64)
    if mtimes.shape != (len(names),):
        raise ValueError("folder records damaged")
    return names, mtimes


SECTION_ID = {s: i for i, s in enumerate(SECTIONS)}
Loader = Callable[[], dict]
