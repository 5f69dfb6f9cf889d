"""The holder's questionnaire, on the server: `GET/POST /{lang}/questionnaire` and
`POST /api/v1/interview`.

The state is the interview's token (advisor/interview/token.py) and nothing else: the
server keeps no session, so any worker answers any step. The page works without
JavaScript: each answer is a form sent with POST, answered with a redirect to the next
step's address (`?t=TOKEN`), so every step is a page of its own and the browser's back
button returns to the previous one (assets/interview.js only spares the reloads). The
questions, their order and the decision are the interview's, the same as `advisor
guide` asks and the help site's offline page walks (tests/browser/test_questionnaire.py
walks all three).

The token holds the answers (whether the card is lost, its dates, attempts left), never
a code: no form field and no API field takes a PIN or PUK (tests/test_web.py).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Final
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from advisor.errors import AdvisorError, FactError, field_label
from advisor.guidance import load_translations, question_howto, render_decision
from advisor.interview import AnswerError, Interview, InterviewError, TokenError
from advisor.interview.transcript import answer_label
from advisor.questionnaire import answer_words, step_document
from advisor.questionnaire.wording import PageWording
from advisor.site import LANGUAGES
from advisor.site.pages import INTERVIEW
from advisor.site.render import demoted, guidance_html
from advisor.translatable import N_
from advisor.web.errors import error_document
from advisor.web.negotiation import preferred_language
from advisor.web.pages import known_language, state_of
from advisor.web.staff import explained

# The query parameter and form field that carry the interview's state (its token).
STATE_PARAM: Final = "t"
_NO_STORE: Final = {"Cache-Control": "no-store"}
# What a form may send: the token, one answer (a choice's value, or a date), or "I
# don't know"; `date` marks the date form, whose empty answer is a mistake, not "I don't
# know".
_FORM_FIELDS: Final = (STATE_PARAM, "answer", "date", "dont_know")


def _translate(lang: str, error: AdvisorError) -> str:
    template = error.template
    if template is None:
        return str(error)
    text: str = load_translations(lang).gettext(template)
    return text % dict(error.values) if error.values else text


def _start(request: Request, token: str | None) -> Interview:
    decider = state_of(request).decider
    if token:
        return Interview.from_token(decider, token)
    return Interview(decider, today=date.today(), ask_safety=True)


def _address(interview: Interview | None) -> str:
    """A step's address, relative to the page's own (`/{lang}/questionnaire`), so that
    the site works under any prefix a proxy puts it behind."""
    base = "questionnaire"
    return base if interview is None else f"{base}?{urlencode({STATE_PARAM: interview.token()})}"


# --- the page -------------------------------------------------------------------------


async def page(request: Request) -> Response:
    """One step: the next question, or the decision."""
    lang = known_language(request)
    token = request.query_params.get(STATE_PARAM)
    try:
        interview = _start(request, token)
    except TokenError as exc:
        return _render(request, lang, None, token_error=_translate(lang, exc), status=400)
    return _render(request, lang, interview)


async def answer(request: Request) -> Response:
    """An answer from the page's form: on to the next step's address (303), or the same
    step again with the reason the answer was refused (422)."""
    lang = known_language(request)
    form = await request.form(max_files=0, max_fields=len(_FORM_FIELDS))
    token = str(form.get(STATE_PARAM) or "")
    try:
        interview = _start(request, token)
    except TokenError as exc:
        return _render(request, lang, None, token_error=_translate(lang, exc), status=400)
    question = interview.next
    if question is None:
        return RedirectResponse(_address(interview), status_code=303)
    raw = str(form.get("answer") or "")
    try:
        if form.get("dont_know"):
            following = interview.answer(None)
        elif not raw.strip():
            message = (
                N_("write the day, the month and a four-digit year, for example 17.11.2025")
                if form.get("date")
                else N_("choose one of the answers")
            )
            raise AnswerError.about(question.field, message)
        else:
            following = interview.answer(raw, words=answer_words(question, lang))
    except AnswerError as exc:
        return _render(request, lang, interview, answer_error=_translate(lang, exc), status=422)
    return RedirectResponse(_address(following), status_code=303)


def _render(
    request: Request,
    lang: str,
    interview: Interview | None,
    *,
    token_error: str | None = None,
    answer_error: str | None = None,
    status: int = 200,
) -> Response:
    state = state_of(request)
    context: dict[str, Any] = {
        "interview": interview,
        "token_error": token_error,
        "answer_error": answer_error,
        "start_href": _address(None),
    }
    if interview is not None:
        context.update(_step_context(interview, lang, state.decider.book))
    html = state.site.render(INTERVIEW, lang, **context)
    return HTMLResponse(html, status_code=status, headers=_NO_STORE)


def _step_context(interview: Interview, lang: str, book: Any) -> dict[str, Any]:
    gettext = load_translations(lang).gettext
    facts = interview.facts.to_json()
    wording = PageWording(lang)
    answered = []
    for step in interview.path:
        answered.append(
            {
                "field": step.question.field,
                "question": wording.question(step.question.field),
                "answer": answer_label(wording, step.answer),
                "change": _address(interview.withdraw(step.question.field)),
            }
        )
    context: dict[str, Any] = {
        "token": interview.token(),
        "number": len(interview.path) + 1,
        "answered": answered,
        "back_href": _address(interview.back()) if interview.path else None,
        "question": None,
    }
    question = interview.next
    if question is not None:
        context["question"] = {
            "field": question.field,
            "kind": str(question.kind),
            "text": wording.question(question.field),
            "choices": [(c.value, gettext(c.label)) for c in question.choices],
            "takes_date": question.takes_date,
            "howto": guidance_html(question_howto(question.field, lang, facts=facts, fmt="html")),
        }
        return context
    decision = interview.decision
    context.update(
        decision=decision,
        decision_html=demoted(
            guidance_html(render_decision(decision.to_json(), facts=facts, lang=lang, fmt="html"))
        ),
        explained=explained(decision, book, lang),
        transcript=interview.transcript().to_text(wording),
    )
    return context


# --- the API --------------------------------------------------------------------------

BODY: Final = "(body)"
_API_FIELDS: Final = ("token", "answer", "back", "change", "facts", "lang")


async def api(request: Request) -> Response:
    """`POST /api/v1/interview`: a step of the interview for a client that keeps only the
    token (docs/web.md). Errors are 422 with the field named; an answer the question
    does not take also gives the step again, so the client can ask it again."""
    body = await request.body()
    try:
        data = json.loads(body or b"{}")
    except (UnicodeDecodeError, ValueError):
        return _api_error(BODY, "the body is not a JSON object")
    if not isinstance(data, dict):
        return _api_error(BODY, "the body is not a JSON object")
    unknown = sorted(set(data) - set(_API_FIELDS))
    if unknown:
        return _api_error(
            field_label(unknown[0]), f"not a field of this request: {', '.join(_API_FIELDS)}"
        )
    lang = data.get("lang")
    if lang is None:
        lang = preferred_language(request.headers.get("accept-language"), LANGUAGES)
    elif lang not in LANGUAGES:
        return _api_error("lang", f"one of {', '.join(LANGUAGES)}")
    token = data.get("token")
    if token is not None and not isinstance(token, str):
        return _api_error("token", "a string, as a step of this API gave it")
    facts = data.get("facts")
    if facts is not None and (token is not None or not isinstance(facts, dict)):
        return _api_error("facts", "an object of contract facts, and only to start (without token)")
    decider = state_of(request).decider
    try:
        if token is None:
            interview = Interview(decider, facts or {}, today=date.today(), ask_safety=True)
        else:
            interview = Interview.from_token(decider, token)
    except FactError as exc:
        return _api_error(f"facts.{exc.field}" if exc.field else "facts", exc.message)
    except TokenError as exc:
        return _api_error("token", exc.message)
    changes = [name for name in ("answer", "back", "change") if name in data]
    if len(changes) > 1:
        return _api_error(changes[1], "send one of answer, back or change")
    try:
        if "answer" in data:
            raw = data["answer"]
            if raw is not None and not isinstance(raw, str):
                return _api_error("answer", "a string, or null for I don't know")
            question = interview.next
            words = answer_words(question, lang) if question is not None else None
            interview = interview.answer(raw, words=words)
        elif data.get("back") is True:
            interview = interview.back()
        elif "back" in data:
            return _api_error("back", "true, to take the last answer back")
        elif "change" in data:
            if not isinstance(data["change"], str):
                return _api_error("change", "the name of a question already answered")
            interview = interview.withdraw(data["change"])
    except AnswerError as exc:
        document = {**error_document(exc.message, exc.field), **step_document(interview, lang)}
        return JSONResponse(document, status_code=422, headers=_NO_STORE)
    except InterviewError as exc:
        return _api_error(exc.field or next(iter(changes), BODY), exc.message)
    return JSONResponse(step_document(interview, lang), headers=_NO_STORE)


def _api_error(field: str, message: str) -> Response:
    return JSONResponse(error_document(message, field), status_code=422, headers=_NO_STORE)
