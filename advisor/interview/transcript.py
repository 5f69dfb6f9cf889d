"""The transcript of an interview: the facts known before it, each question with its
answer, and the decision; as JSON (English, the contract's names) or as plain text in the
holder's language, for a help-desk ticket.

The words of the plain text come from a `Wording`: the question texts and the titles of
routes and advisories live in the guidance templates, which this layer does not import;
the surface that shows the transcript (the command line, a web page) provides them. The
transcript's own words are msgids marked here, translated by the wording.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Final, Protocol

from advisor.engine import Decision
from advisor.facts import Facts
from advisor.interview.answers import Answer, Value
from advisor.interview.questions import BLOCKED_LABEL, CHIP_LABELS, ISSUE_DATE, NO, YES
from advisor.model import Advisory, DocumentType, Generation, Location, Route, Status, Urgency
from advisor.translatable import N_

if TYPE_CHECKING:
    from advisor.interview.interview import Interview, Step


class Wording(Protocol):
    """The words of one language."""

    def text(self, msgid: str, **values: object) -> str:
        """A msgid of this package, translated and filled."""
        ...

    def question(self, field: str) -> str:
        """A question, on one line."""
        ...

    def route(self, route: Route) -> str:
        """A route's title."""
        ...

    def advisory(self, advisory: Advisory) -> str:
        """An advisory's title."""
        ...

    def day(self, value: date) -> str:
        """A date."""
        ...


DONT_KNOW: Final = N_("I don't know")
_DOCUMENTS: Final = {
    DocumentType.E_RESIDENT: N_("e-resident digital ID"),
    DocumentType.ID_CARD: N_("ID card"),
    DocumentType.DIGI_ID: N_("digi-ID"),
    DocumentType.RESIDENCE_PERMIT: N_("residence permit card"),
    DocumentType.DIPLOMATIC: N_("diplomatic ID card"),
}
_LOCATIONS: Final = {Location.ESTONIA: N_("in Estonia"), Location.ABROAD: N_("abroad")}
# The same sentences as the guidance's urgency line (content/templates/_layout.md.j2).
_URGENCY: Final = {
    Urgency.NOW: N_("Do this now."),
    Urgency.SOON: N_("Do this soon."),
    Urgency.WHEN_CONVENIENT: N_("No rush: do this when it suits you."),
}


@dataclass(frozen=True)
class Transcript:
    rules_version: str
    today: date
    token: str
    known: Mapping[str, Any]
    steps: tuple[Step, ...]
    done: bool
    decision: Decision
    facts: Facts

    @classmethod
    def of(cls, interview: Interview) -> Transcript:
        return cls(
            interview.rules_version,
            interview.today,
            interview.token(),
            dict(interview.known),
            interview.path,
            interview.done,
            interview.decision,
            interview.facts,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "rules_version": self.rules_version,
            "today": self.today.isoformat(),
            "token": self.token,
            "known": dict(self.known),
            "steps": [
                {"question": s.question.field, "fact": s.answer.fact, "answer": s.answer.value}
                for s in self.steps
            ],
            "unknown": [s.question.field for s in self.steps if not s.answer.known],
            "done": self.done,
            "decision": self.decision.to_json(),
            "facts": self.facts.to_json(),
        }

    def to_text(self, wording: Wording) -> str:
        w = wording
        lines = [
            w.text(N_("Interview transcript (advisor)")),
            w.text(
                N_("Date: %(date)s. Rules version: %(version)s."),
                date=w.day(self.today),
                version=self.rules_version,
            ),
            w.text(N_("To resume it: %(token)s"), token=self.token),
        ]
        shown_known = [(k, v) for k, v in self.known.items() if k != "id"]
        if "id" in self.known:
            lines.append(w.text(N_("Case: %(id)s"), id=self.known["id"]))
        if shown_known:
            lines += ["", w.text(N_("Known before the questions:"))]
            lines += [
                f"- {w.question(name)} {value_label(w, name, value)}" for name, value in shown_known
            ]
        lines += ["", w.text(N_("Questions and answers:"))]
        if not self.steps:
            lines.append(w.text(N_("No question was needed.")))
        for number, step in enumerate(self.steps, 1):
            answer = answer_label(w, step.answer)
            lines.append(f"{number}. {w.question(step.question.field)} {answer}")
        if not self.done:
            lines.append(w.text(N_("The interview stopped before its last question.")))
        lines += ["", *decision_lines(w, self.decision)]
        return "\n".join(lines) + "\n"


def decision_lines(w: Wording, decision: Decision) -> list[str]:
    """The decision in a few lines: the route and its urgency, or the routes still
    possible; then the routes after it and the advisories."""
    lines = [w.text(N_("Decision:"))]
    if decision.status is Status.DECIDED and decision.route is not None:
        urgency = w.text(_URGENCY[decision.urgency]) if decision.urgency else ""
        lines.append(f"{w.route(decision.route)}. {urgency}".strip())
        if decision.also:
            lines.append(
                w.text(N_("Then also: %(routes)s"), routes="; ".join(map(w.route, decision.also)))
            )
    else:
        lines.append(
            w.text(
                N_("Not decided yet. Still possible: %(routes)s"),
                routes="; ".join(map(w.route, decision.candidates)),
            )
        )
    if decision.advisories:
        lines.append(
            w.text(
                N_("Good to know: %(advisories)s"),
                advisories="; ".join(map(w.advisory, decision.advisories)),
            )
        )
    return lines


def answer_label(w: Wording, answer: Answer) -> str:
    if answer.value is None:
        return w.text(DONT_KNOW)
    if answer.fact == ISSUE_DATE:  # the chip question, answered with the date of issue
        return w.text(N_("issued on %(date)s"), date=w.day(date.fromisoformat(str(answer.value))))
    return value_label(w, answer.fact, answer.value)


def value_label(w: Wording, fact: str, value: Value) -> str:
    """A fact's value in words: yes or no, a count, a date, a chip, a document."""
    if isinstance(value, bool):
        return w.text(YES.label if value else NO.label)
    if isinstance(value, int):
        return w.text(BLOCKED_LABEL) if value == 0 else str(value)
    if value is None:
        return w.text(DONT_KNOW)
    if fact in (ISSUE_DATE, "expiry_date", "today"):
        return w.day(date.fromisoformat(value))
    if fact == "card_generation":
        return w.text(CHIP_LABELS[Generation(value)])
    if fact == "document_type":
        return w.text(_DOCUMENTS[DocumentType(value)])
    if fact == "location":
        return w.text(_LOCATIONS[Location(value)])
    return value
