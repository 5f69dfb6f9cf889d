"""The interview as a library object: what it asks, what it takes, going back, and its
state as a token and a transcript."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.engine import Decider, load_rulebook
from advisor.interview import (
    FIELDS,
    Answer,
    AnswerError,
    AnswerKind,
    Interview,
    InterviewError,
    Question,
    Reason,
    TokenError,
)
from advisor.interview.transcript import DONT_KNOW
from advisor.model import Advisory, Route, Status
from advisor.translatable import fill

TODAY = date(2026, 6, 1)
# What `diagnose` reads from the virtual card idemia-pin1-blocked.
CARD = {
    "card_generation": "idemia",
    "issue_date": "2024-03-01",
    "expiry_date": "2029-02-28",
    "document_type": "e_resident",
    "pin1_tries_left": 0,
    "pin2_tries_left": 3,
    "puk_tries_left": 3,
}


def start(decider: Decider, **options: Any) -> Interview:
    return Interview(decider, today=TODAY, **options)


def walk(interview: Interview, *answers: str | None) -> Interview:
    for raw in answers:
        interview = interview.answer(raw)
    return interview


# ----------------------------------------------------------------- what it asks


def test_without_a_card_it_first_asks_what_a_card_cannot_show(decider: Decider) -> None:
    first = start(decider).next
    assert first is not None
    assert first.field == "card_lost"
    assert first.kind is AnswerKind.YES_NO
    assert [c.value for c in first.choices] == ["yes", "no"]
    assert (first.text_key, first.howto_key) == ("questions/card_lost", "howto/card_lost")
    # The routes still possible are every route but the one lost cards of a known
    # Thales chip take (the chip is not known yet).
    assert first.why.reason is Reason.ROUTE
    assert Route.CERTIFICATE_SUSPENSION in first.why.candidates
    assert Route.NO_ACTION in first.why.candidates
    second = walk(start(decider), "no").next
    assert second is not None
    assert second.field == "codes_compromised"
    chip = walk(start(decider), "no", "no").next
    assert chip is not None
    assert chip.field == "card_generation"
    assert chip.takes_date
    assert [c.value for c in chip.choices] == ["idemia", "thales", "legacy"]


def test_a_lost_card_is_suspended_without_asking_its_chip_but_a_theft_is_asked(
    decider: Decider,
) -> None:
    lost = walk(start(decider), "yes")
    # A lost card whose certificates expired needs no suspension: its expiry is asked.
    expiry = lost.next
    assert expiry is not None
    assert expiry.field == "expiry_date"
    valid = walk(lost, "31.12.2030")
    # Contract §3: a lost card with an unknown chip is suspended at once; what is left
    # to ask only changes the advisories (report the theft; a leaked code).
    stolen = valid.next
    assert stolen is not None
    assert stolen.field == "card_stolen"
    assert stolen.why.reason is Reason.SAFETY
    assert stolen.why.candidates == (Route.CERTIFICATE_SUSPENSION,)
    assert Advisory.REPORT_THEFT in stolen.why.advisories
    done = walk(valid, "yes", "no")
    assert done.done
    assert done.decision.route is Route.CERTIFICATE_SUSPENSION
    assert Advisory.REPORT_THEFT in done.decision.advisories
    assert done.facts.card_lost
    assert done.facts.card_stolen


def test_without_safety_questions_the_card_facts_are_never_asked(decider: Decider) -> None:
    interview = Interview(decider, CARD, today=TODAY, ask_safety=False)
    question = interview.next
    assert question is not None
    assert question.field == "puk_known"
    done = walk(interview, "yes")
    assert done.done
    assert done.decision.route is Route.PUK_UNBLOCK_IN_APP
    assert [s.question.field for s in done.path] == ["puk_known"]


def test_known_facts_are_never_asked(decider: Decider) -> None:
    known = {"card_lost": False, "codes_compromised": False, "card_generation": "thales"}
    interview = Interview(decider, known, today=TODAY)
    while interview.next is not None:
        assert interview.next.field not in known
        interview = interview.answer(None)


def test_dont_know_moves_on_and_the_decision_says_what_stayed_unknown(decider: Decider) -> None:
    interview = walk(Interview(decider, CARD, today=TODAY, ask_safety=False), "")
    assert interview.done
    assert interview.unknown == ("puk_known",)
    assert interview.decision.status is Status.INCOMPLETE
    assert "puk_known" in interview.decision.questions
    assert interview.facts.puk_known is None


def test_a_switch_over_day_leaves_the_chip_open_and_is_not_asked_again(decider: Decider) -> None:
    interview = walk(start(decider), "no", "no", "15.11.2025")
    assert interview.facts.issue_date == date(2025, 11, 15)
    assert interview.facts.card_generation is None
    fields = []
    while interview.next is not None:
        fields.append(interview.next.field)
        interview = interview.answer(None)
    assert "card_generation" not in fields


def test_the_chip_of_a_switch_over_day_is_idemia_or_thales(decider: Decider) -> None:
    interview = Interview(decider, {"issue_date": "2025-11-16"}, today=TODAY, ask_safety=False)
    while interview.next is not None and interview.next.field != "card_generation":
        interview = interview.answer(None)
    question = interview.next
    assert question is not None
    assert [c.value for c in question.choices] == ["idemia", "thales"]
    assert not question.takes_date  # the date of issue is known


# ------------------------------------------------------------------ answers


def question_of(decider: Decider, field: str) -> tuple[Interview, Question]:
    """An interview whose next question asks `field`."""
    known: dict[str, Any] = {"card_lost": False, "codes_compromised": False}
    asks = {
        "card_generation": {},
        "expiry_date": {"card_generation": "idemia"},
        "puk_tries_left": {"card_generation": "idemia", "expiry_date": "2030-01-01"},
        "pin1_known": {
            "card_generation": "idemia",
            "expiry_date": "2030-01-01",
            "certificates_suspended": False,
            "pin1_tries_left": 3,
            "pin2_tries_left": 3,
            "puk_tries_left": 3,
            "puk_known": True,
        },
    }
    interview = Interview(decider, {**known, **asks[field]}, today=TODAY)
    while interview.next is not None and interview.next.field != field:
        interview = interview.answer(None)
    assert interview.next is not None, field
    return interview, interview.next


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("1", True),
        ("2", False),
        ("yes", True),
        ("JAH", True),
        ("ei", False),
        ("да", True),
        ("нет", False),
        ("no", False),
    ],
)
def test_yes_or_no_by_number_or_word_in_three_languages(
    decider: Decider, answer: str, expected: bool
) -> None:
    interview, question = question_of(decider, "pin1_known")
    assert getattr(interview.answer(answer).facts, question.field) is expected


def test_words_of_the_chosen_language_name_a_choice(decider: Decider) -> None:
    interview, _question = question_of(decider, "card_generation")
    words = {"vanem kaart": "legacy"}
    assert interview.answer("vanem kaart", words=words).facts.card_generation == "legacy"
    assert interview.answer("3").facts.card_generation == "legacy"
    assert interview.answer("Thales").facts.card_generation == "thales"
    issued = interview.answer("17 Nov 2025").facts
    assert (issued.issue_date, issued.card_generation) == (date(2025, 11, 17), None)


@pytest.mark.parametrize(
    ("field", "answer"),
    [
        ("pin1_known", "maybe"),
        ("pin1_known", "3"),
        ("puk_tries_left", "4"),
        ("puk_tries_left", "two"),
        ("card_generation", "gemalto"),
        ("card_generation", "9"),
        ("expiry_date", "31.02.2030"),
        ("expiry_date", "Nov 2030"),
        ("expiry_date", "1.1.30"),
    ],
)
def test_a_bad_answer_names_the_field_and_keeps_the_question(
    decider: Decider, field: str, answer: str
) -> None:
    interview, _question = question_of(decider, field)
    with pytest.raises(AnswerError) as caught:
        interview.answer(answer)
    assert caught.value.field == field
    assert caught.value.template is not None  # a msgid: shown in the holder's language
    assert answer not in str(caught.value)


@pytest.mark.parametrize(
    ("field", "code"), [("pin1_known", "0090"), ("puk_tries_left", "17258403")]
)
def test_a_code_is_never_taken_nor_repeated(decider: Decider, field: str, code: str) -> None:
    interview, _question = question_of(decider, field)
    with pytest.raises(AnswerError) as caught:
        interview.answer(code)
    assert code not in str(caught.value)
    assert "never type a PIN or PUK" in str(caught.value)
    assert code not in interview.token()


def test_no_question_asks_for_a_code() -> None:
    # Whether a code is known or blocked, never its value: every question takes yes or
    # no, a count of attempts, a chip or a date.
    assert set(FIELDS) >= {"pin1_known", "pin2_known", "puk_known"}
    assert all(
        kind is not AnswerKind.DATE or field == "expiry_date" for field, kind in FIELDS.items()
    )


# ------------------------------------------------------------- going back


def test_back_asks_the_last_question_again(decider: Decider) -> None:
    interview = walk(start(decider), "no", "no")
    back = interview.back()
    assert back.next is not None
    assert back.next.field == "codes_compromised"
    assert back == walk(start(decider), "no")
    with pytest.raises(InterviewError):
        start(decider).back()


def test_changing_an_earlier_answer_replays_the_rest(decider: Decider) -> None:
    interview = walk(start(decider), "yes", "31.12.2030", "yes", "no")
    assert interview.done
    assert Advisory.REPORT_THEFT in interview.decision.advisories
    changed = interview.change("card_lost", "no")
    # A card that is not lost cannot be stolen: that answer is kept but not used; the
    # answer about leaked codes is asked for again at once, and is at hand.
    assert [s.question.field for s in changed.path][:2] == ["card_lost", "codes_compromised"]
    assert "card_stolen" not in [s.question.field for s in changed.path]
    assert changed.facts.card_stolen is False
    assert changed.next is not None
    assert changed.change("card_lost", "yes") == interview
    with pytest.raises(InterviewError) as caught:
        changed.change("pin1_known", "yes")
    assert caught.value.field == "pin1_known"


def test_a_withdrawn_answer_is_asked_again(decider: Decider) -> None:
    interview = walk(start(decider), "no", "yes")
    withdrawn = interview.withdraw("card_lost")
    assert withdrawn.next is not None
    assert withdrawn.next.field == "card_lost"
    assert withdrawn.answer("no") == interview


def test_the_interview_over_takes_no_answer(decider: Decider) -> None:
    done = walk(Interview(decider, CARD, today=TODAY, ask_safety=False), "yes")
    with pytest.raises(InterviewError):
        done.answer("yes")


# ------------------------------------------------- properties: state and token


def answers_for(question: Question) -> list[str | None]:
    if question.kind is AnswerKind.DATE:
        return ["31.05.2026", "1.6.2026", "2030-01-01", None]
    if question.kind is AnswerKind.CHIP and question.takes_date:
        return [*(c.value for c in question.choices), "15.11.2025", "01.01.2020", None]
    return [*(c.value for c in question.choices), None]


def interview_from(decider: Decider, data: st.DataObject, **options: Any) -> Interview:
    interview = Interview(decider, today=TODAY, **options)
    for _ in range(data.draw(st.integers(0, 16))):
        if interview.next is None:
            break
        interview = interview.answer(data.draw(st.sampled_from(answers_for(interview.next))))
    return interview


def raw_of(answer: Answer) -> str | None:
    """What a holder types to give `answer` again."""
    if isinstance(answer.value, bool):
        return "yes" if answer.value else "no"
    return None if answer.value is None else str(answer.value)


SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@SETTINGS
@given(data=st.data(), ask_safety=st.booleans())
def test_changing_an_answer_and_back_is_the_same_state(
    decider: Decider, data: st.DataObject, ask_safety: bool
) -> None:
    interview = interview_from(decider, data, ask_safety=ask_safety)
    if not interview.path:
        return
    step = data.draw(st.sampled_from(interview.path))
    field = step.question.field
    other = data.draw(st.sampled_from(answers_for(step.question)))
    original = raw_of(step.answer)
    again = interview.change(field, other).change(field, original)
    assert again == interview
    assert again.token() == interview.token()
    assert again.path == interview.path
    assert again.next == interview.next
    assert again.decision == interview.decision


@SETTINGS
@given(data=st.data(), ask_safety=st.booleans())
def test_a_token_round_trips(decider: Decider, data: st.DataObject, ask_safety: bool) -> None:
    interview = interview_from(decider, data, ask_safety=ask_safety)
    token = interview.token()
    assert re.fullmatch(r"[A-Za-z0-9._-]+", token)
    assert len(token) <= 80
    back = Interview.from_token(decider, token)
    assert back == interview
    assert back.path == interview.path
    assert back.next == interview.next
    assert back.decision == interview.decision


def test_a_token_keeps_known_facts_and_the_case_id(decider: Decider) -> None:
    known = {"id": "ticket #42 ü", "document_type": "digi_id", "location": "abroad", **CARD}
    interview = walk(Interview(decider, known, today=TODAY, ask_safety=False), "")
    back = Interview.from_token(decider, interview.token())
    assert back == interview
    assert back.known["id"] == "ticket #42 ü"
    assert back.decision.id == "ticket #42 ü"


def test_a_token_of_other_rules_is_refused(
    decider: Decider, rules_copy: Callable[..., Path]
) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["rules"]["R999_unrouted"]["because"] = "Nothing else fired (edited)"

    other = Decider(load_rulebook(rules_copy(edit)), lambda: pytest.fail("no table needed"))
    assert other.book.version != decider.book.version
    token = walk(start(decider), "no").token()
    with pytest.raises(TokenError) as caught:
        Interview.from_token(other, token)
    message = str(caught.value)
    assert decider.book.version in message
    assert other.book.version in message
    assert "start it again" in message


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t.replace("1.", "2.", 1),  # another format
        lambda t: t + "z9",  # a fact the format does not know
        lambda t: t[: t.rindex(".")],  # a segment lost
        lambda t: t.replace("20260601", "20260231"),  # no such day
        lambda t: t + "n1",  # the same question twice
        lambda t: t + "E7",  # seven attempts left
        lambda t: t + "h2",  # a yes/no answer of 2
        lambda t: t.replace("s.", "x.", 1),  # neither mode
        lambda t: t + ".!!",  # an id that is not base64url
    ],
)
def test_a_damaged_token_is_refused(decider: Decider, damage: Callable[[str], str]) -> None:
    token = walk(start(decider), "no").token()
    assert token.endswith("n0")
    with pytest.raises(TokenError) as caught:
        Interview.from_token(decider, damage(token))
    assert caught.value.template is not None


# ------------------------------------------------------------------ transcript


class Upper:
    """A stand-in language: every word of the transcript's frame in capitals."""

    def text(self, msgid: str, **values: object) -> str:
        upper = re.sub(
            r"[^%]+|%\(\w+\)s", lambda m: m[0] if m[0][0] == "%" else m[0].upper(), msgid
        )
        return fill(upper, values)

    def question(self, field: str) -> str:
        return f"<{field}>"

    def route(self, route: Route) -> str:
        return f"[{route}]"

    def advisory(self, advisory: Advisory) -> str:
        return f"({advisory})"

    def day(self, value: date) -> str:
        return value.strftime("%d/%m/%Y")


