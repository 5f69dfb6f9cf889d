"""The JSON API, version 1: `POST /api/v1/decide`, `POST /api/v1/triage`,
`GET /api/v1/card`, `GET /api/v1/openapi.json`, and `GET /healthz`.

Input is judged by the same code as the command line (`decode_json`, `parse_facts`), so a
case gets the errors of `advisor triage case --json` and a file the error records of
`advisor triage batch`; the API adds only HTTP's own (413, 415, 400 for an unusable
format or encoding). Errors and machine output stay English, as the CLI's JSON does.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date
from typing import IO, Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import request_response
from starlette.types import Message, Receive, Scope, Send

from advisor import __version__
from advisor.engine import error_decision
from advisor.errors import FactError
from advisor.facts.case import parse_facts
from advisor.triage.records import RECORD, check_encoding, decode_json
from advisor.web import openapi
from advisor.web.batchstream import FORMATS, decision_lines
from advisor.web.cardread import CardReadError, allowed, read_card
from advisor.web.errors import json_error
from advisor.web.pages import state_of
from advisor.web.state import AppState

BODY: Final = "(body)"
# A spooled body stays in memory up to this size, then goes to a temporary file.
_SPOOL: Final = 1024 * 1024
_NO_STORE: Final = {"Cache-Control": "no-store"}


async def health(request: Request) -> Response:
    return JSONResponse(
        {
            "status": "ok",
            "version": __version__,
            "rules_version": state_of(request).decider.book.version,
        },
        headers=_NO_STORE,
    )


_DOCUMENT: dict[str, Any] | None = None


def openapi_document() -> dict[str, Any]:
    global _DOCUMENT
    if _DOCUMENT is None:
        _DOCUMENT = openapi.document()
    return _DOCUMENT


async def openapi_json(request: Request) -> Response:
    return JSONResponse(openapi_document())


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def decide(request: Request) -> Response:
    """One case in, its decision out: `advisor triage case --json --facts BODY`; exact
    JSON through batch triage's fast path (onecase.py), anything else the full path."""
    media = _media_type(request)
    if media and media != openapi.JSON and not media.endswith("+json"):
        return json_error(415, f"send the case as {openapi.JSON}, not {media}", BODY)
    state = state_of(request)
    decider = state.decider
    body = await request.body()
    fast = state.one_case.line(body)
    if fast is not None:
        return _json(fast)
    try:
        facts = parse_facts(_case(body), default_today=date.today())
    except FactError as exc:
        decision = error_decision(
            decider.book.version, exc.field, exc.message, problems=exc.problems
        )
        return JSONResponse(decision.to_json(), status_code=422, headers=_NO_STORE)
    # The batch encoder gives exactly `decide(facts).to_json()` (tests/test_web.py holds it
    # to `triage case --json`), from per-ruleset fragments it encodes once.
    return _json(
        '{"id": ' + json.dumps(facts.id, ensure_ascii=False) + ", " + decider.batch_json(facts)
    )


def _json(line: str) -> Response:
    return Response(_encoded(line), media_type=openapi.JSON, headers=_NO_STORE)


def _encoded(line: str) -> bytes:
    try:
        return line.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate in an echoed value: JSON's escape carries it (as batch.py does).
        return json.dumps(json.loads(line), ensure_ascii=True).encode("ascii")


class Decide:
    """`POST /api/v1/decide` as a plain ASGI callable, the API's hot path.

    A case that batch triage's fast path decides (exact JSON, onecase.py) is answered
    here, without building a Request or a Response: at the rate an API is called, their
    construction costs as much as the decision. Every other body (an error, a value to
    convert, another media type) goes to `decide`, the full path, which alone words
    errors. Both answer the same bytes (tests/test_web.py)."""

    def __init__(self) -> None:
        self._full = request_response(decide)
        # The app's state, found once: Starlette's State is a slow attribute lookup.
        self._app: object = None
        self._state: AppState | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        if message["type"] != "http.request":
            return  # disconnected
        body: bytes = message.get("body", b"")
        if message.get("more_body", False):
            chunks = [body]
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
            body = b"".join(chunks)
        line = None
        if _takes_json(scope):
            app = scope["app"]
            state = self._state
            if state is None or app is not self._app:
                state = self._state = app.state.advisor
                self._app = app
            line = state.one_case.line(body)
        if line is None:
            await self._full(scope, _replay(body), send)
            return
        data = _encoded(line)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", b"%d" % len(data)),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": data})


def _takes_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            media: bytes = value.split(b";")[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return True


def _replay(body: bytes) -> Receive:
    """A receive that gives `body` once, as the full path reads it again."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _case(body: bytes) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FactError(BODY, f"the body is not UTF-8 text (byte {exc.start + 1})") from None
    try:
        data = decode_json(text)
    except FactError as exc:
        # A problem of the whole text is a problem of the body (the CLI says --facts).
        if exc.field == RECORD:
            raise FactError(BODY, exc.message) from None
        raise
    if not isinstance(data, dict):
        raise FactError(BODY, "must be a JSON object")
    return data


async def triage(request: Request) -> Response:
    """A file of cases in (JSON Lines, or CSV), its decision lines streamed out."""
    media = _media_type(request)
    fmt = request.query_params.get("format") or ("csv" if media == openapi.CSV else "jsonl")
    if fmt not in FORMATS:
        return json_error(400, f"unknown format {fmt!r}: use jsonl or csv", "format")
    encoding = request.query_params.get("encoding", "utf-8")
    try:
        codec = check_encoding(encoding)
    except (LookupError, ValueError):
        return json_error(
            400,
            f"unknown or unusable encoding {encoding!r}: use one that writes a line break as "
            "one byte, such as utf-8, cp1252 or iso-8859-15",
            "encoding",
        )
    source = await _spooled(request)
    return batch_response(request, source, fmt, codec)


async def _spooled(request: Request) -> IO[bytes]:
    """The body in a file (memory first, then disk): a batch reads it line by line
    without holding it all, and the body's limit (security.BodyLimit) applies."""
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115 - closed by the response
    async for chunk in request.stream():
        spool.write(chunk)
    spool.seek(0)
    return spool


def batch_response(
    request: Request,
    source: IO[bytes],
    fmt: str,
    codec: str,
    headers: dict[str, str] | None = None,
) -> StreamingResponse:
    from starlette.background import BackgroundTask

    decider = state_of(request).decider
    return StreamingResponse(
        decision_lines(decider, source, fmt, codec),
        media_type=f"{openapi.JSON_LINES}; charset=utf-8",
        headers={
            **_NO_STORE,
            "X-Rules-Version": decider.book.version,
            **(headers or {}),
        },
        background=BackgroundTask(source.close),
    )


async def card(request: Request) -> Response:
    """The card's facts, for "read my card" (read-only; see cardread.py)."""
    state = state_of(request)
    client = request.client.host if request.client else None
    if not allowed(state.settings, client, request.headers.get("host")):
        return json_error(
            403,
            "the card can be read only on a server that listens on this computer alone "
            "(127.0.0.1 or ::1), from this computer",
        )
    try:
        found = await run_in_threadpool(read_card, state.settings)
    except CardReadError as exc:
        return json_error(503, f"the card cannot be read: {exc}", exc.reason)
    return JSONResponse(
        {"facts": found.facts, "unverified": list(found.unverified)}, headers=_NO_STORE
    )
