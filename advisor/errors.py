"""The root of every error the package raises on purpose, and the library's own errors.

Library layers raise these; only the CLI turns them into messages and exit codes. The card
layer's errors (advisor/card/errors.py) and the transport's (advisor/transport/) derive
from `AdvisorError` too, so `except AdvisorError` catches anything the package means to
raise; a `TypeError` or `ValueError` from a wrong argument type is a bug in the caller.

An error whose message a person may read on the command line carries it as a gettext
msgid with its values (`template`, `values`; advisor/translatable.py), so that the CLI
shows it in the holder's language while JSON and logs keep the English `str()`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final, Self

from advisor.translatable import fill


class AdvisorError(Exception):
    """Base of every error this package raises on purpose."""

    template: str | None = None
    values: Mapping[str, object] = {}

    @classmethod
    def translatable(cls, template: str, *args: Any, **values: object) -> Self:
        """An error whose message is the msgid `template` (marked with `N_`) filled with
        `values`; `args` go to the constructor before the message."""
        error = cls(*args, fill(template, values))
        error.template = template
        error.values = values
        return error


# Four digits or more in a row: what a PIN or PUK looks like.
_CODE_LIKE: Final = re.compile(r"\d{4,}")
HIDDEN_NAME: Final = "(a name that looks like a code, not shown)"


def field_label(name: str) -> str:
    """A field's name as an error names it: printable, and never a run of four digits
    or more, which could be a PIN or PUK typed where a name belongs (a key of a case, a
    column of a CSV header)."""
    return HIDDEN_NAME if _CODE_LIKE.search(name) else printable(name)


def printable(text: str) -> str:
    """`text`, or its escaped form when it holds a lone surrogate (a JSON escape such as
    \\ud800 that is half of a character), which no output can carry."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


class FactError(AdvisorError, ValueError):
    """One fact of a case is invalid. Names the field so a batch can say which cell was
    wrong. When a case has more than one invalid fact, the error is the first of them and
    `others` holds the rest (`FactError.several`), so that every one can be reported."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.others: tuple[FactError, ...] = ()

    @classmethod
    def several(cls, errors: list[FactError]) -> FactError:
        first = errors[0]
        first.others = tuple(errors[1:])
        return first

    @property
    def every(self) -> tuple[FactError, ...]:
        """This error and the others of the same case, in the order of the fields."""
        return (self, *self.others)

    @property
    def problems(self) -> tuple[tuple[str, str], ...]:
        """(field, message) of every invalid fact of the case."""
        return tuple((e.field, e.message) for e in self.every)

    @classmethod
    def about(cls, field: str, template: str, **values: object) -> FactError:
        """An error about `field` whose message is a msgid marked with `N_`."""
        return cls.translatable(template, field, **values)


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
