"""ISO 7816-4 card-side machinery shared by the virtual IDEMIA and Thales cards.

This is the *card's* half of the protocol, written independently of
``advisor.card`` (the client). The two must never share code: a parsing or
padding bug shared by both sides would cancel out and no test would see it.

Sources are named with the legend of docs/card-protocol.md §0;
"ISO" is ISO/IEC 7816-4. Behaviour docs/card-protocol.md marks unknown is a documented
choice, listed in docs/emulator.md.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from typing import ClassVar

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature

from advisor.errors import AdvisorError

log = logging.getLogger(__name__)

TRACE_LENGTH = 2000


class SW(IntEnum):
    """Status words the virtual cards answer (ISO meanings; §7 for EstEID use)."""

    OK = 0x9000
    EOF_BEFORE_NE = 0x6282
    WRONG_LENGTH = 0x6700
    LOGICAL_CHANNEL_NOT_SUPPORTED = 0x6881
    SECURE_MESSAGING_NOT_SUPPORTED = 0x6882
    CHAINING_NOT_SUPPORTED = 0x6884
    SECURITY_STATUS_NOT_SATISFIED = 0x6982
    AUTH_METHOD_BLOCKED = 0x6983
    REFERENCE_DATA_NOT_USABLE = 0x6984
    CONDITIONS_NOT_SATISFIED = 0x6985
    NO_CURRENT_EF = 0x6986
    INCORRECT_DATA = 0x6A80
    FILE_NOT_FOUND = 0x6A82
    INCORRECT_P1P2 = 0x6A86
    NC_INCONSISTENT_WITH_P1P2 = 0x6A87
    REFERENCED_DATA_NOT_FOUND = 0x6A88
    WRONG_OFFSET = 0x6B00
    INS_NOT_SUPPORTED = 0x6D00
    CLA_NOT_SUPPORTED = 0x6E00
    NO_PRECISE_DIAGNOSIS = 0x6F00


def sw_wrong_code(tries_left: int) -> int:
    """63Cx: verification failed, x tries left; 63C0 = blocked now (§7)."""
    return 0x63C0 | (tries_left & 0x0F)


class CommandRefused(AdvisorError):
    """Ends a command with a status word and no data (caught inside the card)."""

    def __init__(self, sw: int) -> None:
        super().__init__(f"SW {sw:04X}")
        self.sw = sw


class ApduFormatError(AdvisorError, ValueError):
    """The bytes are not a short command APDU (ISO 7816-3/-4 cases 1-4)."""


@dataclass(frozen=True)
class Command:
    """A parsed short command APDU."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None  # the raw Le byte, None when absent

    @property
    def case(self) -> int:
        if self.data:
            return 3 if self.le is None else 4
        return 1 if self.le is None else 2

    @property
    def ne(self) -> int | None:
        """Maximum response length asked for (Le=00 means 256 in a short APDU)."""
        if self.le is None:
            return None
        return 256 if self.le == 0 else self.le

    @property
    def p1p2(self) -> int:
        return (self.p1 << 8) | self.p2


def parse_command(apdu: bytes) -> Command:
    """Split a short APDU into header, data and Le; extended length is refused.

    Raises ApduFormatError when the length bytes do not add up (the card answers
    6700 then).
    """
    if len(apdu) < 4:
        raise ApduFormatError("shorter than a header")
    cla, ins, p1, p2 = apdu[0], apdu[1], apdu[2], apdu[3]
    body = apdu[4:]
    if not body:
        return Command(cla, ins, p1, p2)
    if len(body) == 1:
        return Command(cla, ins, p1, p2, le=body[0])
    lc = body[0]
    if lc == 0:
        # Lc=00 followed by more bytes is the extended-length form.
        raise ApduFormatError("extended length is not supported")
    if len(body) == 1 + lc:
        return Command(cla, ins, p1, p2, data=bytes(body[1:]))
    if len(body) == 2 + lc:
        return Command(cla, ins, p1, p2, data=bytes(body[1:-1]), le=body[-1])
    raise ApduFormatError("Lc does not match the data")


