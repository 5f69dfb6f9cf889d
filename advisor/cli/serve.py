"""`advisor serve`: the help pages, the triage page and the JSON API (advisor/web) on
uvicorn. The web stack is imported here only, when the command runs."""

from __future__ import annotations

from typing import Annotated

import typer

from advisor.cli.common import ExitCode, choose_language, fail, say
from advisor.cli.helptext import Typer
from advisor.cli.i18n import _
from advisor.cli.options import LangOption, ReaderOption, VirtualOption
from advisor.cli.registry import COMMANDS
from advisor.translatable import N_

serve_app = Typer(help=COMMANDS["serve"].help)


@serve_app.command(
    "serve",
    help=N_(
        "Serve the help pages, the triage page and the JSON API. Bound to 127.0.0.1 (the "
        "default), the triage page can also read the card in this computer's reader."
    ),
)
def serve(
    ctx: typer.Context,
    host: Annotated[
        str,
        typer.Option("--host", metavar="ADDRESS", help=N_("The address to listen on.")),
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option("--port", metavar="PORT", min=0, max=65535, help=N_("The port.")),
    ] = 8080,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", metavar="N", min=1, help=N_("Worker processes (each answers alike).")
        ),
    ] = 1,
    reader: ReaderOption = None,
    virtual: VirtualOption = None,
    card: Annotated[
        bool,
        typer.Option(
            "--card/--no-card",
            help=N_('Offer "read my card" (only ever on 127.0.0.1 or ::1).'),
        ),
    ] = True,
    max_upload: Annotated[
        int,
        typer.Option(
            "--max-upload",
            metavar="MIB",
            min=1,
            help=N_("The largest file of cases, in MiB."),
        ),
    ] = 32,
    proxy: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            metavar="IPS",
            help=N_("Proxies whose X-Forwarded-For and -Proto headers are trusted."),
        ),
    ] = None,
    lang: LangOption = None,
) -> None:
    choose_language(ctx, lang)
    if reader is not None and virtual is not None:
        fail(_("give either --reader or --virtual, not both"), ExitCode.USAGE)
    if virtual is not None:
        from advisor.emulator import UnknownPresetError, preset_info

        try:
            preset_info(virtual)
        except UnknownPresetError as exc:
            from advisor.cli.i18n import translated

            fail(translated(exc), ExitCode.USAGE)

    import os

    try:
        import uvicorn

        import advisor.web.app  # noqa: F401 - the whole stack imports, before a worker tries
        from advisor.web.settings import MiB, WebSettings, is_loopback
    except ImportError as exc:
        fail(
            _(
                "advisor serve needs the web extra (%(missing)s is missing): "
                "pip install 'advisor[web]'",
                missing=exc.name or exc,
            ),
            ExitCode.FAILED,
        )

    settings = WebSettings(
        host=host,
        port=port,
        reader=reader,
        virtual=virtual,
        card=card,
        max_upload=max_upload * MiB,
    )
    # Every worker reads the settings from here (advisor.web.app.app_from_environment).
    os.environ["ADVISOR_SERVE_SETTINGS"] = settings.to_environment()
    if card and not is_loopback(host):
        say(
            _(
                '"read my card" is off: the server listens on %(host)s, not on 127.0.0.1 or ::1',
                host=host,
            )
        )
    problem = _cannot_listen(host, port)
    if problem is not None:
        fail(
            _(
                "cannot listen on %(host)s:%(port)s: %(reason)s",
                host=host,
                port=port,
                reason=problem,
            ),
            ExitCode.FAILED,
        )
    say(_("serving on http://%(host)s:%(port)s/ (Ctrl-C stops)", host=_shown_host(host), port=port))
    uvicorn.run(
        "advisor.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=proxy is not None,
        forwarded_allow_ips=proxy,
        server_header=False,
        log_level="warning",
        access_log=False,
    )


def _cannot_listen(host: str, port: int) -> str | None:
    """Why the address cannot be bound, or None: said in the holder's words before
    uvicorn starts (uvicorn would log it and exit)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        return str(exc.strerror or exc)
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return str(exc.strerror or exc)
    return None


def _shown_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
