"""The help site: the guidance as HTML pages in English, Estonian and Russian, from the
same rules, texts and catalogs as the command line.

`advisor pages build` writes it as static files (`build.py`); `advisor serve` serves the
same pages (advisor/web). `pages.py` names the pages, `render.py` renders them from the
templates of `content/site`, `situations.py` reads the index from the rules and
`glossary.py` holds the glossary's terms.
"""

from __future__ import annotations

from advisor.site.pages import LANGUAGE_NAMES, LANGUAGES, Page, PageKind, find_page, help_pages
from advisor.site.render import STATIC_CSP, Site

__all__ = [
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "STATIC_CSP",
    "Page",
    "PageKind",
    "Site",
    "find_page",
    "help_pages",
]
