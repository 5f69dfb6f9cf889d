from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.engine.decider import Decider
from advisor.engine.decision import compose
from advisor.engine.rulebook import RuleBook
from advisor.engine.schema import SITUATION_FIELDS
from advisor.engine.table import DecisionTable
from advisor.facts.case import parse_facts
from advisor.model import Advisory, Route, Status, Urgency
from advisor.ruletools.check import raw_situations
from advisor.ruletools.golden import golden_lines
from tests.fact_matrix import HEALTHY

GOLDEN = Path(__file__).parent / "golden"


def decide(decider: Decider, engine: bool = True, **changes: Any) -> Any:
    data = {k: v for k, v in dict(HEALTHY, **changes).items() if v is not None}
    return decider.decide(parse_facts(data), engine=engine)


# One case per route of contract §3 (and the precedence it rests on).
ROUTE_CASES: list[tuple[dict[str, Any], Route]] = [
    ({"card_lost": True}, Route.CERTIFICATE_SUSPENSION),
    (
        {"card_lost": True, "card_generation": "thales", "issue_date": "2025-12-01"},
        Route.CERTIFICATE_REVOCATION,
    ),
    ({"codes_compromised": True}, Route.CODES_COMPROMISED),
    ({"expiry_date": "2026-11-26"}, Route.CARD_REPLACEMENT),
    ({"card_generation": "legacy", "issue_date": "2018-01-10"}, Route.CARD_REPLACEMENT),
    ({"certificates_suspended": True}, Route.CERTIFICATE_REACTIVATION),
    (
        {"card_generation": "thales", "issue_date": "2026-01-05", "card_activated": False},
        Route.CARD_ACTIVATION_SELF_SERVICE,
    ),
    (
        {"card_generation": "thales", "issue_date": "2026-01-05", "pin2_activated": False},
        Route.PIN2_ACTIVATION,
    ),
    ({"pin1_tries_left": 0}, Route.PUK_UNBLOCK_IN_APP),
    ({"pin2_known": False}, Route.PUK_UNBLOCK_IN_APP),
    (
        {
            "card_generation": "thales",
            "issue_date": "2026-01-05",
            "pin1_tries_left": 0,
            "puk_known": False,
        },
        Route.PUK_VIEW_SELF_SERVICE,
    ),
    (
        {
            "card_generation": "thales",
            "issue_date": "2026-01-05",
            "pin1_tries_left": 0,
            "puk_known": False,
            "has_other_eid": False,
        },
        Route.CARD_REPLACEMENT,
    ),
    (
        {
            "card_generation": "thales",
            "issue_date": "2026-01-05",
            "pin1_tries_left": 0,
            "puk_tries_left": 0,
        },
        Route.CARD_REPLACEMENT,
    ),
    ({"pin1_tries_left": 0, "puk_known": False}, Route.CODES_REISSUE_IN_PERSON),
    ({"pin2_tries_left": 0, "puk_tries_left": 0}, Route.CODES_REISSUE_IN_PERSON),
    ({"puk_tries_left": 0}, Route.CODES_REISSUE_IN_PERSON),  # housekeeping
    ({}, Route.NO_ACTION),
]


@pytest.mark.parametrize(("changes", "route"), ROUTE_CASES)
@pytest.mark.parametrize("engine", [True, False], ids=["engine", "table"])
def test_every_route_is_reached(
    decider: Decider, changes: dict[str, Any], route: Route, engine: bool
) -> None:
    decision = decide(decider, engine=engine, **changes)
    assert decision.status is Status.DECIDED
    assert decision.route is route


def test_every_contract_route_has_a_case() -> None:
    assert {route for _, route in ROUTE_CASES} == set(Route)


