"""`advisor serve`: the JSON API answers as the command line does, the triage page decides
and explains, the help pages are served, every response carries the security headers,
bad input gets JSON naming the problem, and nothing on the site asks for a PIN or PUK.

The app runs in process (Starlette's test client); the last tests start `advisor serve`
itself. tests/browser drives the same app in Chromium.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from advisor.cli import app as cli_app
from advisor.engine import Decider
from advisor.facts.case import FIELD_NAMES, SAFETY_FIELDS, parse_facts
from advisor.guidance import route_title
from advisor.site import LANGUAGES, help_pages
from advisor.web.openapi import document
from advisor.web.security import CSP
from advisor.web.settings import WebSettings, is_loopback
from benchmarks._cases import random_case
from tests.browser.pageparse import Page, csp_directives, is_external, parse
from tests.webclient import LOCAL, PRESET, client_for, code_like


@pytest.fixture(scope="module")
def client(decider: Decider) -> Iterator[TestClient]:
    with client_for(decider) as test_client:
        yield test_client


def cli_json(args: list[str], stdin: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(cli_app, args, input=stdin)
    return result.exit_code, result.stdout


# --- POST /api/v1/decide ------------------------------------------------------------------

CASES = [
    {"card_lost": True, "expiry_date": "2099-06-30"},
    {"card_lost": True},
    {"id": "ticket-7", "card_generation": "thales", "pin1_tries_left": 0, "puk_known": False},
    {"id": 42, "card_generation": "idemia", "pin1_tries_left": 0},
    {"card_generation": "idemia", "issue_date": "2020-01-01", "expiry_date": "2025-01-01"},
    {},
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(c) or "empty")
def test_decide_answers_as_triage_case_json(client: TestClient, case: dict[str, Any]) -> None:
    response = client.post("/api/v1/decide", json=case)
    code, stdout = cli_json(["--json", "triage", "case", "--facts", json.dumps(case)])
    assert code == 0
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == json.loads(stdout)


@pytest.mark.parametrize(
    "body",
    [
        ' \n{"id": "a", "card_lost": true}\r\n',
        '{"id": "\\"quoted\\"", "card_generation": "idemia", "pin1_tries_left": 0}',
        '{"id": "\u00e4\u0434", "card_generation": "thales", "location": "abroad"}',
    ],
    ids=["blanks around", "escaped quotes", "not ASCII"],
)
def test_decide_reads_a_body_as_triage_case_does(client: TestClient, body: str) -> None:
    response = client.post(
        "/api/v1/decide", content=body.encode(), headers={"content-type": "application/json"}
    )
    code, stdout = cli_json(["--json", "triage", "case", "--facts", body])
    assert code == 0
    assert response.status_code == 200
    assert response.json() == json.loads(stdout)


def test_decide_agrees_with_the_decider_on_random_cases(
    client: TestClient, decider: Decider
) -> None:
    rng = random.Random(12)
    for number in range(300):
        case = random_case(rng, number)
        expected = decider.decide(parse_facts(case, default_today=date.today())).to_json()
        assert client.post("/api/v1/decide", json=case).json() == expected, case


@pytest.mark.parametrize(
    "body",
    [
        '{"pin1_tries_left": 7}',
        '{"pin1_tries_left": 7, "card_lost": "yes", "colour": 1}',
        '{"card_lost": true, "card_lost": false}',
        # A repeated key with string values, with and without an escape in the body:
        # the fast path's reader keeps the last of a repeated key, and must not answer.
        '{"id": "a", "card_generation": "idemia", "card_generation": "thales"}',
        '{"id": "\\u0061", "card_lost": false, "card_lost": true}',
        '{"card_stolen": true, "card_lost": false}',
        '{"issue_date": "2025-02-31"}',
        '{"id": "\\ud800"}',
    ],
)
def test_decide_gives_the_errors_of_triage_case(client: TestClient, body: str) -> None:
    response = client.post(
        "/api/v1/decide", content=body, headers={"content-type": "application/json"}
    )
    code, stdout = cli_json(["--json", "triage", "case", "--facts", body])
    assert code == 2
    assert response.status_code == 422
    assert response.json() == json.loads(stdout)
    assert response.json()["error"]["field"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[1, 2]", "must be a JSON object"),
        (b"{", "invalid JSON at column 2"),
        (b"", "invalid JSON at column 1"),
        (b'{"id": "\xff"}', "not UTF-8"),
        (b'{"card_lost": true} {}', "invalid JSON"),
    ],
)
def test_a_body_that_is_no_case_is_named_as_the_body(
    client: TestClient, body: bytes, message: str
) -> None:
    response = client.post("/api/v1/decide", content=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "(body)"
    assert message in error["message"]
    assert response.json()["status"] == "error"


def test_decide_refuses_other_media_and_large_bodies(client: TestClient) -> None:
    response = client.post(
        "/api/v1/decide", content=b"card_lost=yes", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415
    assert "application/json" in response.json()["error"]["message"]
    big = json.dumps({"id": "x" * 70_000}).encode()
    response = client.post("/api/v1/decide", content=big)
    assert response.status_code == 413
    assert "65536" in response.json()["error"]["message"]
    # A body that does not say its length is counted as it comes.
    response = client.post("/api/v1/decide", content=iter([b"{", b" " * 70_000, b"}"]))
    assert response.status_code == 413
    assert response.json()["error"]["field"] == "(body)"


# --- POST /api/v1/triage ------------------------------------------------------------------

JSONL = "\n".join(
    [
        json.dumps({"id": "lost", "card_lost": True, "expiry_date": "2099-12-31"}),
        json.dumps({"id": "incomplete", "card_generation": "idemia"}),
        "",
        json.dumps({"id": "bad", "pin1_tries_left": 9}),
        "{not json",
        '{"card_lost": true, "card_lost": false}',
        "[1]",
        json.dumps({"id": 7, "card_generation": "thales", "pin2_activated": False}),
    ]
)
CSV = "id,card_lost,expiry_date,pin1_tries_left\nc1,jah,30.06.2099,\nc2,no,,0\nc3,maybe,,\n"


def test_triage_streams_the_lines_of_triage_batch(client: TestClient) -> None:
    response = client.post(
        "/api/v1/triage", content=JSONL, headers={"content-type": "application/x-ndjson"}
    )
    code, stdout = cli_json(["triage", "batch", "-"], JSONL)
    assert code == 2  # an error record
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson; charset=utf-8"
    assert response.text == stdout
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["status"] for line in lines].count("error") == 4
    assert {line["error"]["line"] for line in lines if line["status"] == "error"} == {4, 5, 6, 7}


@pytest.mark.parametrize(
    ("url", "headers", "body", "args"),
    [
        ("/api/v1/triage", {"content-type": "text/csv"}, CSV.encode(), ["--format", "csv"]),
        ("/api/v1/triage?format=csv", {}, CSV.encode(), ["--format", "csv"]),
        (
            "/api/v1/triage?format=csv&encoding=cp1252",
            {"content-type": "text/csv"},
            "id,location\nZoë,abroad\n".encode("cp1252"),
            ["--format", "csv", "--encoding", "cp1252"],
        ),
        ("/api/v1/triage", {}, b'{"id": "a"}\n\xff\xfe\n', []),
    ],
    ids=["content-type", "query", "cp1252", "bad-bytes"],
)
def test_triage_reads_csv_and_encodings_as_triage_batch(
    client: TestClient,
    url: str,
    headers: dict[str, str],
    body: bytes,
    args: list[str],
    tmp_path: Any,
) -> None:
    source = tmp_path / "in"
    source.write_bytes(body)
    _code, stdout = cli_json(["triage", "batch", str(source), *args])
    response = client.post(url, content=body, headers=headers)
    assert response.status_code == 200
    assert response.text == stdout


def test_triage_streams_a_large_file_in_chunks(client: TestClient) -> None:
    rng = random.Random(3)
    body = "".join(json.dumps(random_case(rng, n)) + "\n" for n in range(6000))
    chunks = 0
    lines = 0
    with client.stream("POST", "/api/v1/triage", content=body) as response:
        assert response.status_code == 200
        for chunk in response.iter_bytes():
            chunks += 1
            lines += chunk.count(b"\n")
    assert lines == 6000
    assert chunks >= 3  # the batch writes every 2,000 records


@pytest.mark.parametrize(
    ("query", "field"), [("format=xml", "format"), ("encoding=utf-16", "encoding")]
)
def test_triage_refuses_an_unusable_format_or_encoding(
    client: TestClient, query: str, field: str
) -> None:
    response = client.post(f"/api/v1/triage?{query}", content=b"{}\n")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_triage_bodies_are_bounded(decider: Decider) -> None:
    settings = WebSettings(max_upload=1000)
    with client_for(decider, settings) as small:
        response = small.post("/api/v1/triage", content=b"{}\n" * 400)
        assert response.status_code == 413
        assert response.json()["error"]["field"] == "(body)"
        files = {"file": ("cases.jsonl", b"{}\n" * 400)}
        assert small.post("/en/triage/batch", files=files).status_code == 413


# --- every response -------------------------------------------------------------------------


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    responses = [
        client.get("/"),
        client.get("/en/"),
        client.get("/et/routes/no_action.html"),
        client.get("/ru/triage"),
        client.get("/en/api"),
        client.get("/assets/site.css"),
        client.get("/healthz"),
        client.post("/api/v1/decide", json={}),
        client.post("/api/v1/decide", content=b"x" * 100_000),
        client.get("/api/v1/nothing"),
        client.get("/en/nothing.html"),
    ]
    for response in responses:
        headers = response.headers
        assert headers["content-security-policy"] == CSP, response.url
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert "server" not in headers or "uvicorn" not in headers["server"]
    policy = csp_directives(CSP)
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]  # no inline script
    assert all(set(v) <= {"'self'", "'none'"} for v in policy.values())


def test_errors_are_json_for_the_api_and_pages_for_people(decider: Decider) -> None:
    with client_for(decider, raise_server_exceptions=False) as c:
        response = c.get("/api/v1/decide")
        assert response.status_code == 405
        assert response.json()["error"]["message"]
        response = c.get("/api/v2/decide")
        assert response.status_code == 404
        assert "/api/v2/decide" in response.json()["error"]["message"]
        page = c.get("/et/nothing/here.html")
        assert page.status_code == 404
        assert parse(page.text).lang == "et"
        # A failure inside is a JSON error, never a traceback.
        state = c.app.state.advisor  # type: ignore[attr-defined]
        original = state.one_case.line
        state.one_case.line = lambda text: 1 / 0
        try:
            response = c.post("/api/v1/decide", json={"card_lost": True})
        finally:
            state.one_case.line = original
        assert response.status_code == 500
        assert response.json()["error"]["message"].startswith("internal error")
        assert "Traceback" not in response.text
        assert "ZeroDivisionError" not in response.text


def test_health(client: TestClient, decider: Decider) -> None:
    response = client.get("/healthz")
    assert response.json() == {
        "status": "ok",
        "version": response.json()["version"],
        "rules_version": decider.book.version,
    }


# --- languages and help pages -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "lang"),
    [
        ("et-EE,et;q=0.9,en;q=0.8", "et"),
        ("ru", "ru"),
        ("de-DE, ru;q=0.2, et;q=0.5", "et"),
        ("fi, de", "en"),
        ("", "en"),
        ("*", "en"),
        ("ru;q=0, et", "et"),
    ],
)
def test_the_root_sends_each_browser_to_its_language(
    client: TestClient, accept: str, lang: str
) -> None:
    response = client.get("/", headers={"accept-language": accept})
    assert response.status_code == 303
    assert response.headers["location"] == f"/{lang}/"
    assert response.headers["vary"] == "Accept-Language"
    assert client.get(f"/{lang}").headers["location"] == f"/{lang}/"


def crawl(client: TestClient, start: str) -> dict[str, Page]:
    """Every page the site links to from `start`, by path; fails on a link that does not
    resolve."""
    seen: dict[str, Page] = {}
    todo = [start]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        response = client.get(path)
        assert response.status_code == 200, path
        if not response.headers["content-type"].startswith("text/html"):
            seen[path] = parse("")
            continue
        page = seen[path] = parse(response.text)
        for link in page.links():
            if is_external(link) or link.startswith("#"):
                continue
            target = str(response.url.join(link.split("#")[0]))
            todo.append(target.removeprefix("http://127.0.0.1:8080"))
    return seen


def test_every_link_of_the_served_site_resolves(client: TestClient) -> None:
    pages = crawl(client, "/en/")
    html = {path: page for path, page in pages.items() if page.elements}
    for lang in LANGUAGES:
        for page in help_pages():
            assert f"/{page.in_language(lang)}" in html, page
        assert f"/{lang}/triage" in html
        assert f"/{lang}/api" in html
    for path, page in html.items():
        assert page.lang == (path.split("/")[1] if path != "/index.html" else "en"), path
        assert len(page.all("h1")) == 1, path
        assert not page.all("meta", http_equiv="Content-Security-Policy")  # the header has it


def test_help_pages_are_the_pages_of_the_static_site(client: TestClient) -> None:
    from advisor.site import Site

    site = Site(served=True)
    for page in help_pages()[:8]:
        assert client.get(f"/et/{page.path}").text == site.render(page, "et")
    response = client.get("/ru/routes/no_action.html")
    assert response.headers["cache-control"] == "public, max-age=300"
    assert parse(response.text).one("h1").text.strip() == route_title("no_action", "ru")


# --- the triage page ----------------------------------------------------------------------


def form_fields(page: Page) -> dict[str, str]:
    """name -> the label's text, for every control of the triage form."""
    labels = {e.attrs.get("for"): " ".join(e.text.split()) for e in page.all("label")}
    out = {}
    for e in page.elements:
        if e.tag in ("input", "select", "textarea") and e.attrs.get("name"):
            form_id = e.attrs.get("id")
            assert form_id in labels, e  # every control has its label
            out[e.attrs["name"]] = labels[form_id]
    return out


