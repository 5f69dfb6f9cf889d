"""One holder's interview: what was known before it, every answer given, and where they
lead. No input or output happens here; a terminal, a JSON Lines stream or a web page
drives it.

The state is the facts known at the start and the answers given, by question. The
questions asked follow from them (`chooser.choose`, replayed from the start): an answer
whose question is no longer asked after an earlier answer changed is kept, unused, so
that changing that earlier answer back restores everything as it was. Every change gives
a new `Interview`; equal states compare equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from advisor.facts import MAX_TRIES, Facts, parse_facts
from advisor.interview.answers import Answer, parse_answer
from advisor.interview.chooser import choose
from advisor.interview.errors import InterviewError
from advisor.interview.questions import ISSUE_DATE, LOST, STOLEN, AnswerKind, Question
from advisor.translatable import N_

if TYPE_CHECKING:
    from advisor.engine import Decider, Decision
    from advisor.interview.transcript import Transcript


@dataclass(frozen=True)
class _Replay:
    path: tuple[Step, ...]
    data: dict[str, Any]  # the facts of the path, as contract JSON
    asked: frozenset[str]  # known or answered
    next: Question | None = None
    facts: Facts | None = None


@dataclass(frozen=True)
class Step:
    """A question on the interview's path and the answer it got."""

    question: Question
    answer: Answer