@pytest.mark.parametrize(
    ("changes", "route", "also"),
    [
        # a lost card whose certificates have expired needs no suspension (contract §3):
        # it is replaced, and the loss is reported (advisory report_loss)
        ({"card_lost": True, "expiry_date": "2020-01-01"}, Route.CARD_REPLACEMENT, []),
        (
            {
                "card_stolen": True,
                "card_generation": "thales",
                "issue_date": "2025-12-01",
                "expiry_date": "2026-11-26",
            },
            Route.CARD_REPLACEMENT,
            [],
        ),
        # a lost card that is still valid is suspended first, then replaced
        ({"card_lost": True}, Route.CERTIFICATE_SUSPENSION, [Route.CARD_REPLACEMENT]),
        # a stolen card with leaked codes: the card is gone, suspension comes first
        (
            {"card_stolen": True, "codes_compromised": True},
            Route.CERTIFICATE_SUSPENSION,
            [Route.CARD_REPLACEMENT],
        ),
        # validity before restoring codes
        ({"expiry_date": "2026-01-01", "pin1_tries_left": 0}, Route.CARD_REPLACEMENT, []),
        # restoring codes before PIN2 activation, which follows
        (
            {
                "card_generation": "thales",
                "issue_date": "2026-01-05",
                "pin2_activated": False,
                "pin1_tries_left": 0,
            },
            Route.PUK_UNBLOCK_IN_APP,
            [Route.PIN2_ACTIVATION],
        ),
        # card activation before PIN2 activation
        (
            {
                "card_generation": "thales",
                "issue_date": "2026-01-05",
                "pin2_activated": False,
                "card_activated": False,
            },
            Route.CARD_ACTIVATION_SELF_SERVICE,
            [Route.PIN2_ACTIVATION],
        ),
        # a never-changed, blocked Thales PIN2 is activated with the PUK
        (
            {
                "card_generation": "thales",
                "issue_date": "2026-01-05",
                "pin2_activated": False,
                "pin2_tries_left": 0,
            },
            Route.PIN2_ACTIVATION,
            [],
        ),
        # compromised codes, then the blocked PIN
        (
            {"codes_compromised": True, "pin1_tries_left": 0},
            Route.CODES_COMPROMISED,
            [Route.PUK_UNBLOCK_IN_APP],
        ),
    ],
)
def test_precedence(
    decider: Decider, changes: dict[str, Any], route: Route, also: list[Route]
) -> None:
    decision = decide(decider, **changes)
    assert (decision.route, list(decision.also)) == (route, also)


def test_urgency_and_explanation(decider: Decider, book: RuleBook) -> None:
    decision = decide(decider, card_lost=True)
    assert decision.urgency == "now"
    assert decision.fired[0] == "R120_lost"
    assert decision.because[0] == book.ruleset("routes").rule("R120_lost").because
    assert decision.rules_version == book.version
    assert decide(decider, puk_tries_left=0).urgency == "when_convenient"


@pytest.mark.parametrize(
    ("changes", "advisory"),
    [
        ({"pin1_tries_left": 1}, Advisory.LAST_ATTEMPT),
        ({"puk_tries_left": 1}, Advisory.LAST_ATTEMPT),
        ({"card_stolen": True}, Advisory.REPORT_THEFT),
        ({"card_lost": True}, Advisory.REPORT_LOSS),
        ({"card_activated": False}, Advisory.CERTIFICATES_ACTIVATE_HOURLY),
        ({"codes_compromised": True}, Advisory.PIN2_SCAM_WARNING),
        ({"codes_compromised": True}, Advisory.ENTER_PIN_ONLY_WHEN_YOU_STARTED),
        ({"codes_compromised": True}, Advisory.BROWSER_PIN1_CACHE),
        ({"issue_date": "2025-12-01"}, Advisory.GENERATION_DATE_CONFLICT),
        ({"puk_tries_left": 0}, Advisory.PUK_BLOCKED_CARD_STILL_WORKS),
        (
            {"card_generation": "thales", "issue_date": "2026-01-05", "puk_known": False},
            Advisory.THALES_PUK_CANNOT_CHANGE,
        ),
        ({"expiry_date": "2027-03-11"}, Advisory.EXPIRING_SOON),  # 104 days
        ({"expiry_date": "2027-03-11"}, Advisory.DECRYPT_BEFORE_REPLACEMENT),
        ({"pin1_tries_left": 0}, Advisory.PINS_DIFFER),
        ({"puk_known": False}, Advisory.STORE_CODES_SAFELY),
        ({"pin2_tries_left": 0}, Advisory.PIN_ROLES),
        ({}, Advisory.NEVER_SHARE_CODES),
    ],
)
def test_every_advisory_is_reached(
    decider: Decider, changes: dict[str, Any], advisory: Advisory
) -> None:
    assert advisory in decide(decider, **changes).advisories


