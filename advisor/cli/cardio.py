"""Talking to people about a card: opening it, asking for codes, and naming failures.

The card layer never prompts; this module does, and turns its exceptions into the
messages and exit codes of contract §5. Codes live only in local variables here and are
handed straight to the session: never logged, echoed, or put into an exception.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

import typer

from advisor.cli.common import ExitCode, fail, say
from advisor.cli.i18n import _, ngettext, translated
from advisor.translatable import N_

if TYPE_CHECKING:
    from advisor.card.policy import Violation
    from advisor.card.profiles import CodeKind
    from advisor.card.session import CardSession
    from advisor.card.status import CodeState, OperationResult
    from advisor.transport import Connection

T = TypeVar("T")


# Wrapped in N_ so that extraction finds them; translated when shown.
_REASONS = {
    "too_short": N_("it is too short (%(min)s-%(max)s digits)"),
    "too_long": N_("it is too long (%(min)s-%(max)s digits)"),
    "not_digits": N_("only the digits 0-9 are allowed (%(min)s-%(max)s digits)"),
    "ascending_run": N_("it is an ascending run such as 1234"),
    "descending_run": N_("it is a descending run such as 4321"),
    "repeated_digit": N_("it repeats one digit"),
    "part_of_personal_code": N_("it is part of your personal identification code"),
    "birth_date": N_("it is your date of birth"),
    "same_as_old": N_("it is the same as the current code"),
}


def describe_violation(violation: Violation) -> str:
    text = _REASONS.get(str(violation.reason))
    if text is None:
        return str(violation.reason)
    return _(text, min=violation.min_length, max=violation.max_length)


@contextmanager
def open_session(
    reader: str | None, virtual: str | None, *, lang: str = "en"
) -> Iterator[CardSession]:
    """The card session, from a reader or a virtual card; transport and card failures
    become an exit with the contract's code."""
    from advisor.card.session import CardSession

    connection: Connection
    with card_errors():
        if virtual:
            from advisor.emulator import UnknownPresetError, make_card
            from advisor.emulator.connection import VirtualConnection

            try:
                card = make_card(virtual)
            except UnknownPresetError as exc:
                fail(translated(exc), ExitCode.USAGE)
            connection = VirtualConnection(card)
        else:
            from advisor.transport.pcsc import connect

            connection = connect(reader)
        try:
            yield CardSession(connection, language=lang)
        finally:
            connection.close()


@contextmanager
def card_errors() -> Iterator[None]:
    """Map the transport's and the card's exceptions to messages and exit codes."""
    from advisor.card.errors import CardError, NotEstonianCard, UnsupportedOperation
    from advisor.card.session import (
        CodeBlockedError,
        LastAttemptNotConfirmed,
        PolicyViolation,
        RemovedAfterSending,
        WrongCodeError,
    )
    from advisor.transport import (
        CardInUse,
        CardRemoved,
        NoCard,
        NoReader,
        NoService,
        SeveralReaders,
        TransportError,
    )

    try:
        yield
    except RemovedAfterSending as exc:
        name = exc.kind.name
        if exc.done:
            done = {
                "change": N_("%(code)s was changed on the card"),
                "unblock": N_("%(code)s was unblocked on the card"),
                "activate_pin2": N_("%(code)s was activated on the card"),
            }[str(exc.operation)]
            fail(
                _(done, code=name)
                + _(
                    ", but the card was removed before the attempts left could be read: "
                    "use the new %(code)s from now on",
                    code=name,
                ),
                ExitCode.CARD_BUSY,
            )
        fail(
            _(
                "the card refused the code and was then removed: check the attempts left "
                "with `advisor card status` before you try again"
            ),
            ExitCode.CARD_BUSY,
        )
    except CardInUse:
        fail(
            _(
                "another program holds the card exclusively: nothing was sent; "
                "close it and try again"
            ),
            ExitCode.CARD_BUSY,
        )
    except CardRemoved:
        fail(
            _("the card was removed: nothing more was sent; insert it and try again"),
            ExitCode.CARD_BUSY,
        )
    except NoService:
        fail(_("the smart-card service (pcscd) is not running"), ExitCode.NO_PCSC)
    except SeveralReaders as exc:
        readers = "; ".join(exc.readers)
        fail(
            _(
                "several readers hold a card: choose one with --reader (%(readers)s)",
                readers=readers,
            ),
            ExitCode.NO_PCSC,
        )
    except NoReader:
        fail(_("no card reader found: connect one and try again"), ExitCode.NO_PCSC)
    except NoCard:
        fail(_("no card in the reader: insert the card and try again"), ExitCode.NO_PCSC)
    except TransportError as exc:
        fail(str(exc), ExitCode.NO_PCSC)
    except NotEstonianCard:
        fail(_("the card in the reader is not an Estonian ID card"), ExitCode.FAILED)
    except PolicyViolation as exc:
        reasons = "; ".join(describe_violation(v) for v in exc.violations)
        fail(
            _("the new code was refused before anything was sent: %(reasons)s", reasons=reasons),
            ExitCode.USAGE,
        )
    except WrongCodeError as exc:
        # The session turns every wrong or blocked code into these typed errors, which
        # name the code; a bare WrongCode from lower down would be a bug (CardError below).
        fail(
            ngettext(
                "wrong %(code)s, %(n)s attempt left",
                "wrong %(code)s, %(n)s attempts left",
                exc.attempts_left,
                code=exc.kind.name,
            ),
            ExitCode.WRONG_CODE,
        )
    except CodeBlockedError as exc:
        if exc.already:
            fail(_("%(code)s is blocked: nothing was sent.", code=exc.kind.name), ExitCode.BLOCKED)
        fail(_("wrong %(code)s: it is now blocked", code=exc.kind.name), ExitCode.BLOCKED)
    except LastAttemptNotConfirmed as exc:
        fail(
            _("%(code)s has one attempt left: nothing was sent", code=exc.kind.name),
            ExitCode.FAILED,
        )
    except UnsupportedOperation as exc:
        fail(str(exc), ExitCode.FAILED)
    except CardError as exc:
        fail(_("the card operation failed: %(problem)s", problem=exc), ExitCode.FAILED)


