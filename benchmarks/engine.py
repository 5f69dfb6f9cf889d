"""One decision through the engine, the full table build, and the table loaded from cache.

    python benchmarks/engine.py

Targets: engine decision with trace under 0.3 ms median; table build under 15 s on 2
cores; table from cache under 0.2 s.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _cases import random_case

from advisor.engine.decider import Decider
from advisor.engine.rulebook import load_rulebook
from advisor.engine.table import build_table, load_table, save_table
from advisor.facts.case import parse_facts, situation


def main() -> None:
    book = load_rulebook()
    rng = random.Random(1)
    views: list[dict[str, Any]] = []
    while len(views) < 2000:
        view = situation(parse_facts(random_case(rng, len(views))))
        if all(f in view for rs in book.rulesets for f in rs.fields):
            views.append(view)
    table = build_table(book, workers=1) if "--quick" in sys.argv else None
    decider = Decider(book, table or (lambda: build_table(book)))
    facts = [parse_facts(random_case(random.Random(i), i)) for i in range(20000)]
    complete = [
        f for f in facts if all(k in situation(f) for rs in book.rulesets for k in rs.fields)
    ]
    timings = []
    for f in complete[:3000]:
        started = time.perf_counter()
        book.fire(situation(f))
        timings.append(time.perf_counter() - started)
    print(
        f"engine fire (both rulesets, with trace): median {statistics.median(timings) * 1e3:.3f} ms, "
        f"p95 {sorted(timings)[int(len(timings) * 0.95)] * 1e3:.3f} ms over {len(timings)} complete cases"
    )
    timings = []
    for f in complete[:3000]:
        started = time.perf_counter()
        decider.decide(f)
        timings.append(time.perf_counter() - started)
    print(
        f"decide() via the engine incl. composition: median {statistics.median(timings) * 1e3:.3f} ms"
    )

    for workers in (1, 2):
        started = time.perf_counter()
        built = build_table(book, workers=workers)
        print(
            f"table build on {workers} process(es): {time.perf_counter() - started:.2f} s, "
            f"{built.combinations} combinations"
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.json"
        save_table(built, path)
        loads = []
        for _ in range(5):
            started = time.perf_counter()
            assert load_table(book, path) is not None
            loads.append(time.perf_counter() - started)
        print(
            f"table from cache: median {statistics.median(loads):.3f} s ({path.stat().st_size / 2**20:.1f} MB)"
        )


if __name__ == "__main__":
    main()
