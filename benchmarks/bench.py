"""rxquote speed benchmark (issue #5): one command, one table, three systems side by side.

    /work/venv/bin/python benchmarks/bench.py [--rxhive PATH] [--queries N] [--markdown]

For the seed corpus and for rxhive (default: ../shared/corpus/rxhive beside the checkout;
skipped when absent) it measures, on this machine, in one run:

- build: `rxquote index` of the corpus into a fresh folder (wall time, subprocess); then the
  rebuild after one file's content changes (rxquote only). For rank-bm25 and bm25s, "build" is
  their index construction over the very same chunk tokens (read from rxquote's index), so
  parsing and tokenizing, which are the same for all three, are not counted for them;
- load: rxquote `Engine.open` (staleness check + verified load + engine set-up); bm25s
  `BM25.load`; rank-bm25 has no saved form (it rebuilds on every start: see cold);
- query p50/p95: in-process time per question over the same sample of questions — rxquote's
  whole `Engine.ask` (names, intents, safety, ranking, reading passages) and its bare exact fast
  path (analyzer + `BM25Index.top_k(10)`), rank-bm25 `get_scores` + top 10, bm25s `retrieve`
  (k=10, one thread);
- cold: wall time of a new process answering one question (median of several runs):
  `rxquote ask`, and for the baselines import + load/build + one query; plus
  `python -c "import rank_bm25"` as the yardstick of the seed target;
- RSS: peak resident memory of those cold processes (os.wait4's ru_maxrss);
- batch: `rxquote ask --json --batch` over the query sample (start-up paid once).

Every subprocess is this file run with `--worker …`, or the `rxquote` console script.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PY = sys.executable
WARM_UP = ("what is diazepam used for?", "side effects of imipramin", "how should I store zzzqx tablets?")
RXQUOTE = str(Path(PY).with_name("rxquote"))


# -- subprocess measurement -----------------------------------------------------------------


def run_rss(cmd: list[str], stdin_path: str | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, stdout) of one child, reaped with os.wait4 for its rusage."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=stdin, stdout=out, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        if stdin_path:
            stdin.close()
        out.seek(0)
        err.seek(0)
        if p.returncode != 0:
            raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}\n{err.read().decode(errors='replace')[-2000:]}")
        return wall, usage.ru_maxrss / 1024, out.read().decode("utf-8", errors="replace")


def cold(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Median wall seconds and max peak RSS (MB) over `repeat` runs (after one warm-up run)."""
    run_rss(cmd)  # warm the page cache: we measure start-up, not the disk
    walls, rss = [], []
    for _ in range(repeat):
        w, r, _ = run_rss(cmd)
        walls.append(w)
        rss.append(r)
    return statistics.median(walls), max(rss)