def test_every_advisory_has_a_case() -> None:
    reached = {a for _, a in test_every_advisory_is_reached.pytestmark[0].args[1]}  # type: ignore[attr-defined]
    assert reached == set(Advisory)


# ------------------------------------------------------------------- issue 10


def test_thales_pin2_never_changed_and_forgotten_is_set_with_the_puk(decider: Decider) -> None:
    """Not blocked, never changed, forgotten, PUK known: PIN2 activation, whose text and card
    operation follow the PUK path (DigiDoc4 "Change with PUK code", ActivateWithPuk)."""
    thales = {"card_generation": "thales", "issue_date": "2026-01-05", "pin2_activated": False}
    decision = decide(decider, **thales, pin2_known=False)
    assert (decision.route, list(decision.also)) == (Route.PIN2_ACTIVATION, [])
    assert decision.fired[0] == "R510_pin2_activation"


def test_thales_pin2_still_to_set_after_viewing_the_puk(decider: Decider) -> None:
    """PUK not at hand, PIN2 forgotten (or blocked) and never changed: view the PUK, then
    also set PIN2 with it (R520)."""
    thales = {"card_generation": "thales", "issue_date": "2026-01-05", "pin2_activated": False}
    for code in ({"pin2_known": False}, {"pin2_tries_left": 0}):
        decision = decide(decider, **thales, **code, puk_known=False)
        assert (decision.route, list(decision.also)) == (
            Route.PUK_VIEW_SELF_SERVICE,
            [Route.PIN2_ACTIVATION],
        )
        assert "R520_pin2_activation_after_viewing_puk" in decision.fired
    # a PIN2 that was changed before needs no activation afterwards
    changed = decide(decider, card_generation="thales", issue_date="2026-01-05", pin2_known=False)
    assert changed.route is Route.PUK_UNBLOCK_IN_APP
    unknown_puk = decide(
        decider,
        card_generation="thales",
        issue_date="2026-01-05",
        pin2_known=False,
        puk_known=False,
    )
    assert list(unknown_puk.also) == []


def test_thales_pin1_works_puk_lost_no_other_eid_is_still_a_replacement(decider: Decider) -> None:
    """Whether the card's own PIN1 can view its PUK is not settled by any source: the route
    stays a replacement (contract §3), and its text offers that one attempt first."""
    decision = decide(
        decider,
        card_generation="thales",
        issue_date="2026-01-05",
        pin2_known=False,
        puk_known=False,
        has_other_eid=False,
    )
    assert decision.route is Route.CARD_REPLACEMENT
    assert decision.fired[0] == "R450_thales_puk_lost_no_eid"


@pytest.mark.parametrize(
    "changes",
    [
        {"pin1_known": False},
        {"pin2_known": False},
        {"pin1_tries_left": 0},
        {"expiry_date": "2026-11-26"},
        {"certificates_suspended": True},
        {"card_generation": "thales", "issue_date": "2026-01-05", "card_activated": False},
    ],
)
def test_puk_blocked_card_still_works_only_when_the_facts_allow(
    decider: Decider, changes: dict[str, Any]
) -> None:
    """A840 says everything but the PUK still works: never when a fact denies it."""
    assert Advisory.PUK_BLOCKED_CARD_STILL_WORKS in decide(decider, puk_tries_left=0).advisories
    decision = decide(decider, puk_tries_left=0, **changes)
    assert Advisory.PUK_BLOCKED_CARD_STILL_WORKS not in decision.advisories


