"""What `advisor serve` was started with, handed to every uvicorn worker.

uvicorn starts each worker from an import string (`advisor.web.app:app_from_environment`),
so the options travel in one environment variable as JSON; a worker holds no other state
(stateless: any worker answers any request).
"""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import asdict, dataclass
from typing import Final

ENVIRONMENT: Final = "ADVISOR_SERVE_SETTINGS"
KiB: Final = 1024
MiB: Final = 1024 * KiB


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    # The card behind "read my card": a PC/SC reader (a part of its name, or any), or a
    # built-in virtual card (demonstrations and tests).
    reader: str | None = None
    virtual: str | None = None
    # "Read my card" at all (it is also off unless the server listens on loopback only).
    card: bool = True
    # The largest request body: one case or form, and a file of cases.
    max_body: int = 64 * KiB
    max_upload: int = 32 * MiB

    @property
    def card_reading(self) -> bool:
        """Only a server that listens on this machine alone may read this machine's card:
        bound to any other address, every visitor would read it."""
        return self.card and is_loopback(self.host)

    def to_environment(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_environment(cls) -> WebSettings:
        raw = os.environ.get(ENVIRONMENT)
        return cls(**json.loads(raw)) if raw else cls()


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and "localhost"; never 0.0.0.0 or ::, which listen everywhere."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
