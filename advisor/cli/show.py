"""Human output of a decision: the guidance text, and with --explain the rules behind it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from advisor.cli.i18n import _

if TYPE_CHECKING:
    from advisor.engine.decision import Decision
    from advisor.engine.rulebook import RuleBook
    from advisor.facts.case import Facts


def show_decision(
    decision: Decision, facts: Facts, *, lang: str, explain: bool, book: RuleBook
) -> None:
    from advisor.guidance import render_decision

    width = 80
    sys.stdout.write(
        render_decision(
            decision.to_json(), facts=facts.to_json(), lang=lang, fmt="text", width=width
        )
    )
    if explain:
        sys.stdout.write("\n" + explanation(decision, book) + "\n")


def explanation(decision: Decision, book: RuleBook) -> str:
    """Why this route: the fired rules in firing order, each with its reason and sources.

    The reasons (`because`) are msgids: extraction takes them from the rule files
    (advisor/catalogs.py `extract_rule_reasons`).
    """
    rules = {r.name: r for r in book.rules()}
    lines = [_("Why (rules %(version)s):", version=decision.rules_version)]
    for name in decision.fired:
        rule = rules[name]
        lines.append(f"  {name} [{rule.file}]: {_(rule.because)}")
        if rule.source:
            lines.append("      " + _("sources: %(sources)s", sources=", ".join(rule.source)))
    if not decision.fired:
        lines.append("  " + _("no rule holds in every completion of the unknown facts"))
    return "\n".join(lines)
