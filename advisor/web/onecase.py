"""One case at a time through batch triage's fast path.

`POST /api/v1/decide` answers exactly what `advisor triage case --json` gives. Most
cases an API is sent are plain JSON whose values are already right; for them the
decision line comes from `advisor.triage.fastpath.BatchMemo`, the memo by packed key
that batch triage uses (tests/test_batchmemo.py proves its lines equal the full path's,
byte for byte). Anything else (a value to convert, a duplicate key, an error) returns
None, and the caller takes the full path (`parse_facts`, the decider), which stays the
only judge of validity. The body is read as batch triage reads a line
(`BatchMemo.read`).

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

from advisor.engine import Decider
from advisor.triage.fastpath import BatchMemo, diagrams


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
        found = memo.read(body)
        if found is None:
            return None
        case_id, tail = found
        return '{"id": ' + case_id + tail

    def _new_day(self, now: float) -> BatchMemo:
        today = date.fromtimestamp(now)
        midnight = datetime.combine(today, datetime.min.time())
        self._starts = midnight.timestamp()
        self._ends = (midnight + timedelta(days=1)).timestamp()
        self._memo = BatchMemo(self._decider, today, diagrams=self._diagrams)
        return self._memo
