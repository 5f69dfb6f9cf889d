"""The engine's fields: their domains, as the rule loader and the enumeration see them.

These are the keys of `facts.situation()`, not the contract's input names: the chip is
resolved (with `unknown` as a value of its own) and dates have become day counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from advisor.facts.case import BOOL_FIELDS, MAX_TRIES, TRIES_FIELDS, UNKNOWN_GENERATION
from advisor.model import Generation

# Every case carries kind="case"; catch-all rules match on it. (A catch-all on
# `sid` would also match durable's own state document and loop forever.)
MARKER_FIELD: Final = "kind"
MARKER_VALUE: Final = "case"


@dataclass(frozen=True)
class FieldDomain:
    name: str
    values: tuple[object, ...] | None = None  # a finite set (enums, booleans)
    low: int | None = None  # integers: inclusive range, None = unbounded
    high: int | None = None
    always_known: bool = False  # never completed: derived or defaulted by the facts layer
    question: str | None = None  # the contract fact to ask for when this is unknown

    @property
    def is_int(self) -> bool:
        return self.values is None


def _fields() -> dict[str, FieldDomain]:
    generations = (*(str(g) for g in Generation), UNKNOWN_GENERATION)
    out = {
        "card_generation": FieldDomain(
            "card_generation", generations, always_known=True, question="card_generation"
        ),
        "generation_conflict": FieldDomain("generation_conflict", (False, True), always_known=True),
        "expiry_days_left": FieldDomain("expiry_days_left", question="expiry_date"),
        # Whether the expiry date is known at all: a lost card whose expiry nobody knows
        # is treated as valid (its certificates are stopped), not asked about first.
        "expiry_known": FieldDomain("expiry_known", (False, True), always_known=True),
    }
    for name in TRIES_FIELDS:
        out[name] = FieldDomain(name, low=0, high=MAX_TRIES, question=name)
    for name in BOOL_FIELDS:
        safety = name in ("card_lost", "card_stolen", "codes_compromised", "certificates_suspended")
        out[name] = FieldDomain(name, (False, True), always_known=safety, question=name)
    return out


SITUATION_FIELDS: Final = _fields()

# Pairs (a, b): a true a implies a true b. Combinations that break one cannot come out
# of the facts layer, so the enumeration skips them.
IMPLICATIONS: Final = (("card_stolen", "card_lost"),)
