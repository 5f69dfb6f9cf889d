"""The exported interview tree, every path of it, against the decider.

The tree (`advisor guide --export-tree`) shares a node among all the paths that reach it
with the same facts as the rules see them (each rule file's buckets) and the same
questions asked. The walk below follows every answer of every node and checks each node
once per such class of facts, which it computes itself from the answers of the path: a
node reached with two classes fails the test. Since the next question and the decision
depend on nothing else (the decider answers by bucket), checking every node of a class
once checks every path through it; the number of paths is counted all the same.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest

from advisor.engine import Decider
from advisor.facts import SAFETY_FIELDS, UNKNOWN_GENERATION, parse_facts, possible_generations
from advisor.facts import situation as facts_situation
from advisor.interview import Interview, export_tree
from advisor.interview.questions import STOLEN
from advisor.interview.treecache import whole_tree

TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def tree(decider: Decider) -> dict[str, Any]:
    # The tree of the help site's cache: the same on any day
    # (tests/test_questionnaire_tree.py), so TODAY below reads it as well as any day.
    return whole_tree(decider).data


def decision_of(tree: dict[str, Any], ref: int) -> dict[str, Any]:
    """A leaf's decision as contract §2 gives it (the tree leaves out id and because)."""
    stored = tree["decisions"][-ref - 1]
    return {
        "id": None,
        **stored,
        "because": [tree["reasons"][name] for name in stored["fired"]],
    }


def values_of(tree: dict[str, Any], field: str, answer: str) -> list[tuple[str, Any]]:
    """The facts (name, value) an answer may state: both ends of a span of dates."""
    described = tree["questions"][field]["answers"][answer]
    if described is None:
        return [(field, None)]
    if isinstance(described, dict) and "issue_date" in described:
        span = described["issue_date"]
        ends = [span["from"], span["through"]]
        return [("issue_date", end) for end in ends if end is not None]
    if isinstance(described, dict):
        span = described["days_left"]
        ends = [span["from"], span["through"]]
        return [(field, (TODAY + timedelta(end)).isoformat()) for end in ends if end is not None]
    return [(field, described)]


def state(decider: Decider, data: dict[str, Any], asked: frozenset[str]) -> tuple[Any, ...]:
    """The class of a path's facts: the buckets of every rule file, the safety facts not
    asked yet left open, the chips an unknown chip may be, and what was asked."""
    facts = parse_facts(data, default_today=TODAY)
    view = facts_situation(facts)
    for name in SAFETY_FIELDS:
        if name not in asked:
            view.pop(name)
    tables = decider.table.tables
    chips = possible_generations(facts) if view["card_generation"] == UNKNOWN_GENERATION else ()
    return (tuple(t.space.key(view) for t in tables.values()), chips, asked)


def with_answer(data: dict[str, Any], fact: str, value: Any) -> dict[str, Any]:
    out = dict(data)
    if value is not None:
        out[fact] = value
        if fact == STOLEN and value is True:
            out["card_lost"] = True
    return out


def test_every_path_ends_at_the_deciders_decision_and_asks_nothing_twice(
    decider: Decider, tree: dict[str, Any]
) -> None:
    nodes = tree["nodes"]
    seen: dict[int, tuple[Any, ...]] = {}
    checked: set[tuple[int, tuple[Any, ...]]] = set()
    counted: dict[int, tuple[int, int]] = {}

    def visit(ref: int, data: dict[str, Any], asked: frozenset[str]) -> tuple[int, int]:
        """The paths from here to a decision, and the most questions on one."""
        here = state(decider, data, asked)
        if ref < 0:
            if (ref, here) not in checked:
                checked.add((ref, here))
                facts = parse_facts(data, default_today=TODAY)
                assert decision_of(tree, ref) == decider.decide(facts).to_json(), data
            return 1, 0
        if ref in seen:
            assert seen[ref] == here, f"node {ref} is reached with other facts"
            return counted[ref]
        seen[ref] = here
        node = nodes[ref]
        field = node["question"]
        assert field not in asked, f"{field} asked twice"
        paths, depth = 0, 0
        for answer, child in node["next"].items():
            # Both ends of a span of dates: one path, which they must agree on.
            below = {
                visit(child, with_answer(data, fact, value), asked | {field})
                for fact, value in values_of(tree, field, answer)
            }
            assert len(below) == 1
            child_paths, child_depth = below.pop()
            paths += child_paths
            depth = max(depth, child_depth)
        counted[ref] = (paths, depth + 1)
        return counted[ref]

    paths, depth = visit(tree["root"], {}, frozenset())
    assert len(seen) == len(nodes)  # every node is on some path
    assert (paths, depth) == (tree["stats"]["paths"], tree["stats"]["depth"])


