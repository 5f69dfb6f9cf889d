"""vpcd's two slots as the PC/SC tier sees them, and a helper to insert and pull virtual
cards in them (tests/pcsc/conftest.py makes the fixtures)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from advisor.emulator.card import VirtualCard
from advisor.emulator.vpcd import VpcdBridge

VPCD_HOST = "127.0.0.1"
VPCD_PORT = int(os.environ.get("ADVISOR_VPCD_PORT", "35963"))
# pcscd names vpcd's two slots (ports 35963 and 35964) like this (vsmartcard's vpcd, docs/emulator.md).
SLOT0 = "Virtual PCD 00 00"
SLOT1 = "Virtual PCD 00 01"
# pcscd polls vpcd for presence a few times a second; allow for a slow machine.
EVENT_TIMEOUT = 10.0


def wait_until(condition: Callable[[], bool], timeout: float = EVENT_TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def card_seen(slot: str) -> bool:
    from advisor.transport import pcsc

    return any(info.name == slot and info.has_card for info in pcsc.list_readers())


class Slot:
    """One vpcd slot with a VpcdBridge: insert and pull virtual cards, wait for pcscd."""

    def __init__(self, name: str, port: int) -> None:
        self.name = name
        self.port = port
        self.bridge: VpcdBridge | None = None

    def insert(self, card: VirtualCard) -> VirtualCard:
        if self.bridge is None:
            self.bridge = VpcdBridge(card, VPCD_HOST, self.port).start()
        else:
            self.bridge.insert(card)
        assert self.bridge.wait_connected(EVENT_TIMEOUT), f"vpcd on {self.port} never took the card"
        assert wait_until(lambda: card_seen(self.name)), f"pcscd never saw the card in {self.name}"
        return card

    def pull(self, *, wait_for_pcscd: bool = True) -> None:
        assert self.bridge is not None
        self.bridge.remove()
        assert self.bridge.wait_disconnected(EVENT_TIMEOUT)
        if wait_for_pcscd:
            assert wait_until(lambda: not card_seen(self.name)), f"{self.name} still has a card"

    def close(self) -> None:
        if self.bridge is not None:
            self.bridge.stop()
            self.bridge = None
            # Leave the slot empty for the next test.
            assert wait_until(lambda: not card_seen(self.name)), f"{self.name} still has a card"
