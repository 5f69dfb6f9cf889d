"""`advisor card ...`: readers, status, and the code operations, with every safety check
before a single attempt is spent (advisor/cli/card_ops.py)."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated

import typer

from advisor.cli.card_errors import card_errors
from advisor.cli.card_ops import done_message, open_session, run_operation
from advisor.cli.common import (
    ExitCode,
    choose_language,
    chosen_reader,
    emit_json,
    fail,
    say,
    wants_json,
)
from advisor.cli.helptext import Typer
from advisor.cli.i18n import _, day
from advisor.cli.options import JsonOption, LangOption, ReaderOption, VirtualOption
from advisor.cli.registry import COMMANDS
from advisor.model import CodeKind, CodeOperation
from advisor.translatable import N_

if TYPE_CHECKING:
    from advisor.card.status import CardStatus

card_app = Typer(help=COMMANDS["card"].help)


class Pin(enum.StrEnum):
    """The codes `card unblock` can set: a PIN, never the PUK."""

    PIN1 = "pin1"
    PIN2 = "pin2"


def status_lines(status: CardStatus) -> list[tuple[str, str]]:
    """The card's status as (label, value) rows, in the chosen language."""
    rows: list[tuple[str, str]] = []
    for kind in CodeKind:
        state = status.code(kind)
        if state is not None:
            text = (
                _("blocked")
                if state.blocked
                else _("attempts left: %(n)s of %(max)s", n=state.tries_left, max=state.max_tries)
            )
            rows.append((kind.label, text))
    if status.pin2_activated is not None:
        rows.append(
            (
                _("PIN2 activated"),
                _("yes") if status.pin2_activated else _("no: change PIN2 before signing"),
            )
        )
    if status.card_activated is not None:
        rows.append(
            (
                _("Card activated"),
                _("yes")
                if status.card_activated
                else _("no: activate it in the police self-service"),
            )
        )
    if status.personal is not None:
        p = status.personal
        rows.append((_("Holder"), " ".join(x for x in (p.given_names, p.surname) if x)))
        rows.append((_("Personal code"), p.personal_code or "-"))
        rows.append((_("Document"), p.document_number or "-"))
        rows.append((_("Expires"), day(p.expiry_date) if p.expiry_date else "-"))
        if p.issue_date:
            rows.append((_("Issued"), day(p.issue_date)))
    if status.document_type is not None:
        rows.append((_("Document type"), document_type_name(str(status.document_type))))
    for name, cert in (
        (_("Authentication certificate"), status.auth_certificate),
        (_("Signing certificate"), status.sign_certificate),
    ):
        if cert is not None:
            start, end = day(cert.not_before.date()), day(cert.not_after.date())
            rows.append((name, _("valid %(start)s to %(end)s", start=start, end=end)))
    return rows


_DOCUMENT_TYPES = {
    # TRANSLATORS: The card's document type in `advisor card status`.
    "e_resident": N_("e-Residency digital ID"),
    # TRANSLATORS: The card's document type in `advisor card status`.
    "id_card": N_("ID-card"),
    # TRANSLATORS: The card's document type in `advisor card status`.
    "digi_id": N_("digi-ID"),
    # TRANSLATORS: The card's document type in `advisor card status`.
    "residence_permit": N_("residence permit card"),
    # TRANSLATORS: The card's document type in `advisor card status`.
    "diplomatic": N_("diplomatic ID card"),
}


def document_type_name(value: str) -> str:
    """A document type as holders call it, not its contract id."""
    return _(_DOCUMENT_TYPES[value]) if value in _DOCUMENT_TYPES else value


def show_status(status: CardStatus) -> None:
    rows = status_lines(status)
    width = max(len(label) for label, _value in rows) if rows else 0
    typer.echo(_("%(chip)s in %(reader)s", chip=status.chip, reader=status.reader))
    for label, value in rows:
        typer.echo(f"  {label:<{width}}  {value}")
    if status.unverified:
        # The assumptions themselves are technical notes for support staff, in the JSON.
        say(
            _(
                "Some of these values rest on protocol assumptions not yet verified on real "
                "cards; `advisor card status --json` lists them."
            )
        )


@card_app.command("readers", help=N_("List the card readers and whether each holds a card."))
def readers(ctx: typer.Context, json_output: JsonOption = False, lang: LangOption = None) -> None:
    from advisor.transport.pcsc import list_readers

    choose_language(ctx, lang)
    with card_errors():
        found = list_readers()
    if wants_json(ctx, json_output):
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
    "status", help=N_("Chip, attempts left, activation flags, personal data and certificates.")
)
def status(
    ctx: typer.Context,
    reader: ReaderOption = None,
    virtual: VirtualOption = None,
    json_output: JsonOption = False,
    lang: LangOption = None,
) -> None:
    language = choose_language(ctx, lang)
    with (
        open_session(chosen_reader(ctx, reader), virtual, lang=language) as session,
        card_errors(),
    ):
        result = session.status()
    if wants_json(ctx, json_output):
        emit_json(result.to_json())
    else:
        show_status(result)


def _operate(
    ctx: typer.Context,
    operation: CodeOperation,
    kind: CodeKind,
    reader: str | None,
    virtual: str | None,
    lang: str | None,
    *,
    use_puk: bool | None = None,
) -> None:
    language = choose_language(ctx, lang)
    with open_session(chosen_reader(ctx, reader), virtual, lang=language) as session:
        result = run_operation(session, operation, kind, use_puk=use_puk)
    say(done_message(result))


@card_app.command(
    "change-pin",
    help=N_("Change PIN1, PIN2 or (IDEMIA only) the PUK. Codes are asked for, never arguments."),
)
def change_pin(
    ctx: typer.Context,
    kind: Annotated[
        CodeKind, typer.Argument(metavar="KIND", help=N_("The code to change: pin1, pin2 or puk."))
    ],
    reader: ReaderOption = None,
    virtual: VirtualOption = None,
    lang: LangOption = None,
) -> None:
    _operate(ctx, CodeOperation.CHANGE, kind, reader, virtual, lang)


@card_app.command(
    "unblock",
    help=N_("Unblock (or replace a forgotten) PIN1 or PIN2 with the PUK, setting a new PIN."),
)
def unblock(
    ctx: typer.Context,
    kind: Annotated[
        Pin, typer.Argument(metavar="KIND", help=N_("The PIN to unblock: pin1 or pin2."))
    ],
    reader: ReaderOption = None,
    virtual: VirtualOption = None,
    lang: LangOption = None,
) -> None:
    _operate(ctx, CodeOperation.UNBLOCK, CodeKind(kind), reader, virtual, lang)


@card_app.command(
    "activate-pin2",
    help=N_("Thales: change PIN2 before the first signature (with the PUK when PIN2 is blocked)."),
)
def activate_pin2(
    ctx: typer.Context,
    with_puk: Annotated[
        bool,
        typer.Option(
            "--with-puk",
            help=N_("Enter the PUK instead of the PIN2 of the code envelope (a forgotten PIN2)."),
        ),
    ] = False,
    reader: ReaderOption = None,
    virtual: VirtualOption = None,
    lang: LangOption = None,
) -> None:
    _operate(
        ctx,
        CodeOperation.ACTIVATE_PIN2,
        CodeKind.PIN2,
        reader,
        virtual,
        lang,
        use_puk=True if with_puk else None,
    )
