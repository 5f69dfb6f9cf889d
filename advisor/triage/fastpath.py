"""Batch triage's fast path: a JSON record keyed in one pass, its decision line memoised.

Batches repeat themselves: a million intake cases hold about 150,000 distinct
combinations of what the rules read. A record whose values are all exactly right JSON
(what `parse_facts` takes as it is, without converting anything) is packed into one
integer holding everything that can change its decision; the encoded decision is then
looked up by that integer, and a key seen for the first time is decoded straight into
each ruleset's key. Every other record takes the full path (`parse_facts`,
`Decider.batch_json`), which stays the only source of error records; errors are never
memoised (they name the line). The fast path accepts only what `parse_facts` takes
unchanged, its one rule across facts included (a stolen card is lost; "stolen but not
lost" is an error), and tests/test_batchmemo.py holds it to the full path's bytes on
messy records.

Why the key is complete: a decision depends on `situation()` and, for an unknown chip,
on `possible_generations()`. Those read the chip, the generation the issue date implies
(and the eras around a switch-over day), the days from today to expiry (only through the
rules' thresholds, so the bucket between two cuts is enough; no bucket at all is an
unknown expiry, `expiry_known`), the counters and the yes/no facts. Every one of them is
in the key; `id`, `document_type` and `location` are checked but read by no rule.
"""

from __future__ import annotations

import weakref
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any, Final

from advisor.engine.decider import Decider, Part
from advisor.engine.space import Axis
from advisor.engine.table import INADMISSIBLE, DecisionTable, RulesetTable
from advisor.errors import FactError
from advisor.facts.case import (
    BOOL_FIELDS,
    DATE_FIELDS,
    ENUM_FIELDS,
    MAX_TRIES,
    SAFETY_FIELDS,
    TRIES_FIELDS,
    UNKNOWN_GENERATION,
    Facts,
    derived_generation,
    possible_generations,
)
from advisor.facts.dates import parse_iso_date
from advisor.model import Generation, Status

# The memos' bounds, for memory that stays under 50 MB whatever the batch (measured by
# benchmarks/batch_triage.py, also on its worst case, --random): past a bound a memo
# starts over, and the next records fill it again. A million intake cases hold about
# 142,000 distinct keys, most of them rare: LIMIT keys and the lines they lead to.
LIMIT: Final = 100_000
# Routing parts that cost most to find (incomplete ones: about 5,000 in intake cases)
_INCOMPLETE: Final = 20_000
_SHAPES: Final = 16_384  # record shapes: field order and value types
# A ruleset whose facts allow at most this many keys (unknown counted as a value) keeps
# every part it finds; the routing rules read too many facts to gain from that.
_RULESET_MEMO: Final = 65_536
_BITS: Final = 3  # per fact: unknown plus up to seven values
_NONE = type(None)
# Facts that no rule reads: checked, then left out of the key.
_UNREAD: Final = frozenset({"document_type", "location"})


@dataclass(frozen=True, slots=True)
class _Layout:
    """What one record shape (field names and value types, in order) needs checked."""

    pick: Callable[[tuple[Any, ...]], tuple[Any, ...]]  # the packed facts' values
    codes: tuple[dict[Any, int], ...]  # for each of them: its code, shifted in place
    id: int | None
    chip: int | None
    today: int | None
    issue: int | None
    expiry: int | None


_TYPES: Final[dict[str, tuple[type, ...]]] = {
    # The JSON types that may carry a value `parse_facts` takes as it is. Checked per
    # record shape, so that `1` never passes for `true` nor `true` for 1: they are equal
    # as dictionary keys.
    "id": (str, int, _NONE),
    **dict.fromkeys(BOOL_FIELDS, (bool, _NONE)),
    **dict.fromkeys(TRIES_FIELDS, (int, _NONE)),
    **dict.fromkeys(ENUM_FIELDS, (str, _NONE)),
    **dict.fromkeys(DATE_FIELDS, (str, _NONE)),
}
# Facts packed three bits each; the chip and the dates come after them.
_PACKED: Final = (*BOOL_FIELDS, *TRIES_FIELDS, *_UNREAD)
_SHIFTS: Final = {name: i * _BITS for i, name in enumerate(_PACKED)}
_GEN_SHIFT: Final = len(_PACKED) * _BITS
_LOST: Final = _SHIFTS["card_lost"]
_STOLEN: Final = _SHIFTS["card_stolen"]
_EXPIRY_SHIFT: Final = _GEN_SHIFT + 8
_CHIPS: Final = {str(g): g for g in Generation}
_NAMES: Final = {name: name for name in _TYPES}
_GET: Final = dict.__getitem__


