"""The interview (advisor/interview): the next question, the exported tree, and how many
questions it takes, beside the entropy of the routes and the old question loop.

    python benchmarks/interview.py [INTERVIEWS]

Budgets (issue 11): the next question <= 2 ms median from a warm process; the whole
tree exported <= 30 s on this machine's 2 cores.

1. Next question. A warm process (the decision table loaded, the first question asked
   once) runs INTERVIEWS random interviews (default 1,000; every answer of a question,
   "I don't know" included, equally likely) and times each step: `Interview.answer()`
   and the next question it leads to. The decider keeps its memos as a running process
   does. The same steps are timed again with a fresh `Decider` over the same table
   before each step, so that no memo helps: the cost of a state never seen.
2. The tree from nothing known (`export_tree`, on one process and on two): time, size,
   depth, paths.
3. Questions over the space of cases (every answer but "I don't know" equally likely,
   as in the tree's statistics): mean and most, beside the entropy of the routes the
   cases reach. No interview can do better on average than that entropy divided by the
   bits of its widest question (4 answers: 2 bits), nor than the entropy itself with
   yes/no questions.
4. The old loop of `diagnose` (reimplemented below as it was) against the interview,
   over the same space: from what a card tells (every combination of chip, expiry,
   attempts left and the Thales flags) and from nothing known with the safety facts at
   their default (the only footing the old loop had). tests/test_interview_loop.py
   proves that both ask the same question at every step; here they are counted.
"""

from __future__ import annotations

import gzip
import itertools
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from advisor.engine import Decider, load_decider
from advisor.facts import UNKNOWN_GENERATION, Facts, parse_facts, possible_generations, situation
from advisor.interview import AnswerKind, Interview, Question, export_tree
from advisor.model import Status

TODAY = date(2026, 6, 1)
EXPIRY = ("2026-05-31", "2026-06-01", "2030-01-01")  # expired, within 105 days, later


def typed_answers(question: Question, *, dont_know: bool) -> list[str | None]:
    if question.kind is AnswerKind.DATE:
        answers: list[str | None] = list(EXPIRY)
    else:
        answers = [c.value for c in question.choices]
    return [*answers, None] if dont_know else answers


def next_question_times(decider: Decider, interviews: int) -> tuple[list[float], list[float]]:
    rng = random.Random(11)
    warm: list[float] = []
    cold: list[float] = []
    for _ in range(interviews):
        interview = Interview(decider, today=TODAY)
        while interview.next is not None:
            answer = rng.choice(typed_answers(interview.next, dont_know=True))
            started = time.perf_counter()
            after = interview.answer(answer)
            after.next  # noqa: B018 - computing the next question is what is timed
            warm.append(time.perf_counter() - started)
            if len(cold) < 2000:
                fresh = Interview(
                    Decider(decider.book, decider.table),
                    interview.known,
                    today=TODAY,
                    answers=interview.answers,
                )
                fresh.next  # noqa: B018 - its path, outside the timing
                started = time.perf_counter()
                fresh.answer(answer).next  # noqa: B018
                cold.append(time.perf_counter() - started)
            interview = after
    return warm, cold


def old_loop_next(decider: Decider, facts: Facts, asked: frozenset[str]) -> str | None:
    """The question the loop of advisor/cli/diagnose.py asked before issue 11."""
    decision = decider.decide(facts)
    if decision.status is not Status.INCOMPLETE:
        return None
    return next((q for q in decision.questions if q not in asked), None)


def old_loop_counts(decider: Decider, known: dict[str, Any]) -> tuple[float, int]:
    """The old loop's mean and most questions over the space of cases from `known`."""
    memo: dict[tuple[Any, ...], tuple[float, int]] = {}
    chip_values = ("idemia", "thales", "legacy")
    values: dict[str, tuple[Any, ...]] = {
        "card_generation": chip_values,
        "expiry_date": EXPIRY,
        **{f"{c}_tries_left": (0, 1, 2, 3) for c in ("pin1", "pin2", "puk")},
    }

    def visit(data: dict[str, Any], asked: frozenset[str]) -> tuple[float, int]:
        facts = parse_facts(data, default_today=TODAY)
        view = situation(facts)
        chips = possible_generations(facts) if view["card_generation"] == UNKNOWN_GENERATION else ()
        key = (tuple(t.space.key(view) for t in decider.table.tables.values()), chips, asked)
        if key not in memo:
            field = old_loop_next(decider, facts, asked)
            if field is None:
                memo[key] = (0.0, 0)
            else:
                options = values.get(field, (True, False))
                if field == "card_generation":
                    options = tuple(str(g) for g in possible_generations(facts))
                below = [visit({**data, field: v}, asked | {field}) for v in options]
                memo[key] = (
                    1 + statistics.fmean(m for m, _ in below),
                    1 + max(n for _, n in below),
                )
        return memo[key]

    return visit(dict(known), frozenset(known))