@dataclass(frozen=True)
class Response:
    data: bytes = b""
    sw: int = SW.OK

    def to_bytes(self) -> bytes:
        return self.data + self.sw.to_bytes(2, "big")


# --- BER-TLV (card side) ---------------------------------------------------


def tlv(tag: int, value: bytes) -> bytes:
    """Encode one BER-TLV with a definite length (tags up to 3 bytes)."""
    tag_bytes = tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big")
    n = len(value)
    if n < 0x80:
        length = bytes([n])
    elif n <= 0xFF:
        length = bytes([0x81, n])
    else:
        length = bytes([0x82, n >> 8, n & 0xFF])
    return tag_bytes + length + value


def parse_tlv(data: bytes) -> list[tuple[int, bytes]]:
    """Split a BER-TLV sequence; malformed input is 6A80 (ISO incorrect data)."""
    out: list[tuple[int, bytes]] = []
    i = 0
    while i < len(data):
        tag = data[i]
        i += 1
        if tag & 0x1F == 0x1F:
            while True:
                if i >= len(data):
                    raise CommandRefused(SW.INCORRECT_DATA)
                tag = (tag << 8) | data[i]
                i += 1
                if not data[i - 1] & 0x80:
                    break
        if i >= len(data):
            raise CommandRefused(SW.INCORRECT_DATA)
        n = data[i]
        i += 1
        if n & 0x80:
            count = n & 0x7F
            if count == 0 or count > 2 or i + count > len(data):
                raise CommandRefused(SW.INCORRECT_DATA)
            n = int.from_bytes(data[i : i + count], "big")
            i += count
        if i + n > len(data):
            raise CommandRefused(SW.INCORRECT_DATA)
        out.append((tag, bytes(data[i : i + n])))
        i += n
    return out


# --- File system -----------------------------------------------------------


@dataclass(eq=False)
class EF:
    """A transparent elementary file, readable without a PIN on both chips."""

    fid: int
    data: bytes
    parent: DF | None = None


@dataclass(eq=False)
class DF:
    fid: int
    aid: bytes | None = None
    children: dict[int, EF | DF] = field(default_factory=dict)
    parent: DF | None = None

    def add(self, node: EF | DF) -> None:
        node.parent = self
        self.children[node.fid] = node

    def walk(self) -> Iterator[DF]:
        yield self
        for child in self.children.values():
            if isinstance(child, DF):
                yield from child.walk()

    def is_within(self, other: DF) -> bool:
        node: DF | None = self
        while node is not None:
            if node is other:
                return True
            node = node.parent
        return False


# --- Codes and keys --------------------------------------------------------


@dataclass(eq=False)
class PinObject:
    """A PIN or PUK: value, retry counter, security state.

    The card compares the whole padded 12-byte block, as stored, so a client
    that pads with the wrong byte gets "wrong code" and loses a try (a
    documented choice; see docs/emulator.md).
    """

    name: str
    ref: int
    value: str
    min_len: int
    pad: int
    max_len: int = 12
    max_tries: int = 3
    tries_left: int = 3
    # Thales DF2F: False = never changed (PIN2) / card not activated (PIN1).
    active: bool = True
    verified: bool = False
    # A local code (IDEMIA PIN2 in ADF2) is only reachable inside its DF.
    scope: DF | None = None

    BLOCK_LENGTH: ClassVar[int] = 12

    @property
    def blocked(self) -> bool:
        return self.tries_left == 0

    def block(self, value: str | None = None) -> bytes:
        raw = (self.value if value is None else value).encode("ascii")
        return raw.ljust(self.BLOCK_LENGTH, bytes([self.pad]))

    def decode_new(self, block: bytes) -> str | None:
        """A new code from its padded block, or None when the format is invalid."""
        if len(block) != self.BLOCK_LENGTH:
            return None
        digits = block.rstrip(bytes([self.pad]))
        if not all(0x30 <= b <= 0x39 for b in digits):
            return None
        if not self.min_len <= len(digits) <= self.max_len:
            return None
        return digits.decode("ascii")


