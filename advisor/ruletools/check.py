"""`advisor rules check`: prove the rule base sound over the whole fact space."""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from advisor.engine.decider import route_ruleset_name
from advisor.engine.decision import compose
from advisor.engine.rulebook import RuleBook
from advisor.engine.schema import SITUATION_FIELDS
from advisor.engine.table import INADMISSIBLE, DecisionTable, build_table
from advisor.facts.case import UNKNOWN_GENERATION
from advisor.model import Advisory, Route


@dataclass
class CheckReport:
    rules_version: str
    rules: int
    combinations: dict[str, int]
    seconds: float = 0.0
    routes_reached: dict[str, int] = field(default_factory=dict)
    advisories_reached: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    samples_checked: int = 0

    @property
    def sound(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "sound": self.sound,
            "rules_version": self.rules_version,
            "rules": self.rules,
            "combinations": self.combinations,
            "combinations_total": sum(self.combinations.values()),
            "seconds": round(self.seconds, 2),
            "routes_reached": self.routes_reached,
            "advisories_reached": self.advisories_reached,
            "engine_samples_checked": self.samples_checked,
            "problems": self.problems,
        }


def _describe(table: DecisionTable, ruleset: str, flat: int) -> str:
    t = table.tables[ruleset]
    buckets = t.space.buckets_of(flat)
    return ", ".join(f"{a.field}={a.label(b)}" for a, b in zip(t.space.axes, buckets, strict=True))


def check(
    book: RuleBook, *, samples: int = 2000, seed: int = 20251117, workers: int | None = None
) -> CheckReport:
    started = time.perf_counter()
    table = build_table(book, workers=workers)
    report = CheckReport(
        book.version,
        sum(1 for _ in book.rules()),
        {name: sum(1 for c in t.cells if c != INADMISSIBLE) for name, t in table.tables.items()},
    )
    route_rs = route_ruleset_name(book)
    fired_anywhere: set[str] = set()
    primaries: Counter[str] = Counter()
    advisories: Counter[str] = Counter()
    rules = {r.name: r for r in book.rules()}
    for name, t in table.tables.items():
        counts = Counter(c for c in t.cells if c != INADMISSIBLE)
        first_cell: dict[int, int] = {}
        for flat, trace_id in enumerate(t.cells):
            if trace_id != INADMISSIBLE:
                first_cell.setdefault(trace_id, flat)
        for trace_id, trace in enumerate(t.traces):
            fired_anywhere.update(trace)
            outcome = compose(book, {name: trace})
            for advisory in outcome.advisories:
                advisories[str(advisory)] += counts[trace_id]
            if name != route_rs:
                continue
            where = _describe(table, name, first_cell[trace_id])
            if outcome.route is None:
                gen = t.space.situation(t.space.buckets_of(first_cell[trace_id])).get(
                    "card_generation"
                )
                if gen != UNKNOWN_GENERATION:
                    report.problems.append(
                        f"no route for {counts[trace_id]} combinations, e.g. {where}"
                    )
                continue
            primaries[str(outcome.route)] += counts[trace_id]
            by_tier: dict[int, set[Route]] = {}
            for rule_name in trace:
                rule = rules[rule_name]
                if rule.kind == "route" and rule.tier is not None and rule.route is not None:
                    by_tier.setdefault(rule.tier, set()).add(rule.route)
            for tier, routes in sorted(by_tier.items()):
                if len(routes) > 1:
                    report.problems.append(
                        f"conflict in tier {tier}: {', '.join(sorted(routes))} for "
                        f"{counts[trace_id]} combinations, e.g. {where}"
                    )
    for rule in book.rules():
        if rule.name not in fired_anywhere:
            report.problems.append(f"{rule.file}: rule {rule.name} never fires (unreachable)")
    for route in Route:
        if primaries[str(route)] == 0:
            report.problems.append(f"route {route} is never the primary route")
    for advisory in Advisory:
        if advisories[str(advisory)] == 0:
            report.problems.append(f"advisory {advisory} is never given")
    report.routes_reached = dict(sorted(primaries.items()))
    report.advisories_reached = dict(sorted(advisories.items()))
    report.samples_checked = _compare_with_engine(book, table, samples, seed, report.problems)
    report.seconds = time.perf_counter() - started
    return report


def raw_situations(
    book: RuleBook, table: DecisionTable, samples: int, seed: int
) -> list[dict[str, Any]]:
    """Random raw situations plus every threshold and its neighbours, for engine-vs-table checks."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    fields = [f for f in SITUATION_FIELDS if any(f in rs.fields for rs in book.rulesets)]
    edges: dict[str, set[int]] = {}
    for rule in book.rules():
        for threshold in rule.thresholds:
            edges.setdefault(threshold.field, set()).update(
                threshold.boundary + d for d in (-1, 0, 1)
            )

    def value(name: str) -> Any:
        domain = SITUATION_FIELDS[name]
        if domain.values is not None:
            return rng.choice(domain.values)
        if name in edges and rng.random() < 0.5:
            candidates = [
                v
                for v in edges[name]
                if domain.low is None or domain.low <= v <= (domain.high or v)
            ]
            return rng.choice(sorted(candidates))
        low = domain.low if domain.low is not None else -800
        high = domain.high if domain.high is not None else 4000
        return rng.randint(low, high)

    out: list[dict[str, Any]] = []
    while len(out) < samples:
        view = {name: value(name) for name in fields}
        if view.get("card_stolen") and not view.get("card_lost"):
            continue
        out.append(view)
    return out


def _compare_with_engine(
    book: RuleBook, table: DecisionTable, samples: int, seed: int, problems: list[str]
) -> int:
    mismatches = 0
    for view in raw_situations(book, table, samples, seed):
        live = book.fire(view)
        for name, trace in live.items():
            t = table.tables[name]
            stored = t.traces[t.trace_id(tuple(b for b in t.space.key(view) if b is not None))]
            if stored != trace:
                mismatches += 1
                if mismatches <= 5:
                    problems.append(f"table differs from the engine for {name} at {view}")
    if mismatches > 5:
        problems.append(f"... {mismatches} mismatches between table and engine in all")
    return samples
