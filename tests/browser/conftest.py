"""The browser tier: Debian's Chromium, driven by Playwright from PyPI.

Chromium is the one .ci/setup installs with apt (`playwright install` is never run: the
machine reaches only the package registries). One browser serves the whole session; the
help site is built once into a temporary folder and `advisor serve`'s app runs once, on
uvicorn in a thread, on a free loopback port; both are stopped at the end, and nothing
else is touched.

Every page a test opens is watched (`Watched`): a console error, an uncaught exception
or a request to any host but the site's own fails the test. Requests that would leave
the site are also aborted, so a test can never reach the network.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from advisor.engine import Decider
from advisor.site.build import build_site
from advisor.web.app import create_app
from advisor.web.settings import WebSettings

CHROMIUM = Path("/usr/bin/chromium")
# The flags the project runs Chromium with: no sandbox (containers), no GPU, and nothing
# that would phone home on its own (QUIC, background networking, component updates,
# sync, first-run pages).
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The virtual card behind "read my card": PIN1 blocked.
CARD = "idemia-pin1-blocked"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: `bash .ci/setup` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def static_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser-site") / "help"
    build_site(out)
    return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def server(decider: Decider) -> Iterator[str]:
    """The app on uvicorn, as `advisor serve --virtual CARD` runs it; its base URL."""
    import uvicorn

    port = _free_port()
    app = create_app(WebSettings(port=port, virtual=CARD), decider=decider)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert thread.is_alive(), "uvicorn stopped while starting"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=30)


@dataclass
class Watched:
    """A page, and what went wrong on it."""

    page: Any
    origin: str  # the site's own: "http://127.0.0.1:PORT" or "file://"
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def own(self, url: str) -> bool:
        if self.origin == "file://":
            return url.startswith("file://") or url.startswith(("data:", "about:"))
        return url == self.origin or url.startswith((self.origin + "/", "data:", "about:"))

    def check(self) -> None:
        assert self.errors == [], self.errors
        assert self.outside == [], self.outside


def watch(context: Any, origin: str) -> Watched:
    page = context.new_page()
    watched = Watched(page, origin)

    def on_console(message: Any) -> None:
        if message.type == "error":
            watched.errors.append(f"console: {message.text} ({page.url})")

    def on_request(request: Any) -> None:
        if not watched.own(request.url):
            watched.outside.append(request.url)

    def route(handle: Any) -> None:
        if watched.own(handle.request.url):
            handle.continue_()
        else:
            handle.abort()

    page.on("console", on_console)
    page.on("pageerror", lambda error: watched.errors.append(f"page: {error} ({page.url})"))
    page.on("request", on_request)
    context.route("**/*", route)
    return watched


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(locale="en-GB", viewport={"width": 1100, "height": 900})
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def served(context: Any, server: str) -> Iterator[Watched]:
    watched = watch(context, server)
    yield watched
    watched.check()


@pytest.fixture
def local(context: Any) -> Iterator[Watched]:
    watched = watch(context, "file://")
    yield watched
    watched.check()