def known_facts(data: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The facts given before the interview (contract §1 JSON, strict), validated, under
    their contract names and in their JSON form; `today` is kept apart. Raises FactError
    naming the field."""
    facts = parse_facts(data, default_today=today)
    given = {name for name, value in data.items() if value is not None}
    if facts.card_stolen:
        given.add(LOST)  # a stolen card is lost (docs/facts.md)
    given.discard("today")
    return {name: value for name, value in facts.to_json().items() if name in given}


class Interview:
    """The interview over `decider`'s rules, starting from `known` facts.

    `ask_safety`: ask whether the card is lost or stolen, a code leaked, the
    certificates were suspended, unless `known` says so (`advisor guide`); without it
    those facts keep the contract's default, false, as `diagnose` reading a card in the
    holder's hands always did."""

    def __init__(
        self,
        decider: Decider,
        known: Mapping[str, Any] | None = None,
        *,
        today: date | None = None,
        ask_safety: bool = True,
        answers: Mapping[str, Answer] | None = None,
        _start: _Replay | None = None,
    ) -> None:
        data = dict(known or {})
        if today is None:
            today = parse_facts({"today": data["today"]}).today if "today" in data else None
        self.today: date = today or date.today()
        # Read-only views: the state is compared and hashed by them.
        self.known: Mapping[str, Any] = MappingProxyType(known_facts(data, self.today))
        self.ask_safety = ask_safety
        self.answers: Mapping[str, Answer] = MappingProxyType(dict(answers or {}))
        self._decider = decider
        # Where the replay may start: the path of the interview this one answers one
        # more question of (only the new question is chosen again).
        self._start = _start

    # --- the state ----------------------------------------------------------------

    @property
    def decider(self) -> Decider:
        return self._decider

    @property
    def rules_version(self) -> str:
        return self._decider.book.version

    def _key(self) -> tuple[Any, ...]:
        return (
            self.rules_version,
            self.today,
            self.ask_safety,
            tuple(sorted(self.known.items())),
            tuple(sorted(self.answers.items())),
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Interview) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Interview(known={self.known!r}, answers={self.answers!r})"

    def _with(self, answers: Mapping[str, Answer], start: _Replay | None = None) -> Interview:
        return Interview(
            self._decider,
            self.known,
            today=self.today,
            ask_safety=self.ask_safety,
            answers=answers,
            _start=start,
        )

    # --- where the answers lead ---------------------------------------------------

    @cached_property
    def _replayed(self) -> _Replay:
        """The questions the answers lead to, asked from the start (or from `_start`)
        for as long as an answer is at hand."""
        if self._start is not None:
            path, data, asked = (
                list(self._start.path),
                dict(self._start.data),
                set(self._start.asked),
            )
        else:
            path, data, asked = [], dict(self.known), set(self.known)
        while True:
            facts = parse_facts(data, default_today=self.today)
            next_question = choose(
                self._decider, facts, frozenset(asked), ask_safety=self.ask_safety
            )
            if next_question is not None:
                answer = self.answers.get(next_question.field)
                if answer is not None and fits(next_question, answer):
                    path.append(Step(next_question, answer))
                    asked.add(next_question.field)
                    apply(data, answer)
                    continue
            return _Replay(tuple(path), data, frozenset(asked), next_question, facts)

    @property
    def path(self) -> tuple[Step, ...]:
        """The questions asked so far, in order, with their answers."""
        return self._replayed.path

    @property
    def next(self) -> Question | None:
        """The next question; None when the interview is over."""
        return self._replayed.next

    @property
    def done(self) -> bool:
        return self.next is None

    @property
    def facts(self) -> Facts:
        """The known facts and the answers on the path."""
        facts = self._replayed.facts
        assert facts is not None  # a finished replay has its facts
        return facts

    @cached_property
    def decision(self) -> Decision:
        """The decision for the facts as they stand: final once `done`."""
        return self._decider.decide(self.facts)

    @property
    def unknown(self) -> tuple[str, ...]:
        """The questions answered "I don't know", in the order asked."""
        return tuple(step.question.field for step in self.path if not step.answer.known)

    # --- changes ------------------------------------------------------------------

    def answer(self, raw: str | None, *, words: Mapping[str, str] | None = None) -> Interview:
        """Answer the next question with what the holder typed (None or empty: "I
        don't know"); raises AnswerError, naming the field, for an answer it does not
        take."""
        replayed = self._replayed
        current = replayed.next
        if current is None:
            raise InterviewError.about(None, N_("the interview is over: there is no question"))
        given = parse_answer(current, raw, words=words)
        data = dict(replayed.data)
        apply(data, given)
        start = _Replay(
            (*replayed.path, Step(current, given)), data, replayed.asked | {current.field}
        )
        return self._with({**self.answers, current.field: given}, start)

    def change(
        self, field: str, raw: str | None, *, words: Mapping[str, str] | None = None
    ) -> Interview:
        """Give another answer to a question already asked."""
        step = self._step(field)
        return self._with({**self.answers, field: parse_answer(step.question, raw, words=words)})

    def withdraw(self, field: str) -> Interview:
        """Take an answer back: its question is asked again."""
        self._step(field)
        return self._with({k: v for k, v in self.answers.items() if k != field})

    def back(self) -> Interview:
        """Take back the last answer given."""
        if not self.path:
            raise InterviewError.about(None, N_("there is no earlier question to go back to"))
        return self.withdraw(self.path[-1].question.field)

    def _step(self, field: str) -> Step:
        for step in self.path:
            if step.question.field == field:
                return step
        raise InterviewError.about(field, N_("this question has not been asked"))

    # --- serialised ---------------------------------------------------------------

    def token(self) -> str:
        """A short, URL-safe token of the state, for `from_token`."""
        from advisor.interview.token import encode

        return encode(self)

    @classmethod
    def from_token(cls, decider: Decider, token: str) -> Interview:
        """The interview a token holds; TokenError when it is not one, is damaged, or
        was made with other rules."""
        from advisor.interview.token import decode

        return decode(decider, token)

    def transcript(self) -> Transcript:
        from advisor.interview.transcript import Transcript

        return Transcript.of(self)


def fits(question: Question, answer: Answer) -> bool:
    """Whether `answer` is one `question` takes (a kept answer may no longer fit)."""
    value = answer.value
    if value is None:
        return answer.fact == question.field
    if answer.fact == ISSUE_DATE:
        return question.takes_date
    if answer.fact != question.field:
        return False
    if question.kind is AnswerKind.YES_NO:
        return isinstance(value, bool)
    if question.kind is AnswerKind.COUNT:
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_TRIES
    if question.kind is AnswerKind.CHIP:
        return value in {c.value for c in question.choices}
    return isinstance(value, str)


def apply(data: dict[str, Any], answer: Answer) -> None:
    """Put what an answer states into a case's facts (contract JSON)."""
    if answer.value is None:
        return
    data[answer.fact] = answer.value
    if answer.fact == STOLEN and answer.value is True:
        data[LOST] = True
