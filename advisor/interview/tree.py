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

import hashlib
import itertools
import json
import math
import os
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final, NamedTuple

from advisor.engine import Decider
from advisor.facts import parse_facts
from advisor.facts.eras import load_eras
from advisor.interview.answers import Answer
from advisor.interview.chooser import Seen, choose, seen_by
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


Key = tuple[Any, ...]


class _Step(NamedTuple):
    """What the interview does in one state: ask `field` (None: it is over with
    `decision`, its JSON), each answer with what it states and the state it leads to.
    A tuple: tens of thousands of them cross between processes."""

    field: str | None
    kind: str = ""
    choices: tuple[str, ...] = ()
    answers: tuple[tuple[str, Any, Hashable], ...] = ()
    decision: str = ""


class _Explorer:
    """Finds the step of every state the interview reaches, by the state's key. A step
    depends on its key alone, so explorers in several processes find the same steps."""

    def __init__(self, decider: Decider, today: date, ask_safety: bool) -> None:
        self.decider = decider
        self.today = today
        self.ask_safety = ask_safety
        self.issued = issue_date_spans()
        self.expiry = expiry_spans(decider)
        self.steps: dict[Hashable, _Step] = {}
        self.found: list[Hashable] = []  # keys in the order their steps were found

    @staticmethod
    def key(seen: Seen, asked: frozenset[str]) -> Key:
        """What the next question and the decision depend on: the facts as each rule
        file's buckets see them, with the open safety facts left out, the chips an
        unknown chip may be, and the questions already asked."""
        return (seen.keys, seen.generations, asked)

    def explore(
        self,
        data: dict[str, Any],
        asked: frozenset[str],
        depth: int | None = None,
        frontier: dict[Key, tuple[dict[str, Any], frozenset[str]]] | None = None,
    ) -> Key:
        """The key of this state, with the steps of every state below it found; or, at
        `depth` questions down, the states left unexplored put in `frontier`."""
        facts = parse_facts(data, default_today=self.today)
        seen = seen_by(self.decider, facts, asked, ask_safety=self.ask_safety)
        key = self.key(seen, asked)
        if key in self.steps:
            return key
        if depth == 0:
            assert frontier is not None
            frontier.setdefault(key, (data, asked))
            return key
        current = choose(self.decider, facts, asked, ask_safety=self.ask_safety, seen=seen)
        if current is None:
            document = self.decider.decide(facts).to_json()
            document.pop("id", None)
            document.pop("because", None)
            step = _Step(None, decision=json.dumps(document, ensure_ascii=False))
        else:
            below = asked | {current.field}
            answers = []
            for name, answer in answers_of(current, self.today, self.issued, self.expiry):
                child = dict(data)
                apply(child, answer)
                deeper = None if depth is None else depth - 1
                below_key = self.explore(child, below, deeper, frontier)
                answers.append((name, self.describe(name, answer), below_key))
            step = _Step(
                current.field,
                str(current.kind),
                tuple(c.value for c in current.choices),
                tuple(answers),
            )
        self.steps[key] = step
        self.found.append(key)
        return key

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


