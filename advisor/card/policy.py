"""Checks of a new PIN or PUK before it is ever sent to a card.

:func:`check_new_code` enforces exactly what DigiDoc4 enforces (DD4
``client/dialogs/PinUnblock.cpp`` ``validatePin`` and ``QSmartCardData::minPinLen``;
docs/card-protocol.md §9), so the advisor
never accepts a code the official software would refuse, and never refuses one
it would accept -- with one deliberate exception: only ASCII digits pass,
because the card stores the code as ASCII bytes (docs/card-protocol.md §2) while
DD4's ``\\d`` also matches other scripts' digits.

:func:`similarity_warnings` covers official *advice* that DD4 does not
enforce: PIN1, PIN2 and the PUK should differ and not be similar (rules/sources.json
S1, S2, S8, S11, S34).

No value produced here holds a code: violations and warnings carry enums and
lengths only, so their ``repr()``/``str()`` can be logged safely.
"""

from __future__ import annotations

import datetime as dt
import enum
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from advisor.model import CodeKind

__all__ = [
    "LENGTH_LIMITS",
    "CodeKind",
    "SimilarityWarning",
    "Violation",
    "ViolationReason",
    "birth_date_forms",
    "birth_date_from_personal_code",
    "check_current_code",
    "check_new_code",
    "similarity_warnings",
]

# min..max digits: DD4 QSmartCardData::minPinLen (4/5/8) and the 12 in every
# ``\d{min,12}`` pattern of PinUnblock.cpp (docs/card-protocol.md §2, §9).
LENGTH_LIMITS: Final[Mapping[CodeKind, tuple[int, int]]] = MappingProxyType(
    {
        CodeKind.PIN1: (4, 12),
        CodeKind.PIN2: (5, 12),
        CodeKind.PUK: (8, 12),
    }
)

# Verbatim from DD4 PinUnblock::validatePin (SEQUENCE_ASCENDING/DESCENDING).
# Being 22 long, they contain every run of up to 12 digits with wrap-around
# (…7890123…), which is why DD4 uses them instead of a loop.
_ASCENDING: Final = "1234567890123456789012"
_DESCENDING: Final = "0987654321098765432109"