def interview_counts(decider: Decider, known: dict[str, Any]) -> tuple[float, int]:
    stats = export_tree(decider, known, today=TODAY, ask_safety=False).stats
    return stats.mean_questions, stats.max_questions


def card_states() -> list[dict[str, Any]]:
    return [
        {
            "card_generation": chip,
            "expiry_date": expiry,
            "pin1_tries_left": pin1,
            "pin2_tries_left": pin2,
            "puk_tries_left": puk,
            "pin2_activated": activated,
            "card_activated": card,
        }
        for chip, expiry, pin1, pin2, puk, activated, card in itertools.product(
            ("idemia", "thales", "legacy"),
            EXPIRY,
            # 2 and 3 attempts left are the same to every rule; 3 stands for both.
            (0, 1, 3),
            (0, 1, 3),
            (0, 1, 3),
            (False, True),
            (False, True),
        )
    ]


def compare(
    decider: Decider, starts: list[dict[str, Any]], count: Callable[..., tuple[float, int]]
) -> tuple[float, int]:
    results = [count(decider, known) for known in starts]
    return statistics.fmean(m for m, _ in results), max(n for _, n in results)


def main() -> int:
    interviews = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    decider = load_decider()
    Interview(decider, today=TODAY).next  # noqa: B018 - warm: the table and the first question

    warm, cold = next_question_times(decider, interviews)
    print(
        f"next question, warm process: median {statistics.median(warm) * 1e3:.3f} ms, "
        f"p95 {sorted(warm)[int(len(warm) * 0.95)] * 1e3:.3f} ms over {len(warm)} steps "
        f"of {interviews} random interviews"
    )
    print(
        f"next question, no memo (a state never seen): median {statistics.median(cold) * 1e3:.3f} ms, "
        f"p95 {sorted(cold)[int(len(cold) * 0.95)] * 1e3:.3f} ms over {len(cold)} steps"
    )

    # Each export with a decider of its own, so that the second one's memos start empty.
    seconds: dict[int, float] = {}
    for workers in (1, 2):
        fresh = Decider(decider.book, decider.table)
        started = time.perf_counter()
        tree = export_tree(fresh, today=TODAY, workers=workers)
        seconds[workers] = time.perf_counter() - started
    data = tree.to_json_bytes()
    stats = tree.stats
    print(
        f"tree export from nothing known: {seconds[1]:.1f} s on one process, {seconds[2]:.1f} s "
        f"on two; {len(data) / 1e6:.1f} MB "
        f"of JSON ({len(gzip.compress(data, 6)) / 1e6:.2f} MB gzipped); {stats.nodes} question "
        f"nodes, {stats.decisions} distinct decisions, {stats.edges} answers, {stats.paths} "
        f"paths, depth {stats.depth}"
    )
    print(
        f"questions over the space of cases: mean {stats.mean_questions:.2f}, most "
        f"{stats.max_questions}; entropy of the routes {stats.route_entropy:.2f} bits, so at "
        f"least {stats.route_entropy / 2:.2f} questions of 4 answers or "
        f"{stats.route_entropy:.2f} yes/no questions on average"
    )

    cards = card_states()
    old_mean, old_most = compare(decider, cards, old_loop_counts)
    new_mean, new_most = compare(decider, cards, interview_counts)
    print(
        f"from what a card tells ({len(cards)} card states): old loop mean {old_mean:.2f}, "
        f"most {old_most}; interview mean {new_mean:.2f}, most {new_most}"
    )
    old_mean, old_most = old_loop_counts(decider, {})
    footing = export_tree(decider, today=TODAY, ask_safety=False).stats
    print(
        f"from nothing known, safety facts at their default: old loop mean {old_mean:.2f}, most "
        f"{old_most}; interview mean {footing.mean_questions:.2f}, most "
        f"{footing.max_questions}; entropy of the routes {footing.route_entropy:.2f} bits"
    )
    ok = statistics.median(warm) <= 0.002 and seconds[2] <= 30
    print("within the budgets" if ok else "OVER a budget")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
