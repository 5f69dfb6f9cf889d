"""Typed exceptions of the library layers; only the CLI turns them into messages and exit codes."""

from __future__ import annotations

from collections.abc import Mapping

from advisor.translatable import fill


class AdvisorError(Exception):
    """Base of every error this package raises on purpose."""


class FactError(AdvisorError, ValueError):
    """One fact of a case is invalid. Names the field so a batch can say which cell was wrong."""

    def __init__(
        self,
        field: str,
        message: str,
        *,
        template: str | None = None,
        values: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        # `message` as a msgid and its values, for the CLI to translate (see `about`).
        self.template = template
        self.values: Mapping[str, object] = values or {}

    @classmethod
    def about(cls, field: str, template: str, **values: object) -> FactError:
        """An error whose message is a msgid marked with `N_` (advisor/translatable.py),
        in English `fill(template, values)`."""
        return cls(field, fill(template, values), template=template, values=values)


class RulesLoadError(AdvisorError):
    """A rule file is malformed. Names the file and, where it applies, the rule."""

    def __init__(self, file: str, message: str, rule: str | None = None) -> None:
        where = f"{file}: rule {rule}" if rule else file
        super().__init__(f"{where}: {message}")
        self.file = file
        self.rule = rule
        self.message = message


class RuleActionError(AdvisorError):
    """An action inside the rule engine raised; durable_rules would have hidden it in its state."""


class EngineError(AdvisorError):
    """The rule engine failed or gave an impossible result: a bug in the rules or the engine."""
