"""Start-up of the commands a person waits for, against their references, in one run.

    python benchmarks/startup.py [RUNS]
    bash .ci/pcsc-env .venv/bin/python benchmarks/startup.py [RUNS]   # with card status

Whole-process wall times, medians over RUNS rounds; in each round every command runs
once, in turn, so that a busy moment of the machine falls on all of them alike. Budgets
(issue 8, docs/performance.md):

- `advisor --help`                     <= 4 x `python -c pass`
- `advisor triage case --card-lost yes` <= 6 x `python -c pass`
- `advisor card status` on a virtual card through pcscd <= 10 x `pkcs15-tool --list-pins`
  on the same card (only inside the PC/SC tier, where a private pcscd runs).

The package is byte-compiled first, as an installation from a wheel would have it (an
editable install leaves that to the first run, and PYTHONDONTWRITEBYTECODE=1 forbids it);
the decision table and the templates are cached by a first, unmeasured run.
"""

from __future__ import annotations

import compileall
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ADVISOR = str(BIN / "advisor")


def wall(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=os.environ)
    return time.perf_counter() - started


def measure(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, args in commands.items():
            times[name].append(wall(args))
    return {name: statistics.median(values) for name, values in times.items()}


def _card_seen(reader: str) -> bool:
    listed = subprocess.run(
        [ADVISOR, "card", "readers"], capture_output=True, text=True, env=os.environ
    )
    return f"{reader}: card present" in listed.stdout


def with_virtual_card(runs: int) -> dict[str, float] | None:
    """`card status` and `pkcs15-tool --list-pins` on one virtual IDEMIA card, or None
    outside the PC/SC tier."""
    if os.environ.get("ADVISOR_PCSC_TIER") != "1":
        print("card status: skipped (run inside bash .ci/pcsc-env for it)")
        return None
    if shutil.which("pkcs15-tool") is None:
        print("card status: skipped (pkcs15-tool from Debian's opensc package is missing)")
        return None
    port = os.environ.get("ADVISOR_VPCD_PORT", "35963")
    server = subprocess.Popen(
        [ADVISOR, "emulator", "serve", "--profile", "idemia", "--vpcd", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not _card_seen("Virtual PCD 00 00"):
            if time.monotonic() > deadline:
                raise RuntimeError("the virtual card never reached pcscd")
            time.sleep(0.2)
        commands = {
            "pkcs15-tool --list-pins": ["pkcs15-tool", "--list-pins"],
            "advisor card status": [ADVISOR, "card", "status"],
        }
        measure(commands, 1)  # warm pcscd and the reader
        return measure(commands, runs)
    finally:
        server.terminate()
        server.wait(10)


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    import advisor  # the installation being measured, whichever checkout it is

    compileall.compile_dir(Path(advisor.__file__).parent, quiet=1)
    case = [ADVISOR, "triage", "case", "--card-lost", "yes"]
    subprocess.run(case, check=True, capture_output=True, env=os.environ)
    medians = measure(
        {
            "python -c pass": [sys.executable, "-c", "pass"],
            "advisor --help": [ADVISOR, "--help"],
            "advisor triage case --card-lost yes": case,
        },
        runs,
    )
    card = with_virtual_card(runs)
    if card:
        medians.update(card)
    for name, seconds in medians.items():
        print(f"{name}: median {seconds * 1e3:.0f} ms over {runs} runs")
    base = medians["python -c pass"]
    checks = [("advisor --help", base, 4.0), ("advisor triage case --card-lost yes", base, 6.0)]
    if card:
        checks.append(("advisor card status", medians["pkcs15-tool --list-pins"], 10.0))
    ok = True
    for name, reference, budget in checks:
        ratio = medians[name] / reference
        verdict = "within" if ratio <= budget else "OVER"
        ok = ok and ratio <= budget
        print(f"{name}: {ratio:.1f} x its reference ({verdict} the budget of {budget:g} x)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
