"""Date parsing for facts: strict ISO for JSON, day-first human input for CLI flags and CSV cells.

An input that is ambiguous or impossible is an error naming the field, never a guess.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from advisor.errors import FactError
from advisor.translatable import N_

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
# 17.11.2025, 17/11/2025, 17-11-2025: Estonian order, day first.
_NUMERIC_DMY = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})")
_FOUR_DIGIT_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
# Two defaults that differ in every component: if the parsed value depends on the
# default, the input lacked that component ("Nov 2025") and we refuse to guess it.
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2001, 2, 2)


def _not_real(field: str, value: str, exc: ValueError) -> FactError:
    return FactError.about(
        field, N_("%(value)s is not a real date (%(reason)s)"), value=repr(value), reason=str(exc)
    )


def _two_digit_year(field: str, value: str) -> FactError:
    return FactError.about(
        field, N_("%(value)s is ambiguous: write the year with four digits"), value=repr(value)
    )


@lru_cache(maxsize=8192)  # batches repeat dates; a failure is not cached
def parse_iso_date(value: str, field: str) -> date:
    if not _ISO.fullmatch(value):
        raise FactError.about(
            field,
            # TRANSLATORS: JSON input; CSV cells and options also take 17.11.2025.
            N_("%(value)s is not a date in the form YYYY-MM-DD (as JSON takes dates)"),
            value=repr(value),
        )
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise _not_real(field, value, exc) from None


@lru_cache(maxsize=8192)
def parse_human_date(value: str, field: str) -> date:
    text = value.strip()
    if _ISO.fullmatch(text):
        return parse_iso_date(text, field)
    numeric = _NUMERIC_DMY.fullmatch(text)
    if numeric:
        day, month, year = numeric.groups()
        if len(year) != 4:
            raise _two_digit_year(field, value)
        try:
            return date(int(year), int(month), int(day))
        except ValueError as exc:
            raise _not_real(field, value, exc) from None
    if not _FOUR_DIGIT_YEAR.search(text):
        raise _two_digit_year(field, value)
    # Imported here: month names are rare in input, and the import costs start-up time.
    from dateutil import parser as dateutil_parser

    try:
        first = dateutil_parser.parse(text, dayfirst=True, default=_DEFAULT_A)
        second = dateutil_parser.parse(text, dayfirst=True, default=_DEFAULT_B)
    except (ValueError, OverflowError) as exc:
        raise FactError.about(
            field,
            N_("%(value)s is not a date I can read (%(reason)s)"),
            value=repr(value),
            reason=str(exc),
        ) from None
    if first != second:
        raise FactError.about(
            field, N_("%(value)s is incomplete: give day, month and year"), value=repr(value)
        )
    if first.time() != datetime.min.time():
        raise FactError.about(
            field, N_("%(value)s has a time of day: give only a date"), value=repr(value)
        )
    return first.date()
