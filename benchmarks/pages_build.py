"""`advisor pages build` for three languages, as a command (the target: <= 10 s).

    python benchmarks/pages_build.py [RUNS]   (default 5)

Whole-process wall time of `advisor pages build OUT` (en, et, ru: every page, the
assets and the manifest), median and worst of RUNS runs into a fresh folder each time,
after one unmeasured run that fills the caches a real checkout has (the decision table
is not needed; Jinja's compiled templates are). Also the size of what it wrote.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def build(out: Path) -> float:
    advisor = Path(sys.executable).parent / "advisor"
    started = time.perf_counter()
    subprocess.run([str(advisor), "pages", "build", str(out)], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp) / "warm")
        times = [build(Path(tmp) / f"site{n}") for n in range(runs)]
        site = Path(tmp) / "site0"
        files = [p for p in site.rglob("*") if p.is_file()]
        pages = [p for p in files if p.suffix == ".html"]
        size = sum(p.stat().st_size for p in files)
    print(
        f"advisor pages build (en, et, ru): median {statistics.median(times):.2f} s, "
        f"worst {max(times):.2f} s over {runs} runs; {len(pages)} pages, {len(files)} files, "
        f"{size / 2**20:.1f} MiB"
    )
    verdict = "meets" if max(times) <= 10 else "misses"
    print(f"target <= 10 s: {verdict}")


if __name__ == "__main__":
    main()