class ViolationReason(enum.StrEnum):
    """Why a new code is refused; one member per DD4 error message."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NOT_DIGITS = "not_digits"
    ASCENDING_RUN = "ascending_run"
    DESCENDING_RUN = "descending_run"
    REPEATED_DIGIT = "repeated_digit"
    PART_OF_PERSONAL_CODE = "part_of_personal_code"
    BIRTH_DATE = "birth_date"
    SAME_AS_OLD = "same_as_old"


@dataclass(frozen=True)
class Violation:
    """One broken rule: what, for which code kind, and message parameters.

    ``min_length``/``max_length`` are set for the three format reasons (DD4's
    message is "%1 length has to be between %2 and 12"). There is deliberately
    no field that could hold the code or a fragment of it.
    """

    reason: ViolationReason
    kind: CodeKind
    min_length: int | None = None
    max_length: int | None = None


class SimilarityWarning(enum.StrEnum):
    """Advisory findings about two codes; DD4 enforces none of them.

    Definitions (each checked on its own, so more than one may apply):

    * ``IDENTICAL``: the two codes are equal.
    * ``CONTAINS_OTHER``: they differ and one occurs inside the other, e.g.
      PIN1 ``2580`` and PIN2 ``25801`` or ``92580`` (a prefix or suffix is
      the common case: a digit added to reach PIN2's minimum of 5).
    * ``ONE_DIGIT_APART``: one digit changed, added or removed turns one into
      the other (Levenshtein distance 1), e.g. ``13579``/``13578`` or
      ``1357``/``13257``. Guessing one code then makes the other easy.
    """

    IDENTICAL = "identical"
    CONTAINS_OTHER = "contains_other"
    ONE_DIGIT_APART = "one_digit_apart"


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() alone accepts '٠', '²', '１' and others the card cannot store.
    return text.isascii() and text.isdigit()


def _equal(a: str, b: str) -> bool:
    # Constant-time, so timing reveals nothing about how much of a code matched;
    # surrogatepass keeps odd input from raising an error that quotes a character.
    return hmac.compare_digest(
        a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    )


def birth_date_from_personal_code(personal_code: str) -> dt.date | None:
    """Birth date encoded in an Estonian personal identification code.

    Mirrors DD4 ``IKValidator::birthDate`` (docs/card-protocol.md §5): 11 digits,
    first digit 1-2 -> 1800s, 3-4 -> 1900s, 5-6 -> 2000s, 7-8 -> 2100s, then
    YYMMDD. Anything else, or an impossible date, gives None. Like DD4 it does
    not check the control digit: the date is all that is needed here.
    """
    code = personal_code.strip()
    if len(code) != 11 or not _is_ascii_digits(code):
        return None
    first = int(code[0])
    if not 1 <= first <= 8:
        return None
    century = 1800 + 100 * ((first - 1) // 2)
    try:
        return dt.date(century + int(code[1:3]), int(code[3:5]), int(code[5:7]))
    except ValueError:
        return None


def birth_date_forms(birth_date: dt.date) -> frozenset[str]:
    """The forms DD4 compares a new code with: yyyy, ddMM, MMdd, yyyyMMdd, ddMMyyyy."""
    yyyy = f"{birth_date.year:04d}"
    dd = f"{birth_date.day:02d}"
    mm = f"{birth_date.month:02d}"
    return frozenset({yyyy, dd + mm, mm + dd, yyyy + mm + dd, dd + mm + yyyy})


def check_new_code(
    kind: CodeKind,
    new_code: str,
    *,
    personal_code: str | None = None,
    birth_date: dt.date | None = None,
    old_code: str | None = None,
) -> list[Violation]:
    """Every DigiDoc4 rule the new code breaks; an empty list means acceptable.

    Format first (length, ASCII digits). The content rules are defined on
    well-formed codes -- an empty or 2-digit string is trivially "part of" a
    run -- so they are only evaluated when the format is right, in the order
    of docs/card-protocol.md §9: ascending run, descending run, all one digit,
    part of the personal code, birth date, same as the old code. (Current DD4
    tests "same as old" first and stops at the first failure; the set of
    accepted codes is the same.)

    ``personal_code``: the 11-digit code from the card or certificate; absent
    means the rule cannot be checked (DD4 then compares with an empty string,
    which matches nothing). ``birth_date``: from EF 5005; when None it is
    derived from ``personal_code``, as DD4 does for cards with an empty EF 5005.
    ``old_code``: pass it only when changing with the current code (DD4
    applies that rule only in PinChange mode, not for PUK-based changes).
    """
    if not isinstance(new_code, str):
        raise TypeError("new_code must be str")
    minimum, maximum = LENGTH_LIMITS[kind]
    violations: list[Violation] = []

    def add(reason: ViolationReason, *, lengths: bool = False) -> None:
        violations.append(
            Violation(
                reason,
                kind,
                minimum if lengths else None,
                maximum if lengths else None,
            )
        )

    if len(new_code) < minimum:
        add(ViolationReason.TOO_SHORT, lengths=True)
    elif len(new_code) > maximum:
        add(ViolationReason.TOO_LONG, lengths=True)
    if new_code and not _is_ascii_digits(new_code):
        add(ViolationReason.NOT_DIGITS, lengths=True)
    if violations:
        return violations

    if new_code in _ASCENDING:
        add(ViolationReason.ASCENDING_RUN)
    if new_code in _DESCENDING:
        add(ViolationReason.DESCENDING_RUN)
    # DD4: pin.count(pin[1]) == pin.length(), i.e. one digit repeated.
    if new_code.count(new_code[0]) == len(new_code):
        add(ViolationReason.REPEATED_DIGIT)
    # DD4: personalCode.contains(pin) -- the *new code* must not occur inside
    # the personal code. A longer code that merely contains part of the
    # personal code is accepted, as in DD4 (docs/card-protocol.md §9 rule 5).
    personal = personal_code.strip() if personal_code is not None else ""
    if personal and new_code in personal:
        add(ViolationReason.PART_OF_PERSONAL_CODE)
    if birth_date is None and personal:
        birth_date = birth_date_from_personal_code(personal)
    # DD4 compares for equality with each form, not substring.
    if birth_date is not None and any(
        _equal(new_code, form) for form in birth_date_forms(birth_date)
    ):
        add(ViolationReason.BIRTH_DATE)
    if old_code is not None and _equal(new_code, old_code):
        add(ViolationReason.SAME_AS_OLD)
    return violations


_FORMAT_REASONS: Final = frozenset(
    {ViolationReason.TOO_SHORT, ViolationReason.TOO_LONG, ViolationReason.NOT_DIGITS}
)


def check_current_code(kind: CodeKind, code: str) -> list[Violation]:
    """The format rules a code already on the card must meet (length, ASCII digits): a
    current code or PUK that breaks one cannot be right, and sending it would only cost
    an attempt. The content rules (runs, repeats, birth date) are not applied: they bind
    new codes only, and an envelope code may break them."""
    return [v for v in check_new_code(kind, code) if v.reason in _FORMAT_REASONS]


def _one_edit_apart(a: str, b: str) -> bool:
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    # b is one longer: removing one character of b must give a.
    return any(b[:i] + b[i + 1 :] == a for i in range(len(b)))


def similarity_warnings(pin1: str, pin2: str) -> list[SimilarityWarning]:
    """Advisory warnings about two codes (any pair: PIN1/PIN2, PIN/PUK).

    See :class:`SimilarityWarning` for the exact definitions. Identical codes
    only yield ``IDENTICAL``. The order of the arguments does not matter.
    """
    if _equal(pin1, pin2):
        return [SimilarityWarning.IDENTICAL]
    warnings: list[SimilarityWarning] = []
    if pin1 and pin2 and (pin1 in pin2 or pin2 in pin1):
        warnings.append(SimilarityWarning.CONTAINS_OTHER)
    if _one_edit_apart(pin1, pin2):
        warnings.append(SimilarityWarning.ONE_DIGIT_APART)
    return warnings
