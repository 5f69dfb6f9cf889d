"""HTML pages from the templates of `content/site`, in one language each.

The page templates are HTML with Jinja2 (autoescaped) and gettext from the same catalog as
the guidance, so a translator sees every text of a language in one place. The guidance
itself (routes, advisories, questions) is rendered by `advisor.guidance` as HTML from its
Markdown, with raw HTML off, and placed in the pages as it is.

Links between pages are relative, computed from the page's own path, so that the same
HTML works from `file://`, from any static host under any prefix, and from the server.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from advisor import __version__, paths
from advisor.engine import Decider, RuleBook, load_decider, load_rulebook
from advisor.guidance import (
    ADVISORIES,
    QUESTIONS,
    ROUTES,
    advisory_text,
    advisory_title,
    item_sources,
    load_translations,
    question_hint,
    question_howto,
    question_text,
    render_route,
    route_title,
)
from advisor.guidance.render import CONTACTS, SourceLink, convert, sources_table
from advisor.site import glossary
from advisor.site.pages import (
    ASSETS,
    INDEX,
    LANGUAGE_NAMES,
    LANGUAGES,
    Page,
    PageKind,
    advisory_page,
    question_page,
    route_page,
)
from advisor.site.situations import safety_advisories, situations
from advisor.translatable import babel_locale

# The static pages allow nothing from anywhere but the site itself: no CDN, no web
# fonts, no analytics, no inline script. (`frame-ancestors` has no effect in a meta
# element; the server sends it as a header, advisor/web.)
STATIC_CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; object-src 'none'"
)


@dataclass(frozen=True)
class Alternate:
    lang: str
    name: str  # the language by its own name
    href: str


@dataclass(frozen=True)
class SourceEntry:
    """One source of rules/sources.json as the sources page lists it."""

    id: str
    title: str
    url: str | None
    kind: str  # "official", "news", "code", "third_party"
    dated: str | None
    read: date | None
    cited_by: tuple[Page, ...]


_KINDS: Final = {"O": "official", "N": "news", "C": "code", "3": "third_party"}


class Site:
    """The help site of one rule base and content folder.

    `served` adds the server's own pages to the navigation (the triage page and the API
    reference); `base_url`, when given, makes the language alternates and the canonical
    links absolute, as search engines want them; `languages` are the site's languages,
    which its pages name as each other's alternates. `decider` (default: the rules'
    own) gives the questionnaire page its interview tree.
    """

    def __init__(
        self,
        *,
        served: bool = False,
        base_url: str | None = None,
        book: RuleBook | None = None,
        decider: Decider | None = None,
        languages: tuple[str, ...] = LANGUAGES,
    ) -> None:
        self.served = served
        self.languages = languages
        self.base_url = base_url.rstrip("/") + "/" if base_url else None
        if book is None:
            book = decider.book if decider is not None else load_rulebook()
        self.book = book
        self._decider = decider
        self._situations = situations(self.book)
        self._safety = safety_advisories(self.book)

    @functools.cached_property
    def sources(self) -> tuple[SourceEntry, ...]:
        cited: dict[str, list[Page]] = {}
        for page in self._pages_with_sources():
            kind = "routes" if page.path.startswith("routes/") else "advisories"
            assert page.item is not None
            for link in item_sources(kind, page.item):
                cited.setdefault(link["id"], []).append(page)
        entries = []
        for sid, entry in sources_table().items():
            read = entry.get("read")
            entries.append(
                SourceEntry(
                    id=sid,
                    title=str(entry["title"]),
                    url=entry.get("url") or None,
                    kind=_KINDS.get(str(entry.get("kind", "O"))[:1], "official"),
                    dated=entry.get("dated") or None,
                    read=date.fromisoformat(read) if read else None,
                    cited_by=tuple(cited.get(sid, ())),
                )
            )
        return tuple(entries)

    @property
    def decider(self) -> Decider:
        if self._decider is None:
            self._decider = load_decider(self.book.directory)
        return self._decider

    def _pages_with_sources(self) -> list[Page]:
        return [route_page(r) for r in ROUTES] + [advisory_page(a) for a in ADVISORIES]

    def environment(self, lang: str) -> Environment:
        return _environment(lang, paths.content_dir())

    def render(self, page: Page, lang: str, *, here: str | None = None, **extra: Any) -> str:
        """One page in one language; `extra` goes to the template (the server's forms).

        `here` is where the page is shown, when that is not its own path (an error page
        shown at the address that failed): its links are made relative to it."""
        here = here if here is not None else page.in_language(lang)
        context: dict[str, Any] = {
            "lang": lang,
            "page": page,
            "served": self.served,
            "csp": STATIC_CSP,
            "url": functools.partial(_relative, here),
            "link": lambda path: _relative(here, f"{lang}/{path}"),
            "asset": lambda name: _relative(here, f"{ASSETS}/{name}"),
            "alternates": self._alternates(page, here),
            "x_default": self._absolute("index.html", here),
            "canonical": f"{self.base_url}{here}" if self.base_url else None,
            "rules_version": self.book.version,
            "version": __version__,
            "situations": self._situations,
            "safety_advisories": self._safety,
            "sources": self.sources,
            "all_advisories": ADVISORIES,
            "all_questions": QUESTIONS,
            "terms": glossary.TERMS,
            "labels": glossary.LABELS,
            "languages": LANGUAGES,  # the glossary gives every catalog's words
            "language_names": LANGUAGE_NAMES,
            "contact": CONTACTS,
        }
        if page.kind is PageKind.QUESTIONNAIRE:
            from advisor.site.questionnaire import page_context

            context.update(page_context(lang, self.decider))
        context.update(extra)
        return self.environment(lang).get_template(page.template).render(context)

    def _alternates(self, page: Page, here: str) -> list[Alternate]:
        if page.root or page.kind is PageKind.NOT_FOUND:
            # No translations of their own: the alternates are the languages' indexes.
            page = INDEX
        return [
            Alternate(
                other,
                LANGUAGE_NAMES.get(other, other),
                self._absolute(page.in_language(other), here),
            )
            for other in self.languages
        ]

    def _absolute(self, target: str, here: str) -> str:
        return f"{self.base_url}{target}" if self.base_url else _relative(here, target)


def _relative(here: str, target: str) -> str:
    """`target` (a path from the site's root) as a link from the page at `here`."""
    start = posixpath.dirname(here) or "."
    return posixpath.relpath(target, start)


# --- the environment ---------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _environment(lang: str, content: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(content / "site"),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    translations = load_translations(lang)
    env.install_gettext_translations(  # type: ignore[attr-defined]
        translations, newstyle=True
    )
    env.globals.update(
        route_html=lambda route: guidance_html(render_route(route, lang=lang, fmt="html")),
        route_title=lambda route: route_title(route, lang),
        advisory_title=lambda advisory: advisory_title(advisory, lang),
        advisory_html=lambda advisory: guidance_html(advisory_text(advisory, lang, fmt="html")),
        question_text=lambda field: question_text(field, lang),
        question_hint_html=lambda field: guidance_html(question_hint(field, lang, fmt="html")),
        question_howto_html=functools.partial(_howto_html, lang),
        sources_of=lambda kind, item: item_sources(kind, item, lang),
        reason=lambda msgid: translations.gettext(msgid),
        in_language=_in_language,
        page_title=functools.partial(_page_title, lang),
        route_page=route_page,
        advisory_page=advisory_page,
        question_page=question_page,
    )
    env.filters["markdown"] = _markdown
    env.filters["demoted"] = demoted
    env.filters["long_date"] = functools.partial(_long_date, lang)
    return env


def _howto_html(lang: str, field: str) -> Markup:
    """How to find out a question's answer: the questionnaire's "how to find out" for a
    question it asks, the guidance's hint for the facts it never asks (the date of issue,
    asked within the chip question; the document type and the location)."""
    from advisor.interview import FIELDS

    if field in FIELDS:
        return guidance_html(question_howto(field, lang, fmt="html"))
    return guidance_html(question_hint(field, lang, fmt="html"))


def _page_title(lang: str, path: str) -> str:
    """The title of a route's, advisory's or question's page, from its path."""
    folder, _, name = path.partition("/")
    item = name.removesuffix(".html")
    if folder == "routes":
        return route_title(item, lang)
    if folder == "advice":
        return advisory_title(item, lang)
    if folder == "questions":
        return question_text(item, lang)
    raise ValueError(f"no title for {path}")


def guidance_html(html: str) -> Markup:
    """HTML that `advisor.guidance` made from Markdown, to place in a page as it is.

    markdown-it runs there with raw HTML off: any markup in a text, a translation or a
    value of the case arrives escaped, so this HTML holds only what Markdown makes."""
    return Markup(html)  # noqa: S704 - see the docstring


_HEADING: Final = re.compile(r"<(/?)h([1-5])>")


def demoted(html: str) -> Markup:
    """The guidance's headings one level down, for a page that has its own h1. Plain
    text is escaped first, so only the headings of HTML already marked safe move."""
    safe = escape(html)
    return Markup(_HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}>", safe))  # noqa: S704


def _markdown(text: str) -> Markup:
    """A text of the catalog that may hold Markdown (backticks for a command), as HTML."""
    return guidance_html(convert(str(text), "html"))


def _in_language(lang: str, msgid: str, values: Mapping[str, object] | None = None) -> str:
    """A msgid as another language's catalog has it (the glossary's other columns)."""
    text = load_translations(lang).gettext(msgid)
    return text % values if values else text


def _long_date(lang: str, value: date) -> str:
    import babel.dates

    return babel.dates.format_date(value, format="long", locale=_locale(lang))


@functools.lru_cache(maxsize=8)
def _locale(lang: str) -> Any:
    return babel_locale(lang)


__all__ = [
    "STATIC_CSP",
    "Alternate",
    "Site",
    "SourceEntry",
    "SourceLink",
    "demoted",
    "guidance_html",
]
