"""What the card layer needs from a reader connection, and the errors a transport raises.

`advisor.transport.pcsc` implements it over PC/SC (pyscard); `advisor.emulator` serves it in
process for `--virtual`; tests use fakes. Nothing here knows about Estonian cards.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

from advisor.errors import AdvisorError
from advisor.iso7816 import FILE_DATA_INS, SW, Ins, is_sensitive_apdu


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
    """Base of what can go wrong between us and the card.

    ``pcsc_code`` is the PC/SC return code behind the error (e.g. ``0x80100069``) when
    there is one. Messages never carry APDU data.
    """

    pcsc_code: int | None = None


class NoService(TransportError):
    """The PC/SC service (pcscd) is not running or not reachable."""


class PyscardMissing(NoService):
    """pyscard (``smartcard``), the PC/SC binding, is not installed or cannot load
    libpcsclite: there is no way to reach PC/SC."""


class NoReader(TransportError):
    """No card reader is connected."""


class NoMatchingReader(NoReader):
    """Readers are connected, but none matches the name asked for (``--reader``)."""

    def __init__(self, wanted: str, readers: list[str]) -> None:
        super().__init__(f"no reader matches {wanted!r}; readers: " + "; ".join(readers))
        self.wanted = wanted
        self.readers = readers


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


class CardWaitTimeout(NoCard, TransportTimeout):
    """No card was inserted within the time given to wait for one.

    Both a :class:`NoCard` (what the holder must fix) and a :class:`TransportTimeout`."""


# --- helpers shared by every Connection implementation (no pyscard here) ---------------

GET_RESPONSE_HEADER = bytes((0x00, Ins.GET_RESPONSE, 0x00, 0x00))
# How many 61xx / 6Cxx rounds one command may take: 256 GET RESPONSEs move 64 KiB, more
# than any EstEID file; a card that keeps asking is broken, not slow.
MAX_EXCHANGE_ROUNDS = 256


def redact_command(apdu: bytes) -> str:
    """Hex of a raw command APDU for logs; everything after the header of a PIN-bearing
    command (Lc, data, Le) is replaced by its length."""
    if is_sensitive_apdu(apdu) and len(apdu) > 4:
        return f"{apdu[:4].hex(' ').upper()} <{len(apdu) - 4} bytes redacted>"
    return apdu.hex(" ").upper()


# Set to 1 to see the card's files (personal data, certificates) in a DEBUG log, for
# support work on a card whose holder agreed (docs/cli.md, docs/transport.md).
LOG_CARD_DATA = "ADVISOR_LOG_CARD_DATA"


def redact_response(command: bytes, response: bytes) -> str:
    """Hex of a raw response for logs. The answer to a PIN-bearing command is shown as its
    status word only (it has no data on a sane card; any data is hidden anyway). The data
    of a file read (READ BINARY, GET RESPONSE) is shown as its length: it is the holder's
    name, personal code and certificates; ADVISOR_LOG_CARD_DATA=1 shows it."""
    data = len(response) - 2
    if data > 0 and is_sensitive_apdu(command):
        return f"<{data} bytes redacted> {response[-2:].hex(' ').upper()}"
    if (
        data > 0
        and len(command) >= 2
        and command[1] in FILE_DATA_INS
        and os.environ.get(LOG_CARD_DATA) != "1"
    ):
        return f"<{data} bytes of card data> {response[-2:].hex(' ').upper()}"
    return response.hex(" ").upper()


def with_le(apdu: bytes, le: int) -> bytes | None:
    """The same command with its Le field set to the byte ``le`` (6Cxx: "resend with Le=xx").

    Works for the four ISO 7816-4 cases, short and extended; ``None`` when the bytes are
    not a well-formed command APDU (then nothing is resent)."""
    if len(apdu) < 4 or not 0 <= le <= 0xFF:
        return None
    header, body = apdu[:4], apdu[4:]
    if len(body) <= 1:  # case 1, or case 2 short
        return header + bytes((le,))
    if body[0] == 0 and len(body) >= 3:  # extended length
        ne = (le or 256).to_bytes(2, "big")
        if len(body) == 3:  # case 2E
            return header + b"\x00" + ne
        lc = int.from_bytes(body[1:3], "big")
        if len(body) == 3 + lc:  # case 3E
            return apdu + ne
        if len(body) == 5 + lc:  # case 4E
            return apdu[:-2] + ne
        return None
    lc = body[0]
    if lc and len(body) == 1 + lc:  # case 3 short
        return apdu + bytes((le,))
    if lc and len(body) == 2 + lc:  # case 4 short
        return apdu[:-1] + bytes((le,))
    return None


def exchange(send: Callable[[bytes], bytes], apdu: bytes) -> bytes:
    """Send one command through ``send`` (one raw APDU in, one raw response out) and
    return the complete answer: data followed by SW1 SW2.

    * 61xx: the data so far is kept and GET RESPONSE ``00 C0 00 00 xx`` fetches the rest,
      as often as the card asks; the pieces are concatenated, the last status word wins.
    * 6Cxx: the same command is resent once with Le=xx. A PIN-bearing command is never
      resent (its 6Cxx is returned as is): a code must reach a card at most once per call.

    Raises :class:`TransportError` for a response shorter than a status word or a card
    that never stops asking.
    """
    command = apdu
    resent = False
    data = b""
    for _ in range(MAX_EXCHANGE_ROUNDS):
        response = send(command)
        if len(response) < 2:
            raise TransportError(
                f"the reader returned {len(response)} byte(s), not a response APDU"
            )
        sw1, sw2 = response[-2], response[-1]
        if sw1 == SW.WRONG_LE >> 8 and not resent and not is_sensitive_apdu(command):
            corrected = with_le(command, sw2)
            if corrected is not None:
                command, resent = corrected, True
                continue
        if sw1 == SW.MORE_DATA >> 8:
            data += response[:-2]
            command, resent = GET_RESPONSE_HEADER + bytes((sw2,)), False
            continue
        return data + response
    raise TransportError(f"the card asked for more than {MAX_EXCHANGE_ROUNDS} 61xx/6Cxx rounds")
