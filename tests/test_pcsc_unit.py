"""The PC/SC transport against a fake ``smartcard.scard`` (no pcscd, no pyscard needed).

``advisor.transport.pcsc`` calls pyscard's thin PC/SC layer only; ``FakeScard`` below plays that
layer with the return codes a real pcscd gives (pcsc-lite's return codes, and the ones
verified against pcscd 1.9.9 + vpcd by the tier in tests/pcsc). Also here: the shared
61xx/6Cxx and redaction helpers of advisor.transport, and the in-process
VirtualConnection.
"""

from __future__ import annotations

import builtins
import logging
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from advisor.emulator import make_card
from advisor.emulator.connection import DEFAULT_READER, VirtualConnection
from advisor.transport import (
    CardInUse,
    CardRemoved,
    CardWaitTimeout,
    Connection,
    NoCard,
    NoReader,
    NoService,
    SeveralReaders,
    TransportError,
    TransportTimeout,
    exchange,
    pcsc,
    redact_command,
    redact_response,
    with_le,
)

TODAY = date(2026, 3, 1)
ATR = bytes.fromhex("3BDB960080B1FE451F830012233F536549440F9000F1")
OTHER_ATR = bytes.fromhex("3BFF9600008031FE438031B85365494464B085051012233F1D")
CANARY = "4712"
# VERIFY PIN1 (IDEMIA layout: ASCII digits padded with FF to 12 bytes).
VERIFY_CANARY = bytes.fromhex("00200001 0C") + CANARY.encode().ljust(12, b"\xff")
CHANGE_CANARY = bytes.fromhex("00240001 18") + (CANARY.encode().ljust(12, b"\xff") * 2)
UNBLOCK_CANARY = bytes.fromhex("002C0001 0C") + CANARY.encode().ljust(12, b"\xff")
SW_OK = b"\x90\x00"

S = pcsc  # constants


# --- a fake smartcard.scard -----------------------------------------------------------

Card = Callable[[bytes], bytes]


@dataclass
class FakeReader:
    name: str
    card: Card | None = None
    atr: bytes = ATR
    mute: bool = False
    held_exclusive: bool = False  # another application holds it EXCLUSIVE
    held_shared: bool = False  # another application has it open SHARED


@dataclass
class Handle:
    reader: FakeReader
    share: int
    protocol: int
    open: bool = True


