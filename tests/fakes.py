"""Test doubles shared by the card tests: a connection over a virtual card, the public
test codes, and helpers to open a session on a preset."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date

from advisor.card.apdu import Response
from advisor.card.session import CardSession
from advisor.card.status import CodeState, OperationResult
from advisor.emulator import VirtualCard, make_card
from advisor.iso7816 import SW, Ins

TODAY = date(2026, 3, 1)
PIN1, PIN2, PUK = "0090", "01497", "17258403"
# INS of the commands that carry a code: VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER.
CODE_INS = (Ins.VERIFY, Ins.CHANGE_REFERENCE_DATA, Ins.RESET_RETRY_COUNTER)


class FakeConnection:
    """The ``Connection`` protocol over a ``VirtualCard``.

    Follows 61xx/6Cxx as the transport promises, refuses any APDU outside a
    transaction, and counts transactions.
    """

    def __init__(
        self,
        card: VirtualCard,
        reader: str = "Fake Reader 00 00",
        features: dict[int, int] | None = None,
    ) -> None:
        self.card = card
        self._reader = reader
        self._features = features or {}
        self.transactions = 0
        self.in_transaction = False
        self.control_calls: list[tuple[int, bytes]] = []

    @property
    def atr(self) -> bytes:
        return self.card.atr

    @property
    def reader(self) -> str:
        return self._reader

    def transmit(self, apdu: bytes) -> bytes:
        assert self.in_transaction, "APDU sent outside a transaction"
        raw = self.card.transmit(apdu)
        while True:
            response = Response.from_bytes(raw)
            if response.sw1 == SW.MORE_DATA >> 8:
                more = self.card.transmit(bytes((0x00, Ins.GET_RESPONSE, 0x00, 0x00, response.sw2)))
                raw = response.data + more
                # The data of the next answer follows what came before it.
                continue
            if response.sw1 == SW.WRONG_LE >> 8:
                raw = self.card.transmit(apdu[:-1] + bytes((response.sw2,)))
                continue
            return raw

    @contextmanager
    def _held(self) -> Iterator[None]:
        assert not self.in_transaction, "nested transaction"
        self.in_transaction = True
        self.transactions += 1
        try:
            yield
        finally:
            self.in_transaction = False

    def transaction(self) -> AbstractContextManager[None]:
        return self._held()

    def control(self, code: int, data: bytes) -> bytes:
        self.control_calls.append((code, data))
        raise AssertionError("no pin pad on this fake")

    def features(self) -> dict[int, int]:
        return dict(self._features)

    def close(self) -> None:
        pass


def open_card(preset: str, **options: object) -> tuple[VirtualCard, FakeConnection, CardSession]:
    card = make_card(preset, today=TODAY, **options)  # type: ignore[arg-type]
    connection = FakeConnection(card)
    return card, connection, CardSession(connection, environ={})


def code_commands(card: VirtualCard) -> dict[int, int]:
    return {ins: card.commands[ins] for ins in CODE_INS}


def counter(result: OperationResult, kind: object) -> CodeState | None:
    """The counter of one code after an operation."""
    return next((state for state in result.counters if state.kind is kind), None)
