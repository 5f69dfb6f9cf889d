"""One case at a time through batch triage's fast path.

`POST /api/v1/decide` answers exactly what `advisor triage case --json` gives. Most
cases an API is sent are plain JSON whose values are already right; for them the
decision line comes from `advisor.triage.fastpath.BatchMemo`, the memo by packed key
that batch triage uses (tests/test_batchmemo.py proves its lines equal the full path's,
byte for byte). Anything else (a value to convert, a duplicate key, an error) returns
None, and the caller takes the full path (`parse_facts`, the decider), which stays the
only judge of validity. The body is read with orjson, a third of the time of json's
reader; orjson keeps the last of a repeated key where `parse_facts` refuses the case,
so a body without escapes must hold just the quotes of the keys and strings it was
read into (`BatchMemo.line`), and a body with escapes is read by json as before.

A worker meets cases it has never seen all day long, so it builds the rulesets'
diagrams (`fastpath.diagrams`) when it starts: a key not seen yet then finds its parts
by a walk instead of enumerating its completions.

The memo is for one day (a case without `today` is decided for today) and one thread:
the app calls it from its event loop only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

import orjson

from advisor.engine import Decider
from advisor.errors import printable
from advisor.triage.fastpath import BatchMemo, diagrams
from advisor.triage.records import DECODER, is_json_blank


class OneCase:
    def __init__(self, decider: Decider, clock: Callable[[], float] = time.time) -> None:
        """`clock`: seconds since the epoch, as `time.time` (tests move it)."""
        self._decider = decider
        self._clock = clock
        self._diagrams = diagrams(decider)
        self._memo: BatchMemo | None = None
        # Today's bounds in the clock's seconds: comparing a float per request costs
        # less than asking for the date (a clock set back is a new day too).
        self._starts = self._ends = 0.0

    def line(self, body: bytes) -> str | None:
        """The decision of the JSON case `body` (UTF-8) as a JSON object (the line of
        `triage batch` without its line break), or None: take the full path."""
        now = self._clock()
        memo = self._memo
        if memo is None or not self._starts <= now < self._ends:
            memo = self._new_day(now)
        quotes = None
        if b"\\" not in body:
            # orjson reads a case in a third of the time of json, but keeps the last of
            # a repeated key: without escapes, counting the quotes tells (BatchMemo.line).
            try:
                data = orjson.loads(body)
            except orjson.JSONDecodeError:  # the full path's to word
                return None
            quotes = body.count(b'"')
        else:
            try:
                text = body.decode("utf-8")
                data, end = DECODER.raw_decode(text)
            except Exception:  # anything the reader refuses is the full path's to word
                return None
            if end != len(text) and not is_json_blank(text[end:]):
                return None
        if type(data) is not dict:
            return None
        found = memo.line(data, quotes)
        if found is None:
            return None
        case_id, tail = found
        if not case_id.isascii() and printable(case_id) != case_id:
            return None  # an id holding a lone surrogate is the full path's error
        return '{"id": ' + case_id + tail

    def _new_day(self, now: float) -> BatchMemo:
        today = date.fromtimestamp(now)
        midnight = datetime.combine(today, datetime.min.time())
        self._starts = midnight.timestamp()
        self._ends = (midnight + timedelta(days=1)).timestamp()
        self._memo = BatchMemo(self._decider, today, diagrams=self._diagrams)
        return self._memo