def test_not_activated_card_gets_the_hourly_certificates_note(decider: Decider) -> None:
    """A card just collected may only be waiting for its certificates (activated each full
    hour); distinct from the Thales self-service activation, which is still the route."""
    thales = decide(
        decider, card_generation="thales", issue_date="2026-01-05", card_activated=False
    )
    assert thales.route is Route.CARD_ACTIVATION_SELF_SERVICE
    assert Advisory.CERTIFICATES_ACTIVATE_HOURLY in thales.advisories
    idemia = decide(decider, card_activated=False)
    assert idemia.route is Route.NO_ACTION
    assert Advisory.CERTIFICATES_ACTIVATE_HOURLY in idemia.advisories
    assert Advisory.CERTIFICATES_ACTIVATE_HOURLY not in decide(decider).advisories


def test_expiry_boundaries(decider: Decider) -> None:
    today = date(2026, 11, 27)
    on = {"today": today.isoformat()}
    assert decide(decider, **on, expiry_date=today.isoformat()).route is Route.NO_ACTION
    assert (
        decide(decider, **on, expiry_date=(today - timedelta(days=1)).isoformat()).route
        is Route.CARD_REPLACEMENT
    )
    soon = decide(decider, **on, expiry_date=(today + timedelta(days=104)).isoformat())
    later = decide(decider, **on, expiry_date=(today + timedelta(days=105)).isoformat())
    assert Advisory.EXPIRING_SOON in soon.advisories
    assert Advisory.EXPIRING_SOON not in later.advisories


@pytest.mark.parametrize(
    ("issue_date", "route"),
    [
        ("2018-11-30", Route.CARD_REPLACEMENT),  # legacy
        ("2018-12-03", Route.CODES_REISSUE_IN_PERSON),  # IDEMIA: new envelope in person
        ("2025-11-14", Route.CODES_REISSUE_IN_PERSON),
        ("2025-11-17", Route.PUK_VIEW_SELF_SERVICE),  # Thales: view the PUK
    ],
)
def test_issue_date_boundaries_when_the_chip_is_unknown(
    decider: Decider, issue_date: str, route: Route
) -> None:
    decision = decide(
        decider, card_generation=None, issue_date=issue_date, pin1_tries_left=0, puk_known=False
    )
    assert (decision.status, decision.route) == (Status.DECIDED, route)


@pytest.mark.parametrize("issue_date", ["2025-11-15", "2025-11-16"])
def test_switch_over_weekend_asks_for_the_chip(decider: Decider, issue_date: str) -> None:
    decision = decide(
        decider, card_generation=None, issue_date=issue_date, pin1_tries_left=0, puk_known=False
    )
    assert decision.status is Status.INCOMPLETE
    assert decision.route is None
    assert set(decision.candidates) == {Route.CODES_REISSUE_IN_PERSON, Route.PUK_VIEW_SELF_SERVICE}
    assert decision.questions[0] == "card_generation"


def test_lost_card_with_unknown_chip_is_suspended_without_questions(decider: Decider) -> None:
    facts = {"card_lost": True, "today": "2026-11-27", "expiry_date": "2028-05-01"}
    decision = decider.decide(parse_facts(facts))
    assert (decision.status, decision.route, decision.questions) == (
        Status.DECIDED,
        Route.CERTIFICATE_SUSPENSION,
        (),
    )
    assert Advisory.REPORT_LOSS in decision.advisories


def test_lost_card_with_unknown_expiry_is_suspended_at_once(decider: Decider) -> None:
    """Contract §3: no suspension once the certificates have expired. When nobody knows
    the expiry, the card is treated as valid: its certificates are stopped now, without a
    question first (stopping expired ones costs a phone call; not stopping valid ones can
    cost a signature in someone else's hands), and a new document follows."""
    decision = decider.decide(parse_facts({"card_lost": True, "today": "2026-11-27"}))
    assert (decision.status, decision.route) == (Status.DECIDED, Route.CERTIFICATE_SUSPENSION)
    assert decision.urgency is Urgency.NOW
    assert Route.CARD_REPLACEMENT in decision.also
    assert Advisory.REPORT_LOSS in decision.advisories
    thales = decider.decide(
        parse_facts({"card_lost": True, "card_generation": "thales", "today": "2026-11-27"})
    )
    assert (thales.status, thales.route) == (Status.DECIDED, Route.CERTIFICATE_REVOCATION)
    expired = decider.decide(
        parse_facts({"card_lost": True, "expiry_date": "2026-01-01", "today": "2026-11-27"})
    )
    assert expired.route is Route.CARD_REPLACEMENT


