"""A pseudo-locale run of the holder's commands: every word they show must come from the
catalog. Each message of the template is "translated" to itself between ⟦ and ⟧; whatever
remains outside the markers was printed without going through gettext."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from typer.testing import CliRunner

from advisor.cli import app
from advisor.paths import PROJECT_ROOT

PSEUDO = "fi"  # a real locale (for Babel's dates) that has no catalog of ours
MARKED = re.compile(r"⟦.*?⟧", re.S)
# What may stand outside the markers: the codes' names, numbers, names and values read
# from the card, commands and file names, and the frame of tables and Markdown.
ALLOWED = re.compile(
    r"PIN1|PIN2|PUK|IDEMIA|Thales|EstEID|Cosmo|JAAK-KRISTJAN|JÕEORG|e_resident"
    r"|https?://\S+|advisor[\w -]*|[A-Z]{2}\d+|\d[\d.:/-]*|Virtual reader|\(advisor\)"
)


@pytest.fixture
def pseudo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
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
    import advisor.guidance.render as render

    real = render.load_translations
    monkeypatch.setattr(
        render,
        "load_translations",
        lambda lang, content_dir=None: translations if lang == PSEUDO else real(lang, content_dir),
    )
    monkeypatch.setattr(common, "LANGUAGES", (*common.LANGUAGES, PSEUDO))


def untranslated(text: str) -> list[str]:
    rest = ALLOWED.sub(" ", MARKED.sub(" ", text))
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
        (["card", "status", "--virtual", "thales-courier"], []),
        (["card", "change-pin", "pin1", "--virtual", "idemia-ok"], ["0091", "58213", "58213"]),
        (["card", "change-pin", "pin2", "--virtual", "idemia-ok"], ["01497", "12345"]),
        (["card", "change-pin", "pin1", "--virtual", "idemia-last-attempt"], ["n"]),
        (["card", "unblock", "pin1", "--virtual", "idemia-puk-blocked"], []),
        (["card", "activate-pin2", "--virtual", "thales-new"], ["01497", "58213", "58213"]),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) and v and v[0] in ("diagnose", "card") else "",
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
