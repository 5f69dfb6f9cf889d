"""An in-process :class:`advisor.transport.Connection` to a virtual card (``--virtual``).

No pcscd and no pyscard: APDUs go straight to :meth:`VirtualCard.transmit`, through the
same 61xx/6Cxx handling and redacted tracing as the PC/SC transport, so a ``t0=True``
card exercises GET RESPONSE exactly as a T=0 reader would.

For tests it can fail the way a real reader does:

* ``remove_at=N`` pulls the card when the N-th APDU (1-based, counting every APDU that
  would reach the card, GET RESPONSEs included) is about to be sent: that APDU never
  reaches the card, it and everything after it raise :class:`CardRemoved`, and the card
  loses power (its security state is reset, counters stay). :meth:`remove` does the same
  at once.
* ``in_use=True`` makes the connection fail as when another application holds the card
  exclusively: :class:`CardInUse`, raised by the constructor (that is, at connect).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from advisor.emulator.card import VirtualCard
from advisor.transport import (
    CardInUse,
    CardRemoved,
    TransportError,
    exchange,
    redact_command,
    redact_response,
)

__all__ = ["DEFAULT_READER", "VirtualConnection"]

log = logging.getLogger(__name__)

DEFAULT_READER = "Virtual reader (advisor)"


class VirtualConnection:
    """A connection to ``card`` in a pretend reader named ``reader``."""

    def __init__(
        self,
        card: VirtualCard,
        reader: str = DEFAULT_READER,
        remove_at: int | None = None,
        *,
        in_use: bool = False,
    ) -> None:
        if remove_at is not None and remove_at < 1:
            raise ValueError("remove_at counts APDUs from 1")
        if in_use:
            raise CardInUse(f"another application is using the card in {reader} exclusively")
        self.card = card
        self._reader = reader
        self.remove_at = remove_at
        self.sent = 0  # APDUs that reached the card
        self.transactions = 0  # outermost transactions begun
        self._removed = False
        self._closed = False
        self._depth = 0
        self._lock = threading.RLock()

    # -- Connection protocol --

    @property
    def atr(self) -> bytes:
        return self.card.atr

    @property
    def reader(self) -> str:
        return self._reader

    def transmit(self, apdu: bytes) -> bytes:
        with self._lock:
            return exchange(self._transmit_once, bytes(apdu))

    def _transmit_once(self, apdu: bytes) -> bytes:
        if self._closed:
            raise TransportError(f"the connection to {self._reader} is closed")
        if not self._removed and self.remove_at is not None and self.sent + 1 >= self.remove_at:
            self.remove()
        if self._removed:
            raise CardRemoved(f"the card was removed from {self._reader} during the operation")
        log.debug("> %s", redact_command(apdu))
        response = self.card.transmit(apdu)
        self.sent += 1
        log.debug("< %s", redact_response(apdu, response))
        return response

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            if self._removed:
                raise CardRemoved(f"the card was removed from {self._reader}")
            if self._depth == 0:
                self.transactions += 1
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1

    def control(self, code: int, data: bytes) -> bytes:
        raise TransportError(f"{self._reader} has no PC/SC part 10 features (control 0x{code:X})")

    def features(self) -> dict[int, int]:
        return {}

    def close(self) -> None:
        """Disconnect, leaving the card as it is (like SCARD_LEAVE_CARD)."""
        self._closed = True

    # -- test controls --

    @property
    def removed(self) -> bool:
        return self._removed

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def remove(self) -> None:
        """Pull the card now: it loses power, every later APDU raises CardRemoved."""
        if not self._removed:
            self._removed = True
            self.card.reset()

    def __enter__(self) -> VirtualConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "removed" if self._removed else ("closed" if self._closed else "connected")
        return f"VirtualConnection({self._reader!r}, {self.card.profile}, {state})"
