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

import json
import weakref
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any, Final

import orjson

from advisor.engine.decider import Decider, Part
from advisor.engine.space import Axis
from advisor.engine.table import INADMISSIBLE, DecisionTable, RulesetTable
from advisor.errors import FactError, printable
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
from advisor.model import URGENCY_ORDER, Generation, Status
from advisor.triage.records import is_json_blank

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
    # The double quotes of a record of this shape whose strings hold no escapes: two per
    # key and two per string value (`BatchMemo.line`'s `quotes`).
    quotes: int = 0


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
_PAIRS: Final = json.JSONDecoder(object_pairs_hook=list).raw_decode


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


# What a set of traces concludes, as far as a part goes: (its smallest trace, the rules
# that fired in all, the advisories and the `also` routes common to all, its routes, its
# most urgent urgency), the sets as bits. Two sets with the same summary give the same
# part (`Decider._common` and the decided route), and the summary of a union is found
# from the summaries alone, so a diagram can hold summaries instead of sets of traces.
_Summary = tuple[int, ...]
_EMPTY: Final[_Summary] = ()  # no admissible completion
_UNDECIDED: Final[_Summary] = (-1,)  # routes that differ: the decider ranks questions


class _Diagram:
    """The part of every key of one ruleset, as a diagram built once from the ruleset's
    table, or None where the decider must be asked.

    A key gives each axis a bucket or leaves it unknown; the decider finds its part by
    enumerating the completions of its unknown axes (2**k cells for k unknown facts)
    and composing the outcomes of the traces they reach. That is a function of the key
    with a lot of shared structure: a diagram with a level per axis, where a node's
    children are its buckets and, last, "unknown", whose node joins its siblings'.
    Walking it costs one list lookup per axis, whatever is unknown. Its leaves are built
    as summaries of sets of traces, then made parts: the routing rules' 24 million keys
    reach 123,000 different sets of traces but only a few hundred parts, and the diagram
    shrinks with them to about a thousand nodes (a few hundred for the advisory rules).

    `levels[i]` lists the children of level i's nodes, one more than the axis has
    buckets to a node, each child given as where its own children start in the next
    level (on the last level, its index in `parts`). A part is None for routes that
    differ (the decider ranks their questions, which need the key) and for keys no case
    has (no admissible completion)."""

    __slots__ = ("levels", "order", "parts")

    def __init__(self, table: RulesetTable, decider: Decider, order: Sequence[int]) -> None:
        """`order`: the table's axes in the order of the diagram's levels."""
        ruleset = table.space.ruleset
        axes = [table.space.axes[i] for i in order]
        strides = [table.space.strides[i] for i in order]
        cells = table.cells
        depth = len(axes)
        is_route = ruleset == decider.route_ruleset
        outcomes = decider.batch_outcomes(ruleset)
        bits: dict[object, int] = {}

        def bits_of(items: Sequence[object]) -> int:
            out = 0
            for item in items:
                out |= 1 << bits.setdefault(item, len(bits))
            return out

        none = bits_of([("route", None)])
        traces: list[_Summary] = [
            (
                i,
                bits_of(o.fired),
                bits_of([("advisory", a) for a in o.advisories]),
                bits_of([("also", r) for r in o.also]),
                bits_of([("route", o.route)]) if is_route else 0,
                URGENCY_ORDER[o.urgency] if o.urgency is not None else len(URGENCY_ORDER),
            )
            for i, o in enumerate(outcomes)
        ]
        if is_route:  # a completion that reaches no route is the decider's to refuse
            traces = [
                _UNDECIDED if o.route is None else t for t, o in zip(traces, outcomes, strict=True)
            ]

        def join(a: _Summary, b: _Summary) -> _Summary:
            if not a or b == _UNDECIDED:
                return b
            if not b or a == _UNDECIDED:
                return a
            routes = a[4] | b[4]
            if routes & (routes - 1) or routes & none:
                return _UNDECIDED
            return (min(a[0], b[0]), a[1] & b[1], a[2] & b[2], a[3] & b[3], routes, min(a[5], b[5]))

        summaries: list[_Summary] = []
        reached: list[int] = []  # per leaf: a set of traces with its summary
        leaf_ids: dict[_Summary, int] = {}
        rows: list[list[tuple[int, ...]]] = [[] for _ in range(depth)]
        ids: list[dict[tuple[int, ...], int]] = [{} for _ in range(depth)]
        unions: list[dict[tuple[int, int], int]] = [{} for _ in range(depth + 1)]

        def leaf(summary: _Summary, traces_bits: int) -> int:
            found = leaf_ids.get(summary)
            if found is None:
                found = leaf_ids[summary] = len(summaries)
                summaries.append(summary)
                reached.append(traces_bits)
            return found

        def node(level: int, children: tuple[int, ...]) -> int:
            found = ids[level].get(children)
            if found is None:
                found = ids[level][children] = len(rows[level])
                rows[level].append(children)
            return found

        def union(level: int, a: int, b: int) -> int:
            if a == b:
                return a
            pair = (a, b) if a < b else (b, a)
            found = unions[level].get(pair)
            if found is None:
                if level == depth:
                    found = leaf(join(summaries[a], summaries[b]), reached[a] | reached[b])
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
                if trace == INADMISSIBLE:
                    return leaf(_EMPTY, 0)
                return leaf(traces[trace], 1 << trace)
            stride = strides[level]
            children = [build(level + 1, base + b * stride) for b in range(len(axes[level].values))]
            unknown = children[0]
            for child in children[1:]:
                unknown = union(level + 1, unknown, child)
            return node(level, (*children, unknown))

        build(0, 0)
        # Each leaf's part, from the decider itself; then the nodes again, bottom up,
        # by the parts they lead to (far fewer than summaries).
        parts: list[Part | None] = []
        part_ids: dict[int, int] = {}  # by id(part); None at -1
        relabel: list[int] = []
        for summary, traces_bits in zip(summaries, reached, strict=True):
            part = None
            if summary not in (_EMPTY, _UNDECIDED):
                part = decider.batch_part_of_traces(
                    ruleset,
                    tuple(i for i in range(traces_bits.bit_length()) if traces_bits >> i & 1),
                )
                assert part is not None
            tag = id(part) if part is not None else -1
            if tag not in part_ids:
                part_ids[tag] = len(parts)
                parts.append(part)
            relabel.append(part_ids[tag])
        levels: list[list[int]] = []
        width = 1  # of the level below: leaves are indices
        for level in range(depth - 1, -1, -1):
            children_of: dict[tuple[int, ...], int] = {}
            flat: list[int] = []
            renamed: list[int] = []
            for children in rows[level]:
                shared = tuple(relabel[child] * width for child in children)
                found = children_of.get(shared)
                if found is None:
                    found = children_of[shared] = len(children_of)
                    flat.extend(shared)
                renamed.append(found)
            levels.append(flat)
            relabel = renamed
            width = len(axes[level].values) + 1
        levels.reverse()
        self.levels = tuple(levels)
        self.parts = parts
        self.order = tuple(order)


