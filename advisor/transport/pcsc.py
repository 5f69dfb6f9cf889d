"""PC/SC transport: readers, connections, transactions and pin-pad controls over pyscard.

The only module of the package that imports pyscard (``smartcard``), and only when a
function here is called, so that everything else works without it (``pip install
'advisor[pcsc]'`` adds it). It uses pyscard's thin ``smartcard.scard`` layer, which
returns PC/SC codes instead of raising, so that every code is mapped here to the
exceptions of :mod:`advisor.transport` and no pyscard exception (or APDU) ever travels
up.

Guarantees (docs/transport.md):

* a card is connected EXCLUSIVE when possible, SHARED when another application already
  has it open shared; T=0 or T=1, whichever the card offers;
* a card is always left as it is on disconnect (SCARD_LEAVE_CARD): never powered off or
  reset, because DigiDoc4, Web eID or a browser may be using it too;
* 61xx and 6Cxx are followed, so the card layer sees one complete answer per command;
* APDUs are traced at DEBUG on the ``advisor.transport.pcsc`` logger with the data of VERIFY,
  CHANGE REFERENCE DATA and RESET RETRY COUNTER (and their kin) redacted, and the card's
  files (personal data, certificates) shown as their length unless ADVISOR_LOG_CARD_DATA=1;
  exception messages never carry APDU data.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, Protocol, cast

from advisor.transport import (
    CardInUse,
    CardRemoved,
    CardWaitTimeout,
    NoCard,
    NoMatchingReader,
    NoReader,
    NoService,
    PyscardMissing,
    SeveralReaders,
    TransportError,
    TransportTimeout,
    exchange,
    redact_command,
    redact_response,
)

__all__ = [
    "FEATURE_REQUEST_FUNCTION",
    "PcscConnection",
    "PyscardMissing",
    "ReaderInfo",
    "connect",
    "error_name",
    "list_readers",
    "map_error",
    "parse_features",
]

log = logging.getLogger("advisor.transport.pcsc")

# --- PC/SC constants ----------------------------------------------------------------
# The same values in pcsc-lite and WinSCard (tests compare them with pyscard's).
SCARD_S_SUCCESS = 0
SCARD_SCOPE_USER = 0
SCARD_SHARE_EXCLUSIVE = 1
SCARD_SHARE_SHARED = 2
SCARD_PROTOCOL_T0 = 1
SCARD_PROTOCOL_T1 = 2
SCARD_LEAVE_CARD = 0
SCARD_STATE_UNAWARE = 0x0000
SCARD_STATE_CHANGED = 0x0002
SCARD_STATE_UNKNOWN = 0x0004
SCARD_STATE_UNAVAILABLE = 0x0008
SCARD_STATE_EMPTY = 0x0010
SCARD_STATE_PRESENT = 0x0020
SCARD_STATE_EXCLUSIVE = 0x0080
SCARD_STATE_MUTE = 0x0200

# The pseudo reader whose state changes when a reader is plugged in or out.
PNP_NOTIFICATION = "\\\\?PnP?\\Notification"

# PC/SC part 10: CM_IOCTL_GET_FEATURE_REQUEST is SCARD_CTL_CODE(3400); how a function
# number becomes a control code differs between pcsc-lite and WinSCard, so pyscard's
# SCARD_CTL_CODE does it.
FEATURE_REQUEST_FUNCTION = 3400

# Return codes (pcsc-lite pcsclite.h; identical in WinSCard).
SCARD_E_CANCELLED = 0x80100002
SCARD_E_INVALID_HANDLE = 0x80100003
SCARD_E_UNKNOWN_READER = 0x80100009
SCARD_E_TIMEOUT = 0x8010000A
SCARD_E_SHARING_VIOLATION = 0x8010000B
SCARD_E_NO_SMARTCARD = 0x8010000C
SCARD_E_PROTO_MISMATCH = 0x8010000F
SCARD_F_COMM_ERROR = 0x80100013
SCARD_E_NOT_TRANSACTED = 0x80100016
SCARD_E_READER_UNAVAILABLE = 0x80100017
SCARD_E_NO_SERVICE = 0x8010001D
SCARD_E_SERVICE_STOPPED = 0x8010001E
SCARD_E_UNSUPPORTED_FEATURE = 0x8010001F
SCARD_E_NO_READERS_AVAILABLE = 0x8010002E
SCARD_W_UNSUPPORTED_CARD = 0x80100065
SCARD_W_UNRESPONSIVE_CARD = 0x80100066
SCARD_W_UNPOWERED_CARD = 0x80100067
SCARD_W_RESET_CARD = 0x80100068
SCARD_W_REMOVED_CARD = 0x80100069

_ERROR_NAMES: dict[int, str] = {
    0x80100001: "SCARD_F_INTERNAL_ERROR",
    SCARD_E_CANCELLED: "SCARD_E_CANCELLED",
    SCARD_E_INVALID_HANDLE: "SCARD_E_INVALID_HANDLE",
    0x80100004: "SCARD_E_INVALID_PARAMETER",
    0x80100005: "SCARD_E_INVALID_TARGET",
    0x80100006: "SCARD_E_NO_MEMORY",
    0x80100007: "SCARD_F_WAITED_TOO_LONG",
    0x80100008: "SCARD_E_INSUFFICIENT_BUFFER",
    SCARD_E_UNKNOWN_READER: "SCARD_E_UNKNOWN_READER",
    SCARD_E_TIMEOUT: "SCARD_E_TIMEOUT",
    SCARD_E_SHARING_VIOLATION: "SCARD_E_SHARING_VIOLATION",
    SCARD_E_NO_SMARTCARD: "SCARD_E_NO_SMARTCARD",
    0x8010000D: "SCARD_E_UNKNOWN_CARD",
    0x8010000E: "SCARD_E_CANT_DISPOSE",
    SCARD_E_PROTO_MISMATCH: "SCARD_E_PROTO_MISMATCH",
    0x80100010: "SCARD_E_NOT_READY",
    0x80100011: "SCARD_E_INVALID_VALUE",
    0x80100012: "SCARD_E_SYSTEM_CANCELLED",
    SCARD_F_COMM_ERROR: "SCARD_F_COMM_ERROR",
    0x80100014: "SCARD_F_UNKNOWN_ERROR",
    0x80100015: "SCARD_E_INVALID_ATR",
    SCARD_E_NOT_TRANSACTED: "SCARD_E_NOT_TRANSACTED",
    SCARD_E_READER_UNAVAILABLE: "SCARD_E_READER_UNAVAILABLE",
    0x80100019: "SCARD_E_PCI_TOO_SMALL",
    0x8010001A: "SCARD_E_READER_UNSUPPORTED",
    0x8010001B: "SCARD_E_DUPLICATE_READER",
    0x8010001C: "SCARD_E_CARD_UNSUPPORTED",
    SCARD_E_NO_SERVICE: "SCARD_E_NO_SERVICE",
    SCARD_E_SERVICE_STOPPED: "SCARD_E_SERVICE_STOPPED",
    SCARD_E_UNSUPPORTED_FEATURE: "SCARD_E_UNSUPPORTED_FEATURE",
    SCARD_E_NO_READERS_AVAILABLE: "SCARD_E_NO_READERS_AVAILABLE",
    SCARD_W_UNSUPPORTED_CARD: "SCARD_W_UNSUPPORTED_CARD",
    SCARD_W_UNRESPONSIVE_CARD: "SCARD_W_UNRESPONSIVE_CARD",
    SCARD_W_UNPOWERED_CARD: "SCARD_W_UNPOWERED_CARD",
    SCARD_W_RESET_CARD: "SCARD_W_RESET_CARD",
    SCARD_W_REMOVED_CARD: "SCARD_W_REMOVED_CARD",
}

# A wait for a card is cut into slices so that Ctrl-C is seen promptly (the C call
# cannot be interrupted).
_WAIT_SLICE_MS = 500
_MIN_WAIT = 0.05

Stage = Literal["context", "readers", "connect", "operation"]


class _Scard(Protocol):
    """The part of ``smartcard.scard`` this module calls (pyscard has no stubs)."""

    def SCardEstablishContext(self, scope: int) -> tuple[int, int]: ...
    def SCardReleaseContext(self, hcontext: int) -> int: ...
    def SCardListReaders(self, hcontext: int, groups: list[str]) -> tuple[int, list[str]]: ...
    def SCardGetStatusChange(
        self, hcontext: int, timeout_ms: int, states: list[tuple[str, int]]
    ) -> tuple[int, list[tuple[str, int, list[int]]]]: ...
    def SCardConnect(
        self, hcontext: int, reader: str, share: int, protocols: int
    ) -> tuple[int, int, int]: ...
    def SCardStatus(self, hcard: int) -> tuple[int, str, int, int, list[int]]: ...
    def SCardTransmit(
        self, hcard: int, protocol: int, apdu: list[int]
    ) -> tuple[int, list[int]]: ...
    def SCardControl(self, hcard: int, code: int, data: list[int]) -> tuple[int, list[int]]: ...
    def SCardBeginTransaction(self, hcard: int) -> int: ...
    def SCardEndTransaction(self, hcard: int, disposition: int) -> int: ...
    def SCardDisconnect(self, hcard: int, disposition: int) -> int: ...
    def SCARD_CTL_CODE(self, code: int) -> int: ...


def _load_scard() -> _Scard:
    """Import pyscard's PC/SC layer (the only pyscard import of the package)."""
    try:
        from smartcard import scard
    except ImportError as err:  # not installed, or libpcsclite missing
        raise PyscardMissing(
            "PC/SC support is not installed: pip install 'advisor[pcsc]' (pyscard)"
        ) from err
    return cast(_Scard, scard)


