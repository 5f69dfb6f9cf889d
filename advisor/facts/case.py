"""The fact model of contract §1: strict parsing, validation and derivation.

No invalid value may reach the rule engine: durable_rules coerces `'abc' > 1` to true
and never matches a misspelled field, so every check happens here, and every error
names the field it is about.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum
from typing import Any, Final, TypeVar

from advisor.errors import FactError, field_label, printable
from advisor.facts.dates import parse_human_date, parse_iso_date
from advisor.facts.eras import Era, generation_for_issue_date, load_eras
from advisor.model import DocumentType, Generation, Location
from advisor.translatable import N_

# The engine sees this when neither the chip nor the issue date tells the generation:
# the contract routes a lost card with an unknown chip without asking (§3).
UNKNOWN_GENERATION: Final = "unknown"
MAX_TRIES: Final = 3


@dataclass(frozen=True, slots=True)
class Facts:
    """One case, validated. None means unknown; safety facts default to False."""

    id: str | None = None
    today: date | None = None
    card_generation: Generation | None = None
    issue_date: date | None = None
    expiry_date: date | None = None
    document_type: DocumentType | None = None
    pin1_tries_left: int | None = None
    pin2_tries_left: int | None = None
    puk_tries_left: int | None = None
    pin1_known: bool | None = None
    pin2_known: bool | None = None
    puk_known: bool | None = None
    pin2_activated: bool | None = None
    card_activated: bool | None = None
    has_other_eid: bool | None = None
    card_lost: bool = False
    card_stolen: bool = False
    codes_compromised: bool = False
    certificates_suspended: bool = False
    location: Location | None = None

    def to_json(self) -> dict[str, Any]:
        """The facts under their contract names, dates as ISO strings, unknowns left out."""
        out: dict[str, Any] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if value is None:
                continue
            out[spec.name] = value.isoformat() if isinstance(value, date) else value
        return out


FIELD_NAMES: Final = tuple(spec.name for spec in fields(Facts))
SAFETY_FIELDS: Final = ("card_lost", "card_stolen", "codes_compromised", "certificates_suspended")
TRIES_FIELDS: Final = ("pin1_tries_left", "pin2_tries_left", "puk_tries_left")
BOOL_FIELDS: Final = (
    "pin1_known",
    "pin2_known",
    "puk_known",
    "pin2_activated",
    "card_activated",
    "has_other_eid",
    *SAFETY_FIELDS,
)
DATE_FIELDS: Final = ("today", "issue_date", "expiry_date")
ENUM_FIELDS: Final[dict[str, type[StrEnum]]] = {
    "card_generation": Generation,
    "document_type": DocumentType,
    "location": Location,
}

# The questionnaire asks in English, Estonian and Russian; answers come back in kind.
_TRUE_WORDS: Final = frozenset({"true", "yes", "y", "1", "jah", "j", "да", "д"})
_FALSE_WORDS: Final = frozenset({"false", "no", "n", "0", "ei", "e", "нет", "н"})

E = TypeVar("E", bound=StrEnum)


def _enum(kind: type[E], value: object, field: str) -> E:
    if not isinstance(value, str):
        raise FactError.about(
            field,
            N_("expected one of %(choices)s, got %(type)s"),
            choices=", ".join(kind),
            type=type(value).__name__,
        )
    try:
        return kind(value.strip().lower())
    except ValueError:
        raise FactError.about(
            field,
            N_("%(value)s is not one of %(choices)s"),
            value=repr(value),
            choices=", ".join(kind),
        ) from None


def _bool(value: object, field: str, human: bool) -> bool:
    if isinstance(value, bool):
        return value
    if human and isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        raise FactError.about(
            field,
            N_("%(value)s is not a yes/no value (yes, no, jah, ei, да, нет, true, false, 1, 0)"),
            value=repr(value),
        )
    raise FactError.about(
        field,
        # TRANSLATORS: JSON input; CSV cells and command-line options take yes or no too.
        N_("expected true or false, got %(type)s %(value)s (JSON takes true or false)"),
        type=type(value).__name__,
        value=repr(value),
    )


def _tries(value: object, field: str, human: bool) -> int:
    if human and isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    # bool is an int to Python; a JSON `true` here is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise FactError.about(
            field,
            N_("expected a whole number from 0 to %(max)s, got %(value)s"),
            max=MAX_TRIES,
            value=repr(value),
        )
    if not 0 <= value <= MAX_TRIES:
        raise FactError.about(
            field,
            N_("%(value)s is out of range: attempts left are 0 to %(max)s"),
            value=value,
            max=MAX_TRIES,
        )
    return value


def _date(value: object, field: str, human: bool) -> date:
    if not isinstance(value, str):
        raise FactError.about(
            field, N_("expected a date string, got %(type)s"), type=type(value).__name__
        )
    return parse_human_date(value, field) if human else parse_iso_date(value, field)


def _id(value: object, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FactError.about(
            field, N_("expected a string, got %(type)s"), type=type(value).__name__
        )
    text = str(value)
    if printable(text) != text:
        raise FactError.about(
            field,
            N_("%(value)s holds half of a character (a lone \\ud800-\\udfff escape)"),
            value=printable(text),
        )
    return text


def _converter(name: str, human: bool) -> Callable[[object], object]:
    if name == "id":
        return lambda v: _id(v, name)
    if name in TRIES_FIELDS:
        return lambda v: _tries(v, name, human)
    if name in BOOL_FIELDS:
        return lambda v: _bool(v, name, human)
    if name in DATE_FIELDS:
        return lambda v: _date(v, name, human)
    kind = ENUM_FIELDS[name]
    return lambda v: _enum(kind, v, name)


_CONVERTERS: Final = {
    human: {name: _converter(name, human) for name in FIELD_NAMES} for human in (False, True)
}
# JSON values that are already exactly right are taken as they are: batch triage
# validates millions of records, and the converters above stay the only judges of
# anything else (they raise the errors).
_BOOL, _TRIES, _ENUM = 1, 2, 3
_KINDS: Final = {
    **dict.fromkeys(BOOL_FIELDS, _BOOL),
    **dict.fromkeys(TRIES_FIELDS, _TRIES),
    **dict.fromkeys(ENUM_FIELDS, _ENUM),
}
_MEMBERS: Final = {name: {str(m): m for m in kind} for name, kind in ENUM_FIELDS.items()}


def parse_facts(
    data: Mapping[str, object],
    *,
    human: bool = False,
    default_today: date | None = None,
) -> Facts:
    """Validate one case. `human` admits text values (CLI flags, CSV cells, answers).

    JSON `null` and, in human input, an empty cell mean "not known".
    """
    converters = _CONVERTERS[human]
    values: dict[str, Any] = {}
    errors: list[FactError] = []
    for name, raw in data.items():
        if not human:
            kind = _KINDS.get(name)
            if kind == _BOOL and (raw is True or raw is False):
                values[name] = raw
                continue
            if kind == _TRIES and type(raw) is int and 0 <= raw <= MAX_TRIES:
                values[name] = raw
                continue
            if kind == _ENUM and type(raw) is str and raw in _MEMBERS[name]:
                values[name] = _MEMBERS[name][raw]
                continue
        convert = converters.get(name)
        if convert is None:
            errors.append(
                FactError.about(
                    field_label(name),
                    N_("unknown field (a misspelled fact must not silently change a route)"),
                )
            )
            continue
        if raw is None or (human and isinstance(raw, str) and not raw.strip()):
            continue
        try:
            values[name] = convert(raw)
        except FactError as exc:
            errors.append(exc)
    if errors:
        raise FactError.several(errors)
    if values.get("card_stolen"):
        if values.get("card_lost") is False:
            raise FactError.about(
                "card_lost",
                # TRANSLATORS: Follows the field name: "card_lost: is false, but ...".
                N_("is false, but card_stolen is true: a stolen card is lost"),
            )
        values["card_lost"] = True
    if "today" not in values and default_today is not None:
        values["today"] = default_today
    return Facts(**values)


def derived_generation(facts: Facts, eras: tuple[Era, ...] | None = None) -> Generation | None:
    """What the issue date says about the chip, or None (no date, or a switch-over day)."""
    if facts.issue_date is None:
        return None
    return generation_for_issue_date(facts.issue_date, eras if eras is not None else load_eras())


def possible_generations(
    facts: Facts, eras: tuple[Era, ...] | None = None
) -> tuple[Generation, ...]:
    """The chips this card may carry: one when known, the two eras around a switch-over
    day (a card issued on 15 Nov 2025 is IDEMIA or Thales, never legacy), else all."""
    if facts.card_generation is not None:
        return (facts.card_generation,)
    eras = eras if eras is not None else load_eras()
    if facts.issue_date is None:
        return tuple(Generation)
    day = facts.issue_date
    for era in eras:
        if era.contains(day):
            return (era.generation,)
    before = [e.generation for e in eras if e.end is not None and e.end < day]
    after = [e.generation for e in eras if e.start is not None and e.start > day]
    return tuple(before[-1:] + after[:1])


def situation(facts: Facts, eras: tuple[Era, ...] | None = None) -> dict[str, Any]:
    """The engine's view of a case: only the facts the rules read, unknowns left out.

    The chip wins over the date; a disagreement becomes `generation_conflict`. Dates
    become a day count so that rules compare integers, never strings or the clock.
    """
    from_date = derived_generation(facts, eras)
    chip = facts.card_generation
    view: dict[str, Any] = {
        "card_generation": str(chip or from_date or UNKNOWN_GENERATION),
        "generation_conflict": chip is not None and from_date is not None and chip != from_date,
    }
    if facts.expiry_date is not None:
        if facts.today is None:
            raise FactError.about("today", N_("needed to compare with expiry_date"))
        view["expiry_days_left"] = (facts.expiry_date - facts.today).days
    view["expiry_known"] = facts.expiry_date is not None
    for name in TRIES_FIELDS + BOOL_FIELDS:
        value = getattr(facts, name)
        if value is not None:
            view[name] = value
    return view
