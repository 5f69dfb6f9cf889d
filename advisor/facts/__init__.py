"""The facts of a case (contract §1): strict parsing, validation, the chip eras by issue
date, and the engine's view of a case."""

from advisor.facts.case import (
    BOOL_FIELDS,
    DATE_FIELDS,
    ENUM_FIELDS,
    FIELD_NAMES,
    MAX_TRIES,
    SAFETY_FIELDS,
    TRIES_FIELDS,
    UNKNOWN_GENERATION,
    Facts,
    derived_generation,
    parse_facts,
    possible_generations,
    situation,
)

__all__ = [
    "BOOL_FIELDS",
    "DATE_FIELDS",
    "ENUM_FIELDS",
    "FIELD_NAMES",
    "MAX_TRIES",
    "SAFETY_FIELDS",
    "TRIES_FIELDS",
    "UNKNOWN_GENERATION",
    "Facts",
    "derived_generation",
    "parse_facts",
    "possible_generations",
    "situation",
]
