"""`advisor pages build`: the static help site, read from the files it writes.

Every page of every language: its language and its alternates, landmarks and one h1, a
policy that lets no request leave the site, links that all resolve, the guidance of its
route, advisory or question, and no text left in English on an Estonian or Russian page.
The browser tests (tests/browser) open the same pages in Chromium.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from advisor.cli import app
from advisor.guidance import (
    ADVISORIES,
    QUESTIONS,
    ROUTES,
    advisory_title,
    item_sources,
    question_text,
    render_route,
    route_title,
)
from advisor.guidance.render import sources_table
from advisor.paths import PROJECT_ROOT
from advisor.site import LANGUAGES, help_pages
from advisor.site.build import MANIFEST, build_site
from advisor.site.glossary import LABELS, TERMS
from advisor.site.situations import safety_advisories
from advisor.translatable import load_catalog
from tests.browser.pageparse import Page, csp_directives, is_external, parse


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "help"
    result = build_site(out)
    assert result.languages == LANGUAGES
    return out


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, Page]:
    """Every HTML file of the site, parsed, by its path from the site's root."""
    return {
        path.relative_to(site).as_posix(): parse(path.read_text(encoding="utf-8"))
        for path in sorted(site.rglob("*.html"))
    }


def resolve(site: Path, page: str, link: str) -> tuple[Path, str]:
    target, _, fragment = link.partition("#")
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), target)) if target else page
    assert not joined.startswith(".."), (page, link)
    return site / joined, fragment


def test_every_page_is_written_in_every_language(site: Path, pages: dict[str, Page]) -> None:
    expected = {"index.html"} | {
        page.in_language(lang) for lang in LANGUAGES for page in help_pages()
    }
    assert set(pages) == expected
    assert len(expected) == 1 + 3 * (5 + len(ROUTES) + len(ADVISORIES) + len(QUESTIONS))
    assert (site / "assets" / "site.css").is_file()
    manifest = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    assert {entry["path"] for entry in manifest["pages"]} == expected


def test_each_page_is_in_its_folders_language_with_landmarks_and_one_h1(
    pages: dict[str, Page],
) -> None:
    for path, page in pages.items():
        folder = path.split("/")[0]
        assert page.lang == (folder if folder in LANGUAGES else "en"), path
        assert len(page.all("h1")) == 1, path
        assert page.one("h1").text.strip(), path
        assert page.one("title").text.strip(), path
        assert len(page.all("header")) == len(page.all("main")) == len(page.all("footer")) == 1
        navs = page.all("nav")
        assert len(navs) == 2, path
        assert all(nav.attrs.get("aria-label") for nav in navs), path
        assert page.one("meta", name="viewport").attrs["content"].startswith("width=device-width")
        assert page.one("a", **{"class": "skip-link"}).attrs["href"] == "#main"
        assert "main" in page.ids()


def test_alternates_name_the_same_page_in_every_language(
    site: Path, pages: dict[str, Page]
) -> None:
    for path, page in pages.items():
        alternates = {
            e.attrs["hreflang"]: e.attrs["href"] for e in page.all("link", rel="alternate")
        }
        assert set(alternates) == {*LANGUAGES, "x-default"}, path
        for lang in LANGUAGES:
            target, _ = resolve(site, path, alternates[lang])
            inside = path.split("/", 1)[1] if "/" in path else "index.html"
            assert target == site / lang / inside, (path, lang)
        assert resolve(site, path, alternates["x-default"])[0] == site / "index.html"
        switcher = [a for a in page.all("a") if "hreflang" in a.attrs]
        assert {a.attrs["hreflang"] for a in switcher} == set(LANGUAGES)
        for a in switcher:
            assert a.attrs["lang"] == a.attrs["hreflang"]
            same = resolve(site, path, alternates[a.attrs["hreflang"]])
            assert resolve(site, path, a.attrs["href"]) == same
        current = [a for a in switcher if a.attrs.get("aria-current") == "page"]
        if path != "index.html":
            assert [a.attrs["hreflang"] for a in current] == [page.lang], path


def test_every_internal_link_resolves(site: Path, pages: dict[str, Page]) -> None:
    for path, page in pages.items():
        for link in page.links():
            if is_external(link):
                continue
            target, fragment = resolve(site, path, link)
            assert target.is_file(), (path, link)
            if fragment and target.suffix == ".html":
                other = pages[target.relative_to(site).as_posix()]
                assert fragment in other.ids(), (path, link)


