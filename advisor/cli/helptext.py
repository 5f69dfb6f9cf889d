"""`--help` in the holder's language.

Typer draws the help from English strings: ours (the help of the apps, commands and
options, marked with `N_` so that extraction puts them into the catalog) and its own
(the panel titles, "Usage:", "[default: ...]", "[required]", the help of `--help` and
of the completion options). Every app and command of `advisor` is built with the classes
below. While one of them draws its help, `translated_help` puts the translation of each
of those strings in place, and the English back afterwards.

The language is chosen by the root group before Click processes any option: `--help`
is eager, so it runs before `--lang` has been read. `help_language` reads the command
line itself: the last `--lang` (a command's own `--lang` comes after the global one, and
wins, as in `common.choose_language`), then `ADVISOR_LANG`, the locale, English. An
unknown language gives English help; the command itself then reports it.

Nothing here imports more than Typer and Babel already have, plus one `.mo`: `advisor
--help` must stay fast (benchmarks/startup.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from typer import _click
from typer.core import TyperCommand, TyperGroup

from advisor.cli.common import resolve_lang
from advisor.cli.i18n import _, use_language
from advisor.translatable import N_

# Typer's texts in the help, under msgids of ours: Typer reads its English once, when it
# is imported (typer.rich_utils), and Click's are fixed in the code.
_TYPER_TEXTS = {
    # TRANSLATORS: --help: the title of the box that lists the options.
    "OPTIONS_PANEL_TITLE": N_("Options"),
    # TRANSLATORS: --help: the title of the box that lists the arguments.
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    # TRANSLATORS: --help: the title of the box that lists the commands.
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    # TRANSLATORS: --help: after the help of an argument that must be given.
    "REQUIRED_LONG_STRING": N_("[required]"),
}
# TRANSLATORS: --help: after the help of an option, its value when it is not given.
_DEFAULT = N_("[default: %(value)s]")
# TRANSLATORS: --help: the first line, before the command and its metavariables
# (advisor triage case [OPTIONS]).
_USAGE = N_("Usage:")
# The help of the options that Typer and Click add; `_()` finds them by their English.
_OPTION_HELP = (
    # TRANSLATORS: --help: the help of --help.
    N_("Show this message and exit."),
    # TRANSLATORS: --help: the help of --install-completion (shell completion).
    N_("Install completion for the current shell."),
    # TRANSLATORS: --help: the help of --show-completion (shell completion).
    N_("Show completion for the current shell, to copy it or customize the installation."),
)

_drawing = False  # True while a help is drawn: only then is "Usage:" translated


def help_language(args: Sequence[str]) -> str:
    """The language of `--help` for this command line (see the module's docstring)."""
    explicit: str | None = None
    words = iter(args)
    for word in words:
        if word == "--":
            break
        if word == "--lang":
            explicit = next(words, None)
        elif word.startswith("--lang="):
            explicit = word.partition("=")[2]
    return resolve_lang(explicit, strict=False)


@contextmanager
def translated_help(command: _click.Command, ctx: _click.Context) -> Iterator[None]:
    """The help strings of `command`, its parameters and its subcommands, and Typer's
    own, in the chosen language while the block runs; English again afterwards."""
    global _drawing
    from typer import rich_utils

    saved: list[tuple[Any, str, Any]] = []

    def put(owner: Any, attribute: str, value: Any) -> None:
        saved.append((owner, attribute, getattr(owner, attribute)))
        setattr(owner, attribute, value)

    def translate(owner: Any, attribute: str) -> None:
        text = getattr(owner, attribute, None)
        if isinstance(text, str) and text:
            put(owner, attribute, _(text))

    translate(command, "help")
    translate(command, "short_help")
    for param in command.get_params(ctx):
        translate(param, "help")
        translate(param, "rich_help_panel")
    if isinstance(command, TyperGroup):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                translate(sub, "help")
                translate(sub, "short_help")
    for attribute, msgid in _TYPER_TEXTS.items():
        put(rich_utils, attribute, _(msgid))
    put(rich_utils, "DEFAULT_STRING", _(_DEFAULT, value="{}"))
    drawing, _drawing = _drawing, True
    try:
        yield
    finally:
        _drawing = drawing
        for owner, attribute, value in reversed(saved):
            setattr(owner, attribute, value)


def _write_usage(command: _click.Command, ctx: _click.Context, formatter: Any) -> None:
    """Click's usage line, with "Usage:" translated while a help is drawn (a usage error
    keeps Click's English message, so its usage line stays English too)."""
    prefix = _(_USAGE) + " " if _drawing else None
    formatter.write_usage(ctx.command_path, " ".join(command.collect_usage_pieces(ctx)), prefix)


class _Translated(_click.Command):
    """`--help` in the chosen language, for a Typer command or group."""

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        with translated_help(self, ctx):
            super().format_help(ctx, formatter)

    def format_usage(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        _write_usage(self, ctx, formatter)


class TranslatedCommand(_Translated, TyperCommand):
    """A command whose `--help` is in the chosen language."""


class TranslatedGroup(_Translated, TyperGroup):
    """A group (`advisor card`, ...) whose `--help` is in the chosen language."""


class RootGroup(TranslatedGroup):
    """`advisor` itself: chooses the language of the help before any option is read."""

    def parse_args(self, ctx: _click.Context, args: list[str]) -> list[str]:
        use_language(help_language(args))
        return super().parse_args(ctx, args)
