"""The ASGI app of `advisor serve`: the help pages, the support staff's triage page and
the JSON API, in one Starlette app (docs/web.md says why Starlette rather than FastAPI).

Stateless: a worker loads the rules, the decision table and the templates at start-up and
keeps nothing from one request to the next, so any number of uvicorn workers behind any
reverse proxy answer alike (docs/deploy.md).

| path | what |
|---|---|
| `/` | to `/{lang}/` by Accept-Language |
| `/{lang}/...` | the help pages of `advisor pages build`, at the same paths |
| `/{lang}/questionnaire` | the holder's questionnaire, a page per step (POST: an answer) |
| `/{lang}/triage` | the triage page (GET: the form, and the decision when facts are given) |
| `/{lang}/triage/card` | "read my card" into the form (loopback only) |
| `/{lang}/triage/batch` | POST: a file of cases, its decisions as a download |
| `/{lang}/api` | the API reference, from the OpenAPI document |
| `/api/v1/decide`, `/triage`, `/interview`, `/card`, `/openapi.json`; `/healthz` | the JSON API |
| `/assets/...` | the stylesheet and scripts |
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from advisor import paths
from advisor.engine import Decider
from advisor.site.pages import API_DOCS, ASSETS, LANGUAGES
from advisor.web import api, interview, pages, staff
from advisor.web.errors import body_too_large, http_error, server_error
from advisor.web.security import BodyLimit, BodyTooLarge, SecurityHeaders
from advisor.web.settings import WebSettings
from advisor.web.state import AppState

BATCH_PATHS = ("/api/v1/triage",)


class LanguageConvertor(Convertor[str]):
    """`{lang:lang}`: only the site's languages, so that `/api/...` and an unknown first
    segment are never taken for a language (a GET of a POST-only API path is then 405,
    as it should be, not a missing page)."""

    regex = "|".join(LANGUAGES)

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("lang", LanguageConvertor())


class Assets(StaticFiles):
    """The stylesheet, scripts and icon, kept by browsers as long as the pages are: every
    page of a questionnaire would fetch them again otherwise."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.setdefault("Cache-Control", pages.PAGE_CACHE)
        return response


def create_app(settings: WebSettings | None = None, *, decider: Decider | None = None) -> Starlette:
    """The app; `decider` replaces the one loaded from the rules (tests share theirs)."""
    chosen = settings or WebSettings()
    state = AppState.load(chosen, decider)

    def limit_for(path: str) -> int:
        if path in BATCH_PATHS or path.endswith("/triage/batch"):
            return chosen.max_upload
        return chosen.max_body

    app = Starlette(
        routes=[
            # The router tries the routes in turn: the API's hot path first.
            Route("/api/v1/decide", api.Decide(), methods=["POST"]),
            Route("/", pages.root),
            Route("/index.html", pages.language_chooser),
            Route("/healthz", api.health),
            Route("/api/v1/openapi.json", api.openapi_json),
            Route("/api/v1/triage", api.triage, methods=["POST"]),
            Route("/api/v1/interview", interview.api, methods=["POST"]),
            Route("/api/v1/card", api.card),
            Mount(
                f"/{ASSETS}",
                app=Assets(directory=paths.content_dir() / "site" / ASSETS),
                name="assets",
            ),
            Route("/{lang:lang}/questionnaire", interview.page, methods=["GET"]),
            Route("/{lang:lang}/questionnaire", interview.answer, methods=["POST"]),
            Route("/{lang:lang}/triage", staff.triage_page),
            Route("/{lang:lang}/triage/card", staff.read_card_into_form),
            Route("/{lang:lang}/triage/batch", staff.upload, methods=["POST"]),
            Route("/{lang:lang}/api", api_docs),
            Route("/{lang:lang}", pages.language_root),
            Route("/{lang:lang}/", pages.help_page),
            Route("/{lang:lang}/{path:path}", pages.help_page),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(BodyLimit, limit_for=limit_for),
        ],
        exception_handlers={
            HTTPException: http_error,
            BodyTooLarge: body_too_large,
            Exception: server_error,
        },
    )
    app.state.advisor = state
    return app


def app_from_environment() -> Starlette:
    """uvicorn's factory in every worker: the settings come from `advisor serve`."""
    return create_app(WebSettings.from_environment())


async def api_docs(request: Request) -> Response:
    """The API reference in the visitor's language, from the OpenAPI document."""
    from advisor.web.openapi import fact_text

    lang = pages.known_language(request)
    state = pages.state_of(request)
    html = state.site.render(API_DOCS, lang, openapi=api.openapi_document(), fact_text=fact_text)
    return HTMLResponse(html, headers={"Cache-Control": pages.PAGE_CACHE})
