"""Gettext catalogs: the template is current, every catalog is complete and
correct, the compiled files match, and every text renders in Estonian and
Russian with no English sentence left and no number, address, link or
software label lost (docs/translating.md)."""

from __future__ import annotations

import configparser
import functools
import gettext
import html
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo
from babel.messages.plurals import get_plural

from advisor.guidance import (
    ADVISORIES,
    QUESTIONS,
    ROUTES,
    build_environment,
    catalogs,
    render_advisory,
    render_decision,
    render_question,
    render_route,
)
from advisor.guidance.catalogs import LANGUAGES, Layout, placeholder_problems, same_messages
from advisor.guidance.render import DOMAIN, load_translations
from advisor.paths import content_dir
from tests.fact_matrix import TODAY, fact_matrix
from tests.translation_checks import (
    CODE,
    DOUBLE_STOP,
    KEPT,
    LABELS,
    NUMBER,
    QUOTED,
    english_sentences,
    messages,
    read,
)

CONTENT_DIR = content_dir()

LAYOUT = Layout()
FORMATS = ("markdown", "text", "html")
PLURAL_MSGID = (
    "Your card expires on %(date)s, in %(count)s day.",
    "Your card expires on %(date)s, in %(count)s days.",
)


def key(message: Message) -> str | tuple[str, ...]:
    return message.id if isinstance(message.id, str) else tuple(message.id)


def forms(message: Message) -> tuple[str, ...]:
    value = message.string
    return (value,) if isinstance(value, str) else tuple(value)


@pytest.fixture(scope="module")
def template() -> Catalog:
    return read(LAYOUT.template)


@pytest.fixture(scope="module", params=LANGUAGES)
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def catalog(lang: str) -> Catalog:
    return read(LAYOUT.po(lang), lang)


# ------------------------------------------------------------------ template


