"""What the questionnaire page carries: the interview tree and the words of one language.

The page (content/site/questionnaire.html.j2) walks the tree in the browser with
content/site/assets/questionnaire.js, offline, from `file://` or any static host: every
question, answer and decision of `advisor guide` is in it. The tree is the same in every
language (advisor.questionnaire.compact); the words are the page's language's: the
question texts, the answers' labels, the titles and reasons a decision shows. The HTML
of each route's guidance, each advisory and each "how to find out" is rendered by the
template into <template> elements that the script copies from.
"""

from __future__ import annotations

import functools
from typing import Any

from advisor.engine import Decider, RuleBook
from advisor.facts import Facts
from advisor.guidance import (
    ADVISORIES,
    ROUTES,
    advisory_title,
    load_translations,
    question_text,
    route_title,
)
from advisor.interview import FIELDS
from advisor.interview.questions import choices_for
from advisor.interview.treecache import whole_tree
from advisor.questionnaire.compact import compact, to_json
from advisor.site.pages import advisory_page, question_page, route_page


@functools.lru_cache(maxsize=4)
def tree_json(decider: Decider) -> str:
    """The compact tree as the page's data block holds it (the same in each language)."""
    return to_json(compact(whole_tree(decider)))


def _labels(lang: str) -> dict[str, dict[str, str]]:
    """The label of every answer that is a choice, by question and answer: the choices
    the interview offers when nothing is known yet, which are all of them."""
    gettext = load_translations(lang).gettext
    labels: dict[str, dict[str, str]] = {}
    for field in FIELDS:
        choices = choices_for(field, Facts())
        if choices:
            labels[field] = {c.value: gettext(c.label) for c in choices}
    return labels


def words(lang: str, book: RuleBook) -> dict[str, Any]:
    """The words of the page's language that the tree's names stand for. Links are
    relative to the questionnaire page, which sits beside the index."""
    gettext = load_translations(lang).gettext
    return {
        "questions": {
            field: {"text": question_text(field, lang), "href": question_page(field).path}
            for field in FIELDS
        },
        "labels": _labels(lang),
        "routes": {
            route: {"title": route_title(route, lang), "href": route_page(route).path}
            for route in ROUTES
        },
        "advisories": {
            advisory: {
                "title": advisory_title(advisory, lang),
                "href": advisory_page(advisory).path,
            }
            for advisory in ADVISORIES
        },
        "reasons": {rule.name: gettext(rule.because) for rule in book.rules()},
    }


def page_context(lang: str, decider: Decider) -> dict[str, Any]:
    return {
        "tree_json": tree_json(decider),
        "questionnaire_words": words(lang, decider.book),
        "howto_fields": tuple(FIELDS),
    }