def test_no_request_can_leave_the_site(site: Path, pages: dict[str, Page]) -> None:
    for path, page in pages.items():
        policy = csp_directives(
            page.one("meta", http_equiv="Content-Security-Policy").attrs["content"]
        )
        assert policy["default-src"] == ["'none'"], path
        for directive, sources in policy.items():
            assert set(sources) <= {"'self'", "'none'"}, (path, directive)
        for e in page.elements:
            # Everything a page loads is the site's own: stylesheets, icons, scripts.
            if e.tag in ("script", "img", "iframe", "source") and "src" in e.attrs:
                assert not is_external(e.attrs["src"]), (path, e)
            if e.tag == "link" and e.attrs.get("rel") in ("stylesheet", "icon", "preload"):
                assert not is_external(e.attrs["href"]), (path, e)
            assert "style" not in e.attrs, (path, e)  # style-src 'self' forbids it
            assert not any(name.startswith("on") for name in e.attrs), (path, e)
        # No inline script: a script is a file of the site's, or a block of data that no
        # browser runs (the questionnaire's tree and words).
        for script in page.all("script"):
            assert "src" in script.attrs or script.attrs.get("type") == "application/json", path
    for css in (site / "assets").glob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert "@import" not in text
        assert "@font-face" not in text
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text)


def test_the_stylesheet_has_a_print_layout_and_fits_a_phone(site: Path) -> None:
    css = (site / "assets" / "site.css").read_text(encoding="utf-8")
    printed = css.split("@media print", 1)[1]
    for hidden in (".languages", ".site-nav", ".skip-link"):
        assert hidden in printed.split("display: none")[0]
    assert 'content: " <" attr(href) ">"' in printed
    assert "max-width: 46rem" in css  # one readable column that shrinks with the screen


def test_no_page_shows_a_bare_source_id(pages: dict[str, Page]) -> None:
    bare = re.compile(r"\bS\d{1,2}b?\b")
    for path, page in pages.items():
        assert not bare.findall(page.text()), path


def test_route_advisory_and_question_pages_show_the_guidance(pages: dict[str, Page]) -> None:
    for lang in LANGUAGES:
        for route in ROUTES:
            page = pages[f"{lang}/routes/{route}.html"]
            assert page.one("h1").text.strip() == route_title(route, lang)
            body = parse(render_route(route, lang=lang, fmt="html")).text()
            assert body in page.text()
        for advisory in ADVISORIES:
            page = pages[f"{lang}/advice/{advisory}.html"]
            assert page.one("h1").text.strip() == advisory_title(advisory, lang)
            footer = [a.attrs["href"] for a in page.all("a") if a.attrs["href"].startswith("http")]
            assert footer == [s["url"] for s in item_sources("advisories", advisory, lang)]
        for field in QUESTIONS:
            page = pages[f"{lang}/questions/{field}.html"]
            assert page.one("h1").text.strip() == question_text(field, lang)
    # The hint, "how to find out": the question whose answer a holder can look up.
    assert "advisor card status" in pages["en/questions/pin1_tries_left.html"].text()


def test_the_index_leads_to_every_route_advisory_and_question(
    site: Path, pages: dict[str, Page]
) -> None:
    for lang in LANGUAGES:
        index = pages[f"{lang}/index.html"]
        linked = {resolve(site, f"{lang}/index.html", link)[0] for link in index.links()}
        for kind, ids in (("routes", ROUTES), ("advice", ADVISORIES), ("questions", QUESTIONS)):
            for item in ids:
                assert site / lang / kind / f"{item}.html" in linked, (lang, item)
    # The situations are the rules' own reasons, in the page's language.
    catalog = load_catalog("et")
    reason = "Someone else may know a code while the card is still in the holder's hands"
    assert catalog.gettext(reason) in pages["et/index.html"].text()
    assert reason in pages["en/index.html"].text()


def test_the_safety_page_gives_every_safety_advisory(pages: dict[str, Page]) -> None:
    from advisor.engine import load_rulebook

    wanted = safety_advisories(load_rulebook())
    assert "pin_roles" in wanted
    assert "never_share_codes" in wanted
    for lang in LANGUAGES:
        headings = [h.text.strip() for h in pages[f"{lang}/safety.html"].all("h2")]
        assert headings[: len(wanted)] == [advisory_title(a, lang) for a in wanted]


