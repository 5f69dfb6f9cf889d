"""Random but realistic cases for the benchmarks (not a test oracle)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

TODAY = date(2026, 11, 27)


def random_case(rng: random.Random, number: int) -> dict[str, Any]:
    case: dict[str, Any] = {"id": f"case-{number}", "today": TODAY.isoformat()}
    if rng.random() < 0.8:
        case["card_generation"] = rng.choice(["idemia", "idemia", "thales", "legacy"])
    if rng.random() < 0.7:
        case["issue_date"] = (date(2018, 1, 1) + timedelta(days=rng.randrange(3200))).isoformat()
    if rng.random() < 0.8:
        case["expiry_date"] = (TODAY + timedelta(days=rng.randrange(-400, 1800))).isoformat()
    for name in ("pin1_tries_left", "pin2_tries_left", "puk_tries_left"):
        if rng.random() < 0.9:
            case[name] = rng.choice([0, 1, 2, 3, 3, 3])
    for name in (
        "pin1_known",
        "pin2_known",
        "puk_known",
        "pin2_activated",
        "card_activated",
        "has_other_eid",
    ):
        if rng.random() < 0.8:
            case[name] = rng.random() < 0.8
    for name in ("card_lost", "codes_compromised", "certificates_suspended"):
        if rng.random() < 0.1:
            case[name] = True
    if rng.random() < 0.5:
        case["location"] = rng.choice(["estonia", "abroad"])
    return case


def intake_case(rng: random.Random, number: int) -> dict[str, Any]:
    """A case as support staff receive them: either read from the card (chip, dates and
    counters known; the holder's answers sometimes missing) or taken on the phone (a
    few facts of one of a handful of forms)."""
    full = random_case(random.Random(rng.random()), number)
    full.setdefault("card_generation", rng.choice(["idemia", "thales"]))
    full.setdefault("expiry_date", (TODAY + timedelta(days=rng.randrange(-100, 1800))).isoformat())
    for name in ("pin1_tries_left", "pin2_tries_left", "puk_tries_left"):
        full.setdefault(name, 3)
    if rng.random() < 0.6:
        keep = {
            "id",
            "today",
            "card_generation",
            "issue_date",
            "expiry_date",
            "pin1_tries_left",
            "pin2_tries_left",
            "puk_tries_left",
            "pin2_activated",
            "card_activated",
            "location",
        }
        keep |= {
            name
            for name in ("pin1_known", "pin2_known", "puk_known", "has_other_eid")
            if rng.random() < 0.7
        }
    else:
        keep = {"id", "today"} | set(rng.choice(_PHONE_FORMS))
    return {k: v for k, v in full.items() if k in keep or k in ("card_lost", "codes_compromised")}


_PHONE_FORMS = [
    ("card_generation", "pin1_tries_left", "puk_known", "expiry_date"),
    ("issue_date", "pin2_tries_left", "puk_known", "has_other_eid", "expiry_date"),
    ("card_generation", "puk_tries_left", "pin1_known", "pin2_known", "expiry_date"),
    ("card_lost",),
    ("codes_compromised", "card_generation"),
]
