"""The decision table: every combination of every ruleset's space, run once through the engine.

The engine stays the single source of truth; the table only remembers its answers, keyed
by the canonical bucket tuple, versioned by the rules' hash and cached on disk. It serves
batch triage, cases with unknown facts (by enumerating their completions) and the checks.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.cachefile import CacheFileError, read_verified, write_verified
from advisor.engine.rulebook import RuleBook
from advisor.engine.space import Space, space_of
from advisor.paths import cache_dir

if TYPE_CHECKING:
    import logging

INADMISSIBLE = -1
_CHUNK = 2048


@dataclass
class RulesetTable:
    space: Space
    traces: list[tuple[str, ...]]  # the distinct traces, catch-all included as fired
    cells: list[int]  # flat index -> trace id, or INADMISSIBLE

    def trace_id(self, buckets: Sequence[int]) -> int:
        return self.cells[self.space.flat(buckets)]


@dataclass
class DecisionTable:
    version: str
    tables: dict[str, RulesetTable]

    @property
    def combinations(self) -> int:
        return sum(sum(1 for c in t.cells if c != INADMISSIBLE) for t in self.tables.values())


# --- building -------------------------------------------------------------------------

_worker_book: RuleBook | None = None


def _init_worker(book: RuleBook) -> None:
    global _worker_book
    # A fresh host per worker: never share durable's C state across processes.
    _worker_book = RuleBook(book.directory, book.rulesets, book.version)


def _fire_chunk(job: tuple[str, list[tuple[int, ...]]]) -> list[tuple[str, ...]]:
    name, chunk = job
    assert _worker_book is not None
    space = space_of(_worker_book.ruleset(name))
    return [_worker_book.fire(space.situation(b), name)[name] for b in chunk]


def _chunks(space: Space) -> Iterable[list[tuple[int, ...]]]:
    chunk: list[tuple[int, ...]] = []
    for buckets in space.combinations():
        chunk.append(buckets)
        if len(chunk) == _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def build_table(book: RuleBook, workers: int | None = None) -> DecisionTable:
    """Run every admissible combination through the engine, on `workers` processes."""
    workers = workers or min(2, os.cpu_count() or 1)
    tables: dict[str, RulesetTable] = {}
    jobs: list[tuple[str, list[tuple[int, ...]]]] = []
    for ruleset in book.rulesets:
        space = space_of(ruleset)
        tables[ruleset.name] = RulesetTable(space, [], [INADMISSIBLE] * space.size)
        jobs.extend((ruleset.name, chunk) for chunk in _chunks(space))
    if workers > 1:
        # Imported here: a decision that only reads the cached table must not pay for it.
        import multiprocessing

        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_init_worker, initargs=(book,)) as pool:
            results = pool.map(_fire_chunk, jobs)
    else:
        _init_worker(book)
        results = [_fire_chunk(job) for job in jobs]
    ids: dict[str, dict[tuple[str, ...], int]] = {name: {} for name in tables}
    for (name, chunk), traces in zip(jobs, results, strict=True):
        table = tables[name]
        for buckets, trace in zip(chunk, traces, strict=True):
            known = ids[name]
            if trace not in known:
                known[trace] = len(table.traces)
                table.traces.append(trace)
            table.cells[table.space.flat(buckets)] = known[trace]
    return DecisionTable(book.version, tables)


# --- caching --------------------------------------------------------------------------


def _axes_json(space: Space) -> list[list[Any]]:
    return [[a.field, list(a.values)] for a in space.axes]


def cache_path(book: RuleBook, directory: Path | None = None) -> Path:
    return (directory or cache_dir()) / f"table-{book.version}.json"


def save_table(table: DecisionTable, path: Path) -> None:
    data = {
        "version": table.version,
        "rulesets": {
            name: {"axes": _axes_json(t.space), "traces": t.traces, "cells": t.cells}
            for name, t in table.tables.items()
        },
    }
    write_verified(path, json.dumps(data, separators=(",", ":")).encode("utf-8"))


class CacheMismatch(CacheFileError):
    """The cached table is not the table of these rules, or is damaged."""


def load_table(book: RuleBook, path: Path) -> DecisionTable | None:
    """The cached table if it belongs to exactly these rules and verifies, None when
    there is none; raises CacheMismatch, with the reason, when it is there but wrong."""
    try:
        content = read_verified(path)
    except CacheFileError as exc:
        raise CacheMismatch(str(exc)) from None
    if content is None:
        return None
    try:
        data = json.loads(content)
        return _table_of(book, data)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CacheMismatch(f"it does not hold these rules' table ({exc})") from None


def _table_of(book: RuleBook, data: Any) -> DecisionTable:
    if data.get("version") != book.version:
        raise ValueError("another rules version")
    tables: dict[str, RulesetTable] = {}
    stored = data["rulesets"]
    for ruleset in book.rulesets:
        space = space_of(ruleset)
        entry = stored[ruleset.name]
        cells, traces = entry["cells"], entry["traces"]
        if entry["axes"] != _axes_json(space) or len(cells) != space.size:
            raise ValueError(f"{ruleset.name}: another fact space")
        names = ruleset.rule_names
        if not all(isinstance(trace, list) and set(trace) <= names for trace in traces):
            raise ValueError(f"{ruleset.name}: a trace names an unknown rule")
        # Checked in C (map, min, max): every command that decides reads the table.
        if not set(map(type, cells)) <= {int}:
            raise ValueError(f"{ruleset.name}: a cell is not a whole number")
        if cells and (min(cells) < INADMISSIBLE or max(cells) >= len(traces)):
            raise ValueError(f"{ruleset.name}: a cell points outside the traces")
        tables[ruleset.name] = RulesetTable(space, [tuple(t) for t in traces], cells)
    return DecisionTable(book.version, tables)


def _log() -> logging.Logger:
    # Imported when there is something to say: a decision that reads a good cache must
    # not pay for the logging package (benchmarks/startup.py).
    import logging

    return logging.getLogger(__name__)


def table_for(
    book: RuleBook, *, cache: Path | None = None, use_cache: bool = True
) -> DecisionTable:
    """Load the table of these rules from the cache, or build and cache it. A cached
    table that does not verify is built again, with one warning."""
    path = cache_path(book, cache)
    if use_cache:
        try:
            table = load_table(book, path)
        except CacheMismatch as exc:
            _log().warning("the cached decision table %s was built again: %s", path, exc)
        else:
            if table is not None:
                return table
    table = build_table(book)
    if use_cache:
        try:
            save_table(table, path)
        except OSError as exc:
            _log().warning(
                "cannot keep the decision table in %s (%s): every command builds it again "
                "(a few seconds); set ADVISOR_CACHE_DIR to a folder that can be written",
                path.parent,
                exc.strerror or exc,
            )
    return table
