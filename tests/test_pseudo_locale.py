"""A pseudo-locale run of the holder's commands: every word they show must come from the
catalog. Each message of the template is "translated" to itself between ⟦ and ⟧; whatever
remains outside the markers was printed without going through gettext."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from typer.testing import CliRunner

from advisor.cli import app
from advisor.cli.i18n import use_language
from advisor.emulator import list_presets
from advisor.emulator.presets import PROFILES
from advisor.engine.rulebook import load_rulebook
from advisor.model import Status
from advisor.paths import PROJECT_ROOT
from advisor.ruletools.check import CheckReport

PSEUDO = "fi"  # a real locale (for Babel's dates) that has no catalog of ours
MARKED = re.compile(r"⟦.*?⟧", re.S)
# Ids that a command prints as they are: presets and chips of the emulator, rule sets.
IDS = sorted(
    {p.name for p in list_presets()} | set(PROFILES) | {r.name for r in load_rulebook().rulesets},
    key=len,
    reverse=True,
)
# What may stand outside the markers: the codes' names, numbers, names and values read
# from the card, commands and file names, ids (rules, rule files, the rules' version,
# presets), and the frame of tables and Markdown.
ALLOWED = re.compile(
    r"\b[A-Z]\d{3}_\w+|\b[\w-]+\.json\b|\b[0-9a-f]{8}\b|"
    + "|".join(rf"\b{re.escape(name)}\b" for name in IDS)
    + r"|PIN1|PIN2|PUK|IDEMIA|Thales|EstEID|Cosmo|JAAK-KRISTJAN|JÕEORG|e_resident"
    r"|https?://\S+|advisor[\w -]*|[A-Z]{2}\d+|\d[\d.:/-]*|Virtual reader|\(advisor\)"
)


@pytest.fixture
def pseudo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    with (PROJECT_ROOT / "content" / "locale" / "advisor.pot").open("rb") as handle:
        template = read_po(handle)
    catalog = Catalog(locale=PSEUDO)
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, (list, tuple)):
            string: Any = tuple(f"⟦{form}⟧" for form in (message.id[0], message.id[1]))
        else:
            string = f"⟦{message.id}⟧"
        catalog.add(message.id, string, context=message.context)
    path = tmp_path / "advisor.mo"
    with path.open("wb") as handle:
        write_mo(handle, catalog)
    with path.open("rb") as handle:
        translations = Translations(handle, domain="advisor")

    import advisor.cli.common as common
    import advisor.cli.i18n as i18n
    import advisor.translatable as translatable

    # One loader serves the guidance (render.load_translations) and the CLI (i18n).
    real = translatable.load_catalog
    monkeypatch.setattr(
        translatable,
        "load_catalog",
        lambda lang, locale_dir=None: translations if lang == PSEUDO else real(lang, locale_dir),
    )
    monkeypatch.setattr(common, "LANGUAGES", (*common.LANGUAGES, PSEUDO))
    i18n._catalog.cache_clear()
    yield
    # The messages' language is process-wide: leave English behind for other tests.
    use_language("en")
    i18n._catalog.cache_clear()


# The guidance ends with a Sources footer: the official pages by their own titles, which
# are names (like "DigiDoc4") and stay as the pages call themselves; its heading is
# translated. Each entry is a bullet, perhaps wrapped onto indented lines.
FOOTER = re.compile(r"^⟦Sources⟧\n-+\n\n(?: • .*\n(?:   .*\n)*)+", re.M)


def untranslated(text: str) -> list[str]:
    rest = ALLOWED.sub(" ", MARKED.sub(" ", FOOTER.sub(" ", text)))
    return [w for w in re.findall(r"[^\W\d_]{3,}", rest)]


@pytest.mark.parametrize(
    ("args", "answers"),
    [
        (
            ["diagnose", "--virtual", "idemia-pin1-blocked"],
            ["yes", "y", "17258403", "58213", "58213"],
        ),
        (["diagnose", "--virtual", "thales-new"], ["yes", "yes", "yes", "n"]),
        (["diagnose", "--virtual", "expired"], []),
        # "?" shows how to find out, "I don't know" is noted.
        (["diagnose", "--virtual", "idemia-pin1-blocked"], ["?", "back", "", "n"]),
        (
            ["guide", "--today", "2026-06-01"],
            ["maybe", "no", "?", "back", "no", "", "9", "thales", "31.12.2030", "no", "0"],
        ),
        (["guide", "--today", "2026-06-01"], ["yes", "31.12.2030", "yes", "no"]),
        (["guide", "--today", "2026-06-01"], ["no", "no", "17.11.2025", "?", "0090", "no"]),
        (["card", "status", "--virtual", "thales-courier"], []),
        (["card", "change-pin", "pin1", "--virtual", "idemia-ok"], ["0091", "58213", "58213"]),
        (["card", "change-pin", "pin2", "--virtual", "idemia-ok"], ["01497", "12345"]),
        (["card", "change-pin", "pin1", "--virtual", "idemia-last-attempt"], ["n"]),
        (["card", "unblock", "pin1", "--virtual", "idemia-puk-blocked"], []),
        (["card", "activate-pin2", "--virtual", "thales-new"], ["01497", "58213", "58213"]),
    ],
    ids=lambda v: (
        " ".join(v) if isinstance(v, list) and v and v[0] in ("diagnose", "card", "guide") else ""
    ),
)
def test_holder_commands_print_only_catalog_text(
    pseudo: None, args: list[str], answers: list[str]
) -> None:
    result = CliRunner().invoke(
        app, ["--lang", PSEUDO, *args], input="".join(a + "\n" for a in answers)
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    shown = result.stdout + result.stderr
    assert "⟦" in shown
    assert untranslated(shown) == [], shown


def run(args: list[str], stdin: str = "") -> Any:
    result = CliRunner().invoke(app, ["--lang", PSEUDO, *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def assert_only_catalog_text(shown: str) -> None:
    assert "⟦" in shown
    assert untranslated(shown) == [], shown


@pytest.mark.parametrize(
    "args",
    [
        ["--card-lost", "yes"],
        ["--card-lost", "yes", "--explain"],
        ["--card-generation", "idemia"],
        ["--card-generation", "idemia", "--explain"],
        ["--card-generation", "thales", "--puk-known", "no", "--has-other-eid", "no"],
    ],
    ids=" ".join,
)
def test_triage_case_prints_only_catalog_text(pseudo: None, args: list[str]) -> None:
    result = run(["triage", "case", *args])
    assert result.exit_code == 0, result.output
    assert_only_catalog_text(result.stdout + result.stderr)
    if "--explain" in args:
        assert "⟦Why (rules %(version)s):⟧" not in result.stdout  # the version is filled in
        assert "_" in result.stdout  # the rules' names stay as they are


@pytest.mark.parametrize(
    "args",
    [
        ["--pin1-tries-left", "7"],
        ["--pin1-known", "maybe"],
        ["--issue-date", "Nov 2025"],
        ["--issue-date", "31.02.2025"],
        ["--card-lost", "no", "--card-stolen", "yes"],
        ["--facts", "[1]"],
        ["--facts", '{"issue_date": 5}'],
        ["--facts", "{}", "--card-lost", "yes"],
    ],
    ids=" ".join,
)
def test_triage_case_errors_print_only_catalog_text(pseudo: None, args: list[str]) -> None:
    result = run(["triage", "case", *args])
    assert result.exit_code == 2
    assert_only_catalog_text(result.stderr)


BATCH = "\n".join(
    [
        json.dumps({"id": "decided", "card_lost": True, "expiry_date": "2099-12-31"}),
        json.dumps({"id": "incomplete", "card_generation": "idemia"}),
        json.dumps({"id": "bad", "pin1_tries_left": 9}),
    ]
)


def test_triage_batch_summary_is_translated_and_records_are_not(pseudo: None) -> None:
    english = CliRunner().invoke(app, ["--lang", "en", "triage", "batch", "-"], input=BATCH)
    result = run(["triage", "batch", "-"], BATCH)
    assert result.exit_code == english.exit_code == 2
    # The records are the contract: the same bytes in every language.
    assert result.stdout == english.stdout
    assert "⟦" not in result.stdout
    assert english.stderr == "3 records: 1 decided, 1 error, 1 incomplete\n"
    assert_only_catalog_text(result.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ["triage", "batch", "no-such-file.jsonl"],
        ["triage", "batch", "-", "--format", "xml"],
        ["emulator", "serve", "--profile", "ibm"],
        ["emulator", "serve", "--preset", "no-such-preset"],
        ["emulator", "serve", "--profile", "thales", "--preset", "idemia-ok"],
        ["emulator", "serve", "--vpcd", "localhost:99999"],
        ["emulator", "serve", "--vpcd", "[::1"],
        ["card", "status", "--virtual", "no-such-preset"],
        ["guide", "--facts", '{"pin1_tries_left": 9}'],
        ["guide", "--facts", "{"],
        ["guide", "--today", "31.02.2026"],
        ["guide", "--resume", "1.0badc0de.20260601s.n0"],
        ["guide", "--resume", "not-a-token"],
        ["guide", "--resume", "1.0badc0de.20260601s.n0", "--today", "2026-06-01"],
    ],
    ids=" ".join,
)
def test_usage_errors_print_only_catalog_text(pseudo: None, args: list[str]) -> None:
    result = run(args)
    assert result.exit_code == 2
    assert_only_catalog_text(result.stderr)


def test_guide_transcript_and_tree_summary_print_only_catalog_text(
    pseudo: None, tmp_path: Path
) -> None:
    transcript = tmp_path / "transcript.txt"
    answers = "no\nno\n17.11.2025\n\n"
    result = run(["guide", "--today", "2026-06-01", "--transcript", str(transcript)], answers)
    assert result.exit_code == 0, result.output
    # The input ended early: the transcript says so, and how to resume.
    assert_only_catalog_text(transcript.read_text(encoding="utf-8"))
    assert_only_catalog_text(result.stderr)
    tree = tmp_path / "tree.json"
    known = '{"card_lost": false, "codes_compromised": false, "card_generation": "legacy"}'
    result = run(["guide", "--facts", known, "--export-tree", str(tree)])
    assert result.exit_code == 0, result.output
    assert_only_catalog_text(result.stderr.replace(str(tree), ""))


def test_guide_json_lines_carry_the_language_in_their_texts_only(pseudo: None) -> None:
    result = run(["guide", "--today", "2026-06-01", "--json"], "maybe\nyes\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    question = lines[0]
    for text in (question["text"], question["howto"], *question["labels"]):
        assert_only_catalog_text(text)
    assert question["choices"] == ["yes", "no"]  # ids stay as they are
    assert lines[1]["error"] == {"field": "card_lost", "message": "answer yes or no"}
    assert "⟦" not in json.dumps(lines[-1]["decision"])


def test_diagnose_without_a_reader_offers_the_guide_in_the_language(
    pseudo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import advisor.cli.diagnose as diagnose
    import advisor.transport.pcsc as pcsc
    from advisor.transport import NoReader

    def connect(reader: str | None = None, *, wait: float = 0) -> None:
        raise NoReader("no reader")

    monkeypatch.setattr(pcsc, "connect", connect)
    monkeypatch.setattr(diagnose, "interactive", lambda: True)
    result = run(["diagnose"], "y\nyes\n31.12.2030\nno\nno\n")
    assert result.exit_code == 0, result.output
    assert_only_catalog_text(result.stdout + result.stderr)


def test_emulator_presets_print_only_catalog_text(pseudo: None) -> None:
    result = run(["emulator", "presets"])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == len(list_presets())
    assert_only_catalog_text(result.stdout)
    english = CliRunner().invoke(app, ["--lang", PSEUDO, "--json", "emulator", "presets"])
    assert "⟦" not in english.stdout  # JSON is the contract: English descriptions


@pytest.mark.parametrize("problems", [[], ["route x is never the primary route"]])
def test_rules_check_prints_only_catalog_text(
    pseudo: None, monkeypatch: pytest.MonkeyPatch, problems: list[str]
) -> None:
    import advisor.ruletools.check

    book = load_rulebook()
    report = CheckReport(
        rules_version=book.version,
        rules=sum(1 for _ in book.rules()),
        combinations={r.name: 10 for r in book.rulesets},
        seconds=1.25,
        routes_reached={"no_action": 1},
        advisories_reached={"pin_roles": 1},
        problems=list(problems),
        samples_checked=20,
    )
    monkeypatch.setattr(advisor.ruletools.check, "check", lambda book, samples: report)
    result = run(["rules", "check"])
    assert result.exit_code == (1 if problems else 0)
    shown = result.stderr
    if problems:
        # The problems are for the rules' authors and stay English.
        assert problems[0] in shown
        shown = shown.replace(problems[0], "")
    assert_only_catalog_text(shown)


def test_rules_docs_writes_english_and_says_so_in_the_language(
    pseudo: None, tmp_path: Path
) -> None:
    target = tmp_path / "rules.md"
    result = run(["rules", "docs", str(target)])
    assert result.exit_code == 0
    assert "⟦" not in target.read_text(encoding="utf-8")
    assert_only_catalog_text(result.stderr.replace(str(target), ""))


@pytest.mark.parametrize(
    ("lang", "why", "records"),
    [
        ("et", "Miks (reeglid", "3 kirjet: 1 otsustatud, 1 vigane, 1 puudulik"),
        ("ru", "Почему (правила", "3 записи: 1 решенная, 1 с ошибкой, 1 неполная"),
    ],
    ids=["et", "ru"],
)
def test_triage_speaks_estonian_and_russian(lang: str, why: str, records: str) -> None:
    from advisor.guidance.render import load_translations

    translations = load_translations(lang)
    title = "Suspend your certificates now"
    result = CliRunner().invoke(
        app,
        [
            *("--lang", lang, "triage", "case"),
            *("--card-lost", "yes", "--expiry-date", "2099-12-31", "--explain"),
        ],
    )
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first == translations.gettext(title) != title
    assert why in result.stdout
    reason = "The card is lost or stolen and its certificates have not expired"
    assert reason not in result.stdout
    batch = CliRunner().invoke(app, ["--lang", lang, "triage", "batch", "-"], input=BATCH)
    assert batch.stderr == records + "\n"


@pytest.mark.parametrize(
    ("total", "line"),
    [
        (1, "1 запись: 1 решенная"),
        (3, "3 записи: 3 решенные"),
        (5, "5 записей: 5 решенных"),
        (11, "11 записей: 11 решенных"),
        (21, "21 запись: 21 решенная"),
    ],
)
def test_russian_batch_summary_has_three_plural_forms(total: int, line: str) -> None:
    from advisor.cli.triage import batch_summary

    use_language("ru")
    try:
        assert batch_summary(total, {Status.DECIDED: total}) == line
    finally:
        use_language("en")
    records = "record" if total == 1 else "records"
    assert batch_summary(total, {Status.DECIDED: total}) == f"{total} {records}: {total} decided"


def _command_paths() -> list[list[str]]:
    """The app, every group and every command, as the words that name them."""
    paths: list[list[str]] = [[]]
    for name, command in getattr(typer.main.get_command(app), "commands", {}).items():
        paths.append([name])
        paths.extend([name, sub] for sub in getattr(command, "commands", {}))
    return paths


# What --help may show outside the catalog besides ALLOWED: option names, metavariables
# (NAME, HOST:PORT, 0-3, yes|no) and the names of the commands at the start of a row.
HELP_ALLOWED = re.compile(
    r"--?[\w-]+|\[OPTIONS\]|\[ARGS\]|\.\.\.|\b[A-Z][A-Z_:]*\b|[\w-]+(?:\|[\w-]+)+|\b0-3\b"
    r"|^ {2}(?!advisor\b)[a-z][\w-]*(?= )",
    re.M,
)
# Click shortens a command's help in a group's list to its first words and "...".
HELP_MARKED = re.compile(r"⟦.*?(?:⟧|\.\.\.$)", re.S | re.M)
WIDE = {"COLUMNS": "200"}  # no wrapped lines: each marked text stays on its row


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(["advisor", *p]))
def test_help_prints_only_catalog_text(pseudo: None, path: list[str]) -> None:
    result = CliRunner().invoke(app, ["--lang", PSEUDO, *path, "--help"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "⟦Usage:⟧ advisor" in result.stdout
    assert "⟦Show this message and exit.⟧" in result.stdout
    assert untranslated(HELP_ALLOWED.sub(" ", HELP_MARKED.sub(" ", result.stdout))) == [], (
        result.stdout
    )


def test_help_of_a_command_follows_its_own_lang_and_the_environment(pseudo: None) -> None:
    # --help is eager: it runs before the command's --lang is read, yet speaks it.
    own = CliRunner().invoke(app, ["triage", "case", "--help", "--lang", PSEUDO], env=WIDE)
    assert "⟦Case id, echoed in the output.⟧" in own.stdout
    env = CliRunner().invoke(
        app, ["rules", "check", "--help"], env={**WIDE, "ADVISOR_LANG": PSEUDO}
    )
    assert "⟦Random and boundary cases compared with the engine.⟧" in env.stdout
    # A group without arguments shows its help (no_args_is_help), also translated.
    bare = CliRunner().invoke(app, ["--lang", PSEUDO, "card"], env=WIDE)
    assert "⟦Read the card and change, unblock or activate its codes.⟧" in bare.output


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("et", ["Kasutus: advisor triage", "Käsud", "Otsusta üks juhtum"]),
        ("ru", ["Использование: advisor triage", "Команды", "Принять решение по одному случаю"]),
    ],
    ids=["et", "ru"],
)
def test_triage_help_speaks_estonian_and_russian(lang: str, words: list[str]) -> None:
    result = CliRunner().invoke(app, ["--lang", lang, "triage", "--help"], env=WIDE)
    assert result.exit_code == 0, result.output
    for word in words:
        assert word in result.stdout
    assert "Decide" not in result.stdout
    assert "Options" not in result.stdout
    # The help puts Typer's English back: the next help, in English, is as before.
    english = CliRunner().invoke(app, ["--lang", "en", "triage", "--help"], env=WIDE)
    assert "Usage: advisor triage [OPTIONS] COMMAND [ARGS]..." in english.stdout
    assert "\nOptions:\n" in english.stdout
    assert "\n  case   Decide one case, from --facts JSON" in english.stdout


def test_help_with_an_unknown_language_is_english() -> None:
    result = CliRunner().invoke(app, ["--lang", "xx", "--help"], env=WIDE)
    assert result.exit_code == 0
    assert "Usage: advisor [OPTIONS] COMMAND [ARGS]..." in result.stdout


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "et_EE.UTF-8"}, "et"),
        ({"LANG": "ru_RU.UTF-8", "LC_MESSAGES": "et_EE.UTF-8"}, "et"),
        ({"LC_ALL": "C", "LANG": "et_EE.UTF-8"}, "en"),  # LC_ALL=C overrides everything
        ({"LC_ALL": "C.UTF-8", "LANGUAGE": "ru"}, "en"),  # gettext ignores LANGUAGE under C
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "ru:et"}, "ru"),
        ({"LANG": "de_DE.UTF-8", "LANGUAGE": "fr:et"}, "et"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANGUAGE": "ru"}, "en"),  # no locale set is the C locale
        ({"LANG": "sr_RS@latin"}, "en"),
    ],
)
def test_system_locale_is_read_as_gettext_reads_it(environ: dict[str, str], expected: str) -> None:
    from advisor.cli.common import locale_language

    assert locale_language(environ) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "5 Jan 2028"), ("et", "05.01.2028"), ("ru", "05.01.2028")],
)
def test_card_dates_are_written_as_the_reader_writes_them(lang: str, expected: str) -> None:
    from datetime import date

    from advisor.cli.i18n import day

    use_language(lang)
    try:
        assert day(date(2028, 1, 5)) == expected
    finally:
        use_language("en")


# --- the help site (advisor pages build) -------------------------------------------------

# Names the pages show as they are: the apps, the chips, codes and the site's own words
# for the formats; the rules' version and numbers are allowed above.
SITE_NAMES = re.compile(
    r"DigiDoc4|RIA DigiDoc|Smart-ID|IDEMIA|Thales|PIN1|PIN2|PUK|eID|CSV|JSON Lines"
)


def test_help_site_shows_only_catalog_text(pseudo: None, tmp_path: Path) -> None:
    """Every page of the help site, built in the pseudo-locale: its text comes from the
    catalog, but for what is marked as another language (the glossary's other columns,
    the language switcher), `translate="no"` (titles of official pages) and the titles of
    the official pages in the guidance's Sources footers."""
    from advisor.guidance.render import sources_table
    from advisor.site import render as site_render
    from advisor.site.build import build_site
    from tests.browser.pageparse import parse

    site_render._environment.cache_clear()
    try:
        build_site(tmp_path / "site", (PSEUDO,))
        titles = sorted(
            (str(entry["title"]) for entry in sources_table().values()), key=len, reverse=True
        )
        pages = sorted((tmp_path / "site").rglob("*.html"))
        assert len(pages) > 40
        for path in pages:
            page = parse(path.read_text(encoding="utf-8"))
            text = page.own_language_text()
            for title in titles:
                text = text.replace(title, " ")
            assert "⟦" in text, path
            text = re.sub(r"https?://\S+", " ", text)
            assert untranslated(SITE_NAMES.sub(" ", text)) == [], (path, text)
    finally:
        site_render._environment.cache_clear()