@dataclass
class FakeScard:
    """Plays pyscard's ``smartcard.scard`` functions; records every call."""

    readers: list[FakeReader] = field(default_factory=list)
    no_service: bool = False
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    # Function name -> return codes to give instead of success, consumed in order.
    fail: dict[str, list[int]] = field(default_factory=dict)
    # Called on every SCardGetStatusChange with a timeout: lets a test insert a card.
    on_wait: Callable[[FakeScard], None] | None = None
    contexts_open: int = 0
    handles: dict[int, Handle] = field(default_factory=dict)
    protocol: int = pcsc.SCARD_PROTOCOL_T1
    features_tlv: bytes | None = None

    def _failure(self, name: str) -> int:
        queue = self.fail.get(name)
        return queue.pop(0) if queue else 0

    def _reader(self, name: str) -> FakeReader | None:
        return next((r for r in self.readers if r.name == name), None)

    def SCardEstablishContext(self, scope: int) -> tuple[int, int]:
        self.calls.append(("establish", scope))
        if self.no_service:
            return pcsc.SCARD_E_NO_SERVICE, 0
        self.contexts_open += 1
        return 0, 1000 + self.contexts_open

    def SCardReleaseContext(self, hcontext: int) -> int:
        self.calls.append(("release", hcontext))
        self.contexts_open -= 1
        return 0

    def SCardListReaders(self, hcontext: int, groups: list[str]) -> tuple[int, list[str]]:
        self.calls.append(("list",))
        if not self.readers:
            return pcsc.SCARD_E_NO_READERS_AVAILABLE, []
        return self._failure("SCardListReaders"), [r.name for r in self.readers]

    def _state(self, reader: FakeReader) -> tuple[int, bytes]:
        if reader.card is None:
            return pcsc.SCARD_STATE_EMPTY, b""
        state = pcsc.SCARD_STATE_PRESENT
        if reader.mute:
            state |= pcsc.SCARD_STATE_MUTE
        if reader.held_exclusive:
            state |= pcsc.SCARD_STATE_EXCLUSIVE
        return state, reader.atr

    def SCardGetStatusChange(
        self, hcontext: int, timeout_ms: int, states: list[tuple[str, int]]
    ) -> tuple[int, list[tuple[str, int, list[int]]]]:
        self.calls.append(("status_change", timeout_ms, [name for name, _ in states]))
        if timeout_ms and self.on_wait is not None:
            self.on_wait(self)
        out: list[tuple[str, int, list[int]]] = []
        for name, _ in states:
            reader = self._reader(name)
            if name == pcsc.PNP_NOTIFICATION:
                out.append((name, 0, []))
            elif reader is None:
                return pcsc.SCARD_E_UNKNOWN_READER, []
            else:
                state, atr = self._state(reader)
                out.append((name, state | pcsc.SCARD_STATE_CHANGED, list(atr)))
        return (pcsc.SCARD_E_TIMEOUT if timeout_ms else 0), out

    def SCardConnect(
        self, hcontext: int, reader: str, share: int, protocols: int
    ) -> tuple[int, int, int]:
        self.calls.append(("connect", reader, share, protocols))
        failure = self._failure("SCardConnect")
        if failure:
            return failure, 0, 0
        found = self._reader(reader)
        if found is None:
            return pcsc.SCARD_E_UNKNOWN_READER, 0, 0
        if found.card is None:
            return pcsc.SCARD_E_NO_SMARTCARD, 0, 0
        if found.mute:
            return pcsc.SCARD_W_UNRESPONSIVE_CARD, 0, 0
        if found.held_exclusive or (found.held_shared and share == pcsc.SCARD_SHARE_EXCLUSIVE):
            return pcsc.SCARD_E_SHARING_VIOLATION, 0, 0
        hcard = 5000 + len(self.handles)
        self.handles[hcard] = Handle(found, share, self.protocol)
        return 0, hcard, self.protocol

    def SCardStatus(self, hcard: int) -> tuple[int, str, int, int, list[int]]:
        self.calls.append(("status", hcard))
        reader = self.handles[hcard].reader
        failure = self._failure("SCardStatus")
        return failure, reader.name, 0x34, self.protocol, list(reader.atr)

    def SCardTransmit(self, hcard: int, protocol: int, apdu: list[int]) -> tuple[int, list[int]]:
        self.calls.append(("transmit", hcard, protocol, bytes(apdu)))
        failure = self._failure("SCardTransmit")
        if failure:
            return failure, []
        card = self.handles[hcard].reader.card
        assert card is not None
        return 0, list(card(bytes(apdu)))

    def SCardControl(self, hcard: int, code: int, data: list[int]) -> tuple[int, list[int]]:
        self.calls.append(("control", hcard, code, bytes(data)))
        if self.features_tlv is None:
            return pcsc.SCARD_E_UNSUPPORTED_FEATURE, []
        return 0, list(self.features_tlv)

    def SCardBeginTransaction(self, hcard: int) -> int:
        self.calls.append(("begin", hcard))
        return self._failure("SCardBeginTransaction")

    def SCardEndTransaction(self, hcard: int, disposition: int) -> int:
        self.calls.append(("end", hcard, disposition))
        return self._failure("SCardEndTransaction")

    def SCardDisconnect(self, hcard: int, disposition: int) -> int:
        self.calls.append(("disconnect", hcard, disposition))
        self.handles[hcard].open = False
        return 0

    def SCARD_CTL_CODE(self, code: int) -> int:
        return 0x42000000 + code

    # -- helpers for assertions --

    def named(self, name: str) -> list[tuple[Any, ...]]:
        return [c for c in self.calls if c[0] == name]


class ScriptedCard:
    """A card answering from a list of responses; records the commands it got."""

    def __init__(self, *responses: bytes | str) -> None:
        self.responses = [bytes.fromhex(r) if isinstance(r, str) else r for r in responses]
        self.received: list[bytes] = []

    def __call__(self, apdu: bytes) -> bytes:
        self.received.append(apdu)
        return self.responses.pop(0) if self.responses else SW_OK


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeScard:
    scard = FakeScard()
    monkeypatch.setattr(pcsc, "_load_scard", lambda: scard)
    return scard


def one_reader(fake: FakeScard, card: Card | None = None, name: str = "Reader A 00 00") -> None:
    fake.readers.append(FakeReader(name, card if card is not None else ScriptedCard()))


