"""`--help` in the holder's language, and the Typer app every command group is made of.

Typer draws the help from English strings: ours (the help of the apps, commands and
options, marked with `N_` so that extraction puts them into the catalog) and its own
("Usage:", the section titles, "[default: ...]", "[required]", the help of `--help`). The
help is Click's plain layout (`rich_markup_mode=None`): Rich's panels cost more start-up
time than the whole budget of `advisor --help` (docs/performance.md). While a command
draws its help, `translated_help` puts the translation of each of those strings in place,
and the English back afterwards.

The language is chosen by the root group before Click processes any option: `--help` is
eager, so it runs before `--lang` has been read. `help_language` reads the command line
itself: the last `--lang` (a command's own `--lang` comes after the global one, and wins,
as in `common.choose_language`), then `ADVISOR_LANG`, the locale, English. An unknown
language gives English help; the command itself then reports it.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import typer
from typer import _click
from typer import core as typer_core
from typer._click.utils import make_default_short_help
from typer.core import TyperCommand, TyperGroup

from advisor.cli.common import resolve_lang
from advisor.cli.i18n import _, use_language
from advisor.cli.registry import COMMANDS
from advisor.translatable import N_

# Typer's own texts in the help (typer.core calls gettext on these), under msgids of ours.
_TYPER_TEXTS = {
    # TRANSLATORS: --help: the title of the section that lists the options.
    "Options": N_("Options"),
    # TRANSLATORS: --help: the title of the section that lists the arguments.
    "Arguments": N_("Arguments"),
    # TRANSLATORS: --help: the title of the section that lists the commands.
    "Commands": N_("Commands"),
    # TRANSLATORS: --help: after the help of an argument that must be given.
    "required": N_("required"),
}
# TRANSLATORS: --help: after the help of an option, its value when it is not given.
_DEFAULT = N_("default: %(value)s")
# TRANSLATORS: --help: the first line, before the command and its metavariables
# (advisor triage case [OPTIONS]).
_USAGE = N_("Usage:")
# The help of the options that Typer and Click add; `_()` finds them by their English.
_OPTION_HELP = (
    # TRANSLATORS: --help: the help of --help.
    N_("Show this message and exit."),
    # TRANSLATORS: --help: the help of --version.
    N_("Show the version and exit."),
    # TRANSLATORS: --help: the help of --install-completion (shell completion).
    N_("Install completion for the current shell."),
    # TRANSLATORS: --help: the help of --show-completion (shell completion).
    N_("Show completion for the current shell, to copy it or customize the installation."),
)


_REQUIRED = re.compile(r"^\{([^{}]+)\}$")


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


def _typer_gettext(message: str) -> str:
    if message in _TYPER_TEXTS:
        return _(_TYPER_TEXTS[message])
    if message == "default: {default}":
        return _(_DEFAULT, value="{default}")
    return message


@contextmanager
def translated_help(command: _click.Command, ctx: _click.Context) -> Iterator[None]:
    """The help strings of `command`, its parameters and its subcommands, and Typer's
    own, in the chosen language while the block runs; English again afterwards."""
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
    if isinstance(command, TyperGroup) and not isinstance(command, RootGroup):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                translate(sub, "help")
                translate(sub, "short_help")
    put(typer_core, "_", _typer_gettext)
    try:
        yield
    finally:
        for owner, attribute, value in reversed(saved):
            setattr(owner, attribute, value)


class _Translated(_click.Command):
    """`--help` in the chosen language, for a Typer command or group."""

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        with translated_help(self, ctx):
            super().format_help(ctx, formatter)

    def format_usage(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        # "Usage:" is translated while a help is drawn; a usage error keeps Click's
        # English message, so its usage line stays English too.
        drawing = getattr(typer_core, "_", None) is _typer_gettext
        prefix = _(_USAGE) + " " if drawing else None
        # Typer writes a required argument as {NAME}; Click users read NAME as required
        # and [NAME] as optional.
        pieces = [_REQUIRED.sub(r"\1", piece) for piece in self.collect_usage_pieces(ctx)]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix)


class TranslatedCommand(_Translated, TyperCommand):
    """A command whose `--help` is in the chosen language."""


class TranslatedGroup(_Translated, TyperGroup):
    """A group (`advisor card`, ...) whose `--help` is in the chosen language."""


class RootGroup(TranslatedGroup):
    """`advisor` itself: chooses the language of the help before any option is read, and
    finds its commands in cli/registry.py, importing one only when it is used."""

    def parse_args(self, ctx: _click.Context, args: list[str]) -> list[str]:
        use_language(help_language(args))
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        return _load(cmd_name)

    def format_commands(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, make_default_short_help(_(entry.help), limit))
            for name, entry in COMMANDS.items()
        ]
        with formatter.section(_(_TYPER_TEXTS["Commands"])):
            formatter.write_dl(rows)


@functools.cache
def _load(name: str) -> _click.Command:
    entry = COMMANDS[name]
    app = getattr(importlib.import_module(entry.module), entry.attribute)
    command = typer.main.get_command(app)
    command.name = name
    return command


class Typer(typer.Typer):
    """A Typer app of `advisor`: its groups and commands draw their help in the holder's
    language, in Click's plain layout, and a group without a command shows its help."""

    def __init__(
        self,
        *,
        cls: type[TyperGroup] = TranslatedGroup,
        add_completion: bool = False,
        **options: Any,
    ) -> None:
        options.setdefault("no_args_is_help", True)
        super().__init__(cls=cls, rich_markup_mode=None, add_completion=add_completion, **options)

    def command(  # type: ignore[override]
        self, name: str | None = None, **options: Any
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        options.setdefault("cls", TranslatedCommand)
        return super().command(name, **options)
