"""Deciding a case: the engine for fully known facts, the table's completions otherwise.

Contract §2: a case is `decided` when every completion of its unknown facts leads to the
same route, else `incomplete` with the candidate routes and the questions that split them.
One refinement: the chip `unknown` is a value the rules may route on (a lost card with an
unknown chip is suspended at once, contract §3); only where no routing rule fires for it
is the chip completed like any other unknown fact.
"""

from __future__ import annotations

import itertools
import json
import math
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from advisor.engine.decision import Decision, Outcome, compose, most_urgent
from advisor.engine.rulebook import Rule, RuleBook
from advisor.engine.schema import SITUATION_FIELDS
from advisor.engine.table import INADMISSIBLE, DecisionTable, RulesetTable
from advisor.errors import EngineError, RulesLoadError
from advisor.facts.case import UNKNOWN_GENERATION, Facts, possible_generations, situation
from advisor.model import Route, Status, Urgency

# Bounds on the memos (entries): a few tens of MB at most, whatever the batch.
_MEMO_LIMIT = 10_000
_PART_LIMIT = 150_000
_SHARED_LIMIT = 20_000  # parts shared by traces or content: far fewer than keys
_DELTAS_LIMIT = 100_000  # offsets kept for the unknown-fact patterns, in all
_VECTOR_LIMIT = 64  # completions of an incomplete part remembered by their traces
GENERATION = "card_generation"


def route_ruleset_name(book: RuleBook) -> str:
    """Precedence only means something within one ruleset: all routing rules share one file."""
    names = [rs.name for rs in book.rulesets if any(r.kind == "route" for r in rs.rules)]
    if len(names) != 1:
        raise RulesLoadError(
            ", ".join(names) or str(book.directory), "routing rules must all live in one rule file"
        )
    return names[0]


@dataclass(slots=True, eq=False)  # compared and hashed by identity: equal parts are shared
class Part:
    """One ruleset's conclusion for one key, with its pieces of a batch line."""

    ruleset: str
    common: Outcome  # what holds in every completion
    status: Status = Status.DECIDED
    route: Route | None = None
    urgency: Urgency | None = None
    also: tuple[Route, ...] = ()
    candidates: tuple[Route, ...] = ()
    questions: tuple[str, ...] = ()
    # Batch output: this part's pieces of the decision's JSON, encoded once per part.
    head: str = ""  # status .. also, and questions, candidates (route part only)
    tail: str = ""
    advisories_json: tuple[str, ...] = ()
    fired_json: tuple[str, ...] = ()
    because_json: tuple[str, ...] = ()


