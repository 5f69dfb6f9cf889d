"""What the help site's index is made of: the routes grouped by the situation they answer,
read from the rules, and the advice of the safety page.

A route's situations are the reasons (`because`) of the routing rules that lead to it;
they are msgids already (`advisor triage case --explain` shows them), so the index reads
in every language without a text of its own per route. Routes are grouped by the
precedence tier of contract §3 of the first rule that reaches them, in the order the
rules are tried: a holder reads the most urgent situations first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from advisor.engine import RuleBook
from advisor.model import Advisory, Route


@dataclass(frozen=True)
class RouteSituations:
    route: Route
    reasons: tuple[str, ...]  # msgids, in priority order


@dataclass(frozen=True)
class Situation:
    """One tier of contract §3 and the routes whose first rule is in it."""

    tier: int
    routes: tuple[RouteSituations, ...]


def situations(book: RuleBook) -> tuple[Situation, ...]:
    first: dict[Route, tuple[int, int]] = {}
    reasons: dict[Route, list[str]] = {}
    for rule in sorted(book.rules(), key=lambda r: r.pri):
        if rule.kind != "route" or rule.route is None or rule.tier is None:
            continue
        first.setdefault(rule.route, (rule.tier, rule.pri))
        if rule.because not in reasons.setdefault(rule.route, []):
            reasons[rule.route].append(rule.because)
    tiers: dict[int, list[RouteSituations]] = {}
    for route in sorted(first, key=first.__getitem__):
        tier = first[route][0]
        tiers.setdefault(tier, []).append(RouteSituations(route, tuple(reasons[route])))
    return tuple(Situation(tier, tuple(routes)) for tier, routes in sorted(tiers.items()))


# The rule files whose advice is about keeping the card and the codes safe: the safety
# page shows every advisory they can give.
SAFETY_FILES: Final = ("advisories_codes.json", "advisories_safety.json")


def safety_advisories(book: RuleBook) -> tuple[Advisory, ...]:
    """The advisories of the safety page, in the order of contract §4 (the roles of the
    codes first)."""
    given = {
        rule.advisory
        for rule in book.rules()
        if rule.file in SAFETY_FILES and rule.advisory is not None
    }
    return tuple(advisory for advisory in Advisory if advisory in given)
