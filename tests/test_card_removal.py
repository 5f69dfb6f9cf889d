"""The card pulled out at every APDU of every operation, on both generations.

For each operation (status; change PIN1, PIN2, the IDEMIA PUK; unblock PIN1/PIN2;
Thales PIN2 activation with PIN2 and with the PUK; and wrong-code variants) the
operation is first run to the end on a fresh card, which gives its APDU count and
its *commit point*: the last APDU that can change the card's state (VERIFY with
data, CHANGE REFERENCE DATA, RESET RETRY COUNTER). Then, for every N from 1 to the
count, a fresh identical card is pulled just before its N-th APDU
(``VirtualConnection(card, remove_at=N)``) and:

* the session raises :class:`CardRemoved` and nothing after APDU N-1 reached the card;
  the CLI exits 6 with a message on stderr and nothing on stdout;
* the card, reconnected with a fresh ``VirtualConnection`` and read with
  ``status()``, is exactly as before the operation when APDU N was at or before the
  commit point (that APDU never reached the card: no try may be spent), and exactly
  as after the complete operation otherwise; never in between, and no code is left
  verified;
* no code (old, new, wrong, PUK; in digits or hex) appears in an exception, its
  traceback, the DEBUG log, or the CLI's output.

The CLI has no hook to be handed a prepared connection, so the CLI tests replace
``advisor.emulator.make_card`` and ``advisor.emulator.connection.VirtualConnection``,
which ``advisor.cli.cardio.open_session`` imports when ``--virtual`` is given.

The codes of every card are replaced by canaries (unusual digit strings that pass
the new-code policy for the emulator's holder), so that a leak cannot hide behind a
string that also occurs in ordinary output.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from typer.testing import CliRunner

import advisor.emulator
import advisor.emulator.connection
from advisor.card.errors import CardError, WrongCode
from advisor.card.session import CardSession
from advisor.cli import app
from advisor.emulator import VirtualCard, make_card
from advisor.emulator.connection import DEFAULT_READER, VirtualConnection
from advisor.transport import CardRemoved

TODAY = date(2026, 3, 1)

# Current codes put on every card, the new codes chosen, and wrong guesses.
CODES = {"pin1": "4739", "pin2": "61852", "puk": "92746158"}
NEW = {"pin1": "8261", "pin2": "72963", "puk": "83615947"}
WRONG = {"pin1": "5184", "pin2": "39617", "puk": "61829374"}
SECRETS = (*CODES.values(), *NEW.values(), *WRONG.values())

# INS that can change a card's state: VERIFY (with data), CHANGE REFERENCE DATA,
# RESET RETRY COUNTER.
VERIFY, CHANGE, RESET = 0x20, 0x24, 0x2C

runner = CliRunner()

Snapshot = dict[str, Any]


# --- the operations -------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One operation on one generation, from one starting state."""

    name: str
    preset: str
    op: Callable[[CardSession], object]
    cli: tuple[str, ...]
    answers: tuple[str, ...] = ()
    # Retry counters set on the card before the operation (name -> tries left), so that
    # a completed operation is visible in the counters too (a correct code restores
    # the counter to 3).
    tries: Mapping[str, int] = field(default_factory=dict)
    # What the complete operation raises at the session level, and the CLI's exit code.
    raises: type[CardError] | None = None
    exit_code: int = 0
    t0: bool = False

    def __str__(self) -> str:
        return self.name


def _status(session: CardSession) -> object:
    return session.status()


def _change(kind: str, old: str) -> Callable[[CardSession], object]:
    return lambda session: session.change_code(kind, old, NEW[kind])


def _unblock(kind: str, puk: str) -> Callable[[CardSession], object]:
    return lambda session: session.unblock(kind, puk, NEW[kind])


def _activate_with_pin2(current: str) -> Callable[[CardSession], object]:
    return lambda session: session.activate_pin2(current, new_pin2=NEW["pin2"])


def _activate_with_puk(session: CardSession) -> object:
    return session.activate_pin2(puk=CODES["puk"], new_pin2=NEW["pin2"])


def _change_case(gen: str, kind: str) -> Case:
    return Case(
        f"{gen}-change-{kind}",
        f"{gen}-ok",
        _change(kind, CODES[kind]),
        ("card", "change-pin", kind),
        (CODES[kind], NEW[kind], NEW[kind]),
        tries={kind: 2},
    )


