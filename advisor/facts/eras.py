"""The generation eras of rules/generations.json: which chip an issue date implies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from advisor.errors import RulesLoadError
from advisor.model import Generation
from advisor.paths import rules_dir

ERAS_FILE = "generations.json"


@dataclass(frozen=True)
class Era:
    generation: Generation
    start: date | None  # inclusive; None = since ever
    end: date | None  # inclusive; None = until further notice
    source: tuple[str, ...]

    def contains(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


def _parse_day(raw: object, file: str, what: str) -> date | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise RulesLoadError(file, f"{what} must be a YYYY-MM-DD string or null")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise RulesLoadError(file, f"{what} {raw!r} is not a date") from None


def parse_eras(data: object, file: str = ERAS_FILE) -> tuple[Era, ...]:
    if not isinstance(data, dict) or not isinstance(data.get("eras"), list):
        raise RulesLoadError(file, "expected an object with a list 'eras'")
    eras: list[Era] = []
    for index, raw in enumerate(data["eras"]):
        where = f"eras[{index}]"
        if not isinstance(raw, dict):
            raise RulesLoadError(file, f"{where} must be an object")
        unknown = set(raw) - {"generation", "from", "through", "source", "note"}
        if unknown:
            raise RulesLoadError(file, f"{where} has unknown keys {sorted(unknown)}")
        try:
            generation = Generation(str(raw.get("generation")))
        except ValueError:
            raise RulesLoadError(
                file, f"{where}: unknown generation {raw.get('generation')!r}"
            ) from None
        era = Era(
            generation,
            _parse_day(raw.get("from"), file, f"{where}.from"),
            _parse_day(raw.get("through"), file, f"{where}.through"),
            tuple(raw.get("source") or ()),
        )
        if era.start and era.end and era.start > era.end:
            raise RulesLoadError(file, f"{where} ends before it starts")
        if eras:
            previous = eras[-1]
            if previous.end is None or era.start is None or era.start <= previous.end:
                raise RulesLoadError(file, f"{where} overlaps the era before it")
        eras.append(era)
    return tuple(eras)


@lru_cache(maxsize=4)
def load_eras(directory: Path | None = None) -> tuple[Era, ...]:
    path = (directory or rules_dir()) / ERAS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RulesLoadError(str(path), f"cannot read: {exc}") from None
    return parse_eras(data, str(path))


def generation_for_issue_date(day: date, eras: tuple[Era, ...]) -> Generation | None:
    """The era's generation, or None on a switch-over day that belongs to no era."""
    for era in eras:
        if era.contains(day):
            return era.generation
    return None
