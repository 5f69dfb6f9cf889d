"""`advisor diagnose`: the main job. Read the card, ask only what it cannot tell, decide,
show the guidance, and offer the card operation that fixes the problem.

The questions are the interview of `advisor guide` (advisor.interview), started from the
card's facts, which are never asked again. The card in the reader is in the holder's
hands, so the safety facts keep their default (not lost, not stolen, no code leaked, not
suspended) as they always did here; `advisor guide` asks them. Without a PC/SC service,
a reader or a card, a person at a terminal may go on with `advisor guide`'s questions
instead; a script still gets exit 5.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from datetime import date
from typing import TYPE_CHECKING

import typer

from advisor.cli.card_errors import card_errors
from advisor.cli.card_ops import done_message, open_session, run_operation
from advisor.cli.common import ExitCode, choose_language, chosen_reader, emit_json, say, wants_json
from advisor.cli.helptext import Typer
from advisor.cli.i18n import _
from advisor.cli.options import JsonOption, LangOption, ReaderOption, VirtualOption
from advisor.cli.prompts import confirm
from advisor.cli.registry import COMMANDS
from advisor.model import CodeOperation, Status

if TYPE_CHECKING:
    from advisor.card.session import CardSession
    from advisor.engine import Decision
    from advisor.facts import Facts
    from advisor.fixes import CardFix


def _offer_text(fix: CardFix) -> str:
    code = fix.code.label
    if fix.operation is CodeOperation.ACTIVATE_PIN2:
        return _("Activate PIN2 now with your PUK") if fix.with_puk else _("Activate PIN2 now")
    if fix.operation is CodeOperation.UNBLOCK:
        return _("Unblock %(code)s now with your PUK", code=code)
    return _("Change %(code)s now", code=code)


def offer_fix(session: CardSession, decision: Decision, facts: Facts) -> None:
    """Offer the card operation that carries out the decision, and run it on a yes."""
    from advisor.fixes import card_fix

    fix = card_fix(decision, facts)
    if fix is None:
        return
    if not confirm(_offer_text(fix) + "?"):
        say(_("Nothing was sent to the card."))
        return
    result = run_operation(session, fix.operation, fix.code, use_puk=fix.with_puk)
    say(done_message(result))


diagnose_app = Typer(no_args_is_help=False)


@diagnose_app.command("diagnose", help=COMMANDS["diagnose"].help)
def diagnose(
    ctx: typer.Context,
    reader: ReaderOption = None,
    virtual: VirtualOption = None,
    json_output: JsonOption = False,
    lang: LangOption = None,
) -> None:
    from advisor.cli.guide import ask_in_terminal, say_unknown
    from advisor.engine import load_decider
    from advisor.guidance import render_decision
    from advisor.interview import Interview

    as_json = wants_json(ctx, json_output)
    language = choose_language(ctx, lang)
    with ExitStack() as stack:
        try:
            session = stack.enter_context(
                open_session(chosen_reader(ctx, reader), virtual, lang=language)
            )
            with card_errors():
                # Prose needs only the facts (the minimum of APDUs); JSON also carries
                # the holder and both certificates.
                status = session.status(facts_only=not as_json)
        except typer.Exit as exc:
            # The reason (no service, reader or card) is said; a person may go on
            # without the card, a script keeps the exit code.
            if exc.exit_code != ExitCode.NO_PCSC or as_json or not interactive():
                raise
            if not offer_guide():
                raise
            from advisor.cli.guide import run_guide

            run_guide(language)
            return
        today = date.today()
        interview = Interview(load_decider(), status.to_facts_json(), today=today, ask_safety=False)
        # With --json only a terminal is asked; a script gets the decision as it stands.
        if not as_json or sys.stdin.isatty():
            interview = ask_in_terminal(interview, language)
            say_unknown(interview, language)
        facts, decision = interview.facts, interview.decision
        if as_json:
            document = status.to_json()
            document["facts"] = facts.to_json()
            document["decision"] = decision.to_json()
            emit_json(document)
            return
        sys.stdout.write(
            render_decision(decision.to_json(), facts=facts.to_json(), lang=language, fmt="text")
        )
        offer_fix(session, decision, facts)
    if decision.status is Status.ERROR:
        raise typer.Exit(int(ExitCode.USAGE))


def interactive() -> bool:
    """Whether a person is at the keyboard (tests drive this)."""
    return sys.stdin.isatty()


def offer_guide() -> bool:
    say(
        _(
            "You can go on without the card: the questions then ask what the card would have "
            "told (the same as `advisor guide`)."
        )
    )
    return confirm(_("Go on without the card?"))
