"""What one case costs `POST /api/v1/decide` inside the worker, without HTTP: the part of
the request that is this project's (benchmarks/web_api.py measures the whole request).

    python benchmarks/onecase.py [CASES]   (default 8,000)

In one process: the decider and its diagrams are loaded (the diagrams' build is timed,
as a worker pays it at start), `OneCase.line` is warmed with 2,000 intake cases
(benchmarks/_cases.py) that do not come again, then CASES new intake cases are decided
("new": cases the memo has never seen, many with keys it has never seen), then the same
cases again ("seen"). For the new ones it also counts, from `BatchMemo`'s own counters
and by timing the memo's private steps: keys never seen (`_resolve`), of them the parts
the decider had to find for their exact key (`Decider.batch_part`: routes that differ),
and record shapes never seen (`_layout`). Timing those steps adds a little to "new".
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import intake_case

from advisor.engine import load_decider
from advisor.triage import fastpath
from advisor.web.onecase import OneCase


def timed(totals: dict[str, list[float]], name: str, call: Callable[..., Any]) -> Any:
    def wrapper(*args: Any) -> Any:
        started = time.perf_counter()
        try:
            return call(*args)
        finally:
            entry = totals.setdefault(name, [0, 0.0])
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    return wrapper


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 8_000
    rng = random.Random(7)
    texts = [json.dumps(intake_case(rng, n)) for n in range(total + 2_000)]
    decider = load_decider()
    decider.table  # noqa: B018 - loaded before anything is timed
    started = time.perf_counter()
    built = fastpath.diagrams(decider)
    build = time.perf_counter() - started
    lines = [line for line in built.lines if line is not None]
    print(
        f"diagrams built in {build:.2f} s: {len(built.parts):,} leaves, "
        f"{len(lines):,} with a whole line ({len(set(lines)):,} distinct)"
    )
    one = OneCase(decider)
    for text in texts[total:]:
        one.line(text.encode("utf-8", "surrogatepass"))

    totals: dict[str, list[float]] = {}
    memo_class = fastpath.BatchMemo
    saved = (memo_class._resolve, memo_class._layout, decider.batch_part)
    memo_class._resolve = timed(totals, "keys never seen", memo_class._resolve)  # type: ignore[method-assign]
    memo_class._layout = timed(totals, "record shapes never seen", memo_class._layout)  # type: ignore[method-assign]
    decider.batch_part = timed(totals, "parts found for their key", decider.batch_part)  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        for text in texts[:total]:
            assert one.line(text.encode("utf-8", "surrogatepass")) is not None
        new = time.perf_counter() - started
    finally:
        memo_class._resolve, memo_class._layout = saved[0], saved[1]  # type: ignore[method-assign]
        del decider.batch_part
    started = time.perf_counter()
    for text in texts[:total]:
        one.line(text.encode("utf-8", "surrogatepass"))
    seen = time.perf_counter() - started
    print(
        f"{total:,} intake cases: new {new / total * 1e6:.1f} µs a case, seen {seen / total * 1e6:.1f} µs"
    )
    for name, (count, seconds) in totals.items():
        print(
            f"  {name}: {count:,} ({count / total:.1%} of the cases), "
            f"{seconds / count * 1e6:.1f} µs each, {seconds / total * 1e6:.2f} µs a case"
        )


if __name__ == "__main__":
    main()
