from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from advisor.cli import app
from advisor.engine.decider import Decider
from advisor.triage.batch import run_batch
from advisor.triage.records import csv_items, jsonl_items
from tests.fact_matrix import HEALTHY

runner = CliRunner()


def lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_batch_jsonl_keeps_order_and_reports_bad_lines(decider: Decider) -> None:
    good = dict(HEALTHY, id="a", pin1_tries_left=0)
    source = "\n".join(
        [
            json.dumps(good),
            json.dumps(dict(HEALTHY, id="b", pin1_tries_left=9)),
            "{not json",
            "",
            json.dumps(dict(HEALTHY, id="c", card_lost=True)),
            json.dumps(["not", "an", "object"]),
            json.dumps(dict(HEALTHY, id="d", expiry_date="2025-02-31")),
            json.dumps({"id": "e"}),
        ]
    )
    out = io.StringIO()
    from datetime import date

    summary = run_batch(
        decider, jsonl_items(io.BytesIO(source.encode())), out, today=date(2026, 11, 27)
    )
    records = lines(out.getvalue())
    assert [r.get("id") for r in records] == ["a", "b", None, "c", None, "d", "e"]
    assert [r["status"] for r in records] == [
        "decided",
        "error",
        "error",
        "decided",
        "error",
        "error",
        "incomplete",
    ]
    assert records[0]["route"] == "puk_unblock_in_app"
    assert records[1]["error"] == {
        "field": "pin1_tries_left",
        "message": records[1]["error"]["message"],
        "line": 2,
    }
    assert records[2]["error"]["line"] == 3
    assert records[3]["route"] == "certificate_suspension"
    assert records[4]["error"]["line"] == 6
    assert records[5]["error"]["field"] == "expiry_date"
    assert summary.total == 7
    assert summary.errors == 4


def test_batch_csv_with_human_dates(decider: Decider) -> None:
    from datetime import date

    source = (
        "id,card_generation,expiry_date,pin1_tries_left,puk_known,puk_tries_left,pin1_known,pin2_known,pin2_tries_left\n"
        "x1,idemia,1.1.2029,0,yes,3,,,\n"
        "x2,idemia,31.02.2029,0,yes,3,,,\n"
        "x3,thales,17 Nov 2030,3,no,3,yes,yes,3\n"
        "x4,idemia,1.1.2029\n"
    )
    out = io.StringIO()
    header, items = csv_items(io.BytesIO(source.encode()))
    run_batch(decider, items, out, header=header, today=date(2026, 11, 27))
    records = lines(out.getvalue())
    assert [r["id"] for r in records] == ["x1", "x2", "x3", None]
    assert records[0]["route"] == "puk_unblock_in_app"
    assert records[1]["error"]["field"] == "expiry_date"
    assert records[1]["error"]["line"] == 3
    assert records[2]["status"] == "incomplete"
    assert "has_other_eid" in records[2]["questions"]
    assert records[3]["error"]["line"] == 5
    assert "cells" in records[3]["error"]["message"]


def test_shared_decisions_keep_their_own_ids(decider: Decider) -> None:
    from datetime import date

    source = "\n".join(json.dumps(dict(HEALTHY, id=f"case-{i}")) for i in range(5))
    out = io.StringIO()
    run_batch(decider, jsonl_items(io.BytesIO(source.encode())), out, today=date(2026, 11, 27))
    assert [r["id"] for r in lines(out.getvalue())] == [f"case-{i}" for i in range(5)]


