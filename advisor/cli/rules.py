"""`advisor rules ...`: check the rule base, and export its decision table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import ExitCode, emit_json, fail, say, settings

rules_app = typer.Typer(help="Check and inspect the rule base.", no_args_is_help=True)


@rules_app.command("check")
def check(
    ctx: typer.Context,
    json_output: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    samples: Annotated[
        int, typer.Option(help="Random and boundary cases compared with the engine.")
    ] = 2000,
) -> None:
    """Enumerate the whole fact space through the engine; exit 0 only when the rules are sound."""
    from ..check import check as run_check
    from ..errors import RulesLoadError
    from ..rulebook import load_rulebook

    try:
        book = load_rulebook()
    except RulesLoadError as exc:
        if json_output or settings(ctx).json:
            emit_json({"sound": False, "problems": [str(exc)]})
            raise typer.Exit(int(ExitCode.FAILED)) from None
        fail(str(exc), ExitCode.FAILED)
    report = run_check(book, samples=samples)
    if json_output or settings(ctx).json:
        emit_json(report.to_json())
    else:
        total = sum(report.combinations.values())
        parts = ", ".join(f"{name} {n}" for name, n in report.combinations.items())
        say(f"rules {report.rules_version}: {report.rules} rules, {total} combinations ({parts})")
        say(
            f"routes reached: {len(report.routes_reached)}, "
            f"advisories: {len(report.advisories_reached)}, "
            f"engine samples compared: {report.samples_checked}, {report.seconds:.1f} s"
        )
        for problem in report.problems:
            say(f"problem: {problem}")
        say("sound" if report.sound else f"NOT sound: {len(report.problems)} problems")
    if not report.sound:
        raise typer.Exit(int(ExitCode.FAILED))


@rules_app.command("table")
def table(
    output: Annotated[Path, typer.Argument(help="Folder for one TSV file per ruleset.")],
) -> None:
    """Write the decision table as reviewable TSV (the golden table under tests/)."""
    from ..golden import write_golden
    from ..rulebook import load_rulebook
    from ..table import build_table

    book = load_rulebook()
    written = write_golden(build_table(book), book, output)
    for path in written:
        say(f"wrote {path}")


@rules_app.command("docs")
def docs(
    output: Annotated[Path, typer.Argument(help="The Markdown file to write.")] = Path(
        "docs/rules.md"
    ),
) -> None:
    """Generate the rules reference (docs/rules.md) from rules/."""
    from ..rulebook import load_rulebook
    from ..rulesdoc import rules_reference

    output.write_text(rules_reference(load_rulebook()), encoding="utf-8")
    say(f"wrote {output}")