class Decider:
    def __init__(self, book: RuleBook, table: DecisionTable | Callable[[], DecisionTable]) -> None:
        self.book = book
        self.route_ruleset = route_ruleset_name(book)
        self._table_source = table
        self._table: DecisionTable | None = table if isinstance(table, DecisionTable) else None
        self._lock = threading.Lock()
        self._memo: dict[tuple[tuple[Any, ...], ...], Decision] = {}
        self._parts: dict[tuple[Any, ...], Part] = {}
        self._outcomes: dict[tuple[str, int], Outcome] = {}
        self._rule_index: dict[str, Rule] | None = None
        self._needed = frozenset(f for rs in book.rulesets for f in rs.fields)
        self._version_json = json.dumps(book.version)
        self._encoded: dict[str, str] = {}
        self._shared: dict[Any, Any] = {}
        # Parts repeat far more than their keys: a part is shared by every key whose
        # completions reach the same traces, and a line by every case of the same parts.
        self._by_traces: dict[tuple[Any, ...], Part] = {}
        self._by_vector: dict[tuple[Any, ...], Part] = {}
        self._distinct: dict[tuple[Any, ...], Part] = {}
        self._lines: dict[tuple[Part, ...], str] = {}
        self._deltas: dict[tuple[str, int], list[int]] = {}
        self._gen_axes: dict[str, tuple[int, int] | None] = {}
        self._no_route: dict[str, frozenset[int]] = {}
        self._deltas_size = 0
        # Batch lines are pieced together from per-ruleset JSON fragments; that keeps
        # `fired` in priority order only while the rulesets' priorities do not interleave.
        spans = sorted(
            (
                min(r.pri for r in rs.rules if r.kind != "catch_all"),
                max(r.pri for r in rs.rules if r.kind != "catch_all"),
                rs.name,
            )
            for rs in book.rulesets
        )
        self._fragment_order = tuple(name for _, _, name in spans)
        self._fragments_ok = all(a[1] < b[0] for a, b in itertools.pairwise(spans))

    @property
    def table(self) -> DecisionTable:
        if self._table is None:
            assert callable(self._table_source)
            with self._lock:
                if self._table is None:
                    self._table = self._table_source()
        return self._table

    # --- entry points -----------------------------------------------------------------

    def decide(self, facts: Facts, *, engine: bool = True) -> Decision:
        """Decide one validated case. With `engine`, fully known cases go through the rule
        engine live; everything else (and batch work) is answered from the table."""
        return _with_id(self.decide_anonymous(facts, engine=engine), facts.id)

    def decide_anonymous(self, facts: Facts, *, engine: bool = True) -> Decision:
        """The decision without the case id: table answers are shared between cases."""
        view = situation(facts)
        decision: Decision | None = None
        if engine and self._needed <= view.keys():
            outcome = compose(self.book, self.book.fire(view))
            if outcome.route is not None:
                decision = self._decided(outcome)
        if decision is None:
            generations = (
                possible_generations(facts) if view[GENERATION] == UNKNOWN_GENERATION else ()
            )
            decision = self.decide_situation(view, tuple(str(g) for g in generations))
        return decision

    def keys_of(self, view: Mapping[str, Any]) -> tuple[tuple[int | None, ...], ...]:
        """Each rule file's key of a situation, in the rule book's order: with the chips
        an unknown chip may stand for, all that a decision depends on."""
        table = self.table
        return tuple(table.tables[rs.name].space.key(view) for rs in self.book.rulesets)

    def decide_situation(
        self,
        view: Mapping[str, Any],
        generations: tuple[str, ...] = (),
        *,
        keys: tuple[tuple[int | None, ...], ...] | None = None,
    ) -> Decision:
        """`generations`: the chips an `unknown` generation may stand for (default: all);
        `keys`: `keys_of(view)`, where the caller has it already."""
        table = self.table
        key = self.keys_of(view) if keys is None else keys
        memo_key = (*key, generations)
        cached = self._memo.get(memo_key)
        if cached is None:
            cached = self._resolve(table, key, generations)
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[memo_key] = cached
        return cached

    def batch_json(self, facts: Facts) -> str:
        """The decision's JSON object without its id, exactly as `decide(facts,
        engine=False).to_json()` would encode it, but pieced together from per-ruleset
        fragments that are encoded once: batch triage writes millions of these."""
        if not self._fragments_ok:
            decision = self.decide_anonymous(facts, engine=False).to_json()
            del decision["id"]
            return json.dumps(decision, ensure_ascii=False)[1:]
        view = situation(facts)
        generations = (
            tuple(str(g) for g in possible_generations(facts))
            if view[GENERATION] == UNKNOWN_GENERATION
            else ()
        )
        table = self.table
        parts = tuple(
            self._part(table, name, table.tables[name].space.key(view), generations)
            for name in self._fragment_order
        )
        found = self._lines.get(parts)
        if found is None:
            found = self.batch_assemble(parts)
            if len(self._lines) >= _MEMO_LIMIT:
                self._lines.clear()
            self._lines[parts] = found
        return found

    @property
    def batch_order(self) -> tuple[str, ...] | None:
        """The rulesets whose parts make a batch line (`batch_part`, `batch_assemble`), in
        order; None when their priorities interleave and lines cannot be pieced together."""
        return self._fragment_order if self._fragments_ok else None

    def batch_part(
        self, ruleset: str, key: tuple[int | None, ...], generations: tuple[str, ...]
    ) -> Part:
        """One ruleset's part for its key, not remembered by key: batch triage keeps
        its own memo, by a finer key, where that pays."""
        return self._part(self.table, ruleset, key, generations, remember=False)

    def batch_outcomes(self, ruleset: str) -> list[Outcome]:
        """What each trace of a ruleset's table concludes, by trace id."""
        return [self._outcome(ruleset, i) for i in range(len(self.table.tables[ruleset].traces))]

    def batch_part_of_traces(self, ruleset: str, traces: tuple[int, ...]) -> Part | None:
        """A decided part by the traces its key's completions reach (sorted trace ids),
        without the key: what `batch_part` gives for a key that reaches exactly these
        traces, a chip to expand aside. None where the traces alone do not decide it
        (routes that differ, whose questions need the key; no trace at all): then ask
        `batch_part`."""
        by_traces = (ruleset, traces)
        found = self._by_traces.get(by_traces)
        if found is not None or not traces:
            return found
        outcomes = [self._outcome(ruleset, tid) for tid in traces]
        part = Part(ruleset, _common(outcomes))
        if ruleset == self.route_ruleset:
            routes = {o.route for o in outcomes}
            if len(routes) != 1 or None in routes:
                return None
            _decide_route(part, outcomes)
        found = self._distinct_part(part)
        if len(self._by_traces) >= _SHARED_LIMIT:
            self._by_traces.clear()
        self._by_traces[by_traces] = found
        return found

    def batch_assemble(self, ordered: tuple[Part, ...]) -> str:
        """`batch_json` from the rulesets' parts, in `batch_order`, not memoised."""
        route = next(p for p in ordered if p.ruleset == self.route_ruleset)
        advisories = ", ".join(a for p in ordered for a in p.advisories_json)
        fired = ", ".join(f for p in ordered for f in p.fired_json)
        because = ", ".join(b for p in ordered for b in p.because_json)
        return (
            f'{route.head}, "advisories": [{advisories}], {route.tail}, "fired": [{fired}], '
            f'"because": [{because}], "rules_version": {self._version_json}}}'
        )

    def _encode_part(self, part: Part) -> None:
        # Every string is encoded once per rule base, and shared by all parts.
        encoded = self._encoded
        if not encoded:
            for rule in self.book.rules():
                encoded[rule.name] = json.dumps(rule.name, ensure_ascii=False)
                encoded["because:" + rule.name] = json.dumps(rule.because, ensure_ascii=False)
        dumps = json.dumps
        part.head = (
            f'"status": {dumps(str(part.status))}, '
            f'"route": {dumps(str(part.route) if part.route else None)}, '
            f'"urgency": {dumps(str(part.urgency) if part.urgency else None)}, '
            f'"also": {dumps([str(r) for r in part.also])}'
        )
        part.tail = (
            f'"questions": {dumps(list(part.questions), ensure_ascii=False)}, '
            f'"candidates": {dumps([str(r) for r in part.candidates])}'
        )
        part.advisories_json = tuple(f'"{a}"' for a in part.common.advisories)
        part.fired_json = tuple(encoded[n] for n in part.common.fired)
        part.because_json = tuple(encoded["because:" + n] for n in part.common.fired)
        # Parts are many but their pieces few: share equal pieces, so that a large memo
        # stays small in memory.
        shared = self._shared
        part.head = shared.setdefault(part.head, part.head)
        part.tail = shared.setdefault(part.tail, part.tail)
        part.advisories_json = shared.setdefault(part.advisories_json, part.advisories_json)
        part.fired_json = shared.setdefault(part.fired_json, part.fired_json)
        part.because_json = shared.setdefault(part.because_json, part.because_json)
        part.common = shared.setdefault(part.common, part.common)
        part.also = shared.setdefault(part.also, part.also)
        part.candidates = shared.setdefault(part.candidates, part.candidates)
        part.questions = shared.setdefault(part.questions, part.questions)

    # --- resolution -------------------------------------------------------------------

    def _outcome(self, ruleset: str, trace_id: int) -> Outcome:
        found = self._outcomes.get((ruleset, trace_id))
        if found is None:
            trace = self.table.tables[ruleset].traces[trace_id]
            found = compose(self.book, {ruleset: trace})
            self._outcomes[(ruleset, trace_id)] = found
        return found

    def _completions(
        self,
        t: RulesetTable,
        key: Sequence[int | None],
        expand: bool,
        generations: tuple[str, ...] = (),
    ) -> tuple[list[int], list[int]]:
        """Every admissible completion of the unknown axes, in turn: their flat indices
        and their trace ids (two lists: completions are many, and tuples of them cost)."""
        space = t.space
        cells = t.cells
        base, _, deltas = self._offsets(t, key)
        flats = [base + delta for delta in deltas]
        traces = [cells[flat] for flat in flats]
        routeless = self._routeless(t) if expand else frozenset()
        if INADMISSIBLE not in traces and routeless.isdisjoint(traces):
            return flats, traces
        # Some completions drop out, or stand for every chip an unknown one may be.
        gen_axis = space.index_of(GENERATION) if expand else None
        out_flats: list[int] = []
        out_traces: list[int] = []
        for flat, trace in zip(flats, traces, strict=True):
            if trace == INADMISSIBLE:
                continue
            if gen_axis is not None and trace in routeless:
                axis = space.axes[gen_axis]
                stride = space.strides[gen_axis]
                current = (flat // stride) % len(axis.values)
                if axis.values[current] == UNKNOWN_GENERATION:
                    for bucket, value in enumerate(axis.values):
                        if value != UNKNOWN_GENERATION and (
                            not generations or value in generations
                        ):
                            concrete = flat + (bucket - current) * stride
                            out_flats.append(concrete)
                            out_traces.append(cells[concrete])
                    continue
            out_flats.append(flat)
            out_traces.append(trace)
        return out_flats, out_traces

    def _routeless(self, t: RulesetTable) -> frozenset[int]:
        """The traces of a ruleset that reach no route (only a catch-all fired)."""
        ruleset = t.space.ruleset
        found = self._no_route.get(ruleset)
        if found is None:
            found = self._no_route[ruleset] = frozenset(
                i for i in range(len(t.traces)) if self._outcome(ruleset, i).route is None
            )
        return found

    def _resolve(
        self,
        table: DecisionTable,
        keys: tuple[tuple[int | None, ...], ...],
        generations: tuple[str, ...],
    ) -> Decision:
        parts = [
            self._part(table, ruleset.name, key, generations)
            for ruleset, key in zip(self.book.rulesets, keys, strict=True)
        ]
        merged = self._union([p.common for p in parts])
        route = next(p for p in parts if p.ruleset == self.route_ruleset)
        return Decision(
            route.status,
            self.book.version,
            route=route.route,
            urgency=route.urgency,
            also=route.also,
            advisories=merged.advisories,
            questions=route.questions,
            candidates=route.candidates,
            fired=merged.fired,
            because=self._because(merged.fired),
        )

    def _part(
        self,
        table: DecisionTable,
        ruleset: str,
        key: tuple[int | None, ...],
        generations: tuple[str, ...],
        *,
        remember: bool = True,
    ) -> Part:
        """What one ruleset concludes over the completions of its own unknown axes.

        Memoised per ruleset: a ruleset's key is much smaller than the whole case's, so
        batches of varied cases still mostly hit."""
        is_route = ruleset == self.route_ruleset
        memo_key = (ruleset, key, generations if is_route else ())
        found = self._parts.get(memo_key) if remember else None
        if found is not None:
            return found
        t = table.tables[ruleset]
        by_traces: tuple[Any, ...] | None = None
        by_vector: tuple[Any, ...] | None = None
        if not (is_route and self._may_expand(t, key)):
            # Without a chip to expand, the set of traces the completions reach decides
            # a decided part. An incomplete one depends on more, but only on which axes
            # are unknown and the trace of each completion in turn (its questions group
            # the completions by their unknown axes' buckets, which the offsets hold).
            cells = t.cells
            base, pattern, deltas = self._offsets(t, key)
            vector = tuple([cells[base + delta] for delta in deltas])
            traces = set(vector)
            traces.discard(INADMISSIBLE)
            by_traces = (ruleset, tuple(sorted(traces)))
            found = self._by_traces.get(by_traces)
            if found is None and len(vector) <= _VECTOR_LIMIT:
                by_vector = (ruleset, pattern, vector)
                found = self._by_vector.get(by_vector)
        if found is None:
            found = self._new_part(t, key, generations, is_route)
            if by_traces is not None and found.status is Status.DECIDED:
                if len(self._by_traces) >= _SHARED_LIMIT:
                    self._by_traces.clear()
                self._by_traces[by_traces] = found
            elif by_vector is not None:
                if len(self._by_vector) >= _SHARED_LIMIT // 2:
                    self._by_vector.clear()
                self._by_vector[by_vector] = found
        if remember:
            if len(self._parts) >= _PART_LIMIT:
                for memo in (
                    self._parts,
                    self._shared,
                    self._by_traces,
                    self._by_vector,
                    self._distinct,
                ):
                    memo.clear()
                self._lines.clear()
            self._parts[memo_key] = found
        return found

    def _new_part(
        self,
        t: RulesetTable,
        key: tuple[int | None, ...],
        generations: tuple[str, ...],
        is_route: bool,
    ) -> Part:
        ruleset = t.space.ruleset
        flats, reached = self._completions(t, key, expand=is_route, generations=generations)
        traces = sorted(set(reached))
        outcomes = [self._outcome(ruleset, tid) for tid in traces]
        part = Part(ruleset, _common(outcomes))
        if is_route:
            routes = {o.route for o in outcomes}
            if None in routes:
                raise EngineError("a completion reaches no route: run `advisor rules check`")
            if len(routes) == 1:
                _decide_route(part, outcomes)
            else:
                part.status = Status.INCOMPLETE
                part.candidates = self._candidates(reached)
                part.questions = self._questions(t, key, flats, reached, generations)
        return self._distinct_part(part)

    def _distinct_part(self, part: Part) -> Part:
        """The part with this content seen before, or this one, encoded."""
        content = (
            part.ruleset,
            part.common,
            part.status,
            part.route,
            part.urgency,
            part.also,
            part.candidates,
            part.questions,
        )
        existing = self._distinct.get(content)
        if existing is not None:
            return existing
        self._encode_part(part)
        if len(self._distinct) >= _SHARED_LIMIT:
            self._distinct.clear()
            self._shared.clear()
        self._distinct[content] = part
        return part

    def _may_expand(self, t: RulesetTable, key: Sequence[int | None]) -> bool:
        """Whether this key's chip is `unknown` (or not known at all), so that completions
        may stand for several chips."""
        ruleset = t.space.ruleset
        if ruleset in self._gen_axes:
            where = self._gen_axes[ruleset]
        else:
            index = t.space.index_of(GENERATION)
            where = (
                None
                if index is None
                else (index, t.space.axes[index].values.index(UNKNOWN_GENERATION))
            )
            self._gen_axes[ruleset] = where
        if where is None:
            return False
        bucket = key[where[0]]
        return bucket is None or bucket == where[1]

    def _offsets(self, t: RulesetTable, key: Sequence[int | None]) -> tuple[int, int, list[int]]:
        """The flat indices of every completion of the key's unknown axes, as a base and
        the offsets to add to it, with the pattern of unknown axes (a bit each) that the
        offsets depend on."""
        space = t.space
        base = 0
        pattern = 0  # a bit per unknown axis
        bit = 1
        for bucket, stride in zip(key, space.strides, strict=True):
            if bucket is None:
                pattern |= bit
            else:
                base += bucket * stride
            bit <<= 1
        deltas = self._deltas.get((space.ruleset, pattern))
        if deltas is None:
            offsets = [
                range(0, len(axis.values) * stride, stride)
                for i, (axis, stride) in enumerate(zip(space.axes, space.strides, strict=True))
                if pattern >> i & 1
            ]
            deltas = [sum(o) for o in itertools.product(*offsets)]
            # The offsets depend only on which axes are unknown: few patterns, kept
            # while they stay small.
            if len(deltas) <= 4096:
                self._deltas_size += len(deltas)
                if self._deltas_size > _DELTAS_LIMIT:
                    self._deltas.clear()
                    self._deltas_size = len(deltas)
                self._deltas[(space.ruleset, pattern)] = deltas
        return base, pattern, deltas

    def _decided(self, outcome: Outcome) -> Decision:
        return Decision(
            Status.DECIDED,
            self.book.version,
            route=outcome.route,
            urgency=outcome.urgency,
            also=outcome.also,
            advisories=outcome.advisories,
            fired=outcome.fired,
            because=self._because(outcome.fired),
        )

    def _union(self, outcomes: list[Outcome]) -> Outcome:
        """Join the outcomes of different rulesets into one, in priority order."""
        rules = self._rules_by_name()
        fired = sorted({f for o in outcomes for f in o.fired}, key=lambda n: rules[n].pri)
        advisories = [rules[n].advisory for n in fired if rules[n].advisory is not None]
        return Outcome(
            None, None, (), tuple(dict.fromkeys(a for a in advisories if a)), tuple(fired)
        )

    def _because(self, fired: Sequence[str]) -> tuple[str, ...]:
        rules = self._rules_by_name()
        return tuple(rules[name].because for name in fired)

    def _rules_by_name(self) -> dict[str, Rule]:
        if self._rule_index is None:
            self._rule_index = {r.name: r for r in self.book.rules()}
        return self._rule_index

    def _candidates(self, traces: list[int]) -> tuple[Route, ...]:
        # Safety first: list the candidates in the order of the rules that reach them.
        best: dict[Route, int] = {}
        rules = self._rules_by_name()
        # Completions are many, their traces few.
        for trace in set(traces):
            outcome = self._outcome(self.route_ruleset, trace)
            assert outcome.route is not None
            pri = min(rules[n].pri for n in outcome.fired if rules[n].route == outcome.route)
            best[outcome.route] = min(best.get(outcome.route, pri), pri)
        return tuple(sorted(best, key=best.__getitem__))

    def _questions(
        self,
        t: RulesetTable,
        key: Sequence[int | None],
        flats: list[int],
        traces: list[int],
        generations: tuple[str, ...],
    ) -> tuple[str, ...]:
        """The unknown facts whose answer can change the route, most informative first:
        by the expected drop in route entropy over the completions (`flats`, `traces`:
        `_completions`)."""
        route_of = {trace: self._outcome(self.route_ruleset, trace).route for trace in set(traces)}
        routes = [route_of[trace] for trace in traces]
        total = Counter(routes)
        every = set(total)
        base = _entropy(total)
        axes = t.space.axes
        scored: list[tuple[float, int, str]] = []
        for i, axis in enumerate(axes):
            groups: dict[int, dict[Route | None, int]] = {}
            if key[i] is None:
                stride = t.space.strides[i]
                size = len(axis.values)
                # Counted in one pass; groups and their routes keep the order in which
                # the completions first show them, so the entropies add up as before.
                pairs = Counter(zip([flat // stride % size for flat in flats], routes, strict=True))
                for (bucket, route), count in pairs.items():
                    group = groups.get(bucket)
                    if group is None:
                        group = groups[bucket] = {}
                    group[route] = count
            elif axis.field == GENERATION and axis.values[key[i] or 0] == UNKNOWN_GENERATION:
                # Ask for the chip as if it were unknown: what would each answer decide?
                for value in axis.values:
                    if value == UNKNOWN_GENERATION or (generations and value not in generations):
                        continue
                    fixed = list(key)
                    fixed[i] = axis.bucket(value)
                    answer: Counter[Route | None] = Counter()
                    for trace in self._completions(t, fixed, expand=False)[1]:
                        answer[self._outcome(self.route_ruleset, trace).route] += 1
                    groups[fixed[i] or 0] = answer
            else:
                continue
            if all(set(g) == every for g in groups.values()):
                continue
            n = sum(sum(g.values()) for g in groups.values())
            gain = base - sum(sum(g.values()) / n * _entropy(g) for g in groups.values())
            question = SITUATION_FIELDS[axis.field].question or axis.field
            scored.append((-gain, i, question))
        return tuple(q for _, _, q in sorted(scored))


def _entropy(counts: Mapping[Any, int]) -> float:
    n = sum(counts.values())
    return -sum(c / n * math.log2(c / n) for c in counts.values() if c)


def _common(outcomes: list[Outcome]) -> Outcome:
    """What holds in every completion: advisories and fired rules common to all."""
    first = outcomes[0]
    advisories = tuple(a for a in first.advisories if all(a in o.advisories for o in outcomes))
    fired = [f for f in first.fired if all(f in o.fired for o in outcomes)]
    for other in outcomes[1:]:
        fired = [f for f in fired if f in other.fired]
    return Outcome(first.route, first.urgency, first.also, advisories, tuple(fired))


def _decide_route(part: Part, outcomes: list[Outcome]) -> None:
    """A route part whose completions all reach one route."""
    part.status = Status.DECIDED
    part.route = outcomes[0].route
    part.urgency = most_urgent(o.urgency for o in outcomes)
    part.also = tuple(r for r in outcomes[0].also if all(r in o.also for o in outcomes))


def _with_id(decision: Decision, case_id: str | None) -> Decision:
    return decision if decision.id == case_id else replace(decision, id=case_id)