def test_cli_batch_exit_codes(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(
        json.dumps(dict(HEALTHY, id="1")) + "\n" + json.dumps({"id": "2", "card_lost": True}) + "\n"
    )
    result = runner.invoke(app, ["triage", "batch", str(good)])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in lines(result.stdout)] == ["1", "2"]
    assert "2 records" in result.stderr

    bad = tmp_path / "bad.csv"
    bad.write_text("id,pin1_tries_left\n1,0\n2,x\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["triage", "batch", str(bad), "--output", str(out)])
    assert result.exit_code == 2
    records = lines(out.read_text())
    assert [r["status"] for r in records] == ["incomplete", "error"]

    result = runner.invoke(app, ["triage", "batch", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_cli_batch_from_stdin() -> None:
    result = runner.invoke(
        app,
        ["triage", "batch", "-"],
        input=json.dumps({"id": "s", "card_lost": True, "expiry_date": "2099-12-31"}) + "\n",
    )
    assert result.exit_code == 0
    assert lines(result.stdout)[0]["route"] == "certificate_suspension"


def test_cli_case_json_is_one_document() -> None:
    result = runner.invoke(
        app,
        [
            "triage",
            "case",
            "--facts",
            json.dumps(dict(HEALTHY, id="k", pin2_tries_left=0)),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["id"] == "k"
    assert document["route"] == "puk_unblock_in_app"
    assert set(document) >= {
        "status",
        "urgency",
        "also",
        "advisories",
        "questions",
        "candidates",
        "fired",
        "because",
        "rules_version",
    }


def test_cli_case_flags_accept_human_values() -> None:
    result = runner.invoke(
        app,
        [
            "--json",
            "triage",
            "case",
            "--card-generation",
            "thales",
            "--card_lost",
            "yes",
            "--expiry-date",
            "2099-12-31",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["route"] == "certificate_revocation"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--pin1-tries-left", "7"], "pin1_tries_left"),
        (["--issue-date", "31.02.2025"], "issue_date"),
        (["--facts", '{"pin1_tries_lef": 1}'], "pin1_tries_lef"),
        (["--facts", "{oops"], "--facts"),
    ],
)
def test_cli_case_invalid_input_exits_2_naming_the_field(args: list[str], field: str) -> None:
    result = runner.invoke(app, ["triage", "case", *args, "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["field"] == field
    result = runner.invoke(app, ["triage", "case", *args])
    assert result.exit_code == 2
    assert field in result.stderr


def test_cli_case_rejects_facts_and_flags_together() -> None:
    result = runner.invoke(app, ["triage", "case", "--facts", "{}", "--card-lost", "yes"])
    assert result.exit_code == 2


def test_cli_case_human_output_and_explain() -> None:
    result = runner.invoke(
        app, ["triage", "case", "--card-lost", "yes", "--expiry-date", "2099-12-31", "--explain"]
    )
    assert result.exit_code == 0, result.output
    assert "R120_lost" in result.stdout
    assert "S10" in result.stdout


def test_unknown_language_is_a_usage_error() -> None:
    result = runner.invoke(app, ["triage", "case", "--card-lost", "yes", "--lang", "fi"])
    assert result.exit_code == 2


def test_chunked_batch_keeps_order_and_loses_nothing(decider: Decider) -> None:
    from datetime import date

    import advisor.triage.batch as triage

    rows = []
    for i in range(5000):
        case = dict(HEALTHY, id=f"n{i}", pin1_tries_left=i % 4)
        if i % 997 == 0:
            case["pin2_tries_left"] = "three"  # a bad record every now and then
        rows.append(json.dumps(case))
    out = io.StringIO()
    original = triage.CHUNK
    triage.CHUNK = 300  # many chunks in flight
    try:
        summary = run_batch(
            decider,
            jsonl_items(io.BytesIO("\n".join(rows).encode())),
            out,
            today=date(2026, 11, 27),
        )
    finally:
        triage.CHUNK = original
    records = lines(out.getvalue())
    assert [r["id"] for r in records] == [f"n{i}" for i in range(5000)]
    bad = [i for i, r in enumerate(records) if r["status"] == "error"]
    assert bad == [i for i in range(5000) if i % 997 == 0]
    assert all(records[i]["error"]["line"] == i + 1 for i in bad)
    assert summary.total == 5000
    assert summary.errors == len(bad)