class _Assembler:
    """Numbers the nodes and decisions of the found steps in the order of one walk from
    the root, answers in order, and counts the statistics: the same document whichever
    explorer found which step."""

    def __init__(self, steps: Mapping[Hashable, _Step]) -> None:
        self.steps = steps
        self.nodes: list[dict[str, Any]] = []
        self.decisions: list[dict[str, Any]] = []
        self.decision_index: dict[str, int] = {}
        self.seen: dict[Hashable, int] = {}
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

    def visit(self, key: Hashable) -> int:
        found = self.seen.get(key)
        if found is not None:
            return found
        step = self.steps[key]
        if step.field is None:
            ref = -self.decision(step.decision) - 1
        else:
            ref = len(self.nodes)
            node: dict[str, Any] = {"question": step.field, "next": {}}
            self.nodes.append(node)
            self.depth.append(0)
            self.paths.append(0)
            self.mean.append(0.0)
            self.most.append(0)
            self.routes.append({})
            described = self.questions.setdefault(step.field, {"kind": step.kind, "answers": {}})
            for name, description, child in step.answers:
                described["answers"].setdefault(name, description)
                node["next"][name] = self.visit(child)
            children = node["next"].values()
            self.depth[ref] = 1 + max(self.depth[c] if c >= 0 else 0 for c in children)
            self.paths[ref] = sum(self.paths[c] if c >= 0 else 1 for c in children)
            self.case_stats(ref, step)
        self.seen[key] = ref
        return ref

    def case_stats(self, ref: int, step: _Step) -> None:
        """A case answers every question with one of its answers, each equally likely;
        the chip by its maker, not by the date that also tells it."""
        nexts = self.nodes[ref]["next"]
        cases = list(step.choices) or [
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

    def decision(self, encoded: str) -> int:
        # Decisions' keys come in one order (Decision.to_json), so equal decisions are
        # equal JSON.
        index = self.decision_index.get(encoded)
        if index is None:
            document = json.loads(encoded)
            index = self.decision_index[encoded] = len(self.decisions)
            self.decisions.append(document)
            self.leaf_routes.append(document["route"])
        return index


# The first questions are explored in the calling process; the states they leave are
# shared out, one at a time, to the workers, which balances subtrees of very different
# sizes.
_FRONTIER_DEPTH: Final = 8
_forked: _Explorer | None = None  # the caller's explorer, which forked workers inherit


def _digest(key: Hashable) -> bytes:
    """A key as 16 bytes, the same in every process: keys are large, and tens of
    thousands of them cross between processes."""
    assert isinstance(key, tuple)
    buckets, generations, asked = key
    text = repr((buckets, generations, sorted(asked)))
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def _digested(
    steps: Mapping[Hashable, _Step], keys: Iterable[Hashable]
) -> list[tuple[bytes, _Step]]:
    digests: dict[Hashable, bytes] = {}

    def digest(key: Hashable) -> bytes:
        found = digests.get(key)
        if found is None:
            found = digests[key] = _digest(key)
        return found

    out = []
    for key in keys:
        step = steps[key]
        answers = tuple((name, said, digest(child)) for name, said, child in step.answers)
        out.append((digest(key), step._replace(answers=answers)))
    return out


def _explore_below(state: tuple[dict[str, Any], frozenset[str]]) -> list[tuple[bytes, _Step]]:
    explorer = _forked
    assert explorer is not None
    explorer.found = []
    explorer.explore(*state)
    return _digested(explorer.steps, explorer.found)


def _explore(
    decider: Decider, data: dict[str, Any], today: date, ask_safety: bool, workers: int | None
) -> tuple[Hashable, Mapping[Hashable, _Step]]:
    """The root's key and the step of every state below it, by key."""
    global _forked
    explorer = _Explorer(decider, today, ask_safety)
    asked = frozenset(data)
    workers = workers or min(2, os.cpu_count() or 1)
    if workers < 2:
        return explorer.explore(data, asked), explorer.steps
    frontier: dict[Key, tuple[dict[str, Any], frozenset[str]]] = {}
    root = explorer.explore(data, asked, _FRONTIER_DEPTH, frontier)
    steps: dict[Hashable, _Step] = dict(_digested(explorer.steps, explorer.found))
    pending = [state for key, state in frontier.items() if key not in explorer.steps]
    if pending:
        # Imported here: a tree read from the cache must not pay for it. Forked, as the
        # decision table is built: the workers inherit the loaded table and memos.
        import multiprocessing

        _forked = explorer
        try:
            with multiprocessing.get_context("fork").Pool(min(workers, len(pending))) as pool:
                for found in pool.imap_unordered(_explore_below, pending):
                    steps.update(found)
        finally:
            _forked = None
    return _digest(root), steps


def export_tree(
    decider: Decider,
    known: Mapping[str, Any] | None = None,
    *,
    today: date | None = None,
    ask_safety: bool = True,
    workers: int | None = None,
) -> InterviewTree:
    """The interview from `known` facts (default: nothing known) as a decision tree,
    explored on `workers` processes (default: up to 2); the same tree on any number."""
    day = today or date.today()
    data = known_facts(dict(known or {}), day)
    start, steps = _explore(decider, data, day, ask_safety, workers)
    builder = _Assembler(steps)
    root = builder.visit(start)
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
