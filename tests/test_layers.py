"""The layers of docs/architecture.md, held by the imports: each layer imports only those
below it (a lazy import inside a function counts too), and every error the package
defines derives from one root."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import pkgutil
from pathlib import Path

import pytest

import advisor
from advisor.errors import AdvisorError

ROOT = Path(advisor.__file__).parent
BASE = {"advisor", "errors", "model", "paths", "translatable", "iso7816", "cachefile"}
# What each layer may import besides itself and the base modules.
MAY_IMPORT: dict[str, set[str]] = {
    "base": set(),
    "transport": set(),
    "facts": set(),
    "card": {"transport"},
    "emulator": {"transport"},
    "engine": {"facts"},
    "ruletools": {"engine", "facts"},
    "triage": {"engine", "facts"},
    "guidance": {"engine", "facts"},
    "fixes": {"engine", "facts"},
    "interview": {"engine", "facts"},
    # The interview's steps in the holder's words; the tree as web pages carry it.
    "questionnaire": {"engine", "facts", "guidance", "interview"},
    # The help site: the guidance's pages in HTML, the index read from the rules, the
    # questionnaire page.
    "site": {"engine", "facts", "guidance", "interview", "questionnaire"},
    # The web surface (`advisor serve`): the site's pages, triage, "read my card".
    "web": {
        "transport",
        "facts",
        "card",
        "emulator",
        "engine",
        "triage",
        "guidance",
        "site",
        "interview",
        "questionnaire",
    },
    "cli": {
        "transport",
        "facts",
        "card",
        "emulator",
        "engine",
        "ruletools",
        "triage",
        "guidance",
        "fixes",
        "site",
        "web",
        "interview",
        "questionnaire",
    },
}


def layer_of(module: str) -> str:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "advisor"
    return "base" if top in BASE else top


def modules() -> list[str]:
    found = ["advisor"]
    for info in pkgutil.walk_packages([str(ROOT)], prefix="advisor."):
        found.append(info.name)
    return sorted(found)


def imports_of(module: str) -> set[str]:
    spec = importlib.util.find_spec(module)
    assert spec is not None
    assert spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(
                f"{module}: relative import (the layers are read from absolute ones)"
            )
    return {name for name in out if name == "advisor" or name.startswith("advisor.")}


def test_every_module_has_a_layer() -> None:
    assert {layer_of(m) for m in modules()} <= set(MAY_IMPORT)


@pytest.mark.parametrize("module", modules())
def test_a_layer_imports_only_layers_below_it(module: str) -> None:
    layer = layer_of(module)
    allowed = MAY_IMPORT[layer] | {layer, "base"}
    wrong = sorted(name for name in imports_of(module) if layer_of(name) not in allowed)
    assert wrong == [], f"{module} ({layer}) imports {wrong}"


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [("card", "cli"), ("engine", "card"), ("engine", "cli"), ("guidance", "card")],
)
def test_the_layers_the_architecture_names(layer: str, forbidden: str) -> None:
    # The rule itself, stated as the architecture states it, so that a loosened
    # MAY_IMPORT cannot let it pass.
    offenders = [
        m
        for m in modules()
        if layer_of(m) == layer and any(layer_of(i) == forbidden for i in imports_of(m))
    ]
    assert offenders == []


def test_every_error_of_the_package_derives_from_one_root() -> None:
    strays = []
    for module in modules():
        loaded = importlib.import_module(module)
        for name, value in vars(loaded).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module
                and not issubclass(value, AdvisorError)
            ):
                strays.append(f"{module}.{name}")
    assert strays == []