# --- error mapping --------------------------------------------------------------------


def _code(hresult: int) -> int:
    # WinSCard returns these as negative 32-bit numbers; pcsc-lite as positive longs.
    return hresult & 0xFFFFFFFF


def error_name(hresult: int) -> str:
    """``SCARD_W_REMOVED_CARD (0x80100069)`` for a PC/SC return code."""
    code = _code(hresult)
    return f"{_ERROR_NAMES.get(code, 'PC/SC error')} (0x{code:08X})"


def map_error(hresult: int, stage: Stage, what: str) -> TransportError:
    """The transport exception for PC/SC code ``hresult`` returned by ``what``.

    ``stage`` decides between "no card" (before we hold a card: ``context``, ``readers``,
    ``connect``) and "card removed" (``operation``: a card we held went away). The
    message names the call and the code, never APDU data.
    """
    code = _code(hresult)
    during = stage == "operation"
    detail = f"{what}: {error_name(code)}"
    err: TransportError
    if code in (SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED):
        err = NoService(f"the PC/SC service (pcscd) is not running or not reachable; {detail}")
    elif code in (SCARD_E_NO_READERS_AVAILABLE, SCARD_E_UNKNOWN_READER):
        err = NoReader(f"no card reader is connected; {detail}")
    elif code == SCARD_E_READER_UNAVAILABLE:
        err = (CardRemoved if during else NoReader)(f"the reader went away; {detail}")
    elif code in (SCARD_E_NO_SMARTCARD, SCARD_W_REMOVED_CARD):
        err = (
            CardRemoved(f"the card was removed during the operation; {detail}")
            if during
            else NoCard(f"there is no card in the reader; {detail}")
        )
    elif code in (SCARD_W_UNRESPONSIVE_CARD, SCARD_W_UNPOWERED_CARD):
        err = (
            CardRemoved(f"the card stopped answering during the operation; {detail}")
            if during
            else NoCard(f"the card in the reader does not answer (inserted wrongly?); {detail}")
        )
    elif code in (SCARD_E_NOT_TRANSACTED, SCARD_F_COMM_ERROR) and during:
        # pcsc-lite's answer when the reader fails to exchange an APDU, typically the
        # first transmit after the card was pulled, before pcscd has noticed (verified).
        err = CardRemoved(f"the card stopped answering during the operation (removed?); {detail}")
    elif code == SCARD_W_RESET_CARD:
        err = CardRemoved(f"another application reset the card; {detail}")
    elif code == SCARD_E_SHARING_VIOLATION:
        err = CardInUse(f"another application is using the card exclusively; {detail}")
    elif code == SCARD_E_TIMEOUT:
        err = TransportTimeout(f"the reader or card did not answer in time; {detail}")
    else:
        err = TransportError(detail)
    err.pcsc_code = code
    return err


