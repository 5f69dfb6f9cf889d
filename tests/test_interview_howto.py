"""The "how to find out" texts of the questions (content/templates/howto/): one for every
question the interview can ask, resting on the sources, in English, Estonian and Russian."""

from __future__ import annotations

import json
import re

import pytest

from advisor.guidance import get_environment, question_text
from advisor.guidance.render import guide_module
from advisor.interview import FIELDS
from advisor.paths import PROJECT_ROOT
from tests.translation_checks import (
    CODE,
    DOUBLE_STOP,
    KEPT,
    LABELS,
    NUMBER,
    QUOTED,
    english_sentences,
)

HOWTO = PROJECT_ROOT / "content" / "templates" / "howto"
SOURCES = json.loads((PROJECT_ROOT / "rules" / "sources.json").read_text(encoding="utf-8"))


def howto_markdown(field: str, lang: str) -> str:
    module = guide_module(get_environment(lang), "howto", field, {})
    return str(module.text())


def words_of(markdown: str) -> str:
    return " ".join(markdown.split())


def test_every_question_has_a_howto_and_nothing_else_has() -> None:
    assert {p.name.removesuffix(".md.j2") for p in HOWTO.glob("*.md.j2")} == set(FIELDS)


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_every_howto_names_its_sources_and_they_exist(field: str) -> None:
    text = (HOWTO / f"{field}.md.j2").read_text(encoding="utf-8")
    comment = re.match(r"\{#-?(.*?)-?#\}", text, re.S)
    assert comment is not None, field
    cited = set(re.findall(r"\bS\d{1,2}b?\b", comment.group(1)))
    assert cited or "ontract" in comment.group(1), field
    assert cited <= set(SOURCES["sources"]), cited - set(SOURCES["sources"])


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_a_howto_never_asks_for_a_code_and_says_how_to_find_out(field: str) -> None:
    text = words_of(howto_markdown(field, "en"))
    assert text
    assert question_text(field) not in text  # it explains, it does not ask again
    if field in ("pin1_known", "pin2_known", "puk_known"):
        assert "never type the code itself here" in text
    if field.endswith("_tries_left"):
        assert "every wrong try counts" in text


@pytest.mark.parametrize("lang", ["et", "ru"])
@pytest.mark.parametrize("field", sorted(FIELDS))
def test_every_howto_is_translated_and_keeps_its_facts(lang: str, field: str) -> None:
    english_md = howto_markdown(field, "en")
    english = words_of(english_md)
    translated = words_of(howto_markdown(field, lang))
    assert translated != english
    lowered = translated.lower()
    assert [s for s in english_sentences() if s in lowered] == []
    assert not DOUBLE_STOP.search(translated)
    for pattern in KEPT:
        for value in pattern.findall(english):
            assert value in translated, value
    assert set(NUMBER.findall(english)) <= set(NUMBER.findall(translated))
    for command in CODE.findall(english_md):
        assert f"`{command}`" in translated
    for quoted in QUOTED.findall(english_md):
        assert any(option in translated for option in LABELS[quoted][lang]), quoted
    assert '"' not in translated
