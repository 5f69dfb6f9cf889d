"""`advisor pages build`: the static help site (advisor/site)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from advisor.cli.common import ExitCode, choose_language, emit_json, fail, say, wants_json
from advisor.cli.helptext import Typer
from advisor.cli.i18n import _, ngettext
from advisor.cli.options import JsonOption, LangOption
from advisor.cli.registry import COMMANDS
from advisor.translatable import N_

pages_app = Typer(help=COMMANDS["pages"].help)


@pages_app.callback()
def pages() -> None:
    """A group even with one command, so that `pages build` reads as it will stay."""


_SITE_LANGUAGES = ("en", "et", "ru")


def site_languages(text: str) -> tuple[str, ...]:
    """`en,et` -> ("en", "et"): known languages only, each once, in the order given."""
    wanted: list[str] = []
    for part in text.split(","):
        code = part.strip().lower()
        if code not in _SITE_LANGUAGES:
            raise typer.BadParameter(
                _(
                    "unknown language %(lang)s: choose from %(choices)s",
                    lang=repr(part.strip()),
                    choices=", ".join(_SITE_LANGUAGES),
                ),
                param_hint="--languages",
            )
        if code not in wanted:
            wanted.append(code)
    return tuple(wanted)


@pages_app.command(
    "build",
    help=N_(
        "Write the help site (every route, advisory and question, safety, glossary, "
        "sources) as static HTML in English, Estonian and Russian."
    ),
)
def build(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Argument(
            metavar="OUT",
            help=N_("The folder to write; a site built here before is replaced."),
        ),
    ],
    languages: Annotated[
        str,
        typer.Option(
            "--languages",
            metavar="en,et,ru",
            help=N_("The site's languages, separated by commas."),
        ),
    ] = ",".join(_SITE_LANGUAGES),
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            help=N_(
                "The address the site will have (https://...): absolute language links "
                "and a sitemap."
            ),
        ),
    ] = None,
    json_output: JsonOption = False,
    lang: LangOption = None,
) -> None:
    from advisor.errors import RulesLoadError
    from advisor.site.build import NotASite, SiteBuildError, build_site

    choose_language(ctx, lang)
    chosen = site_languages(languages)
    if base_url is not None and not base_url.startswith(("https://", "http://")):
        fail(
            _("--base-url must be an absolute http or https address, not %(url)s", url=base_url),
            ExitCode.USAGE,
        )
    try:
        result = build_site(out, chosen, base_url=base_url)
    except NotASite:
        fail(
            _(
                "%(path)s is not empty and holds no help site built by advisor: choose an "
                "empty or new folder; nothing was written",
                path=out,
            ),
            ExitCode.USAGE,
        )
    except SiteBuildError as exc:
        fail(_("cannot write %(path)s: %(reason)s", path=out, reason=exc.reason), ExitCode.USAGE)
    except RulesLoadError as exc:
        fail(_("the rules cannot be loaded: %(problem)s", problem=exc), ExitCode.FAILED)
    if wants_json(ctx, json_output):
        emit_json(
            {
                "path": str(result.path),
                "languages": list(result.languages),
                "pages": result.pages,
                "files": result.files,
            }
        )
        return
    say(
        ngettext(
            "%(n)s page written to %(path)s (%(languages)s)",
            "%(n)s pages written to %(path)s (%(languages)s)",
            result.pages,
            path=result.path,
            languages=", ".join(result.languages),
        )
    )