def test_unknown_facts_that_do_not_matter_still_decide(decider: Decider) -> None:
    # PIN1 is blocked and the PUK is usable: whether PIN2 is remembered changes nothing.
    decision = decide(decider, pin2_known=None, has_other_eid=None, pin1_tries_left=0)
    assert (decision.status, decision.route) == (Status.DECIDED, Route.PUK_UNBLOCK_IN_APP)


def test_incomplete_lists_candidates_and_splitting_questions(decider: Decider) -> None:
    decision = decide(decider, puk_known=None, pin1_tries_left=0, expiry_date=None)
    assert decision.status is Status.INCOMPLETE
    assert decision.route is None
    assert set(decision.candidates) == {
        Route.CARD_REPLACEMENT,
        Route.PUK_UNBLOCK_IN_APP,
        Route.CODES_REISSUE_IN_PERSON,
    }
    assert set(decision.questions) == {"puk_known", "expiry_date"}
    assert "pin2_known" not in decision.questions
    # answering every question decides the case
    assert decide(decider, puk_known=True, pin1_tries_left=0).status is Status.DECIDED


def test_questions_most_informative_first(decider: Decider) -> None:
    # With nothing known, which chip it is splits the routes more than any single code.
    decision = decider.decide(parse_facts({}))
    assert decision.status is Status.INCOMPLETE
    assert decision.questions[0] == "card_generation"
    assert set(decision.candidates) >= {
        Route.NO_ACTION,
        Route.PUK_UNBLOCK_IN_APP,
        Route.CARD_REPLACEMENT,
    }


def test_golden_table(book: RuleBook, table: DecisionTable) -> None:
    assert {p.stem for p in GOLDEN.glob("*.tsv")} == set(table.tables)
    for name in table.tables:
        expected = (GOLDEN / f"{name}.tsv").read_text(encoding="utf-8").splitlines()
        actual = golden_lines(table, name, book)
        changed = [f"- {e}\n+ {a}" for e, a in zip(expected, actual, strict=False) if e != a]
        assert len(expected) == len(actual)
        assert not changed, (
            f"{name}: {len(changed)} decisions changed, e.g.\n"
            + "\n".join(changed[:5])
            + "\nIf intended: advisor rules table tests/golden, and review the diff."
        )


def test_every_rule_threshold_is_a_bucket_boundary(book: RuleBook, table: DecisionTable) -> None:
    for ruleset in book.rulesets:
        axes = {a.field: a for a in table.tables[ruleset.name].space.axes}
        for rule in ruleset.rules:
            for threshold in rule.thresholds:
                assert threshold.boundary in (axes[threshold.field].starts or ()), (
                    rule.name,
                    threshold,
                )


def test_new_threshold_makes_a_new_bucket(rules_copy: Any) -> None:
    from advisor.engine.rulebook import load_rulebook
    from advisor.engine.space import space_of

    def edit(data: dict[str, Any]) -> None:
        data["rules"]["A850_expiring_soon"]["all"][0]["m"]["$and"][2] = {
            "$lt": {"expiry_days_left": 30}
        }

    book = load_rulebook(rules_copy(edit, "advisories_card.json"))
    axis = next(
        a for a in space_of(book.ruleset("advisories_card")).axes if a.field == "expiry_days_left"
    )
    assert 30 in (axis.starts or ())


def _situations() -> st.SearchStrategy[dict[str, Any]]:
    parts: dict[str, st.SearchStrategy[Any]] = {}
    for name, domain in SITUATION_FIELDS.items():
        if domain.values is not None:
            parts[name] = st.sampled_from(domain.values)
        else:
            parts[name] = st.integers(
                domain.low if domain.low is not None else -2000, domain.high or 5000
            )
    return st.fixed_dictionaries(parts).filter(
        lambda v: not (v["card_stolen"] and not v["card_lost"])
    )


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(view=_situations())
def test_table_equals_engine_on_random_cases(
    book: RuleBook, table: DecisionTable, view: dict[str, Any]
) -> None:
    live = book.fire(view)
    for name, trace in live.items():
        t = table.tables[name]
        key = tuple(b for b in t.space.key(view) if b is not None)
        assert t.traces[t.trace_id(key)] == trace


