"""Monograph files → Chunk records, each an exact span of source lines.

A page is read line by line. Markdown headings (`### Usage`, `### Usage:`, `### Usage (X)`,
`### X Usage:`, `### Usage: inline text`) and bold labels (`**Usage:** text`) open sections;
headings naming one ingredient of a combination page switch the ingredient in focus; inside
an FAQ section every question opens a new chunk. A chunk's `text` is its lines joined as they
are, trimmed only of surrounding whitespace and list/quote markers.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

SECTIONS = (
    "overview",
    "usage",
    "dosage",
    "side_effects",
    "how_it_works",
    "precautions",
    "faq",
    "disclaimer",
)

SECTION_LABELS = {
    "overview": "Overview",
    "usage": "Usage",
    "dosage": "Dosage",
    "side_effects": "Side effects",
    "how_it_works": "How it works",
    "precautions": "Precautions",
    "faq": "FAQ",
    "disclaimer": "Disclaimer",
}

MONOGRAPH_SUFFIXES = (".md", ".txt")
MAX_FILE_BYTES = 5 * 1024 * 1024  # a monograph is a few KB; larger files are not monographs

# Keyword → section. Order matters: the first pattern that matches the heading wins.
_KEYWORDS: list[tuple[str, str]] = [
    ("overview", r"generic\s+names?|brand\s+names?|overview|introduction|description|composition"),
    ("usage", r"usage|uses?|indications?(?:\s+and\s+usage)?|what\s+(?:is\s+it|it\s+is)\s+used\s+for|therapeutic\s+uses?"),
    ("dosage", r"dosage(?:\s+and\s+administration)?|dosing|doses?|administration|how\s+to\s+(?:take|use)"),
    ("side_effects", r"side[\s-]*effects?|adverse\s+(?:effects|reactions|events)"),
    ("how_it_works", r"how\s+(?:it|they|does\s+it|do\s+they)\s+works?|mechanism(?:\s+of\s+action)?|pharmacology"),
    ("precautions", r"precautions?|warnings?|contraindications?|(?:drug\s+)?interactions?|safety(?:\s+information)?"),
    ("faq", r"faqs?|frequently\s+asked\s+questions?|common\s+questions|questions\s+and\s+answers"),
    ("disclaimer", r"disclaimer"),
]
class _lazy:
    """A regular expression compiled on first use: `rxquote ask` imports this module for its
    records but parses nothing, and compiling these patterns costs ~10 ms of start-up."""

    def __init__(self, *args):
        self._args = args
        self._pattern = None

    def __getattr__(self, name):
        if self._pattern is None:
            self._pattern = re.compile(*self._args)
        attr = getattr(self._pattern, name)
        setattr(self, name, attr)  # found in the instance from now on: parsing calls these ~100 times a page
        return attr


# Bold labels open a section only with a page-level name; others are labels inside a section.
_BOLD_SECTION = _lazy(
    r"^(?:generic\s+names?|usage|uses|indications|dosage(?:\s+and\s+administration)?|side[\s-]*effects|"
    r"how\s+it\s+works|mechanism\s+of\s+action|precautions|faqs?|frequently\s+asked\s+questions|disclaimer)\b",
    re.I,
)
_KW_ALT = "|".join(f"(?P<{name}>{pat})" for name, pat in _KEYWORDS)
# "Usage", "Usage:", "Usage (Glutathione)", "Usage: inline body", "Warnings and Precautions"
_KW_FIRST = _lazy(
    rf"^(?:{_KW_ALT})\b(?:\s*(?:and|&|/)\s*(?:{'|'.join(p for _, p in _KEYWORDS)}))*\s*(?P<rest>.*)$",
    re.I | re.S,
)
# "Biotin (Vitamin B7) Usage:" – a keyword at the end after a (drug) prefix
_KW_LAST = _lazy(rf"^(?P<prefix>.+?)\s+(?:{_KW_ALT})\s*:?\s*$", re.I)

_HEADING = _lazy(r"^\s{0,3}(#{1,6})\s*(.*?)\s*#*\s*$")
_BOLD_LABEL = _lazy(r"^\s*(?:[*+-]\s+)?(?:\*\*|__)(?P<label>[^*_]{1,80}?)(?:\*\*|__)\s*(?P<rest>.*)$")
_LIST_MARK = _lazy(r"^(?:[*+-]|\d{1,3}[.)]|>)\s+")
_LIST_MARK_FIRST = frozenset("*+->0123456789")  # what a list or quote marker starts with
_MARKUP = _lazy(r"[*_`]+")
# FAQ question openers (applied to a stripped line inside an FAQ section)
_Q_OPENERS = [
    _lazy(r"^(?:[*+-]\s+|\d{1,3}[.)]\s+)?(?:\*\*|__)?\s*(?:Q|Question)\s*\d*\s*[:.)-]", re.I),
    _lazy(r"^(?:[*+-]\s+)?\d{1,3}[.)]\s*(?:\*\*|__).+"),
    _lazy(r"^(?:[*+-]\s+)?(?:\*\*|__)\s*\d{0,3}[.)]?\s*[^*_]{3,}\?\s*(?:\*\*|__)"),
    _lazy(r"^\d{1,3}[.)]\s+[^*]{3,}\?\s*$"),
]
_QUESTION = _lazy("|".join(f"(?:{p._args[0]})" if len(p._args) == 1 else f"(?i:{p._args[0]})" for p in _Q_OPENERS))
# what a stripped line opening a question can start with (every opener's first character)
_QUESTION_FIRST = frozenset("*+-_0123456789Qq")
_TITLE_RE = _lazy(r"^title\s*:\s*(.+?)\s*$", re.I)
# the patterns of the per-line and per-chunk paths, compiled once (re.match(str, …) looks its
# pattern up in re's cache on every call: ~0.5 s of a 1× parse)
_QUALIFIER_WORD = _lazy(r"^(?:of|for|in|with)\b", re.I)
_DASH_FIRST = _lazy(r"^[:\-–—]")
_STOP_OR_COLON = _lazy(r"[.:]")
_BOTH_WORDS = _lazy(r"\b(combin\w*|together|both|all)\b", re.I)
_COMBINED_WORDS = _lazy(r"\bcombin\w*|\btogether\b", re.I)
_GENERIC_NAME = _lazy(r"^\W*generic\s+name", re.I)
_Q_LIST_MARK = _lazy(r"^(?:[*+-]\s+)?(?:\d{1,3}[.)]\s*)?")
_Q_BOLD = _lazy(r"^(?:\*\*|__)(.+?)(?:\*\*|__)")
_Q_ANSWER = _lazy(r"\s+A\s*[:.]\s")
_Q_PREFIX = _lazy(r"^\s*(?:\d{1,3}[.)]\s*)?(?:Q(?:uestion)?\s*\d*\s*[:.)-]\s*)?", re.I)
_PLUS = _lazy(r"\s\+\s|\s*\+\s*")
_NOT_ALNUM = _lazy(r"[^a-z0-9]+")
_TITLE_END = _lazy(r"[\s.,;:]+$")


@dataclass(frozen=True)
class Chunk:
    """One indexed passage: the exact text of source lines start_line..end_line."""

    id: int
    source: str  # path relative to the corpus folder, "/" separators
    title: str  # the page title
    drug: str  # the ingredient it is about (page title for shared text)
    section: str  # one of SECTIONS
    heading: str  # the section heading or the FAQ question, markup removed
    start_line: int  # 1-based, inclusive
    end_line: int
    text: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ParsedPage:
    source: str
    title: str
    drugs: tuple[str, ...]  # ingredients named by the title
    chunks: tuple[Chunk, ...]
    warnings: tuple[str, ...]  # why the page could not be parsed fully, for the summary


@lru_cache(maxsize=1 << 16)
def clean_inline(text: str) -> str:
    """Text of a heading or label without Markdown emphasis, for display (memoised: the same
    headings and labels come back page after page)."""
    text = " ".join(_MARKUP.sub("", text).split())  # = re.sub(r"\s+", " ", …).strip(): the same whitespace
    return text.strip(" :")


def trim_span(text: str) -> str:
    """Trim whitespace and list/quote markers at the ends only (what SPEC allows)."""
    text = text.strip()
    while text[:1] in _LIST_MARK_FIRST:  # (most chunks start with a letter: no pattern to try)
        m = _LIST_MARK.match(text)
        if not m:
            break
        text = text[m.end() :].lstrip()
    return text


def question_text(line: str) -> str:
    """The question of an FAQ line, without list marker, numbering, "Q:" or the answer."""
    q = _Q_LIST_MARK.sub("", line.strip())
    bold = _Q_BOLD.match(q)
    if bold:
        q = bold.group(1)
    else:
        q = _Q_ANSWER.split(q, maxsplit=1)[0]
    q = _Q_PREFIX.sub("", q)
    return clean_inline(q) or "FAQ"


def split_ingredients(title: str) -> tuple[str, ...]:
    parts = [p.strip() for p in _PLUS.split(title) if p.strip()]
    return tuple(parts) if len(parts) > 1 else (title.strip(),)


def _norm(s: str) -> str:
    return _NOT_ALNUM.sub(" ", s.lower()).strip()


def decode(data: bytes) -> tuple[str, bool]:
    """UTF-8 (BOM tolerated); invalid bytes become U+FFFD and are reported."""
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return data.decode("utf-8-sig", errors="replace"), True


def read_front_matter(lines: list[str]) -> tuple[int, str | None]:
    """Return (index of the first body line, title) for optional `---` front matter."""
    if not lines or lines[0].strip() != "---":
        return 0, None
    title = None
    for i in range(1, min(len(lines), 200)):
        s = lines[i].strip()
        if s in ("---", "..."):
            return i + 1, title
        m = _TITLE_RE.match(s)
        if m:
            title = m.group(1).strip().strip("'\"").strip()
    return 0, None  # unterminated: treat the whole file as body


@lru_cache(maxsize=1 << 16)
def _keyword_last(text: str) -> tuple[str, str] | None:
    """(section, prefix) when `text` ends with a section keyword after a (drug) prefix."""
    m = _KW_LAST.match(text)
    if m:
        for name, _ in _KEYWORDS:
            if m.group(name):
                return name, m.group("prefix")
    return None


@lru_cache(maxsize=1 << 16)
def _match_section(text: str) -> tuple[str, str] | None:
    """(section, rest) when `text` opens with a section keyword (memoised, like clean_inline)."""
    m = _KW_FIRST.match(text)
    if not m:
        return None
    for name, _ in _KEYWORDS:
        if m.group(name):
            return name, m.group("rest").strip()
    return None


class _PageParser:
    def __init__(self, source: str, lines: list[str], title: str):
        self.source = source
        self.lines = lines
        self.title = title
        self.ingredients = split_ingredients(title)
        self._ing_norm = [(_norm(i), i) for i in self.ingredients]
        self.chunks: list[Chunk] = []
        self.warnings: list[str] = []
        # current block
        self.section = "overview"
        self.context_drug = title  # ingredient in focus (set by ingredient headings)
        self.drug = title
        self.heading = title
        self.start: int | None = None  # 0-based line index of the block start
        self.label_line = -1  # a bold label line with no text of its own
        self.seen_section = False

    # -- helpers -----------------------------------------------------------------
    def ingredient_in(self, text: str) -> list[str]:
        """Ingredients of a combination page named in `text`."""
        if len(self.ingredients) < 2:
            return []
        t = f" {_norm(text)} "
        found = [orig for n, orig in self._ing_norm if n and f" {n} " in t]
        if not found:  # "Metformin" heading for ingredient "Metformin Hydrochloride"
            for n, orig in self._ing_norm:
                first = n.split(" ")[0] if n else ""
                if len(first) >= 5 and f" {first} " in t:
                    found.append(orig)
        return found

    def _drug_for(self, qualifier: str) -> str | None:
        if not qualifier:
            return None
        found = self.ingredient_in(qualifier)
        if len(found) == 1:
            return found[0]
        if len(found) > 1 or _BOTH_WORDS.search(qualifier):
            return self.title
        return None

    def close(self, end: int) -> None:
        """Emit the current block as a chunk covering lines start..end-1 (0-based)."""
        if self.start is None:
            return
        s, e = self.start, end - 1
        while s <= e and not self.lines[s].strip():
            s += 1
        while e >= s and not self.lines[e].strip():
            e -= 1
        self.start = None
        if s > e or (s == e and s == self.label_line):
            return  # nothing but the section's own label ("**FAQs:**")
        text = trim_span("\n".join(self.lines[s : e + 1]))
        if not text:
            return
        self.chunks.append(
            Chunk(
                id=-1,
                source=self.source,
                title=self.title,
                drug=self.drug,
                section=self.section,
                heading=self.heading or SECTION_LABELS[self.section],
                start_line=s + 1,
                end_line=e + 1,
                text=text,
            )
        )

    def open(self, i: int, section: str, drug: str, heading: str, include_line: bool) -> None:
        self.close(i)
        self.section, self.drug, self.heading = section, drug, heading
        self.start = i if include_line else i + 1

    # -- the line classifier --------------------------------------------------------
    def section_start(self, text: str, bold: bool) -> tuple[str, str, str, bool] | None:
        """(section, drug, heading, inline) if `text` (a heading or bold label) opens a section."""
        cleaned = clean_inline(text) if not bold else text.strip()
        hit = _match_section(cleaned)
        if hit and bold and not _BOLD_SECTION.match(cleaned):
            return None  # "**Administration:**", "**Warnings:**" are labels inside a section
        if hit:
            section, rest = hit
            qualifier = ""
            inline = False
            if rest.startswith("("):
                qualifier = rest[1 : rest.find(")")] if ")" in rest else rest[1:]
                rest = rest[len(qualifier) + 2 :].strip()
            elif rest and _QUALIFIER_WORD.match(rest) and len(rest) < 80:
                if not self._drug_for(rest):
                    return None  # "Use with Caution", "Dosage in Children": a sub-heading
                qualifier, rest = rest, ""
            rest = rest.lstrip(":-–— ").strip()
            if rest:
                if bold:
                    return None  # "**Dosage adjustments**" is a sub-label, not a section
                if not _DASH_FIRST.match(hit[1]) and len(rest) < 60 and not qualifier:
                    # "### Side Effects Common..."? only a colon introduces inline text
                    if not _STOP_OR_COLON.search(rest):
                        return None
                inline = True
            drug = self._drug_for(qualifier) or self.context_drug
            if section == "overview" and rest:  # "### Generic Name: Folic Acid" → that ingredient
                drug = self._drug_for(rest) or (self.title if len(self.ingredients) > 1 else drug)
            heading = clean_inline(text.split(":")[0]) if inline else clean_inline(text)
            return section, drug, heading, inline
        last = _keyword_last(clean_inline(text))
        if last:
            section, prefix = last
            drug = self._drug_for(prefix)
            if drug:
                return section, drug, clean_inline(text), False
        return None

    def is_question(self, stripped: str) -> bool:
        return stripped[0] in _QUESTION_FIRST and _QUESTION.match(stripped) is not None

    def parse(self, body_start: int) -> None:
        lines = self.lines
        self.start = body_start
        for i in range(body_start, len(lines)):
            line = lines[i]
            stripped = line.strip()
            if not stripped:
                continue
            # (cheap tests first: a heading's first non-space character is "#", a bold
            # label's one of "*+-_"; the patterns decide)
            hm = _HEADING.match(line) if stripped[0] == "#" else None
            if hm:
                level, htext = len(hm.group(1)), hm.group(2)
                if level == 1 and not self.seen_section:
                    continue  # the page title belongs to the overview
                started = self.section_start(htext, bold=False)
                if started:
                    self._start_section(i, *started)
                    continue
                found = self.ingredient_in(htext)
                if len(found) == 1 and len(clean_inline(htext)) <= len(found[0]) + 40:
                    # "### Diazepam", "### Generic Name: Folic Acid" → new ingredient in focus
                    self.context_drug = found[0]
                    generic = _GENERIC_NAME.match(htext)
                    self.open(i, "overview", found[0], found[0], include_line=bool(generic))
                    continue
                if len(found) > 1 or _COMBINED_WORDS.search(htext):
                    if self.seen_section:
                        self.context_drug = self.title
                        self.open(i, "precautions", self.title, clean_inline(htext), include_line=True)
                        continue
                if self.section == "faq" and clean_inline(htext).endswith("?"):
                    self.open(i, "faq", self.drug, clean_inline(htext), include_line=True)
                    continue
                if level <= 2 and self.seen_section and self.section not in ("faq",):
                    pass  # an unknown sub-heading stays in the current section
                continue
            # (a bold label has "**" or "__": most list items have neither)
            bm = _BOLD_LABEL.match(line) if stripped[0] in "*+-_" and ("**" in line or "__" in line) else None
            if bm:
                label = bm.group("label").strip()
                rest = bm.group("rest")
                if rest.startswith("(") and ")" in rest and len(rest) < 120:
                    label, rest = f"{label.rstrip(': ')} {rest[: rest.index(')') + 1]}", rest[rest.index(")") + 1 :]
                if label.endswith(":") or rest.startswith(":") or not rest.strip():
                    started = self.section_start(label.rstrip(": "), bold=True)
                    if started:
                        section, drug, heading, _ = started
                        self._start_section(i, section, drug, heading, inline=True)
                        if not rest.lstrip(": "):
                            self.label_line = i
                        continue
            if self.section == "faq" and self.is_question(stripped):
                self.open(i, "faq", self.drug, question_text(stripped), include_line=True)
        self.close(len(lines))

    def _start_section(self, i: int, section: str, drug: str, heading: str, inline: bool) -> None:
        if section == "overview":
            # "Generic Name" belongs to the overview of the ingredient in focus
            self.context_drug = drug
            if self.section == "overview" and self.start is not None and drug == self.drug:
                return
            self.open(i, "overview", drug, drug, True)
            return
        self.seen_section = True
        if section == self.section and drug == self.drug and self.start is not None and section != "faq":
            return  # "**Contraindications:**" inside Precautions: the same section goes on
        if section != "disclaimer" and drug != self.title:
            self.context_drug = drug
        if section == "disclaimer":
            drug = self.title
        self.open(i, section, drug, heading, include_line=inline)


def parse_text(text: str, source: str, fallback_title: str | None = None) -> ParsedPage:
    lines = text.split("\n")
    body_start, title = read_front_matter(lines)
    if not title:
        for line in lines[body_start : body_start + 50]:
            m = _HEADING.match(line)
            if m and len(m.group(1)) == 1 and m.group(2).strip():
                title = clean_inline(m.group(2))
                break
    if not title:
        title = fallback_title or Path(source).stem
    title = _TITLE_END.sub("", title) or title  # "Clonazepam ." is Clonazepam
    parser = _PageParser(source, lines, title)
    parser.parse(body_start)
    warnings = list(parser.warnings)
    sections = {c.section for c in parser.chunks}
    if not parser.chunks:
        warnings.append("no text")
    elif not sections - {"overview", "disclaimer"}:
        warnings.append("no known sections (indexed as overview)")
    return ParsedPage(source, title, parser.ingredients, tuple(parser.chunks), tuple(warnings))


def read_monograph(path: Path) -> bytes:
    """A file's bytes, but never more than MAX_FILE_BYTES + 1: a huge file is not read whole
    (parse_bytes then skips it as too large)."""
    with open(path, "rb") as f:
        return read_capped(f, os.fstat(f.fileno()).st_size)


def read_capped(f, size: int) -> bytes:
    """At most MAX_FILE_BYTES + 1 bytes of an open file whose size was `size`. Asking for
    what the file holds, not for the cap: `read(n)` first allocates n bytes, and 5 MB per
    few-KB page cost a build of 64,000 pages several seconds."""
    cap = MAX_FILE_BYTES + 1
    data = f.read(min(size + 1, cap))
    if len(data) > size and len(data) < cap:  # it grew since: read on, up to the cap
        data += f.read(cap - len(data))
    return data


def parse_file(path: Path, source: str) -> ParsedPage:
    data = read_monograph(path)
    return parse_bytes(data, source)


def parse_bytes(data: bytes, source: str) -> ParsedPage:
    warnings: list[str] = []
    if b"\x00" in data[:8192]:
        return ParsedPage(source, Path(source).stem, (), (), ("binary file (skipped)",))
    if len(data) > MAX_FILE_BYTES:
        return ParsedPage(source, Path(source).stem, (), (), (f"larger than {MAX_FILE_BYTES // 1024 // 1024} MB (skipped)",))
    text, replaced = decode(data)
    if replaced:
        warnings.append("invalid UTF-8 (undecodable bytes shown as U+FFFD)")
    page = parse_text(text, source)
    if warnings:
        page = ParsedPage(page.source, page.title, page.drugs, page.chunks, tuple(warnings) + page.warnings)
    return page


@dataclass(frozen=True)
class CorpusFile:
    """A monograph file of the corpus, as found by `scan_corpus`."""

    rel: str  # path relative to the corpus folder, "/" separators (a chunk's `source`)
    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class CorpusScan:
    files: list[CorpusFile]  # sorted by `rel`
    warnings: list[str]
    folders: list[tuple[str, int]]  # (relative folder, "" for the corpus itself; its mtime_ns)


def scan_corpus(root: Path) -> CorpusScan:
    """Monograph files under `root`, sorted by relative path, each with its size and mtime
    (one stat per file); plus warnings, and every folder walked with its mtime (a file added,
    removed or renamed changes its folder's mtime).

    Symlinked directories are followed once (loops are detected by real path).
    """
    found: list[CorpusFile] = []
    folders: list[tuple[str, int]] = []
    warnings: list[str] = []
    seen_dirs: set[str] = set()
    top = os.fspath(root)

    def relative(path) -> str:
        try:
            return _printable(Path(path).relative_to(root).as_posix())
        except ValueError:
            return _printable(str(path))

    def on_error(e: OSError) -> None:
        warnings.append(f"{relative(e.filename)}: {e.strerror or 'unreadable'} (skipped)")

    # a pre-order walk with sorted subfolders (os.walk's, followlinks=True), on scandir entries:
    # a file costs one stat call and no path arithmetic
    stack = [(top, "")]
    while stack:
        dirpath, prefix = stack.pop()
        real = os.path.realpath(dirpath)
        if real in seen_dirs:
            warnings.append(f"{relative(dirpath)}: directory link loop (skipped)")
            continue
        seen_dirs.add(real)
        try:
            with os.scandir(dirpath) as it:
                entries = list(it)
        except OSError as e:
            on_error(e)
            continue
        try:
            folders.append((prefix, os.stat(dirpath).st_mtime_ns))
        except OSError:
            pass
        subdirs = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if not name.startswith("."):
                    subdirs.append(name)
                continue
            if name.startswith(".") or not name.lower().endswith(MONOGRAPH_SUFFIXES):
                continue
            rel = prefix + name
            if _printable(rel) != rel:  # undecodable bytes in the name: it cannot be a `source`
                warnings.append(f"{_printable(rel)}: file name is not valid UTF-8 (skipped)")
                continue
            try:
                st = entry.stat()
            except (OSError, ValueError):
                st = None
            if st is None or not stat.S_ISREG(st.st_mode):
                warnings.append(f"{rel}: not a readable file (skipped)")
                continue
            found.append(CorpusFile(rel, entry.path, st.st_size, st.st_mtime_ns))
        for name in sorted(subdirs, reverse=True):  # popped in sorted order
            stack.append((os.path.join(dirpath, name), f"{prefix}{name}/"))
    found.sort(key=lambda f: f.rel)
    return CorpusScan(found, warnings, folders)


def list_corpus(root: Path) -> tuple[list[tuple[str, Path]], list[str]]:
    """Monograph files under `root` as (relative source, path), sorted; plus warnings."""
    scan = scan_corpus(root)
    return [(f.rel, Path(f.path)) for f in scan.files], scan.warnings


def _printable(name: str) -> str:
    """A file name as valid Unicode: bytes that were not UTF-8 (surrogate escapes) become U+FFFD."""
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return re.sub("[\ud800-\udfff]", "\ufffd", name)
