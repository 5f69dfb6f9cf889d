"""The records of a batch file, read as bytes, so that nothing in a file can stop the run.

A record is one line of JSON Lines, or one CSV record (one line, or more where a quoted
cell holds a line break). Reading never fails on a record: bytes that the encoding cannot
read, a JSON record that cannot be read, a CSV record whose quote never closes, each
become an `Item` with its `problem`, for an error record of its own; every other record
is read as usual. Line numbers are the file's, counted from 1.

Blank lines (JSON's whitespace only: space, tab, carriage return) are no records. A
byte-order mark at the start of a file or of standard input is dropped.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Final

from advisor.errors import AdvisorError, FactError, field_label
from advisor.translatable import N_

RECORD: Final = "(record)"
# What a CSV cell may hold: the csv module's own default limit. A longer cell is an error
# of its record, never a reason to stop reading.
CELL_LIMIT: Final = 131_072
_JSON_BLANK: Final = " \t\r\n"
_BOM: Final = "\ufeff"


# A physical line: its number, and its text or why it cannot be read.
_Line = tuple[int, str | None, FactError | None]


@dataclass(slots=True)
class Item:
    """One record: its line, and its JSON text or CSV cells, or what is wrong with it."""

    line: int
    text: str | None = None  # JSON Lines
    cells: list[str] | None = None  # CSV
    problem: FactError | None = None


@dataclass(frozen=True)
class Header:
    """A CSV file's first record: the column names, or what makes them unusable."""

    names: list[str]
    problem: FactError | None = None


def check_encoding(encoding: str) -> str:
    """The codec's name, if it can read a file line by line (every line break is the byte
    0A, as in UTF-8 and the legacy 8-bit encodings); raises LookupError or ValueError."""
    name = codecs.lookup(encoding).name
    if "\n".encode(name) != b"\n" or "ab".encode(name) != b"ab":
        raise ValueError(f"{encoding} is not an ASCII-compatible encoding")
    return name


def _decoded(
    stream: IO[bytes], encoding: str
) -> Iterator[tuple[int, str | None, FactError | None]]:
    """(line number, text without its line end, or the decoding problem)."""
    for number, raw in enumerate(stream, start=1):
        if raw.endswith(b"\n"):
            raw = raw[:-1]
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            yield number, None, _undecodable(exc, encoding)
            continue
        if number == 1:
            text = text.removeprefix(_BOM)
        yield number, text, None


def _undecodable(exc: UnicodeDecodeError, encoding: str) -> FactError:
    bad = exc.object[exc.start : exc.end]
    return FactError.about(
        RECORD,
        N_(
            "the line is not valid %(encoding)s text: byte %(bytes)s at column %(column)s "
            "(another encoding can be chosen with --encoding)"
        ),
        encoding=encoding,
        bytes=bad[:4].hex(" ").upper(),
        column=exc.start + 1,
    )


def jsonl_items(stream: IO[bytes], encoding: str = "utf-8") -> Iterator[Item]:
    """Every JSON Lines record of a binary stream, in order."""
    # One loop (not _decoded): it runs once per line of files of millions of lines.
    for number, raw in enumerate(stream, start=1):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            yield Item(number, problem=_undecodable(exc, encoding))
            continue
        if number == 1:
            text = text.removeprefix(_BOM)
        if text.strip(_JSON_BLANK):
            yield Item(number, text=text.removesuffix("\n"))


# --- JSON ---------------------------------------------------------------------------


class _DuplicateKey(AdvisorError):
    """Raised inside the JSON decoder; `decode_json` turns it into a FactError."""

    def __init__(self, key: str) -> None:
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated key would silently win over the first: in a case, that can change the
    # route ({"card_lost": true, "card_lost": false}).
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return found


DECODER: Final = json.JSONDecoder(object_pairs_hook=_object)


def is_json_blank(text: str) -> bool:
    """Whether `text` holds only JSON's whitespace: what may follow a record."""
    return not text.strip(_JSON_BLANK)


