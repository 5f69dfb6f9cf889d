"""The API's OpenAPI 3.1 document, made from the contract's own definitions.

The schemas come from the facts layer (the fields of contract §1, their types and
values) and the model (routes, advisories, urgencies, statuses), so the document cannot
drift from what the API takes and gives. The summaries and descriptions are msgids: the
API reference page (`/{lang}/api`) shows them translated; the document itself is English,
as all machine output is.
"""

from __future__ import annotations

from typing import Any, Final

from advisor import __version__
from advisor.facts.case import BOOL_FIELDS, DATE_FIELDS, ENUM_FIELDS, MAX_TRIES, TRIES_FIELDS
from advisor.facts.case import FIELD_NAMES as FACT_FIELDS
from advisor.guidance import QUESTIONS
from advisor.model import Advisory, Route, Status, Urgency
from advisor.site.pages import LANGUAGES as _LANGUAGES
from advisor.translatable import N_

JSON: Final = "application/json"
JSON_LINES: Final = "application/x-ndjson"
CSV: Final = "text/csv"

_FACT_TEXT: Final = {
    "id": N_("Case id, echoed in the decision (an integer is turned into a string)."),
    "today": N_("Evaluation date; the rules never read the clock (default: today)."),
    "card_generation": N_("The chip (else derived from the date of issue)."),
    "issue_date": N_("Date of issue printed on the card."),
    "expiry_date": N_("Date of expiry printed on the card."),
    "document_type": N_("The kind of document (wording only)."),
    "location": N_("Where the holder is (wording only)."),
    "card_lost": N_("Not in the holder's hands (absent: false)."),
    "card_stolen": N_("Stolen; implies card_lost (absent: false)."),
    "codes_compromised": N_("Someone else may know a code (absent: false)."),
    "certificates_suspended": N_("Suspended, and the card is back in hand (absent: false)."),
    "pin2_activated": N_("Thales: PIN2 changed since issue."),
    "card_activated": N_("Thales: activated in the police self-service."),
    "has_other_eid": N_("Another working eID, such as Smart-ID or another card."),
}
# TRANSLATORS: The API reference: what a field of a case means. "known" is whether the
# holder has the code, never the code itself.
_KNOWN: Final = N_("Whether the holder has this code (never the code itself).")
_TRIES: Final = N_("Attempts left, 0 to 3; 0 = blocked.")


def fact_text(name: str) -> str:
    if name in _FACT_TEXT:
        return _FACT_TEXT[name]
    if name.endswith("_known"):
        return _KNOWN
    return _TRIES


def _fact_schema(name: str) -> dict[str, Any]:
    if name in TRIES_FIELDS:
        schema: dict[str, Any] = {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_TRIES}
    elif name in BOOL_FIELDS:
        schema = {"type": ["boolean", "null"]}
    elif name in DATE_FIELDS:
        schema = {"type": ["string", "null"], "format": "date"}
    elif name in ENUM_FIELDS:
        schema = {"enum": [*(str(m) for m in ENUM_FIELDS[name]), None]}
    else:  # id
        schema = {"type": ["string", "integer", "null"]}
    schema["description"] = fact_text(name)
    return schema


def _enum(values: list[str], nullable: bool = False) -> dict[str, Any]:
    return {"enum": [*values, None] if nullable else values}


def _error_schema() -> dict[str, Any]:
    problem = {
        "type": "object",
        "properties": {"field": {"type": ["string", "null"]}, "message": {"type": "string"}},
        "required": ["field", "message"],
    }
    return {
        "type": "object",
        "properties": {
            "field": {"type": ["string", "null"]},
            "message": {"type": "string"},
            "line": {"type": "integer", "minimum": 1},
            "problems": {"type": "array", "items": problem},
        },
        "required": ["field", "message"],
    }


