"""The interview against the question loop `diagnose` had before it (issue 11): starting
from the same known facts, it never asks more, on any case.

`old_loop_next` is that loop's choice, as it was in advisor/cli/diagnose.py: decide, and
ask the first of the decision's questions not asked yet; stop once the decision is
decided or no question is left. Both are walked side by side over every answer of every
question (each answer of "I don't know" included), from every combination of what a
card tells, and from nothing known: at every step they must ask the same question, so
on every case the interview asks exactly as many questions as the loop did.

Each walk visits every class of facts (the buckets of each rule file and the questions
asked) once: the next question and the decision depend on nothing else.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

from advisor.engine import Decider
from advisor.facts import UNKNOWN_GENERATION, Facts, parse_facts, possible_generations, situation
from advisor.interview import AnswerKind, Interview, Question
from advisor.model import Status

TODAY = date(2026, 6, 1)


def old_loop_next(decider: Decider, facts: Facts, asked: frozenset[str]) -> str | None:
    decision = decider.decide(facts)
    if decision.status is not Status.INCOMPLETE:
        return None
    return next((q for q in decision.questions if q not in asked), None)


def typed_answers(question: Question) -> list[str | None]:
    if question.kind is AnswerKind.DATE:
        return ["31.05.2026", "01.06.2026", "2030-01-01", None]
    if question.kind is AnswerKind.CHIP and question.takes_date:
        return [*(c.value for c in question.choices), "15.11.2025", None]
    return [*(c.value for c in question.choices), None]


def key_of(decider: Decider, facts: Facts, asked: frozenset[str]) -> tuple[Any, ...]:
    view = situation(facts)
    chips = possible_generations(facts) if view["card_generation"] == UNKNOWN_GENERATION else ()
    return (tuple(t.space.key(view) for t in decider.table.tables.values()), chips, asked)


def walk_side_by_side(decider: Decider, start: Interview) -> tuple[int, int]:
    """Every path from `start`: the cases checked and the most questions on one."""
    seen: set[tuple[Any, ...]] = set()
    most = 0

    def visit(interview: Interview, asked: frozenset[str]) -> None:
        nonlocal most
        key = key_of(decider, interview.facts, asked)
        if key in seen:  # the same facts as the rules see them, the same questions asked
            return
        seen.add(key)
        question = interview.next
        expected = old_loop_next(decider, interview.facts, asked)
        assert (question.field if question else None) == expected, interview.facts
        if question is None:
            assert interview.decision == decider.decide(interview.facts)
            most = max(most, len(interview.path))
            return
        for typed in typed_answers(question):
            visit(interview.answer(typed), asked | {question.field})

    visit(start, frozenset(start.known))
    return len(seen), most


CHIPS = ("idemia", "thales", "legacy")
EXPIRY = ("2026-05-31", "2026-06-01", "2030-01-01")  # expired, within 105 days, later


def test_from_what_a_card_tells_it_asks_what_the_old_loop_asked(decider: Decider) -> None:
    states, longest = 0, 0
    for chip, expiry, pin1, pin2, puk, pin2_activated, card_activated in itertools.product(
        CHIPS, EXPIRY, (0, 1, 3), (0, 1, 3), (0, 1, 3), (False, True), (False, True)
    ):
        card = {
            "card_generation": chip,
            "expiry_date": expiry,
            "pin1_tries_left": pin1,
            "pin2_tries_left": pin2,
            "puk_tries_left": puk,
            "pin2_activated": pin2_activated,
            "card_activated": card_activated,
        }
        checked, most = walk_side_by_side(
            decider, Interview(decider, card, today=TODAY, ask_safety=False)
        )
        states += checked
        longest = max(longest, most)
    assert states > 3 * 3 * 27 * 4
    # What a card cannot tell: whether the three codes are known, another eID.
    assert longest == 4


@pytest.mark.parametrize(
    "known",
    [
        {"card_generation": "idemia"},
        {"card_generation": "thales", "expiry_date": "2030-01-01"},
        {"pin1_tries_left": 0, "pin2_tries_left": 3, "puk_tries_left": 3},
        {"card_generation": "thales", "pin1_tries_left": 0},
    ],
    ids=["idemia", "thales, valid", "PIN1 blocked", "thales, PIN1 blocked"],
)
def test_from_fewer_facts_it_asks_what_the_old_loop_asked(
    decider: Decider, known: dict[str, Any]
) -> None:
    # Without a card the safety facts keep their default here, as they did in the old
    # loop, which never asked them; `advisor guide` asks them (test_interview.py).
    # From nothing known the same walk covers 28,000 states: benchmarks/interview.py
    # runs it and counts the questions (docs/performance.md).
    parse_facts(known)
    checked, most = walk_side_by_side(
        decider, Interview(decider, known, today=TODAY, ask_safety=False)
    )
    assert checked > 1
    assert most >= 1
