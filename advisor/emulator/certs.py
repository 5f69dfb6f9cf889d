"""Keys and certificates for the virtual cards, made with ``cryptography``.

Everything is derived from a seed string, so that the same card parameters give
the same keys and the same certificate bytes in every run (RFC 6979 ECDSA), and
results are cached per process: a card costs a few milliseconds the first time
and nothing afterwards.

Certificate layout follows docs/card-protocol.md §6.2 (LEID mock for ESTEID2018; the
ESTEID2025 layout is "expected" to match, not verified). The issuers are named
as the test CAs ("TEST of ESTEID2018", "Test ESTEID2025") so that nothing made
here can be mistaken for a real certificate.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from advisor.emulator.identity import Document, Holder

DEFAULT_SEED = "advisor-emulator"

GENERATIONS = ("idemia", "thales")

# Document-type policy OIDs (§6.2). IDEMIA: TUL's production arc
# 51361.1.1.N (N=1 citizen ID, 3 digi-ID, 4 e-resident, 5 long-term residence),
# diplomatic 51455.1.1.1. Thales: e-resident 51361.2.1.6 and diplomatic 51455.2.1
# are confirmed by DD4; 2.1.1 / 2.1.3 come from TEST-PKI (unverified). No source
# gives a 2025-arc digi-ID OID, so that combination needs an explicit policy_oid.
POLICY_OIDS: dict[tuple[str, str], str] = {
    ("idemia", "id_card"): "1.3.6.1.4.1.51361.1.1.1",
    ("idemia", "digi_id"): "1.3.6.1.4.1.51361.1.1.3",
    ("idemia", "e_resident"): "1.3.6.1.4.1.51361.1.1.4",
    ("idemia", "residence_permit"): "1.3.6.1.4.1.51361.1.1.5",
    ("idemia", "diplomatic"): "1.3.6.1.4.1.51455.1.1.1",
    ("thales", "id_card"): "1.3.6.1.4.1.51361.2.1.1",
    ("thales", "residence_permit"): "1.3.6.1.4.1.51361.2.1.3",
    ("thales", "e_resident"): "1.3.6.1.4.1.51361.2.1.6",
    ("thales", "diplomatic"): "1.3.6.1.4.1.51455.2.1",
}

# ETSI policies next to the document type (§6.2).
NCP_PLUS = "0.4.0.2042.1.2"  # authentication certificate
QCP_N_QSCD = "0.4.0.194112.1.2"  # signing certificate

_QC_STATEMENTS = ObjectIdentifier("1.3.6.1.5.5.7.1.3")

# Issuer names (§6.2: TUL for the organisation data, LEID mock and public
# repositories for the test CA common names).
_ISSUERS = {
    "idemia": ("TEST of ESTEID2018", "NTREE-10747013", "SK ID Solutions AS"),
    "thales": ("Test ESTEID2025", "NTREE-17066049", "Zetes Estonia OÜ"),
}
# ESTEID2018 signs with ecdsa-with-SHA512 (LEID mock), which goes with a P-521
# CA key; ESTEID2025 with ecdsa-with-SHA384 (TEST-PKI, unverified).
_CA_CURVES: dict[str, tuple[ec.EllipticCurve, hashes.SHA384 | hashes.SHA512]] = {
    "idemia": (ec.SECP521R1(), hashes.SHA512()),
    "thales": (ec.SECP384R1(), hashes.SHA384()),
}


@dataclass(frozen=True)
class CardCredentials:
    auth_key: ec.EllipticCurvePrivateKey
    sign_key: ec.EllipticCurvePrivateKey
    auth_cert: x509.Certificate
    sign_cert: x509.Certificate
    ca_cert: x509.Certificate
    policy_oid: str

    @property
    def auth_cert_der(self) -> bytes:
        return self.auth_cert.public_bytes(serialization.Encoding.DER)

    @property
    def sign_cert_der(self) -> bytes:
        return self.sign_cert.public_bytes(serialization.Encoding.DER)


def policy_oid_for(generation: str, document_type: str) -> str:
    try:
        return POLICY_OIDS[(generation, document_type)]
    except KeyError:
        raise ValueError(
            f"no known {generation} certificate policy OID for {document_type!r}; "
            "pass policy_oid explicitly"
        ) from None


def derive_key(seed: str, label: str, curve: ec.EllipticCurve) -> ec.EllipticCurvePrivateKey:
    """A private key from a seed; the scalar stays below the group order.

    8 bits fewer than the curve size always fit under the order of P-384 and
    P-521, and +1 keeps it non-zero.
    """
    nbytes = curve.key_size // 8 - 1
    stream = b""
    counter = 0
    while len(stream) < nbytes:
        stream += hashlib.sha512(f"{seed}\0{label}\0{counter}".encode()).digest()
        counter += 1
    scalar = int.from_bytes(stream[:nbytes], "big") + 1
    return ec.derive_private_key(scalar, curve)


def _serial(seed: str, label: str) -> int:
    # Positive, at most 20 octets (RFC 5280 §4.1.2.2).
    return int.from_bytes(hashlib.sha256(f"{seed}\0{label}".encode()).digest()[:16], "big") | 1


def _issuer_name(generation: str) -> x509.Name:
    cn, org_id, org = _ISSUERS[generation]
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "EE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, org_id),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _subject_name(holder: Holder) -> x509.Name:
    # C, CN "SURNAME,GIVEN,CODE", SN, GN, serialNumber PNOEE-code (LEID mock, §6.2).
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "EE"),
            x509.NameAttribute(
                NameOID.COMMON_NAME,
                f"{holder.surname},{holder.given_names},{holder.personal_code}",
            ),
            x509.NameAttribute(NameOID.SURNAME, holder.surname),
            x509.NameAttribute(NameOID.GIVEN_NAME, holder.given_names),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"PNOEE-{holder.personal_code}"),
        ]
    )


def _der_oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray([40 * parts[0] + parts[1]])
    for value in parts[2:]:
        chunk = [value & 0x7F]
        value >>= 7
        while value:
            chunk.append(0x80 | (value & 0x7F))
            value >>= 7
        body.extend(reversed(chunk))
    return bytes([0x06, len(body)]) + bytes(body)


def _der_seq(*items: bytes) -> bytes:
    body = b"".join(items)
    assert len(body) < 0x80
    return bytes([0x30, len(body)]) + body


def _qc_statements() -> bytes:
    """QcCompliance, QcSSCD and QcType esign (ETSI EN 319 412-5), hand-encoded:
    cryptography has no builder for this extension."""
    return _der_seq(
        _der_seq(_der_oid("0.4.0.1862.1.1")),
        _der_seq(_der_oid("0.4.0.1862.1.4")),
        _der_seq(_der_oid("0.4.0.1862.1.6"), _der_seq(_der_oid("0.4.0.1862.1.6.1"))),
    )


@functools.lru_cache(maxsize=16)
def _ca(generation: str, seed: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    curve, digest = _CA_CURVES[generation]
    key = derive_key(seed, f"{generation}-ca", curve)
    name = _issuer_name(generation)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(_serial(seed, f"{generation}-ca"))
        .not_valid_before(datetime(2018, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2045, 1, 1, tzinfo=UTC))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, digest, ecdsa_deterministic=True)
    )
    return key, cert


def _key_usage(*, auth: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=auth,
        content_commitment=not auth,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=auth,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


@functools.lru_cache(maxsize=128)
def make_credentials(
    generation: str,
    holder: Holder,
    document: Document,
    seed: str = DEFAULT_SEED,
    policy_oid: str | None = None,
) -> CardCredentials:
    """Auth and signing keys (P-384, §2) and their certificates.

    Validity: notBefore = issue date 09:00:00Z, notAfter = expiry date 21:59:59Z
    (the test card's certificates end at 21:59:59Z, §6.2).
    """
    if generation not in GENERATIONS:
        raise ValueError(f"unknown generation {generation!r}")
    policy = policy_oid or policy_oid_for(generation, document.document_type)
    card_seed = f"{seed}\0{generation}\0{holder.personal_code}\0{document.number}"
    ca_key, ca_cert = _ca(generation, seed)
    digest = _CA_CURVES[generation][1]
    not_before = datetime.combine(document.issue_date, time(9, 0, 0), tzinfo=UTC)
    not_after = datetime.combine(document.expiry_date, time(21, 59, 59), tzinfo=UTC)

    def leaf(label: str, auth: bool) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = derive_key(card_seed, label, ec.SECP384R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(_subject_name(holder))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(_serial(card_seed, label))
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=False)
            .add_extension(_key_usage(auth=auth), critical=True)
            .add_extension(
                x509.CertificatePolicies(
                    [
                        x509.PolicyInformation(ObjectIdentifier(policy), None),
                        x509.PolicyInformation(
                            ObjectIdentifier(NCP_PLUS if auth else QCP_N_QSCD), None
                        ),
                    ]
                ),
                critical=False,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
        )
        if auth:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION]
                ),
                critical=False,
            )
            if generation == "idemia":
                # SAN email:<code>@eesti.ee, seen on the 2018 test card (§6.2).
                builder = builder.add_extension(
                    x509.SubjectAlternativeName(
                        [x509.RFC822Name(f"{holder.personal_code}@eesti.ee")]
                    ),
                    critical=False,
                )
        else:
            builder = builder.add_extension(
                x509.UnrecognizedExtension(_QC_STATEMENTS, _qc_statements()), critical=False
            )
        return key, builder.sign(ca_key, digest, ecdsa_deterministic=True)

    auth_key, auth_cert = leaf("auth", auth=True)
    sign_key, sign_cert = leaf("sign", auth=False)
    return CardCredentials(auth_key, sign_key, auth_cert, sign_cert, ca_cert, policy)
