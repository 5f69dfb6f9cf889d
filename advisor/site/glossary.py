"""The glossary of the help site: the terms the guidance uses, and the labels of the
official apps that it quotes.

Nothing here is new knowledge: each definition restates what the guidance's own texts
say (content/templates, with the sources named there), and the labels are those of
docs/translating.md, quoted from the apps' translation files. Every string is a msgid of
the one catalog, so a term reads in the page's language and, beside it, in the other two
(the glossary page looks each one up in every catalog): a holder who meets the Estonian
or Russian word at a service office finds it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from advisor.translatable import N_


@dataclass(frozen=True)
class Term:
    """A term (`name`), what it means (`text`, a msgid that may use `%(helpline)s`,
    `%(helpline_short)s` and `%(ppa_email)s`), and the pages that say more (paths
    inside a language's folder)."""

    key: str
    name: str
    text: str
    see: tuple[str, ...] = ()


@dataclass(frozen=True)
class Label:
    """A label an official app shows (`label`, the English of the app in quotes, as the
    texts quote it; its translations are the app's own, in each language's quotes), and
    where the app shows it (`where`)."""

    app: str
    label: str
    where: str


# TRANSLATORS: The glossary's terms and definitions follow docs/translating.md
# ("Names and terms"): use exactly the terms of that table.
TERMS: Final = (
    Term(
        "pin1",
        N_("PIN1 code"),
        N_(
            "PIN1 is you: it logs you in and opens encrypted files. Logging in never asks "
            "for PIN2. Three wrong tries block PIN1."
        ),
        ("advice/pin_roles.html", "questions/pin1_known.html", "questions/pin1_tries_left.html"),
    ),
    Term(
        "pin2",
        N_("PIN2 code"),
        N_(
            "PIN2 is your signature: it counts like your handwritten signature. A PIN2 "
            "prompt means you are signing. Three wrong tries block PIN2."
        ),
        ("advice/pin_roles.html", "questions/pin2_known.html", "questions/pin2_tries_left.html"),
    ),
    Term(
        "puk",
        N_("PUK code"),
        N_(
            "The PUK only unblocks or replaces PIN1 and PIN2. It is in the code envelope "
            "that came with the card. Three wrong tries block it, and a blocked PUK cannot "
            "be unblocked, by you or by phone."
        ),
        ("routes/puk_unblock_in_app.html", "questions/puk_known.html"),
    ),
    Term(
        "code_envelope",
        N_("Code envelope"),
        N_(
            "The envelope with PIN1, PIN2 and the PUK that comes with a card. Keep it "
            "somewhere other than the card. A new card comes with its own code envelope: "
            "the old codes do not work on it."
        ),
        ("advice/store_codes_safely.html", "routes/codes_reissue_in_person.html"),
    ),
    Term(
        "attempts_left",
        N_("Attempts left"),
        N_(
            "Each code allows three tries; every wrong try counts, and none left means the "
            "code is blocked. `advisor card status` reads the number from the card. "
            "DigiDoc4 shows it only inside the window for changing or unblocking a code, "
            "when fewer than 3 attempts are left."
        ),
        ("advice/last_attempt.html", "questions/pin1_tries_left.html"),
    ),
    Term(
        "unblock",
        N_("Unblocking a PIN"),
        N_(
            "A blocked PIN1 or PIN2 is given a new value with the PUK: in DigiDoc4 under "
            '"My eID", or with `advisor card unblock`. No visit is needed.'
        ),
        ("routes/puk_unblock_in_app.html",),
    ),
    Term(
        "pin2_activation",
        N_("PIN2 activation"),
        N_(
            "Cards issued from 17 November 2025 need a new PIN2 before the first signature. "
            'Until then DigiDoc4 says: "PIN2 code must be changed in order to sign."'
        ),
        ("routes/pin2_activation.html", "questions/pin2_activated.html"),
    ),
    Term(
        "card_activation",
        N_("Card activation"),
        N_(
            "Some new cards must first be activated in the police self-service. DigiDoc4 "
            "then says that logging in and signing are not possible yet, and offers "
            '"Activate ID-card".'
        ),
        ("routes/card_activation_self_service.html", "questions/card_activated.html"),
    ),
    Term(
        "certificates",
        N_("Certificates"),
        N_(
            "The card holds two certificates: one for logging in (authentication) and one "
            "for signing. They expire with the card; an expired certificate cannot be used "
            "by anyone."
        ),
        ("advice/expiring_soon.html", "questions/expiry_date.html"),
    ),
    Term(
        "suspend",
        N_("Suspending certificates"),
        N_(
            "Stops the certificates of a lost or stolen card at once, so that nobody can log "
            "in or sign with it. The ID helpline does it by phone, and a suspension can be "
            "undone later, in person. The certificates of cards issued from 17 November 2025 "
            "cannot be suspended, only revoked."
        ),
        ("routes/certificate_suspension.html",),
    ),
    Term(
        "revoke",
        N_("Revoking certificates"),
        N_(
            "Ends the certificates for good: revoked certificates cannot be used again, so "
            "a new document is needed."
        ),
        ("routes/certificate_revocation.html",),
    ),
    Term(
        "reactivate",
        N_("Reactivating certificates"),
        N_(
            "Suspended certificates of a card that is back in your hands are reactivated "
            "only in person, not by phone."
        ),
        ("routes/certificate_reactivation.html", "questions/certificates_suspended.html"),
    ),
    Term(
        "ppa",
        N_("Police and Border Guard Board (PPA)"),
        N_(
            "The authority where documents and new code envelopes are applied for. It declares "
            "a lost document invalid and runs the self-service portal. Its e-mail address is "
            "%(ppa_email)s."
        ),
        ("routes/card_replacement.html",),
    ),
    Term(
        "self_service",
        N_("PPA self-service"),
        N_(
            "The police self-service portal. There you can view the PUK of a card issued "
            "from 17 November 2025 and activate a new card. You log in with an eID."
        ),
        ("routes/puk_view_self_service.html", "routes/card_activation_self_service.html"),
    ),
    Term(
        "service_office",
        N_("PPA service office"),
        N_(
            "Where things are done in person: a new code envelope, an application for a new "
            "document, reactivating certificates, declaring a lost document invalid. Abroad, "
            "new codes are collected at an Estonian embassy or consulate general."
        ),
        ("routes/codes_reissue_in_person.html", "routes/certificate_reactivation.html"),
    ),
    Term(
        "helpline",
        N_("ID helpline"),
        N_(
            "Suspends the certificates of a lost card by phone: %(helpline)s, or "
            "%(helpline_short)s from Estonia. It is open 24/7, in English, Estonian and "
            "Russian. Do not tell it your PIN codes: only fraudsters ask for PIN codes by "
            "phone."
        ),
        ("routes/certificate_suspension.html", "advice/never_share_codes.html"),
    ),
    Term(
        "other_eid",
        N_("Another eID"),
        N_(
            "Another working way to log in, such as Smart-ID or another ID card. You need "
            "one to log in to the police self-service."
        ),
        ("questions/has_other_eid.html", "routes/puk_view_self_service.html"),
    ),
    Term(
        "smart_id",
        N_("Smart-ID app"),
        N_(
            "An eID app. It can log you in to the police self-service. While you "
            "wait for a new e-resident digital ID, e-Residency suggests it as an interim "
            "solution; it stops working when your current digital ID expires."
        ),
        ("questions/has_other_eid.html", "routes/card_replacement.html"),
    ),
    Term(
        "digidoc4",
        N_("DigiDoc4 application"),
        N_(
            'The official ID software for computers, from id.ee. Its "My eID" page shows '
            "whether a code is blocked and lets you change and unblock the codes."
        ),
        ("routes/puk_unblock_in_app.html",),
    ),
    Term(
        "ria_digidoc",
        N_("RIA DigiDoc app"),
        N_(
            "The official ID app for phones. It can set a new PIN with the PUK; the card "
            "is connected by NFC with its 6-digit CAN, or with a USB reader."
        ),
        ("routes/puk_unblock_in_app.html",),
    ),
    Term(
        "chips",
        N_("IDEMIA and Thales chips"),
        N_(
            "Cards issued until 14 November 2025 were made by IDEMIA, cards issued from 17 "
            "November 2025 by Thales. Cards issued before 30 November 2018 are older cards. "
            "The way back to working codes depends on the chip."
        ),
        ("questions/card_generation.html", "questions/issue_date.html"),
    ),
    Term(
        "documents",
        N_("eID documents"),
        N_(
            "The cards this guidance is for: an e-resident digital ID, an Estonian ID card, a "
            "digi-ID, a residence permit card or a diplomatic ID."
        ),
        ("questions/document_type.html",),
    ),
    Term(
        "state_fee",
        N_("State fee"),
        N_(
            "What the state charges, for example for a new code envelope or a new document. "
            "Fees change: check the current amount before you go."
        ),
        ("routes/codes_reissue_in_person.html", "routes/card_replacement.html"),
    ),
)

# The labels of docs/translating.md ("Software labels"): the English of the app, whose
# Estonian and Russian translations are the app's own (DigiDoc4's et.ts and ru.ts).
LABELS: Final = (
    # TRANSLATORS: A label of DigiDoc4, in quotes: translate it exactly as DigiDoc4
    # shows it, in your language's quotes (docs/translating.md, "Software labels").
    Label("DigiDoc4", N_('"My eID"'), N_("main menu")),
    Label("DigiDoc4", N_('"Unblock"'), N_("button under a blocked PIN")),
    Label("DigiDoc4", N_('"Change with PUK code"'), N_("link under a PIN that is not blocked")),
    Label("DigiDoc4", N_('"Change PIN2"'), N_("button under PIN2")),
    Label(
        "DigiDoc4",
        N_('"Change PUK"'),
        N_("button under the PUK; hidden on Thales cards and when the PUK is blocked"),
    ),
    Label("DigiDoc4", N_('"Activate ID-card"'), N_("warning of a card not yet activated")),
    Label(
        "DigiDoc4",
        N_('"PUK remaining attempts"'),
        N_("inside the window for setting a PIN with the PUK, when fewer than 3 are left"),
    ),
    Label(
        "DigiDoc4",
        N_('"PIN2 code must be changed in order to sign."'),
        N_("under PIN2 of a card issued from 17 November 2025 whose PIN2 was never changed"),
    ),
    Label("DigiDoc4", N_('"Settings"'), N_("main window")),
    Label("DigiDoc4", N_('"Diagnostics"'), N_("in Settings; shows which chip answers")),
    # TRANSLATORS: A label of RIA DigiDoc, the phone app, in quotes: translate it exactly
    # as the app shows it, in your language's quotes (docs/translating.md).
    Label("RIA DigiDoc", N_('"Forgot PIN1?"'), N_('in "My eID", under PIN codes and certificates')),
    Label("RIA DigiDoc", N_('"Forgot PIN2?"'), N_('in "My eID", under PIN codes and certificates')),
)
