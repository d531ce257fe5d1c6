"""Command line: `rxquote [chat|ask|index|chunks|eval]` (see SPEC.md).

Heavy modules (Textual, the evaluation libraries, rich) are imported only by the commands that
use them, so `rxquote ask` starts fast.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad usage or unreadable input: exit 2 with one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        raise UsageError(f"{message} (see '{self.prog} --help')")


# -- defaults --------------------------------------------------------------------------------


def project_root() -> Path | None:
    """The source checkout this package runs from (editable install), if any."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "seeds").is_dir() else None


def default_corpus() -> Path:
    env = os.environ.get("RXQUOTE_CORPUS")
    if env:
        return Path(env)
    root = project_root()
    if root is not None:
        return root / "seeds"
    return Path(__file__).resolve().parent / "_seeds"  # the wheel's copy of seeds/


def default_index(corpus: Path) -> Path:
    env = os.environ.get("RXQUOTE_INDEX")
    if env:
        return Path(env)
    root = project_root()
    base = root / "index" if root is not None else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rxquote" / "index"
    if corpus.resolve() == default_corpus().resolve():
        return base
    # another corpus gets its own subfolder, so switching corpora never clobbers the seeds index
    tag = hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:8]
    return base / f"{corpus.resolve().name}-{tag}"


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", type=Path, default=argparse.SUPPRESS, metavar="DIR",
                   help="folder of monographs (default: the project's seeds/; env RXQUOTE_CORPUS)")
    p.add_argument("--index", type=Path, default=argparse.SUPPRESS, metavar="DIR",
                   help="index folder (default: the project's index/; env RXQUOTE_INDEX)")
    p.add_argument("-k", "--top-k", type=int, default=argparse.SUPPRESS, metavar="N", help="passages to return (default 3)")
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="rxquote", description="Answers questions about medicines by quoting monographs verbatim.")
    _common(parser)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    chat = sub.add_parser("chat", help="the chat UI (default)")
    _common(chat)
    ask = sub.add_parser("ask", help="answer one question (or a batch)")
    _common(ask)
    ask.add_argument("question", nargs="?", help="the question")
    ask.add_argument("--json", action="store_true", help="print the SPEC JSON object")
    ask.add_argument("--batch", metavar="FILE", help="JSON lines {id, question, history?}; '-' = stdin")
    ask.add_argument("--history", action="append", default=[], metavar="Q", help="an earlier question (repeatable, oldest first)")
    ask.add_argument("--explain", action="store_true", help="show tokens, medicines, intent and scores")
    idx = sub.add_parser("index", help="build or refresh the index")
    _common(idx)
    idx.add_argument("--force", action="store_true", help="rebuild even if the index is current")
    ch = sub.add_parser("chunks", help="print the indexed chunks")
    _common(ch)
    ch.add_argument("--json", action="store_true", help="JSON lines (the only format)")
    ev = sub.add_parser("eval", help="retrieval evaluation on gold JSONL files")
    _common(ev)
    ev.add_argument("gold", nargs="+", type=Path, metavar="GOLD.jsonl")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.add_argument("--fail-under", action="append", default=[], metavar="METRIC=VALUE",
                    help="exit 1 when a metric is below VALUE, e.g. section_hit@1=0.9 (repeatable)")
    ev.add_argument("--no-baselines", action="store_true", help="skip the plain and stemmed BM25 baselines")
    return parser


def _resolve_paths(args) -> tuple[Path, Path]:
    corpus = getattr(args, "corpus", None) or default_corpus()
    if not corpus.exists():
        raise UsageError(f"corpus folder not found: {corpus}")
    if not corpus.is_dir():
        raise UsageError(f"corpus is not a folder: {corpus}")
    index = getattr(args, "index", None) or default_index(corpus)
    if index.exists() and not index.is_dir():
        raise UsageError(f"index path is a file, not a folder: {index}")
    probe = index if index.exists() else next((p for p in index.parents if p.exists()), None)
    if probe is not None and not os.access(probe, os.W_OK):
        if not (index / "manifest.json").is_file():
            raise UsageError(f"index folder is not writable: {index}")
    return corpus, index


def _progress_bar(enabled: bool):
    """A rich progress callback for index builds (stderr), or a no-op."""
    if not enabled:
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    prog = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=False)
    tasks: dict[str, int] = {}
    names = {"parse": "Reading monographs", "index": "Building BM25 index", "names": "Medicine names", "write": "Writing index"}

    def cb(stage: str, done: int, total: int) -> None:
        if not prog.live.is_started:
            prog.start()
        if stage not in tasks:
            tasks[stage] = prog.add_task(names.get(stage, stage), total=total)
        prog.update(tasks[stage], completed=done, total=total)

    return cb, prog


def open_engine(args, show_progress: bool | None = None):
    from .answer import Engine
    from .index import IndexError_

    corpus, index = _resolve_paths(args)
    if show_progress is None:
        show_progress = sys.stderr.isatty()
    cb, prog = _progress_bar(show_progress)
    try:
        return Engine.open(corpus, index, cb)
    except IndexError_ as e:
        raise UsageError(str(e)) from e
    except PermissionError as e:
        raise UsageError(f"cannot write the index: {e.filename or index}") from e
    finally:
        if prog is not None and prog.live.is_started:
            prog.stop()


