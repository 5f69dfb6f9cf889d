"""The pages of the help site, named without rendering them.

Every page lives at the same path in each language's folder (`en/routes/x.html`,
`et/routes/x.html`), so a page's translations are found by swapping the folder, and the
static build (`advisor pages build`) and the server (`advisor serve`) share one layout:
the links between pages are relative and work from `file://`, from any static host and
from the server alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from advisor.guidance import ADVISORIES, QUESTIONS, ROUTES

# The site's languages: those of the catalogs, English first (the source language).
LANGUAGES: Final = ("en", "et", "ru")
# Each language by its own name, as a language switcher shows it (not translated).
LANGUAGE_NAMES: Final = {"en": "English", "et": "Eesti", "ru": "Русский"}
ASSETS: Final = "assets"


class PageKind(StrEnum):
    LANGUAGES = "languages"
    INDEX = "index"
    QUESTIONNAIRE = "questionnaire"
    SAFETY = "safety"
    GLOSSARY = "glossary"
    SOURCES = "sources"
    ROUTE = "route"
    ADVISORY = "advisory"
    QUESTION = "question"
    # Only served (`advisor serve`): they need the server.
    TRIAGE = "triage"
    INTERVIEW = "interview"
    API = "api"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Page:
    """One page: its path inside a language's folder, its template (content/site) and,
    for a route, advisory or question, the id it shows."""

    path: str
    kind: PageKind
    template: str
    item: str | None = None
    root: bool = False  # at the site's root, in no language's folder

    def in_language(self, lang: str) -> str:
        """The page's path from the site's root: `et/routes/no_action.html`."""
        return self.path if self.root else f"{lang}/{self.path}"


# The site's root: a link to each language's index (a static host cannot read the
# browser's languages; the server redirects by Accept-Language instead).
LANGUAGE_CHOOSER: Final = Page("index.html", PageKind.LANGUAGES, "languages.html.j2", root=True)
INDEX: Final = Page("index.html", PageKind.INDEX, "index.html.j2")
QUESTIONNAIRE: Final = Page("questionnaire.html", PageKind.QUESTIONNAIRE, "questionnaire.html.j2")
SAFETY: Final = Page("safety.html", PageKind.SAFETY, "safety.html.j2")
GLOSSARY: Final = Page("glossary.html", PageKind.GLOSSARY, "glossary.html.j2")
SOURCES: Final = Page("sources.html", PageKind.SOURCES, "sources.html.j2")
# The server's own pages sit beside the index, so relative links work the same there.
TRIAGE: Final = Page("triage", PageKind.TRIAGE, "triage.html.j2")
# The questionnaire asked by the server, a page per step (the static site's
# questionnaire.html walks the same questions in the browser).
INTERVIEW: Final = Page("questionnaire", PageKind.INTERVIEW, "interview.html.j2")
API_DOCS: Final = Page("api", PageKind.API, "api.html.j2")
# A static host serves its own 404 page from any depth, where relative links would
# break: only the server has one.
NOT_FOUND: Final = Page("404", PageKind.NOT_FOUND, "not_found.html.j2")


def route_page(route: str) -> Page:
    return Page(f"routes/{route}.html", PageKind.ROUTE, "route.html.j2", route)


def advisory_page(advisory: str) -> Page:
    return Page(f"advice/{advisory}.html", PageKind.ADVISORY, "advisory.html.j2", advisory)


def question_page(field: str) -> Page:
    return Page(f"questions/{field}.html", PageKind.QUESTION, "question.html.j2", field)


def help_pages() -> tuple[Page, ...]:
    """Every page of the static site, in the order the navigation gives them."""
    return (
        INDEX,
        QUESTIONNAIRE,
        SAFETY,
        GLOSSARY,
        SOURCES,
        *(route_page(r) for r in ROUTES),
        *(advisory_page(a) for a in ADVISORIES),
        *(question_page(q) for q in QUESTIONS),
    )


def find_page(path: str) -> Page | None:
    """The help page at `path` inside a language's folder (`""` is the index)."""
    wanted = path or INDEX.path
    for page in help_pages():
        if page.path == wanted:
            return page
    return None
