"""`advisor serve` in Chromium: the served site's links, languages and alternates; the
support staff's form decides a case (with and without JavaScript) and copies its ticket
summary; a CSV uploaded from the form comes back as the lines of `advisor triage
batch`; "read my card" fills the form; the API answers the contract to the browser.
Every page is watched for console errors and requests that leave the site
(tests/browser/conftest.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from advisor.cli import app as cli_app
from advisor.engine import Decider
from advisor.facts.case import FIELD_NAMES, parse_facts
from advisor.guidance import route_title
from advisor.site import LANGUAGES, help_pages
from tests.browser.conftest import Watched, watch

LINKS = """() => [...document.querySelectorAll("a[href], link[href], script[src]")]
    .map(e => e.href || e.src)"""


def test_the_served_site_links_and_languages(served: Watched, server: str) -> None:
    page = served.page
    todo = [f"{server}/en/", f"{server}/et/triage", f"{server}/ru/triage", f"{server}/et/api"]
    todo += [f"{server}/ru/", f"{server}/ru/routes/codes_compromised.html"]
    seen: set[str] = set()
    elsewhere: set[str] = set()
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        assert response is not None, url
        assert response.status == 200, url
        if not response.headers["content-type"].startswith("text/html"):
            continue
        path = url.removeprefix(server)
        lang = page.evaluate("() => document.documentElement.lang")
        assert lang == (path.split("/")[1] if path != "/index.html" else "en"), url
        alternates = page.evaluate(
            "() => [...document.querySelectorAll('link[rel=alternate]')].map(l => l.hreflang)"
        )
        assert sorted(alternates) == sorted([*LANGUAGES, "x-default"]), url
        for link in page.evaluate(LINKS):
            target = link.split("#")[0]
            # The English site is walked whole; of the others, what links to them.
            if target.startswith(server) and (
                "/en/" in target or target.endswith(("/triage", "/api")) or target == url
            ):
                todo.append(target)
            elif target.startswith(server):
                elsewhere.add(target)
    for target in sorted(elsewhere - seen):
        assert page.request.get(target).status == 200, target
    for item in help_pages():
        assert f"{server}/en/{item.path}" in seen, item.path


def fill_case(page: Any) -> None:
    page.select_option("#f-card_lost", "yes")
    page.fill("#f-expiry_date", "30.06.2099")
    page.fill("#f-id", "ticket 1")


def test_the_staff_form_decides_and_copies_the_summary(
    served: Watched, server: str, decider: Decider, context: Any
) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = served.page
    page.goto(f"{server}/en/triage")
    assert page.locator("section.decision").count() == 0
    fill_case(page)
    page.click("button:has-text('Decide')")
    page.wait_for_selector("section.decision")
    facts = parse_facts(
        {"card_lost": "yes", "expiry_date": "30.06.2099", "id": "ticket 1"},
        human=True,
        default_today=date.today(),
    )
    decision = decider.decide(facts)
    assert decision.route is not None
    title = route_title(decision.route, "en")
    assert title in page.inner_text("section.decision")
    assert "id=ticket+1" in page.url
    summary = page.input_value("#transcript")
    assert title in summary
    assert "card_lost=true" in summary
    copy = page.locator("#copy-transcript")
    # The script shows it once it has run (deferred: after the page is parsed, which is
    # all that waiting for the decision's section waited for); it fails if it never does.
    copy.wait_for(state="visible", timeout=10_000)
    copy.click()
    page.wait_for_function("() => document.getElementById('copy-status').textContent !== ''")
    assert page.inner_text("#copy-status") == "Copied."
    assert page.evaluate("() => navigator.clipboard.readText()") == summary
    # The back button returns to the empty form: every state is an address.
    page.go_back()
    assert page.locator("section.decision").count() == 0
    page.go_forward()
    assert page.locator("section.decision").count() == 1


def test_the_staff_form_works_without_javascript(browser: Any, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        watched = watch(context, server)
        page = watched.page
        page.goto(f"{server}/et/triage")
        fill_case(page)
        page.click("button:has-text('Otsusta')")
        page.wait_for_selector("section.decision")
        assert page.locator("#copy-transcript").is_hidden()
        assert "Kaart on kadunud" in page.inner_text("form")
        # A bad value comes back named on the form.
        page.fill("#f-issue_date", "Nov 2025")
        page.click("button:has-text('Otsusta')")
        page.wait_for_selector(".error-summary")
        assert page.get_attribute("#f-issue_date", "aria-invalid") == "true"
        watched.check()
    finally:
        context.close()


CSV = "id,card_generation,pin1_tries_left,puk_known,card_lost\na,idemia,0,jah,\nb,thales,3,,yes\nc,??,,,\n"


def test_an_uploaded_csv_comes_back_as_the_lines_of_triage_batch(
    served: Watched, server: str, tmp_path: Path
) -> None:
    source = tmp_path / "cases.csv"
    source.write_text(CSV, encoding="utf-8")
    page = served.page
    page.goto(f"{server}/en/triage")
    page.set_input_files("#u-file", str(source))
    with page.expect_download() as info:
        page.click("button:has-text('Decide the file')")
    download = info.value
    assert download.suggested_filename == "cases.decisions.jsonl"
    saved = tmp_path / "out.jsonl"
    download.save_as(saved)
    expected = CliRunner().invoke(cli_app, ["triage", "batch", str(source)]).stdout
    assert saved.read_text(encoding="utf-8") == expected
    statuses = [json.loads(line)["status"] for line in expected.splitlines()]
    assert statuses.count("error") == 1
    assert len(statuses) == 3


def test_read_my_card_fills_the_form(served: Watched, server: str) -> None:
    page = served.page
    page.goto(f"{server}/en/triage")
    page.select_option("#f-puk_known", "yes")
    page.click("button:has-text('Read my card')")
    page.wait_for_selector("section.decision")
    # The virtual card's PIN1 is blocked; the answer given on the form is kept.
    assert page.input_value("#f-pin1_tries_left") == "0"
    assert page.input_value("#f-card_generation") == "idemia"
    assert page.input_value("#f-puk_known") == "yes"
    assert page.input_value("#f-expiry_date") != ""
    assert "Set a new PIN with your PUK" in page.inner_text("section.decision")


def test_the_api_answers_the_contract(served: Watched, server: str, decider: Decider) -> None:
    page = served.page
    page.goto(f"{server}/en/api")
    case = {"id": "b1", "card_generation": "thales", "pin1_tries_left": 0, "puk_known": False}
    # From the page itself (the CSP allows the site's own address), as a script would.
    answer = page.evaluate(
        """async (body) => {
            const r = await fetch("../api/v1/decide", {method: "POST",
                headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
            return {status: r.status, type: r.headers.get("content-type"), json: await r.json()};
        }""",
        case,
    )
    assert answer["status"] == 200
    assert answer["type"] == "application/json"
    expected = decider.decide(parse_facts(case, default_today=date.today())).to_json()
    assert answer["json"] == expected
    bad = page.request.post(
        f"{server}/api/v1/decide",
        data='{"pin1_tries_left": 5}',
        headers={"Content-Type": "application/json"},
    )
    assert bad.status == 422
    assert bad.json()["error"]["field"] == "pin1_tries_left"
    lines = page.request.post(
        f"{server}/api/v1/triage",
        data=json.dumps(case) + "\n" + "{oops\n",
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert lines.status == 200
    first, second = (json.loads(line) for line in lines.text().splitlines())
    assert first == expected
    assert second["status"] == "error"
    assert second["error"]["line"] == 2
    spec = page.request.get(f"{server}/api/v1/openapi.json").json()
    assert list(spec["components"]["schemas"]["Facts"]["properties"]) == list(FIELD_NAMES)
    assert page.locator("h1").inner_text() == "API reference"
