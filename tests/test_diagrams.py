"""The rulesets' diagrams (advisor/triage/fastpath.py `_Diagram`) that `POST
/api/v1/decide` walks for a key it has not seen: a walk must reach exactly the traces of
the key's completions, its part must be the decider's, and a line found through them
must be the full path's, byte for byte, on any day."""

from __future__ import annotations

import itertools
import json
import random
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.engine.decider import Decider, Part
from advisor.engine.table import INADMISSIBLE, RulesetTable
from advisor.facts.case import parse_facts
from advisor.triage.fastpath import _Diagram, diagrams
from advisor.web.onecase import OneCase
from benchmarks._cases import intake_case, random_case
from tests.fastpath_cases import TODAY, records, reference

Key = tuple[int | None, ...]


def walk(diagram: _Diagram, key: Key, table: RulesetTable) -> Part | None:
    """The part of a key: a bucket per axis, None (the last child) where unknown."""
    at = 0
    for level, i in enumerate(diagram.order):
        bucket, axis = key[i], table.space.axes[i]
        at = diagram.levels[level][at + (len(axis.values) if bucket is None else bucket)]
    return diagram.parts[at]


def admissible(table: RulesetTable, key: Key) -> bool:
    """Whether some completion of the key is a situation at all (else no case has it)."""
    axes = table.space.axes
    choices = [range(len(a.values)) if b is None else [b] for a, b in zip(axes, key, strict=True)]
    return any(
        table.cells[table.space.flat(buckets)] != INADMISSIBLE
        for buckets in itertools.product(*choices)
    )


def every_key(table: RulesetTable) -> list[Key]:
    return list(itertools.product(*([None, *range(len(a.values))] for a in table.space.axes)))


def sample_keys(table: RulesetTable, count: int, seed: int) -> list[Key]:
    """Random keys, from nearly all known to nearly all unknown."""
    rng = random.Random(seed)
    keys = []
    for _ in range(count):
        unknown = rng.random() * 0.7
        keys.append(
            tuple(
                None if rng.random() < unknown else rng.randrange(len(a.values))
                for a in table.space.axes
            )
        )
    return keys


def keys_of(table: RulesetTable) -> list[Key]:
    # Every key where there are few (two advisory rulesets: 1,728 and 4,860), else a
    # sample (33,000 to the routing rules' 24 million).
    space = 1
    for axis in table.space.axes:
        space *= len(axis.values) + 1
    if space <= 5_000:
        return every_key(table)
    return sample_keys(table, 4_000, seed=len(table.cells))


@pytest.fixture(scope="module")
def built(decider: Decider) -> dict[str, _Diagram]:
    return diagrams(decider).rulesets


def test_a_diagram_per_ruleset_built_once_per_decider(
    decider: Decider, built: dict[str, _Diagram]
) -> None:
    assert decider.batch_order is not None
    assert list(built) == list(decider.batch_order)
    assert diagrams(decider).rulesets is built


def same(a: Part, b: Part) -> bool:
    """Equal parts, down to the JSON they write."""
    return (a.status, a.route, a.urgency, a.also, a.common, a.head, a.tail) == (
        b.status,
        b.route,
        b.urgency,
        b.also,
        b.common,
        b.head,
        b.tail,
    ) and (a.advisories_json, a.fired_json, a.because_json) == (
        b.advisories_json,
        b.fired_json,
        b.because_json,
    )


def test_a_walk_finds_the_deciders_part(decider: Decider, built: dict[str, _Diagram]) -> None:
    # The decider enumerates the key's completions; the walk must find the same part,
    # or None exactly where the routes differ (the decider ranks questions) and where
    # no completion is admissible.
    undecided = 0
    for name, diagram in built.items():
        table = decider.table.tables[name]
        for key in keys_of(table):
            found = walk(diagram, key, table)
            if not admissible(table, key):
                assert found is None, (name, key)
                continue
            expected = decider.batch_part(name, key, ())
            if found is None:
                assert name == decider.route_ruleset, key
                assert expected.status.value == "incomplete", key
                undecided += 1
            else:
                assert same(found, expected), (name, key)
    assert undecided  # the sample does reach both kinds


def one_case(decider: Decider, day: date) -> tuple[OneCase, list[float]]:
    """A OneCase whose clock stands at noon of `day` until the test moves it."""
    now = [datetime.combine(day, datetime.min.time()).timestamp() + 12 * 3600]
    return OneCase(decider, clock=lambda: now[0]), now


def full_path(decider: Decider, text: str, day: date) -> str:
    data: dict[str, Any] = json.loads(text)
    decision = decider.decide(parse_facts(data, default_today=day), engine=False).to_json()
    return json.dumps(decision, ensure_ascii=False)


def test_intake_cases_get_the_full_paths_lines(decider: Decider) -> None:
    # The benchmark's cases, new and then seen again, and the random ones of the
    # property tests' kind: every line through the diagrams as through the decider.
    one, _ = one_case(decider, TODAY)
    rng = random.Random(5)
    texts = [json.dumps(intake_case(rng, n)) for n in range(1_500)]
    texts += [json.dumps(random_case(rng, n)) for n in range(500)]
    for text in texts + texts[:300]:
        found = one.line(text.encode("utf-8", "surrogatepass"))
        assert found is not None, text
        assert found == full_path(decider, text, TODAY) + "\n", text


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(records(), min_size=1, max_size=40))
def test_the_diagrams_answer_what_the_full_path_writes(decider: Decider, texts: list[str]) -> None:
    one, _ = one_case(decider, TODAY)
    for text in texts + texts:
        found = one.line(text.encode("utf-8", "surrogatepass"))
        if found is not None:  # None: the full path answers (tests/test_web.py)
            assert found == reference(decider, 1, text)


def test_a_new_day_is_decided_for_that_day(decider: Decider) -> None:
    day = date(2026, 11, 27)
    one, now = one_case(decider, day)
    # Expiring today: valid on the first day, expired on the next.
    text = json.dumps({"id": "x", "card_generation": "idemia", "expiry_date": day.isoformat()})
    body = text.encode()
    first = one.line(body)
    memo = one._memo
    assert first == full_path(decider, text, day) + "\n"
    now[0] += 11 * 3600 + 59 * 60  # 23:59 the same day
    assert one.line(body) == first
    assert one._memo is memo
    now[0] += 120  # 00:01 the next day
    second = one.line(body)
    assert second == full_path(decider, text, day + timedelta(days=1)) + "\n"
    assert second != first
    assert one._memo is not memo
    # A clock set back is a new day too, and the diagrams are the same throughout.
    now[0] -= 86_400
    assert one.line(body) == first
    assert one._diagrams is diagrams(decider)
