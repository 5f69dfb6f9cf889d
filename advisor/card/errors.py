"""Typed errors of the card layer, the session's included.

Every message is built from counts, status words and names only: no constructor here
accepts a PIN or PUK, so no message, ``repr()`` or traceback line produced by these types
can contain one. All derive from :class:`advisor.errors.AdvisorError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from advisor.errors import AdvisorError
from advisor.iso7816 import SW
from advisor.model import CodeKind, CodeOperation
from advisor.transport import CardRemoved

if TYPE_CHECKING:
    from advisor.card.policy import Violation
    from advisor.card.status import CodeState

__all__ = [
    "AlreadyActivated",
    "CardError",
    "CardNotActivated",
    "CodeBlocked",
    "CodeRejected",
    "LastAttemptNotConfirmed",
    "MalformedResponse",
    "NotEstonianCard",
    "PinPadError",
    "PolicyViolation",
    "RemovedAfterSending",
    "StatusError",
    "UnsupportedOperation",
    "WrongCode",
]


class CardError(AdvisorError):
    """Base class of every error raised by ``advisor.card``."""


class MalformedResponse(CardError):
    """The card answered with bytes we cannot interpret (bad TLV, missing tag)."""


class StatusError(CardError):
    """The card answered with a status word the caller did not expect."""

    def __init__(self, sw: int, context: str = "") -> None:
        self.sw = sw
        self.context = context
        where = f" ({context})" if context else ""
        super().__init__(f"card returned status {sw:04X}{where}")


def _code_name(kind: CodeKind | None) -> str:
    return kind.label if kind is not None else "code"


class WrongCode(CardError):
    """A PIN or PUK was wrong and the card still allows ``attempts_left`` tries.

    ``attempts_left`` is always at least 1: a wrong code that leaves no tries is reported
    as :class:`CodeBlocked`, because the holder's options differ. The status-word mapping
    (``apdu.check_code_status``) knows neither the code nor the counters; the session
    raises the same error again with both (``kind``, and ``counters`` read after it).
    """

    def __init__(
        self,
        attempts_left: int,
        kind: CodeKind | None = None,
        counters: tuple[CodeState, ...] = (),
    ) -> None:
        if attempts_left < 1:
            raise ValueError("WrongCode needs at least one attempt left; use CodeBlocked")
        self.attempts_left = attempts_left
        self.kind = kind
        self.counters = counters
        plural = "attempt" if attempts_left == 1 else "attempts"
        super().__init__(f"wrong {_code_name(kind)}, {attempts_left} {plural} left")


class CodeBlocked(CardError):
    """The code is blocked (no tries left): ``already`` True if it was blocked before the
    operation, which then sent nothing; else this attempt blocked it."""

    def __init__(
        self,
        kind: CodeKind | None = None,
        counters: tuple[CodeState, ...] = (),
        *,
        already: bool = False,
    ) -> None:
        self.kind = kind
        self.counters = counters
        self.already = already
        when = "is blocked; nothing was sent" if already else "is now blocked"
        super().__init__(f"{_code_name(kind)} {when}")


class CodeRejected(CardError):
    """The card refused a code without counting it as a wrong try.

    Seen after CHANGE REFERENCE DATA when old and new code are equal (6985, 6A80) and
    after VERIFY with a code of invalid length (6A80, 6700); docs/card-protocol.md §7
    (DD4 ``QSmartCard::pinChange``, LEID ``verifyPin``).
    """

    def __init__(self, sw: int) -> None:
        self.sw = sw
        super().__init__(f"card rejected the code format or value (status {sw:04X})")


class PinPadError(CardError):
    """A PIN-pad reader ended the entry itself (status 6400-6404).

    Meanings per docs/card-protocol.md §7 (LEID ``verifyPin``, DD4 ``pinChange``, OpenSC
    ``reader-pcsc.c``).
    """

    TIMEOUT = SW.PINPAD_TIMEOUT
    CANCELLED = SW.PINPAD_CANCELLED
    MISMATCH = SW.PINPAD_MISMATCH
    BAD_LENGTH = SW.PINPAD_BAD_LENGTH
    DISABLED = SW.PINPAD_DISABLED

    _TEXT: ClassVar[Mapping[int, str]] = {
        TIMEOUT: "PIN entry timed out on the reader",
        CANCELLED: "PIN entry was cancelled on the reader",
        MISMATCH: "the new codes entered on the reader did not match",
        BAD_LENGTH: "the code entered on the reader had an invalid length",
        DISABLED: "PIN entry is disabled on the reader",
    }

    def __init__(self, sw: int) -> None:
        self.sw = sw
        super().__init__(self._TEXT.get(sw, f"PIN-pad reader error (status {sw:04X})"))


class NotEstonianCard(CardError):
    """The card in the reader is not a supported Estonian eID chip."""

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        suffix = f": {detail}" if detail else ""
        super().__init__(f"not a supported Estonian eID card{suffix}")


class UnsupportedOperation(CardError):
    """The chip or the card's state does not allow this operation (e.g. changing the PUK
    on Thales); nothing was sent."""


class CardNotActivated(UnsupportedOperation):
    """Thales card delivered by courier and not yet activated: this project's reading of
    PIN1's DF2F flag 00 (docs/card-protocol.md §4.4).

    DD4 hides every PIN operation for such a card; activation happens in the police
    self-service portal, not through the reader.
    """

    def __init__(self) -> None:
        super().__init__(
            "the card is not activated yet: activate it in the Police and Border Guard "
            "Board self-service portal before changing its codes"
        )


class AlreadyActivated(UnsupportedOperation):
    """PIN2 has already been changed since issue: nothing to activate."""

    def __init__(self) -> None:
        super().__init__("PIN2 is already activated; change it with `advisor card change-pin pin2`")


class PolicyViolation(CardError):
    """A code was refused before anything was sent to the card.

    ``current`` False: the new code breaks the rules of ``advisor.card.policy`` (DD4's
    rules). ``current`` True: the current code or PUK given cannot be right (length or
    characters), so sending it would only cost a try.
    """

    def __init__(
        self, kind: CodeKind, violations: Sequence[Violation], *, current: bool = False
    ) -> None:
        self.kind = kind
        self.violations = tuple(violations)
        self.current = current
        reasons = ", ".join(violation.reason.value for violation in self.violations)
        which = "current" if current else "new"
        super().__init__(f"{which} {kind.label} refused before anything was sent: {reasons}")


class LastAttemptNotConfirmed(CardError):
    """A code the operation spends has one attempt left and the caller did not allow it."""

    def __init__(self, kind: CodeKind) -> None:
        self.kind = kind
        super().__init__(
            f"{kind.label} has one attempt left: a wrong entry blocks it; "
            "the operation needs allow_last_attempt=True"
        )


class RemovedAfterSending(CardRemoved, CardError):
    """The card was removed after the operation's codes were sent, while the counters were
    being read back. ``done``: the card had accepted the operation."""

    def __init__(self, operation: CodeOperation, kind: CodeKind, *, done: bool) -> None:
        self.operation = operation
        self.kind = kind
        self.done = done
        outcome = "was done" if done else "was refused by the card"
        super().__init__(f"{operation} of {kind.label} {outcome}; the card was then removed")
