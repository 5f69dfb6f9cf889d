"""What the card layer needs from a reader connection, and the errors a transport raises.

`advisor.pcsc` implements it over PC/SC (pyscard); `advisor.emulator` serves it in
process for `--virtual`; tests use fakes. Nothing here knows about Estonian cards.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

from .errors import AdvisorError


@runtime_checkable
class Connection(Protocol):
    """A card in a reader, connected."""

    @property
    def atr(self) -> bytes: ...

    @property
    def reader(self) -> str: ...

    def transmit(self, apdu: bytes) -> bytes:
        """Send one command APDU; return the response data followed by SW1 SW2.

        The transport has already followed 61xx (GET RESPONSE) and 6Cxx (resend with the
        corrected Le), so the card layer sees one complete answer per command."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """Hold the card for a multi-APDU operation (SCardBeginTransaction/EndTransaction)."""
        ...

    def control(self, code: int, data: bytes) -> bytes:
        """SCardControl, for the PC/SC part 10 pin-pad features."""
        ...

    def features(self) -> dict[int, int]:
        """PC/SC part 10 feature tag -> control code (empty when the reader has none)."""
        ...

    def close(self) -> None:
        """Disconnect leaving the card powered (SCARD_LEAVE_CARD)."""
        ...


class TransportError(AdvisorError):
    """Base of what can go wrong between us and the card."""


class NoService(TransportError):
    """The PC/SC service (pcscd) is not running or not reachable."""


class NoReader(TransportError):
    """No card reader is connected, or none matches --reader."""


class NoCard(TransportError):
    """The reader has no card (or the wait for one timed out)."""


class SeveralReaders(TransportError):
    """More than one reader holds a card: the user must choose with --reader."""

    def __init__(self, readers: list[str]) -> None:
        super().__init__("several readers hold a card: " + "; ".join(readers))
        self.readers = readers


class CardInUse(TransportError):
    """Another process holds the card exclusively."""


class CardRemoved(TransportError):
    """The card was removed or reset during an operation."""


class TransportTimeout(TransportError):
    """The reader or card did not answer in time."""
