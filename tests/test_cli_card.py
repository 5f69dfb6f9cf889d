"""The card commands and `diagnose` end to end on the in-process virtual cards."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from advisor.cli import app

runner = CliRunner()
PUK = "17258403"
PIN1 = "0090"
PIN2 = "01497"
CANARY = "58213"  # a valid new PIN1/PIN2 that must never be echoed


def run(args: list[str], answers: list[str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, args, input="".join(a + "\n" for a in answers or []))
    return result.exit_code, result.stdout, result.stderr


def test_emulator_presets_cover_the_contract() -> None:
    code, out, _ = run(["emulator", "presets"])
    assert code == 0
    names = {line.split()[0] for line in out.splitlines()}
    assert names >= {
        "idemia-ok",
        "idemia-pin1-blocked",
        "idemia-puk-blocked",
        "thales-ok",
        "thales-new",
        "thales-courier",
        "thales-puk-blocked",
        "expired",
    }


def test_card_status_json_uses_contract_names() -> None:
    code, out, _ = run(["card", "status", "--virtual", "thales-new", "--json"])
    assert code == 0
    status = json.loads(out)
    assert status["card_generation"] == "thales"
    assert status["pin2_activated"] is False
    assert status["pin1_tries_left"] == 3
    assert status["document_type"] == "e_resident"


def test_unknown_preset_is_a_usage_error() -> None:
    code, _, err = run(["card", "status", "--virtual", "nope"])
    assert code == 2
    assert "idemia-ok" in err


def test_diagnose_json_without_answers_is_incomplete_and_asks_only_what_the_card_cannot_tell() -> (
    None
):
    code, out, _ = run(["diagnose", "--virtual", "idemia-pin1-blocked", "--json"])
    assert code == 0
    document = json.loads(out)
    assert document["pin1_tries_left"] == 0
    decision = document["decision"]
    assert decision["status"] == "incomplete"
    assert decision["questions"] == ["puk_known"]
    assert "pin1_tries_left" not in decision["questions"]


def test_diagnose_asks_decides_and_unblocks() -> None:
    code, out, err = run(
        ["diagnose", "--virtual", "idemia-pin1-blocked"], ["yes", "y", PUK, CANARY, CANARY]
    )
    assert code == 0, err
    assert "PUK" in out
    assert "PIN1 unblocked" in err
    assert "PIN1 3 of 3" in err
    assert CANARY not in out + err
    assert PUK not in out + err


def test_diagnose_healthy_card_offers_nothing() -> None:
    code, _, err = run(["diagnose", "--virtual", "thales-ok"], ["yes", "yes", "yes", "yes"])
    assert code == 0, err
    assert "[y/N]" not in err


def test_change_pin_with_wrong_current_code_exits_3() -> None:
    code, _, err = run(
        ["card", "change-pin", "pin1", "--virtual", "idemia-ok"], ["0091", CANARY, CANARY]
    )
    assert code == 3
    assert "2 attempts left" in err
    assert CANARY not in err


def test_weak_new_code_is_refused_before_anything_is_sent() -> None:
    code, _, err = run(["card", "change-pin", "pin2", "--virtual", "idemia-ok"], [PIN2, "12345"])
    assert code == 2
    assert "ascending" in err


def test_mismatched_new_codes_send_nothing() -> None:
    mismatches = [CANARY, "58214"] * 3
    code, _, err = run(
        ["card", "change-pin", "pin1", "--virtual", "idemia-ok"], [PIN1, *mismatches]
    )
    assert code == 2
    assert "differ" in err
    assert "changed" not in err


def test_one_mistyped_confirmation_is_asked_again() -> None:
    code, _, err = run(
        ["card", "change-pin", "pin1", "--virtual", "idemia-ok"],
        [PIN1, CANARY, "58214", CANARY, CANARY],
    )
    assert code == 0, err
    assert "The two entries differ" in err
    assert "PIN1 changed" in err
    assert CANARY not in err


def test_a_malformed_current_code_is_refused_before_the_new_one_is_asked() -> None:
    code, _, err = run(["card", "change-pin", "pin1", "--virtual", "idemia-ok"], ["abc", CANARY])
    assert code == 2
    assert "cannot be your PIN1" in err
    assert "New PIN1" not in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["card", "activate-pin2", "--virtual", "thales-courier"], "not activated yet"),
        (["card", "activate-pin2", "--virtual", "thales-ok"], "advisor card change-pin pin2"),
        (["card", "unblock", "pin1", "--virtual", "idemia-puk-blocked"], "PUK is blocked"),
    ],
)
def test_refusals_come_before_any_code_is_asked(args: list[str], expected: str) -> None:
    code, _, err = run(args, [PUK, CANARY, CANARY])
    assert code != 0
    assert expected in err
    assert "Current" not in err
    assert "PUK:" not in err
    assert "New PIN" not in err


def test_virtual_and_reader_together_are_a_usage_error() -> None:
    code, _, err = run(["card", "status", "--virtual", "idemia-ok", "--reader", "x"])
    assert code == 2
    assert "--reader or --virtual" in err


def test_change_pin_succeeds_and_reports_counters() -> None:
    code, _, err = run(
        ["card", "change-pin", "pin1", "--virtual", "idemia-ok"], [PIN1, CANARY, CANARY]
    )
    assert code == 0, err
    assert "PIN1 changed" in err
    assert CANARY not in err


def test_blocked_puk_refuses_unblock_without_sending() -> None:
    code, _, err = run(["card", "unblock", "pin1", "--virtual", "idemia-puk-blocked"])
    assert code == 4
    assert "blocked" in err


def test_last_attempt_needs_confirmation() -> None:
    code, _, err = run(["card", "change-pin", "pin1", "--virtual", "idemia-last-attempt"], ["n"])
    assert code == 1
    assert "nothing was sent" in err


@pytest.mark.parametrize(
    ("preset", "answers"),
    [("thales-new", [PIN2, CANARY, CANARY]), ("thales-new-pin2-blocked", [PUK, CANARY, CANARY])],
)
def test_activate_pin2(preset: str, answers: list[str]) -> None:
    code, _, err = run(["card", "activate-pin2", "--virtual", preset], answers)
    assert code == 0, err
    assert "PIN2 activated" in err
    assert CANARY not in err


def test_activate_pin2_on_idemia_is_refused() -> None:
    code, _, err = run(["card", "activate-pin2", "--virtual", "idemia-ok"])
    assert code == 1
    assert "IDEMIA cards need no PIN2 activation" in err


def test_thales_puk_cannot_be_changed() -> None:
    code, _, err = run(["card", "change-pin", "puk", "--virtual", "thales-ok"])
    assert code == 1
    assert "cannot be changed" in err


def test_codes_are_never_arguments() -> None:
    code, _, _ = run(["card", "change-pin", "pin1", "--pin", PIN1, "--virtual", "idemia-ok"])
    assert code == 2


# --------------------------------------------------- diagnose: the same interview


@pytest.mark.parametrize(
    ("lang", "answers"),
    [("en", ["yes", "n"]), ("et", ["jah", "ei"]), ("ru", ["да", "нет"]), ("en", ["1", "n"])],
)
def test_diagnose_asks_in_the_holders_language_by_word_or_number(
    lang: str, answers: list[str]
) -> None:
    from advisor.guidance import question_text, route_title

    code, out, err = run(["--lang", lang, "diagnose", "--virtual", "idemia-pin1-blocked"], answers)
    assert code == 0, err
    assert out.splitlines()[0] == route_title("puk_unblock_in_app", lang)
    # The card told the chip, the counters and the dates: only the PUK is asked.
    assert question_text("puk_known", lang) in err
    for field in ("card_generation", "pin1_tries_left", "expiry_date", "card_lost"):
        assert question_text(field, lang) not in err


def test_diagnose_shows_how_to_find_out_and_cannot_go_back_before_the_card() -> None:
    code, out, err = run(["diagnose", "--virtual", "idemia-pin1-blocked"], ["?", "back", "", "n"])
    assert code == 0, err
    assert "code envelope that came with the card" in " ".join(err.split())
    assert "there is no earlier question to go back to" in err
    assert "You did not know:" in err  # the PUK: the decision stays incomplete
    assert "A few more answers are needed" in out


def _no_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    import advisor.transport.pcsc as pcsc
    from advisor.transport import NoReader

    def connect(reader: str | None = None, *, wait: float = 0) -> None:
        raise NoReader("no reader")

    monkeypatch.setattr(pcsc, "connect", connect)


def test_diagnose_without_a_reader_keeps_exit_5_for_a_script(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _no_reader(monkeypatch)
    code, out, err = run(["diagnose"], ["y", "yes"])
    assert code == 5
    assert "no card reader found" in err
    assert "without the card" not in err
    assert out == ""


@pytest.mark.parametrize("accept", [True, False])
def test_diagnose_without_a_reader_offers_the_guide_at_a_terminal(
    monkeypatch: pytest.MonkeyPatch, accept: bool
) -> None:
    import advisor.cli.diagnose as diagnose
    from advisor.guidance import question_text, route_title

    _no_reader(monkeypatch)
    monkeypatch.setattr(diagnose, "interactive", lambda: True)
    answers = ["y", "yes", "31.12.2030", "yes", "no"] if accept else ["n"]
    code, out, err = run(["diagnose"], answers)
    assert "no card reader found" in err
    assert "Go on without the card?" in err
    if not accept:
        assert code == 5
        return
    assert code == 0, err
    # Without a card the safety questions come first, as in `advisor guide`.
    assert question_text("card_lost") in err
    assert out.splitlines()[0] == route_title("certificate_suspension")
