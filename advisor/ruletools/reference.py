"""The rules reference (docs/rules.md), generated from rules/ so that it cannot drift."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from advisor.engine.rulebook import Rule, RuleBook
from advisor.engine.space import space_of
from advisor.facts.eras import load_eras

_OPS = {"$lt": "<", "$lte": "<=", "$gt": ">", "$gte": ">=", "$neq": "≠"}


def condition_text(node: Mapping[str, Any], top: bool = True) -> str:
    ((key, value),) = node.items()
    if key in ("$and", "$or"):
        joiner = " and " if key == "$and" else " or "
        text = joiner.join(condition_text(child, top=False) for child in value)
        return text if top else f"({text})"
    if key in _OPS:
        ((name, constant),) = value.items()
        return f"{name} {_OPS[key]} {json.dumps(constant)}"
    return f"{key} = {json.dumps(value)}"


def _rule_row(rule: Rule) -> str:
    (patterns,) = rule.condition.values()
    when = " or ".join(condition_text(p["m"]) for p in patterns)
    if rule.kind == "route":
        gives = f"route `{rule.route}` (tier {rule.tier}, {rule.urgency})"
    elif rule.kind == "advisory":
        gives = f"advisory `{rule.advisory}`"
    else:
        gives = "catch-all"
    sources = ", ".join(rule.source) or "-"
    return f"| `{rule.name}` | {rule.pri} | {gives} | {when} | {rule.because} | {sources} |"


def rules_reference(book: RuleBook) -> str:
    lines = [
        "# Rules reference",
        "",
        "Generated from `rules/` by `advisor rules docs`; do not edit by hand. "
        f"Rules version `{book.version}`.",
        "",
        "Conditions are over the engine's view of a case (see `docs/facts.md`): "
        "`expiry_days_left` is the expiry date minus today (`expiry_known` says whether "
        "there is one), `card_generation` is the chip "
        "(or what the issue date implies, or `unknown`). Sources are the ids of "
        "`rules/sources.json` (docs/sources.md).",
        "",
        "## Card generations by issue date (`rules/generations.json`)",
        "",
        "| generation | from | through | sources |",
        "|---|---|---|---|",
    ]
    for era in load_eras(book.directory):
        sources = ", ".join(era.source)
        lines.append(f"| {era.generation} | {era.start or '-'} | {era.end or '-'} | {sources} |")
    lines.append("")
    lines.append("Days in no era (15 and 16 Nov 2025) leave the generation unknown.")
    for ruleset in book.rulesets:
        space = space_of(ruleset)
        lines += [
            "",
            f"## Ruleset `{ruleset.name}` (`rules/{ruleset.file}`)",
            "",
            "| rule | pri | gives | when | because | sources |",
            "|---|---|---|---|---|---|",
        ]
        lines += [_rule_row(rule) for rule in ruleset.rules]
        lines += [
            "",
            f"Fact space: {space.size} combinations over {len(space.axes)} fields, "
            "bucketed at the thresholds above:",
            "",
            "| field | buckets |",
            "|---|---|",
        ]
        for axis in space.axes:
            labels = ", ".join(f"`{axis.label(i)}`" for i in range(len(axis.values)))
            lines.append(f"| `{axis.field}` | {labels} |")
    return "\n".join(lines) + "\n"
