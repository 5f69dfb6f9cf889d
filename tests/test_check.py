from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from advisor.cli import app
from advisor.engine.rulebook import RuleBook, load_rulebook
from advisor.ruletools.check import check


def test_shipped_rules_are_sound(book: RuleBook) -> None:
    report = check(book, samples=300, workers=1)
    assert report.problems == []
    assert report.sound
    assert report.combinations == {
        "advisories_card": 384,
        "advisories_codes": 1024,
        "advisories_safety": 162,
        "advisories_status": 4096,
        "routes": 65536,
    }
    assert len(report.routes_reached) == 11


def _check(directory: Path) -> list[str]:
    return check(load_rulebook(directory), samples=50).problems


def test_conflict_in_a_tier_is_found(rules_copy: Callable[..., Path]) -> None:
    def edit(data: dict[str, Any]) -> None:
        # a rule in the safety tier that also fires for lost Thales cards, with another route
        data["rules"]["R111_lost_any"] = dict(
            data["rules"]["R120_lost"], pri=111, all=[{"m": {"card_lost": True}}]
        )

    problems = _check(rules_copy(edit))
    assert any("conflict in tier 1" in p for p in problems)


def test_unreachable_rule_is_found(rules_copy: Callable[..., Path]) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["rules"]["R140_never"] = dict(
            data["rules"]["R130_codes_compromised"],
            pri=140,
            all=[{"m": {"$and": [{"card_lost": True}, {"card_lost": False}]}}],
        )

    problems = _check(rules_copy(edit))
    assert any("R140_never never fires" in p for p in problems)


def test_gap_without_route_is_found(rules_copy: Callable[..., Path]) -> None:
    problems = _check(rules_copy(lambda d: d["rules"].pop("R710_nothing_wrong")))
    assert any(p.startswith("no route for") for p in problems)
    assert any("route no_action is never the primary route" in p for p in problems)


@pytest.mark.slow
def test_cli_rules_check(monkeypatch: pytest.MonkeyPatch, rules_copy: Callable[..., Path]) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["rules", "check", "--json", "--samples", "100"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["sound"] is True
    assert report["combinations_total"] == 384 + 1024 + 162 + 4096 + 65536

    monkeypatch.setenv(
        "ADVISOR_RULES_DIR", str(rules_copy(lambda d: d["rules"].pop("R710_nothing_wrong")))
    )
    result = runner.invoke(app, ["rules", "check", "--samples", "50"])
    assert result.exit_code == 1
    assert "NOT sound" in result.stderr


def test_rules_reference_is_current(book: RuleBook) -> None:
    from advisor.paths import PROJECT_ROOT
    from advisor.ruletools.reference import rules_reference

    committed = (PROJECT_ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_reference(book), "docs/rules.md is stale: run `advisor rules docs`"
