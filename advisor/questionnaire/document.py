"""One step of the interview as JSON: the question with its texts, or the outcome.

The JSON Lines protocol of `advisor guide --json` (docs/questionnaire.md) writes
`question_document` for each question and `outcome_document` at the end;
`POST /api/v1/interview` answers `step_document`, which holds either, with the token
to send back. Names and values are the contract's; the texts (`text`, `labels`,
`howto`) are in the chosen language; errors and everything else stay English, as all
machine output does.
"""

from __future__ import annotations

from typing import Any

from advisor.guidance import load_translations, question_howto, question_text
from advisor.interview import Interview, Question

_WIDTH = 80


def _gettext(lang: str) -> Any:
    return load_translations(lang).gettext


def answer_words(question: Question, lang: str) -> dict[str, str]:
    """The choices' labels in `lang`, folded, as words the holder may answer with."""
    gettext = _gettext(lang)
    return {gettext(c.label).casefold(): c.value for c in question.choices}


def howto(question: Question, interview: Interview, lang: str) -> str:
    """How to find out the answer, as plain text for the facts known so far."""
    return question_howto(
        question.field, lang, facts=interview.facts.to_json(), width=_WIDTH
    ).rstrip("\n")


def question_document(question: Question, interview: Interview, lang: str) -> dict[str, Any]:
    gettext = _gettext(lang)
    return {
        "question": question.field,
        "choices": [c.value for c in question.choices],
        "text": question_text(question.field, lang),
        "kind": str(question.kind),
        "labels": [gettext(c.label) for c in question.choices],
        "takes_date": question.takes_date,
        "howto": howto(question, interview, lang),
        "why": {
            "reason": str(question.why.reason),
            "candidates": [str(r) for r in question.why.candidates],
            "advisories": [str(a) for a in question.why.advisories],
        },
        "step": len(interview.path) + 1,
    }


def outcome_document(interview: Interview) -> dict[str, Any]:
    """The decision (contract §2) for the facts as they stand, those facts, and the
    questions answered "I don't know"."""
    return {
        "decision": interview.decision.to_json(),
        "facts": interview.facts.to_json(),
        "unknown": list(interview.unknown),
    }


def step_document(interview: Interview, lang: str) -> dict[str, Any]:
    """Where an interview stands, for a client that keeps nothing but the token: the
    answers so far, and the next question or, once the interview is over, the outcome
    (docs/web.md)."""
    question = interview.next
    return {
        "token": interview.token(),
        "rules_version": interview.rules_version,
        "done": question is None,
        "answered": [
            {"question": step.question.field, "fact": step.answer.fact, "value": step.answer.value}
            for step in interview.path
        ],
        "question": None if question is None else question_document(question, interview, lang),
        **outcome_document(interview),
    }
