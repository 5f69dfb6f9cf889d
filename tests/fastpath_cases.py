"""Records as real JSON Lines files hold them, and the line the full path writes for each:
the oracle of batch triage's fast path (tests/test_batchmemo.py) and of the diagrams that
decide a new case for the web API (tests/test_diagrams.py)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from hypothesis import strategies as st

from advisor.engine.decider import Decider
from advisor.engine.decision import error_decision
from advisor.errors import FactError
from advisor.facts.case import FIELD_NAMES, parse_facts
from advisor.triage.records import decode_json

TODAY = date(2026, 11, 27)


def reference(decider: Decider, line: int, text: str) -> str:
    """The line for one record through the full path only: json.loads, parse_facts and
    the decider's own (not the batch's) answer."""
    version = decider.book.version
    try:
        data: Any = decode_json(text)
    except FactError as exc:
        data = exc
    case_id = None
    if isinstance(data, dict):
        raw = data.get("id")
        case_id = str(raw) if isinstance(raw, str | int) and not isinstance(raw, bool) else None
        try:
            facts = parse_facts(data, default_today=TODAY)
        except FactError as exc:
            decision = error_decision(version, exc.field, exc.message, None, line, exc.problems)
        else:
            decision = decider.decide(facts, engine=False)
    elif isinstance(data, FactError):
        decision = error_decision(version, data.field, data.message, None, line)
    else:
        decision = error_decision(version, "(record)", "a record must be a JSON object", None, line)
    out = decision.to_json()
    out["id"] = case_id
    return json.dumps(out, ensure_ascii=False) + "\n"


# Values as they come in real files: mostly right, some of the wrong type or spelling.
_BOOL = st.sampled_from([True, False, None, 1, 0, 1.0, "yes", "true", "maybe"])
_TRIES = st.sampled_from([0, 1, 2, 3, None, 4, -1, True, False, 2.0, "3"])
_CHIP = st.sampled_from(["idemia", "thales", "legacy", None, "IDEMIA", " thales", "gemalto", 3])
_DATE = st.one_of(
    st.dates(date(2017, 6, 1), date(2032, 1, 1)).map(date.isoformat),
    st.sampled_from(
        ["2018-12-02", "2018-12-03", "2025-11-14", "2025-11-15", "2025-11-16", "2025-11-17"]
    ),
    st.sampled_from(["2026-11-26", "2026-11-27", "2026-11-28", None]),
    st.sampled_from(["2025-02-31", "17.11.2025", "2025-1-5", "", 20251117]),
)
_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "card_generation": _CHIP,
    "issue_date": _DATE,
    "expiry_date": _DATE,
    "today": _DATE,
    "document_type": st.sampled_from(["e_resident", "id_card", "digi_id", None, "passport"]),
    "location": st.sampled_from(["estonia", "abroad", None, "Estonia", "mars"]),
    "id": st.one_of(st.text(max_size=6), st.integers(-5, 10**20), st.sampled_from([None, True])),
    "colour": st.just("blue"),  # a misspelled fact must never pass
}
for _name in FIELD_NAMES:
    if _name.endswith("_tries_left"):
        _FIELDS[_name] = _TRIES
    elif _name not in _FIELDS:
        _FIELDS[_name] = _BOOL


@st.composite
def records(draw: st.DrawFn) -> str:
    names = draw(st.lists(st.sampled_from(sorted(_FIELDS)), unique=True, max_size=14))
    # Mostly valid values, so that the fast path (not only the fallback) is exercised.
    record = {}
    for name in names:
        if name == "colour" and draw(st.integers(0, 9)):
            continue
        record[name] = draw(_FIELDS[name])
    text = json.dumps(record, ensure_ascii=False)
    if record and draw(st.integers(0, 19)) == 0:
        # A field given twice: an error of its own on both paths.
        name = next(iter(record))
        text = text[:-1] + f", {json.dumps(name)}: {json.dumps(record[name])}}}"
    # What may follow a record: JSON's blanks pass, anything else is junk on both paths.
    return text + draw(st.sampled_from(["", "", "", " ", "\t", "\r", "\x1f", "\u00a0", "x"]))