# A record shape that always takes the full path (an unknown field, a value of a type
# `parse_facts` would convert or refuse).
_SLOW: Final = _Layout(lambda values: (), (), None, None, None, None, None)


def _picker(positions: Sequence[int]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    if len(positions) > 1:
        return itemgetter(*positions)
    if positions:
        only = positions[0]
        return lambda values: (values[only],)
    return lambda values: ()


def _cuts(table: DecisionTable, name: str) -> tuple[int, ...]:
    """Every threshold any rule file draws on an integer fact: the union of their
    buckets refines each file's own."""
    return tuple(
        sorted(
            {
                start
                for t in table.tables.values()
                for axis in t.space.axes
                if axis.field == name
                for start in axis.starts or ()
                if start is not None
            }
        )
    )


_Decoder = tuple[int, int, list[int | None]]  # (shift, mask, bucket by code)
# One level of a diagram's walk: (shift, mask, the child's place by code, children)
_Step = tuple[int, int, list[int], list[int]]
# (name, the key bits it reads, its decoders, every part by those bits (small rulesets
# only), and else the parts that cost the decider most by its own key and the chips an
# unknown one may be; the walk of its diagram and the diagram, where the memo has
# diagrams; whether an unknown chip expands its completions: the routing rules)
_Ruleset = tuple[
    str,
    int,
    tuple[_Decoder, ...],
    dict[int, "Part"] | None,
    dict[tuple[tuple[int | None, ...], tuple[str, ...]], "Part"],
    tuple[_Step, ...],
    "_Diagram | None",
    bool,
]


class _Diagram:
    """Which traces the completions of any key of one ruleset reach, for every key, as a
    diagram built once from the ruleset's table.

    A key gives each axis a bucket or leaves it unknown; the decider finds its part by
    enumerating the completions of its unknown axes (2**k cells for k unknown facts) and
    the traces they reach. Those sets are a function of the key that shares almost all of
    its structure: a diagram with a level per axis, where a node's children are its
    buckets and, last, "unknown", whose node is the union of its siblings. Walking it
    costs one list lookup per axis whatever is unknown, and it is small (the routing
    rules' 24 million keys take about 94,000 nodes, built in about 0.2 s; the advisory
    rulesets a few hundred).

    `levels[i]` lists the children of level i's nodes, one more than the axis has
    buckets to a node, each child given as where its own children start in the next
    level (on the last level, a leaf's number); a leaf is a set of traces, a bit per
    trace. Parts by leaf are kept as memos find them: they do not depend on the day."""

    __slots__ = ("leaves", "levels", "parts", "ruleset")

    def __init__(self, table: RulesetTable) -> None:
        axes, strides, cells = table.space.axes, table.space.strides, table.cells
        depth = len(axes)
        rows: list[list[tuple[int, ...]]] = [[] for _ in range(depth)]
        ids: list[dict[tuple[int, ...], int]] = [{} for _ in range(depth)]
        unions: list[dict[tuple[int, int], int]] = [{} for _ in range(depth + 1)]
        leaves: list[int] = []
        leaf_ids: dict[int, int] = {}

        def node(level: int, children: tuple[int, ...]) -> int:
            found = ids[level].get(children)
            if found is None:
                found = ids[level][children] = len(rows[level])
                rows[level].append(children)
            return found

        def leaf(traces: int) -> int:
            found = leaf_ids.get(traces)
            if found is None:
                found = leaf_ids[traces] = len(leaves)
                leaves.append(traces)
            return found

        def union(level: int, a: int, b: int) -> int:
            if a == b:
                return a
            pair = (a, b) if a < b else (b, a)
            found = unions[level].get(pair)
            if found is None:
                if level == depth:
                    found = leaf(leaves[a] | leaves[b])
                else:
                    found = node(
                        level,
                        tuple(
                            union(level + 1, x, y)
                            for x, y in zip(rows[level][a], rows[level][b], strict=True)
                        ),
                    )
                unions[level][pair] = found
            return found

        def build(level: int, base: int) -> int:
            if level == depth:
                trace = cells[base]
                return leaf(0 if trace == INADMISSIBLE else 1 << trace)
            stride = strides[level]
            children = [build(level + 1, base + b * stride) for b in range(len(axes[level].values))]
            unknown = children[0]
            for child in children[1:]:
                unknown = union(level + 1, unknown, child)
            return node(level, (*children, unknown))

        build(0, 0)
        widths = [len(axis.values) + 1 for axis in axes]
        self.levels = tuple(
            [
                child * widths[level + 1] if level + 1 < depth else child
                for children in rows[level]
                for child in children
            ]
            for level in range(depth)
        )
        self.leaves = leaves
        self.ruleset = table.space.ruleset
        self.parts: dict[int, Part | None] = {}

    def part(self, leaf: int, decider: Decider) -> Part | None:
        """The part of a leaf, or None where its traces alone do not decide it."""
        if leaf in self.parts:
            return self.parts[leaf]
        traces = self.leaves[leaf]
        found = decider.batch_part_of_traces(
            self.ruleset, tuple(i for i in range(traces.bit_length()) if traces >> i & 1)
        )
        self.parts[leaf] = found
        return found


Diagrams = dict[str, _Diagram]


_BUILT: Final[weakref.WeakKeyDictionary[Decider, Diagrams]] = weakref.WeakKeyDictionary()


def diagrams(decider: Decider) -> Diagrams:
    """Every ruleset's diagram (`_Diagram`), for a `BatchMemo` that meets many new keys.
    Built once per decider (its table does not change), whatever the day: apps that
    share a decider share them."""
    found = _BUILT.get(decider)
    if found is None:
        table = decider.table
        found = {name: _Diagram(table.tables[name]) for name in decider.batch_order or ()}
        _BUILT[decider] = found
    return found


def _codes(table: DecisionTable) -> dict[str, dict[Any, int]]:
    """Per packed fact: the code of every value `parse_facts` takes as it is."""
    codes: dict[str, dict[Any, int]] = {}
    for name in BOOL_FIELDS:
        # An absent fact that defaults to false shares false's code. Not `card_lost`:
        # a stolen card that is "not lost" is an error, a stolen card alone is not.
        merged = name in SAFETY_FIELDS and name != "card_lost"
        codes[name] = {None: 1 if merged else 0, False: 1, True: 2}
    for name in TRIES_FIELDS:
        cuts = _cuts(table, name)
        codes[name] = {None: 0, **{n: bisect_right(cuts, n) + 1 for n in range(MAX_TRIES + 1)}}
    for name in _UNREAD:
        codes[name] = {None: 0, **dict.fromkeys(map(str, ENUM_FIELDS[name]), 0)}
    assert all(max(c.values()) < 2**_BITS for c in codes.values())
    return codes


class BatchMemo:
    """Decision lines of exact JSON records, by a key packed from their values.

    Not thread-safe: one batch, one memo."""

    def __init__(
        self,
        decider: Decider,
        today: date,
        limit: int = LIMIT,
        diagrams: Diagrams | None = None,
    ) -> None:
        """`diagrams`: from `diagrams(decider)`; a key not seen yet then walks them for
        its parts instead of enumerating its completions."""
        self._decider = decider
        self._diagrams = diagrams or {}
        self._today_ordinal = today.toordinal()
        self._limit = limit
        self._tails: dict[int, str] = {}
        self._lines: dict[tuple[Part, ...], str] = {}
        self._layouts: dict[tuple[Any, ...], _Layout] = {}
        self._ordinals: dict[str, int] = {}
        self._eras: dict[str, int] = {}
        self._era_codes: dict[tuple[Any, ...], int] = {}
        self._era_meanings: list[tuple[Generation | None, tuple[Generation, ...]]] = []
        self._gen_codes: dict[tuple[str | None, int], int] = {}
        self._gen_meanings: dict[tuple[Any, ...], int] = {}
        self._gen_choices: list[tuple[str, ...]] = [()]  # by generation code
        table = decider.table
        self._plain_codes = _codes(table)
        self._codes = {  # shifted into their place in a key
            name: {value: code << _SHIFTS[name] for value, code in codes.items()}
            for name, codes in self._plain_codes.items()
        }
        self._expiry_cuts = _cuts(table, "expiry_days_left")
        assert len(self._expiry_cuts) + 2 < 2**8
        self._rulesets = self._make_rulesets(table, decider.batch_order)
        self.hits = 0
        self.misses = 0

    def line(self, data: dict[str, Any]) -> tuple[str, str] | None:
        """(the id as JSON, the rest of the decision line), or None: take the full path."""
        values = tuple(data.values())
        signature = (*data, *map(type, values))  # the names, then the types
        layout = self._layouts.get(signature) or self._layout(signature)
        if layout is _SLOW:
            return None
        try:
            # The codes sit in separate bits, so their sum is the packed key.
            code: int = sum(map(_GET, layout.codes, layout.pick(values)))
        except KeyError:
            return None
        if (code >> _STOLEN) & 7 == 2:
            # As `parse_facts`: a stolen card is lost, and "stolen but not lost" an error.
            if (code >> _LOST) & 7 == 1:
                return None
            code |= 2 << _LOST
        today = self._today_ordinal
        if layout.today is not None and (raw := values[layout.today]) is not None:
            found = self._ordinals.get(raw) or self._ordinal(raw, "today")
            if found is None:
                return None
            today = found
        era = 0
        if layout.issue is not None and (raw := values[layout.issue]) is not None:
            found = self._eras.get(raw) or self._era(raw)
            if found is None:
                return None
            era = found
        chip = values[layout.chip] if layout.chip is not None else None
        generation = self._gen_codes.get((chip, era)) or self._generation(chip, era)
        if generation is None:
            return None
        code |= generation << _GEN_SHIFT
        if layout.expiry is not None and (raw := values[layout.expiry]) is not None:
            expiry = self._ordinals.get(raw) or self._ordinal(raw, "expiry_date")
            if expiry is None:
                return None
            code |= (bisect_right(self._expiry_cuts, expiry - today) + 1) << _EXPIRY_SHIFT
        tail = self._tails.get(code)
        if tail is None:
            tail = self._resolve(code)
        else:
            self.hits += 1
        case_id = values[layout.id] if layout.id is not None else None
        if case_id is None:
            return "null", tail
        return encode_basestring(case_id if type(case_id) is str else str(case_id)), tail

    def _resolve(self, code: int) -> str:
        """The line of a key not seen yet, from each ruleset's part."""
        self.misses += 1
        decider = self._decider
        choices = self._gen_choices[(code >> _GEN_SHIFT) & 0xFF]
        parts = []
        for name, mask, decoders, memo, kept, walk, diagram, expands in self._rulesets:
            part = None
            if memo is not None:
                part = memo.get(code & mask)
                if part is not None:
                    parts.append(part)
                    continue
            # A chip that may be several (`choices`) expands the routing rules' completions
            # beyond what the table's cells say: that key takes the decider's way.
            if diagram is not None and not (choices and expands):
                at = 0
                for shift, bits, place, children in walk:
                    at = children[at + place[(code >> shift) & bits]]
                part = diagram.parts.get(at) or diagram.part(at, decider)
            if part is None:
                key = tuple([table[(code >> shift) & bits] for shift, bits, table in decoders])
                part = kept.get((key, choices))
                if part is None:
                    part = decider.batch_part(name, key, choices)
                    # Kept where the decider enumerated every completion for it: ranked
                    # questions, or a chip expanded. A decided part it finds again cheaply.
                    costly = part.status is not Status.DECIDED or (choices and expands)
                    if memo is None and costly:
                        if len(kept) >= _INCOMPLETE:
                            kept.clear()
                        kept[(key, choices)] = part
            if memo is not None:
                if len(memo) >= _RULESET_MEMO:  # finer codes than keys: bound it
                    memo.clear()
                memo[code & mask] = part
            parts.append(part)
        # Keys are many, lines few (about 2,500 distinct among 150,000 keys of intake
        # cases): each line is kept once, by its parts.
        # Both memos start over together: a line dropped from one while the other still
        # held it would come back as a second copy.
        if len(self._tails) >= self._limit:
            self._tails.clear()
            self._lines.clear()
        whole = tuple(parts)
        tail = self._lines.get(whole)
        if tail is None:
            tail = self._lines[whole] = ", " + decider.batch_assemble(whole) + "\n"
        self._tails[code] = tail
        return tail

    def _make_rulesets(self, table: DecisionTable, order: tuple[str, ...] | None) -> list[_Ruleset]:
        """Per ruleset (in the decider's batch order): the bits of a key it reads, where
        each of its axes sits in a key with the axis's bucket for each code, and a memo
        of its parts by those bits where the ruleset reads few enough facts for one.
        The chip's tables grow as codes for new (chip, issue date) meanings appear."""
        self._gen_tables: list[tuple[Axis, int, list[int | None]]] = []
        self._gen_places: list[tuple[Axis, int, list[int]]] = []
        route = self._decider.route_ruleset
        rulesets: list[_Ruleset] = []
        for name in order or ():  # no order: no fast path, every record takes the full one
            axes = table.tables[name].space.axes
            decoders = tuple(self._decoder(axis) for axis in axes)
            mask = 0
            for shift, bits, _ in decoders:
                mask |= bits << shift
            keys = 1
            for axis in axes:
                keys *= len(axis.values) + 1
            diagram = self._diagrams.get(name)
            walk: tuple[_Step, ...] = ()
            if diagram is not None:
                walk = tuple(
                    (shift, bits, self._places(axis, buckets), children)
                    for axis, (shift, bits, buckets), children in zip(
                        axes, decoders, diagram.levels, strict=True
                    )
                )
            # With a diagram, a part costs a walk: a memo by code still answers the
            # advisory rulesets' few keys sooner, not the routing rules' many.
            kept = keys <= _RULESET_MEMO or (diagram is not None and name != route)
            memo: dict[int, Part] | None = {} if kept else None
            rulesets.append((name, mask, decoders, memo, {}, walk, diagram, name == route))
        return rulesets

    def _places(self, axis: Axis, buckets: list[int | None]) -> list[int]:
        """A decoder's buckets as children in a diagram: unknown is the last child."""
        unknown = len(axis.values)
        places = [unknown if b is None else b for b in buckets]
        for gen_axis, which, gen_table in self._gen_tables:
            if gen_table is buckets:  # grows with new chip meanings, as its decoder does
                self._gen_places.append((gen_axis, which, places))
        return places

    def _decoder(self, axis: Axis) -> _Decoder:
        field = axis.field
        if field in ("card_generation", "generation_conflict"):
            gen_table: list[int | None] = [None]
            self._gen_tables.append((axis, 0 if field == "card_generation" else 1, gen_table))
            return _GEN_SHIFT, 0xFF, gen_table
        if field == "expiry_days_left":
            cuts = self._expiry_cuts
            # A representative day count of each span between the union's cuts.
            spans = [cuts[0] - 1 if cuts else 0, *cuts]
            return _EXPIRY_SHIFT, 0xFF, [None, *(axis.bucket(days) for days in spans)]
        if field == "expiry_known":
            # Read from the same bits: code 0 is an expiry nobody gave.
            known = [axis.bucket(True)] * (len(self._expiry_cuts) + 1)
            return _EXPIRY_SHIFT, 0xFF, [axis.bucket(False), *known]
        codes = self._plain_codes[field]
        defaulted = field in SAFETY_FIELDS  # Facts says false when not given
        out: list[int | None] = [None] * 2**_BITS
        for value, code in codes.items():
            if value is None:
                out[code] = axis.bucket(False) if defaulted else None
            elif out[code] is None:  # the smallest value stands for its bucket
                out[code] = axis.bucket(value)
        if defaulted:
            out[0] = axis.bucket(False)
        return _SHIFTS[field], 2**_BITS - 1, out

    def _layout(self, signature: tuple[Any, ...]) -> _Layout:
        # One loop, no comprehensions: a worker meets new shapes all day (the facts a
        # case leaves out vary), about one request in seven.
        half = len(signature) // 2
        names, types = signature[:half], signature[half:]
        layout = _SLOW
        if self._rulesets:
            packed: list[int] = []
            codes: list[dict[Any, int]] = []
            place: dict[str, int] = {}
            all_codes = self._codes
            for i, name in enumerate(names):
                if types[i] not in _TYPES.get(name, ()):
                    break
                place[name] = i
                if name in _SHIFTS:
                    packed.append(i)
                    codes.append(all_codes[name])
            else:
                layout = _Layout(
                    _picker(packed),
                    tuple(codes),
                    place.get("id"),
                    place.get("card_generation"),
                    place.get("today"),
                    place.get("issue_date"),
                    place.get("expiry_date"),
                )
        if len(self._layouts) >= _SHAPES:
            self._layouts.clear()
        # Kept with the program's own strings, not the record's: thousands of shapes
        # must not hold on to thousands of copies of the same names.
        self._layouts[(*map(_NAMES.get, names, names), *types)] = layout
        return layout

    def _ordinal(self, raw: str, field: str) -> int | None:
        try:
            ordinal = parse_iso_date(raw, field).toordinal()
        except FactError:
            return None
        if len(self._ordinals) >= 100_000:
            self._ordinals.clear()
        self._ordinals[raw] = ordinal
        return ordinal

    def _era(self, raw: str) -> int | None:
        """A code for what the issue date says about the chip: the generation it implies
        and the chips it allows (two around a switch-over day)."""
        try:
            issued = Facts(issue_date=parse_iso_date(raw, "issue_date"))
        except FactError:
            return None
        meaning = (derived_generation(issued), possible_generations(issued))
        code = self._era_codes.get(meaning)
        if code is None:
            self._era_meanings.append(meaning)
            code = self._era_codes[meaning] = len(self._era_meanings)
        if len(self._eras) >= 100_000:
            self._eras.clear()
        self._eras[raw] = code
        return code

    def _generation(self, raw: str | None, era: int) -> int | None:
        """A code for what the engine sees of the chip (`situation()`): the generation,
        whether the chip and the date disagree, and the chips an unknown one may be."""
        chip = _CHIPS.get(raw) if raw is not None else None
        if raw is not None and chip is None:
            return None  # not exactly a chip's name: the full path judges it
        from_date, by_date = self._era_meanings[era - 1] if era else (None, tuple(Generation))
        seen = str(chip or from_date or UNKNOWN_GENERATION)
        conflict = chip is not None and from_date is not None and chip != from_date
        choices = tuple(str(g) for g in by_date) if seen == UNKNOWN_GENERATION else ()
        meaning = (seen, conflict, choices)
        code = self._gen_meanings.get(meaning)
        if code is None:
            code = self._gen_meanings[meaning] = len(self._gen_choices)
            assert code < 2**8
            self._gen_choices.append(choices)
            for axis, which, gen_table in self._gen_tables:
                gen_table.append(axis.bucket(seen if which == 0 else conflict))
            for axis, which, places in self._gen_places:
                places.append(axis.bucket(seen if which == 0 else conflict))
        self._gen_codes[(raw, era)] = code
        return code
