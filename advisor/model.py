"""Enumerations and identifiers shared by every layer.

The contract's ids (docs/facts.md, docs/decisions.md): other tools depend on these
strings, so add members freely and rename none. The codes and the operations on them are
here too, below the card layer, so that the facts, the guidance and the web can name a
code or an operation without importing the card stack.
"""

from __future__ import annotations

from enum import StrEnum


class Generation(StrEnum):
    IDEMIA = "idemia"
    THALES = "thales"
    LEGACY = "legacy"

    @property
    def label(self) -> str:
        """The chip as holders and the official pages name it."""
        return {"idemia": "IDEMIA", "thales": "Thales", "legacy": "pre-2018"}[self.value]


class DocumentType(StrEnum):
    E_RESIDENT = "e_resident"
    ID_CARD = "id_card"
    DIGI_ID = "digi_id"
    RESIDENCE_PERMIT = "residence_permit"
    DIPLOMATIC = "diplomatic"


class Location(StrEnum):
    ESTONIA = "estonia"
    ABROAD = "abroad"


class Route(StrEnum):
    CERTIFICATE_SUSPENSION = "certificate_suspension"
    CERTIFICATE_REVOCATION = "certificate_revocation"
    CODES_COMPROMISED = "codes_compromised"
    CARD_REPLACEMENT = "card_replacement"
    CERTIFICATE_REACTIVATION = "certificate_reactivation"
    CARD_ACTIVATION_SELF_SERVICE = "card_activation_self_service"
    PIN2_ACTIVATION = "pin2_activation"
    PUK_UNBLOCK_IN_APP = "puk_unblock_in_app"
    PUK_VIEW_SELF_SERVICE = "puk_view_self_service"
    CODES_REISSUE_IN_PERSON = "codes_reissue_in_person"
    NO_ACTION = "no_action"


class Advisory(StrEnum):
    PIN_ROLES = "pin_roles"
    NEVER_SHARE_CODES = "never_share_codes"
    STORE_CODES_SAFELY = "store_codes_safely"
    PINS_DIFFER = "pins_differ"
    ENTER_PIN_ONLY_WHEN_YOU_STARTED = "enter_pin_only_when_you_started"
    PIN2_SCAM_WARNING = "pin2_scam_warning"
    BROWSER_PIN1_CACHE = "browser_pin1_cache"
    LAST_ATTEMPT = "last_attempt"
    PUK_BLOCKED_CARD_STILL_WORKS = "puk_blocked_card_still_works"
    THALES_PUK_CANNOT_CHANGE = "thales_puk_cannot_change"
    EXPIRING_SOON = "expiring_soon"
    GENERATION_DATE_CONFLICT = "generation_date_conflict"
    # Beyond the contract's minimum set.
    REPORT_THEFT = "report_theft"
    DECRYPT_BEFORE_REPLACEMENT = "decrypt_before_replacement"
    REPORT_LOSS = "report_loss"
    CERTIFICATES_ACTIVATE_HOURLY = "certificates_activate_hourly"


class Urgency(StrEnum):
    NOW = "now"
    SOON = "soon"
    WHEN_CONVENIENT = "when_convenient"


URGENCY_ORDER = {Urgency.NOW: 0, Urgency.SOON: 1, Urgency.WHEN_CONVENIENT: 2}


class Status(StrEnum):
    DECIDED = "decided"
    INCOMPLETE = "incomplete"
    ERROR = "error"


class CodeKind(StrEnum):
    """Which secret: the strings match the CLI's `pin1`, `pin2`, `puk` arguments."""

    PIN1 = "pin1"
    PIN2 = "pin2"
    PUK = "puk"

    @property
    def label(self) -> str:
        """The name a holder knows the code by: PIN1, PIN2, PUK (the same in et and ru)."""
        return self.name


class CodeOperation(StrEnum):
    """What a card operation does to a code."""

    CHANGE = "change"
    UNBLOCK = "unblock"
    ACTIVATE_PIN2 = "activate_pin2"