def test_the_sources_page_lists_every_source_by_title_and_link(pages: dict[str, Page]) -> None:
    for lang in LANGUAGES:
        page = pages[f"{lang}/sources.html"]
        links = {(a.attrs["href"], a.text.strip()) for a in page.all("a")}
        for sid, entry in sources_table().items():
            assert entry["title"] in page.text(), sid
            if entry.get("url"):
                assert (entry["url"], entry["title"]) in links, sid
            assert sid in page.ids()


def test_the_glossary_gives_each_term_in_three_languages(pages: dict[str, Page]) -> None:
    catalogs = {lang: load_catalog(lang) for lang in LANGUAGES}
    for lang in LANGUAGES:
        page = pages[f"{lang}/glossary.html"]
        terms = page.all("dt")
        assert len(terms) == len(TERMS)
        for term, element in zip(TERMS, terms, strict=True):
            assert element.attrs["id"] == term.key
            for other in LANGUAGES:
                assert catalogs[other].gettext(term.name) in element.text
        rows = page.all("tr")[1:]
        assert len(rows) == len(LABELS)
    estonian = pages["en/glossary.html"].text()
    # DigiDoc4's own labels, as docs/translating.md quotes them.
    assert "Tühista blokeering" in estonian
    assert "Разблокировать" in estonian
    assert "+372 677 3377" in estonian


def site_messages() -> list[str]:
    """The English of every message that only the site's templates and code use, but the
    apps' labels: the Russian texts quote a label in English, then in Russian
    (docs/translating.md)."""
    labels = {label.label for label in LABELS}
    with (PROJECT_ROOT / "content" / "locale" / "advisor.pot").open("rb") as handle:
        template = read_po(handle)
    mine = ("content/site/", "advisor/site/")
    return [
        str(m.id)
        for m in template
        if m.id
        and isinstance(m.id, str)
        and all(loc[0].startswith(mine) for loc in m.locations)
        and len(m.id.split()) >= 3
        and m.id not in labels
    ]


@pytest.mark.parametrize("lang", ["et", "ru"])
def test_no_english_is_left_on_a_translated_page(lang: str, pages: dict[str, Page]) -> None:
    english = site_messages()
    assert len(english) > 40
    for path, page in pages.items():
        if not path.startswith(f"{lang}/"):
            continue
        text = page.own_language_text()
        left = [message for message in english if message in text]
        assert left == [], path


def test_a_rebuild_replaces_the_old_site_and_gives_the_same_bytes(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(out, ("en",))
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (out / "en" / "stale.html").write_text("old")
    build_site(out, ("en",))
    second = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert second == first
    assert not list(tmp_path.glob(".site.*")), "the staging folders are gone"


def test_a_folder_with_other_files_is_refused_untouched(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(app, ["pages", "build", str(tmp_path)])
    assert result.exit_code == 2
    assert str(tmp_path) in result.stderr
    assert "nothing was written" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_the_command_reports_what_it_wrote(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["--json", "pages", "build", str(out), "--languages", "et"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["languages"] == ["et"]
    assert document["pages"] == 1 + len(help_pages())
    assert (out / "et" / "index.html").is_file()
    assert not (out / "en").exists()
    result = CliRunner().invoke(app, ["pages", "build", str(out), "--languages", "et,fi"])
    assert result.exit_code == 2
    assert "fi" in result.stderr
    result = CliRunner().invoke(app, ["pages", "build", str(out), "--base-url", "example.org"])
    assert result.exit_code == 2
    assert "--base-url" in result.stderr


def test_a_base_url_makes_the_alternates_absolute_and_writes_a_sitemap(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_site(out, ("en", "et"), base_url="https://help.example.org/eid")
    page = parse((out / "et" / "routes" / "no_action.html").read_text(encoding="utf-8"))
    alternates = {e.attrs["hreflang"]: e.attrs["href"] for e in page.all("link", rel="alternate")}
    assert alternates["en"] == "https://help.example.org/eid/en/routes/no_action.html"
    assert alternates["x-default"] == "https://help.example.org/eid/index.html"
    assert page.one("link", rel="canonical").attrs["href"].endswith("et/routes/no_action.html")
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.count("<url>") == 2 * len(help_pages())
    assert 'hreflang="et" href="https://help.example.org/eid/et/index.html"' in sitemap