_GEN_FIELDS: Final = ("card_generation", "generation_conflict")  # read from the chip's code
_EXPIRY_FIELDS: Final = ("expiry_days_left", "expiry_known")  # read from the expiry's code


def _bits_of(field: str) -> tuple[int, int]:
    """Where a fact's code sits in a key: (shift, mask)."""
    if field in _GEN_FIELDS:
        return _GEN_SHIFT, 0xFF
    if field in _EXPIRY_FIELDS:
        return _EXPIRY_SHIFT, 0xFF
    return _SHIFTS[field], 2**_BITS - 1


class Diagrams:
    """What a worker builds once per decider (its table does not change), whatever the
    day: each ruleset's diagram (`_Diagram`), and their product over a packed key, whose
    leaves are whole decision lines.

    The product has a level per fact that some ruleset reads, in one order for all
    (each ruleset's diagram is built in that order); a level's children are the codes
    the fact may have in a key (for the chip, the chips and whether they conflict with
    the issue date: their codes are found as records come), and a node stands for where
    every ruleset's walk has got to. A key not seen before then costs one walk instead
    of a walk per ruleset. A leaf holds every ruleset's part, None for routes that
    differ (then only the routing part is the decider's to find), and else the whole
    line, pieced together when the diagrams are built. With the rules of 2026-12 the
    product has 7,326 leaves (4,708 with a line, 3,052 distinct lines) and 83,000
    children in all, built with the rulesets' diagrams in about 0.13 s."""

    def __init__(self, decider: Decider) -> None:
        table = decider.table
        order = decider.batch_order or ()
        fields: list[str] = []
        for name in order:
            for axis in table.tables[name].space.axes:
                if axis.field not in fields:
                    fields.append(axis.field)
        self.fields = tuple(fields)
        self.rulesets: dict[str, _Diagram] = {}
        for name in order:
            axes = table.tables[name].space.axes
            walk = sorted(range(len(axes)), key=lambda i: fields.index(axes[i].field))
            self.rulesets[name] = _Diagram(table.tables[name], decider, walk)
        self.chips: tuple[Any, ...] = ()
        # The product: per level, (the fact, its children); per leaf, its parts in batch
        # order and its line (None where a part is).
        self.levels: tuple[tuple[str, list[int]], ...] = ()
        self.parts: list[tuple[Part | None, ...]] = []
        self.lines: list[str | None] = []
        if order:
            self._product(decider, table, order)

    def _product(self, decider: Decider, table: DecisionTable, order: tuple[str, ...]) -> None:
        plain = _codes(table)
        expiry_cuts = _cuts(table, "expiry_days_left")
        diagrams = [self.rulesets[name] for name in order]
        axes = [
            [table.tables[name].space.axes[i] for i in d.order]
            for name, d in zip(order, diagrams, strict=True)
        ]
        for ruleset_axes in axes:
            for axis in ruleset_axes:
                if axis.field == "card_generation":
                    self.chips = axis.values
        depth = [0] * len(order)  # how far each ruleset's walk has got
        states: dict[tuple[int, ...], int] = {(0,) * len(order): 0}
        levels: list[tuple[str, list[int]]] = []
        widths: list[int] = []
        for field in self.fields:
            # Per reading ruleset: its child's place for each of this level's codes.
            readers: list[tuple[int, list[int], list[int]]] = []
            for k, ruleset_axes in enumerate(axes):
                if depth[k] < len(ruleset_axes) and ruleset_axes[depth[k]].field == field:
                    axis = ruleset_axes[depth[k]]
                    if field == "card_generation":
                        places = [axis.bucket(chip) for chip in self.chips]
                    elif field == "generation_conflict":
                        places = [axis.bucket(False), axis.bucket(True)]
                    else:
                        buckets = _static_decoder(axis, plain, expiry_cuts)[2]
                        unknown = len(axis.values)
                        places = [unknown if b is None else b for b in buckets]
                    readers.append((k, places, diagrams[k].levels[depth[k]]))
                    depth[k] += 1
            width = len(readers[0][1])
            following: dict[tuple[int, ...], int] = {}
            children: list[int] = []
            for state in states:  # in the order of their numbers
                for code in range(width):
                    moved = list(state)
                    for k, places, below in readers:
                        moved[k] = below[state[k] + places[code]]
                    children.append(following.setdefault(tuple(moved), len(following)))
            levels.append((field, children))
            widths.append(width)
            states = following
        assert depth == [len(ruleset_axes) for ruleset_axes in axes]
        # Each child as where its own children start, as in `_Diagram` (on the last
        # level, its line's index).
        self.levels = tuple(
            (
                field,
                [child * widths[i + 1] for child in children] if i + 1 < len(levels) else children,
            )
            for i, (field, children) in enumerate(levels)
        )
        self.parts = [
            tuple(d.parts[at] for d, at in zip(diagrams, state, strict=True)) for state in states
        ]
        # Every whole line now (about 4,700 in 20 ms): a worker's first day of new cases
        # would otherwise piece them together one request at a time.
        shared: dict[str, str] = {}  # equal lines kept once (about 3,000 of them)
        self.lines = []
        for parts in self.parts:
            line = None
            whole = tuple(part for part in parts if part is not None)
            if len(whole) == len(parts):
                line = ", " + decider.batch_assemble(whole) + "\n"
                line = shared.setdefault(line, line)
            self.lines.append(line)