def test_the_form_has_every_fact_with_unknown_allowed(client: TestClient) -> None:
    html = client.get("/en/triage").text
    page = parse(html)
    fields = form_fields(page)
    assert set(FIELD_NAMES) <= set(fields)
    for select in page.all("select"):
        name = select.attrs["name"]
        if name in FIELD_NAMES:
            # The first choice, which an empty form shows, is "unknown" (or, for a safety
            # fact that nobody reported, "no": docs/facts.md).
            first = re.search(
                rf'<select id="f-{name}"[^>]*>\s*<option value=""( selected)?>([^<]*)<', html
            )
            assert first is not None, name
            assert first.group(2) == ("No" if name in SAFETY_FIELDS else "Unknown"), name
    for name in FIELD_NAMES:
        if page.all("input", name=name):
            assert page.one("input", name=name).attrs["value"] == ""
    assert not page.all("section", **{"class": "decision"})
    estonian = form_fields(parse(client.get("/et/triage").text))
    assert estonian["pin1_tries_left"].startswith("PIN1 katseid")


def test_the_page_decides_explains_and_writes_the_ticket(
    client: TestClient, decider: Decider
) -> None:
    response = client.get(
        "/en/triage", params={"card_lost": "jah", "expiry_date": "30.06.2099", "id": "T-1"}
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = parse(response.text)
    assert len(page.all("h1")) == 1
    decision = decider.decide(
        parse_facts(
            {"card_lost": "jah", "expiry_date": "30.06.2099", "id": "T-1"},
            human=True,
            default_today=date.today(),
        )
    )
    assert decision.route is not None
    title = route_title(decision.route, "en")
    assert title in page.text()
    rows = page.all("tr")[1:]
    assert [row.text.split()[0] for row in rows] == list(decision.fired)
    # In Estonian, the rules' reasons are the catalog's.
    from advisor.engine import load_rulebook
    from advisor.translatable import load_catalog

    because = {rule.name: rule.because for rule in load_rulebook().rules()}
    estonian = parse(client.get("/et/triage", params={"card_lost": "jah"}).text)
    first = estonian.all("tr")[1]
    name = first.text.split()[0]
    assert load_catalog("et").gettext(because[name]) in first.text
    transcript = page.one("textarea").text
    assert "card_lost=true" in transcript
    assert "expiry_date=2099-06-30" in transcript
    assert title in transcript
    for name in decision.fired:
        assert name in transcript
    assert "https://" in transcript  # the sources, titled, with their links
    assert json.loads(page.all("pre")[-1].text) == decision.to_json()
    # The select shows the answer as read: "jah" is "yes".
    assert 'value="yes" selected' in response.text


def test_bad_facts_are_named_on_the_form(client: TestClient) -> None:
    response = client.get("/et/triage", params={"pin1_tries_left": "9", "issue_date": "Nov 2025"})
    assert response.status_code == 200
    page = parse(response.text)
    summary = page.one("div", **{"class": "error-summary"})
    assert "pin1_tries_left" in summary.text
    assert "issue_date" in summary.text
    assert page.one("input", name="issue_date").attrs["aria-invalid"] == "true"
    assert page.one("input", name="issue_date").attrs["aria-describedby"] == "e-issue_date"
    assert not page.all("section", **{"class": "decision"})


def test_an_upload_comes_back_as_the_lines_of_triage_batch(client: TestClient) -> None:
    _code, stdout = cli_json(["triage", "batch", "-", "--format", "csv"], CSV)
    response = client.post(
        "/ru/triage/batch",
        files={"file": ("My cases.csv", CSV.encode(), "text/csv")},
        data={"format": "auto", "encoding": "utf-8"},
    )
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="My_cases.decisions.jsonl"'
    )
    assert response.text == stdout
    missing = client.post("/en/triage/batch", data={"format": "auto"})
    assert missing.status_code == 400
    assert "Choose a file of cases" in missing.text


