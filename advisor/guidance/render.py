"""Jinja2 + gettext environment, template lookup and output formats.

Templates emit Markdown. Terminal text (plaintext.py) and HTML (markdown-it) are both
derived from that one Markdown, so every surface shows the same words.

Template whitespace: the environment uses ``trim_blocks``, so the newline right
after a block tag is dropped. A ``{% trans %}`` block that ends a Markdown line
is therefore closed with ``{% endtrans +%}`` (the ``+`` keeps the newline), and
a macro whose text goes inside a line is called with ``|trim``
(content/templates/_layout.md.j2 says more).
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    pass_context,
)
from jinja2.bccache import Bucket
from jinja2.environment import TemplateModule
from jinja2.runtime import Context

from advisor import paths, translatable
from advisor.facts.case import DATE_FIELDS, FIELD_NAMES, SAFETY_FIELDS

if TYPE_CHECKING:
    import babel
    from markdown_it import MarkdownIt

__all__ = [
    "CONTACTS",
    "DATES",
    "DOMAIN",
    "FACT_FIELDS",
    "LINKS",
    "GettextTranslations",
    "SourceLink",
    "build_environment",
    "convert",
    "get_environment",
    "guide_module",
    "load_translations",
    "normalise_facts",
    "source_links",
    "sources_table",
    "template_name",
]

DOMAIN: Final = "advisor"

# Contact data lives here, not in the msgids, so that a translation can move
# a number around but never change it. Sources are the ids of rules/sources.json.
CONTACTS: Final[Mapping[str, str]] = {
    "helpline": "+372 677 3377",  # ID helpline, 24/7, EN/ET/RU (S15, S2, S10)
    "helpline_short": "1777",  # the same line, from Estonia only (S15, S41)
    "ppa_email": "ppa@politsei.ee",  # PPA: e-resident IDs, activation (S3)
}

LINKS: Final[Mapping[str, str]] = {
    # PPA self-service: English entry point (S24) and the portal itself (S38).
    "ppa_self_service": "https://www.politsei.ee/en/self-service-portal/",
    "ppa_portal": "https://iseteenindus.politsei.ee",
    # e-Residency renewal and re-application (S19).
    "e_residency_renewal": "https://www.e-resident.gov.ee/renewal-of-digital-id-card/",
    # The e-Residency help centre's article on state fees (S43).
    "e_residency_fees": "https://learn.e-resident.gov.ee/hc/en-gb/articles/11432057891473",
    # DigiDoc4 is distributed from id.ee (S24).
    "id_ee": "https://www.id.ee",
}

# Dates that a text states, for example when a sourced fee was published. Like the
# contacts they are values, not words: Babel formats them for the reader's language.
DATES: Final[Mapping[str, date]] = {
    # S43 "Estonian state fees": edited on 20 May 2025 (the article's edited_at).
    "e_residency_fee_edited": date(2025, 5, 20),
}

# Contract §1 field names. Unknown keys are ignored here: validating facts is
# the facts layer's job, the guidance only words what it is given.
FACT_FIELDS: Final = tuple(name for name in FIELD_NAMES if name != "id")
_DATE_FIELDS: Final = frozenset(DATE_FIELDS)
_SAFETY_FIELDS: Final = SAFETY_FIELDS


class GettextTranslations(Protocol):
    """What ``Environment.install_gettext_translations`` needs."""

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


def template_name(kind: str, item_id: str) -> str:
    return f"{kind}/{item_id}.md.j2"


def load_translations(lang: str, content_dir: Path | None = None) -> GettextTranslations:
    """The catalog for ``lang``, or null translations.

    English is the source language, so it never has a catalog. Babel returns
    null translations when no catalog exists for a language, which makes
    an untranslated language read in English rather than fail.
    """
    if translatable.language_code(lang) == "en":
        return gettext.NullTranslations()
    return translatable.load_catalog(lang, (content_dir or paths.content_dir()) / "locale")


# A few languages times (normally) one content directory.
@functools.lru_cache(maxsize=16)
def get_environment(lang: str = "en", content_dir: Path | None = None) -> Environment:
    """The cached environment for one language."""
    translations = load_translations(lang, content_dir)
    return build_environment(translations, lang=lang, content_dir=content_dir)


def build_environment(
    translations: GettextTranslations | None = None,
    *,
    lang: str = "en",
    content_dir: Path | None = None,
) -> Environment:
    """A fresh, uncached environment; tests use it to install fake translations."""
    root = content_dir or paths.content_dir()
    # Autoescaping is for HTML; these templates emit Markdown. The HTML output
    # is made by markdown-it with raw HTML disabled, which escapes any markup
    # that reaches the Markdown.
    env = Environment(
        loader=FileSystemLoader(root / "templates"),
        bytecode_cache=_bytecode_cache(),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701
    )
    env.policies["ext.i18n.trimmed"] = True
    # newstyle=True also sets env.newstyle_gettext: named placeholders only,
    # formatted after translation, so a catalog cannot break the formatting.
    env.install_gettext_translations(  # type: ignore[attr-defined]
        translations or gettext.NullTranslations(), newstyle=True
    )
    env.globals.update(
        contact=dict(CONTACTS),
        links=dict(LINKS),
        dates=dict(DATES),
        guide=_guide,
        source_links=source_links,
    )
    env.filters["long_date"] = functools.partial(_long_date, lang)
    env.filters["md_escape"] = md_escape
    return env


class _QuietBytecodeCache(FileSystemBytecodeCache):
    """Jinja's compiled templates under the project's cache directory. Jinja keys each
    entry by the template's name and the checksum of its source, so an edited template is
    compiled again; a cache that cannot be written only costs the compilation."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@functools.lru_cache(maxsize=1)
