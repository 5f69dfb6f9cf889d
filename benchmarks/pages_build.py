"""`advisor pages build` for three languages, as a command (the target: <= 10 s), and the
size of the questionnaire page with its tree (the target: <= 200 KB gzip-compressed).

    python benchmarks/pages_build.py [RUNS]   (default 5)

Whole-process wall time of `advisor pages build OUT` (en, et, ru: every page, the
assets and the manifest) into a fresh folder each time:

- cold: with an empty cache folder (ADVISOR_CACHE_DIR), as the first build after a
  change of the rules or of the interview's code: the decision table is loaded or built
  and the interview tree exported (advisor/interview/treecache.py); one run;
- warm: RUNS runs with the cache the cold run filled, as every later build; median and
  worst.

Then the size of what it wrote, and of each language's questionnaire page with its
script, gzip-compressed at level 9 and 6 (what static hosts commonly send).
"""

from __future__ import annotations

import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIMIT = 200 * 1024


def build(out: Path, cache: Path) -> float:
    advisor = Path(sys.executable).parent / "advisor"
    env = {**os.environ, "ADVISOR_CACHE_DIR": str(cache)}
    started = time.perf_counter()
    subprocess.run(
        [str(advisor), "pages", "build", str(out)], check=True, capture_output=True, env=env
    )
    return time.perf_counter() - started


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        cold = build(Path(tmp) / "cold", cache)
        times = [build(Path(tmp) / f"site{n}", cache) for n in range(runs)]
        site = Path(tmp) / "site0"
        files = [p for p in site.rglob("*") if p.is_file()]
        pages = [p for p in files if p.suffix == ".html"]
        size = sum(p.stat().st_size for p in files)
        script = (site / "assets" / "questionnaire.js").read_bytes()
        sizes = {}
        for lang in ("en", "et", "ru"):
            html = (site / lang / "questionnaire.html").read_bytes()
            sizes[lang] = (
                len(html) + len(script),
                len(gzip.compress(html, 9)) + len(gzip.compress(script, 9)),
                len(gzip.compress(html, 6)) + len(gzip.compress(script, 6)),
            )
    print(
        f"advisor pages build (en, et, ru): cold {cold:.2f} s; warm median "
        f"{statistics.median(times):.2f} s, worst {max(times):.2f} s over {runs} runs; "
        f"{len(pages)} pages, {len(files)} files, {size / 2**20:.1f} MiB"
    )
    print(
        f"target <= 10 s: cold {'meets' if cold <= 10 else 'misses'}, "
        f"warm {'meets' if max(times) <= 10 else 'misses'}"
    )
    for lang, (raw, best, usual) in sizes.items():
        print(
            f"questionnaire page ({lang}) with its script: {raw / 1024:.0f} KB, gzip -9 "
            f"{best / 1024:.1f} KB, gzip -6 {usual / 1024:.1f} KB"
        )
    worst = max(usual for _, _, usual in sizes.values())
    print(f"target <= 200 KB compressed: {'meets' if worst <= LIMIT else 'misses'}")


if __name__ == "__main__":
    main()
