"""Errors as the client can use them: JSON naming the problem for the API, a page in the
visitor's language for a browser; never a traceback (those go to the server's log)."""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from advisor.web.security import BodyTooLarge, too_large_document

log = logging.getLogger("advisor.web")


def error_document(message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"field": field, "message": message}}


def json_error(status: int, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse(error_document(message, field), status_code=status)


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/healthz"


_MESSAGES = {
    400: "bad request",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    413: "request body too large",
    415: "unsupported media type",
}


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if wants_json(request):
        message = _MESSAGES.get(exc.status_code, exc.detail)
        if exc.status_code == 404:
            message = f"nothing at {request.url.path}"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        response = json_error(exc.status_code, str(message or "error"))
        if exc.headers:
            response.headers.update(exc.headers)
        return response
    from advisor.web.pages import error_page

    return error_page(request, exc.status_code)


async def body_too_large(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyTooLarge)
    return JSONResponse(too_large_document(exc.limit), status_code=413)


async def server_error(request: Request, exc: Exception) -> Response:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    if wants_json(request):
        return json_error(500, "internal error: the server's log has the details")
    from advisor.web.pages import error_page

    return error_page(request, 500)
