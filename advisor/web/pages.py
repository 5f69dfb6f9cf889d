"""The help pages, served: the same pages as `advisor pages build` at the same paths
(`/en/routes/no_action.html`), the root sending each browser to its language, and the
error pages."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from advisor.site import LANGUAGES, find_page
from advisor.site.pages import LANGUAGE_CHOOSER, NOT_FOUND
from advisor.web.negotiation import preferred_language
from advisor.web.state import AppState

# Help pages change only with a new release: caches may keep them a while.
PAGE_CACHE = "public, max-age=300"


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.advisor
    return state


def language_of(request: Request) -> str:
    """The URL's language, else the browser's."""
    first = request.url.path.strip("/").split("/", 1)[0]
    if first in LANGUAGES:
        return first
    return preferred_language(request.headers.get("accept-language"), LANGUAGES)


async def root(request: Request) -> Response:
    lang = preferred_language(request.headers.get("accept-language"), LANGUAGES)
    return RedirectResponse(f"/{lang}/", status_code=303, headers={"Vary": "Accept-Language"})


def known_language(request: Request) -> str:
    """The URL's language; an address whose first part is none is not found (in JSON
    under /api/, as a page elsewhere: errors.http_error)."""
    lang: str = request.path_params["lang"]
    if lang not in LANGUAGES:
        raise HTTPException(404, f"nothing at {request.url.path}")
    return lang


async def language_chooser(request: Request) -> Response:
    """The site's root page (the static site's index.html, which the pages name as their
    x-default alternate): a link to each language."""
    html = state_of(request).page(LANGUAGE_CHOOSER, LANGUAGES[0])
    return HTMLResponse(html, headers={"Cache-Control": PAGE_CACHE})


async def language_root(request: Request) -> Response:
    return RedirectResponse(f"/{known_language(request)}/", status_code=308)


async def help_page(request: Request) -> Response:
    lang = known_language(request)
    page = find_page(request.path_params.get("path", ""))
    if page is None:
        return error_page(request, 404)
    html = state_of(request).page(page, lang)
    return HTMLResponse(html, headers={"Cache-Control": PAGE_CACHE})


def error_page(request: Request, status: int) -> Response:
    """A page in the visitor's language; 404 says where to start again, any other status
    the same, as a visitor can do nothing else about it."""
    lang = language_of(request)
    here = request.url.path.lstrip("/") or "index.html"
    html = state_of(request).site.render(NOT_FOUND, lang, here=here, status=status)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