def _bytecode_cache() -> BytecodeCache | None:
    directory = paths.cache_dir() / "templates"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _QuietBytecodeCache(str(directory))


class SourceLink(dict[str, str]):
    """One entry of a Sources footer: ``id``, ``title`` and ``url``."""


@functools.lru_cache(maxsize=4)
def sources_table(rules_dir: Path | None = None) -> Mapping[str, Mapping[str, Any]]:
    """``rules/sources.json``: every source by its id (title, url, date read, ...)."""
    path = (rules_dir or paths.rules_dir()) / "sources.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    table: Mapping[str, Mapping[str, Any]] = data["sources"]
    return table


def source_links(ids: str | Iterable[str]) -> list[SourceLink]:
    """The titled links for a Sources footer, in the order given, each source once.

    ``ids`` is a list of source ids or one string of them separated by spaces (what a
    template's ``sources()`` macro returns). An id without a title and a URL is left
    out: a reader is shown a page to open, never a bare id. The tests keep every id a
    template names titled (tests/test_guidance_sources.py).
    """
    wanted = ids.split() if isinstance(ids, str) else [str(i) for i in ids]
    table = sources_table()
    links: list[SourceLink] = []
    seen: set[str] = set()
    for sid in wanted:
        entry = table.get(sid)
        if sid in seen or not entry or not entry.get("title") or not entry.get("url"):
            continue
        seen.add(sid)
        links.append(SourceLink(id=sid, title=str(entry["title"]), url=str(entry["url"])))
    return links


def normalise_facts(facts: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every contract field present (None when unknown), dates as ``date``.

    Templates use StrictUndefined, so a missing key must be None rather than
    absent. A date that cannot be read counts as unknown: wording must never
    fail over a fact the rules have already judged.
    """
    given = facts or {}
    out: dict[str, Any] = {}
    for name in FACT_FIELDS:
        value = given.get(name)
        out[name] = _as_date(value) if name in _DATE_FIELDS else value
    for name in _SAFETY_FIELDS:
        out[name] = bool(out[name])
    if out["card_stolen"]:
        out["card_lost"] = True
    if out["today"] is None:
        out["today"] = date.today()
    return out


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~])")


def md_escape(value: object) -> str:
    """Text from outside the templates (error messages, rule explanations)
    must not turn into Markdown structure or links."""
    return _MD_SPECIAL.sub(r"\\\1", str(value))


def convert(markdown: str, fmt: str, width: int = 80) -> str:
    if fmt == "markdown":
        return markdown
    if fmt == "html":
        html: str = _markdown_it().render(markdown)
        return html
    if fmt == "text":
        return _to_text(markdown, width)
    raise ValueError(f"unknown format {fmt!r}: expected 'text', 'markdown' or 'html'")


@functools.lru_cache(maxsize=1)
def _markdown_it() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # Raw HTML off: values from the case (error messages) must not inject markup.
    return MarkdownIt("commonmark", {"html": False})


def _to_text(markdown: str, width: int) -> str:
    from advisor.guidance.plaintext import to_text

    return to_text(markdown, width, keep_together=CONTACTS.values())


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _long_date(lang: str, value: date) -> str:
    import babel.dates

    return babel.dates.format_date(value, format="long", locale=_babel_locale(lang))


@functools.lru_cache(maxsize=8)
def _babel_locale(lang: str) -> babel.Locale:
    return translatable.babel_locale(lang)


def guide_module(
    env: Environment, kind: str, item_id: str, variables: Mapping[str, Any]
) -> TemplateModule:
    """The template module of one route, advisory or question, made with the
    given variables so that its macros see the caller's facts.

    An id without a template falls back to a generic text: a gap in the
    content must not hide the rest of the advice from someone in trouble.
    ``missing_templates()`` and the tests keep such gaps from shipping.
    """
    values = dict(variables)
    try:
        template = env.get_template(template_name(kind, item_id))
    except TemplateNotFound:
        template = env.get_template(f"_fallback/{kind}.md.j2")
        values["item_id"] = item_id
    return template.make_module(values)


@pass_context
def _guide(context: Context, kind: str, item_id: str) -> TemplateModule:
    return guide_module(context.environment, kind, item_id, context.get_all())