# --- error mapping ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "stage", "expected"),
    [
        (pcsc.SCARD_E_NO_SERVICE, "context", NoService),
        (pcsc.SCARD_E_SERVICE_STOPPED, "operation", NoService),
        (pcsc.SCARD_E_NO_READERS_AVAILABLE, "readers", NoReader),
        (pcsc.SCARD_E_UNKNOWN_READER, "connect", NoReader),
        (pcsc.SCARD_E_READER_UNAVAILABLE, "connect", NoReader),
        (pcsc.SCARD_E_READER_UNAVAILABLE, "operation", CardRemoved),
        (pcsc.SCARD_E_NO_SMARTCARD, "connect", NoCard),
        (pcsc.SCARD_W_REMOVED_CARD, "connect", NoCard),
        (pcsc.SCARD_E_NO_SMARTCARD, "operation", CardRemoved),
        (pcsc.SCARD_W_REMOVED_CARD, "operation", CardRemoved),
        (pcsc.SCARD_W_UNRESPONSIVE_CARD, "connect", NoCard),
        (pcsc.SCARD_W_UNRESPONSIVE_CARD, "operation", CardRemoved),
        (pcsc.SCARD_E_NOT_TRANSACTED, "operation", CardRemoved),
        (pcsc.SCARD_W_RESET_CARD, "connect", CardRemoved),
        (pcsc.SCARD_W_RESET_CARD, "operation", CardRemoved),
        (pcsc.SCARD_E_SHARING_VIOLATION, "connect", CardInUse),
        (pcsc.SCARD_E_TIMEOUT, "operation", TransportTimeout),
        (pcsc.SCARD_E_PROTO_MISMATCH, "connect", TransportError),
        (0x80100001, "operation", TransportError),
    ],
)
def test_error_mapping(code: int, stage: pcsc.Stage, expected: type[TransportError]) -> None:
    err = pcsc.map_error(code, stage, "SCardSomething")
    assert type(err) is expected
    assert err.pcsc_code == code
    assert f"0x{code:08X}" in str(err)
    assert "SCardSomething" in str(err)


def test_negative_windows_codes_are_understood() -> None:
    # WinSCard hands out the same codes as negative 32-bit numbers.
    err = pcsc.map_error(pcsc.SCARD_W_REMOVED_CARD - (1 << 32), "operation", "SCardTransmit")
    assert isinstance(err, CardRemoved)
    assert err.pcsc_code == pcsc.SCARD_W_REMOVED_CARD
    assert pcsc.error_name(pcsc.SCARD_E_NO_SERVICE) == "SCARD_E_NO_SERVICE (0x8010001D)"


def test_card_wait_timeout_is_both_no_card_and_timeout() -> None:
    assert issubclass(CardWaitTimeout, NoCard)
    assert issubclass(CardWaitTimeout, TransportTimeout)


# --- pyscard itself ----------------------------------------------------------------------


