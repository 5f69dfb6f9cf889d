"""Attach a virtual card to pcscd through vsmartcard's vpcd reader driver.

Written from the protocol description in docs/emulator.md (vpcd protocol; vsmartcard
``doc/api.txt``), not from vsmartcard's own card code (GPL-3):

* vpcd listens on TCP (default port 35963, the next port per extra slot); the
  card connects. Connected = card inserted, closed socket = card removed.
* Every message, both ways, is a 2-byte big-endian length and a payload.
  A 1-byte payload is a control message: 00 power off, 01 power on, 02 reset
  (none of them answered), 04 get ATR (answered with the ATR). Anything longer
  is a command APDU, answered with the response APDU.
* vpcd polls presence with "get ATR" at any time.

Only the standard library is used: importing this module needs no pcscd.
"""

from __future__ import annotations

import logging
import select
import socket
import threading
import time
from collections.abc import Callable

from advisor.emulator.card import VirtualCard
from advisor.errors import AdvisorError
from advisor.translatable import N_

log = logging.getLogger(__name__)

DEFAULT_HOST = "localhost"
DEFAULT_PORT = 35963  # 0x8C7B, vpcd's VPCDPORT

POWER_OFF = 0x00
POWER_ON = 0x01
RESET = 0x02
GET_ATR = 0x04

MAX_MESSAGE = 0xFFFF

CardSource = Callable[[], VirtualCard]


class AddressError(AdvisorError, ValueError):
    """A vpcd address that cannot be used; its message is a msgid (advisor/translatable.py)."""

    @classmethod
    def about(cls, template: str, text: str) -> AddressError:
        return cls.translatable(template, address=repr(text))


def parse_address(text: str) -> tuple[str, int]:
    """``HOST:PORT``, ``HOST`` or ``:PORT`` (``[v6addr]:PORT`` too) → (host, port)."""
    host, port = text, ""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise AddressError.about(N_("bad vpcd address %(address)s"), text)
        host, rest = text[1:end], text[end + 1 :]
        if rest and not rest.startswith(":"):
            raise AddressError.about(N_("bad vpcd address %(address)s"), text)
        port = rest[1:]
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not port:
        return host or DEFAULT_HOST, DEFAULT_PORT
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise AddressError.about(N_("bad vpcd port in %(address)s"), text)
    return host or DEFAULT_HOST, int(port)


def frame(payload: bytes) -> bytes:
    if len(payload) > MAX_MESSAGE:
        raise ValueError("vpcd message too long")
    return len(payload).to_bytes(2, "big") + payload


class FrameReader:
    """Reassembles length-prefixed messages from a stream of any chunking."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        messages: list[bytes] = []
        while len(self._buffer) >= 2:
            size = int.from_bytes(self._buffer[:2], "big")
            if len(self._buffer) < 2 + size:
                break
            messages.append(bytes(self._buffer[2 : 2 + size]))
            del self._buffer[: 2 + size]
        return messages


def handle_message(card: VirtualCard, message: bytes) -> bytes | None:
    """The card's answer to one vpcd message, or None when none is due."""
    if len(message) == 1:
        control = message[0]
        if control == GET_ATR:
            return card.atr
        if control in (POWER_OFF, POWER_ON, RESET):
            # A power cycle or reset loses the security state; counters stay.
            card.reset()
            return None
        log.debug("ignoring unknown vpcd control byte %02X", control)
        return None
    if not message:
        return None
    return card.transmit(message)


def _serve_connection(
    sock: socket.socket,
    card: VirtualCard,
    keep_going: Callable[[], bool],
    poll_interval: float,
) -> None:
    """Answer vpcd until it closes the socket or keep_going() turns false."""
    reader = FrameReader()
    while keep_going():
        readable, _, _ = select.select([sock], [], [], poll_interval)
        if not readable:
            continue
        data = sock.recv(4096)
        if not data:
            log.info("vpcd closed the connection")
            return
        if hasattr(socket, "TCP_QUICKACK"):
            # vpcd writes each command in two segments; without an immediate ACK the
            # second waits for the delayed-ACK timer, about 40 ms per APDU (measured).
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        for message in reader.feed(data):
            reply = handle_message(card, message)
            if reply is not None:
                sock.sendall(frame(reply))


