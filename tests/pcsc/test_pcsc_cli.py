"""The `advisor` command line against the real pcscd, with virtual cards in vpcd.

Every test runs the installed console script in a subprocess, as a holder or a support
script would: codes go in on stdin (one line per prompt, stdin not being a terminal),
facts come out on stdout, prose on stderr, and the exit codes are those of contract §5.

Run by ``bash .ci/pcsc-env .venv/bin/python -m pytest -m pcsc tests/pcsc``; skipped
anywhere else (see conftest.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from advisor.emulator import VirtualCard, make_card
from advisor.transport import pcsc
from tests.pcsc.slots import SLOT0, SLOT1, Slot

pytestmark = pytest.mark.pcsc

ADVISOR = str(Path(sys.executable).with_name("advisor"))
TODAY = date.today()  # the CLI reads the clock: the presets must be valid today
PIN1, PIN2, PUK = "0090", "01497", "17258403"  # the presets' codes (contract §5)
NEW_PIN1, NEW_PIN2 = "8261", "72963"  # pass the policy for the emulator's holder
WRONG_PIN1 = "5184"
CODES = (PIN1, PIN2, PUK, NEW_PIN1, NEW_PIN2, WRONG_PIN1)
VERIFY, CHANGE, RESET = 0x20, 0x24, 0x2C


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        # json.loads refuses anything after the document: exactly one on stdout.
        return json.loads(self.out)


def advisor(*args: str, answers: Sequence[str] = ()) -> Run:
    env = dict(os.environ, ADVISOR_LANG="en")
    done = subprocess.run(
        [ADVISOR, *args],
        input="".join(f"{answer}\n" for answer in answers),
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    run = Run(done.returncode, done.stdout, done.stderr)
    leaked = [code for code in CODES if code in run.out or code in run.err]
    assert not leaked, f"codes {leaked} in the output of {args}"
    return run


def code_commands(card: VirtualCard) -> list[tuple[int, int, int]]:
    """(INS, P1, P2) of every code-bearing command the card received."""
    return [
        (command[1], command[2], command[3])
        for command, _ in card.trace
        if command[1] in (CHANGE, RESET) or (command[1] == VERIFY and len(command) > 5)
    ]


def tries(card: VirtualCard) -> dict[str, int]:
    return {name: state.tries_left for name, state in card.pin_status().items()}


# --- readers and status ---------------------------------------------------------------


def test_card_readers(slot0: Slot) -> None:
    empty = advisor("card", "readers")
    assert empty.code == 0, empty.err
    assert empty.out.splitlines() == [f"{SLOT0}: no card", f"{SLOT1}: no card"]
    card = slot0.insert(make_card("idemia-ok", TODAY))
    text = advisor("card", "readers")
    assert text.code == 0, text.err
    assert text.out.splitlines() == [f"{SLOT0}: card present", f"{SLOT1}: no card"]
    listed = advisor("card", "readers", "--json")
    assert listed.code == 0, listed.err
    assert listed.json() == [
        {"name": SLOT0, "has_card": True, "atr": card.atr.hex().upper()},
        {"name": SLOT1, "has_card": False, "atr": None},
    ]
    assert not card.trace  # listing readers sends nothing to a card


@pytest.mark.parametrize(
    ("preset", "expected", "apdus"),
    [
        (
            "idemia-ok",
            {"card_generation": "idemia", "pin1_tries_left": 3, "pin2_tries_left": 3},
            29,
        ),
        (
            "thales-new",
            {
                "card_generation": "thales",
                "pin2_activated": False,
                "card_activated": True,
                "puk_tries_left": 3,
            },
            24,
        ),
    ],
)
def test_card_status_json(slot0: Slot, preset: str, expected: dict[str, Any], apdus: int) -> None:
    card = slot0.insert(make_card(preset, TODAY))
    run = advisor("card", "status", "--json")
    assert run.code == 0, run.err
    status = run.json()
    assert status | expected == status
    assert status["reader"] == SLOT0
    assert status["atr"] == card.atr.hex().upper()
    assert status["document_type"] == "e_resident"
    assert date.fromisoformat(status["expiry_date"]) > TODAY
    assert status["holder"]["personal_code"] == "38001085718"
    assert status["apdu_count"] == apdus
    # Every APDU the session counted crossed pcscd to the card, and no other.
    assert sum(card.commands.values()) == apdus
    assert not code_commands(card)


# --- code operations ------------------------------------------------------------------


@pytest.mark.parametrize("preset", ["idemia-ok", "thales-ok"])
def test_change_pin1(slot0: Slot, preset: str) -> None:
    card = slot0.insert(make_card(preset, TODAY))
    run = advisor("card", "change-pin", "pin1", answers=[PIN1, NEW_PIN1, NEW_PIN1])
    assert run.code == 0, run.err
    assert run.out == ""
    assert "PIN1 changed" in run.err
    assert "PIN1 3 of 3" in run.err
    assert card.pins["pin1"].value == NEW_PIN1
    assert [ins for ins, _, _ in code_commands(card)] == [CHANGE]
    again = advisor("card", "change-pin", "pin1", answers=[NEW_PIN1, "4739", "4739"])
    assert again.code == 0, again.err  # the new code is the current one now


@pytest.mark.parametrize(
    ("preset", "commands"),
    [
        # IDEMIA: VERIFY PUK, then RESET RETRY COUNTER P1=02 with the new PIN (§3.3).
        ("idemia-pin1-blocked", [(VERIFY, 0x00, 0x02), (RESET, 0x02, 0x01)]),
        # Thales: one RESET RETRY COUNTER P1=00 with PUK and new PIN (§4.3).
        ("thales-pin1-blocked", [(RESET, 0x00, 0x81)]),
    ],
)
def test_unblock_pin1(slot0: Slot, preset: str, commands: list[tuple[int, int, int]]) -> None:
    card = slot0.insert(make_card(preset, TODAY))
    run = advisor("card", "unblock", "pin1", answers=[PUK, NEW_PIN1, NEW_PIN1])
    assert run.code == 0, run.err
    assert "PIN1 unblocked" in run.err
    assert code_commands(card) == commands
    assert tries(card) == {"pin1": 3, "pin2": 3, "puk": 3}
    assert card.pins["pin1"].value == NEW_PIN1
    assert not card.pins["puk"].verified  # logged out again by the final SELECT


def test_activate_pin2_on_thales_new(slot0: Slot) -> None:
    card = slot0.insert(make_card("thales-new", TODAY))
    run = advisor("card", "activate-pin2", answers=[PIN2, NEW_PIN2, NEW_PIN2])
    assert run.code == 0, run.err
    assert "PIN2 activated" in run.err
    assert code_commands(card) == [(CHANGE, 0x00, 0x82)]
    assert card.pins["pin2"].active
    assert card.pins["pin2"].value == NEW_PIN2
    status = advisor("card", "status", "--json")
    assert status.code == 0, status.err
    assert status.json()["pin2_activated"] is True
    twice = advisor("card", "activate-pin2", answers=[NEW_PIN2, "61852", "61852"])
    assert twice.code == 1
    assert "already activated" in twice.err


@pytest.mark.parametrize("preset", ["idemia-ok", "thales-ok"])
def test_three_wrong_entries_block_the_code(slot0: Slot, preset: str) -> None:
    card = slot0.insert(make_card(preset, TODAY))
    wrong = [WRONG_PIN1, NEW_PIN1, NEW_PIN1]
    first = advisor("card", "change-pin", "pin1", answers=wrong)
    assert first.code == 3, first.err
    assert "2 attempts left" in first.err
    second = advisor("card", "change-pin", "pin1", answers=wrong)
    assert second.code == 3, second.err
    assert "1 attempt left" in second.err
    # The last attempt is used only when the holder says so.
    third = advisor("card", "change-pin", "pin1", answers=["y", *wrong])
    assert third.code == 4, third.err
    assert "one attempt left" in third.err
    assert "now blocked" in third.err
    assert tries(card)["pin1"] == 0
    sent = len(code_commands(card))
    assert sent == 3
    # The next try is refused before a code is asked for or sent.
    fourth = advisor("card", "change-pin", "pin1", answers=wrong)
    assert fourth.code == 4, fourth.err
    assert "nothing was sent" in fourth.err
    assert "Current PIN1" not in fourth.err
    assert len(code_commands(card)) == sent
    status = advisor("card", "status", "--json")
    assert status.json()["pin1_tries_left"] == 0


# --- busy, removed ---------------------------------------------------------------------


def test_card_held_exclusively_by_another_connection_exits_6(slot0: Slot) -> None:
    card = slot0.insert(make_card("idemia-ok", TODAY))
    other = pcsc.connect(SLOT0)
    try:
        assert other.exclusive
        status = advisor("card", "status", "--json")
        assert status.code == 6, status.err
        assert status.out == ""
        assert "exclusively" in status.err
        change = advisor("card", "change-pin", "pin1", answers=[PIN1, NEW_PIN1, NEW_PIN1])
        assert change.code == 6, change.err
        assert "Current PIN1" not in change.err  # refused before any prompt
    finally:
        other.close()
    assert not card.trace
    free = advisor("card", "status", "--json")
    assert free.code == 0, free.err


def test_card_removed_between_commands_exits_5(slot0: Slot) -> None:
    slot0.insert(make_card("idemia-ok", TODAY))
    first = advisor("card", "status", "--json")
    assert first.code == 0, first.err
    slot0.pull()
    status = advisor("card", "status", "--json")
    assert status.code == 5, status.err
    assert status.out == ""
    assert "no card" in status.err
    change = advisor("card", "change-pin", "pin1", answers=[PIN1, NEW_PIN1, NEW_PIN1])
    assert change.code == 5, change.err
    assert "Current PIN1" not in change.err
    diagnose = advisor("diagnose", "--json")
    assert diagnose.code == 5, diagnose.err


def test_card_pulled_while_the_code_is_sent_exits_6(slot0: Slot) -> None:
    """The card leaves vpcd while CHANGE REFERENCE DATA is on its way: the card never
    sees the code, and the CLI says the card was removed mid-operation (exit 6)."""
    card = make_card("idemia-ok", TODAY)
    transmit = card.transmit

    def pull_on_change(apdu: bytes) -> bytes:
        if apdu[1] == CHANGE:
            assert slot0.bridge is not None
            slot0.bridge.remove()
            raise OSError("pulled out")  # the bridge drops the vpcd connection
        return transmit(apdu)

    card.transmit = pull_on_change  # type: ignore[method-assign]
    slot0.insert(card)
    run = advisor("card", "change-pin", "pin1", answers=[PIN1, NEW_PIN1, NEW_PIN1])
    assert "PIN1 changed" not in run.err
    assert not code_commands(card)
    assert tries(card)["pin1"] == 3
    assert card.pins["pin1"].value == PIN1
    assert run.code == 6, run.err
    assert "removed" in run.err or "stopped answering" in run.err


# --- diagnose -------------------------------------------------------------------------


def test_diagnose_json(slot0: Slot) -> None:
    card = slot0.insert(make_card("idemia-pin1-blocked", TODAY))
    run = advisor("diagnose", "--json")
    assert run.code == 0, run.err
    document = run.json()
    assert document["reader"] == SLOT0
    assert document["card_generation"] == "idemia"
    assert document["pin1_tries_left"] == 0
    assert document["facts"]["pin1_tries_left"] == 0
    decision = document["decision"]
    # With --json and no terminal nothing is asked: only what the card cannot tell is open.
    assert decision["status"] == "incomplete"
    assert decision["questions"] == ["puk_known"]
    assert not code_commands(card)


def test_diagnose_asks_decides_and_unblocks_through_pcscd(slot0: Slot) -> None:
    card = slot0.insert(make_card("idemia-pin1-blocked", TODAY))
    run = advisor("diagnose", answers=["yes", "y", PUK, NEW_PIN1, NEW_PIN1])
    assert run.code == 0, run.err
    assert "PUK" in run.out
    assert "PIN1 unblocked" in run.err
    assert tries(card)["pin1"] == 3
    assert card.pins["pin1"].value == NEW_PIN1


def test_a_reader_that_matches_nothing_is_named_with_the_readers(slot0: Slot) -> None:
    slot0.insert(make_card("idemia-ok", today=TODAY))
    run = advisor("card", "status", "--reader", "nosuch")
    assert run.code == 5
    assert "no reader matches 'nosuch'" in run.err
    assert SLOT0 in run.err


def test_debug_logs_through_pcscd_hold_no_personal_data(slot0: Slot) -> None:
    card = slot0.insert(make_card("thales-ok", today=TODAY))
    code = card.holder.personal_code
    run = advisor("--log-level", "debug", "card", "status", "--reader", SLOT0)
    assert run.code == 0, run.err
    assert "bytes of card data" in run.err
    assert code not in run.err
    assert code.encode().hex(" ").upper() not in run.err
    assert card.holder.surname.upper() not in run.err.upper()
