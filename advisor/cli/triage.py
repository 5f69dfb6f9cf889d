"""`advisor triage case` and `advisor triage batch`: decisions for support staff."""

from __future__ import annotations

import inspect
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from advisor.cli.common import (
    ExitCode,
    choose_language,
    emit_json,
    fail,
    os_reason,
    say,
    wants_json,
)
from advisor.cli.helptext import Typer
from advisor.cli.i18n import _, ngettext, translated
from advisor.cli.options import JsonOption, LangOption
from advisor.cli.registry import COMMANDS
from advisor.facts.case import FIELD_NAMES
from advisor.model import Status
from advisor.translatable import N_

if TYPE_CHECKING:
    from advisor.triage.batch import Writer

triage_app = Typer(help=COMMANDS["triage"].help)

_FACT_HELP = {
    "id": N_("Case id, echoed in the output."),
    "today": N_("Evaluation date (default: today)."),
    "card_generation": N_("idemia, thales or legacy."),
    "issue_date": N_("Date of issue printed on the card (17.11.2025, 2025-11-17, 17 Nov 2025)."),
    "expiry_date": N_("Expiry date of the card."),
    "document_type": N_("e_resident, id_card, digi_id, residence_permit or diplomatic."),
    "location": N_("estonia or abroad."),
}


_FACT_METAVAR = {
    "id": "ID",
    "card_generation": "CHIP",
    "document_type": "TYPE",
    "location": "PLACE",
}


def _fact_help(name: str) -> str:
    if name in _FACT_HELP:
        return _FACT_HELP[name]
    if name.endswith("_tries_left"):
        return N_("Attempts left, 0 to 3 (0 = blocked).")
    return N_("yes or no.")


def _fact_metavar(name: str) -> str:
    if name in _FACT_METAVAR:
        return _FACT_METAVAR[name]
    if name.endswith("_date") or name == "today":
        return "DATE"
    if name.endswith("_tries_left"):
        return "0-3"
    return "yes|no"


def option_name(token: str) -> str:
    """`--card_lost` and `--card-lost` name the same option: the contract's field names
    (contract §5 `--FIELD VALUE`) and the usual dashed spelling."""
    return token.replace("_", "-")


def _with_fact_options(func: Callable[..., None]) -> Callable[..., None]:
    """Give `triage case` one `--FIELD VALUE` option per fact of contract §1.

    Values stay text here and are parsed by the facts layer as human input, exactly as a
    CSV cell would be, so flags, CSV and the questionnaire accept the same spellings.
    """
    signature = inspect.signature(func, eval_str=True)
    params = [p for p in signature.parameters.values() if p.name != "facts_flags"]
    for name in FIELD_NAMES:
        option = typer.Option(
            f"--{name.replace('_', '-')}", metavar=_fact_metavar(name), help=_fact_help(name)
        )
        params.append(
            inspect.Parameter(
                f"fact_{name}",
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[str | None, option],
            )
        )

    def wrapper(**kwargs: Any) -> None:
        flags = {k.removeprefix("fact_"): v for k, v in kwargs.items() if k.startswith("fact_")}
        rest = {k: v for k, v in kwargs.items() if not k.startswith("fact_")}
        func(facts_flags={k: v for k, v in flags.items() if v is not None}, **rest)

    wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    wrapper.__doc__ = func.__doc__
    wrapper.__name__ = func.__name__
    return wrapper