def _unblock_case(gen: str, kind: str) -> Case:
    return Case(
        f"{gen}-unblock-{kind}",
        f"{gen}-{kind}-blocked",
        _unblock(kind, CODES["puk"]),
        ("card", "unblock", kind),
        (CODES["puk"], NEW[kind], NEW[kind]),
    )


CASES: list[Case] = [
    Case("idemia-status", "idemia-ok", _status, ("card", "status", "--json")),
    Case("thales-status", "thales-new", _status, ("card", "status", "--json")),
    *(_change_case("idemia", kind) for kind in ("pin1", "pin2", "puk")),
    *(_change_case("thales", kind) for kind in ("pin1", "pin2")),
    *(_unblock_case(gen, kind) for gen in ("idemia", "thales") for kind in ("pin1", "pin2")),
    Case(
        "thales-activate-with-pin2",
        "thales-new",
        _activate_with_pin2(CODES["pin2"]),
        ("card", "activate-pin2"),
        (CODES["pin2"], NEW["pin2"], NEW["pin2"]),
        tries={"pin2": 2},
    ),
    Case(
        "thales-activate-with-puk",
        "thales-new-pin2-blocked",
        _activate_with_puk,
        ("card", "activate-pin2"),
        (CODES["puk"], NEW["pin2"], NEW["pin2"]),
        tries={"puk": 2},
    ),
    # Wrong codes: the complete operation spends one try, which must happen only when
    # the code-bearing APDU reached the card.
    *(
        Case(
            f"{gen}-change-pin1-wrong",
            f"{gen}-ok",
            _change("pin1", WRONG["pin1"]),
            ("card", "change-pin", "pin1"),
            (WRONG["pin1"], NEW["pin1"], NEW["pin1"]),
            raises=WrongCode,
            exit_code=3,
        )
        for gen in ("idemia", "thales")
    ),
    *(
        Case(
            f"{gen}-unblock-pin1-wrong-puk",
            f"{gen}-pin1-blocked",
            _unblock("pin1", WRONG["puk"]),
            ("card", "unblock", "pin1"),
            (WRONG["puk"], NEW["pin1"], NEW["pin1"]),
            raises=WrongCode,
            exit_code=3,
        )
        for gen in ("idemia", "thales")
    ),
    Case(
        "thales-activate-wrong-pin2",
        "thales-new",
        _activate_with_pin2(WRONG["pin2"]),
        ("card", "activate-pin2"),
        (WRONG["pin2"], NEW["pin2"], NEW["pin2"]),
        raises=WrongCode,
        exit_code=3,
    ),
]

# T=0 cards answer through 61xx + GET RESPONSE, and remove_at counts GET RESPONSEs:
# the session level runs every case on a T=0 card too.
SESSION_CASES = [
    *CASES,
    *(
        Case(f"{c.name}-t0", c.preset, c.op, c.cli, c.answers, c.tries, c.raises, c.exit_code, True)
        for c in CASES
    ),
]

# `diagnose`: the status read of --json, and the offered operation of the prose mode.
DIAGNOSE_CASES: list[Case] = [
    Case("idemia-diagnose-json", "idemia-pin1-blocked", _status, ("diagnose", "--json")),
    Case("thales-diagnose-json", "thales-courier", _status, ("diagnose", "--json")),
    Case(
        "idemia-diagnose-unblock",
        "idemia-pin1-blocked",
        _unblock("pin1", CODES["puk"]),
        ("diagnose",),
        ("yes", "y", CODES["puk"], NEW["pin1"], NEW["pin1"]),
    ),
    Case(
        "thales-diagnose-activate",
        "thales-new",
        _activate_with_pin2(CODES["pin2"]),
        ("diagnose",),
        ("yes", "yes", "y", CODES["pin2"], NEW["pin2"], NEW["pin2"]),
        tries={"pin2": 2},
    ),
]


# --- helpers --------------------------------------------------------------------------


def prepare(case: Case) -> VirtualCard:
    """A fresh card of the case's preset, with the canary codes and its counters."""
    card = make_card(case.preset, TODAY, t0=case.t0)
    for name, code in CODES.items():
        card.pins[name].value = code
    for name, tries in case.tries.items():
        card.pins[name].tries_left = tries
    return card