def schemas() -> dict[str, Any]:
    routes = [str(r) for r in Route]
    return {
        "Facts": {
            "type": "object",
            "description": N_("One case (contract §1, docs/facts.md). Every field is optional."),
            "properties": {name: _fact_schema(name) for name in FACT_FIELDS},
            "additionalProperties": False,
        },
        "Decision": {
            "type": "object",
            "description": N_(
                "What the rules conclude (contract §2, docs/decisions.md); an invalid case "
                "gives status error and the error instead."
            ),
            "properties": {
                "id": {"type": ["string", "null"]},
                "status": _enum([str(s) for s in Status]),
                "route": _enum(routes, nullable=True),
                "urgency": _enum([str(u) for u in Urgency], nullable=True),
                "also": {"type": "array", "items": _enum(routes)},
                "advisories": {"type": "array", "items": _enum([str(a) for a in Advisory])},
                "questions": {"type": "array", "items": _enum(list(QUESTIONS))},
                "candidates": {"type": "array", "items": _enum(routes)},
                "fired": {"type": "array", "items": {"type": "string"}},
                "because": {"type": "array", "items": {"type": "string"}},
                "error": _error_schema(),
                "rules_version": {"type": "string"},
            },
            "required": ["id", "status", "rules_version"],
        },
        "InterviewRequest": {
            "type": "object",
            "description": N_(
                "A step of the questionnaire. Without token: start, from the facts known "
                "(optional). With token: answer the question it is at, or take an answer "
                "back (back, change), or only show where it stands."
            ),
            "properties": {
                "token": {
                    "type": "string",
                    "description": N_("The state, as the last step gave it."),
                },
                "answer": {
                    "type": ["string", "null"],
                    "description": N_(
                        "The answer to the question: one of its choices or labels, a date, "
                        "or null for I don't know. Never a code."
                    ),
                },
                "back": {"const": True, "description": N_("Take the last answer back.")},
                "change": {
                    "enum": list(QUESTIONS),
                    "description": N_("Take back the answer to this question, to answer again."),
                },
                "facts": {
                    **_ref("Facts"),
                    "description": N_("Facts known before the first question (start only)."),
                },
                "lang": {
                    "enum": list(_LANGUAGES),
                    "description": N_("The language of the texts (default: from Accept-Language)."),
                },
            },
            "additionalProperties": False,
        },
        "InterviewStep": {
            "type": "object",
            "description": N_(
                "Where the questionnaire stands: the answers so far, the next question (null "
                "once it is over) and the decision for the facts as they stand."
            ),
            "properties": {
                "token": {"type": "string"},
                "rules_version": {"type": "string"},
                "done": {"type": "boolean"},
                "answered": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "question": {"enum": list(QUESTIONS)},
                            "fact": {"type": "string"},
                            "value": {"type": ["string", "integer", "boolean", "null"]},
                        },
                    },
                },
                "question": {
                    "type": ["object", "null"],
                    "properties": {
                        "question": {"enum": list(QUESTIONS)},
                        "choices": {"type": "array", "items": {"type": "string"}},
                        "text": {"type": "string"},
                        "kind": {"enum": ["yes_no", "count", "chip", "date"]},
                        "labels": {"type": "array", "items": {"type": "string"}},
                        "takes_date": {"type": "boolean"},
                        "howto": {"type": "string"},
                        "why": {"type": "object"},
                        "step": {"type": "integer", "minimum": 1},
                    },
                },
                "decision": _ref("Decision"),
                "facts": _ref("Facts"),
                "unknown": {"type": "array", "items": {"enum": list(QUESTIONS)}},
                "error": _error_schema(),
            },
            "required": ["token", "done", "question", "decision", "facts", "unknown"],
        },
        "Error": {
            "type": "object",
            "description": N_("A request the API cannot use: the field and why."),
            "properties": {"error": _error_schema()},
            "required": ["error"],
        },
        "Health": {
            "type": "object",
            "properties": {
                "status": {"const": "ok"},
                "version": {"type": "string"},
                "rules_version": {"type": "string"},
            },
            "required": ["status", "rules_version"],
        },
        "CardFacts": {
            "type": "object",
            "description": N_(
                "The facts the card tells (no code, no personal data), and what could not "
                "be verified."
            ),
            "properties": {
                "facts": {"$ref": "#/components/schemas/Facts"},
                "unverified": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["facts", "unverified"],
        },
    }


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json_response(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ref(schema)}}}