def _check(hresult: int, stage: Stage, what: str) -> None:
    if _code(hresult) != SCARD_S_SUCCESS:
        raise map_error(hresult, stage, what)


# --- contexts and readers -------------------------------------------------------------


@dataclass(frozen=True)
class ReaderInfo:
    """One reader as PC/SC sees it now.

    ``has_card`` is a card that answered its reset (present and not mute); ``atr`` is its
    ATR (empty without one); ``exclusive`` is set while another application holds the card
    exclusively (connecting then fails with :class:`CardInUse`).
    """

    name: str
    has_card: bool
    atr: bytes
    exclusive: bool = False


class _Context:
    """An SCARDCONTEXT, released on close."""

    def __init__(self, scard: _Scard) -> None:
        self.scard = scard
        hresult, handle = scard.SCardEstablishContext(SCARD_SCOPE_USER)
        _check(hresult, "context", "SCardEstablishContext")
        self.handle = handle
        self._open = True

    def close(self) -> None:
        if self._open:
            self._open = False
            hresult = self.scard.SCardReleaseContext(self.handle)
            if _code(hresult) != SCARD_S_SUCCESS:
                log.debug("SCardReleaseContext: %s", error_name(hresult))

    def readers(self) -> list[str]:
        hresult, names = self.scard.SCardListReaders(self.handle, [])
        if _code(hresult) == SCARD_E_NO_READERS_AVAILABLE:
            return []
        _check(hresult, "readers", "SCardListReaders")
        return [str(name) for name in names]

    def states(self, names: list[str]) -> list[tuple[str, int, bytes]]:
        """Current state and ATR of each reader (no waiting)."""
        if not names:
            return []
        hresult, states = self.scard.SCardGetStatusChange(
            self.handle, 0, [(name, SCARD_STATE_UNAWARE) for name in names]
        )
        _check(hresult, "readers", "SCardGetStatusChange")
        return [(str(name), int(state), bytes(atr)) for name, state, atr in states]

    def wait_change(self, current: list[tuple[str, int]], timeout: float) -> None:
        """Block until a reader of ``current`` (name, known state) or the reader list
        changes, or ``timeout`` seconds pass. Returns either way; callers look again."""
        states = [*current, (PNP_NOTIFICATION, SCARD_STATE_UNAWARE)]
        started = time.monotonic()
        hresult, _ = self.scard.SCardGetStatusChange(
            self.handle, max(0, int(timeout * 1000)), states
        )
        code = _code(hresult)
        if code not in (
            SCARD_S_SUCCESS,
            SCARD_E_TIMEOUT,
            SCARD_E_UNKNOWN_READER,
            SCARD_E_READER_UNAVAILABLE,
        ):
            # (A reader going away between listing and waiting just means: list again.)
            _check(hresult, "readers", "SCardGetStatusChange")
        if time.monotonic() - started < _MIN_WAIT:
            # Never spin: a PC/SC stack that reports changes at once would otherwise
            # turn the wait into a busy loop.
            time.sleep(min(_MIN_WAIT, timeout))


