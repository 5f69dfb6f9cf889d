"""The card operation that carries out a decision, when there is one.

The route says what the holder should do; for three routes part of it is an operation on
the card in the reader: unblock a PIN with the PUK, activate (change) a Thales PIN2, or
change a code someone else may know. This module names that operation from the decision
and the facts, so that every surface offers the same one; it never talks to a card.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.engine.decision import Decision
from advisor.facts import Facts
from advisor.model import CodeKind, CodeOperation, Route, Status


@dataclass(frozen=True)
class CardFix:
    """An operation on the card: what it does, to which code, and whether the PUK is
    what the holder enters (instead of the current code)."""

    operation: CodeOperation
    code: CodeKind
    with_puk: bool


def _lost_or_blocked(tries: int | None, known: bool | None) -> bool:
    return tries == 0 or known is False


def card_fix(decision: Decision, facts: Facts) -> CardFix | None:
    """The operation for a decided route, or None when the route needs none (or the
    facts do not say which code it concerns)."""
    if decision.status is not Status.DECIDED:
        return None
    if decision.route is Route.PIN2_ACTIVATION:
        # A blocked or forgotten PIN2 is activated with the PUK (DigiDoc4's "Change with
        # PUK code"); otherwise with the PIN2 of the code envelope.
        with_puk = _lost_or_blocked(facts.pin2_tries_left, facts.pin2_known)
        return CardFix(CodeOperation.ACTIVATE_PIN2, CodeKind.PIN2, with_puk)
    if decision.route is Route.PUK_UNBLOCK_IN_APP:
        for kind, tries, known in (
            (CodeKind.PIN1, facts.pin1_tries_left, facts.pin1_known),
            (CodeKind.PIN2, facts.pin2_tries_left, facts.pin2_known),
        ):
            if _lost_or_blocked(tries, known):
                return CardFix(CodeOperation.UNBLOCK, kind, with_puk=True)
        return None
    if decision.route is Route.CODES_COMPROMISED:
        return CardFix(CodeOperation.CHANGE, CodeKind.PIN1, with_puk=False)
    return None
