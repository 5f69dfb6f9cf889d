"""advisor.transport.pcsc against the real pcscd + vpcd, with cards from advisor.emulator.

Run by ``bash .ci/pcsc-env .venv/bin/python -m pytest -m pcsc tests/pcsc``; skipped
anywhere else (see conftest.py).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from datetime import date
from typing import Any

import pytest

from advisor.emulator import make_card
from advisor.transport import (
    CardInUse,
    CardRemoved,
    CardWaitTimeout,
    Connection,
    NoCard,
    NoReader,
    SeveralReaders,
    pcsc,
)
from tests.pcsc.slots import SLOT0, SLOT1, Slot, wait_until

pytestmark = pytest.mark.pcsc

TODAY = date(2026, 3, 1)
OK = b"\x90\x00"
IDEMIA_MAIN = bytes.fromhex("00A4040C10A000000077010800070000FE00000100")
IDEMIA_PIN1_TRIES = bytes.fromhex("00CB3FFF0A4D087006BF810102A08000")
THALES_AID = bytes.fromhex("00A4040C0CA000000063504B43532D3135")
THALES_PIN1_INFO = bytes.fromhex("00CB00FF05A003830181")
CANARY = "4712"
EVENT_WAIT = 10.0


def idemia_verify(code: str) -> bytes:
    return bytes.fromhex("00200001 0C") + code.encode().ljust(12, b"\xff")


# --- readers and connecting -------------------------------------------------------------


def test_readers_of_the_private_pcscd(slot0: Slot) -> None:
    readers = pcsc.list_readers()
    assert [r.name for r in readers] == [SLOT0, SLOT1]
    assert not any(r.has_card for r in readers)
    card = slot0.insert(make_card("idemia-ok", TODAY))
    assert pcsc.list_readers() == [
        pcsc.ReaderInfo(SLOT0, True, card.atr),
        pcsc.ReaderInfo(SLOT1, False, b""),
    ]


def test_connect_and_status_apdus(slot0: Slot) -> None:
    card = slot0.insert(make_card("idemia-last-attempt", TODAY))
    with pcsc.connect() as conn:
        assert isinstance(conn, Connection)
        assert conn.reader == SLOT0
        assert conn.atr == card.atr
        assert conn.exclusive
        with conn.transaction():
            assert conn.transmit(IDEMIA_MAIN) == OK
            answer = conn.transmit(IDEMIA_PIN1_TRIES)
        assert answer[-2:] == OK
        assert bytes.fromhex("9B0101") in answer  # one attempt left
        assert conn.features() == {}  # vpcd has no part 10 (0x8010001F, verified)


def test_t0_card_get_response_and_wrong_le_through_pcscd(slot0: Slot) -> None:
    card = slot0.insert(make_card("thales-ok", TODAY, t0=True))
    with pcsc.connect(SLOT0) as conn:
        assert conn.transmit(THALES_AID) == OK
        answer = conn.transmit(THALES_PIN1_INFO)
        assert answer[-2:] == OK
        assert answer[14] == 3
        assert conn.transmit(bytes.fromhex("00A4080C04DFDD5006")) == OK
        assert conn.transmit(bytes.fromhex("00B0000000")) == b"38001085718" + OK
    assert card.commands[0xC0] >= 1  # a GET RESPONSE really crossed pcscd


def test_wrong_pin_round_trip_is_redacted(slot0: Slot, caplog: pytest.LogCaptureFixture) -> None:
    card = slot0.insert(make_card("idemia-ok", TODAY))
    caplog.set_level(logging.DEBUG, logger="advisor.transport.pcsc")
    with pcsc.connect() as conn:
        assert conn.transmit(IDEMIA_MAIN) == OK
        assert conn.transmit(idemia_verify(CANARY)) == bytes.fromhex("63C2")
    assert card.pin_status()["pin1"].tries_left == 2
    text = caplog.text
    assert "00 20 00 01 <13 bytes redacted>" in text
    assert CANARY not in text
    assert CANARY.encode().hex() not in text.lower().replace(" ", "")


def test_two_cards_must_be_chosen(slot0: Slot, slot1: Slot) -> None:
    slot0.insert(make_card("idemia-ok", TODAY))
    other = slot1.insert(make_card("thales-ok", TODAY))
    with pytest.raises(SeveralReaders) as caught:
        pcsc.connect()
    assert caught.value.readers == [SLOT0, SLOT1]
    with pcsc.connect("pcd 00 01") as conn:
        assert conn.atr == other.atr
    with pytest.raises(NoReader, match="no reader matches"):
        pcsc.connect("OMNIKEY")


# --- insertion and removal ---------------------------------------------------------------


def test_insert_and_remove_events(slot0: Slot) -> None:
    with pytest.raises(NoCard) as no_card:
        pcsc.connect()
    assert no_card.value.pcsc_code is None  # decided from the reader states
    started = time.monotonic()
    with pytest.raises(CardWaitTimeout):
        pcsc.connect(wait=0.7)
    assert 0.6 < time.monotonic() - started < 3

    # A card inserted while connect() waits is taken.
    result: dict[str, object] = {}

    def wait_for_card() -> None:
        try:
            result["conn"] = pcsc.connect(wait=EVENT_WAIT)
        except Exception as err:
            result["error"] = err

    waiter = threading.Thread(target=wait_for_card)
    waiter.start()
    time.sleep(0.5)
    card = make_card("thales-ok", TODAY)
    slot0.insert(card)
    waiter.join(EVENT_WAIT + 5)
    assert "error" not in result, result
    conn = result["conn"]
    assert isinstance(conn, pcsc.PcscConnection)
    try:
        assert conn.atr == card.atr
        assert conn.transmit(THALES_AID) == OK
    finally:
        conn.close()

    slot0.pull()
    assert pcsc.list_readers()[0] == pcsc.ReaderInfo(SLOT0, False, b"")
    with pytest.raises(NoCard):
        pcsc.connect()


def test_card_removed_mid_transaction(slot0: Slot) -> None:
    card = slot0.insert(make_card("idemia-ok", TODAY))
    conn = pcsc.connect()
    try:
        with conn.transaction():  # ends quietly although the card is gone
            assert conn.transmit(IDEMIA_MAIN) == OK
            slot0.pull(wait_for_pcscd=False)
            with pytest.raises(CardRemoved):
                conn.transmit(IDEMIA_PIN1_TRIES)
        # Still removed for every later APDU, once pcscd has noticed too.
        assert wait_until(lambda: not pcsc.list_readers()[0].has_card)
        with pytest.raises(CardRemoved) as later:
            conn.transmit(IDEMIA_MAIN)
        assert later.value.pcsc_code == pcsc.SCARD_W_REMOVED_CARD
    finally:
        conn.close()
    # Reinserted: a new connection works, the card lost its security state (power).
    slot0.insert(card)
    with pcsc.connect() as again:
        assert again.transmit(IDEMIA_MAIN) == OK


def test_reset_by_another_application_is_card_removed(slot0: Slot) -> None:
    from smartcard import scard

    slot0.insert(make_card("idemia-ok", TODAY))
    other = RawHandle(scard, scard.SCARD_SHARE_SHARED)
    try:
        with pcsc.connect() as conn:
            assert not conn.exclusive  # fell back to shared
            assert conn.transmit(IDEMIA_MAIN) == OK
            other.disconnect(scard.SCARD_RESET_CARD)
            with pytest.raises(CardRemoved) as caught:
                conn.transmit(IDEMIA_MAIN)
            assert caught.value.pcsc_code == pcsc.SCARD_W_RESET_CARD
    finally:
        other.close()


# --- sharing ------------------------------------------------------------------------


class RawHandle:
    """Another application's connection to the card in slot 0, made with pyscard."""

    def __init__(self, scard: Any, share: int) -> None:
        self.scard = scard
        hresult, self.context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        assert hresult == 0, hex(hresult)
        protocols = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        hresult, self.hcard, self.protocol = scard.SCardConnect(
            self.context, SLOT0, share, protocols
        )
        assert hresult == 0, hex(hresult)
        self.connected = True

    def transmit(self, apdu: bytes) -> tuple[int, bytes]:
        hresult, response = self.scard.SCardTransmit(self.hcard, self.protocol, list(apdu))
        return hresult & 0xFFFFFFFF, bytes(response)

    def disconnect(self, disposition: int) -> None:
        if self.connected:
            self.connected = False
            self.scard.SCardDisconnect(self.hcard, disposition)

    def close(self) -> None:
        self.disconnect(self.scard.SCARD_LEAVE_CARD)
        self.scard.SCardReleaseContext(self.context)


