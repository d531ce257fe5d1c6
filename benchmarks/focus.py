"""How long the quotes are, and whether focusing kept the answer (issue #12).

    python benchmarks/focus.py                       # consumer-dev on ../shared/corpus/rxhive
    python benchmarks/focus.py GOLD.jsonl --corpus DIR --index DIR -k 3

For every gold question with `expect` entries it asks the engine (with the line's history, the
chat's default of 3 passages) and reports the characters of the first quote and of all quotes
of an answer (median, p90), focused and — rebuilt from the passages' section spans — whole.
Retention: of the questions whose first passage, whole, is section-relevant (`rxquote eval`'s
judging: the right page, drug and section, a `contains_any` fact in the text), the share whose
focused first passage still is. The index is the project's default for that corpus (built if
needed), as `rxquote ask --corpus DIR` uses it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # run from a checkout even without an install

from rxquote.answer import Engine  # noqa: E402
from rxquote.cli import default_index  # noqa: E402
from rxquote.corpus import decode, trim_span  # noqa: E402
from rxquote.evaluate import load_gold  # noqa: E402


def whole_text(corpus: Path, p, cache: dict) -> str:
    """The passage's whole section, as its chunk text (trimmed source lines)."""
    if p.source not in cache:
        cache[p.source] = decode((corpus / p.source).read_bytes())[0].split("\n")
    lines = cache[p.source]
    return trim_span("\n".join(lines[p.section_start_line - 1 : p.section_end_line]))


def percentile(values: list[int], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def relevant(expect, p, text: str) -> bool:
    d = {"source": p.source, "drug": p.drug, "section": p.section, "text": text}
    return any(e.matches(d, "section") for e in expect)


def main(argv: list[str] | None = None) -> int:
    shared = ROOT.parent / "shared"
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gold", nargs="?", type=Path, default=shared / "eval" / "consumer-dev.jsonl")
    ap.add_argument("--corpus", type=Path, default=shared / "corpus" / "rxhive")
    ap.add_argument("--index", type=Path, default=None)
    ap.add_argument("-k", "--top-k", type=int, default=3)
    ap.add_argument("--show", type=int, default=0, metavar="N", help="print N questions whose fact focusing lost")
    args = ap.parse_args(argv)
    engine = Engine.open(args.corpus, args.index or default_index(args.corpus))
    items, _ = load_gold([args.gold])
    cache: dict = {}
    first_f, first_w, all_f, all_w = [], [], [], []
    cut = 0
    before = kept = 0
    lost = []
    for item in items:
        if not item.expect:
            continue
        answer = engine.ask(item.question, history=list(item.history), top_k=args.top_k)
        if not answer.passages:
            continue
        wholes = [whole_text(args.corpus, p, cache) for p in answer.passages]
        first_f.append(len(answer.passages[0].text))
        first_w.append(len(wholes[0]))
        all_f.append(sum(len(p.text) for p in answer.passages))
        all_w.append(sum(len(w) for w in wholes))
        cut += (answer.passages[0].start_line, answer.passages[0].end_line) != (
            answer.passages[0].section_start_line, answer.passages[0].section_end_line)
        p = answer.passages[0]
        if relevant(item.expect, p, wholes[0]):
            before += 1
            if relevant(item.expect, p, p.text):
                kept += 1
            else:
                lost.append((item, p, wholes[0]))
    n = len(first_f)
    print(f"{args.gold.name}: {n} answered questions with expectations (k={args.top_k})")
    print(f"{'':24}{'median':>8}{'p90':>8}")
    for name, values in (("first quote, focused", first_f), ("first quote, whole", first_w),
                         ("all quotes, focused", all_f), ("all quotes, whole", all_w)):
        print(f"{name:24}{statistics.median(values):8.0f}{percentile(values, 0.9):8.0f}")
    print(f"first quote cut: {cut}/{n} ({cut / n:.2f})")
    print(f"retention: {kept}/{before} = {kept / before:.3f} "
          "(first passage section-relevant whole -> still relevant focused)")
    for item, p, whole in lost[: args.show]:
        print(f"\n-- {item.id}: {item.question}\n   wants {[e.contains_any for e in item.expect]}"
              f"\n   focused {p.source}:{p.start_line}-{p.end_line} of {p.section_start_line}-{p.section_end_line}:"
              f"\n   {p.text[:400]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