# --- read my card --------------------------------------------------------------------------


def test_read_my_card_fills_the_form_from_the_card(client: TestClient) -> None:
    page = parse(client.get("/en/triage").text)
    assert page.one("button", formaction="triage/card")
    response = client.get("/en/triage/card", params={"puk_known": "yes", "pin1_tries_left": ""})
    assert response.status_code == 303
    target = response.headers["location"]
    assert target.startswith("../triage?")
    filled = client.get("/en/" + target.removeprefix("../"))
    assert 'name="puk_known"' in filled.text
    assert "pin1_tries_left=0" in target  # read from the card
    assert "puk_known=yes" in target  # kept from the form
    assert "decision" in filled.text
    api = client.get("/api/v1/card").json()
    assert api["facts"]["pin1_tries_left"] == 0
    assert api["facts"]["card_generation"] == "idemia"
    # Nothing personal leaves the card reader.
    assert set(api) == {"facts", "unverified"}
    assert set(api["facts"]) <= set(FIELD_NAMES)


@pytest.mark.parametrize(
    ("settings", "client_address", "host"),
    [
        (WebSettings(host="0.0.0.0", virtual=PRESET), LOCAL, "127.0.0.1:8080"),
        (WebSettings(virtual=PRESET, card=False), LOCAL, "127.0.0.1:8080"),
        (WebSettings(virtual=PRESET), ("192.0.2.7", 4000), "127.0.0.1:8080"),
        (WebSettings(virtual=PRESET), LOCAL, "rebind.example:8080"),
    ],
    ids=["listens-everywhere", "no-card", "remote-client", "dns-rebinding"],
)
def test_only_this_computer_may_read_the_card(
    decider: Decider, settings: WebSettings, client_address: tuple[str, int], host: str
) -> None:
    with client_for(decider, settings, client=client_address) as c:
        headers = {"host": host}
        assert c.get("/api/v1/card", headers=headers).status_code == 403
        assert c.get("/en/triage/card", headers=headers).status_code == 403
        page = parse(c.get("/en/triage", headers=headers).text)
        assert not page.all("button", formaction="triage/card")