def test_no_question_is_asked_whose_every_answer_leads_to_the_same_decision(
    tree: dict[str, Any],
) -> None:
    reach: dict[int, frozenset[int]] = {}

    def reached(ref: int) -> frozenset[int]:
        if ref < 0:
            return frozenset({ref})
        if ref not in reach:
            reach[ref] = frozenset().union(
                *(reached(c) for c in tree["nodes"][ref]["next"].values())
            )
        return reach[ref]

    for _ref, node in enumerate(tree["nodes"]):
        children = [reached(c) for c in node["next"].values()]
        single = {next(iter(c)) for c in children if len(c) == 1}
        assert not (all(len(c) == 1 for c in children) and len(single) == 1), node


def test_the_tree_is_the_interview(decider: Decider, tree: dict[str, Any]) -> None:
    """Random walks through the tree and through `Interview` agree step by step: the
    tree is the interview's own questions."""
    rng = random.Random(11)
    for _ in range(300):
        interview = Interview(decider, today=TODAY)
        ref = tree["root"]
        while ref >= 0:
            node = tree["nodes"][ref]
            assert interview.next is not None
            assert interview.next.field == node["question"]
            answer = rng.choice(sorted(node["next"]))
            _fact, value = rng.choice(values_of(tree, node["question"], answer))
            typed = (
                None
                if value is None
                else ("yes" if value else "no")
                if isinstance(value, bool)
                else str(value)
            )
            interview = interview.answer(typed)
            ref = node["next"][answer]
        assert interview.done
        assert interview.decision.to_json() == decision_of(tree, ref)


def test_the_tree_describes_its_answers_and_counts(tree: dict[str, Any]) -> None:
    assert tree["format"] == "advisor-interview-tree/1"
    for node in tree["nodes"]:
        assert set(node["next"]) <= set(tree["questions"][node["question"]]["answers"])
        assert "unknown" in node["next"]
        for child in node["next"].values():
            assert -len(tree["decisions"]) <= child < len(tree["nodes"])
    stats = tree["stats"]
    assert stats["nodes"] == len(tree["nodes"])
    assert stats["decisions"] == len(tree["decisions"])
    # Over the space of cases the mean cannot beat the entropy of the routes divided by
    # the bits of the widest question (4 answers, attempts left 0 to 3).
    assert 1 <= stats["mean_questions"] <= stats["max_questions"] <= stats["depth"]
    assert stats["mean_questions"] >= stats["route_entropy"] / 2


# Smaller trees than the whole one (a second or so each), with safety questions and not.
@pytest.mark.parametrize(
    ("known", "ask_safety"),
    [({"card_generation": "thales"}, True), ({"card_generation": "idemia"}, False)],
)
def test_the_tree_is_the_same_on_one_process_and_on_two(
    decider: Decider, known: dict[str, Any], ask_safety: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers explore the states below the first questions in any order; the tree
    they give is the one process's, byte for byte."""
    import advisor.interview.tree as tree_module

    # Shallow, so that a small tree is shared out too.
    monkeypatch.setattr(tree_module, "_FRONTIER_DEPTH", 2)
    one = export_tree(decider, known, today=TODAY, ask_safety=ask_safety, workers=1)
    two = export_tree(decider, known, today=TODAY, ask_safety=ask_safety, workers=2)
    assert one.stats.depth > 2
    assert one.stats.nodes > 500
    assert two.to_json_bytes() == one.to_json_bytes()
