"""The questionnaire on the server: `POST /api/v1/interview` and the pages of
`/{lang}/questionnaire`. They ask what `advisor guide` asks, in the same order, with the
same words, and end on the same decision; the state is the token alone; a refused
answer is named and asked again; no field takes a code."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from advisor.cli import app as cli_app
from advisor.engine import Decider
from advisor.interview import Interview
from tests.browser.pageparse import parse
from tests.webclient import client_for, code_like

# Answers for `advisor guide --json`, one per line, and the same for the API; "" is "I
# don't know".
SESSIONS = [
    ["no", "no", "12.03.2024", "11.03.2029", "no", "", "yes", "0"],
    ["yes", "yes", "no"],
    ["no", "yes"],
    ["no", "no", "thales", "", "no", "3", "no"],
    ["no", "no", "", "", "", "", "", "", "", "", "", "", ""],
]


@pytest.fixture(scope="module")
def client(decider: Decider) -> Iterator[TestClient]:
    with client_for(decider) as test_client:
        yield test_client


def interview(client: TestClient, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    response = client.post("/api/v1/interview", json=body)
    assert response.status_code == status, response.text
    assert response.headers["cache-control"] == "no-store"
    document: dict[str, Any] = response.json()
    return document


def guide_lines(answers: list[str], lang: str = "en") -> list[dict[str, Any]]:
    result = CliRunner().invoke(
        cli_app, ["guide", "--json", "--lang", lang], input="".join(a + "\n" for a in answers)
    )
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


# --- the API ---------------------------------------------------------------------------


@pytest.mark.parametrize("answers", SESSIONS)
@pytest.mark.parametrize("lang", ["en", "et"])
def test_the_api_asks_what_the_guide_asks_and_decides_the_same(
    client: TestClient, answers: list[str], lang: str
) -> None:
    lines = guide_lines(answers, lang)
    # The API's steps written as the guide writes its lines: the question before each
    # answer, an error for an answer refused (and the question again), the outcome.
    written: list[dict[str, Any]] = []
    step = interview(client, {"lang": lang})
    for given in answers:
        if step["done"]:
            break
        written.append(step["question"])
        response = client.post(
            "/api/v1/interview",
            json={"token": step["token"], "answer": given or None, "lang": lang},
        )
        if response.status_code == 422:
            written.append({"error": response.json()["error"]})
            continue
        assert response.status_code == 200, response.text
        step = response.json()
    if not step["done"]:
        written.append(step["question"])  # the guide asks it, then its input ends
    written.append({key: step[key] for key in ("decision", "facts", "unknown")})
    assert written == lines
    assert any("error" in line for line in lines) == (answers is SESSIONS[3])


def test_an_answer_may_be_a_label_in_the_language_or_i_dont_know(client: TestClient) -> None:
    step = interview(client, {"lang": "et"})
    assert step["question"]["question"] == "card_lost"
    assert step["question"]["labels"] == ["jah", "ei"]
    step = interview(client, {"token": step["token"], "answer": "ei", "lang": "et"})
    assert step["answered"] == [{"question": "card_lost", "fact": "card_lost", "value": False}]
    step = interview(client, {"token": step["token"], "answer": None, "lang": "et"})
    assert step["answered"][-1] == {
        "question": "codes_compromised",
        "fact": "codes_compromised",
        "value": None,
    }
    assert step["unknown"] == ["codes_compromised"]


def test_back_and_change_take_answers_back(client: TestClient) -> None:
    step = interview(client, {})
    step = interview(client, {"token": step["token"], "answer": "no"})
    step = interview(client, {"token": step["token"], "answer": "no"})
    assert step["question"]["question"] == "card_generation"
    back = interview(client, {"token": step["token"], "back": True})
    assert back["question"]["question"] == "codes_compromised"
    changed = interview(client, {"token": step["token"], "change": "card_lost"})
    assert changed["question"]["question"] == "card_lost"
    # The other answer is kept: answering the first again goes on where it was.
    again = interview(client, {"token": changed["token"], "answer": "no"})
    assert again["question"]["question"] == "card_generation"


def test_the_server_keeps_nothing_but_the_token_does(client: TestClient, decider: Decider) -> None:
    step = interview(client, {"facts": {"card_lost": False, "codes_compromised": False}})
    assert step["question"]["question"] == "card_generation"
    restored = Interview.from_token(decider, step["token"])
    assert restored.known == {"card_lost": False, "codes_compromised": False}
    # Any worker, any time: another client continues from the token alone.
    with client_for(decider) as other:
        following = other.post(
            "/api/v1/interview", json={"token": step["token"], "answer": "idemia"}
        ).json()
    assert following["answered"][-1]["value"] == "idemia"


def test_a_refused_answer_is_named_and_the_step_given_again(client: TestClient) -> None:
    step = interview(client, {})
    refused = interview(client, {"token": step["token"], "answer": "maybe"}, 422)
    assert refused["error"] == {"field": "card_lost", "message": "answer yes or no"}
    assert refused["token"] == step["token"]
    assert refused["question"] == step["question"]
    # An answer that looks like a code is refused without being repeated.
    response = client.post("/api/v1/interview", json={"token": step["token"], "answer": "4711"})
    assert response.status_code == 422
    assert "4711" not in response.text
    assert "never type a PIN or PUK" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"token": "1.nothing"}, "token"),
        ({"token": 5}, "token"),
        ({"pin": "1234"}, "pin"),
        ({"123456": "x"}, "(a name that looks like a code, not shown)"),
        ({"lang": "fi"}, "lang"),
        ({"facts": {"card_lost": "perhaps"}}, "facts.card_lost"),
        ({"facts": []}, "facts"),
        ({"back": True}, "back"),
        ({"change": "card_lost"}, "card_lost"),
        ({"answer": 3}, "answer"),
    ],
)
def test_bad_requests_name_the_field(client: TestClient, body: dict[str, Any], field: str) -> None:
    if "answer" in body or "back" in body or "change" in body:
        body = {"token": interview(client, {})["token"], **body}
    document = interview(client, body, 422)
    assert document["error"]["field"] == field, document
    assert "Traceback" not in json.dumps(document)


def test_a_token_of_other_rules_says_to_start_again(client: TestClient, decider: Decider) -> None:
    token = interview(client, {})["token"].replace(decider.book.version, "0000aaaa")
    document = interview(client, {"token": token}, 422)
    assert document["error"]["field"] == "token"
    assert "start it again" in document["error"]["message"]


def test_a_body_that_is_not_an_object_is_named(client: TestClient) -> None:
    for body in (b"[1]", b"{", b"\xff"):
        response = client.post(
            "/api/v1/interview", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 422
        assert response.json()["error"]["field"] == "(body)"


# --- the pages -------------------------------------------------------------------------


def token_of(html: str) -> str:
    found = re.search(r'name="t" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def follow(client: TestClient, response: Any, lang: str = "en") -> Any:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("questionnaire?t=")  # relative: any prefix works
    return client.get(f"/{lang}/{location}")


def question_of(html: str) -> str | None:
    found = re.search(r'data-question="(\w+)"', html)
    return found.group(1) if found else None


def test_the_page_asks_step_by_step_and_ends_on_the_decision(
    client: TestClient, decider: Decider
) -> None:
    page = client.get("/en/questionnaire")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert question_of(page.text) == "card_lost"
    steps = [("answer", "no"), ("answer", "no"), ("answer", "2020-05-05")]
    steps += [("answer", "2029-05-05"), ("answer", "no"), ("dont_know", "1")]
    for name, value in steps:
        page = follow(
            client, client.post("/en/questionnaire", data={"t": token_of(page.text), name: value})
        )
    html = page.text
    token = parse_qs(urlsplit(str(page.url)).query)["t"][0]
    expected = Interview.from_token(decider, token)
    while not expected.done:  # the page asks what the interview asks
        assert question_of(html) == expected.next.field  # type: ignore[union-attr]
        page = follow(
            client, client.post("/en/questionnaire", data={"t": token_of(html), "dont_know": "1"})
        )
        html = page.text
        token = parse_qs(urlsplit(str(page.url)).query)["t"][0]
        expected = Interview.from_token(decider, token)
    decision = expected.decision
    assert f'data-status="{decision.status}"' in html
    assert f'data-route="{decision.route or ""}"' in html
    assert f'data-advisories="{" ".join(decision.advisories)}"' in html
    # The text to copy holds the answers and the way back to them, and no code.
    text = parse(html).one("textarea", id="transcript").text
    assert token in text
    assert "Questions and answers:" in text
    # Every answer can be changed; the back link returns one answer.
    shown = parse(html)
    changes = [a.attrs["data-change"] for a in shown.all("a") if "data-change" in a.attrs]
    assert changes == [step.question.field for step in expected.path]
    back = next(a.attrs["href"] for a in shown.all("a") if "data-back" in a.attrs)
    previous = client.get(f"/en/{back}")
    assert question_of(previous.text) == expected.path[-1].question.field


def test_a_refused_answer_is_shown_on_the_same_step(client: TestClient) -> None:
    page = client.get("/en/questionnaire")
    page = follow(
        client, client.post("/en/questionnaire", data={"t": token_of(page.text), "answer": "no"})
    )
    page = follow(
        client, client.post("/en/questionnaire", data={"t": token_of(page.text), "answer": "no"})
    )
    token = token_of(page.text)
    for data, words in (
        ({"t": token, "answer": "", "date": "1"}, "four-digit year"),
        ({"t": token, "answer": "31.02.2020", "date": "1"}, "date of issue"),
        ({"t": token, "answer": "1234"}, "type the date of issue"),
        ({"t": token}, "choose one of the answers"),
    ):
        refused = client.post("/en/questionnaire", data=data)
        assert refused.status_code == 422
        assert words in refused.text
        assert question_of(refused.text) == "card_generation"
        assert token_of(refused.text) == token
        assert "1234" not in refused.text


def test_the_page_is_in_the_addresss_language(client: TestClient) -> None:
    page = client.get("/et/questionnaire")
    assert '<html lang="et"' in page.text
    assert "Kas sinu kaart on kadunud või varastatud?" in page.text
    page = follow(
        client,
        client.post("/et/questionnaire", data={"t": token_of(page.text), "answer": "ei"}),
        "et",
    )
    assert question_of(page.text) == "codes_compromised"


def test_a_damaged_address_offers_to_start_again(client: TestClient) -> None:
    page = client.get("/en/questionnaire?t=1.rubbish")
    assert page.status_code == 400
    assert "cannot be read" in page.text
    assert 'href="questionnaire"' in page.text
    refused = client.post("/en/questionnaire", data={"t": "nonsense", "answer": "no"})
    assert refused.status_code == 400


def test_no_step_asks_for_a_code(client: TestClient) -> None:
    page = client.get("/en/questionnaire")
    given = iter(("no", "no", "thales", "2020-01-01"))
    seen = 0
    for _ in range(30):
        for e in parse(page.text).elements:
            if e.tag in ("input", "select", "textarea", "button"):
                assert e.attrs.get("type") != "password"
                assert not code_like(e.attrs.get("name", "")), e
                assert not code_like(e.attrs.get("id", "")), e
                seen += 1
        if question_of(page.text) is None:
            break
        value = next(given, None)
        data = {"t": token_of(page.text)}
        data.update({"answer": value} if value else {"dont_know": "1"})
        page = follow(client, client.post("/en/questionnaire", data=data))
    assert seen > 20
    assert 'class="q-result' in page.text
