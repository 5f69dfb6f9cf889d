"""`advisor rules ...`: check the rule base, and export its decision table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
from advisor.cli.i18n import _, ngettext
from advisor.cli.options import JsonOption
from advisor.cli.registry import COMMANDS
from advisor.translatable import N_

if TYPE_CHECKING:
    from advisor.ruletools.check import CheckReport

rules_app = Typer(help=COMMANDS["rules"].help)


@rules_app.command(
    "check",
    help=N_(
        "Enumerate the whole fact space through the engine; exit 0 only when the rules are sound."
    ),
)
def check(
    ctx: typer.Context,
    json_output: JsonOption = False,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            metavar="N",
            help=N_("Random and boundary cases compared with the engine."),
        ),
    ] = 2000,
) -> None:
    from advisor.engine.rulebook import load_rulebook
    from advisor.errors import RulesLoadError
    from advisor.ruletools.check import check as run_check

    choose_language(ctx)
    try:
        book = load_rulebook()
    except RulesLoadError as exc:
        if wants_json(ctx, json_output):
            emit_json({"sound": False, "problems": [str(exc)]})
            raise typer.Exit(int(ExitCode.FAILED)) from None
        fail(str(exc), ExitCode.FAILED)
    report = run_check(book, samples=samples)
    if wants_json(ctx, json_output):
        emit_json(report.to_json())
    else:
        say(check_summary(report))
        for problem in report.problems:
            # The problems themselves are for the authors of the rules: English.
            say(_("problem: %(problem)s", problem=problem))
        if report.sound:
            say(_("sound"))
        else:
            n = len(report.problems)
            # TRANSLATORS: The rule base has contradictions or gaps. The English does not
            # change with the number; the translation should.
            say(ngettext("NOT sound: %(n)s problems", "NOT sound: %(n)s problems", n))
    if not report.sound:
        raise typer.Exit(int(ExitCode.FAILED))


def check_summary(report: CheckReport) -> str:
    """The two lines that `rules check` prints before the problems."""
    total = sum(report.combinations.values())
    # The names of the rule sets (file names without .json) stay as they are.
    parts = ", ".join(f"{name} {n}" for name, n in report.combinations.items())
    # TRANSLATORS: The English does not change with the numbers; the translation should.
    rules = ngettext("%(n)s rules", "%(n)s rules", report.rules)
    # TRANSLATORS: Combinations of facts that were enumerated. The English does not change
    # with the number; the translation should.
    combinations = ngettext("%(n)s combinations", "%(n)s combinations", total)
    first = _(
        "rules %(version)s: %(rules)s, %(combinations)s (%(parts)s)",
        version=report.rules_version,
        rules=rules,
        combinations=combinations,
        parts=parts,
    )
    seconds = f"{report.seconds:.1f}"
    # TRANSLATORS: "s" is seconds. Routes and advisories are the rule base's outcomes.
    second = _(
        "routes reached: %(routes)s, advisories: %(advisories)s, engine samples compared: "
        "%(samples)s, %(seconds)s s",
        routes=len(report.routes_reached),
        advisories=len(report.advisories_reached),
        samples=report.samples_checked,
        seconds=seconds,
    )
    return f"{first}\n{second}"


@rules_app.command(
    "table",
    help=N_("Write the decision table as reviewable TSV (the golden table under tests/)."),
)
def table(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Argument(metavar="DIR", help=N_("Folder for one TSV file per ruleset."))
    ],
) -> None:
    from advisor.engine.rulebook import load_rulebook
    from advisor.engine.table import build_table
    from advisor.ruletools.golden import write_golden

    choose_language(ctx)
    book = load_rulebook()
    try:
        written = write_golden(build_table(book), book, output)
    except OSError as exc:
        where = exc.filename or output
        fail(
            _("cannot write %(path)s: %(reason)s", path=where, reason=os_reason(exc)),
            ExitCode.USAGE,
        )
    for path in written:
        say(_("wrote %(path)s", path=path))


@rules_app.command(
    "docs",
    help=N_("Generate the rules reference (docs/rules.md) from rules/."),
)
def docs(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Argument(metavar="FILE", help=N_("The Markdown file to write."))
    ] = Path("docs/rules.md"),
) -> None:
    from advisor.engine.rulebook import load_rulebook
    from advisor.ruletools.reference import rules_reference
    from advisor.triage.output import OutputError, output_file

    choose_language(ctx)
    # The file is for developers: English, like the rule files.
    text = rules_reference(load_rulebook())
    try:
        with output_file(output) as out:
            out.write(text)
    except OutputError as exc:
        reason = os_reason(exc.error) if isinstance(exc.error, OSError) else str(exc.error)
        fail(_("cannot write %(path)s: %(reason)s", path=output, reason=reason), ExitCode.USAGE)
    say(_("wrote %(path)s", path=output))
