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

Then what reading the same bodies costs, with orjson and with json's reader of pairs
(`BatchMemo.read` takes the first for a body without escapes, else the second); and the
whole app in process, without uvicorn (`await app(scope, receive, send)`, CPU time):
`GET /healthz`, then `POST /api/v1/decide` with CASES other intake cases it has never
seen, then the same again.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import intake_case

from advisor.engine import Decider, load_decider
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
    bodies = [text.encode() for text in texts]
    one = OneCase(decider)
    for body in bodies[total:]:
        one.line(body)

    totals: dict[str, list[float]] = {}
    memo_class = fastpath.BatchMemo
    saved = (memo_class._resolve, memo_class._layout, decider.batch_part)
    memo_class._resolve = timed(totals, "keys never seen", memo_class._resolve)  # type: ignore[method-assign]
    memo_class._layout = timed(totals, "record shapes never seen", memo_class._layout)  # type: ignore[method-assign]
    decider.batch_part = timed(totals, "parts found for their key", decider.batch_part)  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        for body in bodies[:total]:
            assert one.line(body) is not None
        new = time.perf_counter() - started
    finally:
        memo_class._resolve, memo_class._layout = saved[0], saved[1]  # type: ignore[method-assign]
        del decider.batch_part
    started = time.perf_counter()
    for body in bodies[:total]:
        one.line(body)
    seen = time.perf_counter() - started
    print(
        f"{total:,} intake cases: new {new / total * 1e6:.1f} µs a case, seen {seen / total * 1e6:.1f} µs"
    )
    for name, (count, seconds) in totals.items():
        print(
            f"  {name}: {count:,} ({count / total:.1%} of the cases), "
            f"{seconds / count * 1e6:.1f} µs each, {seconds / total * 1e6:.2f} µs a case"
        )
    reading(bodies[:total])
    asyncio.run(in_process(decider, total))


def reading(bodies: list[bytes]) -> None:
    def each(read: Callable[[bytes], Any]) -> float:
        best = min(timeit.repeat(lambda: [read(body) for body in bodies], number=1, repeat=5))
        return best / len(bodies) * 1e6

    orjson_cost = each(orjson.loads)
    json_cost = each(lambda body: fastpath._PAIRS(body.decode()))
    print(
        f"reading a body ({sum(map(len, bodies)) // len(bodies)} bytes on average): orjson "
        f"{orjson_cost:.2f} µs, json's reader of pairs {json_cost:.2f} µs"
    )


async def in_process(decider: Decider, total: int) -> None:
    from starlette.types import Message

    from advisor.web.app import create_app
    from advisor.web.settings import WebSettings

    app = create_app(WebSettings(card=False), decider=decider)
    rng = random.Random(8)  # other cases than above: the app's memo has seen none
    bodies = [json.dumps(intake_case(rng, n)).encode() for n in range(total + 2_000)]

    async def call(method: str, path: str, body: bytes = b"") -> None:
        headers = [(b"host", b"bench")]
        if body:
            headers += [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 2),
            "state": {},
        }

        async def receive() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                assert message["status"] == 200, message

        await app(scope, receive, send)

    async def per_request(method: str, path: str, batch: list[bytes]) -> float:
        started = time.process_time()
        for body in batch:
            await call(method, path, body)
        return (time.process_time() - started) / len(batch) * 1e6

    for body in bodies[total:]:  # warm-up
        await call("POST", "/api/v1/decide", body)
    health = await per_request("GET", "/healthz", [b""] * total)
    new = await per_request("POST", "/api/v1/decide", bodies[:total])
    seen = await per_request("POST", "/api/v1/decide", bodies[:total])
    print(
        f"the app in process, CPU per request: /healthz {health:.1f} µs, "
        f"/api/v1/decide new cases {new:.1f} µs, seen {seen:.1f} µs"
    )


if __name__ == "__main__":
    main()