def test_table_equals_engine_at_every_boundary(book: RuleBook, table: DecisionTable) -> None:
    for view in raw_situations(book, table, 1500, seed=7):
        for name, trace in book.fire(view).items():
            t = table.tables[name]
            assert (
                t.traces[t.trace_id(tuple(b for b in t.space.key(view) if b is not None))] == trace
            )


def test_engine_and_table_agree_on_decisions(decider: Decider) -> None:
    for changes, _ in ROUTE_CASES:
        assert decide(decider, True, **changes) == decide(decider, False, **changes)


def test_four_threads_agree_with_the_table(book: RuleBook, table: DecisionTable) -> None:
    views = raw_situations(book, table, 400, seed=11)
    expected = [
        {
            n: table.tables[n].traces[
                table.tables[n].trace_id(
                    tuple(b for b in table.tables[n].space.key(v) if b is not None)
                )
            ]
            for n in table.tables
        }
        for v in views
    ]
    failures: list[str] = []

    def worker(offset: int) -> None:
        for i in range(offset, len(views), 4):
            try:
                if book.fire(views[i]) != expected[i]:
                    failures.append(f"case {i} differs")
            except Exception as exc:  # pragma: no cover - reported below
                failures.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_compose_ignores_catch_all(book: RuleBook) -> None:
    outcome = compose(book, {"routes": ("R999_unrouted",)})
    assert outcome.route is None
    assert outcome.fired == ()


def _partial_cases() -> st.SearchStrategy[dict[str, Any]]:
    from advisor.facts.case import FIELD_NAMES

    values: dict[str, st.SearchStrategy[Any]] = {
        "card_generation": st.sampled_from(["idemia", "thales", "legacy"]),
        "issue_date": st.dates(date(2017, 1, 1), date(2027, 1, 1)).map(date.isoformat),
        "expiry_date": st.dates(date(2025, 1, 1), date(2032, 1, 1)).map(date.isoformat),
        "document_type": st.sampled_from(["e_resident", "id_card"]),
        "location": st.sampled_from(["estonia", "abroad"]),
    }
    parts = {}
    for name in FIELD_NAMES:
        if name in ("id", "today"):
            continue
        if name in values:
            parts[name] = values[name]
        elif name.endswith("_tries_left"):
            parts[name] = st.integers(0, 3)
        else:
            parts[name] = st.booleans()
    return st.fixed_dictionaries({}, optional=parts).map(lambda d: dict(d, today="2026-11-27"))


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=_partial_cases())
def test_batch_json_is_the_decision_json(decider: Decider, case: dict[str, Any]) -> None:
    import json

    if case.get("card_stolen") and case.get("card_lost") is False:
        case["card_lost"] = True
    facts = parse_facts(case)
    expected = decider.decide(facts, engine=False).to_json()
    del expected["id"]
    assert json.loads("{" + decider.batch_json(facts)) == expected
    assert "{" + decider.batch_json(facts) == json.dumps(expected, ensure_ascii=False)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cases=st.lists(_partial_cases(), min_size=2, max_size=12))
def test_shared_parts_answer_as_a_fresh_decider_would(
    decider: Decider, book: RuleBook, table: DecisionTable, cases: list[dict[str, Any]]
) -> None:
    # The decider shares a ruleset's part between keys whose completions reach the same
    # traces (decided) or the same trace at each completion (incomplete). A decider with
    # empty memos must give the same answer, questions and candidates included.
    for case in cases:
        if case.get("card_stolen") and case.get("card_lost") is False:
            case["card_lost"] = True
        facts = parse_facts(case)
        fresh = Decider(book, table)
        assert decider.decide(facts, engine=False) == fresh.decide(facts, engine=False)
