from __future__ import annotations

from datetime import date

import pytest

from advisor.errors import FactError
from advisor.facts.case import UNKNOWN_GENERATION, parse_facts, situation
from advisor.model import Generation


def error_field(data: dict[str, object], human: bool = False) -> str:
    with pytest.raises(FactError) as caught:
        parse_facts(data, human=human)
    return caught.value.field


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"pin1_tries_left": 4}, "pin1_tries_left"),
        ({"pin1_tries_left": -1}, "pin1_tries_left"),
        ({"pin1_tries_left": "2"}, "pin1_tries_left"),  # JSON must be a number
        ({"pin2_tries_left": True}, "pin2_tries_left"),  # bool is not a count
        ({"puk_known": "yes"}, "puk_known"),  # JSON must be a boolean
        ({"puk_known": 1}, "puk_known"),
        ({"card_generation": "gemalto"}, "card_generation"),
        ({"document_type": "passport"}, "document_type"),
        ({"location": 3}, "location"),
        ({"pin1_tries_lefT": 1}, "pin1_tries_lefT"),  # a typo must never be ignored
        ({"expiry_date": "2025-02-31"}, "expiry_date"),
        ({"issue_date": "17.11.2025"}, "issue_date"),  # JSON dates are ISO only
        ({"today": 20251117}, "today"),
        ({"card_stolen": True, "card_lost": False}, "card_lost"),
    ],
)
def test_invalid_json_values_name_their_field(data: dict[str, object], field: str) -> None:
    assert error_field(data) == field


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-11-17", date(2025, 11, 17)),
        ("17.11.2025", date(2025, 11, 17)),
        ("17/11/2025", date(2025, 11, 17)),
        ("17 Nov 2025", date(2025, 11, 17)),
        ("Nov 17, 2025", date(2025, 11, 17)),
        ("01.02.2025", date(2025, 2, 1)),  # day first, the Estonian order
        (" 3.12.2018 ", date(2018, 12, 3)),
    ],
)
def test_human_dates(text: str, expected: date) -> None:
    assert parse_facts({"issue_date": text}, human=True).issue_date == expected


@pytest.mark.parametrize(
    "text", ["31.02.2025", "2025-02-31", "17.11.25", "Nov 2025", "2025", "tomorrow", "17.13.2025"]
)
def test_ambiguous_or_impossible_human_dates_are_errors(text: str) -> None:
    assert error_field({"expiry_date": text}, human=True) == "expiry_date"


def test_human_values() -> None:
    facts = parse_facts(
        {
            "pin1_known": "No",
            "puk_known": "yes",
            "pin1_tries_left": " 0 ",
            "card_generation": "THALES",
            "location": "",
        },
        human=True,
    )
    assert facts.pin1_known is False
    assert facts.puk_known is True
    assert facts.pin1_tries_left == 0
    assert facts.card_generation is Generation.THALES
    assert facts.location is None
    assert error_field({"pin1_known": "maybe"}, human=True) == "pin1_known"
    assert parse_facts({"puk_known": "Jah", "pin1_known": "нет"}, human=True).puk_known is True
    assert parse_facts({"pin1_known": "нет"}, human=True).pin1_known is False
    assert error_field({"pin1_tries_left": "٣"}, human=True) == "pin1_tries_left"


def test_absent_facts() -> None:
    facts = parse_facts({"pin1_known": None})
    assert facts.pin1_known is None  # unknown
    assert facts.card_lost is False  # safety facts default to false
    assert facts.codes_compromised is False


def test_stolen_implies_lost() -> None:
    assert parse_facts({"card_stolen": True}).card_lost is True


@pytest.mark.parametrize(
    ("issue", "generation"),
    [
        ("2018-11-30", "legacy"),
        ("2018-12-02", "legacy"),
        ("2018-12-03", "idemia"),
        ("2025-11-14", "idemia"),
        ("2025-11-15", UNKNOWN_GENERATION),  # the switch-over weekend stays unknown
        ("2025-11-16", UNKNOWN_GENERATION),
        ("2025-11-17", "thales"),
    ],
)
def test_generation_from_issue_date(issue: str, generation: str) -> None:
    view = situation(parse_facts({"issue_date": issue, "today": "2026-01-01"}))
    assert view["card_generation"] == generation
    assert view["generation_conflict"] is False


def test_chip_wins_over_date_and_conflict_is_flagged() -> None:
    view = situation(parse_facts({"issue_date": "2025-11-20", "card_generation": "idemia"}))
    assert view["card_generation"] == "idemia"
    assert view["generation_conflict"] is True
    # On the weekend the date says nothing, so nothing conflicts.
    view = situation(parse_facts({"issue_date": "2025-11-15", "card_generation": "idemia"}))
    assert view["generation_conflict"] is False


def test_expiry_becomes_days_left() -> None:
    view = situation(parse_facts({"expiry_date": "2026-11-27", "today": "2026-11-27"}))
    assert view["expiry_days_left"] == 0
    view = situation(parse_facts({"expiry_date": "2026-11-26", "today": "2026-11-27"}))
    assert view["expiry_days_left"] == -1
    assert "expiry_days_left" not in situation(parse_facts({}))


def test_to_json_round_trip() -> None:
    data = {
        "id": "c1",
        "today": "2026-11-27",
        "card_generation": "thales",
        "pin1_tries_left": 2,
        "card_lost": True,
    }
    again = parse_facts(parse_facts(data).to_json())
    assert again == parse_facts(data)
