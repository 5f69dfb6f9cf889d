"""The next question, chosen by the decider over the routes still possible.

1. While the route is not decided, the next question is the decider's own most
   informative one (docs/decisions.md: ranked by the expected drop of the route entropy
   over the completions of the decision table that the answers so far leave), skipping
   what was already asked ("I don't know" included). This is the ranking `diagnose`
   always used, so from the same known facts the interview asks exactly what the old
   question loop asked.
2. Facts whose absence means false (lost, stolen, leaked, suspended: contract §1) are
   questions of their own when the interview is told to ask them (`advisor guide`): they
   are left open in the decider's view, so that they are completed like unknown facts
   and ranked in step 1. Once no route question is left, such a fact is still asked if
   its answer changes the urgency or the advisories the decision shows (a stolen card
   adds "report the theft"), most informative first. Any other fact left unknown is
   already accounted for by the decision (the most urgent urgency, the advisories that
   hold whatever it is), so it is not asked once the route is decided.
3. Otherwise the interview is over.

A question is never asked whose every answer leads to the same decision: the decider
lists only facts whose answers change the routes still possible, and a safety fact is
asked only when some answer changes the decision.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, NamedTuple

from advisor.engine import Decider, Decision
from advisor.facts import UNKNOWN_GENERATION, Facts, possible_generations, situation
from advisor.interview.questions import (
    CHIP,
    FIELDS,
    SAFETY,
    STOLEN,
    Question,
    Reason,
    Why,
    question,
)
from advisor.model import Status


class Seen(NamedTuple):
    """Facts as the chooser sees them: the situation with the open safety facts left
    out, the chips an unknown chip may be, and the decider's keys of that situation."""

    view: dict[str, Any]
    generations: tuple[str, ...]
    keys: tuple[tuple[int | None, ...], ...]


def seen_by(decider: Decider, facts: Facts, asked: frozenset[str], *, ask_safety: bool) -> Seen:
    view = situation(facts)
    if ask_safety:
        for name in SAFETY:
            if name not in asked:
                del view[name]
    return Seen(view, generations_of(facts, view), decider.keys_of(view))


def choose(
    decider: Decider,
    facts: Facts,
    asked: frozenset[str],
    *,
    ask_safety: bool,
    seen: Seen | None = None,
) -> Question | None:
    """The next question for these facts, or None when the interview is over. `asked`
    holds every fact already known or answered ("I don't know" included); `seen`:
    `seen_by` of the same, where the caller has it already."""
    if seen is None:
        seen = seen_by(decider, facts, asked, ask_safety=ask_safety)
    view, generations, keys = seen
    open_safety = tuple(s for s in SAFETY if ask_safety and s not in asked)
    first = decider.decide_situation(view, generations, keys=keys)
    if first.status is Status.INCOMPLETE:
        for field in first.questions:
            if field not in asked and field in FIELDS:
                return question(field, facts, Why(Reason.ROUTE, first.candidates))
    # A theft is asked about only once the card is known to be lost.
    eligible = tuple(s for s in open_safety if s != STOLEN or facts.card_lost)
    if not eligible:
        return None
    return _safety_question(decider, facts, view, generations, eligible, first)


def generations_of(facts: Facts, view: Mapping[str, Any]) -> tuple[str, ...]:
    """The chips an unknown chip may stand for (the decider's `generations`)."""
    if view[CHIP] != UNKNOWN_GENERATION:
        return ()
    return tuple(str(g) for g in possible_generations(facts))


def signature(decision: Decision) -> tuple[Hashable, ...]:
    """What a decision shows the holder: route, urgency, the routes after it, the
    advisories, and for an incomplete one the routes still possible."""
    return (
        decision.status,
        decision.route,
        decision.urgency,
        decision.also,
        decision.advisories,
        decision.candidates,
    )


def _safety_question(
    decider: Decider,
    facts: Facts,
    view: Mapping[str, Any],
    generations: tuple[str, ...],
    eligible: Sequence[str],
    first: Decision,
) -> Question | None:
    """The open safety fact whose answer tells the most about the decision shown, over
    every combination of the open safety facts (each counted once); None when no
    combination changes the decision."""
    outcomes: dict[tuple[bool, ...], Decision] = {}
    for values in itertools.product((False, True), repeat=len(eligible)):
        outcomes[values] = decider.decide_situation(
            {**view, **dict(zip(eligible, values, strict=True))}, generations
        )
    shown = {values: signature(d) for values, d in outcomes.items()}
    if len(set(shown.values())) <= 1:
        return None
    best: tuple[float, int] | None = None
    for index in range(len(eligible)):
        if not _depends(shown, index):
            continue
        score = (_gain(shown, index), -index)  # ties: the contract's order
        if best is None or score > best:
            best = score
    assert best is not None  # the decision changes, so it depends on some field
    field = eligible[-best[1]]
    every = [frozenset(d.advisories) for d in outcomes.values()]
    at_stake = frozenset().union(*every) - frozenset(every[0]).intersection(*every[1:])
    advisories = tuple(
        a
        for a in dict.fromkeys(a for d in outcomes.values() for a in d.advisories)
        if a in at_stake
    )
    candidates = (first.route,) if first.route is not None else first.candidates
    return question(field, facts, Why(Reason.SAFETY, candidates, advisories))


def _depends(shown: Mapping[tuple[bool, ...], Hashable], index: int) -> bool:
    """Whether some two combinations that differ only in field `index` show differently."""
    for values, seen in shown.items():
        if not values[index]:
            flipped = (*values[:index], True, *values[index + 1 :])
            if shown[flipped] != seen:
                return True
    return False


def _gain(shown: Mapping[tuple[bool, ...], Hashable], index: int) -> float:
    """The expected drop in the entropy of the decision shown when field `index` is
    answered, every combination counted once."""
    total = _entropy(Counter(shown.values()))
    after = 0.0
    for value in (False, True):
        part = Counter(seen for values, seen in shown.items() if values[index] is value)
        after += sum(part.values()) / len(shown) * _entropy(part)
    return total - after


def _entropy(counts: Counter[Hashable]) -> float:
    n = sum(counts.values())
    return -sum(c / n * math.log2(c / n) for c in counts.values() if c)
