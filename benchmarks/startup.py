"""Wall time of `advisor --help` and `advisor triage case ...` beside `python -c pass`.

python benchmarks/startup.py [RUNS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def wall(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, env=os.environ)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    advisor = str(BIN / "advisor")
    # Warm the table cache so that the case measures start-up, not the first build.
    subprocess.run(
        [advisor, "triage", "case", "--puk-known", "yes"], check=True, capture_output=True
    )
    rows = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("advisor --help", [advisor, "--help"]),
        (
            "advisor triage case (engine, complete facts)",
            [
                advisor,
                "triage",
                "case",
                "--json",
                "--facts",
                '{"card_generation":"idemia","expiry_date":"2029-01-01","pin1_tries_left":0,"pin2_tries_left":3,'
                '"puk_tries_left":3,"pin1_known":true,"pin2_known":true,"puk_known":true,"pin2_activated":true,'
                '"card_activated":true,"has_other_eid":true}',
            ],
        ),
        (
            "advisor triage case (table, unknown facts)",
            [advisor, "triage", "case", "--json", "--card-lost", "yes"],
        ),
    ]
    for label, args in rows:
        print(f"{label}: median {wall(args, runs) * 1e3:.0f} ms over {runs} runs")


if __name__ == "__main__":
    main()