@dataclass(eq=False)
class KeyObject:
    """A private key and the code that guards it."""

    ref: int
    private_key: ec.EllipticCurvePrivateKey
    pin: PinObject
    templates: frozenset[int]  # CRTs it may be used with in MSE SET (A4/B6/B8)
    scope: DF | None = None
    # Qualified-signature keys need a VERIFY before every signature.
    single_use_pin: bool = False


@dataclass(frozen=True)
class PinStatus:
    """A snapshot for tests and the CLI; not part of the card protocol."""

    tries_left: int
    max_tries: int
    active: bool
    verified: bool


# --- The card --------------------------------------------------------------

Handler = Callable[[Command], Response]


class VirtualCard:
    """An ISO 7816-4 card behind ``transmit``: raw command APDU in, data + SW out.

    Subclasses build the file tree, the codes and the keys, and add their own
    PIN and GET DATA commands. ``t0=True`` answers the way a T=0 card does:
    data of case 3/4 commands through 61xx + GET RESPONSE, and 6Cxx for a
    case-2 Le that does not match.
    """

    atr: bytes = b""
    profile: ClassVar[str] = ""
    # What a blocked code answers on this chip (§7).
    blocked_sw: ClassVar[int] = SW.AUTH_METHOD_BLOCKED
    # SELECT P1 values this chip answers (others: 6A86).
    select_modes: ClassVar[frozenset[int]] = frozenset()

    def __init__(self, *, t0: bool = False) -> None:
        self.t0 = t0
        self.commands: Counter[int] = Counter()
        self.trace: deque[tuple[bytes, bytes]] = deque(maxlen=TRACE_LENGTH)
        self.internal_errors: list[str] = []
        self._lock = threading.RLock()
        self.mf = DF(0x3F00)
        self.pins: dict[str, PinObject] = {}
        self.keys: list[KeyObject] = []
        self._current_df: DF = self.mf
        self._current_ef: EF | None = None
        self._pending = b""
        self._se: dict[int, KeyObject] = {}
        self._hash: bytes | None = None
        self._handlers: dict[int, Handler] = {
            0xA4: self._select,
            0xB0: self._read_binary,
            0xC0: self._get_response,
            0x22: self._manage_security_environment,
            0x2A: self._perform_security_operation,
        }

    # -- public API --

    def transmit(self, apdu: bytes) -> bytes:
        with self._lock:
            response = self._transmit(bytes(apdu))
            self.trace.append((bytes(apdu), response))
            return response

    def reset(self) -> None:
        """Warm reset: security state and selection cleared, counters kept."""
        with self._lock:
            self._reset_security()
            self._set_current(self.mf, None)
            self._pending = b""

    def pin(self, name: str) -> PinObject:
        return self.pins[name]

    def pin_status(self) -> dict[str, PinStatus]:
        with self._lock:
            return {
                name: PinStatus(p.tries_left, p.max_tries, p.active, p.verified)
                for name, p in self.pins.items()
            }

    def read_file(self, *fids: int) -> bytes:
        """EF contents by path from the MF, for tests (bypasses the protocol)."""
        node: EF | DF = self.mf
        for fid in fids:
            if not isinstance(node, DF):
                raise KeyError(fids)
            node = node.children[fid]
        if not isinstance(node, EF):
            raise KeyError(fids)
        return node.data

    @property
    def current_df(self) -> DF:
        return self._current_df

    # -- dispatch --

    def _transmit(self, apdu: bytes) -> bytes:
        if len(apdu) >= 2:
            self.commands[apdu[1]] += 1
        try:
            command = parse_command(apdu)
        except ApduFormatError:
            return Response(sw=SW.WRONG_LENGTH).to_bytes()
        cla_sw = self._check_cla(command.cla)
        if cla_sw is not None:
            return Response(sw=cla_sw).to_bytes()
        if command.ins != 0xC0:
            # Any other command ends a pending GET RESPONSE sequence (ISO).
            self._pending = b""
        handler = self._handlers.get(command.ins)
        if handler is None:
            return Response(sw=SW.INS_NOT_SUPPORTED).to_bytes()
        try:
            response = handler(command)
        except CommandRefused as err:
            response = Response(sw=err.sw)
        except Exception as err:  # a card never crashes; record it for the tests
            log.exception("emulator bug on INS %02X", command.ins)
            self.internal_errors.append(f"INS {command.ins:02X}: {err!r}")
            response = Response(sw=SW.NO_PRECISE_DIAGNOSIS)
        if command.ins == 0xC0:
            return response.to_bytes()
        return self._shape(command, response).to_bytes()

    @staticmethod
    def _check_cla(cla: int) -> int | None:
        if cla == 0x00:
            return None
        if cla & 0x80:
            return SW.CLA_NOT_SUPPORTED
        if cla & 0x10:
            return SW.CHAINING_NOT_SUPPORTED
        if cla & 0x0C:
            return SW.SECURE_MESSAGING_NOT_SUPPORTED
        if cla & 0x03:
            return SW.LOGICAL_CHANNEL_NOT_SUPPORTED
        return SW.CLA_NOT_SUPPORTED

    def _shape(self, command: Command, response: Response) -> Response:
        """Fit response data to Le the way the transmission protocol requires."""
        data = response.data
        if not data or response.sw not in (SW.OK, SW.EOF_BEFORE_NE):
            return response
        if self.t0:
            if command.case == 2:
                if command.ne != len(data):
                    return Response(sw=0x6C00 | (len(data) & 0xFF))
                return response
            self._pending = data
            return Response(sw=0x6100 | (len(data) & 0xFF))
        if command.le not in (None, 0) and command.ne is not None and len(data) > command.ne:
            return Response(sw=0x6C00 | (len(data) & 0xFF))
        return response

    def _get_response(self, command: Command) -> Response:
        if command.p1p2 != 0:
            raise CommandRefused(SW.INCORRECT_P1P2)
        if command.data:
            raise CommandRefused(SW.WRONG_LENGTH)
        if not self._pending:
            raise CommandRefused(SW.CONDITIONS_NOT_SATISFIED)
        ne = command.ne or 256
        chunk, self._pending = self._pending[:ne], self._pending[ne:]
        if self._pending:
            return Response(chunk, 0x6100 | (len(self._pending) & 0xFF))
        return Response(chunk)

    # -- selection --

    def _set_current(self, df: DF, ef: EF | None) -> None:
        if df is not self._current_df:
            for pin in self.pins.values():
                if pin.scope is not None and not df.is_within(pin.scope):
                    pin.verified = False
        self._current_df = df
        self._current_ef = ef

    def _reset_security(self) -> None:
        for pin in self.pins.values():
            pin.verified = False
        self._se.clear()
        self._hash = None

    def _find_by_aid(self, aid: bytes) -> DF | None:
        for df in self.mf.walk():
            if df.aid == aid:
                return df
        return None

    def _resolve_path(self, start: DF, path: bytes) -> EF | DF:
        if len(path) % 2 or not path:
            raise CommandRefused(SW.NC_INCONSISTENT_WITH_P1P2)
        node: EF | DF = start
        for i in range(0, len(path), 2):
            fid = int.from_bytes(path[i : i + 2], "big")
            if not isinstance(node, DF) or fid not in node.children:
                raise CommandRefused(SW.FILE_NOT_FOUND)
            node = node.children[fid]
        return node

    def _select_target(self, command: Command) -> EF | DF:
        p1, data = command.p1, command.data
        if p1 == 0x00:
            if not data or data == b"\x3f\x00":
                return self.mf
            if len(data) != 2:
                raise CommandRefused(SW.NC_INCONSISTENT_WITH_P1P2)
            return self._resolve_path(self._current_df, data)
        if p1 in (0x01, 0x02):
            if len(data) != 2:
                raise CommandRefused(SW.NC_INCONSISTENT_WITH_P1P2)
            node = self._resolve_path(self._current_df, data)
            if isinstance(node, DF) != (p1 == 0x01):
                raise CommandRefused(SW.FILE_NOT_FOUND)
            return node
        if p1 == 0x04:
            if not data:
                return self.mf
            df = self._find_by_aid(data)
            if df is None:
                raise CommandRefused(SW.FILE_NOT_FOUND)
            return df
        if p1 == 0x08:
            return self._resolve_path(self.mf, data)
        # P1=09: path from the current DF; IDEMIA's reference clients also start
        # it with 3F00 (OSC, DD4), which then means the MF (§3.1).
        if data[:2] == b"\x3f\x00":
            if len(data) == 2:
                return self.mf
            return self._resolve_path(self.mf, data[2:])
        return self._resolve_path(self._current_df, data)

    def _select(self, command: Command) -> Response:
        if command.p1 not in self.select_modes:
            raise CommandRefused(SW.INCORRECT_P1P2)
        if command.p2 not in (0x00, 0x04, 0x0C):
            raise CommandRefused(SW.INCORRECT_P1P2)
        target = self._select_target(command)
        if isinstance(target, DF):
            if command.p1 == 0x04 and target is self.mf and command.data:
                # Re-selecting the main application logs out: OSC implements
                # logout this way (§8, inference).
                self._reset_security()
            self._set_current(target, None)
        else:
            assert target.parent is not None
            self._set_current(target.parent, target)
        if command.p2 == 0x0C:
            return Response()
        fcp = self._fcp(target)
        if command.p2 == 0x00:
            # FCI: the same proprietary content, in the 6F template.
            return Response(tlv(0x6F, parse_tlv(fcp)[0][1]))
        return Response(fcp)

    def _fcp(self, node: EF | DF) -> bytes:
        raise NotImplementedError

    # -- reading --

    def _read_binary(self, command: Command) -> Response:
        if command.data:
            raise CommandRefused(SW.WRONG_LENGTH)
        if command.p1 & 0x80:
            # Short EF identifiers are not used by any EstEID client (§3, §4).
            raise CommandRefused(SW.INCORRECT_P1P2)
        ef = self._current_ef
        if ef is None:
            raise CommandRefused(SW.NO_CURRENT_EF)
        offset = command.p1p2
        if offset >= len(ef.data):
            # NFCA reads certificates until 6B00 (§3.5).
            raise CommandRefused(SW.WRONG_OFFSET)
        ne = command.ne or 256
        chunk = ef.data[offset : offset + ne]
        if command.le not in (None, 0) and len(chunk) < ne:
            return Response(chunk, SW.EOF_BEFORE_NE)
        return Response(chunk)

    # -- codes --

    def _present(self, pin: PinObject, block: bytes) -> None:
        """Compare a presented code; raises with 63Cx or the blocked SW on failure."""
        if pin.blocked:
            raise CommandRefused(self.blocked_sw)
        if block == pin.block():
            pin.tries_left = pin.max_tries
            return
        pin.tries_left -= 1
        pin.verified = False
        raise CommandRefused(sw_wrong_code(pin.tries_left))

    def _verify_status(self, pin: PinObject) -> Response:
        """VERIFY without data: ISO 7816-4 §11.5.6 status query (§7: unverified)."""
        if pin.blocked:
            raise CommandRefused(self.blocked_sw)
        if pin.verified:
            return Response()
        raise CommandRefused(sw_wrong_code(pin.tries_left))

    def _new_code(self, pin: PinObject, block: bytes) -> str:
        new = pin.decode_new(block)
        if new is None:
            raise CommandRefused(SW.INCORRECT_DATA)
        return new

    # -- keys --

    def _key_in_scope(self, ref: int) -> KeyObject:
        for key in self.keys:
            if key.ref == ref and (key.scope is None or self._current_df.is_within(key.scope)):
                return key
        raise CommandRefused(SW.REFERENCED_DATA_NOT_FOUND)

    def _manage_security_environment(self, command: Command) -> Response:
        if command.p1 != 0x41 or command.p2 not in (0xA4, 0xB6, 0xB8):
            raise CommandRefused(SW.INCORRECT_P1P2)
        objects = dict(parse_tlv(command.data))
        ref = objects.get(0x84)
        if ref is None or len(ref) != 1:
            raise CommandRefused(SW.INCORRECT_DATA)
        key = self._key_in_scope(ref[0])
        if command.p2 not in key.templates:
            raise CommandRefused(SW.INCORRECT_DATA)
        self._se[command.p2] = key
        return Response()

    def _key_for(self, template: int) -> KeyObject:
        key = self._se.get(template)
        if key is None:
            raise CommandRefused(SW.CONDITIONS_NOT_SATISFIED)
        if key.scope is not None and not self._current_df.is_within(key.scope):
            raise CommandRefused(SW.CONDITIONS_NOT_SATISFIED)
        return key

    def _authorize(self, key: KeyObject) -> None:
        """Chip-specific conditions first (subclasses), then the verified code."""
        if not key.pin.verified:
            raise CommandRefused(SW.SECURITY_STATUS_NOT_SATISFIED)

    def _sign(self, key: KeyObject, digest: bytes) -> Response:
        if not 20 <= len(digest) <= 64:
            raise CommandRefused(SW.WRONG_LENGTH)
        self._authorize(key)
        if key.single_use_pin:
            key.pin.verified = False
        # ECDSA uses the leftmost 384 bits of the hash; a shorter one is the same
        # integer once left-padded with zeros (LEID pads to 48, §3.4).
        digest = digest[:48].rjust(48, b"\0")
        # Deterministic (RFC 6979) so that test traces repeat.
        der = key.private_key.sign(
            digest, ec.ECDSA(Prehashed(hashes.SHA384()), deterministic_signing=True)
        )
        r, s = decode_dss_signature(der)
        # Raw r‖s, 96 bytes for P-384 (§2).
        return Response(r.to_bytes(48, "big") + s.to_bytes(48, "big"))

    def _perform_security_operation(self, command: Command) -> Response:
        if command.p1p2 == 0x9E9A:
            key = self._key_for(0xB6)
            if command.data:
                digest = command.data
            elif self._hash is not None:
                digest = self._hash
            else:
                raise CommandRefused(SW.CONDITIONS_NOT_SATISFIED)
            self._hash = None
            return self._sign(key, digest)
        if command.p1p2 == 0x90A0:
            return self._pso_hash(command)
        if command.p1p2 == 0x8086:
            return self._decipher(command)
        raise CommandRefused(SW.INCORRECT_P1P2)

    def _pso_hash(self, command: Command) -> Response:
        raise CommandRefused(SW.INCORRECT_P1P2)

    def _decipher(self, command: Command) -> Response:
        key = self._key_for(0xB8)
        # Padding-indicator byte 00, then the other party's public point (§3.4, §4.5).
        if len(command.data) < 2 or command.data[0] != 0x00:
            raise CommandRefused(SW.INCORRECT_DATA)
        try:
            peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP384R1(), command.data[1:])
        except ValueError:
            raise CommandRefused(SW.INCORRECT_DATA) from None
        self._authorize(key)
        return Response(key.private_key.exchange(ec.ECDH(), peer))
