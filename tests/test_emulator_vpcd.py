"""The vpcd link, against a tiny fake vpcd on 127.0.0.1 (never a real pcscd).

The fake plays vpcd's side of the protocol in docs/emulator.md: it listens, the card connects,
and every message is a 2-byte big-endian length plus a payload.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import date

import pytest

from advisor.emulator import make_card
from advisor.emulator.vpcd import FrameReader, VpcdBridge, parse_address, serve

TODAY = date(2026, 3, 1)
TIMEOUT = 5.0


class FakeVpcd:
    def __init__(self) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.listener.settimeout(TIMEOUT)
        self.port: int = self.listener.getsockname()[1]
        self.conn: socket.socket | None = None

    def accept(self) -> None:
        self.conn, _ = self.listener.accept()
        self.conn.settimeout(TIMEOUT)

    def send_raw(self, data: bytes) -> None:
        assert self.conn is not None
        self.conn.sendall(data)

    def send(self, payload: bytes) -> None:
        self.send_raw(len(payload).to_bytes(2, "big") + payload)

    def recv_exact(self, n: int) -> bytes:
        assert self.conn is not None
        out = b""
        while len(out) < n:
            chunk = self.conn.recv(n - len(out))
            if not chunk:
                raise ConnectionError("card closed the socket")
            out += chunk
        return out

    def receive(self) -> bytes:
        return self.recv_exact(int.from_bytes(self.recv_exact(2), "big"))

    def ask(self, payload: bytes) -> bytes:
        self.send(payload)
        return self.receive()

    def closed_by_card(self) -> bool:
        assert self.conn is not None
        return self.conn.recv(1) == b""

    def drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def close(self) -> None:
        self.drop()
        self.listener.close()


@pytest.fixture
def vpcd() -> Iterator[FakeVpcd]:
    fake = FakeVpcd()
    yield fake
    fake.close()


def test_serve_answers_vpcd_and_reconnects(vpcd: FakeVpcd) -> None:
    card = make_card("idemia-ok", TODAY)
    stop = threading.Event()
    thread = threading.Thread(
        target=serve,
        args=(card, "127.0.0.1", vpcd.port, stop),
        kwargs={"retry_interval": 0.05, "poll_interval": 0.02},
    )
    thread.start()
    try:
        vpcd.accept()
        vpcd.send(b"\x01")  # power on: no reply
        assert vpcd.ask(b"\x04") == card.atr
        # An APDU split over several TCP segments, two messages in one segment.
        verify = bytes.fromhex("002000010C") + b"0090".ljust(12, b"\xff")
        framed = len(verify).to_bytes(2, "big") + verify
        vpcd.send_raw(framed[:1])
        vpcd.send_raw(framed[1:7])
        vpcd.send_raw(framed[7:] + b"\x00\x01\x04")
        assert vpcd.receive() == b"\x90\x00"
        assert vpcd.receive() == card.atr
        assert vpcd.ask(bytes.fromhex("00200001")) == b"\x90\x00"
        vpcd.send(b"\x02")  # reset: security state gone, no reply
        assert vpcd.ask(bytes.fromhex("00200001")) == b"\x63\xc3"
        assert card.commands[0x20] == 3

        # vpcd goes away (pcscd restart): the card comes back by itself.
        vpcd.drop()
        vpcd.accept()
        assert vpcd.ask(b"\x04") == card.atr
    finally:
        stop.set()
        thread.join(TIMEOUT)
    assert not thread.is_alive()


def test_bridge_remove_and_insert(vpcd: FakeVpcd) -> None:
    first = make_card("idemia-ok", TODAY)
    second = make_card("thales-new", TODAY)
    with VpcdBridge(
        first, "127.0.0.1", vpcd.port, retry_interval=0.05, poll_interval=0.02
    ) as bridge:
        vpcd.accept()
        assert bridge.wait_connected(TIMEOUT)
        assert vpcd.ask(b"\x04") == first.atr
        verify = bytes.fromhex("002000010C") + b"0090".ljust(12, b"\xff")
        assert vpcd.ask(verify) == b"\x90\x00"

        bridge.remove()
        assert vpcd.closed_by_card()
        assert bridge.wait_disconnected(TIMEOUT)
        vpcd.drop()
        # Removal powers the card down: PIN1 is no longer verified.
        assert first.pin_status()["pin1"].verified is False

        bridge.insert(second)
        vpcd.accept()
        assert bridge.wait_connected(TIMEOUT)
        assert vpcd.ask(b"\x04") == second.atr
        assert bridge.connected
    assert not bridge.connected


def test_bridge_refuses_swap_while_inserted(vpcd: FakeVpcd) -> None:
    card = make_card("thales-ok", TODAY)
    with VpcdBridge(card, "127.0.0.1", vpcd.port, retry_interval=0.05) as bridge:
        vpcd.accept()
        assert bridge.wait_connected(TIMEOUT)
        with pytest.raises(RuntimeError, match="remove"):
            bridge.insert(make_card("thales-new", TODAY))


def test_serve_waits_for_vpcd() -> None:
    # Nothing listens on this port yet: serve retries until stopped.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stop = threading.Event()
    thread = threading.Thread(
        target=serve,
        args=(make_card("idemia-ok", TODAY), "127.0.0.1", port, stop),
        kwargs={"retry_interval": 0.02},
    )
    thread.start()
    stop.wait(0.1)
    stop.set()
    thread.join(TIMEOUT)
    assert not thread.is_alive()


def test_frame_reader_reassembles() -> None:
    reader = FrameReader()
    assert reader.feed(b"\x00") == []
    assert reader.feed(b"\x02\xaa") == []
    assert reader.feed(b"\xbb\x00\x01\x04\x00") == [b"\xaa\xbb", b"\x04"]
    assert reader.feed(b"\x00") == [b""]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("localhost:35963", ("localhost", 35963)),
        ("127.0.0.1:35964", ("127.0.0.1", 35964)),
        ("example", ("example", 35963)),
        (":40000", ("localhost", 40000)),
        ("[::1]:35963", ("::1", 35963)),
        ("[::1]", ("::1", 35963)),
    ],
)
def test_parse_address(text: str, expected: tuple[str, int]) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize("text", ["host:0", "host:99999", "host:abc", "[::1", "[::1]x"])
def test_parse_address_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="vpcd"):
        parse_address(text)