# -- commands --------------------------------------------------------------------------------


def cmd_ask(args) -> int:
    from .render import to_json_line, to_text

    top_k = getattr(args, "top_k", 3)
    if top_k < 1:
        raise UsageError("--top-k must be at least 1")
    if args.batch is not None:
        return _ask_batch(args, top_k)
    if args.question is None:
        raise UsageError("ask needs a QUESTION (or --batch FILE)")
    engine = open_engine(args)
    answer = engine.ask(args.question, history=args.history, top_k=top_k, explain=args.explain)
    out = to_json_line(answer) if args.json else to_text(answer, explain=args.explain)
    sys.stdout.write(out + "\n")
    return EXIT_OK


def _ask_batch(args, top_k: int) -> int:
    from .render import to_json_line

    if not args.json:
        raise UsageError("--batch writes JSON lines: add --json")
    if args.batch == "-":
        stream = sys.stdin
    else:
        try:
            stream = open(args.batch, encoding="utf-8", errors="replace")
        except OSError as e:
            raise UsageError(f"cannot read {args.batch}: {e.strerror}") from e
    engine = open_engine(args)
    failed = 0
    with stream:
        for n, line in enumerate(stream, 1):
            if not line.strip():
                continue
            item, error = _parse_batch_line(line, n)
            if error:
                failed += 1
                sys.stdout.write(json.dumps({"id": item.get("id") if item else None, "error": error}, ensure_ascii=True) + "\n")
                continue
            answer = engine.ask(item["question"], history=item.get("history") or [], top_k=top_k, id=item.get("id"))
            sys.stdout.write(to_json_line(answer) + "\n")
    sys.stdout.flush()
    if failed:
        print(f"rxquote: {failed} batch line(s) could not be read (see their \"error\" objects)", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _parse_batch_line(line: str, n: int) -> tuple[dict | None, str | None]:
    try:
        item = json.loads(line)
    except ValueError as e:
        return None, f"line {n}: not valid JSON ({e.msg})"
    if not isinstance(item, dict):
        return None, f"line {n}: expected a JSON object"
    if not isinstance(item.get("question"), str):
        return item, f"line {n}: \"question\" must be a string"
    hist = item.get("history")
    if hist is not None and not (isinstance(hist, list) and all(isinstance(h, str) for h in hist)):
        return item, f"line {n}: \"history\" must be a list of strings"
    return item, None


def cmd_index(args) -> int:
    from rich.console import Console
    from rich.table import Table

    from .index import build, stale_reason

    corpus, index = _resolve_paths(args)
    console = Console(stderr=False)
    reason = stale_reason(index, corpus)
    if reason is None and not args.force:
        console.print(f"Index is up to date: {index}")
        return EXIT_OK
    cb, prog = _progress_bar(True)
    try:
        report = build(corpus, index, cb)
    finally:
        if prog is not None and prog.live.is_started:
            prog.stop()
    table = Table(title=f"Index of {corpus}", show_header=False)
    table.add_row("files", str(report.files))
    table.add_row("medicines", str(report.medicines))
    table.add_row("chunks", str(report.chunks))
    for s, n in report.per_section.items():
        table.add_row(f"  {s}", str(n))
    table.add_row("time", f"{report.seconds:.1f} s" + (f" ({report.reused_files} files reused)" if report.reused_files else ""))
    table.add_row("index", str(index))
    console.print(table)
    if report.problems:
        console.print(f"[yellow]{len(report.problems)} file(s) not parsed fully:[/yellow]")
        from rich.markup import escape

        for rel, why in sorted(report.problems.items()):
            console.print(f"  {escape(rel)}: {escape('; '.join(why))}", highlight=False)
    return EXIT_OK


def cmd_chunks(args) -> int:
    engine = open_engine(args)
    out = sys.stdout
    for c in engine.index.iter_chunks():
        out.write(json.dumps(c.to_dict(), ensure_ascii=True) + "\n")
    return EXIT_OK


def cmd_eval(args) -> int:
    from .evaluate import run_cli

    corpus, index = _resolve_paths(args)
    return run_cli(args, corpus, index)


def cmd_chat(args) -> int:
    from .tui.app import run

    corpus, index = _resolve_paths(args)
    return run(corpus, index, top_k=getattr(args, "top_k", 3)) or EXIT_OK


COMMANDS = {"ask": cmd_ask, "index": cmd_index, "chunks": cmd_chunks, "eval": cmd_eval, "chat": cmd_chat, None: cmd_chat}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except UsageError as e:
        print(f"rxquote: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("rxquote: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK
    except Exception as e:  # one line for people; the traceback with --debug
        if debug:
            raise
        print(f"rxquote: internal error: {type(e).__name__}: {e} (run with --debug for details)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
