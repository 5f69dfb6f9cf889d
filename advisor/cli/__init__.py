"""The `advisor` command line. Only this package talks to people.

Imports of the engine, the rules, the guidance and the card stack happen inside the
commands, so that `advisor --help` starts fast and triage works without PC/SC installed
(benchmarks/startup.py, docs/performance.md).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from advisor import __version__
from advisor.cli.common import ExitCode, Settings, settings
from advisor.cli.helptext import RootGroup, Typer
from advisor.cli.i18n import _
from advisor.cli.options import JsonOption, LangOption, ReaderOption
from advisor.translatable import N_

app = Typer(
    name="advisor",
    cls=RootGroup,
    add_completion=True,
    help=N_("Recovery advisor for Estonian eID cards: e-Residency digital ID, ID-card, digi-ID."),
    # Locals may hold a PIN: never print them in a traceback.
    pretty_exceptions_show_locals=False,
    pretty_exceptions_enable=False,
)
# The commands themselves come from cli/registry.py, imported when one is used
# (helptext.RootGroup).

_LOG_LEVELS = ("debug", "info", "warning", "error")


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"advisor {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    lang: LangOption = None,
    json_output: JsonOption = False,
    reader: ReaderOption = None,
    log_level: Annotated[
        str,
        typer.Option(metavar="LEVEL", help=N_("debug, info, warning or error (on stderr).")),
    ] = "warning",
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help=N_("Show the version and exit."),
        ),
    ] = False,
) -> None:
    state = settings(ctx)
    state.lang, state.json, state.reader, state.log_level = lang, json_output, reader, log_level
    if log_level.lower() not in _LOG_LEVELS:
        raise typer.BadParameter(
            _("unknown log level %(level)s", level=repr(log_level)), param_hint="--log-level"
        )
    if log_level.lower() != "warning":
        # Warnings reach stderr without any set-up (Python's last-resort handler); the
        # logging package is configured only when asked for, to keep start-up short.
        import logging

        logging.basicConfig(
            level=getattr(logging, log_level.upper()),
            stream=sys.stderr,
            format="%(levelname)s %(name)s: %(message)s",
        )


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("\nadvisor: " + _("interrupted") + "\n")
        sys.exit(int(ExitCode.INTERRUPTED))


__all__ = ["Settings", "app", "main"]
