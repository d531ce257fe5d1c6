"""The chunk lines and tokens of a generation, in segments that a rebuild hard-links.

The two largest per-chunk files — the chunk lines (`chunks.jsonl`, ~360 MB at 10× rxhive) and
their tokens (`doc_tokens.npy`, ~130 MB) — are cut into segments of consecutive chunks:
segment k is `chunks-<k>.jsonl` + `doc_tokens-<k>.npy`, and `segments.npy` (int64, S+1) holds
the first chunk of each segment, then the number of chunks. Offsets (`chunk_offsets.npy`,
`doc_tokens_ptr.npy`) stay global: they count over the segments one after another.

A segment's bytes depend only on its chunks, not on their ids. So a rebuild that keeps all the
chunks of a previous segment, unchanged, gives that segment's files to the new generation as
hard links (nothing copied, nothing to fsync, nothing freed when the old generation goes), and
writes only the segments where pages changed, were added or removed. Boundaries are stable:
a full build closes a segment once it holds SEGMENT_BYTES of lines (at the end of a batch); a
rebuild starts a new segment where it links one, so the segments after a change keep theirs.
A previous segment smaller than half that is copied, not linked, into the segment being
written: small segments (left by removed pages, or by pages added at the end) merge again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from .store import AppendFile, NpyWriter, link_or_copy, load_array, save_array

SEGMENTS = "segments.npy"
SEGMENT_BYTES = 32 << 20  # chunk lines per segment: ~11 segments at 10× rxhive, 2 at 1×


def segment_files(k: int) -> tuple[str, str]:
    """(lines, tokens) file names of segment k."""
    return f"chunks-{k:04d}.jsonl", f"doc_tokens-{k:04d}.npy"


class ChunkSegments:
    """Read access to a generation's segments (checked against the global offsets)."""

    def __init__(self, folder: Path, bounds: np.ndarray):
        self.folder = folder
        self.bounds = np.asarray(bounds, dtype=np.int64)
        self.starts = self.bounds.tolist()
        self._tokens: dict[int, np.ndarray] = {}

    @classmethod
    def open(cls, folder: Path, offsets: np.ndarray) -> "ChunkSegments":
        """`offsets`: where each chunk's line starts (n+1); every segment's lines file must
        have exactly its chunks' bytes (one stat per segment)."""
        bounds = np.asarray(load_array(folder / SEGMENTS, (np.dtype(np.int64),)))
        n = int(offsets.shape[0]) - 1
        if bounds.shape[0] < 1 or int(bounds[0]) != 0 or int(bounds[-1]) != n or not np.all(np.diff(bounds) > 0):
            raise ValueError("segments.npy does not match the chunks")
        seg = cls(folder, bounds)
        for k in range(len(seg)):
            if seg.lines(k).stat().st_size != int(offsets[seg.starts[k + 1]]) - int(offsets[seg.starts[k]]):
                raise ValueError(f"{segment_files(k)[0]} does not match the chunk offsets")
        return seg

    def __len__(self) -> int:
        return len(self.starts) - 1

    def names(self) -> list[str]:
        return [name for k in range(len(self)) for name in segment_files(k)]

    def lines(self, k: int) -> Path:
        return self.folder / segment_files(k)[0]

    def tokens_path(self, k: int) -> Path:
        return self.folder / segment_files(k)[1]

    def of(self, i: int) -> int:
        """The segment of chunk i."""
        return int(np.searchsorted(self.bounds, i, side="right")) - 1

    def pieces(self, lo: int, hi: int) -> Iterator[tuple[int, int, int]]:
        """(segment, first chunk, end chunk) of each segment's part of chunks [lo, hi)."""
        if lo >= hi:
            return
        k = self.of(lo)
        while lo < hi:
            end = min(hi, self.starts[k + 1])
            yield k, lo, end
            lo, k = end, k + 1

    def tokens(self, k: int) -> np.ndarray:
        """Segment k's tokens, memory-mapped."""
        arr = self._tokens.get(k)
        if arr is None:
            arr = self._tokens[k] = load_array(self.tokens_path(k), (np.dtype(np.int32),))
        return arr

    def tokens_of(self, tok_ptr: np.ndarray, lo: int, hi: int) -> np.ndarray:
        """The tokens of chunks [lo, hi) (`tok_ptr`: the global token offsets)."""
        parts = []
        for k, x, y in self.pieces(lo, hi):
            base = int(tok_ptr[self.starts[k]])
            tokens = self.tokens(k)
            a, b = int(tok_ptr[x]) - base, int(tok_ptr[y]) - base
            if not 0 <= a <= b <= tokens.shape[0]:
                raise ValueError(f"{segment_files(k)[1]} does not match the token offsets")
            parts.append(np.asarray(tokens[a:b]))
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)

    def read_lines(self, offsets: np.ndarray, ids) -> Iterator[tuple[int, bytes]]:
        """(id, line) of each chunk id, in the given order, each segment's file opened once
        (passages in rank order go back and forth between segments)."""
        files: dict[int, object] = {}
        try:
            for i in ids:
                k = self.of(i)
                f = files.get(k)
                if f is None:
                    f = files[k] = open(self.lines(k), "rb")
                base = int(offsets[self.starts[k]])
                lo, hi = int(offsets[i]), int(offsets[i + 1])
                f.seek(lo - base)
                yield i, f.read(hi - lo)
        finally:
            for f in files.values():
                f.close()

    def iter_lines(self) -> Iterator[bytes]:
        """Every chunk line, in id order."""
        for k in range(len(self)):
            with open(self.lines(k), "rb") as f:
                yield from f