def _read_line(prompt: str) -> str:
    """One line from stdin for scripts; EOF ends the operation before anything is sent."""
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        sys.stderr.write("\n")
        fail(_("no more input: nothing was sent to the card"), ExitCode.FAILED)
    sys.stderr.write("\n")
    return line.rstrip("\r\n")


def ask_code(label: str) -> str:
    """A hidden prompt on a terminal, one line of stdin otherwise."""
    prompt = f"{label}: "
    if sys.stdin.isatty():
        return getpass.getpass(prompt, stream=sys.stderr)
    return _read_line(prompt)


def ask_new_code(label: str, check: Callable[[str], list[Violation]]) -> str:
    """Ask for a new code twice; on a terminal ask again until it passes every rule."""
    while True:
        code = ask_code(_("New %(code)s", code=label))
        violations = check(code)
        if violations:
            reasons = "; ".join(describe_violation(v) for v in violations)
            if not sys.stdin.isatty():
                fail(
                    _(
                        "the new %(code)s was refused before anything was sent: %(reasons)s",
                        code=label,
                        reasons=reasons,
                    ),
                    ExitCode.USAGE,
                )
            say(_("That %(code)s cannot be used: %(reasons)s.", code=label, reasons=reasons))
            continue
        if ask_code(_("New %(code)s again", code=label)) != code:
            if not sys.stdin.isatty():
                fail(
                    _("the two new %(code)s entries differ: nothing was sent", code=label),
                    ExitCode.USAGE,
                )
            say(_("The two entries differ. Try again."))
            continue
        return code


def confirm(question: str) -> bool:
    if sys.stdin.isatty():
        return typer.confirm(question, default=False, err=True)
    choices = _("[y/N]")
    answer = _read_line(f"{question} {choices}: ")
    return answer.strip().lower() in ("y", "yes", "j", "jah", "д", "да")


def confirm_last_attempt(state: CodeState | None, label: str) -> bool:
    """True when the code is on its last attempt and the holder agreed to use it."""
    if state is None or not state.last_attempt:
        return False
    say(_("%(code)s has one attempt left. A wrong entry blocks it.", code=label))
    if not confirm(_("Use the last attempt of %(code)s?", code=label)):
        fail(
            _("stopped: nothing was sent, %(code)s still has one attempt", code=label),
            ExitCode.FAILED,
        )
    return True


def refuse_blocked(state: CodeState | None, label: str, hint: str) -> None:
    if state is not None and state.blocked:
        fail(_("%(code)s is blocked: nothing was sent.", code=label) + " " + hint, ExitCode.BLOCKED)


def show_counters(result: OperationResult) -> None:
    parts = [
        _("%(code)s %(left)s of %(max)s", code=s.kind.name, left=s.tries_left, max=s.max_tries)
        for s in result.counters
    ]
    say(_("Attempts left now: %(counters)s.", counters=", ".join(parts)))


def label(kind: CodeKind) -> str:
    return kind.name
