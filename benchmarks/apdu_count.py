"""APDUs sent by `advisor card status` and by `advisor diagnose` (its card part), beside the
minimum that the contract's facts need; through pcscd, the wall time of `card status`.

    python benchmarks/apdu_count.py [RUNS]
    bash .ci/pcsc-env .venv/bin/python benchmarks/apdu_count.py [RUNS]

The counts come from the emulator's own command counter (``VirtualCard.commands``): the
real commands run in process (``--virtual``) with ``make_card`` replaced by one that keeps
the card it made. Each APDU costs tens of milliseconds on a real reader, so the counts are
what matters for the holder; the pcscd timings only show the fixed costs around them.

Under ``.ci/pcsc-env`` (ADVISOR_PCSC_TIER=1) it also attaches each card to the private
pcscd through vpcd and reports the median wall time of `advisor card status --json`
(a subprocess: start-up, PC/SC connect and the APDUs), of `advisor card readers` (the same
without a card session) and of ``CardSession(pcsc.connect()).status()`` in process.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import advisor.emulator
from advisor.card.profiles import IDEMIA_COSMO_8, THALES, Profile
from advisor.card.session import CardSession
from advisor.emulator import IdemiaCard, ThalesCard, VirtualCard
from advisor.emulator.connection import VirtualConnection

PRESETS = {"idemia": "idemia-ok", "thales": "thales-ok"}
ADVISOR = str(Path(sys.executable).with_name("advisor"))


def minimum_apdus(generation: str, auth_cert_size: int) -> int:
    """The fewest APDUs that read every fact of contract §1 that the card holds.

    The facts a card can tell: card_generation, pin1/pin2/puk_tries_left,
    pin2_activated and card_activated (Thales), expiry_date, issue_date (IDEMIA only:
    Thales has no known issue-date file, docs/card-protocol.md §5.1) and document_type.
    Names, personal code, document number and the signing certificate are shown by
    `card status` but are no facts; EF 5005 (birth date) is needed only to check a new
    code. Counted with the commands known to work on each chip (card-protocol.md):

    IDEMIA
      0  card_generation: the ATR, no APDU.
      1  SELECT the main AID: the card's current DF is whatever other middleware left
         (§8), and the counters of the global PIN1/PUK are read from there.
      2  GET DATA PIN1, GET DATA PUK (one per counter; no command answers two).
      1  SELECT DF 3F00/5000 (personal data). No source selects 3F00/5000/50nn in one
         path on IDEMIA, so the DF and each EF are separate SELECTs.
      4  SELECT EF 5008 + READ BINARY (expiry), SELECT EF 5009 + READ BINARY (issue);
         short-EF-identifier reads are not known to work (§3/§4).
      1  SELECT the auth certificate with FCP (its size: no READ past the end).
      n  READ BINARY in 192-byte chunks (the chip's limit) until the policy OID is in
         hand: the whole certificate, since `cryptography` parses whole DER (the
         signature trails the extensions by ~100 bytes, inside the last chunk).
      1  SELECT the QSCD application: PIN2 is local to it (§3.2).
      1  GET DATA PIN2.
      = 11 + ceil(auth / 192)

    Thales
      0  card_generation: the ATR.
      1  SELECT the PKCS#15 applet (known state, §8).
      3  GET DATA PIN1, PUK, PIN2: the DF2F flags (pin2_activated, card_activated) come
         in the same answers.
      2  SELECT DFDD/5008 by one path from the MF + READ BINARY (expiry).
      1  SELECT the auth certificate with FCP.
      n  READ BINARY in 229-byte chunks, as above.
      = 7 + ceil(auth / 229)
    """
    profile: Profile = IDEMIA_COSMO_8 if generation == "idemia" else THALES
    reads = math.ceil(auth_cert_size / profile.read_chunk)
    return (11 if generation == "idemia" else 7) + reads


def auth_cert_size(card: VirtualCard) -> int:
    assert isinstance(card, IdemiaCard | ThalesCard)
    return len(card.credentials.auth_cert_der)


def sent(card: VirtualCard) -> int:
    """Every APDU the card received (its command counter, GET RESPONSEs included)."""
    return sum(card.commands.values())


def count_cli(args: list[str], preset: str, *, as_json: bool = True) -> int:
    """APDUs one CLI command sends to a fresh virtual card of ``preset``, in process."""
    from typer.testing import CliRunner

    from advisor.cli import app

    made: list[VirtualCard] = []
    real_make = advisor.emulator.make_card

    def keep(name: str, *args: object, **kwargs: object) -> VirtualCard:
        card = real_make(name)
        made.append(card)
        return card

    advisor.emulator.make_card = keep  # type: ignore[assignment]
    try:
        flags = ["--json"] if as_json else []
        result = CliRunner().invoke(app, [*args, "--virtual", preset, *flags], input="")
    finally:
        advisor.emulator.make_card = real_make
    if result.exit_code != 0:
        raise SystemExit(f"advisor {' '.join(args)} failed: {result.stderr}")
    (card,) = made
    count = sent(card)
    if as_json:
        reported = json.loads(result.stdout)["apdu_count"]
        assert reported == count, (reported, count)  # the session's count is the card's
    return count


def count_facts_only(preset: str) -> int:
    card = advisor.emulator.make_card(preset)
    CardSession(VirtualConnection(card)).status(facts_only=True)
    return sent(card)


def apdu_table() -> None:
    print("APDUs (emulator command counter; certificates as the emulator makes them)")
    header = f"{'generation':<10}  {'what':<36}  {'APDUs':>5}  {'minimum':>7}"
    print(header)
    print("-" * len(header))
    for generation, preset in PRESETS.items():
        card = advisor.emulator.make_card(preset)
        size = auth_cert_size(card)
        minimum = minimum_apdus(generation, size)
        rows = [
            ("card status", count_cli(["card", "status"], preset)),
            ("diagnose --json (card part)", count_cli(["diagnose"], preset)),
            ("diagnose (card part)", count_cli(["diagnose"], preset, as_json=False)),
            ("CardSession.status(facts_only=True)", count_facts_only(preset)),
        ]
        for what, count in rows:
            print(f"{generation:<10}  {what:<36}  {count:>5}  {minimum:>7}")
        print(f"{'':<10}  (auth certificate {size} bytes)")


# --- through pcscd --------------------------------------------------------------------


def median_seconds(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run_cli(*args: str) -> None:
    subprocess.run([ADVISOR, *args], check=True, capture_output=True)


def pcsc_table(runs: int) -> None:
    from advisor.emulator.vpcd import VpcdBridge
    from advisor.transport import pcsc

    port = int(os.environ.get("ADVISOR_VPCD_PORT", "35963"))
    print()
    print(f"Through the private pcscd + vpcd (median of {runs} runs)")
    header = (
        f"{'generation':<10}  {'APDUs':>5}  {'card status CLI':>15}  "
        f"{'card readers CLI':>16}  {'status() in process':>19}  {'per APDU':>8}"
    )
    print(header)
    print("-" * len(header))
    for generation, preset in PRESETS.items():
        card = advisor.emulator.make_card(preset)
        with VpcdBridge(card, "127.0.0.1", port) as bridge:
            if not bridge.wait_connected(10):
                raise SystemExit(f"vpcd on port {port} never took the card")
            deadline = time.monotonic() + 10
            while not any(r.has_card for r in pcsc.list_readers()):
                if time.monotonic() > deadline:
                    raise SystemExit("pcscd never saw the card")
                time.sleep(0.05)

            def in_process() -> None:
                with pcsc.connect() as connection:
                    CardSession(connection).status()

            before = sent(card)
            in_process()
            apdus = sent(card) - before
            cli = median_seconds(lambda: run_cli("card", "status", "--json"), runs)
            readers = median_seconds(lambda: run_cli("card", "readers"), runs)
            session = median_seconds(in_process, runs)
            bridge.remove()
            bridge.wait_disconnected(10)
        print(
            f"{generation:<10}  {apdus:>5}  {cli * 1e3:>12.0f} ms  {readers * 1e3:>13.0f} ms  "
            f"{session * 1e3:>16.0f} ms  {session / apdus * 1e3:>5.1f} ms"
        )
        # Let pcscd see the slot empty before the next card goes in.
        deadline = time.monotonic() + 10
        while any(r.has_card for r in pcsc.list_readers()) and time.monotonic() < deadline:
            time.sleep(0.05)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 11
    # diagnose builds the decision table: never in the user's cache.
    with tempfile.TemporaryDirectory() as cache:
        os.environ.setdefault("ADVISOR_CACHE_DIR", cache)
        apdu_table()
        if os.environ.get("ADVISOR_PCSC_TIER") == "1":
            pcsc_table(runs)
        else:
            print("\n(run under `bash .ci/pcsc-env` for the timings through pcscd)")


if __name__ == "__main__":
    main()