@triage_app.command(
    "case",
    help=N_("Decide one case, from --facts JSON or from one --FIELD VALUE per fact."),
    context_settings={"token_normalize_func": option_name},
)
@_with_fact_options
def case(
    ctx: typer.Context,
    facts_json: Annotated[
        str | None,
        typer.Option(
            "--facts",
            metavar="JSON",
            help=N_("The case as one JSON object, with the fields of docs/facts.md."),
        ),
    ] = None,
    json_output: JsonOption = False,
    explain: Annotated[
        bool, typer.Option("--explain", help=N_("Show the rules that fired and their sources."))
    ] = False,
    lang: LangOption = None,
    facts_flags: dict[str, str] | None = None,
) -> None:
    from advisor.errors import FactError, RulesLoadError
    from advisor.facts.case import parse_facts

    language = choose_language(ctx, lang)
    as_json = wants_json(ctx, json_output)
    flags = facts_flags or {}
    if facts_json is not None and flags:
        fail(
            _("give the case either as --facts JSON or as --FIELD options, not both"),
            ExitCode.USAGE,
        )
    try:
        if facts_json is not None:
            from advisor.triage.records import decode_json

            try:
                data = decode_json(facts_json)
            except FactError as exc:
                # A problem of the whole text is a problem of the option.
                if exc.field == "(record)":
                    raise FactError.translatable(
                        exc.template or exc.message, "--facts", **exc.values
                    ) from None
                raise
            if not isinstance(data, dict):
                raise FactError.about("--facts", N_("must be a JSON object"))
            facts = parse_facts(data, default_today=date.today())
        else:
            facts = parse_facts(flags, human=True, default_today=date.today())
    except FactError as exc:
        if as_json:
            from advisor.engine import error_decision, load_rulebook

            decision = error_decision(
                load_rulebook().version, exc.field, exc.message, problems=exc.problems
            )
            emit_json(decision.to_json())
            raise typer.Exit(int(ExitCode.USAGE)) from None
        for problem in exc.every:
            say(
                "advisor: "
                + _(
                    "invalid input: %(field)s: %(problem)s",
                    field=problem.field,
                    problem=translated(problem),
                )
            )
        raise typer.Exit(int(ExitCode.USAGE)) from None
    try:
        from advisor.engine import load_decider

        decider = load_decider()
        decision = decider.decide(facts)
    except RulesLoadError as exc:
        fail(_("the rules cannot be loaded: %(problem)s", problem=exc), ExitCode.FAILED)
    if as_json:
        emit_json(decision.to_json())
        return
    from advisor.cli.show import show_decision

    show_decision(decision, facts, lang=language, explain=explain, book=decider.book)


def _open_input(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as exc:
        fail(
            _("cannot read %(path)s: %(reason)s", path=path, reason=os_reason(exc)), ExitCode.USAGE
        )


@triage_app.command(
    "batch",
    help=N_("Decide every record of a file: one JSON Lines decision per record, in input order."),
)
def batch(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(metavar="IN", help=N_("JSON Lines or CSV file, - for stdin."))
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help=N_("Write the decisions here (default: stdout)."),
        ),
    ] = None,
    input_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="jsonl|csv",
            help=N_("jsonl or csv (default: from the file name; stdin is jsonl)."),
        ),
    ] = None,
    encoding: Annotated[
        str,
        typer.Option(
            "--encoding",
            metavar="NAME",
            help=N_("The input's encoding, e.g. cp1252 for a CSV from Excel (default: utf-8)."),
        ),
    ] = "utf-8",
    lang: LangOption = None,
) -> None:
    from advisor.errors import RulesLoadError
    from advisor.triage.batch import BatchInterrupted, run_batch
    from advisor.triage.output import OutputError, SameFile, refuse_same_file
    from advisor.triage.records import check_encoding, csv_items, jsonl_items

    choose_language(ctx, lang)
    fmt = input_format or ("csv" if source.lower().endswith(".csv") else "jsonl")
    if fmt not in ("jsonl", "csv"):
        fail(_("unknown format %(format)s: use jsonl or csv", format=repr(fmt)), ExitCode.USAGE)
    try:
        codec = check_encoding(encoding)
    except (LookupError, ValueError):
        fail(
            _(
                "unknown or unusable encoding %(encoding)s: use one that writes a line break "
                "as one byte, such as utf-8, cp1252 or iso-8859-15",
                encoding=repr(encoding),
            ),
            ExitCode.USAGE,
        )
    if output is not None and source != "-":
        try:
            refuse_same_file(Path(source), output)
        except SameFile:
            fail(
                _(
                    "%(output)s is the input file %(input)s: writing it would destroy the "
                    "records before they are read; nothing was read or written",
                    output=output,
                    input=source,
                ),
                ExitCode.USAGE,
            )
    stream = _open_input(source)
    try:
        from advisor.engine import load_decider

        decider = load_decider()
        decider.table  # noqa: B018 - build or load now, not in the middle of the stream
    except RulesLoadError as exc:
        fail(_("the rules cannot be loaded: %(problem)s", problem=exc), ExitCode.FAILED)
    if fmt == "csv":
        header, items = csv_items(stream, codec)
    else:
        header, items = None, jsonl_items(stream, codec)
    where = str(output) if output is not None else _("standard output")
    try:
        with _output(output) as out, _interruptible() as stop:
            summary = run_batch(
                decider, _with_progress(items), out, header=header, today=date.today(), stop=stop
            )
    except BatchInterrupted as exc:
        say(
            _(
                "interrupted: %(count)s written to %(output)s; the last was on line "
                "%(line)s of the input, and the records after it were not decided",
                count=_records(exc.written),
                output=where,
                line=exc.last_line,
            )
        )
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except OutputError as exc:
        reason = os_reason(exc.error) if isinstance(exc.error, OSError) else str(exc.error)
        if exc.written is None:
            fail(
                _("cannot write %(path)s: %(reason)s", path=exc.path, reason=reason),
                ExitCode.USAGE,
            )
        fail(
            _(
                "writing %(path)s failed after %(count)s: %(reason)s; the file was left as "
                "it was before",
                path=exc.path,
                count=_records(exc.written),
                reason=reason,
            ),
            ExitCode.FAILED,
        )
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    say(batch_summary(summary.total, summary.statuses))
    if summary.errors:
        raise typer.Exit(int(ExitCode.USAGE))


