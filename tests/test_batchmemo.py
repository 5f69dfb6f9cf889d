"""Batch triage's fast path must write exactly what the full path writes, record for
record, and must never let a value through that `parse_facts` would convert or refuse."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.engine.decider import Decider
from advisor.triage.batch import run_batch
from advisor.triage.fastpath import BatchMemo
from advisor.triage.records import jsonl_items
from tests.fact_matrix import HEALTHY
from tests.fastpath_cases import TODAY, records, reference


def _loaded(text: str) -> dict[str, Any] | None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def batch(decider: Decider, texts: list[str]) -> list[str]:
    out = io.StringIO()
    run_batch(
        decider,
        jsonl_items(io.BytesIO("".join(t + "\n" for t in texts).encode("utf-8", "surrogatepass"))),
        out,
        today=TODAY,
    )
    # Split at "\n" only: str.splitlines would also split inside an id holding U+0085.
    return [line + "\n" for line in out.getvalue().split("\n")[:-1]]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(records(), min_size=1, max_size=40))
def test_fast_path_writes_what_the_full_path_writes(decider: Decider, texts: list[str]) -> None:
    # Each record twice, the second time with its fields in reverse order: the memo
    # answers the repeats.
    texts = texts + [
        json.dumps(dict(reversed(data.items())))
        for data in (_loaded(t) for t in texts)
        if data is not None
    ]
    expected = [reference(decider, i + 1, t) for i, t in enumerate(texts)]
    assert batch(decider, texts) == expected


def test_a_value_equal_to_a_right_one_is_still_refused(decider: Decider) -> None:
    # As dictionary keys, 1 == True == 1.0: a memo that forgot the type would let them
    # through as the value seen before.
    good = dict(HEALTHY, id="good", pin1_known=True, pin1_tries_left=1)
    texts = [json.dumps(good)]
    for field, value in [
        ("pin1_known", 1),
        ("pin1_known", 1.0),
        ("pin1_tries_left", True),
        ("pin1_tries_left", 1.0),
    ]:
        texts.append(json.dumps(dict(good, id=f"{field}={value!r}", **{field: value})))
    out = [json.loads(line) for line in batch(decider, texts)]
    assert out[0]["status"] == "decided"
    assert [r["status"] for r in out[1:]] == ["error"] * 4
    assert [r["error"]["field"] for r in out[1:]] == [
        "pin1_known",
        "pin1_known",
        "pin1_tries_left",
        "pin1_tries_left",
    ]


def test_stolen_but_not_lost_is_an_error_after_stolen_alone(decider: Decider) -> None:
    texts = [
        json.dumps({"id": "a", "card_stolen": True, "expiry_date": "2099-12-31"}),
        json.dumps({"id": "b", "card_stolen": True, "card_lost": False}),
        json.dumps(
            {"id": "c", "card_stolen": True, "card_lost": True, "expiry_date": "2099-12-31"}
        ),
    ]
    out = [json.loads(line) for line in batch(decider, texts)]
    assert [r["status"] for r in out] == ["decided", "error", "decided"]
    assert out[1]["error"]["field"] == "card_lost"
    assert out[0]["route"] == out[2]["route"]


def test_errors_are_never_memoised(decider: Decider) -> None:
    bad = json.dumps({"id": "x", "card_stolen": True, "card_lost": False})
    out = [json.loads(line) for line in batch(decider, [bad, bad, bad])]
    assert [r["error"]["line"] for r in out] == [1, 2, 3]


@pytest.mark.parametrize(("limit", "misses"), [(1, 60), (2, 2)])
def test_a_full_memo_starts_over_and_still_answers_right(
    decider: Decider, limit: int, misses: int
) -> None:
    memo = BatchMemo(decider, TODAY, limit=limit)
    cases = [dict(HEALTHY, id=str(i), pin1_tries_left=3 * (i % 2)) for i in range(60)]
    for case in cases:
        found = memo.line(dict(case))
        assert found is not None
        expected = reference(decider, 1, json.dumps(case))
        assert '{"id": ' + found[0] + found[1] == expected
    assert memo.misses == misses  # two keys in turn: a memo of one starts over each time


def test_the_fast_path_answers_repeats(decider: Decider) -> None:
    memo = BatchMemo(decider, TODAY)
    for i in range(100):
        assert memo.line(dict(HEALTHY, id=i, pin1_tries_left=i % 2)) is not None
    assert (memo.misses, memo.hits) == (2, 98)


def test_no_fast_path_when_lines_cannot_be_pieced_together(decider: Decider) -> None:
    # Rule files whose priorities interleave give no batch order: every record then
    # takes the full path, and still gets its decision.
    plain = Decider(decider.book, decider.table)
    plain._fragments_ok = False
    assert plain.batch_order is None
    memo = BatchMemo(plain, TODAY)
    assert memo.line(dict(HEALTHY, id="a")) is None
    texts = [json.dumps(dict(HEALTHY, id="a")), json.dumps({"id": "b", "card_lost": True})]
    assert batch(plain, texts) == [reference(decider, i + 1, t) for i, t in enumerate(texts)]
