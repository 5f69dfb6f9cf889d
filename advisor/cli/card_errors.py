"""The transport's and the card's exceptions as messages and exit codes (docs/cli.md).

The library raises typed errors and never words them for people; this module words them
in the holder's language. No message here can hold a code: the errors carry counts,
names and status words only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from advisor.cli.common import ExitCode, fail
from advisor.cli.i18n import _, ngettext, translated
from advisor.translatable import N_

if TYPE_CHECKING:
    from advisor.card.policy import Violation

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
_DONE = {
    "change": N_("%(code)s was changed on the card"),
    "unblock": N_("%(code)s was unblocked on the card"),
    "activate_pin2": N_("%(code)s was activated on the card"),
}


def violation_reasons(violations: Sequence[Violation]) -> str:
    """Why a code was refused, one reason per broken rule (advisor.card.policy)."""
    parts = []
    for violation in violations:
        text = _REASONS.get(str(violation.reason))
        parts.append(
            str(violation.reason)
            if text is None
            else _(text, min=violation.min_length, max=violation.max_length)
        )
    return "; ".join(parts)


@contextmanager
def card_errors() -> Iterator[None]:
    """Map the transport's and the card's exceptions to messages and exit codes."""
    from advisor.card.errors import (
        AlreadyActivated,
        CardError,
        CardNotActivated,
        CodeBlocked,
        LastAttemptNotConfirmed,
        NotEstonianCard,
        PolicyViolation,
        RemovedAfterSending,
        UnsupportedOperation,
        WrongCode,
    )
    from advisor.transport import (
        CardInUse,
        CardRemoved,
        NoCard,
        NoMatchingReader,
        NoReader,
        NoService,
        PyscardMissing,
        SeveralReaders,
        TransportError,
    )

    try:
        yield
    except RemovedAfterSending as exc:
        name = exc.kind.label
        if exc.done:
            fail(
                _(_DONE[str(exc.operation)], code=name)
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
    except PyscardMissing:
        fail(
            _(
                "pyscard, the Python module for PC/SC card readers, is not installed: "
                "run `bash .ci/setup` in the advisor's folder, or `pip install pyscard` "
                "(on Debian and Ubuntu it builds with the packages swig and "
                "libpcsclite-dev)"
            ),
            ExitCode.NO_PCSC,
        )
    except NoService:
        fail(
            _(
                "the smart-card service is not running: on Debian, Ubuntu or Fedora "
                "install the package pcscd (pcsc-lite on Fedora) and start it with "
                "`sudo systemctl start pcscd`; on macOS the service is part of the system: "
                "plug the reader in again"
            ),
            ExitCode.NO_PCSC,
        )
    except SeveralReaders as exc:
        fail(
            _(
                "several readers hold a card: choose one with --reader (%(readers)s)",
                readers="; ".join(exc.readers),
            ),
            ExitCode.NO_PCSC,
        )
    except NoMatchingReader as exc:
        fail(
            _(
                "no reader matches %(wanted)s; the readers are: %(readers)s",
                wanted=repr(exc.wanted),
                readers="; ".join(exc.readers),
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
        reasons = violation_reasons(exc.violations)
        if exc.current:
            message = _(
                "that cannot be your current %(code)s, nothing was sent: %(reasons)s",
                code=exc.kind.label,
                reasons=reasons,
            )
        else:
            message = _(
                "the new code was refused before anything was sent: %(reasons)s",
                reasons=reasons,
            )
        fail(message, ExitCode.USAGE)
    except WrongCode as exc:
        fail(
            ngettext(
                "wrong %(code)s, %(n)s attempt left",
                "wrong %(code)s, %(n)s attempts left",
                exc.attempts_left,
                code=_code(exc.kind),
            ),
            ExitCode.WRONG_CODE,
        )
    except CodeBlocked as exc:
        if exc.already:
            fail(
                _("%(code)s is blocked: nothing was sent.", code=_code(exc.kind)), ExitCode.BLOCKED
            )
        fail(_("wrong %(code)s: it is now blocked", code=_code(exc.kind)), ExitCode.BLOCKED)
    except LastAttemptNotConfirmed as exc:
        fail(
            _("%(code)s has one attempt left: nothing was sent", code=exc.kind.label),
            ExitCode.FAILED,
        )
    except CardNotActivated:
        fail(
            _(
                "the card is not activated yet: activate it in the police self-service "
                "before you change its codes; nothing was sent"
            ),
            ExitCode.FAILED,
        )
    except AlreadyActivated:
        fail(
            _(
                "PIN2 is already activated: to change it, use "
                "`advisor card change-pin pin2`; nothing was sent"
            ),
            ExitCode.FAILED,
        )
    except UnsupportedOperation as exc:
        fail(translated(exc), ExitCode.FAILED)
    except CardError as exc:
        fail(_("the card operation failed: %(problem)s", problem=exc), ExitCode.FAILED)


def _code(kind: object) -> str:
    from advisor.model import CodeKind

    # The session names the code of every wrong or blocked attempt; a bare error from
    # below it would be a bug, and still gets a readable message.
    return kind.label if isinstance(kind, CodeKind) else _("the code")
