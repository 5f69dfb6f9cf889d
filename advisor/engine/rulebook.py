"""Rules as data: load rules/*.json, validate them, and run them with durable_rules.

This is the only module that imports durable. It wraps durable_rules as docs/architecture.md
(The engine, wrapped) describes:
one quiet host (the background dispatcher races with callers), a fresh session id per case
deleted in `finally`, a lock, one recording action per rule (the explanation trace), a
catch-all rule per ruleset, and action exceptions raised instead of left in the state.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Final

from advisor.engine.schema import MARKER_FIELD, MARKER_VALUE, SITUATION_FIELDS, FieldDomain
from advisor.errors import EngineError, RuleActionError, RulesLoadError
from advisor.facts.eras import ERAS_FILE, load_eras
from advisor.model import Advisory, Route, Urgency
from advisor.paths import rules_dir

SOURCES_FILE: Final = "sources.json"
NON_RULE_FILES: Final = frozenset({ERAS_FILE, SOURCES_FILE})
# Single-fact rules only: correlation, count and cap have no meaning for one case.
DURABLE_KEYS: Final = frozenset({"all", "any", "pri"})
META_KEYS: Final = frozenset(
    {"route", "advisory", "catch_all", "tier", "urgency", "because", "source"}
)
COMPARISONS: Final = {"$lt", "$lte", "$gt", "$gte", "$neq"}
TIERS: Final = range(1, 8)
ADVISORY_PRI: Final = range(800, 999)
CATCH_ALL_PRI: Final = 999
# durable stores pri as an unsigned short; anything else wraps silently.
PRI_MAX: Final = 65535
# Part of the rules version: a change to how rules are read or tables are built must
# invalidate stored decisions and cached tables just like a rule change.
FORMAT_VERSION: Final = "1"


@dataclass(frozen=True)
class Threshold:
    """A constant an integer field is compared with, as the start of a new bucket."""

    field: str
    boundary: int
    rule: str


@dataclass(frozen=True)
class Rule:
    name: str
    file: str
    pri: int
    condition: Mapping[str, Any]
    kind: str  # "route", "advisory" or "catch_all"
    because: str
    source: tuple[str, ...] = ()
    route: Route | None = None
    tier: int | None = None
    urgency: Urgency | None = None
    advisory: Advisory | None = None
    fields: frozenset[str] = frozenset()
    thresholds: tuple[Threshold, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    """One rule file: the unit of the fact space and of the decision table."""

    name: str
    file: str
    rules: tuple[Rule, ...]  # in priority order
    fields: tuple[str, ...]  # the situation fields the rules read, in schema order

    @property
    def engine(self) -> str:
        """The durable ruleset the file runs in: its name up to the first underscore.
        Files that share it (advisories_card, advisories_codes, ...) run as one ruleset,
        one assertion per case for all of them, while each keeps its own small space."""
        return self.name.split("_")[0]

    @cached_property
    def rule_names(self) -> frozenset[str]:
        return frozenset(r.name for r in self.rules)

    def rule(self, name: str) -> Rule:
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(name)


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesLoadError(path.name, f"cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise RulesLoadError(path.name, f"invalid JSON at line {exc.lineno}: {exc.msg}") from None


def _check_value(domain: FieldDomain, value: object, where: str, file: str, rule: str) -> None:
    if domain.is_int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise RulesLoadError(
                file, f"{where}: {domain.name} is compared with {value!r}, not an integer", rule
            )
    elif domain.values is not None and value not in domain.values:
        allowed = ", ".join(json.dumps(v) for v in domain.values)
        raise RulesLoadError(
            file, f"{where}: {value!r} is not a value of {domain.name} ({allowed})", rule
        )
    elif isinstance(value, bool) != isinstance(domain.values[0] if domain.values else None, bool):
        raise RulesLoadError(file, f"{where}: {value!r} has the wrong type for {domain.name}", rule)


def _boundaries(op: str, value: int) -> tuple[int, ...]:
    # Where a comparison splits the integers: `x < c` and `x >= c` split at c, `x <= c`
    # and `x > c` at c + 1, equality and inequality on both sides of c.
    if op in ("$lt", "$gte"):
        return (value,)
    if op in ("$lte", "$gt"):
        return (value + 1,)
    return (value, value + 1)


def _walk(
    node: object, file: str, rule: str, used: set[str], thresholds: list[Threshold], path: str
) -> None:
    if not isinstance(node, dict) or len(node) != 1:
        raise RulesLoadError(file, f"{path}: a condition must be an object with one key", rule)
    ((key, value),) = node.items()
    if key in ("$and", "$or"):
        if not isinstance(value, list) or not value:
            raise RulesLoadError(file, f"{path}.{key} must be a non-empty list", rule)
        for index, child in enumerate(value):
            _walk(child, file, rule, used, thresholds, f"{path}.{key}[{index}]")
        return
    if key in COMPARISONS:
        if not isinstance(value, dict) or len(value) != 1:
            raise RulesLoadError(file, f"{path}.{key} must name one field", rule)
        ((name, constant),) = value.items()
        op = key
    elif key.startswith("$"):
        raise RulesLoadError(file, f"{path}: operator {key} is not supported", rule)
    else:
        name, constant, op = key, value, "$eq"
    domain = SITUATION_FIELDS.get(name)
    if domain is None:
        raise RulesLoadError(file, f"{path}: unknown fact field {name!r}", rule)
    if op in ("$lt", "$lte", "$gt", "$gte") and not domain.is_int:
        raise RulesLoadError(file, f"{path}: {name} is not a number and cannot be ordered", rule)
    _check_value(domain, constant, path, file, rule)
    used.add(name)
    if domain.is_int:
        assert isinstance(constant, int)
        # A boundary at the range's edge cuts nothing. A comparison none of whose
        # boundaries falls inside the range is always or never true: a threshold in a
        # gap of the domain, which is a mistake in the rule.
        cuts = [b for b in _boundaries(op, constant) if _inside(domain, b)]
        if not cuts:
            raise RulesLoadError(
                file,
                f"{path}: threshold {constant} lies outside {name}'s range "
                f"{domain.low}..{domain.high}",
                rule,
            )
        thresholds.extend(Threshold(name, boundary, rule) for boundary in cuts)


def _inside(domain: FieldDomain, boundary: int) -> bool:
    above_low = domain.low is None or boundary > domain.low
    below_high = domain.high is None or boundary <= domain.high
    return above_low and below_high


def _is_catch_all(condition: object) -> bool:
    return condition == {"all": [{"m": {MARKER_FIELD: MARKER_VALUE}}]}


def parse_rule(name: str, raw: object, file: str, sources: Mapping[str, object]) -> Rule:
    if not isinstance(raw, dict):
        raise RulesLoadError(file, "a rule must be an object", name)
    unknown = set(raw) - DURABLE_KEYS - META_KEYS
    if unknown:
        raise RulesLoadError(file, f"unknown keys {sorted(unknown)}", name)
    pri = raw.get("pri")
    if isinstance(pri, bool) or not isinstance(pri, int) or not 0 <= pri <= PRI_MAX:
        raise RulesLoadError(file, f"pri must be an integer 0..{PRI_MAX}, got {pri!r}", name)
    because = raw.get("because")
    if not isinstance(because, str) or not because.strip():
        raise RulesLoadError(file, "needs a one-line 'because'", name)
    condition = {k: raw[k] for k in ("all", "any") if k in raw}
    if len(condition) != 1:
        raise RulesLoadError(file, "needs exactly one of 'all' or 'any'", name)
    kinds = [k for k in ("route", "advisory", "catch_all") if k in raw]
    if len(kinds) != 1:
        raise RulesLoadError(file, "needs exactly one of 'route', 'advisory' or 'catch_all'", name)
    kind = kinds[0]
    if kind == "catch_all":
        if raw["catch_all"] is not True or not _is_catch_all(condition):
            raise RulesLoadError(
                file, f'a catch-all must match {{"{MARKER_FIELD}": "{MARKER_VALUE}"}} only', name
            )
        if pri != CATCH_ALL_PRI:
            raise RulesLoadError(file, f"a catch-all has pri {CATCH_ALL_PRI}, got {pri}", name)
        return Rule(name, file, pri, condition, kind, because)
    source = raw.get("source")
    if not isinstance(source, list) or not source:
        raise RulesLoadError(
            file, "needs a non-empty 'source' list (ids of rules/sources.json)", name
        )
    for sid in source:
        if sid not in sources:
            raise RulesLoadError(file, f"unknown source {sid!r}", name)
    (alternatives,) = condition.values()
    if not isinstance(alternatives, list) or not alternatives:
        raise RulesLoadError(file, "'all'/'any' must be a non-empty list", name)
    used: set[str] = set()
    thresholds: list[Threshold] = []
    for index, pattern in enumerate(alternatives):
        if not isinstance(pattern, dict) or set(pattern) != {"m"}:
            raise RulesLoadError(
                file, 'each pattern must be {"m": condition} (one fact per case)', name
            )
        _walk(pattern["m"], file, name, used, thresholds, f"all[{index}].m")
    common: dict[str, Any] = {
        "name": name,
        "file": file,
        "pri": pri,
        "condition": condition,
        "because": because,
        "source": tuple(source),
        "fields": frozenset(used),
        "thresholds": tuple(thresholds),
    }
    if kind == "advisory":
        if set(raw) & {"tier", "urgency"}:
            raise RulesLoadError(file, "an advisory rule has no tier or urgency", name)
        try:
            advisory = Advisory(raw["advisory"])
        except ValueError:
            raise RulesLoadError(file, f"unknown advisory id {raw['advisory']!r}", name) from None
        if pri not in ADVISORY_PRI:
            raise RulesLoadError(file, f"advisory pri must lie in 800..998, got {pri}", name)
        return Rule(kind=kind, advisory=advisory, **common)
    try:
        route = Route(raw["route"])
    except ValueError:
        raise RulesLoadError(file, f"unknown route id {raw['route']!r}", name) from None
    tier = raw.get("tier")
    if tier not in TIERS:
        raise RulesLoadError(
            file, f"tier must be 1..7 (contract §3 precedence), got {tier!r}", name
        )
    assert isinstance(tier, int)
    if not tier * 100 <= pri < tier * 100 + 100:
        raise RulesLoadError(
            file, f"pri {pri} is out of range for tier {tier} ({tier}00..{tier}99)", name
        )
    try:
        urgency = Urgency(str(raw.get("urgency")))
    except ValueError:
        raise RulesLoadError(file, f"urgency must be one of {', '.join(Urgency)}", name) from None
    return Rule(kind=kind, route=route, tier=tier, urgency=urgency, **common)


def parse_ruleset(name: str, data: object, file: str, sources: Mapping[str, object]) -> RuleSet:
    if not isinstance(data, dict) or not isinstance(data.get("rules"), dict):
        raise RulesLoadError(file, "expected an object with a 'rules' object")
    unknown = set(data) - {"rules", "description"}
    if unknown:
        raise RulesLoadError(file, f"unknown top-level keys {sorted(unknown)}")
    rules = [parse_rule(rule_name, raw, file, sources) for rule_name, raw in data["rules"].items()]
    seen: dict[int, str] = {}
    for rule in rules:
        if rule.pri in seen:
            raise RulesLoadError(
                file, f"pri {rule.pri} is also used by {seen[rule.pri]}", rule.name
            )
        seen[rule.pri] = rule.name
    ids: dict[str, str] = {}
    for rule in rules:
        # The id before the first underscore names the rule in the golden table.
        short = rule.name.split("_")[0]
        if short in ids:
            raise RulesLoadError(file, f"rule id {short} is also used by {ids[short]}", rule.name)
        ids[short] = rule.name
    catch_alls = [r for r in rules if r.kind == "catch_all"]
    if len(catch_alls) > 1:
        raise RulesLoadError(file, f"has {len(catch_alls)} catch-all rules; one is enough")
    used = set().union(*(r.fields for r in rules))
    ordered = tuple(name for name in SITUATION_FIELDS if name in used)
    return RuleSet(name, file, tuple(sorted(rules, key=lambda r: r.pri)), ordered)


def rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.json") if p.name not in NON_RULE_FILES)


def rules_hash(directory: Path) -> str:
    digest = hashlib.sha256(f"format {FORMAT_VERSION}\n".encode())
    for path in sorted(directory.glob("*.json")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:8]


class _QuietHost:
    """Built lazily so that importing this module does not import durable (start-up time)."""

    @staticmethod
    def create() -> Any:
        from durable import engine

        class QuietHost(engine.Host):  # type: ignore[misc]
            def _run(self) -> None:
                # The default host re-arms timer threads that run actions on their own
                # thread and race with assert_fact (measured: wrong decisions).
                pass

        return QuietHost()


@dataclass
class RuleBook:
    """The loaded rule base; `fire()` runs one situation through every ruleset."""

    directory: Path
    rulesets: tuple[RuleSet, ...]
    version: str
    _host: Any = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _sids: Iterator[int] = field(default_factory=itertools.count, repr=False)
    _trace: list[str] = field(default_factory=list, repr=False)

    def ruleset(self, name: str) -> RuleSet:
        for ruleset in self.rulesets:
            if ruleset.name == name:
                return ruleset
        raise KeyError(name)

    def rules(self) -> Iterator[Rule]:
        for ruleset in self.rulesets:
            yield from ruleset.rules

    def _engine(self) -> Any:
        if self._host is None:
            host = _QuietHost.create()
            definitions: dict[str, dict[str, Any]] = {}
            for ruleset in self.rulesets:
                definition = definitions.setdefault(ruleset.engine, {})
                for rule in ruleset.rules:
                    # durable deletes 'run' from what it is given: hand it a copy.
                    body = copy.deepcopy(dict(rule.condition))
                    body["pri"] = rule.pri
                    body["run"] = self._recorder(rule.name)
                    definition[rule.name] = body
            host.set_rulesets(definitions)
            self._host = host
        return self._host

    def _recorder(self, name: str) -> Any:
        def action(_closure: object) -> None:
            # durable turns a `$or` into one activation per alternative that holds,
            # so a rule can fire more than once for one case; the trace keeps the first.
            if name not in self._trace:
                self._trace.append(name)

        return action

    def fire(
        self, situation: Mapping[str, Any], ruleset: str | None = None
    ) -> dict[str, tuple[str, ...]]:
        """The names of the rules that fire, in firing order, per ruleset."""
        from durable import engine as durable_engine

        files = self.rulesets if ruleset is None else (self.ruleset(ruleset),)
        engines = dict.fromkeys(f.engine for f in files)
        result: dict[str, tuple[str, ...]] = {}
        with self._lock:
            host = self._engine()
            for engine in engines:
                sid = f"c{next(self._sids)}"
                fact = dict(situation)
                fact["sid"] = sid
                fact[MARKER_FIELD] = MARKER_VALUE
                trace: list[str] = []
                self._trace = trace
                try:
                    state = host.assert_fact(engine, fact)
                except durable_engine.MessageNotHandledException:
                    raise EngineError(
                        f"{engine}: no rule matched, not even the catch-all"
                    ) from None
                except Exception as exc:  # durable_rules_engine.error and MemoryError
                    raise EngineError(f"{engine}: the engine failed: {exc}") from exc
                finally:
                    self._forget(host, engine, sid)
                if state and "exception" in state:
                    raise RuleActionError(f"{engine}: an action raised: {state['exception']}")
                # A file's rules read only its own fields, so its part of the trace is
                # the same whatever else the situation holds (the table relies on it).
                for target in files:
                    if target.engine == engine:
                        names = target.rule_names
                        result[target.name] = tuple(n for n in trace if n in names)
        return result

    @staticmethod
    def _forget(host: Any, ruleset: str, sid: str) -> None:
        try:
            host.delete_state(ruleset, sid)
        except Exception as exc:
            # 309 = no such session: nothing was stored, nothing to free.
            if "309" not in str(exc):
                raise


def load_rulebook(directory: Path | None = None) -> RuleBook:
    directory = (directory or rules_dir()).resolve()
    return _load_cached(directory, rules_hash(directory))


@lru_cache(maxsize=8)
def _load_cached(directory: Path, version: str) -> RuleBook:
    sources_data = _load_json(directory / SOURCES_FILE)
    sources = sources_data.get("sources") if isinstance(sources_data, dict) else None
    if not isinstance(sources, dict):
        raise RulesLoadError(SOURCES_FILE, "expected an object with a 'sources' object")
    load_eras(directory)
    files = rule_files(directory)
    if not files:
        raise RulesLoadError(str(directory), "no rule files (*.json)")
    rulesets = tuple(parse_ruleset(p.stem, _load_json(p), p.name, sources) for p in files)
    _check_engines(rulesets)
    return RuleBook(directory, rulesets, version)


def _check_engines(rulesets: tuple[RuleSet, ...]) -> None:
    """Files that run as one durable ruleset need one catch-all between them (durable
    leaks, then crashes on, unhandled facts) and priorities that do not repeat."""
    groups: dict[str, list[RuleSet]] = {}
    for ruleset in rulesets:
        groups.setdefault(ruleset.engine, []).append(ruleset)
    for engine, members in groups.items():
        files = ", ".join(m.file for m in members)
        catch_alls = [r for m in members for r in m.rules if r.kind == "catch_all"]
        if len(catch_alls) != 1:
            raise RulesLoadError(
                files,
                f"the files of ruleset {engine!r} need exactly one catch-all rule, "
                f"found {len(catch_alls)}",
            )
        seen: dict[int, str] = {}
        for rule in (r for m in members for r in m.rules):
            if rule.pri in seen:
                raise RulesLoadError(
                    rule.file, f"pri {rule.pri} is also used by {seen[rule.pri]}", rule.name
                )
            seen[rule.pri] = rule.name