def test_no_card_says_why_on_the_form(decider: Decider) -> None:
    with client_for(decider, WebSettings(virtual="no-such-preset")) as c:
        response = c.get("/et/triage/card", params={"card_lost": "yes"})
        assert response.status_code == 303
        assert "card_error=failed" in response.headers["location"]
        assert "card_lost=yes" in response.headers["location"]
        page = c.get("/et/" + response.headers["location"].removeprefix("../"))
        assert "Kaarti ei õnnestunud lugeda." in page.text


def test_loopback_names() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.168.1.2", "example.org"]))


# --- no field for a code, anywhere ----------------------------------------------------------


def schema_names(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                yield from value
            if key == "parameters" and isinstance(value, list):
                yield from (p["name"] for p in value)
            yield from schema_names(value)
    elif isinstance(node, list):
        for value in node:
            yield from schema_names(value)


def test_nothing_asks_for_a_pin_or_puk(client: TestClient) -> None:
    assert code_like("pin1")
    assert code_like("new_pin")
    assert code_like("puk_code")
    assert not code_like("pin1_tries_left")
    assert not code_like("puk_known")
    pages = crawl(client, "/en/")
    for lang in ("et", "ru"):
        pages.update(crawl(client, f"/{lang}/triage"))
    checked = 0
    for path, page in pages.items():
        for e in page.elements:
            if e.tag in ("input", "select", "textarea", "button"):
                assert e.attrs.get("type") != "password", path
                assert not code_like(e.attrs.get("name", "")), (path, e)
                assert not code_like(e.attrs.get("id", "").removeprefix("f-")), (path, e)
                assert e.attrs.get("autocomplete") not in ("current-password", "one-time-code")
                checked += 1
    assert checked > 3 * len(FIELD_NAMES)
    names = set(schema_names(client.get("/api/v1/openapi.json").json()))
    assert set(FIELD_NAMES) <= names
    assert [name for name in names if code_like(name)] == []


# --- the OpenAPI document and its page -----------------------------------------------------


def test_the_openapi_document_describes_the_app(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert spec == json.loads(json.dumps(document()))
    assert spec["openapi"].startswith("3.1")
    facts = spec["components"]["schemas"]["Facts"]
    assert list(facts["properties"]) == list(FIELD_NAMES)
    assert facts["additionalProperties"] is False
    for path, methods in spec["paths"].items():
        for method in methods:
            response = client.request(method.upper(), path, json={} if method == "post" else None)
            assert response.status_code != 404, path
    decision = spec["components"]["schemas"]["Decision"]
    keys = set(client.post("/api/v1/decide", json={}).json())
    assert keys <= set(decision["properties"])
    assert set(decision["required"]) <= keys


def test_the_api_reference_page_lists_every_operation(client: TestClient) -> None:
    spec = document()
    for lang, title in (("en", "API reference"), ("et", "API kirjeldus"), ("ru", "Описание API")):
        page = parse(client.get(f"/{lang}/api").text)
        assert page.one("h1").text == title
        for path, methods in spec["paths"].items():
            for method in methods:
                assert f"op-{methods[method]['operationId']}" in page.ids()
                assert path in page.text()
        assert not [link for link in page.links() if is_external(link)]


# --- advisor serve ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_advisor_serve_answers_and_stops() -> None:
    port = free_port()
    advisor = Path(sys.executable).parent / "advisor"
    process = subprocess.Popen(
        [str(advisor), "serve", "--port", str(port), "--no-card"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
                    headers = r.headers
                    break
            except OSError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "advisor serve did not answer"
                time.sleep(0.2)
        assert body["status"] == "ok"
        assert headers["Content-Security-Policy"] == CSP
        assert headers["Server"] is None
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.stderr is not None
    assert f"http://127.0.0.1:{port}/" in process.stderr.read().decode()


@pytest.mark.parametrize(
    "args",
    [["--virtual", "no-such-card"], ["--virtual", PRESET, "--reader", "x"], ["--port", "70000"]],
)
def test_advisor_serve_refuses_bad_options(args: list[str]) -> None:
    result = CliRunner().invoke(cli_app, ["serve", *args])
    assert result.exit_code == 2


def test_advisor_serve_says_when_the_port_is_taken() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli_app, ["serve", "--port", str(port), "--no-card"])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