def test_card_held_exclusively_is_in_use(slot0: Slot) -> None:
    slot0.insert(make_card("idemia-ok", TODAY))
    first = pcsc.connect()
    try:
        assert first.exclusive
        assert pcsc.list_readers()[0].exclusive
        with pytest.raises(CardInUse) as caught:
            pcsc.connect()
        assert caught.value.pcsc_code == pcsc.SCARD_E_SHARING_VIOLATION
    finally:
        first.close()
    with pcsc.connect() as second:
        assert second.exclusive


def test_shared_fallback_and_leave_card(slot0: Slot) -> None:
    from smartcard import scard

    card = slot0.insert(make_card("idemia-ok", TODAY))
    other = RawHandle(scard, scard.SCARD_SHARE_SHARED)
    try:
        with pcsc.connect() as conn:
            assert not conn.exclusive
            with conn.transaction():
                assert conn.transmit(IDEMIA_MAIN) == OK
                assert conn.transmit(idemia_verify("0090")) == OK
        # We left the card as it was: PIN1 is still verified and the other application's
        # handle is still valid (a reset or power-off would give it SCARD_W_RESET_CARD).
        # (It sends GET DATA, not SELECT: a SELECT AID clears the security state.)
        assert card.pin_status()["pin1"].verified
        hresult, answer = other.transmit(IDEMIA_PIN1_TRIES)
        assert hresult == 0, hex(hresult)
        assert answer[-2:] == OK
        assert card.pin_status()["pin1"].verified
    finally:
        other.close()