def snapshot(card: VirtualCard) -> Snapshot:
    """The card as a client reads it (a fresh connection and ``status()``), plus which
    code values it now holds (known to the emulator only)."""
    with VirtualConnection(card) as connection:
        facts = CardSession(connection).status(facts_only=True).to_facts_json()
    state: Snapshot = {
        key: facts.get(key)
        for key in (
            "pin1_tries_left",
            "pin2_tries_left",
            "puk_tries_left",
            "pin2_activated",
            "card_activated",
        )
    }
    state.update({f"{name}_value": pin.value for name, pin in card.pins.items()})
    return state


def commit_point(trace: list[tuple[bytes, bytes]]) -> int:
    """1-based index of the last APDU that can change the card's state (0: none)."""
    point = 0
    for index, (command, _) in enumerate(trace, start=1):
        ins = command[1]
        if ins in (CHANGE, RESET) or (ins == VERIFY and len(command) > 5):
            point = index
    return point


def leaks(text: str) -> list[str]:
    """The codes found in ``text``, in digits or as hex (any spacing or case)."""
    flat = text.replace(" ", "").lower()
    return [code for code in SECRETS if code in text or code.encode().hex() in flat]


def error_text(error: BaseException) -> str:
    return "\n".join(
        [str(error), repr(error), *traceback.format_exception(type(error), error, None)]
    )


@dataclass
class Reference:
    """The operation run to the end: its APDUs and what it left."""

    initial: Snapshot
    final: Snapshot
    total: int
    commit: int


def reference_session(case: Case) -> Reference:
    card = prepare(case)
    initial = snapshot(card)
    card.trace.clear()
    connection = VirtualConnection(card)
    session = CardSession(connection)
    if case.raises is None:
        case.op(session)
    else:
        with pytest.raises(case.raises):
            case.op(session)
    if not case.t0:
        assert session.apdu_count == connection.sent
    assert len(card.trace) == connection.sent
    return Reference(initial, snapshot(card), connection.sent, commit_point(list(card.trace)))


def expected_after_removal(ref: Reference, remove_at: int) -> Snapshot:
    # APDU ``remove_at`` never reaches the card: at or before the commit point the
    # card must be untouched, after it the operation is complete on the card.
    return ref.initial if remove_at <= ref.commit else ref.final


# --- the session ----------------------------------------------------------------------


@pytest.mark.parametrize("case", SESSION_CASES, ids=str)
def test_session_card_removed_at_every_apdu(case: Case, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="advisor")
    ref = reference_session(case)
    assert ref.total > 0
    if case.op is _status:
        assert ref.commit == 0
        assert ref.final == ref.initial
    else:
        assert 0 < ref.commit <= ref.total, "the operation sent no code"
        assert ref.final != ref.initial, "the case cannot tell complete from untouched"
    for remove_at in range(1, ref.total + 1):
        where = f"{case} removed at APDU {remove_at} of {ref.total} (commit {ref.commit})"
        card = prepare(case)
        card.trace.clear()
        connection = VirtualConnection(card, remove_at=remove_at)
        session = CardSession(connection)
        with pytest.raises(CardRemoved) as caught:
            case.op(session)
        assert connection.removed, where
        assert connection.sent == remove_at - 1, where  # nothing more reached the card
        assert not any(state.verified for state in card.pin_status().values()), where
        assert not leaks(error_text(caught.value)), where
        after = snapshot(card)
        expected = expected_after_removal(ref, remove_at)
        spent = [
            key
            for key in ("pin1_tries_left", "pin2_tries_left", "puk_tries_left")
            if (after[key] or 0) < (ref.initial[key] or 0)
        ]
        assert not spent or remove_at > ref.commit, f"{where}: a try was spent unsent {spent}"
        assert after == expected, where
    assert not leaks(caplog.text)


