"""Decisions: what the rules concluded for one case, in the JSON shape of contract §2."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.engine.rulebook import Rule, RuleBook
from advisor.model import URGENCY_ORDER, Advisory, Route, Status, Urgency


@dataclass(frozen=True)
class Outcome:
    """What the rules conclude for one fully known situation."""

    route: Route | None  # None: only a catch-all fired, the facts decide nothing
    urgency: Urgency | None
    also: tuple[Route, ...]
    advisories: tuple[Advisory, ...]
    fired: tuple[str, ...]  # rule names in firing order, catch-alls left out


def compose(rulebook: RuleBook, traces: Mapping[str, Iterable[str]]) -> Outcome:
    """Turn fired rule names into an outcome: the first routing rule by priority decides,
    lower-precedence routing rules that also fired become `also`."""
    fired: list[Rule] = []
    for ruleset_name, names in traces.items():
        ruleset = rulebook.ruleset(ruleset_name)
        fired.extend(ruleset.rule(name) for name in names)
    fired = [r for r in fired if r.kind != "catch_all"]
    fired.sort(key=lambda r: r.pri)
    routes = [r for r in fired if r.kind == "route"]
    primary = routes[0] if routes else None
    also: list[Route] = []
    for rule in routes[1:]:
        assert rule.route is not None
        if rule.route != primary.route and rule.route not in also:  # type: ignore[union-attr]
            also.append(rule.route)
    advisories: list[Advisory] = []
    for rule in fired:
        if rule.advisory is not None and rule.advisory not in advisories:
            advisories.append(rule.advisory)
    return Outcome(
        route=primary.route if primary else None,
        urgency=primary.urgency if primary else None,
        also=tuple(also),
        advisories=tuple(advisories),
        fired=tuple(r.name for r in fired),
    )


@dataclass(frozen=True)
class Decision:
    status: Status
    rules_version: str
    id: str | None = None
    route: Route | None = None
    urgency: Urgency | None = None
    also: tuple[Route, ...] = ()
    advisories: tuple[Advisory, ...] = ()
    questions: tuple[str, ...] = ()
    candidates: tuple[Route, ...] = ()
    fired: tuple[str, ...] = ()
    because: tuple[str, ...] = ()
    error: Mapping[str, Any] | None = field(default=None)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "status": str(self.status)}
        if self.status is Status.ERROR:
            out["error"] = dict(self.error or {})
            out["rules_version"] = self.rules_version
            return out
        out.update(
            route=str(self.route) if self.route else None,
            urgency=str(self.urgency) if self.urgency else None,
            also=[str(r) for r in self.also],
            advisories=[str(a) for a in self.advisories],
            questions=list(self.questions),
            candidates=[str(r) for r in self.candidates],
            fired=list(self.fired),
            because=list(self.because),
            rules_version=self.rules_version,
        )
        return out


def most_urgent(urgencies: Iterable[Urgency | None]) -> Urgency | None:
    known = [u for u in urgencies if u is not None]
    return min(known, key=URGENCY_ORDER.__getitem__) if known else None


def error_decision(
    rules_version: str,
    field_name: str | None,
    message: str,
    case_id: str | None = None,
    line: int | None = None,
    problems: tuple[tuple[str, str], ...] = (),
) -> Decision:
    """An `error` decision (contract §2: field and message, and the input line for a
    batch); `problems` lists every invalid field when there is more than one."""
    error: dict[str, Any] = {"field": field_name, "message": message}
    if line is not None:
        error["line"] = line
    if len(problems) > 1:
        error["problems"] = [{"field": f, "message": m} for f, m in problems]
    return Decision(Status.ERROR, rules_version, id=case_id, error=error)
