"""The questionnaire clicked through in Chromium, as holders answer it: the help site's
offline page (assets/questionnaire.js, opened from file://) and the server's page, with
JavaScript and without, in each language.

Each takes the same paths (tests/browser/paths.py: every answer of the first two levels
of the interview tree, then a seeded random sample; at least 60): at every step the page
must ask the question the tree asks, and at the end show the decision the decider gives
for the facts the answers state (checked against the decider before any page opens).
Some paths then go back with the browser's back button and forward again. Any console
error or request that leaves the site fails the test (conftest.Watched).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from advisor.engine import Decider
from advisor.interview.treecache import whole_tree
from advisor.site import LANGUAGES
from tests.browser.conftest import Watched, watch
from tests.browser.paths import COUNT, check_against_decider, sample
from tests.browser.paths import Path as AnswerPath

# How long one step may take to appear (the server renders a step in a few ms).
STEP_TIMEOUT = 15_000
# Every this many paths, the browser's back and forward buttons are tried at the end.
BACK_EVERY = 7


@pytest.fixture(scope="module")
def paths(decider: Decider) -> list[AnswerPath]:
    today = date.today()
    found = sample(whole_tree(decider).data, today)
    assert len(found) >= COUNT
    check_against_decider(found, decider, today)
    return found


READ_RESULT = """() => {
  const r = document.querySelector(".q-result");
  return r && {
    status: r.dataset.status,
    route: r.dataset.route || null,
    advisories: r.dataset.advisories ? r.dataset.advisories.split(" ") : [],
    heading: document.activeElement && document.activeElement.id,
  };
}"""


def answer(page: Any, step: Any) -> None:
    """Give one answer as a keyboard user would: Enter on the answer's button, or a date
    typed and Enter. (The mouse is the refused-answer test's; here it would need
    Playwright's wait for each page to stand still, which costs more than all the rest,
    or clicks at places a page still loading moves.) The next step is waited for by its
    selector, whether it comes as a new page or in place."""
    if step.is_date:
        page.fill("#q-date", step.typed)
        page.press("#q-date", "Enter")
        return
    page.press(f'[data-question="{step.field}"] [data-answer="{step.answer}"]', "Enter")


def walk(page: Any, path: AnswerPath) -> None:
    for step in path.steps:
        # The question the tree asks, and no other: a step that asks another one never
        # shows this selector, and the wait fails.
        page.wait_for_selector(f'[data-question="{step.field}"]', timeout=STEP_TIMEOUT)
        answer(page, step)
    page.wait_for_selector(".q-result", timeout=STEP_TIMEOUT)
    result = page.evaluate(READ_RESULT)
    assert (result["status"], result["route"], tuple(result["advisories"])) == (
        path.status,
        path.route,
        path.advisories,
    ), path


def back_and_forward(page: Any, path: AnswerPath) -> None:
    """The browser's back button returns to the last question; forward, to the end."""
    page.go_back()
    page.wait_for_selector(f'[data-question="{path.steps[-1].field}"]', timeout=STEP_TIMEOUT)
    page.go_forward()
    page.wait_for_selector(".q-result", timeout=STEP_TIMEOUT)
    assert page.evaluate(READ_RESULT)["route"] == path.route


@pytest.fixture
def offline(browser: Any) -> Iterator[Watched]:
    context = browser.new_context(locale="en-GB")
    watched = watch(context, "file://")
    try:
        yield watched
        watched.check()
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_offline_page_walks_every_path_to_the_deciders_decision(
    lang: str, offline: Watched, static_site: Path, paths: list[AnswerPath]
) -> None:
    page = offline.page
    start = (static_site / lang / "questionnaire.html").as_uri()
    page.goto(start)
    assert page.locator("#questionnaire-fallback").is_hidden()
    for number, path in enumerate(paths):
        if number:
            page.press("[data-restart]", "Enter")
        walk(page, path)
        if number % BACK_EVERY == 0:
            back_and_forward(page, path)


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def on_server(request: Any, browser: Any, server: str) -> Iterator[tuple[Watched, bool]]:
    scripted: bool = request.param
    context = browser.new_context(locale="en-GB", java_script_enabled=scripted)
    watched = watch(context, server)
    try:
        yield watched, scripted
        watched.check()
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_servers_questionnaire_walks_the_same_paths(
    lang: str, on_server: tuple[Watched, bool], server: str, paths: list[AnswerPath]
) -> None:
    watched, scripted = on_server
    page = watched.page
    page.goto(f"{server}/{lang}/questionnaire")
    assert page.evaluate("document.documentElement.lang") == lang
    for number, path in enumerate(paths):
        if number:
            page.goto(f"{server}/{lang}/questionnaire")
        # Without JavaScript each answer is a page of its own; with it, the step is
        # swapped in place and the address follows.
        walk(page, path)
        assert "?t=1." in page.url
        if scripted:
            assert page.evaluate(READ_RESULT)["heading"] is not None  # the focus moved
        if number % BACK_EVERY == 0:
            back_and_forward(page, path)


def test_a_refused_answer_back_and_change(on_server: tuple[Watched, bool], server: str) -> None:
    watched, scripted = on_server
    page = watched.page
    page.goto(f"{server}/en/questionnaire")
    page.locator('[data-answer="no"]').click()
    page.wait_for_selector('[data-question="codes_compromised"]')
    page.locator('[data-answer="no"]').click()
    page.wait_for_selector('[data-question="card_generation"]')
    address = page.url
    page.locator("[data-answer-date]").click()  # no date typed
    page.wait_for_selector("#q-error")
    assert "four-digit year" in page.locator("#q-error").inner_text()
    assert page.locator("#q-date").get_attribute("aria-invalid") == "true"
    # The refused answer is status 422, which Chromium logs as a failed load: the one
    # console error this test expects.
    refused = [e for e in watched.errors if "status of 422" in e]
    assert len(refused) <= 1
    watched.errors = [e for e in watched.errors if e not in refused]
    if scripted:
        assert page.url == address  # the address keeps its token
    page.locator("[data-back]").click()
    page.wait_for_selector('[data-question="codes_compromised"]')
    page.locator('[data-change="card_lost"]').click()
    page.wait_for_selector('[data-question="card_lost"]')