def cold_pair(a: list[str], b: list[str], repeat: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """`cold` for two commands run alternately, so that a busy moment hits both alike."""
    run_rss(a)
    run_rss(b)
    wa, ra, wb, rb = [], [], [], []
    for _ in range(repeat):
        for cmd, walls, rss in ((a, wa, ra), (b, wb, rb)):
            w, r, _ = run_rss(cmd)
            walls.append(w)
            rss.append(r)
    return (statistics.median(wa), max(ra)), (statistics.median(wb), max(rb))


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


# -- workers (run in their own processes) ---------------------------------------------------


def load_tokens(index_dir: Path) -> list[list[str]]:
    """The chunk tokens rxquote indexed, as lists of words (for the baselines)."""
    man = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    gen = index_dir / man["generation"]
    from rxquote.segments import generation_tokens

    vocab = json.loads((gen / "token_vocab.json").read_text(encoding="utf-8"))  # what the tokens are ids into
    ids, ptr = (a.tolist() for a in generation_tokens(gen))
    words = [vocab[i] for i in ids]
    return [words[ptr[d] : ptr[d + 1]] for d in range(len(ptr) - 1)]


def worker(args) -> None:
    kind = args.worker
    queries = json.loads(Path(args.qfile).read_text(encoding="utf-8")) if args.qfile else []
    out: dict = {}
    if kind == "tokens":  # tokens of the sample; keep questions sharing a word with the corpus
        from rxquote.index import load

        idx = load(Path(args.index))
        sample = [{"question": q["question"], "tokens": idx.analyzer.tokens(q["question"])} for q in queries]
        sample = [s for s in sample if any(t in idx.bm25.term_id for t in s["tokens"])]
        Path(args.qfile).write_text(json.dumps(sample), encoding="utf-8")
        return
    if kind == "rxquote":
        from rxquote.answer import Engine

        t = time.perf_counter()
        engine = Engine.open(Path(args.corpus), Path(args.index))
        out["load"] = time.perf_counter() - t
        an, bm = engine.index.analyzer, engine.index.bm25
        for q in WARM_UP:  # lazy imports (stemmer, fuzzy matcher) happen once per process
            engine.ask(q, top_k=10)
        ask, fast = [], []
        for q in queries:
            t = time.perf_counter()
            engine.ask(q["question"], top_k=10)
            ask.append(time.perf_counter() - t)
        for q in queries:
            t = time.perf_counter()
            bm.top_k(an.tokens(q["question"]), 10)
            fast.append(time.perf_counter() - t)
        out["ask"], out["fast"] = ask, fast
    elif kind == "rank-bm25":
        import numpy as np
        from rank_bm25 import BM25Okapi

        t = time.perf_counter()
        docs = load_tokens(Path(args.index))
        out["read"] = time.perf_counter() - t
        t = time.perf_counter()
        model = BM25Okapi(docs)
        out["build"] = time.perf_counter() - t
        times = []
        for q in queries:
            t = time.perf_counter()
            s = model.get_scores(q["tokens"])
            np.argsort(-s, kind="stable")[:10]  # the top 10, as a search would return them
            times.append(time.perf_counter() - t)
        out["query"] = times
    elif kind == "bm25s":
        import bm25s

        save = Path(args.save)
        if args.one:  # cold: load the saved index and answer one question
            model = bm25s.BM25.load(str(save), show_progress=False)
            q = [t for t in queries[0]["tokens"] if t in model.vocab_dict]
            model.retrieve([q], k=10, show_progress=False, n_threads=1)
        else:
            docs = load_tokens(Path(args.index))
            t = time.perf_counter()
            model = bm25s.BM25()
            model.index(docs, show_progress=False)
            out["build"] = time.perf_counter() - t
            model.save(str(save), show_progress=False)
            t = time.perf_counter()
            model = bm25s.BM25.load(str(save), show_progress=False)
            out["load"] = time.perf_counter() - t
            vocab = model.vocab_dict
            times = []
            for q in queries:
                toks = [t for t in q["tokens"] if t in vocab]
                t = time.perf_counter()
                if toks:
                    model.retrieve([toks], k=10, show_progress=False, n_threads=1)
                times.append(time.perf_counter() - t)
            out["query"] = times
    print(json.dumps(out))


# -- the benchmark --------------------------------------------------------------------------


def questions(path: Path, n: int, seed: int = 5) -> list[str]:
    qs = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    random.Random(seed).shuffle(qs)
    return qs[:n]


def bench_corpus(name: str, corpus: Path, qs: list[str], work: Path, repeat: int, log) -> dict:
    log(f"[{name}] copying the corpus")
    src = work / f"{name}-corpus"
    shutil.copytree(corpus, src)
    index = work / f"{name}-index"
    r: dict = {"name": name}

    log(f"[{name}] rxquote index (full)")
    r["build"], r["build_rss"], _ = run_rss([RXQUOTE, "index", "--corpus", str(src), "--index", str(index)])
    victim = sorted(p for p in src.rglob("*") if p.suffix in (".md", ".txt"))[0]
    with open(victim, "a", encoding="utf-8") as f:
        f.write("\nAn extra line added by the benchmark.\n")
    log(f"[{name}] rxquote index (after changing {victim.relative_to(src)})")
    r["rebuild"], _, _ = run_rss([RXQUOTE, "index", "--corpus", str(src), "--index", str(index)])

    # the question sample, with the tokens rxquote's analyzer gives them (for the baselines);
    # computed in a child so that this process stays small (a forked child's peak RSS starts
    # from its parent's)
    qfile = work / f"{name}-queries.json"
    qfile.write_text(json.dumps([{"question": q} for q in qs]), encoding="utf-8")
    me = [PY, str(Path(__file__).resolve())]
    run_rss(me + ["--worker", "tokens", "--index", str(index), "--qfile", str(qfile)])
    sample = json.loads(qfile.read_text(encoding="utf-8"))
    r["n_queries"] = len(sample)

    common = ["--corpus", str(src), "--index", str(index), "--qfile", str(qfile)]
    log(f"[{name}] rxquote queries ({len(sample)})")
    _, _, out = run_rss(me + ["--worker", "rxquote"] + common)
    rx = json.loads(out)
    log(f"[{name}] rank-bm25 build + queries")
    _, rb_rss, out = run_rss(me + ["--worker", "rank-bm25"] + common)
    rb = json.loads(out)
    save = work / f"{name}-bm25s"
    log(f"[{name}] bm25s build + queries")
    _, _, out = run_rss(me + ["--worker", "bm25s", "--save", str(save)] + common)
    bs = json.loads(out)

    r["load"], r["bm25s_load"] = rx["load"], bs["load"]
    r["rankbm25_build"], r["bm25s_build"] = rb["build"], bs["build"]
    for key, xs in (("ask", rx["ask"]), ("fast", rx["fast"]), ("rankbm25_q", rb["query"]), ("bm25s_q", bs["query"])):
        r[f"{key}_p50"], r[f"{key}_p95"] = pct(xs, 0.5), pct(xs, 0.95)

    log(f"[{name}] cold starts")
    q0 = sample[0]["question"] if sample else "what is diazepam used for?"
    ask = [RXQUOTE, "ask", "--corpus", str(src), "--index", str(index), q0]
    (r["cold"], r["cold_rss"]), (r["yardstick"], _) = cold_pair(ask, [PY, "-c", "import rank_bm25"], repeat)
    one = work / f"{name}-one.json"
    one.write_text(json.dumps(sample[:1]), encoding="utf-8")
    base_repeat = max(1, repeat // 2) if name != "seed" else repeat
    r["rankbm25_cold"], r["rankbm25_rss"] = cold(me + ["--worker", "rank-bm25", "--one", "--index", str(index), "--qfile", str(one)], base_repeat)
    r["bm25s_cold"], r["bm25s_rss"] = cold(me + ["--worker", "bm25s", "--one", "--save", str(save), "--qfile", str(one)], base_repeat)

    log(f"[{name}] batch of {len(sample)}")
    batch = work / f"{name}-batch.jsonl"
    batch.write_text("".join(json.dumps({"id": i, "question": s["question"]}) + "\n" for i, s in enumerate(sample)), encoding="utf-8")
    r["batch"], r["batch_rss"], _ = run_rss([RXQUOTE, "ask", "--json", "--batch", str(batch), "-k", "10", "--corpus", str(src), "--index", str(index)])
    return r


def fmt_s(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x * 1000:.2f} ms" if x < 1 else f"{x:.2f} s"


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "n/a"
    x = b / a
    return f"{x:.0f}×" if x >= 10 else f"{x:.2g}×"


def table(r: dict) -> list[str]:
    rows = [
        ("build (full)", r["build"], r["rankbm25_build"], r["bm25s_build"]),
        ("rebuild, 1 file changed", r["rebuild"], None, None),
        ("load / open", r["load"], None, r["bm25s_load"]),
        ("query p50 (rxquote: whole ask)", r["ask_p50"], r["rankbm25_q_p50"], r["bm25s_q_p50"]),
        ("query p95 (rxquote: whole ask)", r["ask_p95"], r["rankbm25_q_p95"], r["bm25s_q_p95"]),
        ("query p50 (rxquote: exact fast path)", r["fast_p50"], r["rankbm25_q_p50"], r["bm25s_q_p50"]),
        ("query p95 (rxquote: exact fast path)", r["fast_p95"], r["rankbm25_q_p95"], r["bm25s_q_p95"]),
        ("cold: new process, one question", r["cold"], r["rankbm25_cold"], r["bm25s_cold"]),
    ]
    out = [f"### {r['name']} ({r['chunks']} chunks, {r['n_queries']} questions)", "",
           "| | rxquote | rank-bm25 full scan | bm25s | rank-bm25 ÷ rxquote | bm25s ÷ rxquote |",
           "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for label, a, b, c in rows:
        out.append(f"| {label} | {fmt_s(a)} | {fmt_s(b)} | {fmt_s(c)} | {ratio(a, b)} | {ratio(a, c)} |")
    out.append(f"| peak RSS, cold process | {r['cold_rss']:.0f} MB | {r['rankbm25_rss']:.0f} MB | {r['bm25s_rss']:.0f} MB | "
               f"{ratio(r['cold_rss'], r['rankbm25_rss'])} | {ratio(r['cold_rss'], r['bm25s_rss'])} |")
    out.append(f"| `ask --batch` of {r['n_queries']} questions (one process) | {fmt_s(r['batch'])} total, "
               f"{fmt_s(r['batch'] / max(1, r['n_queries']))} each | | | | |")
    out.append("")
    out.append("rank-bm25 and bm25s build times count only their index construction over rxquote's chunk tokens; "
               "rank-bm25 has no saved form, so its cold start includes that build.")
    return out


def targets(results: dict, import_rank_bm25: float) -> list[str]:
    out = ["| target | measured | met |", "| --- | --- | --- |"]

    def row(label, measured, ok):
        out.append(f"| {label} | {measured} | {'yes' if ok else '**no**'} |")

    seed = results.get("seed")
    if seed:
        row("cold `ask` on seed ≤ 2.5 × `python -c \"import rank_bm25\"`",
            f"{fmt_s(seed['cold'])} vs {fmt_s(import_rank_bm25)} = {seed['cold'] / import_rank_bm25:.2f}×",
            seed["cold"] <= 2.5 * import_rank_bm25)
    rx = results.get("rxhive")
    if rx:
        row("cold `ask` on rxhive ≤ 1.5 s", fmt_s(rx["cold"]), rx["cold"] <= 1.5)
        row("query median ≤ 5 ms (whole ask)", fmt_s(rx["ask_p50"]), rx["ask_p50"] <= 0.005)
        row("query p95 ≤ 20 ms (whole ask)", fmt_s(rx["ask_p95"]), rx["ask_p95"] <= 0.020)
        row("≥ 10× faster than rank-bm25 full scan (median, whole ask)",
            f"{rx['rankbm25_q_p50'] / rx['ask_p50']:.0f}× (fast path: {rx['rankbm25_q_p50'] / rx['fast_p50']:.0f}×)",
            rx["rankbm25_q_p50"] >= 10 * rx["ask_p50"])
        row("full build ≤ 60 s", fmt_s(rx["build"]), rx["build"] <= 60)
        row("rebuild after one file changed ≤ 25 % of full",
            f"{fmt_s(rx['rebuild'])} = {100 * rx['rebuild'] / rx['build']:.0f} %", rx["rebuild"] <= 0.25 * rx["build"])
        row("peak RSS of `ask` ≤ 600 MB", f"{rx['cold_rss']:.0f} MB", rx["cold_rss"] <= 600)
        row("batch pays start-up once",
            f"{rx['n_queries']} questions in {fmt_s(rx['batch'])} vs {fmt_s(rx['cold'])} for one",
            rx["batch"] < 0.5 * rx["n_queries"] * rx["cold"])
    return out


def machine() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    try:
        load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        load = "unknown"
    import numpy

    vers = [f"numpy {numpy.__version__}"]
    for mod in ("rank_bm25", "bm25s"):
        try:
            from importlib.metadata import version

            vers.append(f"{mod.replace('_', '-')} {version(mod.replace('_', '-'))}")
        except Exception:
            pass
    return [f"- date: {time.strftime('%Y-%m-%d %H:%M %Z')}",
            f"- machine: {os.cpu_count()} CPUs ({cpu}), {mem} RAM, {platform.system()} {platform.release()}",
            f"- Python {platform.python_version()}; {', '.join(vers)}",
            f"- load average at the end of the run: {load}"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rxhive", type=Path, default=SHARED / "corpus" / "rxhive", help="rxhive corpus (skipped when absent)")
    ap.add_argument("--queries", type=int, default=300, help="questions sampled per corpus (default 300)")
    ap.add_argument("--repeat", type=int, default=5, help="cold-start runs per measurement (median)")
    ap.add_argument("--markdown", type=Path, help="also write the report (tables + machine) to this file")
    ap.add_argument("--only", choices=("seed", "rxhive"), help="one corpus only")
    # worker mode
    ap.add_argument("--worker", choices=("tokens", "rxquote", "rank-bm25", "bm25s"), help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    ap.add_argument("--index", help=argparse.SUPPRESS)
    ap.add_argument("--save", help=argparse.SUPPRESS)
    ap.add_argument("--qfile", help=argparse.SUPPRESS)
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    eval_dir = SHARED / "eval"
    corpora = []
    if args.only in (None, "seed"):
        seed_qs = questions(eval_dir / "seed-dev.jsonl", args.queries) if (eval_dir / "seed-dev.jsonl").is_file() else [
            "what is diazepam used for?", "side effects of imipramine", "can I stop diazepam suddenly?"]
        corpora.append(("seed", ROOT / "seeds", seed_qs))
    if args.only in (None, "rxhive"):
        if args.rxhive.is_dir() and (eval_dir / "rxhive-templates.jsonl").is_file():
            corpora.append(("rxhive", args.rxhive, questions(eval_dir / "rxhive-templates.jsonl", args.queries)))
        else:
            log(f"rxhive skipped: {args.rxhive} or {eval_dir / 'rxhive-templates.jsonl'} not found")

    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="rxquote-bench-") as tmp:
        for name, corpus, qs in corpora:
            r = bench_corpus(name, corpus, qs, Path(tmp), args.repeat, log)
            man = json.loads((Path(tmp) / f"{name}-index" / "manifest.json").read_text(encoding="utf-8"))
            r["chunks"] = man["counts"]["chunks"]
            results[name] = r
    imp = results["seed"]["yardstick"] if "seed" in results else cold([PY, "-c", "import rank_bm25"], args.repeat)[0]
    lines = ["## Results", ""]
    for r in results.values():
        lines += table(r) + [""]
    lines += [f"Yardstick: `python -c \"import rank_bm25\"` takes {fmt_s(imp)} (median of {args.repeat}, runs alternating "
              "with the seed's cold `ask`).", "",
              "## Targets (issue #5)", ""] + targets(results, imp) + ["", "## Machine", ""] + machine()
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    (Path(tempfile.gettempdir()) / "rxquote-bench-last.json").write_text(json.dumps({"import_rank_bm25": imp, **results}, indent=1))


if __name__ == "__main__":
    main()