_BUILT: Final[weakref.WeakKeyDictionary[Decider, Diagrams]] = weakref.WeakKeyDictionary()


def diagrams(decider: Decider) -> Diagrams:
    """The decider's `Diagrams`, built on first use, for a `BatchMemo` that meets many
    new keys; apps that share a decider share them."""
    found = _BUILT.get(decider)
    if found is None:
        found = _BUILT[decider] = Diagrams(decider)
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


def _static_decoder(
    axis: Axis, plain_codes: dict[str, dict[Any, int]], expiry_cuts: tuple[int, ...]
) -> _Decoder:
    """Where an axis other than the chip's reads a key, and its bucket for each code."""
    field = axis.field
    if field == "expiry_days_left":
        # A representative day count of each span between the union's cuts.
        spans = [expiry_cuts[0] - 1 if expiry_cuts else 0, *expiry_cuts]
        return _EXPIRY_SHIFT, 0xFF, [None, *(axis.bucket(days) for days in spans)]
    if field == "expiry_known":
        # Read from the same bits: code 0 is an expiry nobody gave.
        known = [axis.bucket(True)] * (len(expiry_cuts) + 1)
        return _EXPIRY_SHIFT, 0xFF, [axis.bucket(False), *known]
    codes = plain_codes[field]
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
        self._diagrams = diagrams
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

    def read(self, raw: str | bytes) -> tuple[str, str] | None:
        """`line` of a record as it came (a JSON Lines line; an API body, UTF-8), or None:
        the full path judges anything irregular (a repeated key, blanks before the
        object, junk after it, an id holding a lone surrogate)."""
        if (b"\\" not in raw) if isinstance(raw, bytes) else ("\\" not in raw):
            # orjson reads a record in a third of json's time but keeps the last of a
            # repeated key: without escapes, counting the quotes tells (`line`).
            try:
                data = orjson.loads(raw)
            except orjson.JSONDecodeError:
                return None
            if type(data) is not dict:
                return None
            quotes = raw.count(b'"') if isinstance(raw, bytes) else raw.count('"')
            found = self.line(data, quotes)
        else:
            try:
                text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                if text[:1] != "{":  # so that the pairs below are an object's
                    return None
                # The pairs as a list (the decoder calls `list` in C): a repeated key
                # shows as more pairs than the dict has keys, at a fraction of a Python
                # hook's cost.
                pairs, end = _PAIRS(text)
            except Exception:  # anything the reader refuses is the full path's to word
                return None
            if end != len(text) and not is_json_blank(text[end:]):
                return None
            data = dict(pairs)
            if len(data) != len(pairs):
                return None
            found = self.line(data)
        if found is not None and not found[0].isascii() and printable(found[0]) != found[0]:
            return None  # an id holding a lone surrogate is the full path's error
        return found

    def line(self, data: dict[str, Any], quotes: int | None = None) -> tuple[str, str] | None:
        """(the id as JSON, the rest of the decision line), or None: take the full path.

        `quotes`: the double quotes of the text `data` was read from, by a reader that
        keeps the last of a repeated key, when that text holds no backslash. Each key and
        each string value is then two quotes, so a text with more quotes than `data`
        accounts for repeats a key: the full path's error."""
        values = tuple(data.values())
        signature = (*data, *map(type, values))  # the names, then the types
        layout = self._layouts.get(signature) or self._layout(signature)
        if layout is _SLOW or (quotes is not None and quotes != layout.quotes):
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
        known: tuple[Part | None, ...] = ()
        at = 0
        if self._product and not choices:  # an unknown chip: see `expands` below
            for shift, bits, places, children in self._product:
                at = children[at + places[(code >> shift) & bits]]
            line = self._product_lines[at]
            if line is not None:
                return self._keep(code, line)
            known = self._product_parts[at]
        parts = []
        for i, (name, mask, decoders, memo, kept, walk, diagram, expands) in enumerate(
            self._rulesets
        ):
            if known:
                part = known[i]
            else:
                part = memo.get(code & mask) if memo is not None else None
                if part is not None:
                    parts.append(part)
                    continue
                # A chip that may be several (`choices`) expands the routing rules'
                # completions beyond what the table's cells say: the decider's way.
                if diagram is not None and not (choices and expands):
                    at_part = 0
                    for shift, bits, place, children in walk:
                        at_part = children[at_part + place[(code >> shift) & bits]]
                    part = diagram.parts[at_part]
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
            if memo is not None and not known:
                if len(memo) >= _RULESET_MEMO:  # finer codes than keys: bound it
                    memo.clear()
                memo[code & mask] = part
            parts.append(part)
        # Keys are many, lines few (about 2,500 distinct among 150,000 keys of intake
        # cases): each line is kept once, by its parts.
        whole = tuple(parts)
        tail = self._lines.get(whole)
        if tail is None:
            tail = self._lines[whole] = ", " + decider.batch_assemble(whole) + "\n"
        return self._keep(code, tail)

    def _keep(self, code: int, tail: str) -> str:
        # Both memos start over together: a line dropped from one while the other still
        # held it would come back as a second copy.
        if len(self._tails) >= self._limit:
            self._tails.clear()
            self._lines.clear()
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
            diagram = self._diagrams.rulesets[name] if self._diagrams is not None else None
            walk: tuple[_Step, ...] = ()
            if diagram is not None:
                walk = tuple(
                    (
                        decoders[i][0],
                        decoders[i][1],
                        self._places(axes[i], decoders[i][2]),
                        children,
                    )
                    for i, children in zip(diagram.order, diagram.levels, strict=True)
                )
            # With a diagram, a part costs a walk: a memo by code still answers the
            # advisory rulesets' few keys sooner, not the routing rules' many.
            kept = keys <= _RULESET_MEMO or (diagram is not None and name != route)
            memo: dict[int, Part] | None = {} if kept else None
            rulesets.append((name, mask, decoders, memo, {}, walk, diagram, name == route))
        # The product's walk: a fact's code is its child, but for the chip's code, which
        # names a chip and a conflict as records bring them (`_generation`).
        self._chip_places: list[int] = [0]
        self._conflict_places: list[int] = [0]
        product: list[_Step] = []
        if self._diagrams is not None and rulesets:
            for field, children in self._diagrams.levels:
                shift, bits = _bits_of(field)
                if field == "card_generation":
                    places = self._chip_places
                elif field == "generation_conflict":
                    places = self._conflict_places
                else:
                    places = list(range(bits + 1))
                product.append((shift, bits, places, children))
        self._product = tuple(product)
        self._product_parts = self._diagrams.parts if self._diagrams is not None else []
        self._product_lines = self._diagrams.lines if self._diagrams is not None else []
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
        if axis.field in _GEN_FIELDS:
            gen_table: list[int | None] = [None]
            self._gen_tables.append((axis, 0 if axis.field == "card_generation" else 1, gen_table))
            return _GEN_SHIFT, 0xFF, gen_table
        return _static_decoder(axis, self._plain_codes, self._expiry_cuts)

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
                    2 * (half + types.count(str)),
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
            if self._diagrams is not None and self._diagrams.chips:
                self._chip_places.append(self._diagrams.chips.index(seen))
            self._conflict_places.append(int(conflict))
        self._gen_codes[(raw, era)] = code
        return code
