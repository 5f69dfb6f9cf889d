"""The terminal text of the guidance (advisor/guidance/plaintext.py), held to a real
CommonMark parser: every template writes only the Markdown the layout knows, and the
text says the same words as the parsed Markdown, in the same order."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from markdown_it import MarkdownIt

from advisor.guidance import (
    ADVISORIES,
    QUESTIONS,
    ROUTES,
    render_advisory,
    render_question,
    render_route,
)
from advisor.guidance.plaintext import inline_text, to_text
from tests.fact_matrix import fact_matrix

PARSER = MarkdownIt("commonmark", {"html": False})
# The block and inline tokens the layout knows (plaintext.py's docstring).
KNOWN = {
    "heading_open",
    "heading_close",
    "paragraph_open",
    "paragraph_close",
    "bullet_list_open",
    "bullet_list_close",
    "ordered_list_open",
    "ordered_list_close",
    "list_item_open",
    "list_item_close",
    "inline",
    "text",
    "softbreak",
    "strong_open",
    "strong_close",
    "em_open",
    "em_close",
    "code_inline",
    "link_open",
    "link_close",
}


def every_markdown() -> Iterator[tuple[str, str]]:
    facts_sample = list(fact_matrix())[::23]
    for lang in ("en", "et", "ru"):
        for facts in facts_sample:
            for route in ROUTES:
                yield (
                    f"{lang} route {route}",
                    render_route(route, facts=facts, fmt="markdown", lang=lang),
                )
        for advisory in ADVISORIES:
            yield (
                f"{lang} advisory {advisory}",
                render_advisory(advisory, fmt="markdown", lang=lang),
            )
        for field in QUESTIONS:
            yield f"{lang} question {field}", render_question(field, fmt="markdown", lang=lang)


MARKDOWN = list(every_markdown())


def text_of_tokens(tokens: list[Any]) -> str:
    """What the parsed Markdown says, block after block, spaces normalised."""
    parts: list[str] = []
    for token in tokens:
        if token.type != "inline":
            continue
        link: str | None = None
        shown = ""
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
                shown += child.content
            elif child.type == "softbreak":
                parts.append(" ")
            elif child.type == "link_open":
                link, shown = str(child.attrs.get("href", "")), ""
            elif child.type == "link_close":
                # An autolink's text is its address; a named link shows the address after.
                if link and shown != link:
                    parts.append(f" ({link})")
                link = None
        parts.append(" ")
    return " ".join("".join(parts).split())


@pytest.mark.parametrize(("label", "markdown"), MARKDOWN, ids=[m[0] for m in MARKDOWN])
def test_templates_write_only_the_markdown_the_text_layout_knows(label: str, markdown: str) -> None:
    tokens = PARSER.parse(markdown)
    types = {t.type for t in tokens} | {
        c.type for t in tokens if t.type == "inline" for c in t.children or []
    }
    assert types <= KNOWN, (label, types - KNOWN)


@pytest.mark.parametrize(("label", "markdown"), MARKDOWN, ids=[m[0] for m in MARKDOWN])
def test_the_text_says_what_the_markdown_says(label: str, markdown: str) -> None:
    text = to_text(markdown, width=60)
    lines = [line for line in text.splitlines() if not re.fullmatch(r"[=-]+", line)]
    # List markers are layout, not words.
    said = [re.sub(r"^ (?:•|\d+) ", "", line) for line in lines]
    assert " ".join(" ".join(said).split()) == text_of_tokens(PARSER.parse(markdown)), label


def test_layout() -> None:
    markdown = (
        "# A title\n\n**Do this now.**\n\n## Steps\n\n"
        "1. Call +372 677 3377 at once.\n1. Then the second, longer step that wraps.\n\n"
        "- A bullet with `advisor card status` and <https://www.id.ee/en/>.\n"
        "- See [the police page](https://www.politsei.ee/en) \\*now\\*.\n"
    )
    assert to_text(markdown, width=32, keep_together=["+372 677 3377"]) == (
        "A title\n"
        "=======\n"
        "\n"
        "Do this now.\n"
        "\n"
        "Steps\n"
        "-----\n"
        "\n"
        " 1 Call +372 677 3377 at once.\n"
        " 2 Then the second, longer step\n"
        "   that wraps.\n"
        "\n"
        " • A bullet with advisor card\n"
        "   status and\n"
        "   https://www.id.ee/en/.\n"
        " • See the police page\n"
        "   (https://www.politsei.ee/en)\n"
        "   *now*.\n"
    )


def test_a_phone_number_is_never_split() -> None:
    number = "+372 677 3377"
    for width in range(20, 60):
        text = to_text(f"Call the ID helpline on {number} at any hour.", width, [number])
        assert number in text, width


def test_inline_markers_and_escapes() -> None:
    assert (
        inline_text(r"**bold** and *it* and \_x\_ and `a*b*c`") == "bold and it and _x_ and a*b*c"
    )
    assert inline_text("digi_id and e_resident stay") == "digi_id and e_resident stay"
