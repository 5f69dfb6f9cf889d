"""Triage for support staff: a stream of JSON Lines or CSV records, decided in order.

A batch is streamed in chunks with flat memory; every input record yields exactly one
output record, in input order, and a bad record becomes an `error` record naming its line
and field while every other record is still decided. Chunks can be decided on several
processes (forked, so they share the loaded decision table); the parent keeps the order.
"""

from __future__ import annotations

import csv
import itertools
import json
import multiprocessing
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from .decide import Decider
from .decision import Decision, error_decision
from .errors import FactError
from .facts import parse_facts
from .model import Status

CHUNK = 2000
Item = tuple[int, Any]  # (line number, raw JSON text or CSV row)


@dataclass(frozen=True)
class Record:
    line: int  # 1-based line of the input where the record starts
    data: Mapping[str, Any] | None
    problem: FactError | None = None


def jsonl_items(stream: IO[str]) -> Iterator[Item]:
    for number, text in enumerate(stream, start=1):
        if text.strip():
            yield number, text


def csv_items(stream: IO[str]) -> tuple[list[str], Iterator[Item]]:
    """The header, and the rows with the line each starts on."""
    reader = csv.reader(stream)
    header = [name.strip() for name in next(reader, [])]

    def rows() -> Iterator[Item]:
        start = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                yield start, row
            start = reader.line_num + 1

    return header, rows()


def jsonl_record(item: Item) -> Record:
    number, text = item
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return Record(
            number, None, FactError("(record)", f"invalid JSON at column {exc.colno}: {exc.msg}")
        )
    if not isinstance(data, dict):
        return Record(number, None, FactError("(record)", "a record must be a JSON object"))
    return Record(number, data)


def csv_record(header: list[str], item: Item) -> Record:
    number, row = item
    if len(row) != len(header):
        problem = FactError(
            "(record)", f"{len(row)} cells where the header has {len(header)} columns"
        )
        return Record(number, None, problem)
    return Record(number, dict(zip(header, row, strict=True)))


@dataclass
class Summary:
    statuses: Counter[str] = field(default_factory=Counter)
    routes: Counter[str] = field(default_factory=Counter)

    def add(self, decision: Decision) -> None:
        self.statuses[str(decision.status)] += 1
        if decision.route is not None:
            self.routes[str(decision.route)] += 1

    def merge(self, other: Summary) -> None:
        self.statuses.update(other.statuses)
        self.routes.update(other.routes)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def errors(self) -> int:
        return self.statuses[str(Status.ERROR)]


def _case_id(data: Mapping[str, Any] | None) -> str | None:
    raw = data.get("id") if data else None
    return str(raw) if isinstance(raw, str | int) and not isinstance(raw, bool) else None


def decide_record(
    decider: Decider, record: Record, *, human: bool, today: date
) -> tuple[str | None, Decision]:
    """The case id and its decision; the decision itself carries no id, so that cases in
    the same table cell share one object (and one encoding)."""
    version = decider.book.version
    case_id = _case_id(record.data)
    if record.problem is not None or record.data is None:
        problem = record.problem or FactError("(record)", "empty record")
        return None, error_decision(version, problem.field, problem.message, None, record.line)
    try:
        facts = parse_facts(record.data, human=human, default_today=today)
    except FactError as exc:
        return case_id, error_decision(version, exc.field, exc.message, None, record.line)
    return case_id, decider.decide_anonymous(facts, engine=False)


class JsonLinesEncoder:
    """Encodes decisions; a decision body shared by many cases is encoded once, and only
    the id is written per record."""

    def __init__(self, limit: int = 10_000) -> None:
        self._bodies: dict[int, tuple[Decision, str]] = {}
        self._limit = limit

    def line(self, case_id: str | None, decision: Decision) -> str:
        cached = self._bodies.get(id(decision))
        if cached is not None and cached[0] is decision:
            tail = cached[1]
        else:
            body = json.dumps({**decision.to_json(), "id": None}, ensure_ascii=False)
            tail = body[len('{"id": null') :]  # everything after the id
            if decision.status is not Status.ERROR:
                if len(self._bodies) >= self._limit:
                    self._bodies.clear()
                self._bodies[id(decision)] = (decision, tail)
        return '{"id": ' + json.dumps(case_id, ensure_ascii=False) + tail + "\n"


@dataclass
class _Job:
    decider: Decider
    header: list[str] | None  # CSV header; None for JSON Lines
    today: date
    encoder: JsonLinesEncoder = field(default_factory=JsonLinesEncoder)

    def run(self, items: list[Item]) -> tuple[str, Summary]:
        summary = Summary()
        lines = []
        human = self.header is not None
        for item in items:
            record = (
                csv_record(self.header, item) if self.header is not None else jsonl_record(item)
            )
            case_id, decision = decide_record(self.decider, record, human=human, today=self.today)
            summary.add(decision)
            lines.append(self.encoder.line(case_id, decision))
        return "".join(lines), summary


_job: _Job | None = None  # what a forked worker decides with


def _work(items: list[Item]) -> tuple[str, Summary]:
    assert _job is not None
    return _job.run(items)


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def run_batch(
    decider: Decider,
    items: Iterable[Item],
    out: IO[str],
    *,
    header: list[str] | None = None,
    today: date,
    workers: int = 1,
) -> Summary:
    """Decide every item (from `jsonl_items`, or `csv_items` with its header) to `out`."""
    global _job
    job = _job = _Job(decider, header, today)
    summary = Summary()
    decider.table  # noqa: B018 - load before forking, so workers share it
    if workers <= 1:
        for chunk in _chunks(items, CHUNK):
            text, part = job.run(chunk)
            out.write(text)
            summary.merge(part)
        return summary
    # Bound the chunks in flight: Pool.imap would otherwise read the whole input ahead.
    in_flight = threading.BoundedSemaphore(workers * 3)

    def feed() -> Iterator[list[Item]]:
        for chunk in _chunks(items, CHUNK):
            in_flight.acquire()
            yield chunk

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for text, part in pool.imap(_work, feed()):
            in_flight.release()
            out.write(text)
            summary.merge(part)
    return summary
