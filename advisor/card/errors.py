"""Typed errors of the card layer.

Every message is built from counts, status words and names only: no
constructor here accepts a PIN or PUK, so no message, ``repr()`` or traceback
line produced by these types can contain one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

__all__ = [
    "CardError",
    "CodeBlocked",
    "CodeRejected",
    "MalformedResponse",
    "NotEstonianCard",
    "PinPadError",
    "StatusError",
    "UnsupportedOperation",
    "WrongCode",
]


class CardError(Exception):
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

    def __reduce__(self) -> tuple[type[StatusError], tuple[int, str]]:
        return (type(self), (self.sw, self.context))


class WrongCode(CardError):
    """A PIN or PUK was wrong and the card still allows ``attempts_left`` tries.

    ``attempts_left`` is always at least 1: a wrong code that leaves no tries
    is reported as :class:`CodeBlocked`, because the holder's options differ.
    """

    def __init__(self, attempts_left: int) -> None:
        if attempts_left < 1:
            raise ValueError("WrongCode needs at least one attempt left; use CodeBlocked")
        self.attempts_left = attempts_left
        plural = "attempt" if attempts_left == 1 else "attempts"
        super().__init__(f"wrong code, {attempts_left} {plural} left")

    def __reduce__(self) -> tuple[type[WrongCode], tuple[int]]:
        return (type(self), (self.attempts_left,))


class CodeBlocked(CardError):
    """The code is blocked (no tries left), either already or by this attempt."""

    def __init__(self) -> None:
        super().__init__("code is blocked")

    def __reduce__(self) -> tuple[type[CodeBlocked], tuple[()]]:
        return (type(self), ())


class CodeRejected(CardError):
    """The card refused a code without counting it as a wrong try.

    Seen after CHANGE REFERENCE DATA when old and new code are equal (6985,
    6A80) and after VERIFY with a code of invalid length (6A80, 6700);
    card-protocol.md §7 (DD4 ``QSmartCard::pinChange``, LEID ``verifyPin``).
    """

    def __init__(self, sw: int) -> None:
        self.sw = sw
        super().__init__(f"card rejected the code format or value (status {sw:04X})")

    def __reduce__(self) -> tuple[type[CodeRejected], tuple[int]]:
        return (type(self), (self.sw,))


class PinPadError(CardError):
    """A PIN-pad reader ended the entry itself (status 6400-6404).

    Meanings per card-protocol.md §7 (LEID ``verifyPin``, DD4 ``pinChange``,
    OpenSC ``reader-pcsc.c``).
    """

    TIMEOUT = 0x6400
    CANCELLED = 0x6401
    MISMATCH = 0x6402
    BAD_LENGTH = 0x6403
    DISABLED = 0x6404

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

    def __reduce__(self) -> tuple[type[PinPadError], tuple[int]]:
        return (type(self), (self.sw,))


class NotEstonianCard(CardError):
    """The card in the reader is not a supported Estonian eID chip."""

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        suffix = f": {detail}" if detail else ""
        super().__init__(f"not a supported Estonian eID card{suffix}")

    def __reduce__(self) -> tuple[type[NotEstonianCard], tuple[str]]:
        return (type(self), (self.detail,))


class UnsupportedOperation(CardError):
    """The chip does not offer this operation (e.g. changing the PUK on Thales)."""
