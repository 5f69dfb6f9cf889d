"""The whole interview as data: a decision tree in JSON, computed by the interview itself.

A node is a question with one child per answer, "I don't know" included; a child is the
next node or, where the interview is over, a decision. Decisions are kept once, in a
shared list, and referred to by position; so is a node that several paths reach with
the same facts (as the rules see them) and the same questions asked, so the file is a
directed acyclic graph whose every path is a path of the interview.

    {"format": "advisor-interview-tree/1", "rules_version": ..., "ask_safety": true,
     "questions": {FIELD: {"kind": ..., "answers": {ANSWER: what it states}}},
     "root": 0,
     "nodes": [{"question": FIELD, "next": {ANSWER: REF}}],
     "decisions": [DECISION, ...],
     "reasons": {RULE: REASON},
     "stats": {...}}

A REF of 0 or more is `nodes[REF]`, a negative REF is `decisions[-REF - 1]`. Answers are
what the holder may say: `yes`, `no`, `0` to `3`, a chip, and for dates the spans the
rules tell apart: `issued:2018-12-03..2025-11-14` (a date of issue given to the chip
question, ends included, an empty end open), `days_left:0..104` (an expiry date, counted
in days from the day the interview runs); `unknown` is "I don't know".

A decision is contract §2's, without its "id" and without "because", which is always the
reasons of the rules in "fired", in order: `[reasons[r] for r in fired]`. Left in, the
reasons would repeat in each of the tens of thousands of decisions that "I don't know"
answers leave incomplete.

The statistics count every path (`paths`, `depth`) and, over the space of cases (every
answer but "I don't know" equally likely, the chip given by its maker), the mean and the
most questions to a decision and the entropy of the routes it reaches, the lower bound
of the mean number of yes/no questions.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from advisor.engine import Decider
from advisor.facts import SAFETY_FIELDS, Facts, parse_facts, situation
from advisor.facts.eras import load_eras
from advisor.interview.answers import Answer
from advisor.interview.chooser import choose, generations_of
from advisor.interview.interview import apply, known_facts
from advisor.interview.questions import EXPIRY, ISSUE_DATE, AnswerKind, Question

FORMAT: Final = "advisor-interview-tree/1"
UNKNOWN: Final = "unknown"
EXPIRY_AXIS: Final = "expiry_days_left"


@dataclass(frozen=True)
class Span:
    """Days from `first` to `last`, both included; None is open."""

    first: int | date | None
    last: int | date | None

    def label(self) -> str:
        def show(end: int | date | None) -> str:
            return "" if end is None else str(end)

        return f"{show(self.first)}..{show(self.last)}"

    def representative(self) -> int | date:
        found = self.first if self.first is not None else self.last
        assert found is not None
        return found

    def to_json(self) -> dict[str, Any]:
        def show(end: int | date | None) -> int | str | None:
            return end.isoformat() if isinstance(end, date) else end

        return {"from": show(self.first), "through": show(self.last)}


@dataclass(frozen=True)
class TreeStats:
    nodes: int  # distinct question nodes
    decisions: int  # distinct decisions
    edges: int  # answers, over every node
    depth: int  # the most questions on one path
    paths: int  # paths from the root to a decision, every answer counted
    mean_questions: float  # over the space of cases (no "I don't know")
    max_questions: int  # over the same space
    route_entropy: float  # bits, of the routes over the same space

    def to_json(self) -> dict[str, int | float]:
        return {
            "nodes": self.nodes,
            "decisions": self.decisions,
            "edges": self.edges,
            "depth": self.depth,
            "paths": self.paths,
            "mean_questions": round(self.mean_questions, 4),
            "max_questions": self.max_questions,
            "route_entropy": round(self.route_entropy, 4),
        }


@dataclass(frozen=True)
class InterviewTree:
    data: dict[str, Any]
    stats: TreeStats

    def to_json_bytes(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":")).encode()


def issue_date_spans() -> tuple[Span, ...]:
    """The eras of rules/generations.json and the days between them, in order."""
    spans: list[Span] = []
    previous_end: date | None = None
    for era in load_eras():
        start = era.start
        if previous_end is not None and start is not None and start > previous_end + timedelta(1):
            spans.append(Span(previous_end + timedelta(days=1), start - timedelta(days=1)))
        spans.append(Span(start, era.end))
        previous_end = era.end
    return tuple(spans)


def expiry_spans(decider: Decider) -> tuple[Span, ...]:
    """The spans of days left until expiry that some rule tells apart."""
    cuts: set[int] = set()
    for table in decider.table.tables.values():
        for axis in table.space.axes:
            if axis.field == EXPIRY_AXIS and axis.starts is not None:
                cuts.update(s for s in axis.starts if s is not None)
    ordered = sorted(cuts)
    if not ordered:
        return (Span(None, None),)
    spans = [Span(None, ordered[0] - 1)]
    spans += [Span(a, b - 1) for a, b in itertools.pairwise(ordered)]
    spans.append(Span(ordered[-1], None))
    return tuple(spans)


def answers_of(
    question: Question, today: date, issued: tuple[Span, ...], expiry: tuple[Span, ...]
) -> Iterator[tuple[str, Answer]]:
    """Every answer to `question`, one of each kind that the rules tell apart, with the
    name the tree gives it."""
    field = question.field
    if question.kind is AnswerKind.YES_NO:
        yield "yes", Answer(field, True)
        yield "no", Answer(field, False)
    elif question.kind is AnswerKind.COUNT:
        for choice in question.choices:
            yield choice.value, Answer(field, int(choice.value))
    elif question.kind is AnswerKind.CHIP:
        for choice in question.choices:
            yield choice.value, Answer(field, choice.value)
        if question.takes_date:
            for span in issued:
                day = span.representative()
                assert isinstance(day, date)
                yield f"issued:{span.label()}", Answer(ISSUE_DATE, day.isoformat())
    else:
        for span in expiry:
            days = span.representative()
            assert isinstance(days, int)
            yield f"days_left:{span.label()}", Answer(field, (today + timedelta(days)).isoformat())
    yield UNKNOWN, Answer(field, None)


class _Builder:
    def __init__(self, decider: Decider, today: date, ask_safety: bool) -> None:
        self.decider = decider
        self.today = today
        self.ask_safety = ask_safety
        self.tables = decider.table.tables
        self.issued = issue_date_spans()
        self.expiry = expiry_spans(decider)
        self.nodes: list[dict[str, Any]] = []
        self.decisions: list[dict[str, Any]] = []
        self.decision_index: dict[str, int] = {}
        self.seen: dict[tuple[Any, ...], int] = {}
        self.questions: dict[str, dict[str, Any]] = {}
        # Per node, filled when its children are done: the most questions below it and
        # the paths through it.
        self.depth: list[int] = []
        self.paths: list[int] = []
        # The same over the space of cases: mean and most questions, routes reached.
        self.mean: list[float] = []
        self.most: list[int] = []
        self.routes: list[dict[str | None, float]] = []
        self.leaf_routes: list[str | None] = []

    def key(self, facts: Facts, asked: frozenset[str]) -> tuple[Any, ...]:
        """What the next question and the decision depend on: the facts as each rule
        file's buckets see them, with the open safety facts left out, the chips an
        unknown chip may be, and the questions already asked."""
        view = situation(facts)
        if self.ask_safety:
            for name in SAFETY_FIELDS:
                if name not in asked:
                    del view[name]
        buckets = tuple(t.space.key(view) for t in self.tables.values())
        return (buckets, generations_of(facts, view), asked)

    def visit(self, data: dict[str, Any], asked: frozenset[str]) -> int:
        facts = parse_facts(data, default_today=self.today)
        key = self.key(facts, asked)
        found = self.seen.get(key)
        if found is not None:
            return found
        current = choose(self.decider, facts, asked, ask_safety=self.ask_safety)
        if current is None:
            ref = -self.decision(facts) - 1
        else:
            ref = len(self.nodes)
            node: dict[str, Any] = {"question": current.field, "next": {}}
            self.nodes.append(node)
            self.depth.append(0)
            self.paths.append(0)
            self.mean.append(0.0)
            self.most.append(0)
            self.routes.append({})
            described = self.questions.setdefault(
                current.field, {"kind": str(current.kind), "answers": {}}
            )
            for name, answer in answers_of(current, self.today, self.issued, self.expiry):
                described["answers"].setdefault(name, self.describe(name, answer))
                child = dict(data)
                apply(child, answer)
                node["next"][name] = self.visit(child, asked | {current.field})
            children = node["next"].values()
            self.depth[ref] = 1 + max(self.depth[c] if c >= 0 else 0 for c in children)
            self.paths[ref] = sum(self.paths[c] if c >= 0 else 1 for c in children)
            self.case_stats(ref, current)
        self.seen[key] = ref
        return ref

    def case_stats(self, ref: int, current: Question) -> None:
        """A case answers every question with one of its answers, each equally likely;
        the chip by its maker, not by the date that also tells it."""
        nexts = self.nodes[ref]["next"]
        cases = [c.value for c in current.choices] or [
            n for n in nexts if n != UNKNOWN and not n.startswith("issued:")
        ]
        children = [nexts[name] for name in cases]
        share = 1 / len(children)
        self.mean[ref] = 1 + share * sum(self.mean[c] if c >= 0 else 0.0 for c in children)
        self.most[ref] = 1 + max(self.most[c] if c >= 0 else 0 for c in children)
        routes: dict[str | None, float] = {}
        for child in children:
            below = self.routes[child] if child >= 0 else {self.leaf_routes[-child - 1]: 1.0}
            for route, p in below.items():
                routes[route] = routes.get(route, 0.0) + share * p
        self.routes[ref] = routes

    def describe(self, name: str, answer: Answer) -> Any:
        if answer.value is None:
            return None
        if answer.fact == ISSUE_DATE:
            span = next(s for s in self.issued if f"issued:{s.label()}" == name)
            return {ISSUE_DATE: span.to_json()}
        if answer.fact == EXPIRY:
            span = next(s for s in self.expiry if f"days_left:{s.label()}" == name)
            return {"days_left": span.to_json()}
        return answer.value

    def decision(self, facts: Facts) -> int:
        document = self.decider.decide(facts).to_json()
        document.pop("id", None)
        document.pop("because", None)
        encoded = json.dumps(document, sort_keys=True)
        index = self.decision_index.get(encoded)
        if index is None:
            index = self.decision_index[encoded] = len(self.decisions)
            self.decisions.append(document)
            self.leaf_routes.append(document["route"])
        return index


def export_tree(
    decider: Decider,
    known: Mapping[str, Any] | None = None,
    *,
    today: date | None = None,
    ask_safety: bool = True,
) -> InterviewTree:
    """The interview from `known` facts (default: nothing known) as a decision tree."""
    day = today or date.today()
    data = known_facts(dict(known or {}), day)
    builder = _Builder(decider, day, ask_safety)
    root = builder.visit(data, frozenset(data))
    routes = builder.routes[root] if root >= 0 else {builder.leaf_routes[-root - 1]: 1.0}
    stats = TreeStats(
        nodes=len(builder.nodes),
        decisions=len(builder.decisions),
        edges=sum(len(n["next"]) for n in builder.nodes),
        depth=builder.depth[root] if root >= 0 else 0,
        paths=builder.paths[root] if root >= 0 else 1,
        mean_questions=builder.mean[root] if root >= 0 else 0.0,
        max_questions=builder.most[root] if root >= 0 else 0,
        route_entropy=-sum(p * math.log2(p) for p in routes.values() if p > 0),
    )
    document = {
        "format": FORMAT,
        "rules_version": decider.book.version,
        "ask_safety": ask_safety,
        "known": data,
        "questions": builder.questions,
        "root": root,
        "nodes": builder.nodes,
        "decisions": builder.decisions,
        "reasons": {rule.name: rule.because for rule in decider.book.rules()},
        "stats": stats.to_json(),
    }
    return InterviewTree(document, stats)
