"""`advisor emulator ...`: the built-in virtual cards."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from advisor.cli.common import ExitCode, choose_language, emit_json, fail, say, wants_json
from advisor.cli.helptext import Typer
from advisor.cli.i18n import _, translated
from advisor.cli.options import JsonOption, LangOption
from advisor.cli.registry import COMMANDS
from advisor.translatable import N_

emulator_app = Typer(help=COMMANDS["emulator"].help)


@emulator_app.command("presets", help=N_("The presets, one a line: name, chip, what it is."))
def presets(ctx: typer.Context, json_output: JsonOption = False, lang: LangOption = None) -> None:
    from advisor.emulator import list_presets

    choose_language(ctx, lang)
    found = list_presets()
    if wants_json(ctx, json_output):
        emit_json(
            [{"name": p.name, "profile": p.profile, "description": p.description} for p in found]
        )
        return
    width = max(len(p.name) for p in found)
    for p in found:
        typer.echo(f"{p.name:<{width}}  {p.profile:<6}  {_(p.description)}")


@emulator_app.command(
    "serve",
    help=N_("Attach a virtual card to pcscd's vpcd driver until stopped (Ctrl-C)."),
)
def serve(
    ctx: typer.Context,
    profile: Annotated[
        str, typer.Option("--profile", metavar="idemia|thales", help=N_("idemia or thales."))
    ] = "idemia",
    preset: Annotated[
        str | None,
        typer.Option(
            "--preset",
            metavar="PRESET",
            help=N_("A preset of that profile (default: a healthy card)."),
        ),
    ] = None,
    vpcd: Annotated[
        str,
        typer.Option(
            "--vpcd", metavar="HOST:PORT", help=N_("Where pcscd's vpcd driver listens, HOST:PORT.")
        ),
    ] = "localhost:35963",
) -> None:
    from advisor.emulator import DEFAULT_PRESET, UnknownPresetError, make_card, preset_info
    from advisor.emulator.vpcd import VpcdBridge, parse_address

    choose_language(ctx)
    if profile not in DEFAULT_PRESET:
        fail(
            _("unknown profile %(profile)s: choose idemia or thales", profile=repr(profile)),
            ExitCode.USAGE,
        )
    name = preset or DEFAULT_PRESET[profile]
    try:
        info = preset_info(name)
        host, port = parse_address(vpcd)
    except (UnknownPresetError, ValueError) as exc:
        fail(translated(exc), ExitCode.USAGE)
    if info.profile != profile:
        fail(
            _(
                "preset %(name)s is a %(chip)s card, not %(profile)s",
                name=name,
                chip=info.profile,
                profile=profile,
            ),
            ExitCode.USAGE,
        )
    card = make_card(name)
    address = f"{host}:{port}"
    say(
        _(
            "Virtual %(profile)s card '%(name)s': waiting for pcscd's vpcd driver at "
            "%(address)s (pcscd must run with the vpcd reader); Ctrl-C to stop.",
            profile=profile,
            name=name,
            address=address,
        )
    )
    bridge = VpcdBridge(card, host, port).start()
    try:
        while True:
            # vpcd is the one that listens: the card is in the reader once it has let
            # us connect, and out again when it closes the connection.
            while not bridge.wait_connected(0.5):
                pass
            say(_("Attached to vpcd at %(address)s: the card is in the reader.", address=address))
            while bridge.connected:
                time.sleep(0.2)
            say(
                _(
                    "vpcd at %(address)s closed the connection (pcscd stopped?); "
                    "waiting for it again.",
                    address=address,
                )
            )
    finally:
        bridge.stop()
