"""The decision-table cache is trusted only when it verifies (issue 9, points 4 and 10):
its SHA-256 beside it, these rules' version, axes, traces and cells; anything else is
built again with one warning, and a cache that cannot be written says so once and leaves
no temporary file behind."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from advisor.cachefile import digest_path
from advisor.engine import load_decider
from advisor.engine.rulebook import RuleBook
from advisor.engine.table import (
    DecisionTable,
    cache_path,
    load_table,
    save_table,
    table_for,
)
from advisor.facts import parse_facts
from tests.fact_matrix import HEALTHY, TODAY


@pytest.fixture
def cached(book: RuleBook, table: DecisionTable, tmp_path: Path) -> Path:
    path = cache_path(book, tmp_path)
    save_table(table, path)
    return path


def rewrite(path: Path, edit: Callable[[dict[str, Any]], None], *, digest: bool) -> None:
    """Edit the cached JSON; with `digest`, write a matching SHA-256 too (a deliberate
    edit), so that only the table's own checks can catch it."""
    import hashlib

    data = json.loads(path.read_bytes())
    edit(data)
    content = json.dumps(data, separators=(",", ":")).encode()
    path.write_bytes(content)
    if digest:
        digest_path(path).write_text(hashlib.sha256(content).hexdigest())


def swap_two_traces(data: dict[str, Any]) -> None:
    traces = data["rulesets"]["routes"]["traces"]
    traces[0], traces[1] = traces[1], traces[0]


def out_of_range(data: dict[str, Any]) -> None:
    routes = data["rulesets"]["routes"]
    routes["cells"][5] = len(routes["traces"]) + 7


def unknown_rule(data: dict[str, Any]) -> None:
    data["rulesets"]["routes"]["traces"][0] = ["R999_invented"]


def wrong_type(data: dict[str, Any]) -> None:
    data["rulesets"]["routes"]["cells"][3] = "12"


def test_a_saved_table_loads_as_it_was(book: RuleBook, table: DecisionTable, cached: Path) -> None:
    loaded = load_table(book, cached)
    assert loaded is not None
    assert {n: (t.traces, t.cells) for n, t in loaded.tables.items()} == {
        n: (t.traces, t.cells) for n, t in table.tables.items()
    }


@pytest.mark.parametrize("edit", [swap_two_traces, out_of_range, unknown_rule, wrong_type])
@pytest.mark.parametrize("digest", [False, True])
def test_a_damaged_cache_is_built_again_with_one_warning(
    book: RuleBook,
    table: DecisionTable,
    cached: Path,
    caplog: pytest.LogCaptureFixture,
    edit: Callable[[dict[str, Any]], None],
    digest: bool,
) -> None:
    if digest and edit is swap_two_traces:
        pytest.skip("a consistent swap with its own digest is a different, valid table")
    rewrite(cached, edit, digest=digest)
    caplog.set_level(logging.WARNING, logger="advisor.engine.table")
    rebuilt = table_for(book, cache=cached.parent)
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert str(cached) in caplog.records[0].getMessage()
    assert {n: t.cells for n, t in rebuilt.tables.items()} == {
        n: t.cells for n, t in table.tables.items()
    }
    # The cache was written again, and now verifies.
    caplog.clear()
    assert load_table(book, cached) is not None
    assert caplog.records == []


def test_swapped_traces_change_no_decision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(tmp_path))
    facts = parse_facts(dict(HEALTHY, pin1_tries_left=0, puk_known=None), default_today=TODAY)
    expected = load_decider().decide(facts, engine=False)
    path = next(tmp_path.glob("table-*.json"))
    rewrite(path, swap_two_traces, digest=False)
    assert load_decider().decide(facts, engine=False) == expected


def test_a_cache_that_cannot_be_written_says_so_once_and_leaves_nothing(
    book: RuleBook, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    caplog.set_level(logging.WARNING, logger="advisor.engine.table")
    table_for(book, cache=blocker)
    assert len(caplog.records) == 1
    assert "ADVISOR_CACHE_DIR" in caplog.records[0].getMessage()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]


def test_a_failed_cache_write_leaves_no_temporary_file(
    book: RuleBook, table: DecisionTable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    def full(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError, match="No space"):
        save_table(table, cache_path(book, tmp_path))
    assert list(tmp_path.iterdir()) == []
