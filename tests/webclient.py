"""The web app in process, for the tests of `advisor serve` (tests/test_web.py,
tests/test_web_interview.py), and what a field that could carry a code looks like."""

from __future__ import annotations

import re
from typing import Any

from starlette.testclient import TestClient

from advisor.engine import Decider
from advisor.web.app import create_app
from advisor.web.settings import WebSettings

LOCAL = ("127.0.0.1", 50000)
PRESET = "idemia-pin1-blocked"


def client_for(decider: Decider, settings: WebSettings | None = None, **options: Any) -> TestClient:
    app = create_app(settings or WebSettings(virtual=PRESET), decider=decider)
    options.setdefault("client", LOCAL)
    return TestClient(app, base_url="http://127.0.0.1:8080", follow_redirects=False, **options)


# A name that could carry a code: pin, pin1, puk, pin2_code, new_pin, password, secret, ...
CODE_FIELD = re.compile(r"(^|[_-])(pin\d?|puk|code|pass(word)?|secret|can)($|[_-])", re.I)
# The facts about codes that carry no code: counters, "does the holder have it", flags.
FACT_ABOUT_A_CODE = re.compile(r"^(pin1|pin2|puk)_(tries_left|known)$|^pin2_activated$")


def code_like(name: str) -> bool:
    return bool(CODE_FIELD.search(name)) and not FACT_ABOUT_A_CODE.match(name)