def test_close_leaves_the_card_powered(slot0: Slot) -> None:
    card = slot0.insert(make_card("idemia-ok", TODAY))
    with pcsc.connect() as conn:
        assert conn.transmit(IDEMIA_MAIN) == OK
        assert conn.transmit(idemia_verify("0090")) == OK
    # pcscd would power the card down or reset it on an UNPOWER/RESET disposition.
    time.sleep(0.5)
    assert card.pin_status()["pin1"].verified
    card.reset()


# --- no service ---------------------------------------------------------------------


NO_SERVICE_PROBE = """
from advisor.transport import pcsc
from advisor.transport import NoService
for call in (pcsc.list_readers, lambda: pcsc.connect(wait=2)):
    try:
        call()
    except NoService as err:
        print(type(err).__name__, hex(err.pcsc_code))
    else:
        print("no error")
"""


def test_no_pcscd_is_no_service() -> None:
    # pcsc-lite's client looks for the daemon's socket where PCSCLITE_CSOCK_NAME says:
    # point it at nothing, in a fresh process (the library reads it once).
    env = dict(os.environ, PCSCLITE_CSOCK_NAME="/nonexistent/pcscd.comm")
    out = subprocess.run(
        [sys.executable, "-c", NO_SERVICE_PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split("\n")
    assert out[:2] == ["NoService 0x8010001d", "NoService 0x8010001d"]
