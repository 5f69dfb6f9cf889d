"""An interview as a short, URL-safe token, so that a stateless server can resume it.

    1.d2555937.20260601s.Ne0n0p1a20251117[.aWQtNDI]

The segments, separated by dots:

1. the token format, `1`;
2. the rules version (docs/decisions.md): a token of other rules is refused, never read
   by rules whose questions or buckets may mean something else;
3. the evaluation date (YYYYMMDD) and `s` when the safety facts are asked, `c` when
   they keep their default (a card in the holder's hands);
4. the facts, one letter and one value each: an upper-case letter for a fact known
   before the interview, a lower-case one for an answer; a value is a digit (yes 1,
   no 0, attempts left, or the position of an enum's value), `_` for "I don't know", or
   a date as YYYYMMDD (a date answering the chip question is the date of issue);
5. only when the case has an id: the id, base64url-encoded.

The token holds facts and answers only: never a code (the interview asks none). It is
not tamper-evident, and need not be: it holds nothing but what the holder said.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from advisor.errors import FactError
from advisor.facts import BOOL_FIELDS, ENUM_FIELDS, MAX_TRIES, TRIES_FIELDS
from advisor.interview.answers import Answer, Value
from advisor.interview.errors import TokenError
from advisor.interview.questions import CHIP, FIELDS, ISSUE_DATE
from advisor.translatable import N_

if TYPE_CHECKING:
    from advisor.engine import Decider
    from advisor.interview.interview import Interview

FORMAT: Final = "1"
# The letter of each fact; the format version pins this table.
LETTERS: Final = dict(
    zip(
        (
            "card_generation",
            "issue_date",
            "expiry_date",
            "document_type",
            "pin1_tries_left",
            "pin2_tries_left",
            "puk_tries_left",
            "pin1_known",
            "pin2_known",
            "puk_known",
            "pin2_activated",
            "card_activated",
            "has_other_eid",
            "card_lost",
            "card_stolen",
            "codes_compromised",
            "certificates_suspended",
            "location",
        ),
        "abcdefghijklmnopqr",
        strict=True,
    )
)
FIELD_OF: Final = {letter: field for field, letter in LETTERS.items()}
_DATE_FACTS: Final = frozenset({"issue_date", "expiry_date"})
_ITEM: Final = re.compile(r"([A-Za-z])(\d{8}|[0-9_])")
_HEAD: Final = re.compile(r"(\d{8})([sc])")
_BASE64URL: Final = re.compile(r"[A-Za-z0-9_-]+")


def encode(interview: Interview) -> str:
    mode = "s" if interview.ask_safety else "c"
    items = [
        LETTERS[name].upper() + _value_code(name, value)
        for name, value in sorted(interview.known.items(), key=lambda kv: _order(kv[0]))
        if name != "id"
    ]
    for field, answer in sorted(interview.answers.items(), key=lambda kv: _order(kv[0])):
        items.append(LETTERS[field] + _value_code(answer.fact, answer.value))
    segments = [
        FORMAT,
        interview.rules_version,
        f"{interview.today:%Y%m%d}{mode}",
        "".join(items),
    ]
    case_id = interview.known.get("id")
    if case_id is not None:
        segments.append(base64.urlsafe_b64encode(str(case_id).encode()).decode().rstrip("="))
    return ".".join(segments)


def decode(decider: Decider, token: str) -> Interview:
    from advisor.interview.interview import Interview

    parts = token.strip().split(".")
    if len(parts) not in (4, 5) or parts[0] != FORMAT:
        raise _damaged()
    version = decider.book.version
    if parts[1] != version:
        raise TokenError.about(
            None,
            N_(
                "this interview was saved with other rules (version %(token)s; these rules "
                "are version %(current)s): its answers cannot be read by them, so start it "
                "again"
            ),
            token=parts[1][:16],
            current=version,
        )
    head = _HEAD.fullmatch(parts[2])
    if head is None or _ITEM.sub("", parts[3]) != "":
        raise _damaged()
    today = _day(head.group(1))
    known: dict[str, Any] = {}
    answers: dict[str, Answer] = {}
    for letter, code in _ITEM.findall(parts[3]):
        field = FIELD_OF.get(letter.lower())
        if field is None:
            raise _damaged()
        if letter.isupper():
            if field in known or code == "_":
                raise _damaged()
            known[field] = _value(field, code)
        else:
            if field in answers or field not in FIELDS:
                raise _damaged()
            fact = ISSUE_DATE if field == CHIP and len(code) == 8 else field
            answers[field] = Answer(fact, None if code == "_" else _value(fact, code))
    if len(parts) == 5:
        if not _BASE64URL.fullmatch(parts[4]):
            raise _damaged()
        try:
            padded = parts[4] + "=" * (-len(parts[4]) % 4)
            known["id"] = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
        except (ValueError, binascii.Error, UnicodeError):
            raise _damaged() from None
    try:
        return Interview(
            decider, known, today=today, ask_safety=head.group(2) == "s", answers=answers
        )
    except FactError:
        raise _damaged() from None


def _order(field: str) -> int:
    return list(LETTERS).index(field) if field in LETTERS else -1


def _value_code(fact: str, value: Value) -> str:
    if value is None:
        return "_"
    if fact in _DATE_FACTS:
        return str(value).replace("-", "")
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    return str(list(ENUM_FIELDS[fact]).index(ENUM_FIELDS[fact](value)))


def _value(fact: str, code: str) -> Value:
    if fact in _DATE_FACTS:
        if len(code) != 8:
            raise _damaged()
        return _day(code).isoformat()
    if len(code) != 1 or not code.isdigit():
        raise _damaged()
    number = int(code)
    if fact in BOOL_FIELDS and number in (0, 1):
        return number == 1
    if fact in TRIES_FIELDS and number <= MAX_TRIES:
        return number
    members = list(ENUM_FIELDS.get(fact, ()))
    if number < len(members):
        return str(members[number])
    raise _damaged()


def _day(digits: str) -> date:
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise _damaged() from None


def _damaged() -> TokenError:
    return TokenError.about(
        None, N_("this is not an interview token of advisor, or part of it is missing")
    )
