"""What every command shares: exit codes, global options, JSON and prose output."""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, NoReturn

import typer

from advisor.cli.i18n import _, use_language
from advisor.translatable import N_


class ExitCode(IntEnum):
    """The exit codes of docs/cli.md (contract §5)."""

    OK = 0
    FAILED = 1
    USAGE = 2
    WRONG_CODE = 3
    BLOCKED = 4
    NO_PCSC = 5
    CARD_BUSY = 6
    INTERRUPTED = 130


LANGUAGES = ("en", "et", "ru")


@dataclass
class Settings:
    lang: str | None = None
    json: bool = False
    reader: str | None = None
    log_level: str = "warning"


def settings(ctx: typer.Context) -> Settings:
    """The root's options (`advisor --json ...`)."""
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def wants_json(ctx: typer.Context, flag: bool) -> bool:
    """JSON output: the command's `--json` or the root's."""
    return flag or settings(ctx).json


def chosen_reader(ctx: typer.Context, reader: str | None) -> str | None:
    """The reader: the command's `--reader`, else the root's."""
    return reader or settings(ctx).reader


def resolve_lang(explicit: str | None, *, strict: bool = True) -> str:
    """--lang, then ADVISOR_LANG, then the system locale, then English.

    An unknown --lang or ADVISOR_LANG is a usage error; with `strict=False` it gives
    English (the language of --help, which is chosen before the options are checked).
    """
    for candidate in (explicit, os.environ.get("ADVISOR_LANG")):
        if candidate:
            code = candidate.split("_")[0].split(".")[0].lower()
            if code not in LANGUAGES:
                if not strict:
                    return "en"
                fail(
                    f"unknown language {candidate!r}: choose one of {', '.join(LANGUAGES)}",
                    ExitCode.USAGE,
                )
            return code
    return locale_language(os.environ)


def locale_language(environ: Mapping[str, str]) -> str:
    """The language the system locale asks for, as gettext reads it: the first of
    LC_ALL, LC_MESSAGES and LANG that is set decides; the C (POSIX) locale, also when none
    is set, means English; otherwise LANGUAGE, a priority list such as `ru:et`, goes
    first."""
    locale = next((environ[v] for v in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(v)), "C")
    if locale.split(".")[0] in ("C", "POSIX"):
        return "en"
    for candidate in (*environ.get("LANGUAGE", "").split(":"), locale):
        code = candidate.split("_")[0].split(".")[0].split("@")[0].lower()
        if code in LANGUAGES:
            return code
    return "en"


def choose_language(ctx: typer.Context, explicit: str | None = None) -> str:
    """The language of this command (`resolve_lang`: the command's own --lang, the global
    --lang, ADVISOR_LANG, the locale, English), made the language of its messages.

    Every command that talks to people calls this first: the messages' language is
    process-wide, and a command must not speak the language of the previous one.
    """
    language = resolve_lang(explicit or settings(ctx).lang)
    use_language(language)
    return language


_OS_REASONS = {
    errno.ENOENT: N_("no such file or directory"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("permission denied"),
    errno.EISDIR: N_("it is a directory"),
    errno.ENOTDIR: N_("a part of the path is not a directory"),
    errno.ENOSPC: N_("no space left on the device"),
    errno.EROFS: N_("the file system is read-only"),
    errno.EEXIST: N_("it exists already"),
}


def os_reason(error: OSError) -> str:
    """Why a file operation failed, in the holder's language (the system's own text for
    a reason this list does not know)."""
    reason = _OS_REASONS.get(error.errno or 0)
    return _(reason) if reason else (error.strerror or str(error))


def emit_json(document: Any) -> None:
    """Exactly one JSON document on stdout, as UTF-8 whatever the terminal's encoding; a
    lone surrogate that input may have carried in is written escaped."""
    text = json.dumps(document, ensure_ascii=False)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        data = json.dumps(document, ensure_ascii=True).encode("ascii")
    sys.stdout.flush()
    sys.stdout.buffer.write(data + b"\n")
    sys.stdout.buffer.flush()


def say(message: str) -> None:
    """Prose for people: stderr, so that stdout stays clean for data."""
    typer.echo(message, err=True)


def fail(message: str, code: ExitCode) -> NoReturn:
    """Say what went wrong, on stderr, and end the command with `code`."""
    say(f"advisor: {message}")
    raise typer.Exit(int(code))
