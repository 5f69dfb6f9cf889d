"""Typed results of the card session: what a card says, and what an operation left.

Frozen values with no I/O. None means "the card did not tell" (or the chip
has no such thing). No field can hold a PIN or PUK: results carry counters,
flags, dates and the holder's own card data only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from advisor.model import CodeKind, CodeOperation, DocumentType, Generation

__all__ = [
    "CardStatus",
    "CertificateInfo",
    "CodeState",
    "OperationResult",
    "PersonalData",
    "Preflight",
]


@dataclass(frozen=True)
class CodeState:
    """Retry counter of one code, with the Thales "changed since issue" flag.

    ``changed`` is the Thales DF2F flag (False = never changed: PIN2 must be
    changed before signing, PIN1 = card not activated; docs/card-protocol.md §4.4);
    None on IDEMIA, which has no such state (§3.3).
    """

    kind: CodeKind
    tries_left: int
    max_tries: int
    changed: bool | None = None

    @property
    def blocked(self) -> bool:
        return self.tries_left == 0

    @property
    def last_attempt(self) -> bool:
        return self.tries_left == 1


@dataclass(frozen=True)
class PersonalData:
    """Fields of the personal-data file the session reads (EF 5001..5009, §5)."""

    surname: str | None = None
    given_names: str | None = None
    personal_code: str | None = None
    document_number: str | None = None
    expiry_date: date | None = None
    # Printed issue date: IDEMIA EF 5009 only; Thales holds none that is known (§5.1).
    issue_date: date | None = None


@dataclass(frozen=True)
class CertificateInfo:
    """The parts of an X.509 certificate the advisor shows or decides on (§6.2)."""

    subject: str
    issuer: str
    issuer_common_name: str | None
    serial_number: str
    not_before: datetime
    not_after: datetime
    policy_oids: tuple[str, ...]
    document_type: DocumentType | None
    # From the subject serialNumber "PNOEE-<code>" (§6.2).
    personal_code: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer_common_name or self.issuer,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "document_type": str(self.document_type) if self.document_type else None,
        }


@dataclass(frozen=True)
class CardStatus:
    """Everything one ``CardSession.status()`` read, plus what it could not verify.

    ``unverified`` lists, in words, each value above that rests on an
    assumption docs/card-protocol.md marks unknown or inferred, so that a surface
    can say so instead of presenting it as fact.
    """

    generation: Generation
    chip: str
    reader: str
    atr: str
    pin1: CodeState | None = None
    pin2: CodeState | None = None
    puk: CodeState | None = None
    pin2_activated: bool | None = None
    card_activated: bool | None = None
    personal: PersonalData | None = None
    auth_certificate: CertificateInfo | None = None
    sign_certificate: CertificateInfo | None = None
    document_type: DocumentType | None = None
    unverified: tuple[str, ...] = ()
    apdu_count: int = 0

    def code(self, kind: CodeKind) -> CodeState | None:
        return {CodeKind.PIN1: self.pin1, CodeKind.PIN2: self.pin2, CodeKind.PUK: self.puk}[kind]

    def to_json(self) -> dict[str, Any]:
        """What was read, for `card status --json` and `diagnose --json`: the card's facts
        under the names of contract §1 (docs/facts.md), the holder, the certificates, the
        unverified assumptions and the number of APDUs it took."""
        out: dict[str, Any] = {"reader": self.reader, "chip": self.chip, "atr": self.atr}
        out.update(self.to_facts_json())
        if self.personal is not None:
            p = self.personal
            out["holder"] = {
                "surname": p.surname,
                "given_names": p.given_names,
                "personal_code": p.personal_code,
                "document_number": p.document_number,
            }
        certificates = {
            name: cert.to_json()
            for name, cert in (
                ("authentication", self.auth_certificate),
                ("signing", self.sign_certificate),
            )
            if cert is not None
        }
        if certificates:
            out["certificates"] = certificates
        out["unverified"] = list(self.unverified)
        out["apdu_count"] = self.apdu_count
        return out

    def to_facts_json(self) -> dict[str, Any]:
        """The facts this card tells, under the names of docs/facts.md (contract §1).

        Unknown values are left out, as ``Facts.to_json`` does, so the result
        feeds ``advisor.facts.parse_facts`` directly.
        """
        personal = self.personal or PersonalData()
        values: dict[str, Any] = {
            "card_generation": self.generation.value,
            "issue_date": personal.issue_date.isoformat() if personal.issue_date else None,
            "expiry_date": personal.expiry_date.isoformat() if personal.expiry_date else None,
            "document_type": self.document_type.value if self.document_type else None,
            "pin1_tries_left": self.pin1.tries_left if self.pin1 else None,
            "pin2_tries_left": self.pin2.tries_left if self.pin2 else None,
            "puk_tries_left": self.puk.tries_left if self.puk else None,
            "pin2_activated": self.pin2_activated,
            "card_activated": self.card_activated,
        }
        return {name: value for name, value in values.items() if value is not None}


@dataclass(frozen=True)
class Preflight:
    """What an operation would spend, read before any code is asked for
    (``CardSession.preflight``): the code it sets, the code whose attempt it spends (the
    PUK for an unblock or an activation with the PUK) and that code's counter."""

    operation: CodeOperation
    kind: CodeKind
    spends: CodeKind
    spent: CodeState
    counters: tuple[CodeState, ...]

    @property
    def uses_puk(self) -> bool:
        return self.spends is CodeKind.PUK and self.kind is not CodeKind.PUK

    @property
    def last_attempt(self) -> bool:
        return self.spent.last_attempt


@dataclass(frozen=True)
class OperationResult:
    """A successful change / unblock / activation and the counters read after it."""

    operation: CodeOperation
    kind: CodeKind
    counters: tuple[CodeState, ...]
    used_pinpad: bool
    apdu_count: int