def _info(name: str, state: int, atr: bytes) -> ReaderInfo:
    present = bool(state & SCARD_STATE_PRESENT) and not state & SCARD_STATE_MUTE
    return ReaderInfo(name, present, atr if present else b"", bool(state & SCARD_STATE_EXCLUSIVE))


def list_readers() -> list[ReaderInfo]:
    """Every reader PC/SC knows, with whether it holds a card and that card's ATR.

    An empty list when pcscd runs without readers; :class:`NoService` when it does not
    run (or pyscard is missing).
    """
    context = _Context(_load_scard())
    try:
        return [_info(*state) for state in context.states(context.readers())]
    finally:
        context.close()


def _matching(names: list[str], wanted: str | None) -> list[str]:
    """Readers that ``wanted`` designates: an exact (case-insensitive) name wins over
    substring matches; ``None`` designates every reader."""
    if wanted is None:
        return list(names)
    key = wanted.casefold()
    exact = [name for name in names if name.casefold() == key]
    return exact or [name for name in names if key in name.casefold()]


def connect(reader: str | None = None, *, wait: float = 0) -> PcscConnection:
    """Connect to the card to use.

    ``reader`` is a case-insensitive substring of the reader's name (an exact name wins).
    Among the readers it designates (all without it), exactly one holding a card is used
    without asking; several raise :class:`SeveralReaders`. With none, ``wait`` seconds
    are spent waiting for a card (or a reader) to appear; then :class:`NoReader` when no
    reader matched, :class:`CardWaitTimeout` (a :class:`NoCard`) after a wait,
    :class:`NoCard` without one.
    """
    scard = _load_scard()
    context = _Context(scard)
    try:
        name = _choose_reader(context, reader, wait)
        return PcscConnection._open(context, name)
    except BaseException:
        context.close()
        raise


