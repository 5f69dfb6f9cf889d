"""Guidance: turns a decision (contract §2) into words for the holder.

Templates in ``content/templates`` emit Markdown through Jinja2 with gettext;
this module renders them and converts the Markdown to terminal text or HTML.
It never decides anything: the route, advisories and questions come from the
rules; the facts only shape the wording (location, document type, dates).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment

from advisor import paths
from advisor.facts.case import FIELD_NAMES
from advisor.guidance.render import (
    SourceLink,
    build_environment,
    convert,
    get_environment,
    guide_module,
    load_translations,
    normalise_facts,
    source_links,
    template_name,
)
from advisor.model import Advisory, Route

__all__ = [
    "ADVISORIES",
    "QUESTIONS",
    "ROUTES",
    "advisory_text",
    "advisory_title",
    "build_environment",
    "get_environment",
    "item_sources",
    "load_translations",
    "missing_templates",
    "question_hint",
    "question_howto",
    "question_text",
    "render_advisory",
    "render_decision",
    "render_item",
    "render_question",
    "render_route",
    "route_title",
]

# Contract §3, in the contract's order.
ROUTES: Final = tuple(str(route) for route in Route)

# Contract §4 first, then the ones this layer adds.
ADVISORIES: Final = tuple(str(advisory) for advisory in Advisory)

# Every fact of contract §1 that a questionnaire could ask (not id, today).
QUESTIONS: Final = tuple(f for f in FIELD_NAMES if f not in ("id", "today"))

_DECISION_DEFAULTS: Final[Mapping[str, Any]] = {
    "id": None,
    "status": None,
    "route": None,
    "urgency": None,
    "also": (),
    "advisories": (),
    "questions": (),
    "candidates": (),
    "fired": (),
    "because": (),
    "rules_version": None,
    "error": None,
}


def missing_templates(content_dir: Path | None = None) -> list[str]:
    """Template paths (relative to content/templates) that should exist and do not."""
    root = (content_dir or paths.content_dir()) / "templates"
    wanted = [
        "decision.md.j2",
        *(template_name("routes", r) for r in ROUTES),
        *(template_name("advisories", a) for a in ADVISORIES),
        *(template_name("questions", q) for q in QUESTIONS),
    ]
    return [name for name in wanted if not (root / name).is_file()]


def render_decision(
    decision: Mapping[str, Any],
    *,
    facts: Mapping[str, Any] | None = None,
    lang: str = "en",
    fmt: str = "text",
    width: int = 80,
    explain: bool = False,
    env: Environment | None = None,
) -> str:
    """The guidance for one decision.

    ``explain`` adds the rules' own explanations (``because``); they come from
    the rule files and are not translated. ``env`` replaces the cached
    environment of ``lang`` (tests install fake translations through it).
    """
    full = {**_DECISION_DEFAULTS, **decision}
    return _render(
        "decision.md.j2",
        {"decision": full, "explain": explain},
        facts=facts,
        lang=lang,
        fmt=fmt,
        width=width,
        env=env,
    )


_PAGES: Final = {
    "route": ("_route_page.md.j2", "route_id"),
    "advisory": ("_advisory_page.md.j2", "advisory_id"),
    "question": ("_question_page.md.j2", "field"),
}


def render_item(
    kind: str,
    item_id: str,
    *,
    facts: Mapping[str, Any] | None = None,
    lang: str = "en",
    fmt: str = "text",
    width: int = 80,
    env: Environment | None = None,
) -> str:
    """One route, advisory or question (`kind`) as a page of its own (help pages)."""
    template, name = _PAGES[kind]
    return _render(template, {name: item_id}, facts=facts, lang=lang, fmt=fmt, width=width, env=env)


def render_route(route_id: str, **options: Any) -> str:
    return render_item("route", route_id, **options)


def render_advisory(advisory_id: str, **options: Any) -> str:
    return render_item("advisory", advisory_id, **options)


def render_question(field: str, **options: Any) -> str:
    """The question with its hint, for the questionnaire."""
    return render_item("question", field, **options)


def route_title(route_id: str, lang: str = "en", *, facts: Mapping[str, Any] | None = None) -> str:
    """The route's title on one line, e.g. for a list of candidates."""
    return _macro_line("routes", route_id, "title", lang=lang, facts=facts)


