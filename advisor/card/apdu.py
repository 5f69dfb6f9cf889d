"""Command and response APDUs (ISO/IEC 7816-4) and status-word helpers.

Pure values only: nothing here talks to a reader. Secrets travel in the data
field of a handful of instructions; :class:`Command` never shows that field in
``repr()``/``str()``, so a command can be logged or end up in a traceback
without leaking a PIN.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.card.errors import (
    CodeBlocked,
    CodeRejected,
    PinPadError,
    StatusError,
    WrongCode,
)
from advisor.iso7816 import SENSITIVE_INS, SW, Ins

__all__ = [
    "MAX_SHORT_LE",
    "Command",
    "Response",
    "check_code_status",
    "check_status",
    "corrected_le",
    "get_response",
    "is_sensitive",
    "more_data_available",
    "retries_from_sw",
]

# Ne that a short APDU encodes as Le=00 (ISO/IEC 7816-4 §5.1).
MAX_SHORT_LE = 256
_MAX_EXTENDED_LE = 65536
_MAX_EXTENDED_LC = 65535


def is_sensitive(ins: int) -> bool:
    """True if the data field of instruction ``ins`` may hold a PIN or PUK."""
    return ins in SENSITIVE_INS


def _check_byte(name: str, value: int) -> None:
    if not 0 <= value <= 0xFF:
        raise ValueError(f"{name} must be a byte (0..255), got {value}")


@dataclass(frozen=True, repr=False)
class Command:
    """A command APDU.

    ``le`` is Ne, the number of response bytes expected: ``None`` for no Le
    field, 1..256 for a short Le (256 is encoded as ``00``), up to 65536 for an
    extended Le. Extended encoding is used only when the data or Le does not
    fit a short APDU; the EstEID commands never need it.
    """

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None

    def __post_init__(self) -> None:
        for name in ("cla", "ins", "p1", "p2"):
            _check_byte(name, getattr(self, name))
        if not isinstance(self.data, bytes):
            # bytearray would make the frozen value mutable from outside.
            raise TypeError("data must be bytes")
        if len(self.data) > _MAX_EXTENDED_LC:
            raise ValueError(f"data too long for any APDU ({len(self.data)} bytes)")
        if self.le is not None and not 1 <= self.le <= _MAX_EXTENDED_LE:
            raise ValueError(
                f"le is Ne and must be 1..{_MAX_EXTENDED_LE} (use {MAX_SHORT_LE} for Le=00)"
            )

    @property
    def extended(self) -> bool:
        """True if this command needs extended length fields."""
        return len(self.data) > 0xFF or (self.le is not None and self.le > MAX_SHORT_LE)

    @property
    def sensitive(self) -> bool:
        """True if the data field may hold a PIN or PUK."""
        return is_sensitive(self.ins)

    def _header(self) -> bytes:
        return bytes((self.cla, self.ins, self.p1, self.p2))

    def _lc_field(self) -> bytes:
        if not self.data:
            return b""
        if self.extended:
            return b"\x00" + len(self.data).to_bytes(2, "big")
        return bytes((len(self.data),))

    def _le_field(self) -> bytes:
        if self.le is None:
            return b""
        if self.extended:
            encoded = (self.le % _MAX_EXTENDED_LE).to_bytes(2, "big")
            # With no Lc field the extended marker byte precedes Le instead.
            return encoded if self.data else b"\x00" + encoded
        return bytes((self.le % MAX_SHORT_LE,))

    def to_bytes(self) -> bytes:
        """The APDU as sent to the card (this *does* include any PIN)."""
        return self._header() + self._lc_field() + self.data + self._le_field()

    def redacted(self) -> str:
        """Hex rendering for logs; the data of PIN-bearing commands is hidden."""
        parts = [self._header().hex(" ").upper()]
        lc = self._lc_field()
        if lc:
            parts.append(lc.hex(" ").upper())
        if self.data:
            if self.sensitive:
                parts.append(f"<{len(self.data)} bytes redacted>")
            else:
                parts.append(self.data.hex(" ").upper())
        le = self._le_field()
        if le:
            parts.append(le.hex(" ").upper())
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"Command({self.redacted()})"


@dataclass(frozen=True)
class Response:
    """A response APDU: data and the two status bytes."""

    data: bytes
    sw1: int
    sw2: int

    def __post_init__(self) -> None:
        _check_byte("sw1", self.sw1)
        _check_byte("sw2", self.sw2)
        if not isinstance(self.data, bytes):
            raise TypeError("data must be bytes")

    @classmethod
    def from_bytes(cls, raw: bytes) -> Response:
        """Split a raw response (data followed by SW1 SW2)."""
        if len(raw) < 2:
            raise ValueError(f"a response needs at least the 2 status bytes, got {len(raw)}")
        return cls(bytes(raw[:-2]), raw[-2], raw[-1])

    @property
    def sw(self) -> int:
        """SW1 and SW2 as one 16-bit number, e.g. ``0x9000``."""
        return (self.sw1 << 8) | self.sw2

    @property
    def ok(self) -> bool:
        """True for 9000 only (warnings such as 62xx/63xx are not success)."""
        return self.sw == SW.OK


def retries_from_sw(sw: int) -> int | None:
    """Tries left implied by a status word, or ``None`` if it says nothing.

    63Cx gives x. 6983 and 6984 give 0 because the reference stacks treat both
    as "blocked" (docs/card-protocol.md §7). Other 63xx words are not counters.
    """
    if sw & 0xFFF0 == SW.VERIFY_FAILED:
        return sw & 0x0F
    if sw in (SW.AUTH_METHOD_BLOCKED, SW.REFERENCE_DATA_NOT_USABLE):
        return 0
    return None


def more_data_available(sw: int) -> int | None:
    """For 61xx, the number of bytes GET RESPONSE can fetch (xx=00 means 256)."""
    if sw & 0xFF00 != SW.MORE_DATA:
        return None
    return (sw & 0xFF) or MAX_SHORT_LE


def corrected_le(sw: int) -> int | None:
    """For 6Cxx, the Ne to resend the same command with (xx=00 means 256)."""
    if sw & 0xFF00 != SW.WRONG_LE:
        return None
    return (sw & 0xFF) or MAX_SHORT_LE


def get_response(le: int) -> Command:
    """GET RESPONSE ``00 C0 00 00 xx`` as sent by LEID and DD4 after 61xx."""
    return Command(0x00, Ins.GET_RESPONSE, 0x00, 0x00, le=le)


def check_status(response: Response, context: str = "") -> Response:
    """Return ``response`` if it is 9000, else raise :class:`StatusError`."""
    if not response.ok:
        raise StatusError(response.sw, context)
    return response


def check_code_status(sw: int) -> None:
    """Map the answer to VERIFY / CHANGE REFERENCE DATA / RESET RETRY COUNTER.

    Follows DD4 ``QSmartCard::pinChange`` (docs/card-protocol.md §9): 9000 success;
    63C0, 6983, 6984 blocked; 63C1..63CF wrong code with tries left; 6985 and
    6A80 (and LEID's 6700) a refused code; 6400..6404 pin-pad outcomes. Anything
    else raises :class:`StatusError`.
    """
    if sw == SW.OK:
        return
    retries = retries_from_sw(sw)
    if retries == 0:
        raise CodeBlocked()
    if retries is not None:
        raise WrongCode(retries)
    if sw in (SW.CONDITIONS_NOT_SATISFIED, SW.INCORRECT_DATA, SW.WRONG_LENGTH):
        raise CodeRejected(sw)
    if SW.PINPAD_TIMEOUT <= sw <= SW.PINPAD_DISABLED:
        raise PinPadError(sw)
    raise StatusError(sw)
