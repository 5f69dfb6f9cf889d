"""The support staff's triage page: the form of every fact, the decision with the rules
behind it, a plain-text summary for the ticket, "read my card", and a file of cases
decided as a download.

The form is sent with GET: a decision is a link (to paste into a ticket or to open
again), the browser's back button works, and nothing is kept on the server. A case's
facts hold no code, and the page is sent with `Cache-Control: no-store` and
`Referrer-Policy: no-referrer` (advisor/web/security.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import Any, Final
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from advisor.engine import Decision, RuleBook
from advisor.errors import FactError
from advisor.facts.case import Facts, parse_facts
from advisor.guidance import load_translations, render_decision, route_title
from advisor.guidance.render import SourceLink, source_links
from advisor.site.pages import TRIAGE
from advisor.site.render import demoted, guidance_html
from advisor.translatable import N_
from advisor.triage.records import check_encoding
from advisor.web import form
from advisor.web.api import batch_response
from advisor.web.batchstream import FORMATS
from advisor.web.cardread import REASONS, CardReadError, allowed, read_card, reader_present
from advisor.web.pages import error_page, known_language, state_of
from advisor.web.settings import MiB

_NO_STORE: Final = {"Cache-Control": "no-store"}
# The encodings the upload offers: UTF-8, and what Excel writes for CSV in Western and
# Baltic (Estonian) Windows, and Latin-9.
ENCODINGS: Final = ("utf-8", "cp1257", "cp1252", "iso-8859-15")
_CARD_MESSAGES: Final = {
    "no_service": N_("The smart-card service (pcscd) is not running on this computer."),
    "no_reader": N_("No card reader is connected."),
    "no_card": N_("There is no card in the reader."),
    "several_readers": N_("More than one reader holds a card: leave one card in."),
    "card_in_use": N_("Another program is using the card: close it and try again."),
    "not_estonian": N_("The card in the reader is not an Estonian eID card."),
    "failed": N_("The card could not be read."),
}
assert set(_CARD_MESSAGES) == set(REASONS)


@dataclass(frozen=True)
class Explained:
    """One rule that fired: its name, file, reason (translated) and sources."""

    name: str
    file: str
    reason: str
    sources: list[SourceLink]


@dataclass
class Outcome:
    """What the page shows under the form."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    facts: Facts | None = None
    decision: Decision | None = None


def _translate(lang: str, message: str, values: dict[str, Any] | None = None) -> str:
    text = load_translations(lang).gettext(message)
    return text % values if values else text


def _decide(request: Request, values: dict[str, str], lang: str) -> Outcome:
    outcome = Outcome(values)
    try:
        facts = parse_facts(
            {k: v for k, v in values.items() if v.strip()}, human=True, default_today=date.today()
        )
    except FactError as exc:
        for problem in exc.every:
            template = problem.template or problem.message
            outcome.errors[problem.field] = _translate(lang, template, dict(problem.values))
        return outcome
    outcome.facts = facts
    outcome.decision = state_of(request).decider.decide(facts)
    # A select shows the value as read (`Jah` is `yes`); a typed text stays as typed.
    for name, value in facts.to_json().items():
        if form.FIELDS[name].options:
            outcome.values[name] = form.as_form_value(name, value)
    return outcome


def explained(decision: Decision, book: RuleBook, lang: str) -> list[Explained]:
    rules = {rule.name: rule for rule in book.rules()}
    return [
        Explained(
            name,
            rules[name].file,
            _translate(lang, rules[name].because),
            source_links(rules[name].source),
        )
        for name in decision.fired
    ]


def transcript(outcome: Outcome, book: RuleBook, lang: str) -> str:
    """The decision as plain text, to paste into a ticket: the facts as given, the
    guidance, and why."""
    assert outcome.facts is not None
    assert outcome.decision is not None
    decision = outcome.decision
    facts = outcome.facts.to_json()
    lines = [
        _translate(lang, N_("Facts: %(facts)s"), {"facts": _facts_line(facts)}),
        "",
        render_decision(decision.to_json(), facts=facts, lang=lang, fmt="text", width=80).rstrip(),
        "",
        _translate(lang, N_("Why (rules %(version)s):"), {"version": decision.rules_version}),
    ]
    for rule in explained(decision, book, lang):
        lines.append(f"  {rule.name} [{rule.file}]: {rule.reason}")
        if rule.sources:
            listed = "; ".join(f"{s['title']} <{s['url']}>" for s in rule.sources)
            lines.append(
                "      " + _translate(lang, N_("sources: %(sources)s"), {"sources": listed})
            )
    if not decision.fired:
        lines.append(
            "  " + _translate(lang, N_("no rule holds in every completion of the unknown facts"))
        )
    return "\n".join(lines) + "\n"