class SegmentWriter:
    """Writes a new generation's chunk lines and tokens, segment after segment, in chunk order:
    `write` (a parsed batch), `copy` (part of a previous segment) or `link` (a whole one)."""

    def __init__(self, folder: Path, segment_bytes: int = SEGMENT_BYTES):
        self.folder = folder
        self.segment_bytes = segment_bytes
        self.starts = [0]  # the first chunk of each segment, then the number of chunks
        self.chunks = 0  # chunks so far
        self.size = 0  # line bytes so far
        self.linked = 0  # previous segments linked
        self._lines: AppendFile | None = None
        self._tokens: NpyWriter | None = None

    def _open(self) -> tuple[AppendFile, NpyWriter]:
        if self._lines is None:
            lines, tokens = segment_files(len(self.starts) - 1)
            self._lines = AppendFile(self.folder / lines)
            self._tokens = NpyWriter(self.folder / tokens, np.int32)
        return self._lines, self._tokens

    def write(self, lines: bytes, line_lens: np.ndarray, tokens: np.ndarray, doc_len: np.ndarray, file_ends) -> None:
        """New chunks: their lines one after another, each line's length, their tokens, each
        chunk's number of tokens, and the chunk count at the end of each file (a segment
        ends at the end of a file, so that a changed page is in one segment)."""
        n = int(line_lens.shape[0])
        if not n:
            return
        line_end, tok_end = np.cumsum(line_lens), np.cumsum(doc_len)
        ends = np.unique(np.append(np.asarray(file_ends, dtype=np.int64), n))
        ends = ends[(ends > 0) & (ends <= n)]
        view = memoryview(lines)
        start = 0
        while start < n:
            out, toks = self._open()
            b0, t0 = (int(line_end[start - 1]), int(tok_end[start - 1])) if start else (0, 0)
            # the first file end where this segment reaches its size (else the last one)
            later = ends[ends > start]
            j = int(np.searchsorted(line_end[later - 1] - b0, self.segment_bytes - out.size))
            stop = int(later[min(j, later.shape[0] - 1)])
            b1, t1 = int(line_end[stop - 1]), int(tok_end[stop - 1])
            out.write(view[b0:b1])
            toks.write(tokens[t0:t1])
            self._grown(stop - start, b1 - b0)
            start = stop

    def copy(self, lines: tuple[Path, int, int], tokens: tuple[Path, int, int], chunks: int) -> None:
        """Chunks whose lines and tokens are the byte ranges (file, start, stop) given."""
        if not chunks:
            return
        out, toks = self._open()
        out.copy_from(*lines)
        toks.copy_from(*tokens)
        self._grown(chunks, lines[2] - lines[1])

    def link(self, lines: Path, tokens: Path, chunks: int) -> None:
        """A whole previous segment (its files, of `chunks` chunks), as a segment of its own."""
        self._close_segment()
        names = segment_files(len(self.starts) - 1)
        link_or_copy(lines, self.folder / names[0])
        link_or_copy(tokens, self.folder / names[1])
        self.chunks += chunks
        self.size += lines.stat().st_size
        self.starts.append(self.chunks)
        self.linked += 1

    def _grown(self, chunks: int, size: int) -> None:
        self.chunks += chunks
        self.size += size
        if self._lines is not None and self._lines.size >= self.segment_bytes:
            self._close_segment()

    def _close_segment(self) -> None:
        if self._lines is None:
            return
        self._lines.close()
        self._tokens.close()
        self._lines = self._tokens = None
        self.starts.append(self.chunks)

    def close(self) -> None:
        self._close_segment()
        save_array(self.folder / SEGMENTS, np.asarray(self.starts, dtype=np.int64))

    def abort(self) -> None:
        for f in (self._lines, self._tokens):
            try:
                if f is not None:
                    f.abort() if hasattr(f, "abort") else f.close()
            except (OSError, ValueError):
                pass


def generation_tokens(gen: Path) -> tuple[np.ndarray, np.ndarray]:
    """(every chunk's tokens one after another, where each chunk's start: n+1) of a generation
    folder (for checks and benchmarks: a rebuild reads only the parts it needs)."""
    offsets = load_array(gen / "chunk_offsets.npy", (np.dtype(np.int64),))
    ptr = np.asarray(load_array(gen / "doc_tokens_ptr.npy", (np.dtype(np.int64),)))
    return ChunkSegments.open(gen, offsets).tokens_of(ptr, 0, ptr.shape[0] - 1), ptr


def generation_lines(gen: Path) -> bytes:
    """Every chunk line of a generation folder, one after another."""
    offsets = load_array(gen / "chunk_offsets.npy", (np.dtype(np.int64),))
    return b"".join(ChunkSegments.open(gen, offsets).iter_lines())
