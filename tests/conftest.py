from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from advisor.engine.decider import Decider
from advisor.engine.rulebook import RuleBook, load_rulebook
from advisor.engine.table import DecisionTable, build_table
from advisor.paths import PROJECT_ROOT

RULES = PROJECT_ROOT / "rules"


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # Tests never read or write the user's table cache.
    mp = pytest.MonkeyPatch()
    mp.setenv("ADVISOR_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def book() -> RuleBook:
    return load_rulebook()


@pytest.fixture(scope="session")
def table(book: RuleBook) -> DecisionTable:
    return build_table(book)


@pytest.fixture(scope="session")
def decider(book: RuleBook, table: DecisionTable) -> Decider:
    return Decider(book, table)


@pytest.fixture
def rules_copy(tmp_path: Path) -> Callable[[Callable[[dict[str, Any]], None] | None, str], Path]:
    """A private copy of rules/, with one file edited by a function of its JSON."""

    def make(
        edit: Callable[[dict[str, Any]], None] | None = None, file: str = "routes.json"
    ) -> Path:
        target = tmp_path / "rules"
        if not target.exists():
            shutil.copytree(RULES, target)
        if edit is not None:
            path = target / file
            data = json.loads(path.read_text())
            edit(data)
            path.write_text(json.dumps(data, indent=1))
        return target

    return make


# A complete, healthy IDEMIA case; tests change the facts they are about.