def _facts_line(facts: dict[str, Any]) -> str:
    return ", ".join(f"{name}={_shown(value)}" for name, value in facts.items())


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


async def triage_page(request: Request) -> Response:
    lang = known_language(request)
    values = form.submitted_values(request.query_params)
    outcome = Outcome({}) if values is None else _decide(request, values, lang)
    card_error = request.query_params.get("card_error")
    return await render(
        request,
        lang,
        outcome,
        card_error=_translate(lang, _CARD_MESSAGES[card_error])
        if card_error in _CARD_MESSAGES
        else None,
    )


async def render(
    request: Request,
    lang: str,
    outcome: Outcome,
    *,
    card_error: str | None = None,
    upload_error: str | None = None,
    status: int = 200,
) -> Response:
    state = state_of(request)
    settings = state.settings
    client = request.client.host if request.client else None
    can_read = allowed(settings, client, request.headers.get("host")) and await run_in_threadpool(
        reader_present, settings
    )
    context: dict[str, Any] = {
        "groups": form.GROUPS,
        "values": outcome.values,
        "errors": outcome.errors,
        "decision": outcome.decision,
        "card_reading": can_read,
        "card_error": card_error,
        "upload_error": upload_error,
        "encodings": ENCODINGS,
        "max_upload_mib": max(1, settings.max_upload // MiB),
    }
    if outcome.decision is not None and outcome.facts is not None:
        decision = outcome.decision
        book = state.decider.book
        context.update(
            decision_html=demoted(
                guidance_html(
                    render_decision(
                        decision.to_json(), facts=outcome.facts.to_json(), lang=lang, fmt="html"
                    )
                )
            ),
            decision_title=route_title(str(decision.route), lang) if decision.route else None,
            explained=explained(decision, book, lang),
            transcript=transcript(outcome, book, lang),
            decision_json=_pretty(decision),
        )
    html = state.site.render(TRIAGE, lang, **context)
    return HTMLResponse(html, status_code=status, headers=_NO_STORE)


def _pretty(decision: Decision) -> str:
    import json

    return json.dumps(decision.to_json(), ensure_ascii=False, indent=2)


async def read_card_into_form(request: Request) -> Response:
    """ "Read my card": the card's facts over the form's own, then the decision."""
    known_language(request)
    state = state_of(request)
    client = request.client.host if request.client else None
    if not allowed(state.settings, client, request.headers.get("host")):
        return error_page(request, 403)
    values = form.submitted_values(request.query_params) or {}
    try:
        found = await run_in_threadpool(read_card, state.settings)
    except CardReadError as exc:
        query = urlencode({**values, "card_error": exc.reason})
        return RedirectResponse(f"../triage?{query}", status_code=303)
    for name, value in found.facts.items():
        values[name] = form.as_form_value(name, value)
    return RedirectResponse(f"../triage?{urlencode(values)}", status_code=303)


async def upload(request: Request) -> Response:
    """A file of cases from the form, its decisions back as a JSON Lines download."""
    lang = known_language(request)
    data = await request.form(max_files=1, max_fields=8)
    chosen = data.get("file")
    if not isinstance(chosen, UploadFile) or not chosen.filename:
        message = _translate(lang, N_("Choose a file of cases (CSV or JSON Lines)."))
        return await render(request, lang, Outcome({}), upload_error=message, status=400)
    name = PurePath(chosen.filename).name
    fmt = str(data.get("format") or "auto")
    if fmt == "auto":
        fmt = "csv" if name.lower().endswith(".csv") else "jsonl"
    encoding = str(data.get("encoding") or "utf-8")
    if fmt not in FORMATS or encoding not in ENCODINGS:
        message = _translate(lang, N_("Choose the file's format and encoding from the lists."))
        return await render(request, lang, Outcome({}), upload_error=message, status=400)
    codec = check_encoding(encoding)
    stem = re.sub(r"[^\w.-]+", "_", PurePath(name).stem, flags=re.ASCII) or "cases"
    return batch_response(
        request,
        chosen.file,
        fmt,
        codec,
        headers={"Content-Disposition": f'attachment; filename="{stem}.decisions.jsonl"'},
    )
