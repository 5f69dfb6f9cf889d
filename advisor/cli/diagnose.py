"""`advisor diagnose`: the main job. Read the card, ask only what it cannot tell, decide,
show the guidance, and offer the card operation that fixes the problem."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING

import typer

from advisor.cli.card_errors import card_errors
from advisor.cli.card_ops import done_message, open_session, run_operation
from advisor.cli.common import ExitCode, choose_language, chosen_reader, emit_json, say, wants_json
from advisor.cli.helptext import Typer
from advisor.cli.i18n import _
from advisor.cli.options import JsonOption, LangOption, ReaderOption, VirtualOption
from advisor.cli.prompts import confirm, read_line
from advisor.cli.registry import COMMANDS
from advisor.facts import BOOL_FIELDS
from advisor.model import CodeOperation, Status

if TYPE_CHECKING:
    from advisor.card.session import CardSession
    from advisor.engine import Decider, Decision
    from advisor.facts import Facts
    from advisor.fixes import CardFix


def _ask(field: str, lang: str) -> str | None:
    """One answer, or None when the holder has none (empty line, EOF, or 'don't know')."""
    from advisor.guidance import question_text

    hint = (
        _("[yes/no, empty if you do not know]")
        if field in BOOL_FIELDS
        else _("[empty if you do not know]")
    )
    prompt = f"{question_text(field, lang)} {hint}: "
    if sys.stdin.isatty():
        answer: str | None = typer.prompt(
            prompt, default="", show_default=False, err=True, prompt_suffix=""
        )
    else:
        answer = read_line(prompt)
    return (answer or "").strip() or None


def questionnaire(
    decider: Decider, facts: Facts, lang: str, *, ask: bool
) -> tuple[Facts, Decision]:
    """Ask the most informative open question until the case is decided or the holder
    cannot answer; each question is asked once."""
    from advisor.errors import FactError
    from advisor.facts import parse_facts

    decision = decider.decide(facts)
    asked: set[str] = set()
    while ask and decision.status is Status.INCOMPLETE:
        field = next((q for q in decision.questions if q not in asked), None)
        if field is None:
            break
        asked.add(field)
        answer = _ask(field, lang)
        if answer is None:
            continue
        data = facts.to_json()
        data[field] = answer
        try:
            facts = parse_facts(
                {k: str(v) if not isinstance(v, str) else v for k, v in data.items()},
                human=True,
                default_today=facts.today,
            )
        except FactError:
            say(_("That answer was not understood; the question is skipped."))
            continue
        decision = decider.decide(facts)
    return facts, decision


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
    from advisor.engine import load_decider
    from advisor.facts import parse_facts
    from advisor.guidance import render_decision

    as_json = wants_json(ctx, json_output)
    language = choose_language(ctx, lang)
    with open_session(chosen_reader(ctx, reader), virtual, lang=language) as session:
        with card_errors():
            # Prose needs only the facts (the minimum of APDUs); JSON also carries the
            # holder and both certificates.
            status = session.status(facts_only=not as_json)
        facts = parse_facts(status.to_facts_json(), default_today=date.today())
        decider = load_decider()
        # With --json only a terminal is asked; a script gets the decision as it stands.
        facts, decision = questionnaire(
            decider, facts, language, ask=not as_json or sys.stdin.isatty()
        )
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
