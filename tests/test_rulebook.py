from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from advisor.engine.rulebook import RuleBook, load_rulebook, rules_hash
from advisor.errors import RuleActionError, RulesLoadError
from tests.fact_matrix import HEALTHY

Edit = Callable[[dict[str, Any]], None]


def load_error(
    rules_copy: Callable[..., Path], edit: Edit, file: str = "routes.json"
) -> RulesLoadError:
    with pytest.raises(RulesLoadError) as caught:
        load_rulebook(rules_copy(edit, file))
    return caught.value


def rule(data: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = data["rules"][name]
    return found


@pytest.mark.parametrize(
    ("edit", "rule_name", "words"),
    [
        (lambda d: rule(d, "R120_lost").update(salience=3), "R120_lost", "unknown keys"),
        (lambda d: rule(d, "R120_lost").update(pri=-1), "R120_lost", "pri must be an integer"),
        (lambda d: rule(d, "R120_lost").update(pri=70000), "R120_lost", "pri must be an integer"),
        (
            lambda d: rule(d, "R120_lost").update(pri=110),
            "R120_lost",
            "also used by R110_lost_thales",
        ),
        (lambda d: rule(d, "R120_lost").update(pri=250), "R120_lost", "out of range for tier 1"),
        (
            lambda d: rule(d, "R120_lost").update(route="call_police"),
            "R120_lost",
            "unknown route id",
        ),
        (lambda d: rule(d, "R120_lost").update(urgency="asap"), "R120_lost", "urgency"),
        (lambda d: rule(d, "R120_lost").update(tier=9), "R120_lost", "tier"),
        (lambda d: rule(d, "R120_lost").update(source=["S99"]), "R120_lost", "unknown source"),
        (lambda d: rule(d, "R120_lost").pop("because"), "R120_lost", "because"),
        (
            lambda d: rule(d, "R120_lost").update(all=[{"m": {"card_lst": True}}]),
            "R120_lost",
            "unknown fact field 'card_lst'",
        ),
        (
            lambda d: rule(d, "R120_lost").update(all=[{"m": {"card_lost": "yes"}}]),
            "R120_lost",
            "is not a value of card_lost",
        ),
        (
            lambda d: rule(d, "R120_lost").update(all=[{"m": {"$lt": {"pin1_tries_left": 7}}}]),
            "R120_lost",
            "lies outside pin1_tries_left's range",
        ),
        (
            lambda d: rule(d, "R120_lost").update(
                all=[{"m": {"$lt": {"card_generation": "thales"}}}]
            ),
            "R120_lost",
            "cannot be ordered",
        ),
        (
            lambda d: rule(d, "R120_lost").update(all=[{"m": {"$mt": {"card_generation": "t.*"}}}]),
            "R120_lost",
            "operator $mt is not supported",
        ),
        (
            lambda d: rule(d, "R120_lost").update(all=[{"a": {"card_lost": True}}]),
            "R120_lost",
            "one fact per case",
        ),
        (lambda d: d["rules"].pop("R999_unrouted"), None, "exactly one catch-all"),
        (lambda d: d.update(ruleset="x"), None, "unknown top-level keys"),
    ],
)
def test_loader_rejects_with_file_and_rule(
    rules_copy: Callable[..., Path], edit: Edit, rule_name: str | None, words: str
) -> None:
    error = load_error(rules_copy, edit)
    assert error.file == "routes.json"
    assert error.rule == rule_name
    assert words in str(error)


def test_advisory_rules_are_checked_too(rules_copy: Callable[..., Path]) -> None:
    error = load_error(
        rules_copy,
        lambda d: rule(d, "A810_last_attempt").update(advisory="be_careful"),
        "advisories_safety.json",
    )
    assert error.file == "advisories_safety.json"
    assert "unknown advisory id" in str(error)


def test_invalid_json_names_the_line(rules_copy: Callable[..., Path]) -> None:
    directory = rules_copy()
    path = directory / "routes.json"
    path.write_text(path.read_text().replace('"pri": 120', '"pri": 120,,', 1))
    with pytest.raises(RulesLoadError, match=r"routes\.json: invalid JSON at line \d+"):
        load_rulebook(directory)


def test_rules_hash_follows_the_files(rules_copy: Callable[..., Path]) -> None:
    directory = rules_copy()
    before = rules_hash(directory)
    rules_copy(lambda d: rule(d, "R120_lost").update(because="changed"))
    assert rules_hash(directory) != before


def test_action_exception_is_raised_not_hidden(book: RuleBook) -> None:
    from advisor.facts.case import parse_facts, situation

    broken = RuleBook(book.directory, book.rulesets, book.version)

    def explode(_closure: object) -> None:
        raise ValueError("boom")

    broken._recorder = lambda name: explode  # type: ignore[method-assign]
    with pytest.raises(RuleActionError, match="boom"):
        broken.fire(situation(parse_facts(HEALTHY)))


def test_no_session_or_thread_left_after_10k_decisions(book: RuleBook) -> None:
    import durable_rules_engine  # type: ignore[import-not-found]
    import psutil

    from advisor.facts.case import parse_facts, situation

    views = [
        situation(parse_facts(dict(HEALTHY, pin1_tries_left=i % 4, card_lost=i % 5 == 0)))
        for i in range(20)
    ]
    fresh = RuleBook(book.directory, book.rulesets, book.version)
    fresh.fire(views[0])  # build the host before counting threads
    threads = threading.active_count()
    process = psutil.Process()
    rss = process.memory_info().rss
    for i in range(10_000):
        fresh.fire(views[i % len(views)])
    assert threading.active_count() == threads
    assert process.memory_info().rss - rss < 5 * 2**20
    host = fresh._host
    last = f"c{next(fresh._sids) - 1}"
    for engine in {ruleset.engine for ruleset in fresh.rulesets}:
        with pytest.raises(durable_rules_engine.error, match="309"):
            host.get_state(engine, last)
