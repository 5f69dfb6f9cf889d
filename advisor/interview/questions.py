"""The questions the interview can ask: one per fact the rules read, with its answers.

A question is named by the contract's fact (docs/facts.md) and asks only whether a code
is known or blocked, never for the code itself. The chip question takes the maker
(IDEMIA, Thales, an older card) or the date of issue printed on the card, which tells the
maker in all but the two switch-over days (rules/generations.json): a holder without a
card reader can read the date but rarely knows the maker.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from advisor.facts import BOOL_FIELDS, MAX_TRIES, SAFETY_FIELDS, TRIES_FIELDS, Facts
from advisor.facts import possible_generations as _possible_generations
from advisor.model import Advisory, Generation, Route
from advisor.translatable import N_


class AnswerKind(StrEnum):
    """What a question takes, besides "I don't know"."""

    YES_NO = "yes_no"
    COUNT = "count"  # attempts left, 0 to 3
    CHIP = "chip"  # the maker, or the date of issue
    DATE = "date"


CHIP: Final = "card_generation"
ISSUE_DATE: Final = "issue_date"
EXPIRY: Final = "expiry_date"
STOLEN: Final = "card_stolen"
LOST: Final = "card_lost"
# The facts whose absence means false (contract §1). The interview asks them when it is
# told to (`advisor guide`); otherwise, as `diagnose` always did, they keep that default.
SAFETY: Final = SAFETY_FIELDS

# Every fact the interview may ask, in the contract's order (docs/facts.md). The facts
# no rule reads (document_type, location) only shape the wording: never asked.
FIELDS: Final[dict[str, AnswerKind]] = {
    CHIP: AnswerKind.CHIP,
    EXPIRY: AnswerKind.DATE,
    **dict.fromkeys(TRIES_FIELDS, AnswerKind.COUNT),
    **dict.fromkeys(BOOL_FIELDS, AnswerKind.YES_NO),
}


@dataclass(frozen=True)
class Choice:
    """One answer a question offers: the value the fact takes (as `triage case` takes
    it) and its label, a msgid shown in the holder's language."""

    value: str
    label: str


YES: Final = Choice("yes", N_("yes"))
NO: Final = Choice("no", N_("no"))
# TRANSLATORS: The label of 0 attempts left, as an answer in the questionnaire.
BLOCKED_LABEL: Final = N_("0 (blocked)")
# The makers' names are not translated (docs/translating.md); the older cards have no name.
CHIP_LABELS: Final = {
    Generation.IDEMIA: Generation.IDEMIA.label,
    Generation.THALES: Generation.THALES.label,
    # TRANSLATORS: An answer to "Who made your card?": a card older than the IDEMIA ones.
    Generation.LEGACY: N_("an older card"),
}


class Reason(StrEnum):
    """Why a question is asked."""

    # Its answer narrows the routes still possible; the most informative such question
    # comes first (the decider's ranking: expected drop of the route entropy).
    ROUTE = "route"
    # A safety fact (lost, stolen, leaked, suspended) that would otherwise be assumed
    # false, and whose answer changes the urgency or the advisories the decision shows.
    SAFETY = "safety"


@dataclass(frozen=True)
class Why:
    reason: Reason
    candidates: tuple[Route, ...]  # the routes still possible
    advisories: tuple[Advisory, ...] = ()  # SAFETY: the advisories the answer decides


@dataclass(frozen=True)
class Question:
    """The next question: the fact it asks for, what it takes, where its texts are."""

    field: str
    kind: AnswerKind
    choices: tuple[Choice, ...]  # empty for a date: any date is an answer
    why: Why
    takes_date: bool = False  # a date is an answer (the chip question: the date of issue)

    @property
    def text_key(self) -> str:
        """The question's template (content/templates/questions/)."""
        return f"questions/{self.field}"

    @property
    def howto_key(self) -> str:
        """Its "how to find out" template (content/templates/howto/)."""
        return f"howto/{self.field}"


def choices_for(field: str, facts: Facts) -> tuple[Choice, ...]:
    kind = FIELDS[field]
    if kind is AnswerKind.YES_NO:
        return (YES, NO)
    if kind is AnswerKind.COUNT:
        return tuple(
            Choice(str(n), BLOCKED_LABEL if n == 0 else str(n)) for n in range(MAX_TRIES + 1)
        )
    if kind is AnswerKind.CHIP:
        # A card issued on a switch-over day is IDEMIA or Thales, never older.
        return tuple(Choice(str(g), CHIP_LABELS[g]) for g in _possible_generations(facts))
    return ()


def question(field: str, facts: Facts, why: Why) -> Question:
    kind = FIELDS[field]
    # The chip question takes the date of issue unless that date is already known.
    takes_date = kind is AnswerKind.DATE or (kind is AnswerKind.CHIP and facts.issue_date is None)
    return Question(field, kind, choices_for(field, facts), why, takes_date)