def decode_json(text: str) -> Any:
    """One JSON value of a record, or FactError naming what is wrong with it. The one
    judge for the fast and the full path alike."""
    try:
        value, end = DECODER.raw_decode(text, len(text) - len(text.lstrip(_JSON_BLANK)))
    except _DuplicateKey as exc:
        raise FactError.about(
            field_label(exc.key), N_("appears twice in the record: give each fact once")
        ) from None
    except json.JSONDecodeError as exc:
        raise FactError.about(
            RECORD,
            N_("invalid JSON at column %(column)s: %(problem)s"),
            column=exc.colno,
            problem=exc.msg,
        ) from None
    except RecursionError:
        raise FactError.about(RECORD, N_("the JSON is nested too deeply")) from None
    except ValueError as exc:
        # Python refuses integers of more than 4,300 digits (sys.int_info).
        raise FactError.about(
            RECORD, N_("a value cannot be read: %(problem)s"), problem=str(exc)
        ) from None
    if not is_json_blank(text[end:]):
        raise FactError.about(
            RECORD,
            N_("invalid JSON at column %(column)s: %(problem)s"),
            column=end + 1,
            problem="Extra data",
        )
    return value


# --- CSV ------------------------------------------------------------------------------


def _ends_record(line: str, in_quotes: bool) -> bool:
    """Whether the record is complete after `line` (a physical line without its line
    break), given whether a quoted cell was open before it. Follows the csv module's
    reading: a quote opens a quoted cell only at the start of a cell, and inside one a
    doubled quote is a quote."""
    at_start = not in_quotes
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if in_quotes:
            if ch == '"':
                if i + 1 < n and line[i + 1] == '"':
                    i += 2
                    continue
                in_quotes = False
            i += 1
            continue
        if ch == '"' and at_start:
            in_quotes = True
        at_start = ch == ","
        i += 1
    return not in_quotes


def _cells(text: str, line: int) -> Item:
    try:
        rows = list(csv.reader(io.StringIO(text), strict=False))
    except csv.Error as exc:
        message = str(exc)
        if "field larger than field limit" in message:
            return Item(
                line,
                problem=FactError.about(
                    RECORD,
                    N_("a cell is longer than %(limit)s characters"),
                    limit=f"{CELL_LIMIT:,}",
                ),
            )
        return Item(
            line,
            problem=FactError.about(
                RECORD, N_("the CSV record cannot be read: %(problem)s"), problem=message
            ),
        )
    if len(rows) != 1:
        # A lone carriage return inside a line is a record break to the csv module.
        return Item(
            line,
            problem=FactError.about(
                RECORD, N_("the record holds a line break (CR) outside a quoted cell")
            ),
        )
    return Item(line, cells=rows[0])


def _csv_records(lines: Iterable[_Line]) -> Iterator[Item]:
    """The records of CSV lines. A quoted cell that is still open at the end of the file,
    or after CELL_LIMIT characters, is an error of the record it opened, and reading goes
    on with the line after that one: nothing after it is swallowed."""
    pending: list[_Line] = []
    source = iter(lines)
    while True:
        entry: _Line | None = pending.pop(0) if pending else next(source, None)
        if entry is None:
            return
        start, text, problem = entry
        if problem is not None or text is None:
            yield Item(start, problem=problem)
            continue
        if _ends_record(text, False):
            if text.strip():
                yield _cells(text, start)
            continue
        # A quoted cell spans lines: take lines until it closes.
        taken: list[_Line] = []
        parts = [text]
        size = len(text)
        closed = False
        while size <= CELL_LIMIT:
            following: _Line | None = pending.pop(0) if pending else next(source, None)
            if following is None:
                break
            taken.append(following)
            _number, more, more_problem = following
            if more_problem is not None or more is None:
                break
            parts.append(more)
            size += len(more) + 1
            if _ends_record(more, True):
                closed = True
                break
        if closed:
            yield _cells("\n".join(parts), start)
            continue
        yield Item(
            start,
            problem=FactError.about(
                RECORD,
                N_(
                    "a quoted cell opened on line %(line)s is not closed; the lines after it "
                    "are read as records of their own"
                ),
                line=start,
            ),
        )
        pending = taken + pending


def csv_items(stream: IO[bytes], encoding: str = "utf-8") -> tuple[Header, Iterator[Item]]:
    """The header of a CSV stream, and its records with the line each starts on."""
    csv.field_size_limit(CELL_LIMIT)
    records = _csv_records(_decoded(stream, encoding))
    first = next(records, None)
    if first is None:
        return Header([]), iter(())
    if first.problem is not None or first.cells is None:
        problem = first.problem or FactError.about(RECORD, N_("the header cannot be read"))
        return Header([], problem), records
    names = [name.strip() for name in first.cells]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return Header(
                names,
                FactError.about(
                    field_label(name),
                    N_("the header names this column twice: name each fact once"),
                ),
            ), records
        seen.add(name)

    def rows() -> Iterator[Item]:
        for item in records:
            if item.cells is not None and not any(cell.strip() for cell in item.cells):
                continue
            yield item

    return Header(names), rows()
