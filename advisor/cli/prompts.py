"""Asking people: codes (hidden on a terminal), yes/no, and a line of an answer.

When stdin is not a terminal every prompt reads one line from it (contract §5), so that a
script or a test can drive a command. Codes live only in local variables here and are
handed straight to the card session: never logged, echoed, or put into an exception.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from advisor.cli.card_errors import violation_reasons
from advisor.cli.common import ExitCode, fail, say
from advisor.cli.i18n import _

if TYPE_CHECKING:
    from advisor.card.policy import Violation

# A mistyped confirmation of a new code is asked again this many times; then the
# operation stops, before anything was sent.
NEW_CODE_ROUNDS = 3
_YES = frozenset({"y", "yes", "j", "jah", "д", "да"})


def read_line(prompt: str) -> str | None:
    """One line from stdin, without its line end; None at the end of input."""
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    sys.stderr.write("\n")
    if not line:
        return None
    return line.rstrip("\r\n")


def _code_line(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt, stream=sys.stderr)
    line = read_line(prompt)
    if line is None:
        fail(_("no more input: nothing was sent to the card"), ExitCode.FAILED)
    return line


def _refused(script: str, person: str) -> None:
    """A code that cannot be used: a script stops there (exit 2, nothing was sent); a
    person at a terminal is told why and may type it again."""
    if not sys.stdin.isatty():
        fail(script, ExitCode.USAGE)
    say(person)


def ask_code(
    prompt: str, label: str, check: Callable[[str], Sequence[Violation]] | None = None
) -> str:
    """A code the card already holds (a current PIN or the PUK; `label` names it),
    checked as soon as it is typed: one that cannot be right is refused before the next
    question, and asked again on a terminal."""
    while True:
        code = _code_line(f"{prompt}: ")
        violations = check(code) if check is not None else ()
        if not violations:
            return code
        reasons = violation_reasons(violations)
        _refused(
            _(
                "that cannot be your %(code)s, nothing was sent: %(reasons)s",
                code=label,
                reasons=reasons,
            ),
            _("That cannot be your %(code)s: %(reasons)s.", code=label, reasons=reasons),
        )


def ask_new_code(label: str, check: Callable[[str], Sequence[Violation]]) -> str:
    """A new code, typed twice. One that breaks a rule is refused at once (asked again on
    a terminal); two entries that differ are asked again, a few times, on a terminal and
    from a script alike, before anything is sent."""
    for _round in range(NEW_CODE_ROUNDS):
        code = _code_line(_("New %(code)s", code=label) + ": ")
        violations = check(code)
        if violations:
            reasons = violation_reasons(violations)
            _refused(
                _(
                    "the new %(code)s was refused before anything was sent: %(reasons)s",
                    code=label,
                    reasons=reasons,
                ),
                _("That %(code)s cannot be used: %(reasons)s.", code=label, reasons=reasons),
            )
            continue
        if _code_line(_("New %(code)s again", code=label) + ": ") == code:
            return code
        say(_("The two entries differ. Try again."))
    fail(
        _("the two new %(code)s entries differ: nothing was sent", code=label),
        ExitCode.USAGE,
    )


def confirm(question: str) -> bool:
    """Yes or no, no by default. The end of input, or any answer but yes, is no."""
    if sys.stdin.isatty():
        import typer

        try:
            return typer.confirm(question, default=False, err=True)
        except typer.Abort:
            return False
    answer = read_line(f"{question} {_('[y/N]')}: ")
    return answer is not None and answer.strip().lower() in _YES
