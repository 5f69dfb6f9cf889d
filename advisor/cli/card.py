"""`advisor card ...`: readers, status, and the code operations, with every safety check
before a single attempt is spent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from advisor.cli.cardio import (
    ask_code,
    ask_new_code,
    card_errors,
    confirm_last_attempt,
    open_session,
    refuse_blocked,
    show_counters,
)
from advisor.cli.common import ExitCode, choose_language, emit_json, fail, say, settings
from advisor.cli.helptext import TranslatedCommand, TranslatedGroup
from advisor.cli.i18n import _, day, ngettext
from advisor.translatable import N_

if TYPE_CHECKING:
    from advisor.card.session import CardSession
    from advisor.card.status import CardStatus

card_app = typer.Typer(
    cls=TranslatedGroup,
    help=N_("Read the card and change, unblock or activate its codes."),
    no_args_is_help=True,
)

ReaderOpt = Annotated[
    str | None, typer.Option("--reader", help=N_("Reader to use (a part of its name)."))
]
VirtualOpt = Annotated[
    str | None,
    typer.Option(
        "--virtual", help=N_("Use a built-in virtual card (see `advisor emulator presets`).")
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help=N_("Machine output: one JSON document on stdout."))
]


def status_json(status: CardStatus) -> dict[str, Any]:
    """The card's facts under the contract's names, and what else was read."""
    out: dict[str, Any] = {"reader": status.reader, "chip": status.chip, "atr": status.atr}
    out.update(status.to_facts_json())
    if status.personal is not None:
        p = status.personal
        out["holder"] = {
            "surname": p.surname,
            "given_names": p.given_names,
            "personal_code": p.personal_code,
            "document_number": p.document_number,
        }
    certificates = {}
    for name, cert in (
        ("authentication", status.auth_certificate),
        ("signing", status.sign_certificate),
    ):
        if cert is not None:
            certificates[name] = {
                "issuer": cert.issuer_common_name or cert.issuer,
                "not_before": cert.not_before.isoformat(),
                "not_after": cert.not_after.isoformat(),
                "document_type": str(cert.document_type) if cert.document_type else None,
            }
    if certificates:
        out["certificates"] = certificates
    out["unverified"] = list(status.unverified)
    out["apdu_count"] = status.apdu_count
    return out


def show_status(status: CardStatus) -> None:
    from rich.console import Console
    from rich.table import Table

    title = _("%(chip)s in %(reader)s", chip=status.chip, reader=status.reader)
    table = Table(title=title, show_header=False, width=80)
    table.add_column("what", style="bold")
    table.add_column("value")
    for state in (status.pin1, status.pin2, status.puk):
        if state is not None:
            text = (
                _("blocked")
                if state.blocked
                else ngettext(
                    "%(n)s of %(max)s attempt left",
                    "%(n)s of %(max)s attempts left",
                    state.tries_left,
                    max=state.max_tries,
                )
            )
            table.add_row(state.kind.name, text)
    if status.pin2_activated is not None:
        table.add_row(
            _("PIN2 activated"),
            _("yes") if status.pin2_activated else _("no: change PIN2 before signing"),
        )
    if status.card_activated is not None:
        table.add_row(
            _("Card activated"),
            _("yes") if status.card_activated else _("no: activate it in the police self-service"),
        )
    if status.personal is not None:
        p = status.personal
        table.add_row(_("Holder"), " ".join(x for x in (p.given_names, p.surname) if x))
        table.add_row(_("Personal code"), p.personal_code or "-")
        table.add_row(_("Document"), p.document_number or "-")
        table.add_row(_("Expires"), day(p.expiry_date) if p.expiry_date else "-")
        if p.issue_date:
            table.add_row(_("Issued"), day(p.issue_date))
    if status.document_type is not None:
        table.add_row(_("Document type"), str(status.document_type))
    for name, cert in (
        (_("Authentication certificate"), status.auth_certificate),
        (_("Signing certificate"), status.sign_certificate),
    ):
        if cert is not None:
            start, end = day(cert.not_before.date()), day(cert.not_after.date())
            valid = _("valid %(start)s to %(end)s", start=start, end=end)
            table.add_row(name, valid)
    Console(width=80).print(table)
    if status.unverified:
        # The assumptions themselves are technical notes for support staff, in the JSON.
        say(
            _(
                "Some of these values rest on protocol assumptions not yet verified on real "
                "cards; `advisor card status --json` lists them."
            )
        )


@card_app.command(
    "readers",
    cls=TranslatedCommand,
    help=N_("List the card readers and whether each holds a card."),
)
def readers(ctx: typer.Context, json_output: JsonOpt = False) -> None:
    from advisor.transport.pcsc import list_readers

    choose_language(ctx)
    with card_errors():
        found = list_readers()
    if json_output or settings(ctx).json:
        emit_json(
            [
                {
                    "name": r.name,
                    "has_card": r.has_card,
                    "atr": r.atr.hex().upper() if r.atr else None,
                }
                for r in found
            ]
        )
        return
    if not found:
        fail(_("no card reader found: connect one and try again"), ExitCode.NO_PCSC)
    for r in found:
        if r.has_card:
            typer.echo(_("%(reader)s: card present", reader=r.name))
        else:
            typer.echo(_("%(reader)s: no card", reader=r.name))


@card_app.command(
    "status",
    cls=TranslatedCommand,
    help=N_("Chip, attempts left, activation flags, personal data and certificates."),
)
def status(
    ctx: typer.Context,
    reader: ReaderOpt = None,
    virtual: VirtualOpt = None,
    json_output: JsonOpt = False,
) -> None:
    state = settings(ctx)
    choose_language(ctx)
    with open_session(reader or state.reader, virtual) as session, card_errors():
        result = session.status()
    if json_output or state.json:
        emit_json(status_json(result))
    else:
        show_status(result)


def _session(ctx: typer.Context, reader: str | None, virtual: str | None) -> Any:
    """An operation's card session, with its messages in the command's language."""
    language = choose_language(ctx)
    return open_session(reader or settings(ctx).reader, virtual, lang=language)


def _kind(value: str, allowed: tuple[str, ...]) -> Any:
    from advisor.card.profiles import CodeKind

    if value.lower() not in allowed:
        raise typer.BadParameter(f"choose one of {', '.join(allowed)}", param_hint="KIND")
    return CodeKind(value.lower())


def change(session: CardSession, kind: Any) -> None:
    from advisor.card.policy import check_new_code
    from advisor.card.profiles import CodeKind, Generation

    if kind is CodeKind.PUK and session.generation is Generation.THALES:
        fail(
            _(
                "the PUK of a Thales card cannot be changed; "
                "it can be viewed in the police self-service"
            ),
            ExitCode.FAILED,
        )
    with card_errors():
        counters = session.counters()
    state = counters.get(kind)
    refuse_blocked(
        state,
        kind.name,
        _("Unblock it with the PUK: `advisor card unblock`.") if kind is not CodeKind.PUK else "",
    )
    last = confirm_last_attempt(state, kind.name)
    with card_errors():
        if session.uses_pinpad:
            say(_("Enter the current and the new %(code)s on the reader's keypad.", code=kind.name))
            result = session.change_code(kind, allow_last_attempt=last)
        else:
            old = ask_code(_("Current %(code)s", code=kind.name))
            new = ask_new_code(kind.name, lambda code: check_new_code(kind, code, old_code=old))
            result = session.change_code(kind, old, new, allow_last_attempt=last)
    say(_("%(code)s changed.", code=kind.name))
    show_counters(result)


def unblock_code(session: CardSession, kind: Any) -> None:
    from advisor.card.policy import check_new_code
    from advisor.card.profiles import CodeKind

    with card_errors():
        counters = session.counters()
    puk = counters.get(CodeKind.PUK)
    refuse_blocked(
        puk, "PUK", _("A blocked PUK cannot be unblocked: run `advisor diagnose` for the way on.")
    )
    last = confirm_last_attempt(puk, "PUK")
    with card_errors():
        if session.uses_pinpad:
            say(_("Enter the PUK and the new %(code)s on the reader's keypad.", code=kind.name))
            result = session.unblock(kind, allow_last_attempt=last)
        else:
            code = ask_code("PUK")
            new = ask_new_code(kind.name, lambda c: check_new_code(kind, c))
            result = session.unblock(kind, code, new, allow_last_attempt=last)
    say(_("%(code)s unblocked with the new code.", code=kind.name))
    show_counters(result)


def activate(session: CardSession) -> None:
    from advisor.card.policy import check_new_code
    from advisor.card.profiles import CodeKind, Generation

    if session.generation is not Generation.THALES:
        fail(_("only Thales cards (issued from 17 Nov 2025) need PIN2 activation"), ExitCode.FAILED)
    with card_errors():
        counters = session.counters()
    pin2 = counters.get(CodeKind.PIN2)
    use_puk = pin2 is not None and pin2.blocked
    spent = counters.get(CodeKind.PUK) if use_puk else pin2
    refuse_blocked(spent, "PUK" if use_puk else "PIN2", "")
    last = confirm_last_attempt(spent, "PUK" if use_puk else "PIN2")
    with card_errors():
        if session.uses_pinpad:
            say(_("Enter the codes on the reader's keypad."))
            result = session.activate_pin2(use_puk=use_puk, allow_last_attempt=last)
        elif use_puk:
            code = ask_code("PUK")
            new = ask_new_code("PIN2", lambda c: check_new_code(CodeKind.PIN2, c))
            result = session.activate_pin2(
                puk=code, new_pin2=new, use_puk=True, allow_last_attempt=last
            )
        else:
            current = ask_code(_("Current PIN2 (from the code envelope)"))
            new = ask_new_code("PIN2", lambda c: check_new_code(CodeKind.PIN2, c, old_code=current))
            result = session.activate_pin2(current, new_pin2=new, allow_last_attempt=last)
    say(_("PIN2 activated: you can now sign."))
    show_counters(result)


@card_app.command(
    "change-pin",
    cls=TranslatedCommand,
    help=N_("Change PIN1, PIN2 or (IDEMIA only) the PUK. Codes are asked for, never arguments."),
)
def change_pin(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(metavar="{pin1,pin2,puk}", help=N_("The code to change."))],
    reader: ReaderOpt = None,
    virtual: VirtualOpt = None,
) -> None:
    code_kind = _kind(kind, ("pin1", "pin2", "puk"))  # before the card is touched
    with _session(ctx, reader, virtual) as session:
        change(session, code_kind)


@card_app.command(
    "unblock",
    cls=TranslatedCommand,
    help=N_("Unblock (or replace a forgotten) PIN1 or PIN2 with the PUK, setting a new PIN."),
)
def unblock(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(metavar="{pin1,pin2}", help=N_("The PIN to unblock."))],
    reader: ReaderOpt = None,
    virtual: VirtualOpt = None,
) -> None:
    code_kind = _kind(kind, ("pin1", "pin2"))  # before the card is touched
    with _session(ctx, reader, virtual) as session:
        unblock_code(session, code_kind)


@card_app.command(
    "activate-pin2",
    cls=TranslatedCommand,
    help=N_("Thales: change PIN2 before the first signature (with the PUK when PIN2 is blocked)."),
)
def activate_pin2(ctx: typer.Context, reader: ReaderOpt = None, virtual: VirtualOpt = None) -> None:
    with _session(ctx, reader, virtual) as session:
        activate(session)
