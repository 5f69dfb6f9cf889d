"""`advisor guide` end to end: answers on stdin in three languages, the JSON Lines
protocol, the transcript, resuming from a token and the exported tree."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from advisor.cli import app
from advisor.guidance import question_text, route_title
from advisor.guidance.render import load_translations

TODAY = ["--today", "2026-06-01"]


def run(args: list[str], answers: list[str] | None = None) -> Any:
    stdin = "".join(a + "\n" for a in answers or [])
    return CliRunner().invoke(app, ["guide", *TODAY, *args], input=stdin)


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


LOST_AND_STOLEN = {
    "en": ["yes", "31.12.2030", "yes", "no"],
    "et": ["jah", "31.12.2030", "Jah", "ei"],
    "ru": ["да", "2030-12-31", "ДА", "нет"],
    "numbers": ["1", "31 Dec 2030", "1", "2"],
}


@pytest.mark.parametrize("how", list(LOST_AND_STOLEN))
def test_a_stolen_card_in_three_languages_and_by_number(how: str) -> None:
    lang = how if how in ("et", "ru") else "en"
    result = run(["--lang", lang], LOST_AND_STOLEN[how])
    assert result.exit_code == 0, result.output
    title = route_title("certificate_suspension", lang)
    assert result.stdout.splitlines()[0] == title
    translations = load_translations(lang)
    # The questions in the holder's language, each once: lost, valid until, stolen,
    # leaked codes.
    for field in ("card_lost", "expiry_date", "card_stolen", "codes_compromised"):
        assert result.stderr.count(question_text(field, lang)) == 1
    theft = translations.gettext("Report the theft to the police")
    assert theft in result.stdout
    if lang != "en":
        assert "Report the theft" not in result.stdout
        assert "Is your card lost" not in result.stderr


def test_help_back_and_dont_know() -> None:
    answers = ["no", "?", "back", "no", "", "thales", "", "no", "3", "3", "3", "no", "no"]
    result = run([], answers)
    assert result.exit_code == 0, result.output
    err = " ".join(result.stderr.split())
    # "?" explains how to find out, and why the question is asked; "I don't know"
    # shows how to find out too, and how to answer after all.
    assert err.count("Only fraudsters ask for PIN codes by phone.") == 2
    assert "If you find out, you can still answer it: type back." in err
    assert "Asked because the answer decides between:" in err
    # "back" asked the first question again.
    assert err.count(question_text("card_lost")) == 2
    # Asked, asked again after "?", after "back"; then listed as not known.
    assert err.count(question_text("codes_compromised")) == 4
    assert "You did not know:" in err
    assert question_text("codes_compromised") in err.split("You did not know:")[1]


def test_a_code_typed_as_an_answer_is_refused_and_never_shown() -> None:
    known = {
        "card_lost": False,
        "codes_compromised": False,
        "certificates_suspended": False,
        "card_generation": "idemia",
        "expiry_date": "2030-01-01",
        "pin1_tries_left": 0,
        "puk_tries_left": 3,
    }
    result = run(["--facts", json.dumps(known)], ["17258403", "yes"])
    assert result.exit_code == 0, result.output
    assert "17258403" not in result.output
    assert "never type a PIN or PUK here" in result.stderr
    assert result.stdout.splitlines()[0] == route_title("puk_unblock_in_app")


def test_facts_known_in_advance_are_not_asked() -> None:
    known = {
        "card_lost": True,
        "card_stolen": False,
        "codes_compromised": False,
        "expiry_date": "2030-12-31",
    }
    result = run(["--facts", json.dumps(known)], [])
    assert result.exit_code == 0, result.output
    assert question_text("card_lost") not in result.stderr
    assert result.stdout.splitlines()[0] == route_title("certificate_suspension")


def test_the_facts_own_date_is_the_evaluation_date_unless_today_is_given() -> None:
    known = {"today": "2026-06-01", "card_lost": False, "expiry_date": "2026-05-31"}
    result = CliRunner().invoke(app, ["guide", "--json", "--facts", json.dumps(known)], input="")
    end = jsonl(result.stdout)[-1]
    assert end["facts"]["today"] == "2026-06-01"
    assert end["decision"]["route"] == "card_replacement"  # expired the day before
    later = CliRunner().invoke(
        app, ["guide", "--json", "--today", "2026-05-01", "--facts", json.dumps(known)], input=""
    )
    assert jsonl(later.stdout)[-1]["facts"]["today"] == "2026-05-01"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--facts", '{"pin1_tries_left": 9}'], "pin1_tries_left"),
        (["--facts", '{"card_lost": "yes"}'], "card_lost"),
        (["--facts", "[1]"], "--facts"),
        (["--today", "31.02.2026"], "--today"),
    ],
)
def test_invalid_input_is_a_usage_error_naming_the_field(args: list[str], field: str) -> None:
    result = CliRunner().invoke(app, ["guide", *args], input="")
    assert result.exit_code == 2
    assert field in result.stderr
    result = CliRunner().invoke(app, ["guide", "--json", *args], input="")
    assert result.exit_code == 2
    assert jsonl(result.stdout)[0]["error"]["field"] == field


def test_transcript_as_text_in_estonian_and_as_json(tmp_path: Path) -> None:
    text = tmp_path / "ticket.txt"
    result = run(["--lang", "et", "--transcript", str(text)], ["jah", "31.12.2030", "ei", ""])
    assert result.exit_code == 0, result.output
    written = text.read_text(encoding="utf-8")
    translations = load_translations("et")
    assert translations.gettext("Questions and answers:") in written
    assert f"1. {question_text('card_lost', 'et')} jah" in written
    assert translations.gettext("I don't know") in written
    assert route_title("certificate_suspension", "et") in written
    assert "Questions and answers" not in written
    russian = tmp_path / "ticket-ru.txt"
    run(["--lang", "ru", "--transcript", str(russian)], ["да", "31.12.2030", "нет", ""])
    written = russian.read_text(encoding="utf-8")
    assert load_translations("ru").gettext("Questions and answers:") in written
    assert f"2. {question_text('expiry_date', 'ru')} 31.12.2030" in written
    assert f"3. {question_text('card_stolen', 'ru')} нет" in written
    data = tmp_path / "ticket.json"
    result = run(["--transcript", str(data)], ["yes", "31.12.2030", "no", ""])
    document = json.loads(data.read_text(encoding="utf-8"))
    assert [s["question"] for s in document["steps"]] == [
        "card_lost",
        "expiry_date",
        "card_stolen",
        "codes_compromised",
    ]
    assert document["unknown"] == ["codes_compromised"]
    assert document["decision"]["route"] == "certificate_suspension"


def test_an_interview_stopped_early_can_be_resumed(tmp_path: Path) -> None:
    data = tmp_path / "half.json"
    first = run(["--transcript", str(data)], ["no", "no"])  # the input ends here
    assert first.exit_code == 0
    token = json.loads(data.read_text())["token"]
    assert f"advisor guide --resume {token}" in first.stderr
    resumed = CliRunner().invoke(app, ["guide", "--resume", token, "--json"], input="")
    steps = jsonl(resumed.stdout)
    assert steps[0]["question"] == "card_generation"  # lost and leaked codes were answered
    assert steps[-1]["facts"]["card_lost"] is False
    both = CliRunner().invoke(app, ["guide", "--resume", token, *TODAY], input="")
    assert both.exit_code == 2


def test_a_token_of_other_rules_is_refused_with_a_clear_message() -> None:
    result = CliRunner().invoke(app, ["guide", "--resume", "1.0badc0de.20260601s.n0"], input="")
    assert result.exit_code == 2
    assert "saved with other rules" in result.stderr
    assert "0badc0de" in result.stderr


def test_json_lines_protocol() -> None:
    answers = ["maybe", "yes", "back", "no", "", "2025-11-17", "31.12.2030", "no"]
    result = run(["--json"], answers)
    assert result.exit_code == 0, result.output
    lines = jsonl(result.stdout)
    first = lines[0]
    assert first["question"] == "card_lost"
    assert first["choices"] == ["yes", "no"]
    assert first["text"] == question_text("card_lost")
    assert first["kind"] == "yes_no"
    assert "card reader" in first["howto"]
    assert first["why"]["reason"] == "route"
    assert lines[1] == {"error": {"field": "card_lost", "message": "answer yes or no"}}
    assert lines[2]["question"] == "card_lost"  # asked again
    assert lines[3]["question"] == "expiry_date"  # after "yes": lost, until when valid?
    assert lines[4]["question"] == "card_lost"  # "back"
    assert [line.get("question") for line in lines[5:9]] == [
        "codes_compromised",
        "card_generation",
        "expiry_date",
        "certificates_suspended",
    ]
    chip = lines[6]
    assert chip["choices"] == ["idemia", "thales", "legacy"]
    assert chip["takes_date"] is True
    end = lines[-1]
    assert set(end) == {"decision", "facts", "unknown"}
    assert end["facts"]["issue_date"] == "2025-11-17"
    assert end["facts"]["card_lost"] is False
    assert end["unknown"] == ["codes_compromised"]
    assert end["decision"]["status"] == "incomplete"  # the input ended early
    assert end["decision"]["rules_version"]


def test_json_lines_speak_the_language_but_keep_ids() -> None:
    result = run(["--json", "--lang", "ru"], ["да", "31.12.2030", "нет", "нет"])
    lines = jsonl(result.stdout)
    assert lines[0]["text"] == question_text("card_lost", "ru")
    assert lines[0]["labels"] == ["да", "нет"]
    assert lines[0]["choices"] == ["yes", "no"]
    assert lines[-1]["decision"]["route"] == "certificate_suspension"


def test_export_tree(tmp_path: Path) -> None:
    known = {
        "card_lost": False,
        "codes_compromised": False,
        "certificates_suspended": False,
        "card_generation": "idemia",
        "expiry_date": "2030-01-01",
    }
    target = tmp_path / "tree.json.gz"
    result = run(["--facts", json.dumps(known), "--export-tree", str(target)])
    assert result.exit_code == 0, result.output
    tree = json.loads(gzip.decompress(target.read_bytes()))
    assert tree["known"] == known
    root = tree["nodes"][tree["root"]]
    assert root["question"] not in known
    assert f"Question nodes: {tree['stats']['nodes']};" in result.stderr
    assert result.stdout == ""  # no interview ran
