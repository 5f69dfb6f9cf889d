"""Running a card operation with a person: open the card, read what the operation would
spend, confirm a last attempt, ask for the codes, and report the counters after it.

Every refusal the card layer can make from the counters alone (a blocked code, a card
not activated, PIN2 already activated, an operation the chip does not offer) comes from
`CardSession.preflight`, before any code is asked for; the operation reads the counters
again before it sends anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from advisor.cli.card_errors import card_errors
from advisor.cli.common import ExitCode, fail, say
from advisor.cli.i18n import _, translated
from advisor.cli.prompts import ask_code, ask_new_code, confirm
from advisor.model import CodeKind, CodeOperation

if TYPE_CHECKING:
    from advisor.card.session import CardSession
    from advisor.card.status import OperationResult, Preflight
    from advisor.transport import Connection


@contextmanager
def open_session(
    reader: str | None, virtual: str | None, *, lang: str = "en"
) -> Iterator[CardSession]:
    """The card session, from a reader or a virtual card; transport and card failures
    become an exit with the contract's code."""
    from advisor.card.session import CardSession

    if reader is not None and virtual is not None:
        fail(_("give either --reader or --virtual, not both"), ExitCode.USAGE)
    connection: Connection
    with card_errors():
        if virtual:
            from advisor.emulator import UnknownPresetError, make_card
            from advisor.emulator.connection import VirtualConnection

            try:
                card = make_card(virtual)
            except UnknownPresetError as exc:
                fail(translated(exc), ExitCode.USAGE)
            connection = VirtualConnection(card)
        else:
            from advisor.transport.pcsc import connect

            connection = connect(reader)
        try:
            yield CardSession(connection, language=lang)
        finally:
            connection.close()


def run_operation(
    session: CardSession,
    operation: CodeOperation,
    kind: CodeKind,
    *,
    use_puk: bool | None = None,
) -> OperationResult:
    """Carry out one operation with every check before a single attempt is spent."""
    from advisor.card.policy import check_current_code, check_new_code

    with card_errors():
        preflight = session.preflight(operation, kind, use_puk=use_puk)
    last = _confirm_last_attempt(preflight)
    with card_errors():
        if session.uses_pinpad:
            say(_pinpad_instruction(preflight))
            if operation is CodeOperation.CHANGE:
                return session.change_code(kind, allow_last_attempt=last)
            if operation is CodeOperation.UNBLOCK:
                return session.unblock(kind, allow_last_attempt=last)
            return session.activate_pin2(use_puk=preflight.uses_puk, allow_last_attempt=last)
        spent = preflight.spends
        current = ask_code(
            _current_prompt(preflight), spent.label, lambda code: check_current_code(spent, code)
        )
        old = None if preflight.uses_puk else current
        new = ask_new_code(kind.label, lambda code: check_new_code(kind, code, old_code=old))
        if operation is CodeOperation.CHANGE:
            return session.change_code(kind, current, new, allow_last_attempt=last)
        if operation is CodeOperation.UNBLOCK:
            return session.unblock(kind, current, new, allow_last_attempt=last)
        if preflight.uses_puk:
            return session.activate_pin2(puk=current, new_pin2=new, allow_last_attempt=last)
        return session.activate_pin2(current, new_pin2=new, allow_last_attempt=last)


def _current_prompt(preflight: Preflight) -> str:
    if preflight.uses_puk:
        return "PUK"
    if preflight.operation is CodeOperation.ACTIVATE_PIN2:
        return _("Current PIN2 (from the code envelope)")
    return _("Current %(code)s", code=preflight.kind.label)


def _pinpad_instruction(preflight: Preflight) -> str:
    if preflight.uses_puk:
        return _(
            "Enter the PUK and the new %(code)s on the reader's keypad.", code=preflight.kind.label
        )
    return _(
        "Enter the current and the new %(code)s on the reader's keypad.",
        code=preflight.kind.label,
    )


def _confirm_last_attempt(preflight: Preflight) -> bool:
    """True when the spent code is on its last attempt and the holder agreed to use it."""
    if not preflight.last_attempt:
        return False
    label = preflight.spends.label
    say(_("%(code)s has one attempt left. A wrong entry blocks it.", code=label))
    if not confirm(_("Use the last attempt of %(code)s?", code=label)):
        fail(
            _("stopped: nothing was sent, %(code)s still has one attempt", code=label),
            ExitCode.FAILED,
        )
    return True


def done_message(result: OperationResult) -> str:
    """What the operation did, and the attempts left after it."""
    code = result.kind.label
    if result.operation is CodeOperation.CHANGE:
        done = _("%(code)s changed.", code=code)
    elif result.operation is CodeOperation.UNBLOCK:
        done = _("%(code)s unblocked with the new code.", code=code)
    else:
        done = _("PIN2 activated: you can now sign.")
    parts = [
        _("%(code)s %(left)s of %(max)s", code=s.kind.label, left=s.tries_left, max=s.max_tries)
        for s in result.counters
    ]
    return done + "\n" + _("Attempts left now: %(counters)s.", counters=", ".join(parts))
