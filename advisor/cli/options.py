"""The options several commands share, declared once.

`--json`, `--reader` and `--lang` exist on the root (`advisor --json card status`) and on
the commands that use them (`advisor card status --json`); a command's own value wins
(`common.settings` holds the root's). `--virtual` belongs to the commands that talk to a
card.
"""

from __future__ import annotations

from typing import Annotated

import typer

from advisor.translatable import N_

JsonOption = Annotated[
    bool,
    typer.Option("--json", help=N_("Machine output: one JSON document on stdout.")),
]
ReaderOption = Annotated[
    str | None,
    typer.Option("--reader", metavar="NAME", help=N_("Card reader to use (a part of its name).")),
]
VirtualOption = Annotated[
    str | None,
    typer.Option(
        "--virtual",
        metavar="PRESET",
        help=N_("Use a built-in virtual card (see `advisor emulator presets`)."),
    ),
]
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        metavar="LANG",
        help=N_("Language: en, et or ru (else ADVISOR_LANG, the locale, en)."),
    ),
]
