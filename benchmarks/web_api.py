"""`POST /api/v1/decide` against a trivial JSON endpoint of the same app (`GET /healthz`),
on one uvicorn worker over loopback, under a bounded load.

    python benchmarks/web_api.py [REQUESTS] [--connections C]   (default 20,000 and 8)

`advisor serve` runs in its own process (one worker, as it runs in production, with
httptools and uvloop); this process is the client: C keep-alive connections, each
sending its next request as soon as the last answer is read, until REQUESTS requests of
each kind were answered; then it stops. The two kinds run in alternating rounds, so a
busy moment of the machine falls on both.

Two loads, one after the other on the same worker: "new cases", REQUESTS intake cases
(benchmarks/_cases.py) that the worker has never seen, each with its own id; then "seen
cases", the same cases again, as a worker that has answered a day's tickets sees them
(a case's decision is memoised by what the rules read, advisor/web/onecase.py).
Reported for each: requests per second of both kinds, their ratio (the target is >=
0.8), p50 and p99 latency, and the server's CPU time per request (which shows that the
server, not this client, was the bottleneck).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import intake_case

ROUNDS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def request(method: str, path: str, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def load(port: int, requests: list[bytes], connections: int) -> tuple[float, list[float]]:
    """Send every request once over `connections` connections; (seconds, latencies)."""
    latencies: list[float] = []
    queue = iter(requests)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for data in queue:
                sent = time.perf_counter()
                writer.write(data)
                status = await read_response(reader)
                latencies.append(time.perf_counter() - sent)
                if status != 200:
                    raise RuntimeError(f"status {status}")
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return time.perf_counter() - started, latencies


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    total = int(args[0]) if args else 20_000
    connections = 8
    if "--connections" in sys.argv:
        connections = int(sys.argv[sys.argv.index("--connections") + 1])
    rng = random.Random(7)
    cases = [json.dumps(intake_case(rng, n)).encode() for n in range(total + 2_000)]
    decide = [request("POST", "/api/v1/decide", body) for body in cases]
    health = request("GET", "/healthz")

    port = free_port()
    advisor = Path(sys.executable).parent / "advisor"
    server = subprocess.Popen(
        [str(advisor), "serve", "--port", str(port), "--no-card"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("advisor serve did not start") from None
                time.sleep(0.1)
        process = psutil.Process(server.pid)
        # Warm-up (not measured): the code paths, with cases that do not come again.
        asyncio.run(load(port, [health] * 2_000, connections))
        asyncio.run(load(port, decide[total:], connections))
        per_round = total // ROUNDS
        print(
            f"one uvicorn worker, loopback, {connections} keep-alive connections, "
            f"{per_round * ROUNDS:,} requests of each kind in {ROUNDS} alternating rounds "
            f"per load (after 2,000 of each to warm up); {os.cpu_count()} CPUs"
        )
        for load_name in ("new cases", "seen cases"):
            measured: dict[str, tuple[list[float], float, float]] = {
                "healthz": ([], 0.0, 0.0),
                "decide": ([], 0.0, 0.0),
            }
            for round_number in range(ROUNDS):
                start = round_number * per_round
                for name, batch in (
                    ("healthz", [health] * per_round),
                    ("decide", decide[start : start + per_round]),
                ):
                    cpu_before = sum(process.cpu_times()[:2])
                    seconds, latencies = asyncio.run(load(port, batch, connections))
                    cpu = sum(process.cpu_times()[:2]) - cpu_before
                    old, old_seconds, old_cpu = measured[name]
                    measured[name] = (old + latencies, old_seconds + seconds, old_cpu + cpu)
            report(load_name, measured)
    finally:
        server.terminate()
        server.wait(timeout=30)


def report(load_name: str, measured: dict[str, tuple[list[float], float, float]]) -> None:
    print(f"{load_name}:")
    rates = {}
    for name, (latencies, seconds, cpu) in measured.items():
        rates[name] = len(latencies) / seconds
        ordered = sorted(latencies)
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[int(len(ordered) * 0.99) - 1] * 1000
        print(
            f"  {name:8} {rates[name]:8,.0f} requests/s   p50 {p50:.2f} ms   "
            f"p99 {p99:.2f} ms   server CPU {cpu / len(latencies) * 1e6:.0f} µs/request"
        )
    ratio = rates["decide"] / rates["healthz"]
    verdict = "meets" if ratio >= 0.8 else "misses"
    print(f"  decide / healthz: {ratio:.2f} ({verdict} the target of 0.8)")


if __name__ == "__main__":
    main()
