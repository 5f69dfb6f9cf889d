"""One case at a time through batch triage's fast path.

`POST /api/v1/decide` answers exactly what `advisor triage case --json` gives. Most
cases an API is sent are plain JSON whose values are already right; for them the
decision line comes from `advisor.triage.fastpath.BatchMemo`, the memo by packed key
that batch triage uses (tests/test_batchmemo.py proves its lines equal the full path's,
byte for byte). Anything else (a value to convert, a duplicate key, an error) returns
None, and the caller takes the full path (`parse_facts`, the decider), which stays the
only judge of validity.

The memo is for one day (a case without `today` is decided for today) and one thread:
the app calls it from its event loop only.
"""

from __future__ import annotations

from datetime import date

from advisor.engine import Decider
from advisor.errors import printable
from advisor.triage.fastpath import BatchMemo
from advisor.triage.records import DECODER, is_json_blank


class OneCase:
    def __init__(self, decider: Decider) -> None:
        self._decider = decider
        self._memo: BatchMemo | None = None
        self._day: date | None = None

    def line(self, text: str) -> str | None:
        """The decision of the JSON case `text` as a JSON object (the line of
        `triage batch` without its line break), or None: take the full path."""
        today = date.today()
        if self._memo is None or today != self._day:
            self._memo, self._day = BatchMemo(self._decider, today), today
        try:
            data, end = DECODER.raw_decode(text)
        except Exception:  # anything the reader refuses is the full path's to word
            return None
        if type(data) is not dict or (end != len(text) and not is_json_blank(text[end:])):
            return None
        found = self._memo.line(data)
        if found is None:
            return None
        case_id, tail = found
        if not case_id.isascii() and printable(case_id) != case_id:
            return None  # an id holding a lone surrogate is the full path's error
        return '{"id": ' + case_id + tail
