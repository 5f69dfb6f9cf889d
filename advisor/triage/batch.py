"""Triage for support staff: a stream of JSON Lines or CSV records, decided in order.

A batch is streamed in chunks with flat memory; every input record yields exactly one
output record, in input order, and a bad record becomes an `error` record naming its line
and field while every other record is still decided. Records come from
`advisor.triage.records`, which turns whatever a file holds into records or their
problems. An interrupted batch writes what it decided before it stops.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from advisor.engine.decider import Decider
from advisor.engine.decision import Decision, error_decision
from advisor.errors import AdvisorError, FactError, printable
from advisor.facts.case import Facts, parse_facts
from advisor.model import Status
from advisor.translatable import N_
from advisor.triage.fastpath import BatchMemo
from advisor.triage.records import (
    RECORD,
    Header,
    Item,
    decode_json,
)

CHUNK = 2000


class Writer(Protocol):
    """Where decision lines go: a text file, standard output, a StringIO."""

    def write(self, text: str, /) -> int: ...


@dataclass
class Summary:
    statuses: Counter[Status] = field(default_factory=Counter)

    def add_json(self, tail: str) -> None:
        """Count a decision from its encoded JSON (batch lines never build a Decision)."""
        incomplete = tail.startswith(', "status": "incomplete"')
        self.statuses[Status.INCOMPLETE if incomplete else Status.DECIDED] += 1

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def errors(self) -> int:
        return self.statuses[Status.ERROR]


class BatchInterrupted(AdvisorError):
    """The batch was interrupted (Ctrl-C); every record decided before was written:
    `written` records, the last of them from input line `last_line`."""

    def __init__(self, written: int, last_line: int) -> None:
        super().__init__(f"interrupted after {written} records (the last at line {last_line})")
        self.written = written
        self.last_line = last_line


def _case_id(data: Mapping[str, Any] | None) -> str | None:
    raw = data.get("id") if data else None
    if isinstance(raw, str):
        return printable(raw)
    return str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else None


def _data(item: Item, header: Header | None) -> Mapping[str, Any]:
    """The record's fields, or FactError."""
    if item.problem is not None:
        raise item.problem
    if header is None:
        assert item.text is not None
        data = decode_json(item.text)
        if not isinstance(data, dict):
            raise FactError.about(RECORD, N_("a record must be a JSON object"))
        return data
    if header.problem is not None:
        raise header.problem
    cells = item.cells or []
    if len(cells) != len(header.names):
        raise FactError.about(
            RECORD,
            N_("%(cells)s cells where the header has %(columns)s columns"),
            cells=len(cells),
            columns=len(header.names),
        )
    return dict(zip(header.names, cells, strict=True))


def _line(case_id: str | None, tail: str) -> str:
    line = '{"id": ' + json.dumps(case_id, ensure_ascii=False) + tail + "\n"
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate reached the text (an escape such as \ud800 in a value that is
        # echoed): write it escaped, as JSON allows, rather than fail the whole file.
        return json.dumps(json.loads(line), ensure_ascii=True) + "\n"
    return line


@dataclass
class _Job:
    decider: Decider
    header: Header | None  # CSV; None for JSON Lines
    today: date
    memo: BatchMemo | None = field(init=False)

    def __post_init__(self) -> None:
        self.memo = BatchMemo(self.decider, self.today) if self.header is None else None

    def _full(self, item: Item) -> tuple[str | None, Facts | None, Decision | None]:
        """The case id and its facts, or the error decision that replaces them."""
        version = self.decider.book.version
        data: Mapping[str, Any] | None = None
        try:
            data = _data(item, self.header)
            case_id = _case_id(data)
            facts = parse_facts(data, human=self.header is not None, default_today=self.today)
        except FactError as exc:
            error = error_decision(
                version, exc.field, exc.message, None, item.line, problems=exc.problems
            )
            return _case_id(data), None, error
        return case_id, facts, None

    def fast(self, text: str | None) -> tuple[str, str] | None:
        """The decision line of an exact JSON record whose key the memo knows, or None.

        Anything irregular (a duplicate key, junk after the record) is left to the full
        path, which judges it with `records.decode_json` (`BatchMemo.read`)."""
        if self.memo is None or text is None:
            return None
        return self.memo.read(text)

    def full(self, item: Item, summary: Summary) -> str:
        """The output line of one record through the full path, counted in `summary`."""
        case_id, facts, error = self._full(item)
        if error is not None:
            summary.statuses[Status.ERROR] += 1
            body = json.dumps({**error.to_json(), "id": None}, ensure_ascii=False)
            tail = body[len('{"id": null') :]
        else:
            assert facts is not None
            tail = ", " + self.decider.batch_json(facts)
            summary.add_json(tail)
        return _line(case_id, tail)


def run_batch(
    decider: Decider,
    items: Iterable[Item],
    out: Writer,
    *,
    header: Header | None = None,
    today: date,
    stop: threading.Event | None = None,
) -> Summary:
    """Decide every item (from `records.jsonl_items`, or `records.csv_items` with its
    header) to `out`, and count them.

    When `stop` is set (the CLI sets it on Ctrl-C), the run ends after the record in
    hand: every record decided is written, then `BatchInterrupted` says how many and
    where the run stopped. A KeyboardInterrupt does the same, except that one arriving in
    the middle of a write may leave the count short of what reached `out`.

    One process: forked workers were measured no faster (each fills its own memo, and
    the memo is what makes a batch fast), for three times the memory."""
    job = _Job(decider, header, today)
    summary = Summary()
    lines: list[str] = []
    written = last = 0

    def flush() -> None:
        nonlocal written
        # Counted and cleared before the write: a line is never written twice.
        text, count = "".join(lines), len(lines)
        lines.clear()
        written += count
        out.write(text)

    fast, full, counted = job.fast, job.full, summary.add_json
    stopped = stop.is_set if stop is not None else (lambda: False)
    try:
        for item in items:
            # The fast path inline: batch triage's loop runs once per record of millions.
            found = fast(item.text)
            if found is None:
                lines.append(full(item, summary))
            else:
                counted(found[1])
                lines.append('{"id": ' + found[0] + found[1])
            last = item.line
            if len(lines) >= CHUNK:
                flush()
            if stopped():
                flush()
                raise BatchInterrupted(written, last)
    except KeyboardInterrupt:
        flush()
        raise BatchInterrupted(written, last) from None
    flush()
    return summary
