"""Triage for support staff: one case, or a stream of JSON Lines or CSV records.

A batch is streamed record by record with flat memory; every input record yields exactly
one output record, in order, and a bad record becomes an `error` record naming its line
and field while every other record is still decided.
"""

from __future__ import annotations

import csv
import json
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


@dataclass(frozen=True)
class Record:
    line: int  # 1-based line of the input where the record starts
    data: Mapping[str, Any] | None
    problem: FactError | None = None


def read_jsonl(stream: IO[str]) -> Iterator[Record]:
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Record(
                number,
                None,
                FactError("(record)", f"invalid JSON at column {exc.colno}: {exc.msg}"),
            )
            continue
        if not isinstance(data, dict):
            yield Record(number, None, FactError("(record)", "a record must be a JSON object"))
            continue
        yield Record(number, data)


def read_csv(stream: IO[str]) -> Iterator[Record]:
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        return
    header = [name.strip() for name in header]
    for row in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield Record(
                number,
                None,
                FactError(
                    "(record)", f"{len(row)} cells where the header has {len(header)} columns"
                ),
            )
            continue
        yield Record(number, dict(zip(header, row, strict=True)))


@dataclass
class Summary:
    statuses: Counter[str] = field(default_factory=Counter)
    routes: Counter[str] = field(default_factory=Counter)

    def add(self, decision: Decision) -> None:
        self.statuses[str(decision.status)] += 1
        if decision.route is not None:
            self.routes[str(decision.route)] += 1

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


class JsonLinesWriter:
    """Serialises decisions; the decision body is shared by every case that lands in the
    same table cell, so it is encoded once and only the id is written per record."""

    def __init__(self, out: IO[str], limit: int = 100_000) -> None:
        self._out = out
        self._bodies: dict[int, tuple[Decision, str]] = {}
        self._limit = limit

    def write(self, case_id: str | None, decision: Decision) -> None:
        key = id(decision)
        cached = self._bodies.get(key)
        if cached is None or cached[0] is not decision:
            body = json.dumps({**decision.to_json(), "id": None}, ensure_ascii=False)
            # `{"id": null, ...` -> everything after the id, reused for the next record.
            tail = body[len('{"id": null') :]
            if decision.status is not Status.ERROR:
                if len(self._bodies) >= self._limit:
                    self._bodies.clear()
                self._bodies[key] = (decision, tail)
        else:
            tail = cached[1]
        self._out.write('{"id": ' + json.dumps(case_id, ensure_ascii=False) + tail + "\n")


def run_batch(
    decider: Decider,
    records: Iterable[Record],
    out: IO[str],
    *,
    human: bool,
    today: date,
) -> Summary:
    summary = Summary()
    writer = JsonLinesWriter(out)
    for record in records:
        case_id, decision = decide_record(decider, record, human=human, today=today)
        summary.add(decision)
        writer.write(case_id, decision)
    return summary