def test_the_transcript_holds_questions_answers_and_decision(decider: Decider) -> None:
    interview = walk(start(decider), "yes", "31.12.2030", "yes", "")
    transcript = interview.transcript().to_json()
    assert transcript["steps"] == [
        {"question": "card_lost", "fact": "card_lost", "answer": True},
        {"question": "expiry_date", "fact": "expiry_date", "answer": "2030-12-31"},
        {"question": "card_stolen", "fact": "card_stolen", "answer": True},
        {"question": "codes_compromised", "fact": "codes_compromised", "answer": None},
    ]
    assert transcript["unknown"] == ["codes_compromised"]
    assert transcript["decision"] == interview.decision.to_json()
    assert transcript["token"] == interview.token()
    assert transcript["done"] is True
    text = interview.transcript().to_text(Upper())
    assert "1. <card_lost> YES" in text
    assert "2. <expiry_date> 31/12/2030" in text
    assert f"4. <codes_compromised> {DONT_KNOW.upper()}" in text
    assert "[certificate_suspension]. DO THIS NOW." in text
    assert "(report_theft)" in text
    assert interview.token() in text
    assert "01/06/2026" in text


def test_the_transcript_of_a_card_lists_its_facts(decider: Decider) -> None:
    interview = walk(Interview(decider, CARD, today=TODAY, ask_safety=False), "")
    text = interview.transcript().to_text(Upper())
    assert "- <pin1_tries_left> 0 (BLOCKED)" in text
    assert "- <card_generation> IDEMIA" in text
    assert "- <expiry_date> 28/02/2029" in text
    assert "- <document_type> E-RESIDENT DIGITAL ID" in text
    assert (
        "NOT DECIDED YET. STILL POSSIBLE: [puk_unblock_in_app]; [codes_reissue_in_person]" in text
    )
