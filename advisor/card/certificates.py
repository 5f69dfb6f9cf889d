"""Certificates read from the card: X.509 parsing and the document type.

The document type comes from the certificate policy OID, as DD4
``SslCertificate::type()`` does (docs/card-protocol.md §6.2); never from the
document number, whose prefix means nothing known (§10).

The certificate is read with the card layer's own BER-TLV reader (card/tlv.py), not a
full X.509 library: `advisor card status` must answer in about the time OpenSC's tools
take, and importing one takes longer than the whole status read (docs/performance.md).
tests/test_card_certificates.py holds it to the `cryptography` package's reading.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from advisor.card.errors import MalformedResponse
from advisor.card.status import CertificateInfo
from advisor.card.tlv import Tlv, parse_one
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
            "the meaning of the middle digit is unknown (docs/card-protocol.md §6.2, §13.6)"
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


# X.690 universal tags and the X.509 parts the advisor reads (RFC 5280 §4.1).
_SEQUENCE = 0x30
_SET = 0x31
_INTEGER = 0x02
_OID = 0x06
_OCTET_STRING = 0x04
_UTC_TIME = 0x17
_GENERALIZED_TIME = 0x18
_VERSION = 0xA0  # [0] EXPLICIT
_EXTENSIONS = 0xA3  # [3] EXPLICIT
_CERTIFICATE_POLICIES = "2.5.29.32"
_COMMON_NAME = "2.5.4.3"
_SERIAL_NUMBER = "2.5.4.5"
# Readable names of the attributes of EstEID names (§6.2), as RFC 4514 writes them.
_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.4": "SN",
    "2.5.4.5": "serialNumber",
    "2.5.4.6": "C",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.42": "GN",
    "2.5.4.97": "organizationIdentifier",
}
# The string types of a name's values, and how their bytes read (X.680 §41).
_STRINGS = {
    0x0C: "utf-8",  # UTF8String
    0x13: "ascii",  # PrintableString
    0x16: "ascii",  # IA5String
    0x14: "latin-1",  # TeletexString, read as Latin-1 as most libraries do
    0x1E: "utf-16-be",  # BMPString
}


def _oid(value: bytes) -> str:
    """An OBJECT IDENTIFIER's dotted form (X.690 §8.19)."""
    if not value or value[-1] & 0x80:
        raise MalformedResponse("certificate: bad object identifier")
    arcs: list[int] = []
    number = 0
    for byte in value:
        number = (number << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(number)
            number = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(n) for n in (first, arcs[0] - 40 * first, *arcs[1:]))


def _time(item: Tlv) -> datetime:
    """UTCTime (years 1950-2049) or GeneralizedTime, in UTC (RFC 5280 §4.1.2.5)."""
    text = item.value.decode("ascii", errors="replace")
    try:
        if item.tag == _UTC_TIME:
            moment = datetime.strptime(text, "%y%m%d%H%M%SZ")
            if moment.year >= 2050:
                moment = moment.replace(year=moment.year - 100)
        elif item.tag == _GENERALIZED_TIME:
            moment = datetime.strptime(text, "%Y%m%d%H%M%SZ")
        else:
            raise ValueError(f"tag {item.tag:02X} is not a time")
    except ValueError as err:
        raise MalformedResponse(f"certificate: bad validity time ({err})") from None
    return moment.replace(tzinfo=UTC)


def _name(item: Tlv) -> list[tuple[str, str]]:
    """The attributes of a Name, in their order: (OID, value)."""
    attributes: list[tuple[str, str]] = []
    for rdn in item.children:
        for pair in rdn.children:
            if pair.tag != _SEQUENCE or len(pair.children) != 2 or pair.children[0].tag != _OID:
                raise MalformedResponse("certificate: bad name")
            oid, value = _oid(pair.children[0].value), pair.children[1]
            encoding = _STRINGS.get(value.tag)
            text = value.value.decode(encoding, errors="replace") if encoding else value.value.hex()
            attributes.append((oid, text))
    return attributes


def _rfc4514(attributes: list[tuple[str, str]]) -> str:
    """A name as RFC 4514 writes it: the last attribute first, specials escaped."""
    parts = []
    for oid, value in reversed(attributes):
        escaped = re.sub(r'([,+"\\<>;])', r"\\\1", value).replace("\0", "\\00")
        if value.endswith(" ") and len(value) > 1:
            escaped = escaped[:-1] + "\\ "
        if value.startswith(("#", " ")):
            escaped = "\\" + escaped
        parts.append(f"{_NAMES.get(oid, oid)}={escaped}")
    return ",".join(parts)


def _policies(extensions: Tlv | None) -> tuple[str, ...]:
    """The policy OIDs of the certificatePolicies extension (RFC 5280 §4.2.1.4)."""
    if extensions is None or not extensions.children:
        return ()
    for extension in extensions.children[0].children:
        parts = extension.children
        if len(parts) < 2 or parts[0].tag != _OID or parts[-1].tag != _OCTET_STRING:
            raise MalformedResponse("certificate: bad extension")
        if _oid(parts[0].value) != _CERTIFICATE_POLICIES:
            continue
        policies = parse_one(parts[-1].value)
        return tuple(_oid(info.children[0].value) for info in policies.children if info.children)
    return ()


def _personal_code(attributes: list[tuple[str, str]]) -> str | None:
    # serialNumber "PNOEE-38001085718" (ETSI EN 319 412-1 semantics; §6.2, WEA strips PNO??-).
    for oid, value in attributes:
        if oid == _SERIAL_NUMBER and value.startswith("PNO") and len(value) > 6 and value[5] == "-":
            return value[6:]
    return None


def parse_certificate(der: bytes) -> tuple[CertificateInfo, str | None]:
    """A certificate from its DER bytes, and a note when its document type is unverified.

    Only what the advisor shows or decides on is read (RFC 5280 §4.1): serial number,
    issuer, validity, subject and the certificate policies, walked with the card layer's
    own BER-TLV reader. Nothing here checks a signature. Raises
    :class:`MalformedResponse` when the bytes are not a certificate.
    """
    try:
        certificate = parse_one(der)
        tbs = certificate.children[0] if certificate.tag == _SEQUENCE else None
        if tbs is None or tbs.tag != _SEQUENCE:
            raise MalformedResponse("certificate: not an X.509 certificate")
        fields = list(tbs.children)
        if fields and fields[0].tag == _VERSION:
            fields = fields[1:]
        serial, _signature, issuer, validity, subject = fields[:5]
        if serial.tag != _INTEGER or validity.tag != _SEQUENCE or len(validity.children) != 2:
            raise MalformedResponse("certificate: not an X.509 certificate")
        extensions = next((f for f in fields[5:] if f.tag == _EXTENSIONS), None)
        issuer_names, subject_names = _name(issuer), _name(subject)
        oids = _policies(extensions)
    except (ValueError, IndexError) as err:
        raise MalformedResponse(f"certificate cannot be parsed: {err}") from None
    document_type, note = document_type_of(oids)
    issuer_cn = next((v for oid, v in issuer_names if oid == _COMMON_NAME), None)
    info = CertificateInfo(
        subject=_rfc4514(subject_names),
        issuer=_rfc4514(issuer_names),
        issuer_common_name=issuer_cn,
        serial_number=format(int.from_bytes(serial.value, "big", signed=True), "X"),
        not_before=_time(validity.children[0]),
        not_after=_time(validity.children[1]),
        policy_oids=oids,
        document_type=document_type,
        personal_code=_personal_code(subject_names),
    )
    return info, note
