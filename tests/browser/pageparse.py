"""Reading HTML pages in tests: elements with their attributes and the visible text, with
the standard library's parser. tests/test_pages.py and tests/test_web.py read the files
and responses with it; the browser tests beside it drive Chromium."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
# Text in these is not visible text.
HIDDEN = {"script", "style", "head"}
# Text in these is code or data, not prose in the page's language.
CODE = {"code", "pre", "kbd", "samp"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""  # the element's own text and its children's


@dataclass
class Page(HTMLParser):
    elements: list[Element] = field(default_factory=list)
    # Visible text, each run with the attributes that apply to it: lang, translate.
    runs: list[tuple[str, str | None, bool]] = field(default_factory=list)
    _open: list[Element] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data
        if any(e.tag in HIDDEN for e in self._open):
            return
        lang = next((e.attrs["lang"] for e in reversed(self._open) if "lang" in e.attrs), None)
        no_translate = any(e.attrs.get("translate") == "no" or e.tag in CODE for e in self._open)
        self.runs.append((data, lang, no_translate))

    def all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def one(self, tag: str, **attrs: str) -> Element:
        found = self.all(tag, **attrs)
        assert len(found) == 1, (tag, attrs, found)
        return found[0]

    @property
    def lang(self) -> str:
        return self.one("html").attrs["lang"]

    def text(self) -> str:
        return " ".join(" ".join(run.split()) for run, _lang, _no in self.runs if run.strip())

    def own_language_text(self) -> str:
        """Visible text in the page's language: not marked with another `lang`, not
        `translate="no"` (names, titles of other pages) and not code."""
        page = self.lang
        return " ".join(
            " ".join(run.split())
            for run, lang, no_translate in self.runs
            if run.strip() and not no_translate and (lang is None or lang == page)
        )

    def links(self) -> list[str]:
        found = [e.attrs["href"] for e in self.elements if "href" in e.attrs]
        return found + [e.attrs["src"] for e in self.elements if "src" in e.attrs]

    def ids(self) -> set[str]:
        return {e.attrs["id"] for e in self.elements if "id" in e.attrs}


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


CSP_SOURCES = re.compile(r"(\S+)")


def csp_directives(policy: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def is_external(link: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:", link, re.I)) or link.startswith("//")