def test_missing_pyscard_is_no_service(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_smartcard(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "smartcard" or name.startswith("smartcard."):
            raise ImportError("No module named 'smartcard'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_smartcard)
    with pytest.raises(pcsc.PyscardMissing, match=r"advisor\[pcsc\]") as caught:
        pcsc.list_readers()
    assert isinstance(caught.value, NoService)


def test_importing_the_package_does_not_import_pyscard() -> None:
    import subprocess
    import sys

    code = (
        "import sys, advisor.transport.pcsc, advisor.transport, advisor.emulator.connection;"
        "sys.exit('smartcard' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_constants_match_pyscard() -> None:
    scard = pytest.importorskip("smartcard.scard")
    for name in (
        "SCARD_SCOPE_USER",
        "SCARD_SHARE_EXCLUSIVE",
        "SCARD_SHARE_SHARED",
        "SCARD_PROTOCOL_T0",
        "SCARD_PROTOCOL_T1",
        "SCARD_LEAVE_CARD",
        "SCARD_STATE_UNAWARE",
        "SCARD_STATE_CHANGED",
        "SCARD_STATE_EMPTY",
        "SCARD_STATE_PRESENT",
        "SCARD_STATE_EXCLUSIVE",
        "SCARD_STATE_MUTE",
        "SCARD_E_NO_SERVICE",
        "SCARD_E_SERVICE_STOPPED",
        "SCARD_E_NO_READERS_AVAILABLE",
        "SCARD_E_UNKNOWN_READER",
        "SCARD_E_NO_SMARTCARD",
        "SCARD_W_REMOVED_CARD",
        "SCARD_W_RESET_CARD",
        "SCARD_E_SHARING_VIOLATION",
        "SCARD_E_TIMEOUT",
        "SCARD_E_NOT_TRANSACTED",
    ):
        assert getattr(scard, name) & 0xFFFFFFFF == getattr(pcsc, name), name


# --- list_readers -------------------------------------------------------------------------


def test_list_readers_without_service(fake: FakeScard) -> None:
    fake.no_service = True
    with pytest.raises(NoService) as caught:
        pcsc.list_readers()
    assert caught.value.pcsc_code == pcsc.SCARD_E_NO_SERVICE


def test_list_readers_without_readers_is_empty(fake: FakeScard) -> None:
    assert pcsc.list_readers() == []
    assert fake.contexts_open == 0


def test_list_readers_reports_cards_atrs_and_exclusive_holders(fake: FakeScard) -> None:
    fake.readers = [
        FakeReader("Reader A", ScriptedCard()),
        FakeReader("Reader B"),
        FakeReader("Reader C", ScriptedCard(), atr=OTHER_ATR, held_exclusive=True),
        FakeReader("Reader D", ScriptedCard(), mute=True),
    ]
    assert pcsc.list_readers() == [
        pcsc.ReaderInfo("Reader A", True, ATR),
        pcsc.ReaderInfo("Reader B", False, b""),
        pcsc.ReaderInfo("Reader C", True, OTHER_ATR, exclusive=True),
        pcsc.ReaderInfo("Reader D", False, b""),
    ]
    assert fake.contexts_open == 0


# --- choosing the reader ---------------------------------------------------------------


def test_the_one_reader_with_a_card_is_used(fake: FakeScard) -> None:
    fake.readers = [FakeReader("Empty 00 00"), FakeReader("Full 00 01", ScriptedCard())]
    with pcsc.connect() as conn:
        assert conn.reader == "Full 00 01"
        assert conn.atr == ATR
        assert conn.exclusive


def test_several_readers_with_cards_must_be_chosen(fake: FakeScard) -> None:
    fake.readers = [
        FakeReader("Alpha", ScriptedCard()),
        FakeReader("Beta", ScriptedCard()),
        FakeReader("Gamma"),
    ]
    with pytest.raises(SeveralReaders) as caught:
        pcsc.connect()
    assert caught.value.readers == ["Alpha", "Beta"]
    assert fake.named("connect") == []
    assert fake.contexts_open == 0
    with pcsc.connect("bEt") as conn:
        assert conn.reader == "Beta"


def test_reader_filter_is_a_case_insensitive_substring_and_an_exact_name_wins(
    fake: FakeScard,
) -> None:
    fake.readers = [
        FakeReader("Virtual PCD 00 00", ScriptedCard()),
        FakeReader("Virtual PCD 00 001", ScriptedCard()),
    ]
    with pytest.raises(SeveralReaders):
        pcsc.connect("virtual pcd")
    with pcsc.connect("VIRTUAL PCD 00 00") as conn:
        assert conn.reader == "Virtual PCD 00 00"


def test_no_reader_matches(fake: FakeScard) -> None:
    one_reader(fake, name="ACS ACR39U")
    with pytest.raises(NoReader, match=r"'omnikey'.*ACS ACR39U"):
        pcsc.connect("omnikey")
    assert fake.contexts_open == 0


def test_no_reader_at_all(fake: FakeScard) -> None:
    with pytest.raises(NoReader):
        pcsc.connect()
    assert fake.contexts_open == 0


def test_no_card(fake: FakeScard) -> None:
    fake.readers = [FakeReader("Empty")]
    with pytest.raises(NoCard) as caught:
        pcsc.connect()
    assert not isinstance(caught.value, CardWaitTimeout)
    assert fake.contexts_open == 0


def test_connect_without_service(fake: FakeScard) -> None:
    fake.no_service = True
    with pytest.raises(NoService):
        pcsc.connect(wait=5)


def test_wait_for_a_card(fake: FakeScard) -> None:
    fake.readers = [FakeReader("Slow")]
    waits: list[int] = []

    def insert_on_second_wait(scard: FakeScard) -> None:
        waits.append(1)
        if len(waits) == 2:
            scard.readers[0].card = ScriptedCard()

    fake.on_wait = insert_on_second_wait
    with pcsc.connect(wait=30) as conn:
        assert conn.reader == "Slow"
    status_waits = [c for c in fake.named("status_change") if c[1]]
    assert len(status_waits) == 2
    # It waits on the reader and on reader arrival, in slices.
    assert all(pcsc.PNP_NOTIFICATION in c[2] and "Slow" in c[2] for c in status_waits)
    assert all(0 < c[1] <= 500 for c in status_waits)


def test_wait_for_a_reader(fake: FakeScard) -> None:
    def plug_in(scard: FakeScard) -> None:
        scard.readers.append(FakeReader("New reader", ScriptedCard()))

    fake.on_wait = plug_in
    with pcsc.connect(wait=30) as conn:
        assert conn.reader == "New reader"


def test_wait_times_out(fake: FakeScard) -> None:
    fake.readers = [FakeReader("Empty")]
    with pytest.raises(CardWaitTimeout, match=r"0\.2 s"):
        pcsc.connect(wait=0.2)
    assert fake.contexts_open == 0


def test_mute_card_alone_is_no_card(fake: FakeScard) -> None:
    fake.readers = [FakeReader("Upside down", ScriptedCard(), mute=True)]
    with pytest.raises(NoCard):
        pcsc.connect()


# --- connecting and disconnecting ---------------------------------------------------------


def test_exclusive_first_then_closed_with_leave_card(fake: FakeScard) -> None:
    one_reader(fake)
    conn = pcsc.connect()
    assert [c[2] for c in fake.named("connect")] == [pcsc.SCARD_SHARE_EXCLUSIVE]
    assert fake.named("connect")[0][3] == pcsc.SCARD_PROTOCOL_T0 | pcsc.SCARD_PROTOCOL_T1
    conn.close()
    conn.close()  # idempotent
    assert fake.named("disconnect") == [("disconnect", 5000, pcsc.SCARD_LEAVE_CARD)]
    assert fake.contexts_open == 0
    assert conn.closed
    with pytest.raises(TransportError, match="closed"):
        conn.transmit(b"\x00\xa4\x00\x0c")


def test_shared_fallback_when_another_application_has_the_card_open(fake: FakeScard) -> None:
    fake.readers = [FakeReader("Busy", ScriptedCard(), held_shared=True)]
    with pcsc.connect() as conn:
        assert not conn.exclusive
        assert "shared" in repr(conn)
    assert [c[2] for c in fake.named("connect")] == [
        pcsc.SCARD_SHARE_EXCLUSIVE,
        pcsc.SCARD_SHARE_SHARED,
    ]
    assert fake.named("disconnect")[0][2] == pcsc.SCARD_LEAVE_CARD


def test_card_held_exclusively_elsewhere_is_in_use(fake: FakeScard) -> None:
    fake.readers = [FakeReader("Taken", ScriptedCard(), held_exclusive=True)]
    with pytest.raises(CardInUse) as caught:
        pcsc.connect()
    assert caught.value.pcsc_code == pcsc.SCARD_E_SHARING_VIOLATION
    assert len(fake.named("connect")) == 2
    assert fake.contexts_open == 0


def test_card_pulled_between_choice_and_connect(fake: FakeScard) -> None:
    one_reader(fake)
    fake.fail["SCardConnect"] = [pcsc.SCARD_W_REMOVED_CARD]
    with pytest.raises(NoCard):
        pcsc.connect()
    assert fake.contexts_open == 0


def test_status_failure_after_connect_still_leaves_the_card(fake: FakeScard) -> None:
    one_reader(fake)
    fake.fail["SCardStatus"] = [pcsc.SCARD_W_RESET_CARD]
    with pytest.raises(CardRemoved):
        pcsc.connect()
    assert fake.named("disconnect") == [("disconnect", 5000, pcsc.SCARD_LEAVE_CARD)]
    assert fake.contexts_open == 0


def test_connection_satisfies_the_protocol(fake: FakeScard) -> None:
    one_reader(fake)
    with pcsc.connect() as conn:
        assert isinstance(conn, Connection)


# --- transmit --------------------------------------------------------------------------


def test_transmit_sends_bytes_with_the_negotiated_protocol(fake: FakeScard) -> None:
    fake.protocol = pcsc.SCARD_PROTOCOL_T0
    card = ScriptedCard("01029000")
    one_reader(fake, card)
    with pcsc.connect() as conn:
        assert conn.transmit(bytes.fromhex("00B0000002")) == bytes.fromhex("01029000")
    assert fake.named("transmit")[0][2] == pcsc.SCARD_PROTOCOL_T0


def test_61xx_is_followed_with_get_response_and_concatenated(fake: FakeScard) -> None:
    card = ScriptedCard("6110", "AA" * 16 + "6103", "BBBBBB9000")
    one_reader(fake, card)
    with pcsc.connect() as conn:
        answer = conn.transmit(bytes.fromhex("00CB00FF05A003830181"))
    assert answer == bytes.fromhex("AA" * 16 + "BBBBBB9000")
    assert card.received[1:] == [bytes.fromhex("00C0000010"), bytes.fromhex("00C0000003")]


def test_6cxx_resends_with_the_corrected_le(fake: FakeScard) -> None:
    card = ScriptedCard("6C0B", "3338303031303835373138" + "9000")
    one_reader(fake, card)
    with pcsc.connect() as conn:
        assert conn.transmit(bytes.fromhex("00B0000000")) == b"38001085718\x90\x00"
    assert card.received == [bytes.fromhex("00B0000000"), bytes.fromhex("00B000000B")]


def test_6cxx_then_61xx(fake: FakeScard) -> None:
    card = ScriptedCard("6C20", "6120", "CC" * 32 + "9000")
    one_reader(fake, card)
    with pcsc.connect() as conn:
        assert conn.transmit(bytes.fromhex("00B0000010")) == b"\xcc" * 32 + SW_OK
    assert card.received[1:] == [bytes.fromhex("00B0000020"), bytes.fromhex("00C0000020")]


def test_a_pin_bearing_command_is_never_resent(fake: FakeScard) -> None:
    card = ScriptedCard("6C00")
    one_reader(fake, card)
    with pcsc.connect() as conn:
        assert conn.transmit(VERIFY_CANARY) == bytes.fromhex("6C00")
    assert card.received == [VERIFY_CANARY]


def test_plain_status_words_pass_through(fake: FakeScard) -> None:
    card = ScriptedCard("63C2", "6983")
    one_reader(fake, card)
    with pcsc.connect() as conn:
        assert conn.transmit(VERIFY_CANARY) == bytes.fromhex("63C2")
        assert conn.transmit(VERIFY_CANARY) == bytes.fromhex("6983")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (pcsc.SCARD_W_REMOVED_CARD, CardRemoved),
        (pcsc.SCARD_E_NO_SMARTCARD, CardRemoved),
        (pcsc.SCARD_E_NOT_TRANSACTED, CardRemoved),
        (pcsc.SCARD_W_RESET_CARD, CardRemoved),
        (pcsc.SCARD_E_SERVICE_STOPPED, NoService),
        (pcsc.SCARD_E_TIMEOUT, TransportTimeout),
    ],
)
def test_transmit_errors(fake: FakeScard, code: int, expected: type[TransportError]) -> None:
    one_reader(fake)
    with pcsc.connect() as conn:
        fake.fail["SCardTransmit"] = [code]
        with pytest.raises(expected):
            conn.transmit(bytes.fromhex("00A4000C"))


def test_removed_during_get_response_is_card_removed(fake: FakeScard) -> None:
    one_reader(fake, ScriptedCard("6110"))
    with pcsc.connect() as conn:
        fake.fail["SCardTransmit"] = [0, pcsc.SCARD_W_REMOVED_CARD]
        with pytest.raises(CardRemoved):
            conn.transmit(bytes.fromhex("00CB00FF05A003830181"))


# --- redaction ---------------------------------------------------------------------------


def _leaks(text: str, code: str = CANARY) -> bool:
    """The code, as text or as the hex of its ASCII digits (spaced or not, any case)."""
    compact = text.lower().replace(" ", "")
    return code in text or code.encode().hex() in compact


@pytest.mark.parametrize(
    "command", [VERIFY_CANARY, CHANGE_CANARY, UNBLOCK_CANARY], ids=["verify", "change", "unblock"]
)
def test_pin_data_never_reaches_the_log(
    fake: FakeScard, caplog: pytest.LogCaptureFixture, command: bytes
) -> None:
    one_reader(fake, ScriptedCard("63C2"))
    caplog.set_level(logging.DEBUG)
    with pcsc.connect() as conn:
        conn.transmit(command)
        conn.transmit(bytes.fromhex("00A4000C"))
    assert not _leaks(caplog.text)
    header = command[:4].hex(" ").upper()
    assert f"> {header} <{len(command) - 4} bytes redacted>" in caplog.text
    assert "< 63 C2" in caplog.text
    assert "> 00 A4 00 0C" in caplog.text  # other commands are traced in full
    assert all(r.name == "advisor.transport.pcsc" for r in caplog.records)


@pytest.mark.parametrize(
    "code",
    [pcsc.SCARD_W_REMOVED_CARD, pcsc.SCARD_E_TIMEOUT, 0x80100001, pcsc.SCARD_W_RESET_CARD],
    ids=hex,
)
def test_pin_data_never_reaches_exception_text(
    fake: FakeScard, caplog: pytest.LogCaptureFixture, code: int
) -> None:
    one_reader(fake)
    caplog.set_level(logging.DEBUG)
    with pcsc.connect() as conn:
        fake.fail["SCardTransmit"] = [code]
        with pytest.raises(TransportError) as caught:
            conn.transmit(VERIFY_CANARY)
    err = caught.value
    shown = "".join(traceback.format_exception(err)) + repr(err) + str(err.args)
    assert not _leaks(shown)
    assert err.__cause__ is None
    assert err.__context__ is None
    assert not _leaks(caplog.text)


def test_redaction_helpers() -> None:
    assert redact_command(VERIFY_CANARY) == "00 20 00 01 <13 bytes redacted>"
    assert redact_command(bytes.fromhex("00200001")) == "00 20 00 01"  # empty VERIFY
    assert redact_command(bytes.fromhex("00A4040C02AABB")) == "00 A4 04 0C 02 AA BB"
    assert redact_response(VERIFY_CANARY, bytes.fromhex("63C1")) == "63 C1"
    assert redact_response(VERIFY_CANARY, b"4712\x90\x00") == "<4 bytes redacted> 90 00"
    # A file read shows its length only (the personal data, the certificates).
    assert (
        redact_response(bytes.fromhex("00B0000002"), b"\x01\x02\x90\x00")
        == "<2 bytes of card data> 90 00"
    )
    assert redact_response(bytes.fromhex("00CB3FFF"), b"\x01\x02\x90\x00") == "01 02 90 00"


# --- the 61xx / 6Cxx helper ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("apdu", "le", "expected"),
    [
        ("00B00000", 0x0B, "00B000000B"),  # case 1
        ("00B0000000", 0x0B, "00B000000B"),  # case 2
        ("00A4040C02AABB", 0x10, "00A4040C02AABB10"),  # case 3
        ("00A4040002AABB00", 0x10, "00A4040002AABB10"),  # case 4
        ("00B00000000000", 0x20, "00B00000000020"),  # case 2E
        ("00A40400000002AABB", 0x00, "00A40400000002AABB0100"),  # case 3E, xx=00 = 256
        ("00A40400000002AABB0000", 0x20, "00A40400000002AABB0020"),  # case 4E
        ("00A4040C05AABB", 0x10, None),  # Lc does not match
        ("00A4", 0x10, None),
    ],
)
def test_with_le(apdu: str, le: int, expected: str | None) -> None:
    result = with_le(bytes.fromhex(apdu), le)
    assert result == (None if expected is None else bytes.fromhex(expected))


def test_exchange_gives_up_on_an_endless_card() -> None:
    with pytest.raises(TransportError, match="rounds"):
        exchange(lambda apdu: b"\x61\x01", bytes.fromhex("00B0000000"))


def test_exchange_rejects_a_truncated_response() -> None:
    with pytest.raises(TransportError, match="1 byte"):
        exchange(lambda apdu: b"\x90", bytes.fromhex("00B0000000"))


def test_6cxx_is_resent_only_once() -> None:
    sent: list[bytes] = []

    def card(apdu: bytes) -> bytes:
        sent.append(apdu)
        return b"\x6c\x05"

    assert exchange(card, bytes.fromhex("00B0000000")) == b"\x6c\x05"
    assert len(sent) == 2


# --- transactions ------------------------------------------------------------------------


def test_transaction_begins_and_ends_leaving_the_card(fake: FakeScard) -> None:
    one_reader(fake)
    with pcsc.connect() as conn:
        with conn.transaction():
            conn.transmit(bytes.fromhex("00A4000C"))
            with conn.transaction():  # nested: joins the outer one
                conn.transmit(bytes.fromhex("00A4000C"))
        names = [c[0] for c in fake.calls if c[0] in ("begin", "transmit", "end")]
        assert names == ["begin", "transmit", "transmit", "end"]
        assert fake.named("end")[0][2] == pcsc.SCARD_LEAVE_CARD


def test_transaction_ends_when_the_body_fails(fake: FakeScard) -> None:
    one_reader(fake)
    with pcsc.connect() as conn:
        fake.fail["SCardTransmit"] = [pcsc.SCARD_W_REMOVED_CARD]
        fake.fail["SCardEndTransaction"] = [pcsc.SCARD_W_REMOVED_CARD]
        with pytest.raises(CardRemoved), conn.transaction():
            conn.transmit(bytes.fromhex("00A4000C"))
        assert len(fake.named("end")) == 1
        # The next transaction starts afresh.
        with conn.transaction():
            pass
        assert len(fake.named("begin")) == 2


def test_end_transaction_failure_after_success_is_not_an_error(fake: FakeScard) -> None:
    one_reader(fake)
    with pcsc.connect() as conn:
        fake.fail["SCardEndTransaction"] = [pcsc.SCARD_W_REMOVED_CARD]
        with conn.transaction():
            conn.transmit(bytes.fromhex("00A4000C"))


def test_begin_transaction_on_a_pulled_card(fake: FakeScard) -> None:
    one_reader(fake)
    with pcsc.connect() as conn:
        fake.fail["SCardBeginTransaction"] = [pcsc.SCARD_W_REMOVED_CARD]
        with pytest.raises(CardRemoved), conn.transaction():
            pytest.fail("the body must not run")
        assert fake.named("end") == []


# --- control and features ----------------------------------------------------------------


def test_features_parse_the_tlv(fake: FakeScard) -> None:
    one_reader(fake)
    fake.features_tlv = bytes.fromhex("0604 42330006 0704 42330007 1204 42330012")
    with pcsc.connect() as conn:
        assert conn.features() == {0x06: 0x42330006, 0x07: 0x42330007, 0x12: 0x42330012}
        conn.features()  # cached
    controls = fake.named("control")
    assert len(controls) == 1
    assert controls[0][2] == 0x42000000 + 3400
    assert controls[0][3] == b""


def test_features_without_part_10_support_are_empty(fake: FakeScard) -> None:
    one_reader(fake)
    with pcsc.connect() as conn:
        assert conn.features() == {}


def test_control_maps_errors_and_returns_bytes(fake: FakeScard) -> None:
    one_reader(fake)
    with pcsc.connect() as conn:
        with pytest.raises(TransportError) as caught:
            conn.control(0x42330006, b"\x01\x02")
        assert caught.value.pcsc_code == pcsc.SCARD_E_UNSUPPORTED_FEATURE
        fake.features_tlv = b"\x90\x00"
        assert conn.control(0x42330006, b"\x01") == b"\x90\x00"


def test_parse_features_ignores_a_malformed_tail() -> None:
    assert pcsc.parse_features(bytes.fromhex("06044233000607")) == {6: 0x42330006}
    assert pcsc.parse_features(bytes.fromhex("0602AAAA06044233000A")) == {6: 0x4233000A}
    assert pcsc.parse_features(b"") == {}


# --- the in-process connection to a virtual card -------------------------------------


PIN1_WRONG_IDEMIA = bytes.fromhex("00200001 0C") + CANARY.encode().ljust(12, b"\xff")
IDEMIA_MAIN = bytes.fromhex("00A4040C10A000000077010800070000FE00000100")


@pytest.fixture
def thales_t0() -> Iterator[VirtualConnection]:
    with VirtualConnection(make_card("thales-ok", TODAY, t0=True)) as conn:
        yield conn


def test_virtual_connection_is_a_connection(thales_t0: VirtualConnection) -> None:
    assert isinstance(thales_t0, Connection)
    assert thales_t0.reader == DEFAULT_READER
    assert thales_t0.atr == thales_t0.card.atr
    assert thales_t0.features() == {}
    with pytest.raises(TransportError):
        thales_t0.control(0x42330006, b"")


def test_virtual_connection_follows_t0_answers(thales_t0: VirtualConnection) -> None:
    # The same exchanges as test_emulator's T=0 test, seen through the transport.
    answer = thales_t0.transmit(bytes.fromhex("00CB00FF05A003830181"))
    assert answer[-2:] == SW_OK
    assert answer[14] == 3
    assert thales_t0.transmit(bytes.fromhex("00A4080C04DFDD5006")) == SW_OK
    assert thales_t0.transmit(bytes.fromhex("00B0000000")) == b"38001085718" + SW_OK


def test_virtual_connection_removal_at_the_nth_apdu() -> None:
    card = make_card("idemia-ok", TODAY)
    conn = VirtualConnection(card, remove_at=3)
    assert conn.transmit(IDEMIA_MAIN) == SW_OK
    with conn.transaction():
        assert conn.transmit(PIN1_WRONG_IDEMIA) == bytes.fromhex("63C2")
        with pytest.raises(CardRemoved):
            conn.transmit(PIN1_WRONG_IDEMIA)
    assert conn.removed
    assert conn.sent == 2
    assert card.pin_status()["pin1"].tries_left == 2  # the third APDU never arrived
    with pytest.raises(CardRemoved):
        conn.transmit(IDEMIA_MAIN)
    with pytest.raises(CardRemoved), conn.transaction():
        pass


def test_virtual_connection_removal_counts_get_responses() -> None:
    conn = VirtualConnection(make_card("thales-ok", TODAY, t0=True), remove_at=2)
    with pytest.raises(CardRemoved):
        conn.transmit(bytes.fromhex("00CB00FF05A003830181"))  # 61xx, then GET RESPONSE
    assert conn.sent == 1


def test_virtual_connection_removal_resets_the_card() -> None:
    card = make_card("idemia-ok", TODAY)
    conn = VirtualConnection(card)
    conn.transmit(IDEMIA_MAIN)
    conn.transmit(bytes.fromhex("00200001 0C") + b"0090".ljust(12, b"\xff"))
    assert card.pin_status()["pin1"].verified
    conn.remove()
    assert not card.pin_status()["pin1"].verified


def test_virtual_connection_in_use() -> None:
    with pytest.raises(CardInUse):
        VirtualConnection(make_card("idemia-ok", TODAY), in_use=True)
    with pytest.raises(ValueError, match="from 1"):
        VirtualConnection(make_card("idemia-ok", TODAY), remove_at=0)


def test_virtual_connection_close_leaves_the_card(caplog: pytest.LogCaptureFixture) -> None:
    card = make_card("idemia-ok", TODAY)
    caplog.set_level(logging.DEBUG)
    with VirtualConnection(card) as conn:
        conn.transmit(IDEMIA_MAIN)
        conn.transmit(bytes.fromhex("00200001 0C") + b"0090".ljust(12, b"\xff"))
        conn.transmit(PIN1_WRONG_IDEMIA)
    assert conn.closed
    assert card.pin_status()["pin1"].tries_left == 2  # nothing reset on close
    with pytest.raises(TransportError, match="closed"):
        conn.transmit(IDEMIA_MAIN)
    assert not _leaks(caplog.text)
    assert not _leaks(caplog.text, "0090")  # the right PIN is hidden too
    assert "<12 bytes redacted>" not in caplog.text  # Lc is counted with the data
    assert "<13 bytes redacted>" in caplog.text
