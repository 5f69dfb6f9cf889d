"""Triage for support staff: a stream of JSON Lines or CSV records, decided in order.

A batch is streamed in chunks with flat memory; every input record yields exactly one
output record, in input order, and a bad record becomes an `error` record naming its line
and field while every other record is still decided.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from advisor.engine.decider import Decider
from advisor.engine.decision import Decision, error_decision
from advisor.errors import FactError
from advisor.facts.case import Facts, parse_facts
from advisor.model import Status
from advisor.triage.fastpath import BatchMemo

CHUNK = 2000
_DECODER = json.JSONDecoder()
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
    statuses: Counter[Status] = field(default_factory=Counter)

    def add_json(self, tail: str) -> None:
        """Count a decision from its encoded JSON (batch lines never build a Decision)."""
        incomplete = tail.startswith(', "status": "incomplete"')
        self.statuses[Status.INCOMPLETE if incomplete else Status.DECIDED] += 1

    def merge(self, other: Summary) -> None:
        self.statuses.update(other.statuses)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def errors(self) -> int:
        return self.statuses[Status.ERROR]


def _case_id(data: Mapping[str, Any] | None) -> str | None:
    raw = data.get("id") if data else None
    return str(raw) if isinstance(raw, str | int) and not isinstance(raw, bool) else None


def _validate(
    decider: Decider, record: Record, *, human: bool, today: date
) -> tuple[str | None, Facts | None, Decision | None]:
    """The case id and its facts, or the error decision that replaces them."""
    version = decider.book.version
    if record.problem is not None or record.data is None:
        problem = record.problem or FactError("(record)", "empty record")
        return (
            None,
            None,
            error_decision(version, problem.field, problem.message, None, record.line),
        )
    case_id = _case_id(record.data)
    try:
        return case_id, parse_facts(record.data, human=human, default_today=today), None
    except FactError as exc:
        return case_id, None, error_decision(version, exc.field, exc.message, None, record.line)


@dataclass
class _Job:
    decider: Decider
    header: list[str] | None  # CSV header; None for JSON Lines
    today: date
    memo: BatchMemo | None = field(init=False)

    def __post_init__(self) -> None:
        self.memo = BatchMemo(self.decider, self.today) if self.header is None else None

    def run(self, items: list[Item]) -> tuple[str, Summary]:
        summary = Summary()
        lines = []
        human = self.header is not None
        decider = self.decider
        memo = self.memo
        decode = _DECODER.raw_decode
        for item in items:
            if memo is not None:
                # The fast path: exact JSON whose key was seen before costs one lookup.
                # Anything irregular (even leading blanks) is left to the full path.
                text = item[1]
                try:
                    data, end = decode(text)
                except ValueError:
                    data = None
                else:
                    if end != len(text) and not text[end:].isspace():
                        data = None
                found = memo.line(data) if type(data) is dict else None
                if found is not None:
                    summary.add_json(found[1])
                    lines.append('{"id": ' + found[0] + found[1])
                    continue
            record = (
                csv_record(self.header, item) if self.header is not None else jsonl_record(item)
            )
            case_id, facts, error = _validate(decider, record, human=human, today=self.today)
            if error is not None:
                summary.statuses[Status.ERROR] += 1
                body = json.dumps({**error.to_json(), "id": None}, ensure_ascii=False)
                tail = body[len('{"id": null') :]
            else:
                assert facts is not None
                tail = ", " + decider.batch_json(facts)
                summary.add_json(tail)
            lines.append('{"id": ' + json.dumps(case_id, ensure_ascii=False) + tail + "\n")
        return "".join(lines), summary


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
) -> Summary:
    """Decide every item (from `jsonl_items`, or `csv_items` with its header) to `out`.

    One process: forked workers were measured no faster (each fills its own memo, and
    the memo is what makes a batch fast), for three times the memory."""
    job = _Job(decider, header, today)
    summary = Summary()
    for chunk in _chunks(items, CHUNK):
        text, part = job.run(chunk)
        out.write(text)
        summary.merge(part)
    return summary