def advisory_title(
    advisory_id: str, lang: str = "en", *, facts: Mapping[str, Any] | None = None
) -> str:
    return _macro_line("advisories", advisory_id, "title", lang=lang, facts=facts)


def advisory_text(
    advisory_id: str,
    lang: str = "en",
    *,
    facts: Mapping[str, Any] | None = None,
    fmt: str = "text",
    width: int = 80,
) -> str:
    """An advisory's text without its title."""
    return _macro_block(
        "advisories", advisory_id, "body", lang=lang, facts=facts, fmt=fmt, width=width
    )


def question_text(field: str, lang: str = "en", *, facts: Mapping[str, Any] | None = None) -> str:
    """The question itself on one line, for a prompt."""
    return _macro_line("questions", field, "ask", lang=lang, facts=facts)


def question_hint(
    field: str,
    lang: str = "en",
    *,
    facts: Mapping[str, Any] | None = None,
    fmt: str = "text",
    width: int = 80,
) -> str:
    """How to find the answer; empty when the question needs no help."""
    return _macro_block("questions", field, "hint", lang=lang, facts=facts, fmt=fmt, width=width)


def question_howto(
    field: str,
    lang: str = "en",
    *,
    facts: Mapping[str, Any] | None = None,
    fmt: str = "text",
    width: int = 80,
) -> str:
    """How a holder finds out the answer (content/templates/howto/): shown by the
    questionnaire on "I don't know" or when asked for help."""
    return _macro_block("howto", field, "text", lang=lang, facts=facts, fmt=fmt, width=width)


def item_sources(
    kind: str, item_id: str, lang: str = "en", *, facts: Mapping[str, Any] | None = None
) -> list[SourceLink]:
    """The titled sources of one route or advisory (`kind` "routes" or "advisories"), in
    the order of its Sources footer; none for a question (its sources are comments)."""
    module = guide_module(get_environment(lang), kind, item_id, _context(facts))
    sources = getattr(module, "sources", None)
    return source_links(str(sources()) if callable(sources) else "")


def _render(
    name: str,
    extra: Mapping[str, Any],
    *,
    facts: Mapping[str, Any] | None,
    lang: str,
    fmt: str,
    width: int,
    env: Environment | None,
) -> str:
    environment = env if env is not None else get_environment(lang)
    context = {**_context(facts), **extra}
    markdown = _tidy(environment.get_template(name).render(context))
    return convert(markdown, fmt, width)


def _context(facts: Mapping[str, Any] | None) -> dict[str, Any]:
    normal = normalise_facts(facts)
    return {
        "facts": normal,
        "location": normal["location"],
        "document_type": normal["document_type"],
        "generation": normal["card_generation"],
    }


def _macro(
    environment: Environment,
    kind: str,
    item_id: str,
    macro: str,
    facts: Mapping[str, Any] | None,
) -> str:
    """Call one macro of a route, advisory or question template."""
    module = guide_module(environment, kind, item_id, _context(facts))
    return str(getattr(module, macro)())


def _macro_line(
    kind: str, item_id: str, macro: str, *, lang: str, facts: Mapping[str, Any] | None
) -> str:
    return " ".join(_macro(get_environment(lang), kind, item_id, macro, facts).split())


def _macro_block(
    kind: str,
    item_id: str,
    macro: str,
    *,
    lang: str,
    facts: Mapping[str, Any] | None,
    fmt: str,
    width: int,
) -> str:
    markdown = _tidy(_macro(get_environment(lang), kind, item_id, macro, facts))
    return convert(markdown, fmt, width) if markdown.strip() else ""


_BLANK_RUNS = re.compile(r"\n{3,}")


def _tidy(markdown: str) -> str:
    """Conditional sections leave blank lines behind; Markdown needs at most one."""
    lines = [line.rstrip() for line in markdown.splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n") + "\n"