@contextmanager
def _output(path: Path | None) -> Iterator[Writer]:
    """The batch's output: a file written in place at the end (advisor.triage.output),
    or standard output, as UTF-8 whatever the terminal's encoding."""
    from advisor.triage.output import CountingWriter, output_file

    if path is not None:
        with output_file(path) as out:
            yield out
        return
    writer = CountingWriter(sys.stdout.buffer)
    try:
        yield writer
    finally:
        writer.flush()


@contextmanager
def _interruptible() -> Iterator[threading.Event]:
    """An event set by the first Ctrl-C, for the batch to stop after the record in hand
    (an interrupt in the middle of a write could neither be counted nor undone); a
    second Ctrl-C interrupts at once (reading a terminal waits for a line)."""
    stop = threading.Event()

    def first(signum: int, frame: object) -> None:
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    try:
        previous = signal.signal(signal.SIGINT, first)
    except ValueError:  # not the main thread: Ctrl-C keeps its usual meaning
        yield stop
        return
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _records(n: int) -> str:
    return ngettext("%(n)s record", "%(n)s records", n)


def batch_summary(total: int, statuses: Mapping[Status, int]) -> str:
    """The line on stderr after a batch: the records, and how many have each status."""
    counts = ", ".join(_status_count(s, n) for s, n in sorted(statuses.items()))
    # TRANSLATORS: The batch summary on stderr, e.g. "120 records: 100 decided, 20
    # incomplete".
    return ngettext(
        "%(n)s record: %(counts)s", "%(n)s records: %(counts)s", total, counts=counts or _("none")
    )


def _status_count(status: Status, n: int) -> str:
    if status is Status.DECIDED:
        # TRANSLATORS: In the batch summary: records for which a route was decided.
        return ngettext("%(n)s decided", "%(n)s decided", n)
    if status is Status.INCOMPLETE:
        # TRANSLATORS: In the batch summary: records that need more facts for a decision.
        return ngettext("%(n)s incomplete", "%(n)s incomplete", n)
    # TRANSLATORS: In the batch summary: records with a value that cannot be used.
    return ngettext("%(n)s error", "%(n)s errors", n)


def _with_progress(records: Any) -> Any:
    """A progress count on stderr, only when stderr is a terminal (never in pipes or logs)."""
    if not sys.stderr.isatty():
        yield from records
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(_("Deciding"), total=None)
        for count, record in enumerate(records, start=1):
            yield record
            if count % 1000 == 0:
                progress.update(task, completed=count)
