"""Paths through the interview tree, for the questionnaire's browser tests.

A path is the answers of one holder from the first question to a decision: every answer
of the first two levels of the tree, then a seeded random sample, at least `COUNT` in
all. Each path carries what the questionnaire must show at each step (the question) and
at the end (the decision), taken from the tree, and the decision is checked against the
decider for the facts the answers state before any browser opens a page.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from advisor.engine import Decider
from advisor.facts import parse_facts

COUNT = 60
SEED = 20261204


@dataclass(frozen=True)
class Step:
    field: str  # the question
    answer: str  # the tree's name of the answer: yes, 2, idemia, unknown, issued:..., days_left:...
    typed: str | None  # for a span of dates: the date typed (ISO), else None

    @property
    def is_date(self) -> bool:
        return self.typed is not None


@dataclass(frozen=True)
class Path:
    steps: tuple[Step, ...]
    status: str
    route: str | None
    advisories: tuple[str, ...]


def _typed(tree: dict[str, Any], answer: str, today: date) -> str | None:
    """A date inside the span `answer` stands for: its first day, else its last."""
    if ":" not in answer:
        return None
    (span,) = tree["questions_by_answer"][answer].values()
    end = span["from"] if span["from"] is not None else span["through"]
    if answer.startswith("issued:"):
        return str(end)
    return (today + timedelta(days=int(end))).isoformat()


def _index(tree: dict[str, Any]) -> dict[str, Any]:
    spans = {}
    for question in tree["questions"].values():
        for name, stated in question["answers"].items():
            if isinstance(stated, dict):
                spans[name] = stated
    return {**tree, "questions_by_answer": spans}


def _path(tree: dict[str, Any], answers: list[str], today: date) -> Path:
    ref = tree["root"]
    steps = []
    for answer in answers:
        node = tree["nodes"][ref]
        steps.append(Step(node["question"], answer, _typed(tree, answer, today)))
        ref = node["next"][answer]
    assert ref < 0, "a path ends at a decision"
    decision = tree["decisions"][-ref - 1]
    return Path(tuple(steps), decision["status"], decision["route"], tuple(decision["advisories"]))


def _random_answers(tree: dict[str, Any], start: list[str], rng: random.Random) -> list[str]:
    ref = tree["root"]
    for answer in start:
        ref = tree["nodes"][ref]["next"][answer]
    answers = list(start)
    while ref >= 0:
        node = tree["nodes"][ref]
        answer = rng.choice(sorted(node["next"]))
        answers.append(answer)
        ref = node["next"][answer]
    return answers


def sample(tree_data: dict[str, Any], today: date) -> list[Path]:
    """Every answer of the first two levels (each finished at random), then random paths,
    `COUNT` at least, none twice."""
    tree = _index(tree_data)
    rng = random.Random(SEED)
    root = tree["nodes"][tree["root"]]
    starts: list[list[str]] = []
    for first, child in sorted(root["next"].items()):
        if child < 0:
            starts.append([first])
            continue
        starts += [[first, second] for second in sorted(tree["nodes"][child]["next"])]
    chosen: list[list[str]] = []
    for start in starts:
        answers = _random_answers(tree, start, rng)
        if answers not in chosen:
            chosen.append(answers)
    while len(chosen) < COUNT:
        answers = _random_answers(tree, [], rng)
        if answers not in chosen:
            chosen.append(answers)
    return [_path(tree, answers, today) for answers in chosen]


def facts_of(path: Path, today: date) -> dict[str, Any]:
    """The facts a path's answers state, as contract JSON."""
    data: dict[str, Any] = {"today": today.isoformat()}
    for step in path.steps:
        if step.answer == "unknown":
            continue
        if step.answer.startswith("issued:"):
            data["issue_date"] = step.typed
        elif step.answer.startswith("days_left:"):
            data[step.field] = step.typed
        elif step.answer in ("yes", "no"):
            data[step.field] = step.answer == "yes"
            if step.field == "card_stolen" and step.answer == "yes":
                data["card_lost"] = True
        elif step.answer.isdigit():
            data[step.field] = int(step.answer)
        else:
            data[step.field] = step.answer
    return data


def check_against_decider(paths: list[Path], decider: Decider, today: date) -> None:
    """Each path's decision is the decider's for the facts its answers state (the
    tree is the interview's, and the interview the decider's: both say so elsewhere; here
    the sample itself is held to it)."""
    for path in paths:
        facts = parse_facts(facts_of(path, today))
        decision = decider.decide(facts)
        assert (str(decision.status), decision.route, decision.advisories) == (
            path.status,
            path.route,
            path.advisories,
        ), path
