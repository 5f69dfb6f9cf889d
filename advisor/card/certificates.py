"""Certificates read from the card: X.509 parsing and the document type.

The document type comes from the certificate policy OID, as DD4
``SslCertificate::type()`` does (card-protocol.md §6.2); never from the
document number, whose prefix means nothing known (§10).

Needs ``cryptography`` (the ``pcsc`` and ``test`` extras); the session imports
this module only when it reads a certificate.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import NameOID

from advisor.card.errors import MalformedResponse
from advisor.card.status import CertificateInfo
from advisor.model import DocumentType

__all__ = [
    "document_type_for_policy",
    "document_type_of",
    "parse_certificate",
]

# Test certificates put "2.999." in front of the production OID; DD4 strips it (§6.2).
_TEST_PREFIX = "2.999."
_SK_ARC = "1.3.6.1.4.1.51361."
_DIPLOMATIC_ARCS = (
    # DD4 SslCertificate::type(); TUL: diplomatic ID 1.3.6.1.4.1.51455.1.1.1 (§6.2).
    "1.3.6.1.4.1.51455.1.1",
    "1.3.6.1.4.1.51455.1.2",
    "1.3.6.1.4.1.51455.2.1",
)
# Last arc of 51361.1.1.N (TUL IdDocumentType for 2018 auth certificates, §6.2):
# 1 Estonian citizen ID, 2 EU-citizen ID, 3 digi-ID, 4 e-resident digi-ID,
# 5 long-term residence card, 6 temporary residence card, 7 EU family member card.
_ARC_2018: dict[str, DocumentType] = {
    "1": DocumentType.ID_CARD,
    "2": DocumentType.ID_CARD,
    "3": DocumentType.DIGI_ID,
    "4": DocumentType.E_RESIDENT,
    "5": DocumentType.RESIDENCE_PERMIT,
    "6": DocumentType.RESIDENCE_PERMIT,
    "7": DocumentType.RESIDENCE_PERMIT,
}
# Last arc of 51361.2.1.N (2025): only 6 = e-resident is confirmed (DD4).
# UNVERIFIED: 1-5 come from TEST-PKI, which calls itself unverified (§6.2).
# UNVERIFIED: 51361.1.2.N is read like 51361.1.1.N; DD4 treats .1.2.3/.1.2.4 so,
# the meaning of the middle digit is unknown (§6.2, §13.6).
_ARC_2025: dict[str, DocumentType] = {
    "1": DocumentType.ID_CARD,
    "2": DocumentType.ID_CARD,
    "3": DocumentType.RESIDENCE_PERMIT,
    "4": DocumentType.RESIDENCE_PERMIT,
    "5": DocumentType.RESIDENCE_PERMIT,
    "6": DocumentType.E_RESIDENT,
}
# (arc, last number) pairs confirmed by DD4 or TUL for production certificates.
_CONFIRMED = {
    ("1.1", "1"),
    ("1.1", "2"),
    ("1.1", "3"),
    ("1.1", "4"),
    ("1.1", "5"),
    ("1.1", "6"),
    ("1.1", "7"),
    ("1.2", "3"),
    ("1.2", "4"),
    ("2.1", "6"),
}


def document_type_for_policy(oid: str) -> tuple[DocumentType | None, str | None]:
    """The document type one policy OID names, and a note when that is unverified.

    Returns ``(None, None)`` for OIDs that name no document type (the ETSI
    policies next to it, unknown arcs).
    """
    if oid.startswith(_TEST_PREFIX):
        oid = oid[len(_TEST_PREFIX) :]
    if any(oid == arc or oid.startswith(arc + ".") for arc in _DIPLOMATIC_ARCS):
        return DocumentType.DIPLOMATIC, None
    if not oid.startswith(_SK_ARC):
        return None, None
    parts = oid[len(_SK_ARC) :].split(".")
    if len(parts) != 3:
        return None, None
    arc, number = ".".join(parts[:2]), parts[2]
    table = {"1.1": _ARC_2018, "1.2": _ARC_2018, "2.1": _ARC_2025}.get(arc)
    if table is None or number not in table:
        return None, None
    if (arc, number) in _CONFIRMED:
        return table[number], None
    if arc == "1.2":
        note = (
            f"document type from policy {oid}: the 51361.1.2.N arc is read like 51361.1.1.N; "
            "the meaning of the middle digit is unknown (card-protocol.md §6.2, §13.6)"
        )
    else:
        note = (
            f"document type from policy {oid}: only 51361.2.1.6 (e-resident) is confirmed "
            "for 2025 certificates, the rest of the arc comes from TEST-PKI (§6.2)"
        )
    return table[number], note


def document_type_of(policy_oids: tuple[str, ...]) -> tuple[DocumentType | None, str | None]:
    """The first policy that names a document type, and its note."""
    for oid in policy_oids:
        found, note = document_type_for_policy(oid)
        if found is not None:
            return found, note
    return None, None


# Readable names for the subject attributes of EstEID certificates (§6.2).
_NAMES = {
    NameOID.SERIAL_NUMBER: "serialNumber",
    NameOID.GIVEN_NAME: "GN",
    NameOID.SURNAME: "SN",
    NameOID.ORGANIZATION_IDENTIFIER: "organizationIdentifier",
}


def _personal_code(subject: x509.Name) -> str | None:
    # serialNumber "PNOEE-38001085718" (ETSI EN 319 412-1 semantics; §6.2, WEA strips PNO??-).
    for attribute in subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER):
        value = str(attribute.value)
        if value.startswith("PNO") and len(value) > 6 and value[5] == "-":
            return value[6:]
    return None


def parse_certificate(der: bytes) -> tuple[CertificateInfo, str | None]:
    """A certificate from its DER bytes, and a note when its document type is unverified.

    Raises :class:`MalformedResponse` when the bytes are not a certificate.
    """
    try:
        certificate = x509.load_der_x509_certificate(der)
        try:
            policies = certificate.extensions.get_extension_for_class(x509.CertificatePolicies)
            oids = tuple(info.policy_identifier.dotted_string for info in policies.value)
        except x509.ExtensionNotFound:
            oids = ()
        issuer_cn = certificate.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)
        document_type, note = document_type_of(oids)
        info = CertificateInfo(
            subject=certificate.subject.rfc4514_string(_NAMES),
            issuer=certificate.issuer.rfc4514_string(_NAMES),
            issuer_common_name=str(issuer_cn[0].value) if issuer_cn else None,
            serial_number=format(certificate.serial_number, "X"),
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
            policy_oids=oids,
            document_type=document_type,
            personal_code=_personal_code(certificate.subject),
        )
    except ValueError as err:
        raise MalformedResponse(f"certificate cannot be parsed: {err}") from None
    return info, note
