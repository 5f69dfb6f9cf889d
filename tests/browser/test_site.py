"""The static help site in Chromium, opened from file:// as a reader would open a copy:
every page of every language loads without a console error or a request that leaves the
site, names its language and its alternates, and every link on it resolves; it reads on
a phone and prints without its navigation. The screenshots of docs/screenshots come
from here (ADVISOR_UPDATE_SCREENSHOTS=1 writes them there; otherwise to a temporary
folder)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from advisor.paths import PROJECT_ROOT
from advisor.site import LANGUAGES, help_pages
from tests.browser.conftest import Watched

# What a page says about itself, read in the browser: its language, its alternates, and
# every address it links to or loads, resolved by the browser.
READ_PAGE = """() => ({
  lang: document.documentElement.lang,
  h1: document.querySelectorAll("h1").length,
  alternates: [...document.querySelectorAll('link[rel="alternate"]')]
      .map(l => [l.hreflang, l.href]),
  switcher: [...document.querySelectorAll("nav a[hreflang]")]
      .map(a => [a.hreflang, a.lang, a.href]),
  links: [...document.querySelectorAll("a[href], link[href]")].map(a => a.href),
  ids: [...document.querySelectorAll("[id]")].map(e => e.id),
  stylesheet: getComputedStyle(document.body).fontFamily,
})"""


def file_path(url: str) -> Path:
    return Path(unquote(urlsplit(url).path))


def test_every_page_opens_from_file_and_every_link_resolves(
    local: Watched, static_site: Path
) -> None:
    page = local.page
    wanted = [static_site / "index.html"] + [
        static_site / p.in_language(lang) for lang in LANGUAGES for p in help_pages()
    ]
    fragments: list[tuple[Path, str, str]] = []
    ids: dict[Path, set[str]] = {}
    for path in wanted:
        folder = path.relative_to(static_site).parts[0]
        # The first page of each folder is loaded whole (its stylesheet applied); the
        # others share its assets, and are read once their document is parsed.
        whole = path.name == "index.html"
        page.goto(path.as_uri(), wait_until="load" if whole else "domcontentloaded")
        seen = page.evaluate(READ_PAGE)
        lang = folder if folder in LANGUAGES else "en"
        assert seen["lang"] == lang, path
        assert seen["h1"] == 1, path
        if whole:
            assert "system-ui" in seen["stylesheet"], path  # the stylesheet applies
        alternates = dict(seen["alternates"])
        assert set(alternates) == {*LANGUAGES, "x-default"}, path
        inside = path.relative_to(static_site / folder) if folder in LANGUAGES else None
        for other in LANGUAGES:
            target = file_path(alternates[other])
            expected = static_site / other / (inside or "index.html")
            assert target == expected, (path, other)
        assert file_path(alternates["x-default"]) == static_site / "index.html"
        for hreflang, lang_attribute, href in seen["switcher"]:
            assert hreflang == lang_attribute
            assert href == alternates[hreflang]
        ids[path] = set(seen["ids"])
        for link in seen["links"]:
            if not link.startswith("file://"):
                assert link.startswith("https://") or link.startswith("http://"), link
                continue
            target = file_path(link)
            assert target.is_file(), (path, link)
            fragment = urlsplit(link).fragment
            if fragment:
                fragments.append((path, link, fragment))
    for path, link, fragment in fragments:
        assert fragment in ids[file_path(link)], (path, link)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_pages_read_on_a_phone(browser: Any, static_site: Path, lang: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    try:
        from tests.browser.conftest import watch

        watched = watch(context, "file://")
        for name in ("index.html", "routes/card_replacement.html", "glossary.html"):
            watched.page.goto((static_site / lang / name).as_uri())
            overflow = watched.page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, (lang, name, overflow)
            size = watched.page.evaluate(
                "() => parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)"
            )
            assert size >= 15, (lang, name)
        watched.check()
    finally:
        context.close()


def test_a_page_prints_without_its_navigation(local: Watched, static_site: Path) -> None:
    page = local.page
    page.goto((static_site / "et" / "routes" / "certificate_suspension.html").as_uri())
    shown = "(s) => getComputedStyle(document.querySelector(s)).display"
    assert page.evaluate(shown, ".site-nav") != "none"
    page.emulate_media(media="print")
    for selector in (".site-nav", ".languages", ".skip-link"):
        assert page.evaluate(shown, selector) == "none", selector
    assert page.evaluate(shown, "main") != "none"
    pdf = page.pdf()  # headless Chromium prints it
    assert pdf.startswith(b"%PDF")


SCREENSHOTS = [
    ("index-en.png", "en/index.html"),
    ("index-et.png", "et/index.html"),
    ("route-en.png", "en/routes/puk_unblock_in_app.html"),
    ("route-et.png", "et/routes/puk_unblock_in_app.html"),
    # The offline questionnaire at its third question, with the answers so far.
    ("questionnaire-en.png", "en/questionnaire.html#a=card_lost:no/codes_compromised:no"),
    ("questionnaire-et.png", "et/questionnaire.html#a=card_lost:no/codes_compromised:no"),
]


def test_screenshots(browser: Any, static_site: Path, tmp_path: Path) -> None:
    """The pictures of docs/screenshots: the index, one route page and the questionnaire,
    in English and Estonian, as Chromium draws them."""
    update = os.environ.get("ADVISOR_UPDATE_SCREENSHOTS") == "1"
    target = PROJECT_ROOT / "docs" / "screenshots" if update else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    from tests.browser.conftest import watch

    for name, path in SCREENSHOTS:
        # The browser's own language is the page's: a date field reads as it would there.
        locale = {"en": "en-GB", "et": "et-EE", "ru": "ru-RU"}[path[:2]]
        context = browser.new_context(
            viewport={"width": 1000, "height": 760},
            color_scheme="light",
            device_scale_factor=1,
            locale=locale,
        )
        try:
            watched = watch(context, "file://")
            page, _, fragment = path.partition("#")
            watched.page.goto((static_site / page).as_uri() + (f"#{fragment}" if fragment else ""))
            picture = watched.page.screenshot(path=str(target / name))
            assert picture.startswith(b"\x89PNG"), name
            assert len(picture) > 20_000, name
            watched.check()
        finally:
            context.close()
    for name, _path in SCREENSHOTS:
        assert (PROJECT_ROOT / "docs" / "screenshots" / name).is_file(), (
            f"docs/screenshots/{name} is missing: run the browser tests with "
            "ADVISOR_UPDATE_SCREENSHOTS=1"
        )
