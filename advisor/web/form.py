"""The triage form: one field for every fact of contract §1, "unknown" always allowed.

The values are read as human input, as a CSV cell or a `triage case --FIELD` option is
(`parse_facts(..., human=True)`), so the form takes `17.11.2025` as well as `2025-11-17`.
No field asks for a code: the form has counters and yes/no facts only, and a test checks
every form of the site for a field that could carry a PIN or PUK.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from advisor.facts.case import (
    BOOL_FIELDS,
    DATE_FIELDS,
    ENUM_FIELDS,
    FIELD_NAMES,
    MAX_TRIES,
    SAFETY_FIELDS,
    TRIES_FIELDS,
)
from advisor.model import DocumentType, Generation, Location
from advisor.translatable import N_

UNKNOWN: Final = ""


@dataclass(frozen=True)
class Option:
    value: str
    label: str  # msgid
    translate: bool = True  # a number is shown as it is


@dataclass(frozen=True)
class Field:
    name: str  # the contract's name (docs/facts.md)
    label: str  # msgid
    options: tuple[Option, ...] = ()  # a select; none: a text input
    placeholder: str | None = None  # msgid
    question: str | None = None  # the question page that says how to find out


@dataclass(frozen=True)
class Group:
    legend: str  # msgid
    fields: tuple[Field, ...]


_YES_NO: Final = (
    # TRANSLATORS: The triage form: the fact is not known.
    Option(UNKNOWN, N_("Unknown")),
    Option("yes", N_("Yes")),
    Option("no", N_("No")),
)
# A safety fact that nobody reported is false (docs/facts.md): no "unknown" to choose.
_REPORTED: Final = (Option(UNKNOWN, N_("No")), Option("yes", N_("Yes")))
_TRIES: Final = (
    Option(UNKNOWN, N_("Unknown")),
    # TRANSLATORS: The triage form: no attempts left.
    Option("0", N_("0 (blocked)")),
    *(Option(str(n), str(n), translate=False) for n in range(1, MAX_TRIES + 1)),
)
_ENUM_LABELS: Final = {
    Generation.IDEMIA: N_("IDEMIA (issued until 14 November 2025)"),
    Generation.THALES: N_("Thales (issued from 17 November 2025)"),
    Generation.LEGACY: N_("Older card (issued before 3 December 2018)"),
    DocumentType.E_RESIDENT: N_("e-resident digital ID"),
    DocumentType.ID_CARD: N_("ID card"),
    DocumentType.DIGI_ID: N_("digi-ID"),
    DocumentType.RESIDENCE_PERMIT: N_("Residence permit card"),
    DocumentType.DIPLOMATIC: N_("Diplomatic ID"),
    Location.ESTONIA: N_("In Estonia"),
    Location.ABROAD: N_("Abroad"),
}
_LABELS: Final = {
    "id": N_("Case id"),
    "today": N_("Date of the case"),
    "card_generation": N_("Chip"),
    "issue_date": N_("Date of issue"),
    "expiry_date": N_("Date of expiry"),
    "document_type": N_("Document"),
    "pin1_tries_left": N_("PIN1 attempts left"),
    "pin2_tries_left": N_("PIN2 attempts left"),
    "puk_tries_left": N_("PUK attempts left"),
    "pin1_known": N_("Holder has PIN1"),
    "pin2_known": N_("Holder has PIN2"),
    "puk_known": N_("Holder has the PUK"),
    "pin2_activated": N_("PIN2 activated (Thales)"),
    "card_activated": N_("Card activated (Thales)"),
    "has_other_eid": N_("Holder has another eID"),
    "card_lost": N_("Card lost"),
    "card_stolen": N_("Card stolen"),
    "codes_compromised": N_("Someone else may know a code"),
    "certificates_suspended": N_("Certificates suspended, card back in hand"),
    "location": N_("Where the holder is"),
}
# TRANSLATORS: The triage form: how to write a date (the form also takes 2025-11-17).
_DATE: Final = N_("DD.MM.YYYY")
# TRANSLATORS: The triage form: the date of the case when none is given.
_TODAY: Final = N_("today")


def _field(name: str) -> Field:
    question = name if name not in ("id", "today") else None
    if name in TRIES_FIELDS:
        return Field(name, _LABELS[name], _TRIES, question=question)
    if name in SAFETY_FIELDS:
        return Field(name, _LABELS[name], _REPORTED, question=question)
    if name in BOOL_FIELDS:
        return Field(name, _LABELS[name], _YES_NO, question=question)
    if name in ENUM_FIELDS:
        options = tuple(Option(str(m), _ENUM_LABELS[m]) for m in ENUM_FIELDS[name])
        return Field(name, _LABELS[name], (_YES_NO[0], *options), question=question)
    if name in DATE_FIELDS:
        placeholder = _TODAY if name == "today" else _DATE
        return Field(name, _LABELS[name], placeholder=placeholder, question=question)
    return Field(name, _LABELS[name])


FIELDS: Final = {name: _field(name) for name in FIELD_NAMES}

GROUPS: Final = (
    Group(N_("The case"), (FIELDS["id"], FIELDS["today"])),
    Group(
        N_("The card"),
        tuple(FIELDS[n] for n in ("card_generation", "issue_date", "expiry_date", "document_type")),
    ),
    Group(
        N_("The codes"),
        tuple(
            FIELDS[n]
            for n in (
                "pin1_tries_left",
                "pin2_tries_left",
                "puk_tries_left",
                "pin1_known",
                "pin2_known",
                "puk_known",
                "pin2_activated",
                "card_activated",
            )
        ),
    ),
    Group(
        N_("What happened"),
        tuple(
            FIELDS[n]
            for n in (
                "card_lost",
                "card_stolen",
                "codes_compromised",
                "certificates_suspended",
                "has_other_eid",
                "location",
            )
        ),
    ),
)


def submitted_values(query: Mapping[str, str]) -> dict[str, str] | None:
    """The form's values from a query string, or None when the form was not sent (no
    fact field in it). Only the contract's fields are read."""
    if not any(name in query for name in FIELD_NAMES):
        return None
    return {name: query[name] for name in FIELD_NAMES if name in query}


def as_form_value(name: str, value: object) -> str:
    """A fact's JSON value as the form writes it (a card's facts filled into the form)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)
