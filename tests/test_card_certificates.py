"""The card layer's certificate reader (advisor/card/certificates.py) against the
`cryptography` package's reading of the same DER bytes: serial, names, validity (UTCTime
and GeneralizedTime), policies and the personal code."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.card.certificates import parse_certificate
from advisor.card.errors import MalformedResponse
from advisor.emulator import list_presets, make_card

KEY = ec.derive_private_key(0x1234567890ABCDEF, ec.SECP256R1())
NAMES = {
    "CN": NameOID.COMMON_NAME,
    "SN": NameOID.SURNAME,
    "GN": NameOID.GIVEN_NAME,
    "serialNumber": NameOID.SERIAL_NUMBER,
    "C": NameOID.COUNTRY_NAME,
    "O": NameOID.ORGANIZATION_NAME,
}
# The attribute names the advisor shows beyond RFC 4514's own (docs/card-protocol.md §6.2).
SHORT_NAMES = {
    NameOID.SERIAL_NUMBER: "serialNumber",
    NameOID.GIVEN_NAME: "GN",
    NameOID.SURNAME: "SN",
    NameOID.ORGANIZATION_IDENTIFIER: "organizationIdentifier",
}
text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=16)
moments = st.datetimes(min_value=datetime(1951, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(microsecond=0, tzinfo=UTC)
)
arcs = st.lists(st.integers(0, 2**40), min_size=1, max_size=6)


def certificate(
    subject: list[tuple[str, str]],
    issuer_cn: str,
    serial: int,
    not_before: datetime,
    days: int,
    policies: list[str],
) -> bytes:
    name = x509.Name([x509.NameAttribute(NAMES[key], value) for key, value in subject])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn)]))
        .public_key(KEY.public_key())
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=days))
    )
    if policies:
        builder = builder.add_extension(
            x509.CertificatePolicies(
                [x509.PolicyInformation(ObjectIdentifier(p), None) for p in policies]
            ),
            critical=False,
        )
    signed = builder.sign(KEY, hashes.SHA256())
    return signed.public_bytes(serialization.Encoding.DER)


@settings(max_examples=60, deadline=None)
@given(
    subject=st.lists(
        st.tuples(st.sampled_from(["CN", "SN", "GN", "O"]), text), min_size=1, max_size=4
    ),
    code=st.from_regex(r"[1-6][0-9]{10}", fullmatch=True),
    issuer_cn=text,
    serial=st.integers(1, 2**159 - 1),
    not_before=moments,
    days=st.integers(0, 40 * 365),
    policies=st.lists(arcs.map(lambda a: "1.3.6.1.4.1." + ".".join(map(str, a))), max_size=3),
)
def test_the_reader_agrees_with_cryptography(
    subject: list[tuple[str, str]],
    code: str,
    issuer_cn: str,
    serial: int,
    not_before: datetime,
    days: int,
    policies: list[str],
) -> None:
    der = certificate(
        [*subject, ("serialNumber", f"PNOEE-{code}")], issuer_cn, serial, not_before, days, policies
    )
    expected = x509.load_der_x509_certificate(der)
    info, _note = parse_certificate(der)
    assert info.serial_number == format(expected.serial_number, "X")
    assert info.not_before == expected.not_valid_before_utc
    assert info.not_after == expected.not_valid_after_utc
    assert info.issuer_common_name == issuer_cn
    assert info.issuer == expected.issuer.rfc4514_string(SHORT_NAMES)
    assert info.subject == expected.subject.rfc4514_string(SHORT_NAMES)
    assert info.policy_oids == tuple(policies)
    assert info.personal_code == code


@pytest.mark.parametrize("preset", [p.name for p in list_presets()])
def test_the_virtual_cards_certificates(preset: str) -> None:
    card = make_card(preset)
    credentials = card.credentials
    for der in (credentials.auth_cert_der, credentials.sign_cert_der):
        expected = x509.load_der_x509_certificate(der)
        info, _note = parse_certificate(der)
        assert info.not_after == expected.not_valid_after_utc
        policies = expected.extensions.get_extension_for_class(x509.CertificatePolicies)
        assert info.policy_oids == tuple(p.policy_identifier.dotted_string for p in policies.value)
        assert info.document_type is not None


@pytest.mark.parametrize(
    "der",
    [b"", b"\x30\x00", b"\x30\x03\x02\x01\x01", b"\x04\x02ab", bytes(range(40))],
)
def test_what_is_not_a_certificate_is_a_malformed_response(der: bytes) -> None:
    with pytest.raises(MalformedResponse):
        parse_certificate(der)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_escape_as_another_error(der: bytes) -> None:
    with contextlib.suppress(MalformedResponse):
        parse_certificate(der)