def _choose_reader(context: _Context, wanted: str | None, wait: float) -> str:
    deadline = time.monotonic() + max(wait, 0.0)
    while True:
        names = context.readers()
        candidates = _matching(names, wanted)
        states = context.states(candidates)
        with_card = [info.name for info in (_info(*state) for state in states) if info.has_card]
        if len(with_card) == 1:
            return with_card[0]
        if len(with_card) > 1:
            raise SeveralReaders(with_card)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            if not candidates:
                if wanted is not None and names:
                    raise NoMatchingReader(wanted, names)
                raise NoReader("no card reader is connected")
            if wait > 0:
                raise CardWaitTimeout(f"no card was inserted within {wait:g} s")
            if len(candidates) == 1:
                raise NoCard(f"there is no card in the reader {candidates[0]!r}")
            raise NoCard("there is no card in any reader")
        context.wait_change(
            [(name, state & ~SCARD_STATE_CHANGED) for name, state, _ in states],
            min(remaining, _WAIT_SLICE_MS / 1000),
        )


# --- connections ----------------------------------------------------------------------


def parse_features(data: bytes) -> dict[int, int]:
    """The TLV answer to CM_IOCTL_GET_FEATURE_REQUEST: tag (1 byte), length 4, control
    code (4 bytes, big-endian) → {tag: control code}. Malformed tails are ignored."""
    features: dict[int, int] = {}
    i = 0
    while i + 2 <= len(data):
        tag, length = data[i], data[i + 1]
        value = data[i + 2 : i + 2 + length]
        if len(value) < length:
            break
        if length == 4:
            features[tag] = int.from_bytes(value, "big")
        i += 2 + length
    return features


