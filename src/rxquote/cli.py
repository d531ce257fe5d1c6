"""Command line: `rxquote [chat|ask|index|chunks|eval]` (see SPEC.md).

Heavy modules (Textual, the evaluation libraries, rich) are imported only by the commands that
use them, so `rxquote ask` starts fast.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys
from pathlib import Path

from . import __version__
from .errors import IndexProblem, UsageError
from .progress import progress_bar
from .startup import BUILD_STAGES, open_engine, resolve_paths
from .startup import default_corpus, default_index  # noqa: F401  (their old home: scripts import them from here)

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE = 0, 1, 2
MAX_BATCH_LINE_CHARS = 8 * 1024 * 1024  # a longer batch line is answered with an error object
# every earlier question is read again to find the conversation's medicine: a longer history is
# refused (an error, not a silent cut, so the answer is always what the chat would answer)
MAX_HISTORY = 100


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _path_arg(value: str) -> Path:
    if not value.strip():
        raise argparse.ArgumentTypeError("an empty path")
    if "\x00" in value:
        raise argparse.ArgumentTypeError("a path with a NUL character")
    return Path(value)


def _common(p: argparse.ArgumentParser, default_k: int = 3) -> None:
    p.add_argument("--corpus", type=_path_arg, default=argparse.SUPPRESS, metavar="DIR",
                   help="folder of monographs (default: the project's seeds/; env RXQUOTE_CORPUS)")
    p.add_argument("--index", type=_path_arg, default=argparse.SUPPRESS, metavar="DIR",
                   help="index folder (default: the project's index/; env RXQUOTE_INDEX)")
    p.add_argument("-k", "--top-k", type=int, default=argparse.SUPPRESS, metavar="N", help=f"passages to return (default {default_k})")
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="rxquote", description="Answers questions about medicines by quoting monographs verbatim.")
    _common(parser)
    parser.add_argument("--version", action="version", version=f"rxquote {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    chat = sub.add_parser("chat", help="the chat UI (default)")
    _common(chat)
    ask = sub.add_parser("ask", help="answer one question (or a batch)")
    _common(ask)
    ask.add_argument("question", nargs="?", help="the question")
    ask.add_argument("--json", action="store_true", help="print the SPEC JSON object")
    ask.add_argument("--batch", metavar="FILE", help="JSON lines {id, question, history?, focus?, medicines?}; '-' = stdin")
    ask.add_argument("--history", action="append", default=[], metavar="Q", help="an earlier question (repeatable, oldest first)")
    ask.add_argument("--focus", action="append", default=[], metavar="MEDICINE",
                     help="the medicine in focus, as chosen in the chat's sidebar (repeatable)")
    ask.add_argument("--medicines", metavar="A,B", default=None,
                     help="the person's own medicines, comma-separated (\"my medicines\" in the chat)")
    ask.add_argument("--explain", action="store_true", help="show tokens, medicines, intent and scores")
    ask.add_argument("--full", action="store_true", help="quote whole sections, not only the lines that answer")
    idx = sub.add_parser("index", help="build or refresh the index")
    _common(idx)
    idx.add_argument("--force", action="store_true", help="rebuild even if the index is current")
    ch = sub.add_parser("chunks", help="print the indexed chunks")
    _common(ch)
    ch.add_argument("--json", action="store_true", help="JSON lines (the only format)")
    ev = sub.add_parser("eval", help="retrieval evaluation on gold JSONL files")
    _common(ev, default_k=10)
    ev.add_argument("gold", nargs="+", type=Path, metavar="GOLD.jsonl")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.add_argument("--fail-under", action="append", default=[], metavar="METRIC=VALUE",
                    help="exit 1 when a metric is below VALUE, e.g. resolved=0.97 (repeatable)")
    ev.add_argument("--fail-over", action="append", default=[], metavar="METRIC=VALUE",
                    help="exit 1 when a metric where less is better is above VALUE, e.g. false_emergency_rate=0")
    ev.add_argument("--no-baselines", action="store_true", help="skip the plain and stemmed BM25 baselines")
    return parser


# -- commands --------------------------------------------------------------------------------


def cmd_ask(args) -> int:
    from .focus import section_text
    from .render import to_json_line, to_text

    top_k = getattr(args, "top_k", 3)
    if top_k < 1:
        raise UsageError("--top-k must be at least 1")
    if args.batch is not None:
        return _ask_batch(args, top_k)
    if args.question is None:
        raise UsageError("ask needs a QUESTION (or --batch FILE)")
    if not args.question.strip():
        raise UsageError("empty question: ask about a medicine, e.g. rxquote ask \"what is diazepam used for?\"")
    if len(args.history) > MAX_HISTORY:
        raise UsageError(f"too many --history questions (at most {MAX_HISTORY})")
    engine = open_engine(args)
    answer = engine.ask(args.question, history=args.history, top_k=top_k, focus=args.focus or None, explain=args.explain,
                        medicines=_medicine_list(args.medicines))
    out = to_json_line(answer) if args.json else to_text(answer, explain=args.explain, full=(
        lambda p: section_text(p, engine.source_path(p.source))) if args.full else None)
    sys.stdout.write(out + "\n")
    return EXIT_OK


def _ask_batch(args, top_k: int) -> int:
    from .render import to_json_line

    if not args.json:
        raise UsageError("--batch writes JSON lines: add --json")
    # bytes decoded here: a BOM is dropped, undecodable bytes become U+FFFD (that line then
    # fails as JSON or is answered), never a crash
    if args.batch == "-":
        raw = getattr(sys.stdin, "buffer", None)  # None when stdin was replaced by a text stream
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace") if raw is not None else sys.stdin
    else:
        if os.path.isdir(args.batch):
            raise UsageError(f"cannot read {args.batch}: it is a folder")
        try:
            stream = open(args.batch, encoding="utf-8-sig", errors="replace")
        except OSError as e:
            raise UsageError(f"cannot read {args.batch}: {e.strerror}") from e
    failed = 0
    with stream:
        engine = open_engine(args)
        for n, line, too_long in _batch_lines(stream):
            if too_long:
                item, error = None, f"line {n}: longer than {MAX_BATCH_LINE_CHARS // (1024 * 1024)} MB (not read)"
            elif not line.strip():
                continue  # blank lines separate nothing and ask nothing: skipped, as JSON Lines allows
            else:
                item, error = _parse_batch_line(line, n)
            if error:
                failed += 1
                sys.stdout.write(json.dumps({"id": _echo_id(item), "error": error}, ensure_ascii=True) + "\n")
                continue
            answer = engine.ask(item["question"], history=item.get("history") or [], top_k=top_k,
                                focus=item.get("focus") or None, id=item.get("id"),
                                medicines=item.get("medicines") or _medicine_list(args.medicines))
            sys.stdout.write(to_json_line(answer) + "\n")
    sys.stdout.flush()
    if failed:
        print(f"rxquote: {failed} batch line(s) could not be read (see their \"error\" objects)", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _medicine_list(value: str | None) -> list[str] | None:
    """`--medicines "Sertraline, Metoprolol"` → ["Sertraline", "Metoprolol"]."""
    if not value:
        return None
    return [m.strip() for m in value.split(",") if m.strip()] or None


def _batch_lines(stream):
    """(line number, line, too_long) for each line, reading at most MAX_BATCH_LINE_CHARS of one."""
    n = 0
    while True:
        line = stream.readline(MAX_BATCH_LINE_CHARS + 1)
        if not line:
            return
        n += 1
        if len(line) > MAX_BATCH_LINE_CHARS and not line.endswith("\n"):
            while True:  # skip the rest of the line without holding it
                rest = stream.readline(1 << 20)
                if not rest or rest.endswith("\n"):
                    break
            yield n, "", True
            continue
        yield n, line, False


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def _echo_id(item) -> object:
    """The line's id when it can be echoed as strict JSON, else null."""
    if not isinstance(item, dict):
        return None
    value = item.get("id")
    try:
        json.dumps(value, allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        return None
    return value


def _parse_batch_line(line: str, n: int) -> tuple[dict | None, str | None]:
    try:
        item = json.loads(line, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        return None, f"line {n}: not valid JSON (nested too deeply)"
    except ValueError as e:  # JSONDecodeError, NaN/Infinity, an integer with too many digits
        why = getattr(e, "msg", None) or str(e)
        return None, f"line {n}: not valid JSON ({why[:200]})"
    if not isinstance(item, dict):
        return None, f"line {n}: expected a JSON object"
    if "id" in item:
        try:
            json.dumps(item["id"], allow_nan=False)
        except (ValueError, TypeError, RecursionError):
            return None, f"line {n}: \"id\" cannot be echoed as JSON"
    if not isinstance(item.get("question"), str):
        return item, f"line {n}: \"question\" must be a string"
    if not item["question"].strip():
        return item, f"line {n}: empty question"
    hist = item.get("history")
    if hist is not None and not (isinstance(hist, list) and all(isinstance(h, str) for h in hist)):
        return item, f"line {n}: \"history\" must be a list of strings"
    focus = item.get("focus")
    if focus is not None and not (isinstance(focus, list) and all(isinstance(f, str) for f in focus)):
        return item, f"line {n}: \"focus\" must be a list of medicine names"
    meds = item.get("medicines")
    if meds is not None and not (isinstance(meds, list) and all(isinstance(m, str) for m in meds)):
        return item, f"line {n}: \"medicines\" must be a list of medicine names"
    if hist is not None and len(hist) > MAX_HISTORY:
        return item, f"line {n}: \"history\" has more than {MAX_HISTORY} questions"
    return item, None


def _shown(value) -> str:
    """A path or name as literal, printable text for rich: no markup, no terminal controls."""
    from rich.markup import escape

    from .render import safe_text

    return escape(safe_text(str(value)))


def _stdout_console():
    """rich's console for stdout. Piped or redirected there is no terminal width to wrap at, so
    lines are never wrapped (a file name is never broken mid-word for the reader or a script)."""
    from rich.console import Console

    if sys.stdout.isatty():
        return Console(stderr=False)
    return Console(stderr=False, width=10_000, soft_wrap=True)


def cmd_index(args) -> int:
    from rich.table import Table

    from .corpus import scan_corpus
    from .index import build, stale_reason

    corpus, index = resolve_paths(args)
    console = _stdout_console()
    scan = scan_corpus(corpus) if corpus.is_dir() else None  # one walk of the corpus for the check and the build
    reason = stale_reason(index, corpus, scan=scan)
    if reason is None and not args.force:
        console.print(f"Index is up to date: {_shown(index)}", highlight=False)
        return EXIT_OK
    with progress_bar(True, BUILD_STAGES) as progress:
        try:
            report = build(corpus, index, progress, scan=scan)
        except IndexProblem as e:
            raise UsageError(str(e)) from e
        except OSError as e:  # the index folder: read-only, full, refused by the OS
            raise UsageError(f"cannot write the index {index}: {e.strerror or e}") from e
    table = Table(title=f"Index of {_shown(corpus)}", show_header=False)
    table.add_row("files", str(report.files))
    table.add_row("medicines", str(report.medicines))
    table.add_row("chunks", str(report.chunks))
    for s, n in report.per_section.items():
        table.add_row(f"  {s}", str(n))
    table.add_row("time", f"{report.seconds:.1f} s" + (f" ({report.reused_files} files reused)" if report.reused_files else ""))
    table.add_row("index", _shown(index))
    console.print(table)
    if report.problems:
        console.print(f"[yellow]{len(report.problems)} file(s) not parsed fully:[/yellow]")
        for rel, why in sorted(report.problems.items()):
            console.print(f"  {_shown(rel)}: {_shown('; '.join(why))}", highlight=False)
    if report.chunks == 0:
        raise UsageError(f"no monographs found in {corpus}: nothing was indexed (a corpus is a folder of .md or .txt monograph pages)")
    return EXIT_OK


def cmd_chunks(args) -> int:
    engine = open_engine(args)
    out = sys.stdout
    for c in engine.index.iter_chunks():
        out.write(json.dumps(c.to_dict(), ensure_ascii=True) + "\n")
    return EXIT_OK


def cmd_eval(args) -> int:
    from .cli_eval import run

    corpus, index = resolve_paths(args)
    return run(args, corpus, index)


def cmd_chat(args) -> int:
    from .tui.app import run

    corpus, index = resolve_paths(args)
    return run(corpus, index, top_k=getattr(args, "top_k", 3)) or EXIT_OK


COMMANDS = {"ask": cmd_ask, "index": cmd_index, "chunks": cmd_chunks, "eval": cmd_eval, "chat": cmd_chat, None: cmd_chat}


def _say(message: str) -> None:
    """One line on stderr, printable whatever the message holds (paths and input are echoed)."""
    from .render import safe_text

    line = safe_text(message).replace("\n", " ")
    print(f"rxquote: {line}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    for stream in (sys.stdout, sys.stderr):  # an ASCII or odd locale degrades characters, never crashes
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):  # pragma: no cover
                pass
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except UsageError as e:
        _say(str(e))
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
        _say(f"internal error: {type(e).__name__}: {e} (run with --debug for details)")
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
