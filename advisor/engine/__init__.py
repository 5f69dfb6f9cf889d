"""The decision engine: rules kept as data in `rules/`, run by durable_rules, and the
decisions they give (contract §2).

The public API, which the CLI, triage, the benchmarks and the tests use:

- `load_rulebook()`: the rule base of `rules/` (or ADVISOR_RULES_DIR), validated;
- `load_decider()`: a `Decider` over that rule base and its decision table (built or
  loaded from the cache when first needed);
- `Decider.decide(facts)` -> `Decision`, and `error_decision` for invalid input.

Only `rulebook.py` imports durable_rules, and only when a case is fired live.
"""

from __future__ import annotations

from pathlib import Path

from advisor.engine.decider import Decider
from advisor.engine.decision import Decision, error_decision
from advisor.engine.rulebook import Rule, RuleBook, load_rulebook

__all__ = [
    "Decider",
    "Decision",
    "Rule",
    "RuleBook",
    "error_decision",
    "load_decider",
    "load_rulebook",
]


def load_decider(rules: Path | None = None) -> Decider:
    """The decider of the rules in `rules` (default: `paths.rules_dir()`); its decision
    table is loaded from the cache, or built and cached, when a decision first needs it."""
    from advisor.engine.table import table_for

    book = load_rulebook(rules)
    return Decider(book, lambda: table_for(book))
