"""Human output of a decision: the guidance text, and with --explain the rules behind it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..decision import Decision
    from ..facts import Facts
    from ..rulebook import RuleBook


def show_decision(
    decision: Decision, facts: Facts, *, lang: str, explain: bool, book: RuleBook
) -> None:
    from ..guidance import render_decision

    width = 80
    sys.stdout.write(
        render_decision(
            decision.to_json(), facts=facts.to_json(), lang=lang, fmt="text", width=width
        )
    )
    if explain:
        sys.stdout.write("\n" + explanation(decision, book) + "\n")


def explanation(decision: Decision, book: RuleBook) -> str:
    """Why this route: the fired rules in firing order, each with its reason and sources."""
    rules = {r.name: r for r in book.rules()}
    lines = [f"Why (rules {decision.rules_version}):"]
    for name in decision.fired:
        rule = rules[name]
        lines.append(f"  {name} [{rule.file}]: {rule.because}")
        if rule.source:
            lines.append(f"      sources: {', '.join(rule.source)}")
    if not decision.fired:
        lines.append("  no rule holds in every completion of the unknown facts")
    return "\n".join(lines)
