""" "Read my card": the facts a card tells, for the triage form (read-only).

Only `CardSession.status(facts_only=True)` is called: counters, flags, dates and the
document type; no code is asked for, sent or shown, and no personal data leaves the card
reader (no name, personal code or document number). One card, one reader: reads are
taken in turn.

Only a request from this machine, to a server that listens on this machine alone, may
read the card (`allowed`): bound to another address, or reached through a DNS name that
rebinds to 127.0.0.1, every visitor of a page could read it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Final

from advisor.errors import AdvisorError
from advisor.web.settings import WebSettings, is_loopback

_LOCK = threading.Lock()
_LOCAL_NAMES: Final = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


@dataclass(frozen=True)
class CardFacts:
    facts: dict[str, Any]  # contract names (docs/facts.md), unknowns left out
    unverified: tuple[str, ...]  # what the card layer could not verify (English)


class CardReadError(AdvisorError):
    """The card could not be read. `reason` is one of REASONS."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


REASONS: Final = (
    "no_service",
    "no_reader",
    "no_card",
    "several_readers",
    "card_in_use",
    "not_estonian",
    "failed",
)


def allowed(settings: WebSettings, client_host: str | None, host_header: str | None) -> bool:
    if not settings.card_reading or client_host is None or not is_loopback(client_host):
        return False
    name = (host_header or "").rsplit(":", 1)[0] if host_header else ""
    if host_header and host_header.startswith("["):
        name = host_header.split("]")[0] + "]"
    return name.lower() in _LOCAL_NAMES


def reader_present(settings: WebSettings) -> bool:
    """Whether a card could be read now: a virtual card always; else any PC/SC reader
    (never an error: without pcscd or pyscard there is simply no reader)."""
    if settings.virtual:
        return True
    try:
        from advisor.transport.pcsc import list_readers

        return bool(list_readers())
    except Exception:  # no PC/SC of any kind (no pcscd, no pyscard) means no reader
        return False


def read_card(settings: WebSettings) -> CardFacts:
    """Blocking: call it from a worker thread."""
    from advisor.card.errors import NotEstonianCard
    from advisor.card.session import CardSession
    from advisor.transport import (
        CardInUse,
        NoCard,
        NoReader,
        NoService,
        SeveralReaders,
        TransportError,
    )

    with _LOCK:
        try:
            connection = _connect(settings)
        except NoService as exc:
            raise CardReadError("no_service", str(exc)) from None
        except NoReader as exc:
            raise CardReadError("no_reader", str(exc)) from None
        except NoCard as exc:
            raise CardReadError("no_card", str(exc)) from None
        except SeveralReaders as exc:
            raise CardReadError("several_readers", str(exc)) from None
        except CardInUse as exc:
            raise CardReadError("card_in_use", str(exc)) from None
        except (TransportError, AdvisorError) as exc:
            raise CardReadError("failed", str(exc)) from None
        try:
            status = CardSession(connection).status(facts_only=True)
        except NotEstonianCard as exc:
            raise CardReadError("not_estonian", str(exc)) from None
        except AdvisorError as exc:
            raise CardReadError("failed", str(exc)) from None
        finally:
            connection.close()
    return CardFacts(status.to_facts_json(), status.unverified)


def _connect(settings: WebSettings) -> Any:
    if settings.virtual:
        from advisor.emulator import make_card
        from advisor.emulator.connection import VirtualConnection

        return VirtualConnection(make_card(settings.virtual))
    from advisor.transport.pcsc import connect

    return connect(settings.reader)
