"""The facts that reach every branch of the guidance templates (location, document type,
chip, counters, known codes, dates): shared by the rendering and the catalog tests."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

TODAY = date(2026, 3, 1)
LOCATIONS = (None, "estonia", "abroad")
DOCUMENT_TYPES = (None, "e_resident", "id_card", "digi_id", "residence_permit", "diplomatic")
GENERATIONS = (None, "idemia", "thales", "legacy")
COUNTER_CASES: tuple[Mapping[str, Any], ...] = (
    {},
    {"pin1_tries_left": 0, "pin2_tries_left": 0, "puk_tries_left": 1},
    {"pin1_tries_left": 1, "pin2_tries_left": 1, "puk_tries_left": 0},
    {"pin1_known": False, "pin2_known": False, "puk_known": False},
    {"card_stolen": True, "expiry_date": date(2026, 1, 31)},
    {"card_stolen": True, "expiry_date": date(2026, 1, 31), "issue_date": date(2021, 1, 31)},
    {"expiry_date": date(2026, 3, 2)},
    {"expiry_date": date(2026, 3, 2), "document_type": "e_resident"},
    {"expiry_date": date(2026, 5, 1), "has_other_eid": False},
    {"expiry_date": date(2026, 5, 1), "has_other_eid": False, "location": "estonia"},
)


def fact_matrix() -> Iterator[dict[str, Any]]:
    for location, document_type, generation in itertools.product(
        LOCATIONS, DOCUMENT_TYPES, GENERATIONS
    ):
        yield {
            "today": TODAY,
            "location": location,
            "document_type": document_type,
            "card_generation": generation,
        }
    for extra, generation in itertools.product(COUNTER_CASES, GENERATIONS):
        yield {"today": TODAY, "card_generation": generation, **extra}


# A card with nothing wrong: every fact known, every code working.
HEALTHY: dict[str, Any] = {
    "today": "2026-11-27",
    "card_generation": "idemia",
    "issue_date": "2023-05-02",
    "expiry_date": "2028-05-01",
    "pin1_tries_left": 3,
    "pin2_tries_left": 3,
    "puk_tries_left": 3,
    "pin1_known": True,
    "pin2_known": True,
    "puk_known": True,
    "pin2_activated": True,
    "card_activated": True,
    "has_other_eid": True,
}
