"""`advisor diagnose`: the main job. Read the card, ask only what it cannot tell, decide,
show the guidance, and offer the card operation that fixes the problem."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from advisor.cli.cardio import card_errors, confirm, open_session
from advisor.cli.common import ExitCode, choose_language, emit_json, say, settings
from advisor.cli.i18n import _
from advisor.translatable import N_

if TYPE_CHECKING:
    from advisor.card.session import CardSession
    from advisor.engine.decider import Decider
    from advisor.engine.decision import Decision
    from advisor.facts.case import Facts

# Questions the holder can answer; the others (the card's own state) come from the card.
_BOOLEAN = {
    "pin1_known",
    "pin2_known",
    "puk_known",
    "has_other_eid",
    "card_lost",
    "codes_compromised",
    "certificates_suspended",
    "pin2_activated",
    "card_activated",
}


def _ask(field: str, lang: str) -> str | None:
    """One answer, or None when the holder has none (empty line, EOF, or 'don't know')."""
    from advisor.guidance import question_text

    hint = (
        _("[yes/no, empty if you do not know]")
        if field in _BOOLEAN
        else _("[empty if you do not know]")
    )
    prompt = f"{question_text(field, lang)} {hint}: "
    if sys.stdin.isatty():
        answer = typer.prompt(prompt, default="", show_default=False, err=True, prompt_suffix="")
    else:
        sys.stderr.write(prompt)
        answer = sys.stdin.readline()
        sys.stderr.write("\n")
        if not answer:
            return None
    answer = answer.strip()
    return answer or None


def questionnaire(
    decider: Decider, facts: Facts, lang: str, *, ask: bool
) -> tuple[Facts, Decision]:
    """Ask the most informative open question until the case is decided or the holder
    cannot answer; each question is asked once."""
    from advisor.errors import FactError
    from advisor.facts.case import parse_facts

    decision = decider.decide(facts)
    asked: set[str] = set()
    while ask and decision.status == "incomplete":
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


def _operation_for(decision: Decision, facts: Facts) -> tuple[str, Any] | None:
    """The card operation that carries out the route, if there is one."""
    from advisor.card.profiles import CodeKind

    route = str(decision.route) if decision.route else None
    if route == "pin2_activation":
        return _("Activate PIN2 now"), None
    if route == "puk_unblock_in_app":
        for kind, tries, known in (
            (CodeKind.PIN1, facts.pin1_tries_left, facts.pin1_known),
            (CodeKind.PIN2, facts.pin2_tries_left, facts.pin2_known),
        ):
            if tries == 0 or known is False:
                return _("Unblock %(code)s now with your PUK", code=kind.name), kind
    if route == "codes_compromised":
        return _("Change PIN1 now"), CodeKind.PIN1
    return None


def offer_operation(session: CardSession, decision: Decision, facts: Facts) -> None:
    from advisor.cli.card import activate, change, unblock_code

    offer = _operation_for(decision, facts)
    if offer is None:
        return
    text, kind = offer
    if not confirm(f"{text}?"):
        say(_("Nothing was sent to the card."))
        return
    route = str(decision.route)
    if route == "pin2_activation":
        activate(session)
    elif route == "puk_unblock_in_app":
        unblock_code(session, kind)
    else:
        change(session, kind)


def diagnose(
    ctx: typer.Context,
    reader: Annotated[
        str | None, typer.Option("--reader", help=N_("Reader to use (a part of its name)."))
    ] = None,
    virtual: Annotated[
        str | None,
        typer.Option(
            "--virtual",
            help=N_("Diagnose a built-in virtual card (see `advisor emulator presets`)."),
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help=N_("Machine output: one JSON document on stdout."))
    ] = False,
    lang: Annotated[
        str | None, typer.Option(help=N_("Language of the guidance: en, et or ru."))
    ] = None,
) -> None:
    from advisor.cli.card import status_json
    from advisor.facts.case import parse_facts
    from advisor.guidance import render_decision

    state = settings(ctx)
    as_json = json_output or state.json
    language = choose_language(ctx, lang)
    with open_session(reader or state.reader, virtual, lang=language) as session:
        with card_errors():
            # Prose needs only the facts (the minimum of APDUs); JSON also carries the
            # holder and both certificates.
            status = session.status(facts_only=not as_json)
        facts = parse_facts(status.to_facts_json(), default_today=date.today())
        from advisor.engine import load_decider

        decider = load_decider()
        # With --json only a terminal is asked; a script gets the decision as it stands.
        facts, decision = questionnaire(
            decider, facts, language, ask=not as_json or sys.stdin.isatty()
        )
        if as_json:
            document = status_json(status)
            document["facts"] = facts.to_json()
            document["decision"] = decision.to_json()
            emit_json(document)
            return
        sys.stdout.write(
            render_decision(decision.to_json(), facts=facts.to_json(), lang=language, fmt="text")
        )
        offer_operation(session, decision, facts)
    if decision.status == "error":
        raise typer.Exit(int(ExitCode.USAGE))
