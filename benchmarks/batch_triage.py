"""Batch triage of N JSON Lines records against a plain parse-and-serialise loop.

    python benchmarks/batch_triage.py [N] [--random]   (default 1,000,000)

Cases are "intake" cases (read from a card, or a few facts taken on the phone); with
--random every fact is independently known or not, the worst case for the memo.

Both loops read the same file and write to /dev/null in this one Python process; the
target is a ratio of at least 0.5 and resident memory growth under 50 MB during the run.
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import intake_case, random_case

from advisor.engine import load_decider
from advisor.triage.batch import run_batch
from advisor.triage.records import Item, jsonl_items


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 1_000_000
    make = random_case if "--random" in sys.argv else intake_case
    rng = random.Random(42)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "cases.jsonl"
        with source.open("w") as out:
            for i in range(n):
                out.write(json.dumps(make(rng, i)) + "\n")
        size_mb = source.stat().st_size / 2**20

        with source.open("rb") as handle, open(os.devnull, "w") as sink:
            started = time.perf_counter()
            for line in handle:
                sink.write(json.dumps(json.loads(line)) + "\n")
            plain = time.perf_counter() - started

        decider = load_decider()
        decider.table  # noqa: B018 - load the table before measuring
        process = psutil.Process()

        def memory() -> tuple[int, int]:
            # Resident set size, and the proportional set size (pages shared with other
            # processes count in part).
            info = process.memory_full_info()
            return int(info.rss), int(info.pss)

        start = memory()
        peak = list(start)

        def sample() -> None:
            now = memory()
            peak[0], peak[1] = max(peak[0], now[0]), max(peak[1], now[1])

        def sampled(records: Iterator[Item]) -> Iterator[Item]:
            for count, record in enumerate(records):
                if count % 50_000 == 0:
                    sample()
                yield record

        with source.open("rb") as handle, open(os.devnull, "w") as sink:
            started = time.perf_counter()
            summary = run_batch(
                decider,
                sampled(jsonl_items(handle)),
                sink,
                today=date(2026, 11, 27),
            )
            ours = time.perf_counter() - started
        sample()

    kind = make.__name__.removesuffix("_case")
    print(
        f"records: {n} {kind} cases ({size_mb:.0f} MB of JSON Lines), Python {sys.version.split()[0]}"
    )
    print(f"plain parse+serialise: {plain:.2f} s, {n / plain:,.0f} records/s")
    print(f"advisor triage batch:  {ours:.2f} s, {n / ours:,.0f} records/s")
    print(f"speed ratio (advisor / plain): {plain / ours:.2f}  (target >= 0.5)")
    print(
        f"memory growth during the run: RSS {(peak[0] - start[0]) / 2**20:.1f} MB, "
        f"PSS {(peak[1] - start[1]) / 2**20:.1f} MB  (target < 50 MB)"
    )
    print(f"statuses: {dict(summary.statuses)}")


if __name__ == "__main__":
    main()
