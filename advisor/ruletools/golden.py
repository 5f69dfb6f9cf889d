"""The decision table as text, one line per combination, so that review shows every change.

Compact on purpose (the table has about 10^5 lines): booleans are T/F and a rule is named
by its id, the part of its name before the first underscore (R120 for R120_lost).
"""

from __future__ import annotations

from pathlib import Path

from advisor.engine.rulebook import RuleBook
from advisor.engine.table import INADMISSIBLE, DecisionTable


def golden_lines(table: DecisionTable, ruleset: str, book: RuleBook) -> list[str]:
    t = table.tables[ruleset]
    lines = ["\t".join([a.field for a in t.space.axes] + ["fired"])]
    catch_alls = {r.name for r in book.ruleset(ruleset).rules if r.kind == "catch_all"}
    for flat, trace_id in enumerate(t.cells):
        if trace_id == INADMISSIBLE:
            continue
        buckets = t.space.buckets_of(flat)
        labels = [_short(a.label(b)) for a, b in zip(t.space.axes, buckets, strict=True)]
        fired = " ".join(n.split("_")[0] for n in t.traces[trace_id] if n not in catch_alls)
        lines.append("\t".join([*labels, fired or "-"]))
    return lines


def _short(label: str) -> str:
    return {"true": "T", "false": "F"}.get(label, label)


def write_golden(table: DecisionTable, book: RuleBook, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.tsv"):
        if stale.stem not in table.tables:
            stale.unlink()
    written = []
    for name in table.tables:
        path = directory / f"{name}.tsv"
        path.write_text("\n".join(golden_lines(table, name, book)) + "\n", encoding="utf-8")
        written.append(path)
    return written
