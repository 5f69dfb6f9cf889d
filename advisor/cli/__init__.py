"""The `advisor` command line. Only this package talks to people.

Imports of the engine, the rules and the card stack happen inside the commands, so that
`advisor --help` starts fast and triage works without PC/SC installed.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from advisor.cli.card import card_app
from advisor.cli.common import ExitCode, Settings, settings
from advisor.cli.diagnose import diagnose
from advisor.cli.emulator import emulator_app
from advisor.cli.helptext import RootGroup, TranslatedCommand
from advisor.cli.i18n import _
from advisor.cli.rules import rules_app
from advisor.cli.triage import triage_app
from advisor.translatable import N_

app = typer.Typer(
    name="advisor",
    cls=RootGroup,
    help=N_("Recovery advisor for Estonian eID cards: e-Residency digital ID, ID-card, digi-ID."),
    no_args_is_help=True,
    # Locals may hold a PIN: never print them in a traceback.
    pretty_exceptions_show_locals=False,
    pretty_exceptions_enable=False,
)
app.add_typer(triage_app, name="triage")
app.add_typer(rules_app, name="rules")
app.add_typer(card_app, name="card")
app.add_typer(emulator_app, name="emulator")
app.command(
    "diagnose",
    cls=TranslatedCommand,
    help=N_("Read the card, ask only what it cannot tell, decide, and offer the fix."),
)(diagnose)


@app.callback()
def root(
    ctx: typer.Context,
    lang: Annotated[
        str | None,
        typer.Option(help=N_("Guidance language: en, et, ru (else ADVISOR_LANG, the locale, en).")),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help=N_("Machine output: one JSON document on stdout."))
    ] = False,
    reader: Annotated[
        str | None, typer.Option(help=N_("Card reader to use (a part of its name)."))
    ] = None,
    log_level: Annotated[
        str, typer.Option(help=N_("debug, info, warning or error (on stderr)."))
    ] = "warning",
) -> None:
    state = settings(ctx)
    state.lang, state.json, state.reader, state.log_level = lang, json_output, reader, log_level
    level = getattr(logging, log_level.upper(), None)
    if not isinstance(level, int):
        raise typer.BadParameter(f"unknown log level {log_level!r}", param_hint="--log-level")
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("\nadvisor: " + _("interrupted") + "\n")
        sys.exit(int(ExitCode.INTERRUPTED))


__all__ = ["Settings", "app", "main"]