def copy_sources(target: Path) -> None:
    """What extraction reads: the mapping, the templates (the guidance's and the help
    site's), the Python code and the rules."""
    root = LAYOUT.root
    shutil.copy2(root / "pyproject.toml", target / "pyproject.toml")
    (target / "content").mkdir()
    shutil.copy2(LAYOUT.mapping, target / "content" / "babel.cfg")
    shutil.copytree(root / "content" / "templates", target / "content" / "templates")
    shutil.copytree(root / "content" / "site", target / "content" / "site")
    shutil.copytree(
        root / "advisor", target / "advisor", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(root / "rules", target / "rules")


def test_template_is_not_stale(tmp_path: Path, template: Catalog) -> None:
    """Re-extract in a temporary checkout: the same messages, translator
    comments, flags and files (line numbers may drift)."""
    copy_sources(tmp_path)
    assert catalogs.main(["extract", "--root", str(tmp_path)]) == 0
    fresh = read(Layout(tmp_path).template)
    committed = {key(m) for m in messages(template)}
    extracted = {key(m) for m in messages(fresh)}
    hint = "run `python -m advisor.guidance.catalogs extract update`"
    assert sorted(map(str, extracted - committed)) == [], f"new messages: {hint}"
    assert sorted(map(str, committed - extracted)) == [], f"removed messages: {hint}"
    assert same_messages(template, fresh, lines=False), f"comments or flags changed: {hint}"


def test_extraction_sees_every_template(template: Catalog) -> None:
    """Babel's default directory filter would skip _fallback; ours must not."""
    files = {filename for m in messages(template) for filename, _line in m.locations}
    assert "content/templates/_fallback/routes.md.j2" in files
    assert "content/templates/decision.md.j2" in files
    assert "content/templates/_layout.md.j2" in files
    for kind, ids in (("routes", ROUTES), ("advisories", ADVISORIES), ("questions", QUESTIONS)):
        for item in ids:
            assert f"content/templates/{kind}/{item}.md.j2" in files, item


def test_every_rule_reason_is_extracted(template: Catalog) -> None:
    """`triage case --explain` shows each rule's reason translated: all are msgids, found
    at the line of their "because" key."""
    from advisor.engine.rulebook import load_rulebook

    book = load_rulebook(LAYOUT.root / "rules")
    found = {m.id: m for m in messages(template)}
    for rule in book.rules():
        message = found.get(rule.because)
        assert message is not None, rule.name
        assert f"Why rule {rule.name} applies" in " ".join(message.auto_comments)
        for filename, line in message.locations:
            if filename == f"rules/{rule.file}":
                text = (LAYOUT.root / filename).read_text(encoding="utf-8").splitlines()
                assert '"because"' in text[line - 1], (rule.name, line)
                break
        else:
            raise AssertionError(f"{rule.name}: no location in rules/{rule.file}")


def test_translator_comments_are_extracted(template: Catalog) -> None:
    commented = [m for m in messages(template) if m.auto_comments]
    assert len(commented) >= 15
    security = [m for m in commented if "Security-critical" in " ".join(m.auto_comments)]
    assert security, "the TRANSLATORS: security notes must reach the translators"


def test_mapping_matches_the_renderer() -> None:
    """babel.cfg must parse templates the way build_environment renders them."""
    parser = configparser.RawConfigParser()
    parser.read(LAYOUT.mapping, encoding="utf-8")
    section = next(s for s in parser.sections() if s.startswith("jinja2:"))
    options = dict(parser.items(section))
    env = build_environment()

    def flag(name: str) -> bool:
        return options.get(name, "false").lower() in {"1", "true", "yes", "on"}

    assert "jinja2.ext.i18n" in options["extensions"]
    assert flag("trimmed") is env.policies["ext.i18n.trimmed"] is True
    assert flag("newstyle_gettext") is env.newstyle_gettext is True  # type: ignore[attr-defined]
    assert flag("trim_blocks") is env.trim_blocks
    assert flag("lstrip_blocks") is env.lstrip_blocks
    assert flag("keep_trailing_newline") is env.keep_trailing_newline
    assert options["silent"] == "false"
    assert any(s.startswith("python:") for s in parser.sections())


def test_extract_is_deterministic(tmp_path: Path) -> None:
    """A second run changes no byte, and the header date stays."""
    copy_sources(tmp_path)
    assert catalogs.main(["extract", "--root", str(tmp_path)]) == 0
    first = Layout(tmp_path).template.read_bytes()
    assert catalogs.main(["extract", "--root", str(tmp_path)]) == 0
    assert Layout(tmp_path).template.read_bytes() == first


def without_generator(data: bytes) -> bytes:
    """The file without its Generated-By header, which names the Babel version."""
    return b"".join(
        line for line in data.splitlines(keepends=True) if not line.startswith(b'"Generated-By:')
    )


def test_committed_files_are_stable() -> None:
    """Reading and writing back the template, and updating the catalogs from
    it, change no byte: the committed files are what the tools write."""
    template = LAYOUT.template.read_bytes()
    assert without_generator(
        catalogs._po_bytes(read(LAYOUT.template), include_previous=False)
    ) == without_generator(template)
    for lang in LANGUAGES:
        po = read(LAYOUT.po(lang), lang)
        po.update(read(LAYOUT.template), no_fuzzy_matching=False, update_header_comment=False)
        written = catalogs._po_bytes(po, include_previous=True)
        assert without_generator(written) == without_generator(LAYOUT.po(lang).read_bytes()), lang


# ------------------------------------------------------------------ catalogs


def test_check_command_passes() -> None:
    assert catalogs.check(LAYOUT, LANGUAGES) == []
    assert catalogs.main(["check"]) == 0


def test_babel_check_finds_no_error(catalog: Catalog) -> None:
    errors = [(m.id, [str(e) for e in errs]) for m, errs in catalog.check()]
    assert errors == []


def test_no_fuzzy_or_untranslated_entry(catalog: Catalog, template: Catalog) -> None:
    assert not catalog.fuzzy
    fuzzy = [m.id for m in messages(catalog) if m.fuzzy]
    empty = [m.id for m in messages(catalog) if not all(forms(m))]
    assert fuzzy == []
    assert empty == []
    wanted = {str(m.id) for m in messages(template)}
    have = {str(m.id) for m in messages(catalog)}
    assert wanted == have


# Names that every language writes the same way.
PROPER_NAMES = {"digi-ID"}


def test_translations_are_not_english(catalog: Catalog) -> None:
    """A msgstr equal to its msgid is an untranslated message in disguise."""
    same = [
        m.id
        for m in messages(catalog)
        if isinstance(m.id, str) and m.string == m.id and m.id not in PROPER_NAMES
    ]
    assert same == []


def test_every_placeholder_is_kept(catalog: Catalog) -> None:
    named = re.compile(r"%\((\w+)\)s")
    for message in messages(catalog):
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        wanted = {name for msgid in ids for name in named.findall(msgid)}
        for form in forms(message):
            assert set(named.findall(form)) == wanted, (message.id, form)
        assert placeholder_problems(message) == [], message.id


def test_typographic_quotes(lang: str, catalog: Catalog) -> None:
    """Estonian quotes „…“, Russian «…»; no straight double quotes."""
    opening, closing = {"et": ("„", "“"), "ru": ("«", "»")}[lang]
    for message in messages(catalog):
        for form in forms(message):
            assert '"' not in form, form
            assert form.count(opening) == form.count(closing), form


def test_plural_forms_come_from_babel(lang: str, catalog: Catalog) -> None:
    assert catalog.plural_forms == Catalog(locale=lang).plural_forms
    assert catalog.num_plurals == get_plural(lang).num_plurals
    assert catalog.num_plurals == {"et": 2, "ru": 3}[lang]


def test_placeholder_problems_catches_mistakes() -> None:
    message = Message("In %(year)s it cost %(fee)s.", "Maksis %(fee)s.", flags=["python-format"])
    assert placeholder_problems(message) == ["translation drops %(year)s"]
    message = Message("Fee %(fee)s.", "Tasu %(fee)s ja %(extra)s 100%.")
    assert placeholder_problems(message) == [
        "translation adds %(extra)s",
        "translation has a lone '%' (write '%%')",
    ]
    assert placeholder_problems(Message("Done.", "Valmis 100%%.")) == []
    plural = Message(PLURAL_MSGID, ("%(count)s päev", "päeva"))
    assert placeholder_problems(plural) == [
        "form 0 drops %(date)s",
        "form 1 drops %(count)s, %(date)s",
    ]


# ---------------------------------------------------------------- .mo files


def test_mo_matches_po(lang: str, catalog: Catalog) -> None:
    with LAYOUT.mo(lang).open("rb") as handle:
        compiled = read_mo(handle)
    assert compiled.plural_forms == catalog.plural_forms
    expected = {key(m): forms(m) for m in messages(catalog) if not m.fuzzy}
    actual = {key(m): forms(m) for m in messages(compiled)}
    assert actual == expected


def test_renderer_loads_the_catalog(lang: str) -> None:
    translations = load_translations(lang)
    assert isinstance(translations, gettext.GNUTranslations)
    assert translations.gettext("What to do") != "What to do"


# ------------------------------------------------------------------- plurals

RUSSIAN_DAYS = {1: "день", 2: "дня", 5: "дней", 11: "дней", 21: "день", 22: "дня", 25: "дней"}


@pytest.mark.parametrize(("n", "word"), sorted(RUSSIAN_DAYS.items()))
def test_russian_plural_via_ngettext(n: int, word: str) -> None:
    translations = load_translations("ru")
    text = translations.ngettext(*PLURAL_MSGID, n) % {"date": "1 марта", "count": n}
    assert text.endswith(f"через {n} {word}."), text


@pytest.mark.parametrize(
    ("n", "index"), [(1, 0), (2, 1), (5, 2), (21, 0), (11, 2), (12, 2), (104, 1)]
)
def test_russian_plural_expression(n: int, index: int) -> None:
    assert gettext.c2py(get_plural("ru").plural_expr)(n) == index
    assert read(LAYOUT.po("ru"), "ru").plural_expr == get_plural("ru").plural_expr
    compiled = load_translations("ru")
    assert compiled.plural(n) == index  # type: ignore[attr-defined]


@pytest.mark.parametrize("n", [1, 2, 5, 21])
def test_russian_plural_in_the_rendered_advisory(n: int) -> None:
    facts = {"today": TODAY, "expiry_date": TODAY + timedelta(days=n)}
    text = " ".join(render_advisory("expiring_soon", facts=facts, lang="ru").split())
    assert f"через {n} {RUSSIAN_DAYS[n]}." in text


def test_russian_date_keeps_the_narrow_no_break_space() -> None:
    facts = {"today": TODAY, "expiry_date": date(2026, 3, 2)}
    md = render_advisory("expiring_soon", facts=facts, lang="ru", fmt="markdown")
    assert "2 марта 2026\u202fг., через 1 день." in md


def test_estonian_plural_in_the_rendered_advisory() -> None:
    for n in (1, 2, 21):
        facts = {"today": TODAY, "expiry_date": TODAY + timedelta(days=n)}
        text = " ".join(render_advisory("expiring_soon", facts=facts, lang="et").split())
        assert f"See aegub {n} päeva pärast." in text


# ----------------------------------------------------------------- rendering

RENDERERS = {"route": render_route, "advisory": render_advisory, "question": render_question}
ITEMS = (
    *(("route", r) for r in ROUTES),
    *(("advisory", a) for a in ADVISORIES),
    *(("question", q) for q in QUESTIONS),
)


@functools.cache
def cases() -> tuple[tuple[str, str, dict[str, Any]], ...]:
    """(kind, id, facts) for every distinct English text of every item: the
    fact matrix reaches every branch, and equal English texts need one check."""
    seen: set[tuple[str, str, str]] = set()
    found: list[tuple[str, str, dict[str, Any]]] = []
    for facts in fact_matrix():
        for kind, item in ITEMS:
            english = RENDERERS[kind](item, facts=facts, fmt="markdown")
            if (kind, item, english) not in seen:
                seen.add((kind, item, english))
                found.append((kind, item, facts))
    return tuple(found)


@functools.cache
def rendered(kind: str, item: str, facts_key: str, lang: str, fmt: str) -> str:
    facts = dict(FACTS_BY_KEY[facts_key])
    return RENDERERS[kind](item, facts=facts, lang=lang, fmt=fmt)


FACTS_BY_KEY: dict[str, Mapping[str, Any]] = {}


def key_of(facts: Mapping[str, Any]) -> str:
    key = repr(sorted(facts.items()))
    FACTS_BY_KEY[key] = facts
    return key


def plain(text: str, fmt: str) -> str:
    """The words of one rendering, whitespace collapsed."""
    if fmt == "html":
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(text.split())


def without_footer(words: str, lang: str) -> str:
    """The words before the Sources footer, which comes last. The footer lists the
    official pages by their own titles: names, as "DigiDoc4" is, that stay as the pages
    call themselves in every language (its heading is translated)."""
    heading = load_translations(lang).gettext("Sources")
    cut = words.rfind(heading)
    return words if cut < 0 else words[:cut]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_item_renders_translated(lang: str, fmt: str) -> None:
    """Every route, advisory and question, in every distinct wording, differs
    from English, leaves no English sentence, and keeps every number, link,
    address, source ID, command and quoted label of the English text."""
    sentences = english_sentences()
    checked = 0
    for kind, item, facts in cases():
        key = key_of(facts)
        english_md = rendered(kind, item, key, "en", "markdown")
        english = rendered(kind, item, key, "en", fmt)
        translated = rendered(kind, item, key, lang, fmt)
        label = f"{lang} {fmt} {kind} {item} {facts}"
        assert translated.strip(), label
        assert translated != english, label
        words = plain(translated, fmt)
        lowered = without_footer(words, lang).lower()
        left = [s for s in sentences if s in lowered]
        assert left == [], (label, left)
        # A date or abbreviation at the end of a sentence ("2026 г.") must
        # not get a second full stop.
        assert not DOUBLE_STOP.search(words), (label, words)
        english_words = plain(english, fmt)
        for pattern in KEPT:
            for value in pattern.findall(english_words):
                assert value in words, (label, value)
        numbers = set(NUMBER.findall(english_words.replace("24/7", "")))
        assert numbers <= set(NUMBER.findall(words)), (label, numbers - set(NUMBER.findall(words)))
        for command in CODE.findall(english_md):
            assert command in words, (label, command)
        for quoted in QUOTED.findall(english_md):
            assert quoted in LABELS, f"add {quoted!r} to LABELS ({label})"
            assert any(option in words for option in LABELS[quoted][lang]), (label, quoted)
        checked += 1
    assert checked >= len(ITEMS)


def test_matrix_reaches_the_branches() -> None:
    """The distinct English texts include the plural, the date and the
    location branches, so the translated check sees them."""
    ids = {(kind, item) for kind, item, _facts in cases()}
    assert ids == set(ITEMS)
    assert len(cases()) > 2 * len(ITEMS)


GLUED = re.compile(r"[.:!?)»“] ?(?:\d+\.|[-*]|#{1,6}) [A-ZÕÄÖÜŠŽА-ЯЁ„«*`]")


def test_translated_markdown_keeps_its_structure(lang: str) -> None:
    """Same headings and list items as English; no list marker glued to a
    sentence (see the whitespace note in _layout.md.j2)."""
    for kind, item, facts in cases():
        key = key_of(facts)
        english = rendered(kind, item, key, "en", "markdown")
        translated = rendered(kind, item, key, lang, "markdown")
        shape = re.compile(r"^(#+|\d+\.|-|[ \t]+)(?= )", re.M)
        assert shape.findall(translated) == shape.findall(english), (lang, kind, item, facts)
        for line in translated.splitlines():
            assert not GLUED.search(line), (lang, kind, item, line)


def decisions() -> Iterator[dict[str, Any]]:
    for route in ROUTES:
        yield {
            "status": "decided",
            "route": route,
            "urgency": "now",
            "also": [r for r in ROUTES if r != route][:2],
            "advisories": list(ADVISORIES),
        }
    yield {"status": "decided", "route": "no_action", "urgency": "soon"}
    yield {"status": "decided", "route": "no_action", "urgency": "when_convenient"}
    yield {
        "status": "incomplete",
        "candidates": list(ROUTES),
        "questions": list(QUESTIONS),
        "advisories": ["never_share_codes"],
    }
    yield {"status": "error", "error": {"field": "expiry_date", "message": "not a date"}}
    yield {"status": "decided", "route": "no_such_route", "advisories": ["no_such_note"]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_whole_decisions_render_translated(lang: str, fmt: str) -> None:
    """Headings, urgency lines and fallbacks of decision.md.j2 are translated."""
    sentences = english_sentences()
    layout_words = ("What to do", "Where to go", "What not to do", "Good to know", "Then also")
    for decision in decisions():
        facts = {"today": TODAY, "card_generation": "idemia"}
        text = render_decision(decision, facts=facts, lang=lang, fmt=fmt, explain=True)
        words = plain(text, fmt)
        assert not [s for s in sentences if s in without_footer(words, lang).lower()], decision
        assert not [w for w in layout_words if w in without_footer(words, lang)], decision
        assert not DOUBLE_STOP.search(words), decision
        english = plain(render_decision(decision, facts=facts, fmt=fmt), fmt)
        for value in re.findall(r"\+372(?: \d+)+|\b1777\b", english):
            assert value in words


def test_text_fits_80_columns(lang: str) -> None:
    for kind, item, facts in cases():
        for line in rendered(kind, item, key_of(facts), lang, "text").splitlines():
            assert len(line) <= 80 or " " not in line.strip(), (lang, kind, item, line)


# ------------------------------------------------------------------ workflow


def test_update_keeps_the_previous_msgid(tmp_path: Path) -> None:
    """A changed msgid becomes a fuzzy guess with `#| msgid`, and check
    refuses it until a translator confirms it."""
    copy_sources(tmp_path)
    shutil.copytree(LAYOUT.locale_dir, tmp_path / "content" / "locale")
    layout = Layout(tmp_path)
    page = tmp_path / "content" / "templates" / "routes" / "no_action.md.j2"
    old = "Nothing here needs fixing."
    page.write_text(page.read_text(encoding="utf-8").replace(old, "Nothing here needs a fix."))
    assert catalogs.main(["extract", "update", "--root", str(tmp_path), "-l", "et"]) == 0
    text = layout.po("et").read_text(encoding="utf-8")
    assert f'#| msgid "{old}' in text
    entry = read(layout.po("et"), "et").get(
        "Nothing here needs a fix. The tips below help you keep your card and codes safe."
    )
    assert entry is not None
    assert entry.fuzzy
    assert entry.string.startswith("Midagi pole vaja parandada.")
    problems = catalogs.check(layout, ["et"])
    assert any(p.startswith("et: fuzzy") for p in problems), problems
    assert catalogs.main(["check", "--root", str(tmp_path), "-l", "et"]) == 1
    # The fuzzy guess is left out of the .mo until someone confirms it.
    assert catalogs.main(["compile", "--root", str(tmp_path), "-l", "et"]) == 0
    with layout.mo("et").open("rb") as handle:
        compiled = read_mo(handle)
    assert compiled.get(entry.id) is None
    assert not list(layout.po("et").parent.glob(".*.tmp")), "temporary files left behind"


def test_update_creates_a_missing_catalog_with_babel_plurals(tmp_path: Path) -> None:
    copy_sources(tmp_path)
    (tmp_path / "content" / "locale").mkdir()
    shutil.copy2(LAYOUT.template, tmp_path / "content" / "locale" / f"{DOMAIN}.pot")
    layout = Layout(tmp_path)
    assert catalogs.main(["update", "--root", str(tmp_path), "-l", "uk"]) == 0
    created = read(layout.po("uk"), "uk")
    assert created.plural_forms == Catalog(locale="uk").plural_forms
    assert not created.fuzzy
    problems = catalogs.check(layout, ["uk"])
    assert any(p.startswith("uk: untranslated") for p in problems)
    assert any("does not exist; run `compile`" in p for p in problems)


def test_compile_refuses_a_broken_catalog(tmp_path: Path) -> None:
    copy_sources(tmp_path)
    shutil.copytree(LAYOUT.locale_dir, tmp_path / "content" / "locale")
    layout = Layout(tmp_path)
    po = layout.po("ru")
    text = po.read_text(encoding="utf-8")
    broken = text.replace(
        'msgstr "Позвоните на линию помощи ID (ID-abiliin) по номеру %(long)s."',
        'msgstr "Позвоните на линию помощи ID (ID-abiliin) по номеру %(number)s."',
    )
    assert broken != text
    po.write_text(broken, encoding="utf-8")
    before = layout.mo("ru").read_bytes()
    assert catalogs.main(["compile", "--root", str(tmp_path), "-l", "ru"]) == 2
    assert layout.mo("ru").read_bytes() == before
    problems = catalogs.check(layout, ["ru"])
    assert any("unknown named placeholder 'number'" in p for p in problems), problems
    assert any("drops %(long)s" in p for p in problems), problems


def test_a_message_that_comes_back_gets_its_translation_back(tmp_path: Path) -> None:
    """Removed messages stay as obsolete entries (#~) and are revived, like
    msgmerge does, when the text returns to the templates."""
    copy_sources(tmp_path)
    shutil.copytree(LAYOUT.locale_dir, tmp_path / "content" / "locale")
    layout = Layout(tmp_path)
    page = tmp_path / "content" / "templates" / "advisories" / "pins_differ.md.j2"
    original = page.read_text(encoding="utf-8")
    page.write_text(original.replace("Use different codes{%", "Zzz qqq xxx{%"), encoding="utf-8")
    root = ["--root", str(tmp_path), "-l", "et"]
    assert catalogs.main(["extract", "update", *root]) == 0
    assert '#~ msgid "Use different codes"' in layout.po("et").read_text(encoding="utf-8")
    page.write_text(original, encoding="utf-8")
    assert catalogs.main(["extract", "update", *root]) == 0
    entry = read(layout.po("et"), "et").get("Use different codes")
    assert entry is not None
    assert entry.string == "Kasuta erinevaid koode"
    assert not entry.fuzzy
    assert '#~ msgid "Use different codes"' not in layout.po("et").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("msgcat") is None, reason="GNU gettext is not installed")
def test_gnu_gettext_reads_and_writes_the_same_files() -> None:
    """msgfmt -c accepts the catalogs, and `msgcat --no-wrap` (the wrapping of
    Weblate's po_line_wrap = 65535) rewrites no byte of them."""
    for path in [LAYOUT.template, *(LAYOUT.po(lang) for lang in LANGUAGES)]:
        rewritten = subprocess.run(
            ["msgcat", "--no-wrap", str(path)], check=True, capture_output=True
        ).stdout
        assert rewritten == path.read_bytes(), path
    for lang in LANGUAGES:
        subprocess.run(
            ["msgfmt", "-c", "-o", "/dev/null", str(LAYOUT.po(lang))],
            check=True,
            capture_output=True,
        )


def test_module_and_renderer_agree_on_the_files() -> None:
    assert catalogs.DOMAIN == DOMAIN
    assert LAYOUT.locale_dir == CONTENT_DIR / "locale"
    assert LAYOUT.mo("et") == CONTENT_DIR / "locale" / "et" / "LC_MESSAGES" / f"{DOMAIN}.mo"