def _serve(
    source: CardSource,
    host: str,
    port: int,
    stop_event: threading.Event,
    present: threading.Event | None,
    connected: threading.Event | None,
    retry_interval: float,
    poll_interval: float,
) -> None:
    def inserted() -> bool:
        return present is None or present.is_set()

    def keep_going() -> bool:
        return not stop_event.is_set() and inserted()

    while not stop_event.is_set():
        if not inserted():
            stop_event.wait(poll_interval)
            continue
        try:
            sock = socket.create_connection((host, port), timeout=max(retry_interval, 1.0))
        except OSError as err:
            log.debug("vpcd at %s:%d not reachable: %s", host, port, err)
            stop_event.wait(retry_interval)
            continue
        log.info("card inserted into vpcd at %s:%d", host, port)
        card = source()
        if connected is not None:
            connected.set()
        try:
            _serve_connection(sock, card, keep_going, poll_interval)
        except OSError as err:
            log.info("vpcd connection lost: %s", err)
        finally:
            sock.close()
            # Pulled out of the reader: the card loses power.
            card.reset()
            if connected is not None:
                connected.clear()
            log.info("card removed from vpcd at %s:%d", host, port)
        if not stop_event.is_set() and inserted():
            # vpcd went away (pcscd restarted): try again after a pause.
            stop_event.wait(retry_interval)


def serve(
    card: VirtualCard,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    stop_event: threading.Event | None = None,
    *,
    present: threading.Event | None = None,
    connected: threading.Event | None = None,
    retry_interval: float = 0.5,
    poll_interval: float = 0.1,
) -> None:
    """Keep ``card`` inserted in vpcd until ``stop_event`` is set.

    Connects to vpcd at host:port and answers it; when vpcd closes the
    connection (pcscd restarted) or is not there yet, retries every
    ``retry_interval`` seconds. With ``present`` given, the card is inserted
    only while that event is set: clearing it closes the socket (removal),
    setting it again reconnects (insertion). ``connected`` is set while a
    connection is up. Without ``stop_event`` it runs until interrupted.
    """
    _serve(
        lambda: card,
        host,
        port,
        stop_event or threading.Event(),
        present,
        connected,
        retry_interval,
        poll_interval,
    )


class VpcdBridge:
    """``serve`` in a background thread, with insert / remove / swap controls.

    >>> bridge = VpcdBridge(card, "127.0.0.1", 35963)   # doctest: +SKIP
    >>> bridge.start(); bridge.wait_connected(5)          # doctest: +SKIP
    >>> bridge.remove(); bridge.insert(other_card)        # doctest: +SKIP
    >>> bridge.stop()                                     # doctest: +SKIP
    """

    def __init__(
        self,
        card: VirtualCard,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        retry_interval: float = 0.2,
        poll_interval: float = 0.05,
    ) -> None:
        self.card = card
        self.host = host
        self.port = port
        self._retry = retry_interval
        self._poll = poll_interval
        self._stop = threading.Event()
        self._present = threading.Event()
        self._present.set()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> VpcdBridge:
        if self._thread is not None:
            raise RuntimeError("bridge already started")
        self._thread = threading.Thread(
            target=_serve,
            args=(
                lambda: self.card,
                self.host,
                self.port,
                self._stop,
                self._present,
                self._connected,
                self._retry,
                self._poll,
            ),
            name=f"vpcd-{self.host}:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float | None = None) -> bool:
        return self._connected.wait(timeout)

    def wait_disconnected(self, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while self._connected.is_set() and time.monotonic() < deadline:
            time.sleep(self._poll)
        return not self._connected.is_set()

    def remove(self) -> None:
        """Pull the card: the socket closes within one poll interval."""
        self._present.clear()

    def insert(self, card: VirtualCard | None = None) -> None:
        """Put the card (or another one) back in: the bridge reconnects."""
        if card is not None:
            if self._connected.is_set():
                raise RuntimeError("remove the card before inserting another one")
            self.card = card
        self._present.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> VpcdBridge:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