def test_idemia_two_step_unblock_has_one_documented_intermediate_state() -> None:
    """IDEMIA unblocks in two APDUs (VERIFY PUK, then RESET RETRY COUNTER, §3.3): pulled
    between them, the correct PUK has restored its own counter but the PIN is untouched.
    Not a client bug and harmless (the holder proved the PUK), but the one state where a
    removal leaves "neither before nor after"; Thales does it in one APDU."""
    case = Case(
        "idemia-unblock-pin1-puk-2",
        "idemia-pin1-blocked",
        _unblock("pin1", CODES["puk"]),
        ("card", "unblock", "pin1"),
        tries={"puk": 2},
    )
    ref = reference_session(case)
    verify_at = ref.commit - 1  # VERIFY PUK comes right before RESET RETRY COUNTER
    card = prepare(case)
    connection = VirtualConnection(card, remove_at=ref.commit)
    with pytest.raises(CardRemoved):
        case.op(CardSession(connection))
    assert card.trace[verify_at - 1][0][1] == VERIFY
    assert not card.pins["puk"].verified  # the power loss logged the PUK out
    assert snapshot(card) == {**ref.initial, "puk_tries_left": 3}
    assert ref.final == {
        **ref.initial,
        "puk_tries_left": 3,
        "pin1_tries_left": 3,
        "pin1_value": NEW["pin1"],
    }


# --- the command line -----------------------------------------------------------------


class CliCard:
    """Points ``--virtual`` at a prepared card and a connection that pulls it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.card: VirtualCard | None = None
        self.remove_at: int | None = None
        self.connections: list[VirtualConnection] = []
        real = advisor.emulator.connection.VirtualConnection

        def make(preset: str, *args: object, **kwargs: object) -> VirtualCard:
            assert self.card is not None
            return self.card

        def connect(card: VirtualCard, reader: str = DEFAULT_READER) -> VirtualConnection:
            connection = real(card, reader, remove_at=self.remove_at)
            self.connections.append(connection)
            return connection

        monkeypatch.setattr(advisor.emulator, "make_card", make)
        monkeypatch.setattr(advisor.emulator.connection, "VirtualConnection", connect)

    def run(self, case: Case, card: VirtualCard, remove_at: int | None) -> tuple[int, str, str]:
        self.card, self.remove_at = card, remove_at
        self.connections.clear()
        result = runner.invoke(
            app,
            [*case.cli, "--virtual", case.preset],
            input="".join(f"{answer}\n" for answer in case.answers),
        )
        assert len(self.connections) == 1
        return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def cli_card(monkeypatch: pytest.MonkeyPatch) -> CliCard:
    return CliCard(monkeypatch)


def reference_cli(case: Case, cli: CliCard) -> Reference:
    card = prepare(case)
    initial = snapshot(card)
    card.trace.clear()
    code, out, err = cli.run(case, card, None)
    assert code == case.exit_code, err
    assert not leaks(out + err)
    total = cli.connections[0].sent
    return Reference(initial, snapshot(card), total, commit_point(list(card.trace)))


@pytest.mark.parametrize("case", [*CASES, *DIAGNOSE_CASES], ids=str)
def test_cli_card_removed_at_every_apdu(
    case: Case, cli_card: CliCard, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="advisor")
    ref = reference_cli(case, cli_card)
    for remove_at in range(1, ref.total + 1):
        where = f"{case} removed at APDU {remove_at} of {ref.total} (commit {ref.commit})"
        card = prepare(case)
        code, out, err = cli_card.run(case, card, remove_at)
        connection = cli_card.connections[0]
        assert code == 6, f"{where}: exit {code}, {err}"
        assert "removed" in err, where
        assert err.rstrip().splitlines()[-1].startswith("advisor: "), where
        if "--json" in case.cli:
            assert out == "", where  # no half document on stdout
        assert "Attempts left now" not in err, where
        assert connection.removed, where
        assert connection.sent == remove_at - 1, where
        assert connection.closed, where
        assert not leaks(out + err), where
        assert snapshot(card) == expected_after_removal(ref, remove_at), where
    assert not leaks(caplog.text)


OPERATIONS = [c for c in CASES if c.op is not _status and c.raises is None]


@pytest.mark.parametrize("case", OPERATIONS, ids=str)
def test_cli_says_the_operation_was_done_when_removed_after_it(
    case: Case, cli_card: CliCard
) -> None:
    ref = reference_cli(case, cli_card)
    assert ref.commit < ref.total
    card = prepare(case)
    code, _, err = cli_card.run(case, card, ref.commit + 1)
    assert code == 6
    assert snapshot(card) == ref.final  # done on the card
    assert "try again" not in err
    assert any(word in err for word in ("changed", "unblocked", "activated")), err