def document() -> dict[str, Any]:
    error = _json_response(N_("The request cannot be used: JSON naming the problem."), "Error")
    too_large = _json_response(N_("The body is larger than the server takes."), "Error")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "advisor API",
            "version": __version__,
            "description": N_(
                "Decisions for Estonian eID card cases: the facts of a case in, the route, "
                "advisories and questions out. The API never takes or gives a PIN or PUK."
            ),
        },
        "paths": {
            "/api/v1/decide": {
                "post": {
                    "operationId": "decide",
                    "summary": N_("Decide one case"),
                    "description": N_(
                        "The facts of one case as a JSON object; the decision as "
                        "`advisor triage case --json` gives it. Invalid facts give status "
                        "422 and the same error document as that command."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {JSON: {"schema": _ref("Facts")}},
                    },
                    "responses": {
                        "200": _json_response(N_("The decision."), "Decision"),
                        "413": too_large,
                        "415": error,
                        "422": _json_response(
                            N_("Invalid facts: a decision with status error naming the field."),
                            "Decision",
                        ),
                    },
                }
            },
            "/api/v1/triage": {
                "post": {
                    "operationId": "triage",
                    "summary": N_("Decide a file of cases"),
                    "description": N_(
                        "JSON Lines (or CSV with Content-Type text/csv or format=csv) in, one "
                        "decision line per record out, in order, streamed as the records "
                        "are decided: the lines of `advisor triage batch`, error records "
                        "included."
                    ),
                    "parameters": [
                        {
                            "name": "format",
                            "in": "query",
                            "required": False,
                            "description": N_("jsonl or csv (default: from the Content-Type)."),
                            "schema": {"enum": ["jsonl", "csv"]},
                        },
                        {
                            "name": "encoding",
                            "in": "query",
                            "required": False,
                            "description": N_(
                                "The body's encoding, e.g. cp1252 for a CSV from Excel "
                                "(default: utf-8)."
                            ),
                            "schema": {"type": "string", "default": "utf-8"},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            JSON_LINES: {"schema": {"type": "string"}},
                            CSV: {"schema": {"type": "string"}},
                        },
                    },
                    "responses": {
                        "200": {
                            "description": N_("One decision per line (JSON Lines)."),
                            "content": {JSON_LINES: {"schema": _ref("Decision")}},
                        },
                        "400": error,
                        "413": too_large,
                    },
                }
            },
            "/api/v1/interview": {
                "post": {
                    "operationId": "interview",
                    "summary": N_("Ask the questionnaire, one step at a time"),
                    "description": N_(
                        "The questionnaire of `advisor guide` for a client that keeps only "
                        "the token: each step gives the next question with its texts in the "
                        "chosen language, or the decision once nothing left to ask can "
                        "change it. The server keeps nothing."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {JSON: {"schema": _ref("InterviewRequest")}},
                    },
                    "responses": {
                        "200": _json_response(N_("The next step."), "InterviewStep"),
                        "413": too_large,
                        "422": _json_response(
                            N_(
                                "The request cannot be used (the field is named); an answer "
                                "the question does not take also gives the same step again."
                            ),
                            "InterviewStep",
                        ),
                    },
                }
            },
            "/api/v1/card": {
                "get": {
                    "operationId": "readCard",
                    "summary": N_("Read the facts of the card in this computer's reader"),
                    "description": N_(
                        "Only on a server that listens on this computer alone, and only for "
                        "requests from it. Reads counters, flags, dates and the document "
                        "type; never a code, never personal data."
                    ),
                    "responses": {
                        "200": _json_response(N_("The card's facts."), "CardFacts"),
                        "403": error,
                        "503": error,
                    },
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": N_("Health check"),
                    "description": N_("Answers when the rules are loaded."),
                    "responses": {"200": _json_response(N_("Ready."), "Health")},
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": N_("This document"),
                    "responses": {
                        "200": {
                            "description": N_("The OpenAPI document."),
                            "content": {JSON: {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {"schemas": schemas()},
    }