class PcscConnection:
    """A card connected through PC/SC (implements :class:`advisor.transport.Connection`).

    Make one with :func:`connect`. Use it as a context manager or call :meth:`close`,
    which leaves the card powered (SCARD_LEAVE_CARD) and releases the PC/SC context.
    """

    def __init__(
        self,
        context: _Context,
        hcard: int,
        protocol: int,
        reader: str,
        atr: bytes,
        share: int,
    ) -> None:
        self._context = context
        self._scard = context.scard
        self._hcard = hcard
        self._protocol = protocol
        self._reader = reader
        self._atr = atr
        self._share = share
        self._closed = False
        self._transaction_depth = 0
        self._features: dict[int, int] | None = None

    @classmethod
    def _open(cls, context: _Context, reader: str) -> PcscConnection:
        scard = context.scard
        protocols = SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1
        share = SCARD_SHARE_EXCLUSIVE
        hresult, hcard, protocol = scard.SCardConnect(context.handle, reader, share, protocols)
        if _code(hresult) == SCARD_E_SHARING_VIOLATION:
            # Another application has the card open (shared): share it with them. If it
            # holds the card exclusively this fails too, and that is CardInUse.
            log.debug("%s is open elsewhere; connecting shared", reader)
            share = SCARD_SHARE_SHARED
            hresult, hcard, protocol = scard.SCardConnect(context.handle, reader, share, protocols)
        _check(hresult, "connect", "SCardConnect")
        connection = cls(context, hcard, protocol, reader, b"", share)
        try:
            hresult, _, _, _, atr = scard.SCardStatus(hcard)
            _check(hresult, "connect", "SCardStatus")
            connection._atr = bytes(atr)
        except BaseException:
            connection._disconnect()
            raise
        log.debug(
            "connected to %s (%s, T=%d), ATR %s",
            reader,
            "exclusive" if share == SCARD_SHARE_EXCLUSIVE else "shared",
            0 if protocol == SCARD_PROTOCOL_T0 else 1,
            connection._atr.hex(" ").upper(),
        )
        return connection

    # -- Connection protocol --

    @property
    def atr(self) -> bytes:
        return self._atr

    @property
    def reader(self) -> str:
        return self._reader

    @property
    def exclusive(self) -> bool:
        """True when connected EXCLUSIVE, False when sharing the card with others."""
        return self._share == SCARD_SHARE_EXCLUSIVE

    @property
    def closed(self) -> bool:
        return self._closed

    def transmit(self, apdu: bytes) -> bytes:
        """Send a command APDU; return the complete response (data + SW1 SW2)."""
        return exchange(self._transmit_once, bytes(apdu))

    def _transmit_once(self, apdu: bytes) -> bytes:
        self._check_open()
        log.debug("> %s", redact_command(apdu))
        hresult, response = self._scard.SCardTransmit(self._hcard, self._protocol, list(apdu))
        _check(hresult, "operation", "SCardTransmit")
        answer = bytes(response)
        if len(answer) < 2:
            # Measured with pcscd and vpcd: a card pulled while a command is in flight
            # gives a "successful" empty answer; only the next call reports the removal.
            raise CardRemoved(
                "the card stopped answering during the operation (removed?): "
                f"SCardTransmit returned {len(answer)} byte(s)"
            )
        log.debug("< %s", redact_response(apdu, answer))
        return answer

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the card for a multi-APDU operation: no other application's APDUs come in
        between (SCardBeginTransaction; SCardEndTransaction with SCARD_LEAVE_CARD).
        Nested calls join the outer transaction."""
        self._check_open()
        if self._transaction_depth:
            # Nested: the outer transaction already holds the card.
            self._transaction_depth += 1
            try:
                yield
            finally:
                self._transaction_depth -= 1
            return
        _check(self._scard.SCardBeginTransaction(self._hcard), "operation", "SCardBeginTransaction")
        self._transaction_depth = 1
        try:
            yield
        finally:
            self._transaction_depth = 0
            hresult = self._scard.SCardEndTransaction(self._hcard, SCARD_LEAVE_CARD)
            if _code(hresult) != SCARD_S_SUCCESS:
                # The work inside is done (or its own error is on its way up); a card
                # pulled right after its last APDU only ends the transaction early.
                log.debug("SCardEndTransaction: %s", error_name(hresult))

    def control(self, code: int, data: bytes) -> bytes:
        """SCardControl (PC/SC part 10 pin-pad commands). The data is not logged."""
        self._check_open()
        hresult, response = self._scard.SCardControl(self._hcard, code, list(data))
        _check(hresult, "operation", f"SCardControl 0x{code:08X}")
        return bytes(response)

    def features(self) -> dict[int, int]:
        """PC/SC part 10 features of the reader: tag → control code; {} when the reader
        has none or does not support the request (vpcd, most readers without a pin pad)."""
        if self._features is None:
            code = self._scard.SCARD_CTL_CODE(FEATURE_REQUEST_FUNCTION)
            try:
                self._features = parse_features(self.control(code, b""))
            except (NoService, CardRemoved):
                raise
            except TransportError as err:
                log.debug("no PC/SC part 10 features on %s: %s", self._reader, err)
                self._features = {}
        return dict(self._features)

    def close(self) -> None:
        """Disconnect with SCARD_LEAVE_CARD (the card stays powered) and release the PC/SC
        context. Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        self._disconnect()

    def _disconnect(self) -> None:
        try:
            hresult = self._scard.SCardDisconnect(self._hcard, SCARD_LEAVE_CARD)
            if _code(hresult) != SCARD_S_SUCCESS:
                log.debug("SCardDisconnect: %s", error_name(hresult))
        finally:
            self._context.close()

    # -- helpers --

    def _check_open(self) -> None:
        if self._closed:
            raise TransportError(f"the connection to {self._reader} is closed")

    def __enter__(self) -> PcscConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("exclusive" if self.exclusive else "shared")
        return f"PcscConnection({self._reader!r}, {state})"
