"""The interview tree in the form the help site's questionnaire page carries.

`advisor guide --export-tree` writes the tree for any program to read: some 11 MB of
JSON. The page's script needs the same graph in a form that stays small when
compressed (the page with its tree is held to 200 KB gzip-compressed,
docs/performance.md), so here every name becomes a number into a table, every list of
names is kept once, and every link is small:

    {"format": "advisor-questionnaire/1", "rules_version": ...,
     "questions": [[FIELD, KIND, [ANSWER, ...]], ...],
     "spans": {ANSWER: [FROM, THROUGH]},
     "nodes": [Q, LINK, LINK, ..., Q, LINK, ...],
     "statuses": [...], "routes": [...], "urgencies": [...], "advisories": [...],
     "facts": [...], "rules": [...], "lists": [[INDEX, ...], ...],
     "decisions": [[STATUS, ROUTE, URGENCY, ALSO, ADVISORIES, CANDIDATES, QUESTIONS,
                    FIRED], ...]}

- `nodes` is flat: a node is its question's index into `questions`, then one LINK per
  answer of that question, in the question's order of answers ("unknown", "I don't
  know", last). Nodes are numbered in the order they appear.
- A LINK is a whole number. Even: the node `here + 1 + unzigzag(LINK / 2)`; odd: the
  decision `last + 1 + unzigzag((LINK - 1) / 2)`, where `here` is the node the link is
  in and `last` the decision the previous odd link named (-1 before the first); and
  `unzigzag(n)` is `n / 2` for even `n` and `-(n + 1) / 2` for odd `n`. The tree lists
  nodes depth first and decisions as first reached, so most links are 0 to 4: small
  numbers that repeat are what compression takes best.
- A decision's ROUTE and URGENCY index `routes` and `urgencies` (-1: none); ALSO,
  ADVISORIES, CANDIDATES, QUESTIONS and FIRED index `lists`, whose members index
  `routes`, `advisories`, `routes`, `facts` and `rules`.
- `spans` gives the dates each date answer stands for: ISO dates for `issued:...`, days
  left until expiry for `days_left:...`; null is an open end.

`expand` turns it back into the tree's own form (tests/test_questionnaire_tree.py
holds the round trip, node by node), which is also how content/site/assets/
questionnaire.js reads it.
"""

from __future__ import annotations

import json
from typing import Any, Final

from advisor.interview import InterviewTree

FORMAT: Final = "advisor-questionnaire/1"
_LISTS: Final = ("also", "advisories", "candidates", "questions", "fired")


def _zigzag(n: int) -> int:
    return 2 * n if n >= 0 else -2 * n - 1


def _unzigzag(n: int) -> int:
    return n // 2 if n % 2 == 0 else -(n + 1) // 2


class _Table:
    """Names (or tuples of indices) numbered in the order first met."""

    def __init__(self) -> None:
        self.index: dict[Any, int] = {}

    def __call__(self, value: Any) -> int:
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.index)
        return found

    def values(self) -> list[Any]:
        return list(self.index)


def compact(tree: InterviewTree) -> dict[str, Any]:
    data = tree.data
    fields = list(data["questions"])
    answers = {f: list(q["answers"]) for f, q in data["questions"].items()}
    nodes = data["nodes"]
    # Decisions renumbered in the order the links reach them.
    order: dict[int, int] = {}
    for node in nodes:
        for name in answers[node["question"]]:
            ref = node["next"][name]
            if ref < 0 and ref not in order:
                order[ref] = len(order)
    flat: list[int] = []
    last = -1
    for here, node in enumerate(nodes):
        flat.append(fields.index(node["question"]))
        for name in answers[node["question"]]:
            ref = node["next"][name]
            if ref >= 0:
                flat.append(2 * _zigzag(ref - here - 1))
            else:
                number = order[ref]
                flat.append(2 * _zigzag(number - last - 1) + 1)
                last = number
    statuses, routes, urgencies, advisories = _Table(), _Table(), _Table(), _Table()
    facts, rules, lists = _Table(), _Table(), _Table()
    names = {
        "also": routes,
        "advisories": advisories,
        "candidates": routes,
        "questions": facts,
        "fired": rules,
    }
    stored = data["decisions"]
    decisions = []
    for ref in sorted(order, key=order.__getitem__):
        decision = stored[-ref - 1]
        row = [
            statuses(decision["status"]),
            routes(decision["route"]) if decision["route"] else -1,
            urgencies(decision["urgency"]) if decision["urgency"] else -1,
        ]
        row += [lists(tuple(names[key](v) for v in decision[key])) for key in _LISTS]
        decisions.append(row)
    spans = {}
    for question in data["questions"].values():
        for name, stated in question["answers"].items():
            if isinstance(stated, dict):
                (span,) = stated.values()
                spans[name] = [span["from"], span["through"]]
    root = data["root"]
    return {
        "format": FORMAT,
        "rules_version": data["rules_version"],
        "questions": [[f, data["questions"][f]["kind"], answers[f]] for f in fields],
        "spans": spans,
        # A tree whose root is a decision (nothing to ask) is one with no nodes.
        "root": 0 if root >= 0 else -order[root] - 1,
        "nodes": flat,
        "statuses": statuses.values(),
        "routes": routes.values(),
        "urgencies": urgencies.values(),
        "advisories": advisories.values(),
        "facts": facts.values(),
        "rules": rules.values(),
        "lists": [list(v) for v in lists.values()],
        "decisions": decisions,
    }


def to_json(data: dict[str, Any]) -> str:
    """As a page carries it inside <script type="application/json">: no `<`, so that no
    `</script>` can end the block early."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def expand(data: dict[str, Any]) -> dict[str, Any]:
    """The tree's own form (nodes with named answers, decisions as contract JSON without
    id and because) from the compact one."""
    questions = data["questions"]
    flat = data["nodes"]
    starts = []
    at = 0
    while at < len(flat):
        starts.append(at)
        at += 1 + len(questions[flat[at]][2])
    lists = data["lists"]

    def named(table: str, index: int) -> list[str]:
        return [data[table][i] for i in lists[index]]

    decisions = []
    for row in data["decisions"]:
        status, route, urgency, also, advisories, candidates, asked, fired = row
        decisions.append(
            {
                "status": data["statuses"][status],
                "route": data["routes"][route] if route >= 0 else None,
                "urgency": data["urgencies"][urgency] if urgency >= 0 else None,
                "also": named("routes", also),
                "advisories": named("advisories", advisories),
                "questions": named("facts", asked),
                "candidates": named("routes", candidates),
                "fired": named("rules", fired),
                "rules_version": data["rules_version"],
            }
        )
    nodes = []
    last = -1
    for here, start in enumerate(starts):
        field, _, answers = questions[flat[start]]
        following: dict[str, int] = {}
        for offset, name in enumerate(answers, 1):
            link = flat[start + offset]
            if link % 2 == 0:
                following[name] = here + 1 + _unzigzag(link // 2)
            else:
                last = last + 1 + _unzigzag((link - 1) // 2)
                following[name] = -last - 1
        nodes.append({"question": field, "next": following})
    return {"root": data["root"], "nodes": nodes, "decisions": decisions}