def test_pages_build_speaks_the_language(pseudo: None, tmp_path: Path) -> None:
    result = run(["pages", "build", str(tmp_path / "out"), "--languages", "en"])
    assert result.exit_code == 0, result.output
    assert_only_catalog_text(result.stderr)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "mine.txt").write_text("x")
    result = run(["pages", "build", str(tmp_path / "other")])
    assert result.exit_code == 2
    assert_only_catalog_text(result.stderr)


# --- the server's pages (advisor serve) --------------------------------------------------


def test_the_servers_pages_show_only_catalog_text(
    pseudo: None, monkeypatch: pytest.MonkeyPatch, decider: Any
) -> None:
    """The triage page (empty, decided, with errors, with a card that cannot be read), the
    API reference and the error pages, in the pseudo-locale."""
    from starlette.testclient import TestClient

    from advisor.guidance.render import sources_table
    from advisor.site import render as site_render
    from advisor.web import app as web_app
    from advisor.web import pages as web_pages
    from advisor.web.settings import WebSettings
    from tests.browser.pageparse import parse

    monkeypatch.setattr(web_app.LanguageConvertor, "regex", f"en|et|ru|{PSEUDO}")
    monkeypatch.setattr(web_pages, "LANGUAGES", ("en", "et", "ru", PSEUDO))
    site_render._environment.cache_clear()
    titles = sorted((str(e["title"]) for e in sources_table().values()), key=len, reverse=True)
    app = web_app.create_app(WebSettings(virtual="no-such-preset"), decider=decider)
    paths = [
        f"/{PSEUDO}/triage",
        f"/{PSEUDO}/triage?card_lost=yes&expiry_date=30.06.2099&id=T1",
        f"/{PSEUDO}/triage?card_generation=idemia&pin1_tries_left=0",
        f"/{PSEUDO}/triage?pin1_tries_left=9&issue_date=Nov+2025&card_lost=maybe",
        f"/{PSEUDO}/triage?card_error=no_reader",
        f"/{PSEUDO}/api",
        f"/{PSEUDO}/no/such/page.html",
    ]
    try:
        with TestClient(app, client=("127.0.0.1", 5), base_url="http://127.0.0.1") as client:
            for path in paths:
                response = client.get(path)
                page = parse(response.text)
                assert page.lang == PSEUDO, path
                text = page.own_language_text()
                for title in titles:
                    text = text.replace(title, " ")
                text = re.sub(r"https?://\S+", " ", text)
                assert "⟦" in text, path
                assert untranslated(SITE_NAMES.sub(" ", text)) == [], (path, text)
            upload = client.post(f"/{PSEUDO}/triage/batch", data={"format": "auto"})
            assert upload.status_code == 400
            assert untranslated(SITE_NAMES.sub(" ", parse(upload.text).own_language_text())) == []
    finally:
        site_render._environment.cache_clear()
