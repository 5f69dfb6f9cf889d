"""The finite fact space of each ruleset, bucketed at exactly the thresholds its rules use.

Every integer field is cut where some rule compares it with a constant (derived from the
rule files, so a new threshold makes a new bucket by itself); categorical fields keep
their values. A ruleset's space spans only the fields its rules read: a ruleset cannot
tell apart two cases that differ elsewhere, so enumerating its projection is exact.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from advisor.engine.rulebook import RuleSet
from advisor.engine.schema import IMPLICATIONS, SITUATION_FIELDS, FieldDomain


@dataclass(frozen=True)
class Axis:
    """One field of a space: its buckets and a representative engine value for each."""

    field: str
    values: tuple[Any, ...]
    starts: tuple[int | None, ...] | None = None  # integer buckets; None = from -infinity

    @property
    def domain(self) -> FieldDomain:
        return SITUATION_FIELDS[self.field]

    def bucket(self, value: Any) -> int:
        if self.starts is None:
            return self.values.index(value)
        if self.starts[0] is None:
            return bisect.bisect_right(self.starts, value, lo=1) - 1
        return bisect.bisect_right(self.starts, value) - 1

    def label(self, index: int) -> str:
        if self.starts is None:
            value = self.values[index]
            return str(value).lower() if isinstance(value, bool) else str(value)
        start = self.starts[index]
        after = self.starts[index + 1] if index + 1 < len(self.starts) else None
        high = self.domain.high
        last = after - 1 if after is not None else high
        if start is None:
            return f"<{after}"
        if last is None:
            return f">={start}"
        return str(start) if last == start else f"{start}..{last}"


def make_axis(domain: FieldDomain, boundaries: set[int]) -> Axis:
    if not domain.is_int:
        assert domain.values is not None
        return Axis(domain.name, domain.values)
    cuts = sorted(boundaries)
    starts: list[int | None] = [domain.low] if domain.low is not None else [None]
    starts.extend(c for c in cuts if c != domain.low)
    values = []
    for start in starts:
        if start is None:
            # The unbounded lowest bucket: one below the first cut (or any number if none).
            values.append(starts[1] - 1 if len(starts) > 1 and starts[1] is not None else 0)
        else:
            values.append(start)
    return Axis(domain.name, tuple(values), tuple(starts))


@dataclass(frozen=True)
class Space:
    ruleset: str
    axes: tuple[Axis, ...]

    @cached_property
    def strides(self) -> tuple[int, ...]:
        strides = []
        step = 1
        for axis in reversed(self.axes):
            strides.append(step)
            step *= len(axis.values)
        return tuple(reversed(strides))

    def index_of(self, field: str) -> int | None:
        return next((i for i, a in enumerate(self.axes) if a.field == field), None)

    @cached_property
    def size(self) -> int:
        size = 1
        for axis in self.axes:
            size *= len(axis.values)
        return size

    def flat(self, buckets: Sequence[int]) -> int:
        return sum(b * s for b, s in zip(buckets, self.strides, strict=True))

    def buckets_of(self, flat: int) -> tuple[int, ...]:
        out = []
        for stride in self.strides:
            index, flat = divmod(flat, stride)
            out.append(index)
        return tuple(out)

    def situation(self, buckets: Sequence[int]) -> dict[str, Any]:
        return {a.field: a.values[b] for a, b in zip(self.axes, buckets, strict=True)}

    def admissible(self, buckets: Sequence[int]) -> bool:
        view = self.situation(buckets)
        return all(view.get(b, True) for a, b in IMPLICATIONS if view.get(a))

    def combinations(self) -> Iterator[tuple[int, ...]]:
        """Every admissible bucket tuple, in flat-index order."""
        for buckets in itertools.product(*(range(len(a.values)) for a in self.axes)):
            if self.admissible(buckets):
                yield buckets

    @cached_property
    def _encoders(self) -> tuple[tuple[str, Mapping[Any, int]], ...]:
        # Batch triage computes a key per record: a dict lookup per axis keeps it cheap.
        out: list[tuple[str, Mapping[Any, int]]] = []
        for axis in self.axes:
            domain = axis.domain
            if axis.starts is None:
                out.append((axis.field, {v: i for i, v in enumerate(axis.values)}))
            elif domain.low is not None and domain.high is not None:
                values = range(domain.low, domain.high + 1)
                out.append((axis.field, {v: axis.bucket(v) for v in values}))
            else:
                out.append((axis.field, _BucketOf(axis)))
        return tuple(out)

    def key(self, view: Mapping[str, Any]) -> tuple[int | None, ...]:
        """The canonical key of a situation: a bucket per axis, None where unknown.

        The facts layer has validated every value, so each one has its bucket."""
        return tuple([enc[view[f]] if f in view else None for f, enc in self._encoders])


class _BucketOf(Mapping[Any, int]):
    """An unbounded integer axis as a mapping from value to bucket."""

    def __init__(self, axis: Axis) -> None:
        self._axis = axis

    def __getitem__(self, value: Any) -> int:
        return self._axis.bucket(value)

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0


def space_of(ruleset: RuleSet) -> Space:
    boundaries: dict[str, set[int]] = {name: set() for name in ruleset.fields}
    for rule in ruleset.rules:
        for threshold in rule.thresholds:
            boundaries[threshold.field].add(threshold.boundary)
    axes = tuple(make_axis(SITUATION_FIELDS[name], boundaries[name]) for name in ruleset.fields)
    return Space(ruleset.name, axes)
