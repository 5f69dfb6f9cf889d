"""Answers: what the holder typed, turned into the value of a fact.

An answer is a choice's number, a choice's value or label (`words`, in the holder's
language), any value the fact takes as human input in `triage case` (`yes`, `jah`, `да`,
`2`, `17.11.2025`, docs/facts.md), or nothing: "I don't know". A date given to the chip
question states the date of issue instead of the maker.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from advisor.errors import FactError
from advisor.facts import MAX_TRIES, parse_facts
from advisor.facts.dates import parse_human_date
from advisor.interview.errors import AnswerError
from advisor.interview.questions import ISSUE_DATE, AnswerKind, Question
from advisor.translatable import N_

# Four digits or more, outside a date: what a PIN or a PUK looks like.
_CODE_LIKE: Final = re.compile(r"\d{4,}")

Value = bool | int | str | None


@dataclass(frozen=True)
class Answer:
    """The fact an answer states and its value as JSON gives it (dates in ISO form);
    None is "I don't know"."""

    fact: str
    value: Value

    @property
    def known(self) -> bool:
        return self.value is not None


def dont_know(question: Question) -> Answer:
    return Answer(question.field, None)


def parse_answer(
    question: Question, raw: str | None, *, words: Mapping[str, str] | None = None
) -> Answer:
    """The answer `raw` gives to `question`; empty or None is "I don't know".

    `words` maps more words (the choices' labels in the holder's language, lower case) to
    choice values. Raises AnswerError naming the question's field, without repeating
    the answer."""
    text = (raw or "").strip()
    if not text:
        return dont_know(question)
    field = question.field
    folded = text.casefold()
    if question.kind in (AnswerKind.YES_NO, AnswerKind.COUNT) and _CODE_LIKE.search(text):
        raise AnswerError.about(
            field,
            # TRANSLATORS: Security-critical: the holder may have typed a PIN or PUK.
            N_("that looks like a code: never type a PIN or PUK here, answer only the question"),
        )
    values = {c.value: c.value for c in question.choices}
    values.update({k.casefold(): v for k, v in (words or {}).items()})
    if question.kind in (AnswerKind.YES_NO, AnswerKind.CHIP) and folded.isdigit():
        index = int(folded) - 1
        if 0 <= index < len(question.choices):
            return _from_choice(question, question.choices[index].value)
    if folded in values:
        return _from_choice(question, values[folded])
    if question.kind is AnswerKind.YES_NO:
        try:
            value = getattr(parse_facts({field: text}, human=True), field)
        except FactError:
            raise AnswerError.about(field, N_("answer yes or no")) from None
        return Answer(field, bool(value))
    if question.kind is AnswerKind.COUNT:
        raise AnswerError.about(
            field, N_("answer with the number of attempts left, 0 to %(max)s"), max=MAX_TRIES
        )
    if question.kind is AnswerKind.CHIP and not question.takes_date:
        raise AnswerError.about(field, N_("choose one of the answers by its number"))
    target = ISSUE_DATE if question.kind is AnswerKind.CHIP else field
    try:
        day = parse_human_date(text, target)
    except FactError:
        message = (
            N_("choose one of the answers, or type the date of issue, for example 17.11.2025")
            if question.kind is AnswerKind.CHIP
            else N_("write the day, the month and a four-digit year, for example 17.11.2025")
        )
        raise AnswerError.about(field, message) from None
    return Answer(target, day.isoformat())


def _from_choice(question: Question, value: str) -> Answer:
    if question.kind is AnswerKind.YES_NO:
        return Answer(question.field, value == "yes")
    if question.kind is AnswerKind.COUNT:
        return Answer(question.field, int(value))
    return Answer(question.field, value)
