"""The virtual IDEMIA and Thales cards, driven by scripted APDU exchanges.

The APDUs are spelled out in hex from card-protocol.md (§3.3, §4.3) rather than
built with the emulator's helpers, so that a mistake in the emulator cannot be
repeated by the test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.emulator import (
    IdemiaCard,
    ThalesCard,
    UnknownPresetError,
    VirtualCard,
    list_presets,
    make_card,
)
from advisor.emulator.certs import make_credentials
from advisor.emulator.identity import Document, Holder

TODAY = date(2026, 3, 1)
PIN1, PIN2, PUK = "0090", "01497", "17258403"

# --- helpers (independent of the emulator's code) ---------------------------

IDEMIA_MAIN = "00A4040C10A000000077010800070000FE00000100"
IDEMIA_AWP = "00A4040C0DE828BD080FF2504F5420415750"
IDEMIA_QSCD = "00A4040C1051534344204170706C69636174696F6E"
THALES_AID = "00A4040C0CA000000063504B43532D3135"


def send(card: VirtualCard, apdu: str | bytes) -> tuple[bytes, int]:
    raw = bytes.fromhex(apdu.replace(" ", "")) if isinstance(apdu, str) else apdu
    response = card.transmit(raw)
    assert len(response) >= 2
    return response[:-2], int.from_bytes(response[-2:], "big")


def ok(card: VirtualCard, apdu: str | bytes) -> bytes:
    data, sw = send(card, apdu)
    assert sw == 0x9000, f"{apdu!r} → {sw:04X}"
    return data


def block(code: str, pad: int) -> bytes:
    return code.encode().ljust(12, bytes([pad]))


def pin_apdu(ins: int, p1: int, ref: int, *codes: str, pad: int) -> bytes:
    data = b"".join(block(c, pad) for c in codes)
    return bytes([0x00, ins, p1, ref, len(data)]) + data


def tlv_map(data: bytes) -> dict[int, bytes]:
    """Minimal BER-TLV reader for the replies under test."""
    out: dict[int, bytes] = {}
    i = 0
    while i < len(data):
        tag = data[i]
        i += 1
        if tag & 0x1F == 0x1F:
            while True:
                tag = (tag << 8) | data[i]
                i += 1
                if not data[i - 1] & 0x80:
                    break
        length = data[i]
        i += 1
        if length == 0x81:
            length = data[i]
            i += 1
        elif length == 0x82:
            length = int.from_bytes(data[i : i + 2], "big")
            i += 2
        out[tag] = data[i : i + length]
        i += length
    assert i == len(data)
    return out


def idemia_tries(card: VirtualCard, r: int) -> int:
    """§3.3: GET DATA 00 CB 3F FF 0A 4D 08 70 06 BF 81 0r 02 A0 80 00."""
    if r == 5:
        ok(card, IDEMIA_QSCD)
    else:
        ok(card, IDEMIA_MAIN)
    data = ok(card, f"00CB3FFF0A4D087006BF810{r}02A08000")
    a0 = tlv_map(tlv_map(tlv_map(data)[0x70])[0xBF8100 | r])[0xA0]
    fields = tlv_map(a0)
    assert fields[0x9A] == b"\x03"
    return fields[0x9B][0]


def idemia_counters(card: VirtualCard) -> tuple[int, int, int]:
    return idemia_tries(card, 1), idemia_tries(card, 5), idemia_tries(card, 2)


def thales_pin_info(card: VirtualCard, ref: int) -> tuple[int, int | None]:
    """§4.3: GET DATA 00 CB 00 FF 05 A0 03 83 01 8r 00 → (DF21[0], DF2F)."""
    data = ok(card, f"00CB00FF05A0038301{ref:02X}00")
    fields = tlv_map(tlv_map(data)[0xA0])
    flag = fields.get(0xDF2F)
    return fields[0xDF21][0], None if flag is None else flag[0]


def thales_counters(card: VirtualCard) -> tuple[tuple[int, int | None], ...]:
    return tuple(thales_pin_info(card, ref) for ref in (0x81, 0x82, 0x83))


def read_ef(card: VirtualCard, select: str, size_tag: int, chunk: int) -> bytes:
    fcp = ok(card, select)
    size = int.from_bytes(tlv_map(tlv_map(fcp)[0x62])[size_tag], "big")
    out = b""
    while len(out) < size:
        n = min(chunk, size - len(out))
        out += ok(card, bytes([0x00, 0xB0, len(out) >> 8, len(out) & 0xFF, n]))
    return out


def verify_signature(cert: x509.Certificate, digest: bytes, raw: bytes) -> None:
    assert len(raw) == 96
    sig = encode_dss_signature(int.from_bytes(raw[:48], "big"), int.from_bytes(raw[48:], "big"))
    key = cert.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify(sig, digest, ec.ECDSA(Prehashed(hashes.SHA384())))


DIGEST = bytes(range(48))


# --- ISO 7816-4 basics ------------------------------------------------------


@pytest.mark.parametrize("preset", ["idemia-ok", "thales-ok"])
@pytest.mark.parametrize(
    ("apdu", "sw"),
    [
        ("00", 0x6700),
        ("00A4", 0x6700),
        ("00A4040C05A000", 0x6700),  # Lc larger than the data
        ("00A4040C02A0000000", 0x6700),  # data longer than Lc + Le
        ("00A4040C000001A0", 0x6700),  # extended length
        ("00EE0000", 0x6D00),
        ("80A4040C00", 0x6E00),
        ("FFCA000000", 0x6E00),
        ("0CA4040C00", 0x6882),
        ("10A4040C00", 0x6884),
        ("01A4040C00", 0x6881),
        ("00A4040C03010203", 0x6A82),
        ("00A40408021234", 0x6A86),
        ("00B0000000", 0x6986),  # no current EF
        ("00C0000000", 0x6985),  # nothing pending
    ],
)
def test_iso_errors(preset: str, apdu: str, sw: int) -> None:
    card = make_card(preset, TODAY)
    assert send(card, apdu)[1] == sw
    assert not card.internal_errors


@pytest.mark.parametrize(
    ("preset", "ref", "pad"), [("idemia-ok", 0x01, 0xFF), ("thales-ok", 0x81, 0)]
)
def test_empty_verify_reports_tries(preset: str, ref: int, pad: int) -> None:
    card = make_card(preset, TODAY)
    assert send(card, bytes([0, 0x20, 0, ref]))[1] == 0x63C3
    send(card, pin_apdu(0x20, 0, ref, "1111", pad=pad))
    assert send(card, bytes([0, 0x20, 0, ref]))[1] == 0x63C2
    ok(card, pin_apdu(0x20, 0, ref, PIN1, pad=pad))
    assert send(card, bytes([0, 0x20, 0, ref]))[1] == 0x9000
    # Le without data is read as the same query.
    assert send(card, bytes([0, 0x20, 0, ref, 0]))[1] == 0x9000
    # A PIN field that is not 12 bytes: 6700, no try lost.
    assert send(card, bytes([0, 0x20, 0, ref, 4]) + PIN1.encode())[1] == 0x6700
    assert card.pin_status()["pin1"].tries_left == 3


def test_commands_are_counted_by_ins() -> None:
    card = make_card("idemia-ok", TODAY)
    ok(card, IDEMIA_MAIN)
    send(card, pin_apdu(0x20, 0, 0x01, "1111", pad=0xFF))
    send(card, pin_apdu(0x20, 0, 0x01, PIN1, pad=0xFF))
    assert card.commands[0x20] == 2
    assert card.commands[0xA4] == 1
    assert card.trace[-1][1] == b"\x90\x00"


# --- IDEMIA -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "atr"),
    [
        ("idemia-ok", "3BDB960080B1FE451F830012233F536549440F9000F1"),
        ("idemia-cosmox-ok", "3BDC960080B1FE451F830012233F54654944320F9000C3"),
        ("thales-ok", "3BFF9600008031FE438031B85365494464B085051012233F1D"),
    ],
)
def test_atr(preset: str, atr: str) -> None:
    assert make_card(preset, TODAY).atr == bytes.fromhex(atr)


def test_idemia_status_script() -> None:
    card = make_card("idemia-ok", TODAY)
    assert idemia_counters(card) == (3, 3, 3)
    # PIN2's counter is local to the QSCD application (§3.2).
    ok(card, IDEMIA_MAIN)
    assert send(card, "00CB3FFF0A4D087006BF81" + "0502A08000")[1] == 0x6A88

    # Personal data: DF 5000, EFs 5001..500F, Le=00 (§3.1, §5).
    ok(card, "00A4000C")
    ok(card, "00A4010C025000")
    records = []
    for i in range(1, 16):
        ok(card, f"00A4020C0250{i:02X}")
        records.append(ok(card, "00B0000000"))
    assert records[0].decode() == "JÕEORG"
    assert records[1] == b"JAAK-KRISTJAN"
    assert records[2] == b"\0"  # e-resident: no sex (§5)
    assert records[4] == b"\0"  # nor birth data
    assert records[5] == b"38001085718"
    assert records[6] == b"NE0012345"
    card_doc = card.document  # type: ignore[attr-defined]
    assert records[7].decode() == card_doc.expiry_date.strftime("%d %m %Y")
    assert records[8].decode()[:10] == card_doc.issue_date.strftime("%d %m %Y")
    # By path with P1=09 (DD4).
    ok(card, "00A4090C063F0050005006")
    assert ok(card, "00B0000000") == b"38001085718"
    # Document number EF D003: 04 LL <number> (OSC reads 11 bytes).
    ok(card, IDEMIA_MAIN)
    ok(card, "00A4020C02D003")
    assert ok(card, "00B000000B") == b"\x04\x09NE0012345"

    # Certificates: FCP tag 80, 0xC0 chunks (§3.5), full path (DD4/OSC) and
    # the short path after the main AID (LEID).
    auth = read_ef(card, "00A4090406 3F00ADF13401 00".replace(" ", ""), 0x80, 0xC0)
    ok(card, IDEMIA_MAIN)
    sign = read_ef(card, "00A4090404ADF2341F00", 0x80, 0xC0)
    auth_cert = x509.load_der_x509_certificate(auth)
    sign_cert = x509.load_der_x509_certificate(sign)
    serial = auth_cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value
    assert serial == "PNOEE-38001085718"
    for cert, etsi in ((auth_cert, "0.4.0.2042.1.2"), (sign_cert, "0.4.0.194112.1.2")):
        policies = {
            p.policy_identifier.dotted_string
            for p in cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
        }
        assert policies == {"1.3.6.1.4.1.51361.1.1.4", etsi}
        assert cert.not_valid_before_utc.date() == card_doc.issue_date
        assert cert.not_valid_after_utc == datetime.combine(
            card_doc.expiry_date, datetime.min.time().replace(hour=21, minute=59, second=59), UTC
        )
        assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
        assert cert.public_key().curve.name == "secp384r1"  # type: ignore[union-attr]
    assert not card.internal_errors


def test_idemia_read_past_end() -> None:
    card = make_card("idemia-ok", TODAY)
    fcp = ok(card, "00A4090406 3F00ADF13401 00".replace(" ", ""))
    size = int.from_bytes(tlv_map(tlv_map(fcp)[0x62])[0x80], "big")
    last = size - 10
    data, sw = send(card, bytes([0, 0xB0, last >> 8, last & 0xFF, 0xC0]))
    assert (len(data), sw) == (10, 0x6282)
    assert send(card, bytes([0, 0xB0, size >> 8, size & 0xFF, 0]))[1] == 0x6B00


def test_idemia_blocking_and_unblock_pin1() -> None:
    card = make_card("idemia-ok", TODAY)
    ok(card, IDEMIA_MAIN)
    for left in (2, 1, 0):
        assert send(card, pin_apdu(0x20, 0, 0x01, "9999", pad=0xFF))[1] == 0x63C0 | left
    # Blocked: 6983 for the right code too (§7).
    assert send(card, pin_apdu(0x20, 0, 0x01, PIN1, pad=0xFF))[1] == 0x6983
    assert send(card, "00200001")[1] == 0x6983
    assert idemia_counters(card) == (0, 3, 3)

    # RRC without VERIFY PUK is refused.
    ok(card, IDEMIA_MAIN)
    assert send(card, pin_apdu(0x2C, 2, 0x01, "4321", pad=0xFF))[1] == 0x6982
    # Two steps (§3.3): VERIFY PUK, then RRC P1=02 with the new PIN only.
    ok(card, pin_apdu(0x20, 0, 0x02, PUK, pad=0xFF))
    ok(card, pin_apdu(0x2C, 2, 0x01, "4321", pad=0xFF))
    assert idemia_counters(card) == (3, 3, 3)
    ok(card, pin_apdu(0x20, 0, 0x01, "4321", pad=0xFF))
    assert card.commands[0x2C] == 2


def test_idemia_unblock_pin2_in_qscd() -> None:
    card = make_card("idemia-pin2-blocked", TODAY)
    assert idemia_counters(card) == (3, 0, 3)
    ok(card, IDEMIA_MAIN)
    ok(card, pin_apdu(0x20, 0, 0x02, PUK, pad=0xFF))
    # PIN2 is local: not reachable outside the QSCD DF.
    assert send(card, pin_apdu(0x2C, 2, 0x85, "12345", pad=0xFF))[1] == 0x6A88
    ok(card, IDEMIA_QSCD)
    # Too short for PIN2 (5-12, §2): 6A80, nothing changes.
    assert send(card, pin_apdu(0x2C, 2, 0x85, "1234", pad=0xFF))[1] == 0x6A80
    ok(card, pin_apdu(0x2C, 2, 0x85, "12345", pad=0xFF))
    assert idemia_counters(card) == (3, 3, 3)


def test_idemia_change_codes() -> None:
    card = make_card("idemia-ok", TODAY)
    ok(card, IDEMIA_MAIN)
    ok(card, pin_apdu(0x24, 0, 0x01, PIN1, "2468", pad=0xFF))
    # Wrong old code costs a try.
    assert send(card, pin_apdu(0x24, 0, 0x01, PIN1, "1357", pad=0xFF))[1] == 0x63C2
    # Same old and new: 6985 (§7), counter back to 3 (the old code was right).
    assert send(card, pin_apdu(0x24, 0, 0x01, "2468", "2468", pad=0xFF))[1] == 0x6985
    ok(card, IDEMIA_QSCD)
    ok(card, pin_apdu(0x24, 0, 0x85, PIN2, "97531", pad=0xFF))
    # The PUK can be changed on IDEMIA (§3.3).
    ok(card, pin_apdu(0x24, 0, 0x02, PUK, "87654321", pad=0xFF))
    assert send(card, pin_apdu(0x24, 0, 0x02, "87654321", "1234567", pad=0xFF))[1] == 0x6A80
    ok(card, pin_apdu(0x20, 0, 0x02, "87654321", pad=0xFF))
    assert card.pin_status()["pin1"].tries_left == 3
    assert idemia_counters(card) == (3, 3, 3)


def test_idemia_wrong_padding_is_a_wrong_code() -> None:
    card = make_card("idemia-ok", TODAY)
    # The card compares the whole padded block: 00 padding is a wrong PIN.
    assert send(card, pin_apdu(0x20, 0, 0x01, PIN1, pad=0x00))[1] == 0x63C2


def test_idemia_puk_blocked() -> None:
    card = make_card("idemia-puk-blocked", TODAY)
    assert idemia_counters(card) == (3, 3, 0)
    ok(card, IDEMIA_MAIN)
    assert send(card, pin_apdu(0x20, 0, 0x02, PUK, pad=0xFF))[1] == 0x6983
    assert send(card, pin_apdu(0x2C, 2, 0x01, "4321", pad=0xFF))[1] == 0x6982
    ok(card, pin_apdu(0x20, 0, 0x01, PIN1, pad=0xFF))


def test_idemia_sign_and_authenticate() -> None:
    card = make_card("idemia-ok", TODAY)
    assert isinstance(card, IdemiaCard)
    ok(card, IDEMIA_QSCD)
    ok(card, "0022 41B6 06 800154 84019F".replace(" ", ""))
    assert send(card, "002A9E9A30" + DIGEST.hex() + "00")[1] == 0x6982
    ok(card, pin_apdu(0x20, 0, 0x85, PIN2, pad=0xFF))
    raw = ok(card, "002A9E9A30" + DIGEST.hex() + "00")
    verify_signature(card.credentials.sign_cert, DIGEST, raw)
    # The qualified key wants a VERIFY before every signature.
    assert send(card, "002A9E9A30" + DIGEST.hex() + "00")[1] == 0x6982

    ok(card, IDEMIA_AWP)
    ok(card, "002241A4068001048401 81".replace(" ", ""))
    ok(card, pin_apdu(0x20, 0, 0x01, PIN1, pad=0xFF))
    raw = ok(card, "0088000030" + DIGEST.hex() + "00")
    verify_signature(card.credentials.auth_cert, DIGEST, raw)
    # Auth key keeps PIN1 verified; a 32-byte hash is left-padded (§3.4).
    short = DIGEST[:32]
    raw = ok(card, "0088000020" + short.hex() + "00")
    verify_signature(card.credentials.auth_cert, short.rjust(48, b"\0"), raw)
    # Re-selecting the main application logs out (§8).
    ok(card, IDEMIA_MAIN)
    ok(card, IDEMIA_AWP)
    assert send(card, "0088000030" + DIGEST.hex() + "00")[1] == 0x6985  # SE gone
    ok(card, "002241A4068001048401 81".replace(" ", ""))
    assert send(card, "0088000030" + DIGEST.hex() + "00")[1] == 0x6982


def test_idemia_verify_pin2_cleared_when_leaving_qscd() -> None:
    card = make_card("idemia-ok", TODAY)
    ok(card, IDEMIA_QSCD)
    ok(card, pin_apdu(0x20, 0, 0x85, PIN2, pad=0xFF))
    assert send(card, "00200085")[1] == 0x9000
    ok(card, IDEMIA_AWP)
    ok(card, IDEMIA_QSCD)
    assert send(card, "00200085")[1] == 0x63C3


def test_reset_keeps_counters_and_clears_security() -> None:
    card = make_card("idemia-ok", TODAY)
    ok(card, IDEMIA_MAIN)
    send(card, pin_apdu(0x20, 0, 0x01, "1111", pad=0xFF))
    ok(card, pin_apdu(0x20, 0, 0x02, PUK, pad=0xFF))
    assert send(card, "00200002")[1] == 0x9000
    card.reset()
    assert send(card, "00200002")[1] == 0x63C3
    assert idemia_counters(card) == (2, 3, 3)

    thales = make_card("thales-ok", TODAY)
    send(thales, pin_apdu(0x20, 0, 0x82, "11111", pad=0x00))
    ok(thales, pin_apdu(0x20, 0, 0x81, PIN1, pad=0x00))
    thales.reset()
    assert send(thales, "00200081")[1] == 0x63C3
    assert thales_counters(thales)[1] == (2, 1)


# --- Thales -----------------------------------------------------------------


def test_thales_status_script() -> None:
    card = make_card("thales-ok", TODAY)
    ok(card, THALES_AID)
    assert thales_counters(card) == ((3, 1), (3, 1), (3, 1))
    # DF21[0] at data offset 14, as the first DD4 Thales code read it (§4.3).
    assert ok(card, "00CB00FF05A003830182 00".replace(" ", ""))[14] == 3
    # GET DATA without Le (LEID on T=0) still answers.
    assert ok(card, "00CB00FF05A003830181")[14] == 3

    ok(card, "00A4080C02DFDD")
    records = []
    for i in range(1, 9):
        ok(card, f"00A4020C0250{i:02X}")
        records.append(ok(card, "00B0000000"))
    assert records[0].decode() == "JÕEORG"
    assert records[5] == b"38001085718"
    assert records[6] == b"NF0054321"
    # 5009+ are not known to exist on Thales.
    assert send(card, "00A4020C025009")[1] == 0x6A82
    # Single field by path (DD4 Diagnostics).
    ok(card, "00A4080C04DFDD5006")
    assert ok(card, "00B0000000") == b"38001085718"
    # Thales uses P1=08; P1=09 / 01 are not answered.
    assert send(card, "00A4090C04DFDD5006")[1] == 0x6A86

    auth = read_ef(card, "00A4080404ADF1341100", 0x81, 0xE5)
    sign = read_ef(card, "00A4080404ADF2342100", 0x81, 0xE5)
    for der in (auth, sign):
        cert = x509.load_der_x509_certificate(der)
        policies = {
            p.policy_identifier.dotted_string
            for p in cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
        }
        assert "1.3.6.1.4.1.51361.2.1.6" in policies
        issuer_cn = cert.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        assert issuer_cn == "Test ESTEID2025"


def test_thales_fcp_has_no_tag_80() -> None:
    card = make_card("thales-ok", TODAY)
    fcp = tlv_map(tlv_map(ok(card, "00A4080404ADF1341100"))[0x62])
    assert 0x80 not in fcp
    assert 0x81 in fcp


def test_thales_blocking() -> None:
    card = make_card("thales-ok", TODAY)
    for left in (2, 1, 0):
        assert send(card, pin_apdu(0x20, 0, 0x82, "99999", pad=0x00))[1] == 0x63C0 | left
    # Thales answers 6984 for a blocked code (§7, inference).
    assert send(card, pin_apdu(0x20, 0, 0x82, PIN2, pad=0x00))[1] == 0x6984
    assert send(card, pin_apdu(0x24, 0, 0x82, PIN2, "13579", pad=0x00))[1] == 0x6984
    assert thales_counters(card)[1] == (0, 1)


def test_thales_change_and_unblock() -> None:
    card = make_card("thales-pin1-blocked", TODAY)
    ok(card, THALES_AID)
    assert thales_counters(card)[0] == (0, 1)
    # One step (§4.3): RRC P1=00 with PUK‖new.
    ok(card, pin_apdu(0x2C, 0, 0x81, PUK, "5678", pad=0x00))
    assert thales_counters(card)[0] == (3, 1)
    ok(card, pin_apdu(0x24, 0, 0x81, "5678", "8765", pad=0x00))
    ok(card, pin_apdu(0x24, 0, 0x82, PIN2, "13579", pad=0x00))
    ok(card, pin_apdu(0x20, 0, 0x82, "13579", pad=0x00))
    # A wrong PUK in RRC costs a PUK try.
    assert send(card, pin_apdu(0x2C, 0, 0x82, "11111111", "24680", pad=0x00))[1] == 0x63C2
    assert thales_counters(card)[2] == (2, 1)
    # IDEMIA's two-step form (P1=02) needs a verified PUK first.
    assert send(card, pin_apdu(0x2C, 2, 0x82, "24680", pad=0x00))[1] == 0x6982


def test_thales_puk_cannot_be_changed() -> None:
    card = make_card("thales-ok", TODAY)
    ok(card, THALES_AID)
    assert send(card, pin_apdu(0x24, 0, 0x83, PUK, "87654321", pad=0x00))[1] == 0x6985
    # Refused before the old PUK is checked: no try lost, even with a wrong one.
    assert send(card, pin_apdu(0x24, 0, 0x83, "11111111", "87654321", pad=0x00))[1] == 0x6985
    assert thales_counters(card)[2] == (3, 1)
    ok(card, pin_apdu(0x20, 0, 0x83, PUK, pad=0x00))


def thales_sign(card: VirtualCard, key: int) -> tuple[bytes, int]:
    ok(card, f"002241B606800154 8401{key:02X}".replace(" ", ""))
    ok(card, "002A90A032 9030".replace(" ", "") + DIGEST.hex())
    return send(card, "002A9E9A00")


def test_thales_new_pin2_activation() -> None:
    card = make_card("thales-new", TODAY)
    assert isinstance(card, ThalesCard)
    ok(card, THALES_AID)
    assert thales_counters(card) == ((3, 1), (3, 0), (3, 1))
    # VERIFY of the envelope PIN2 works, the signing key does not (§4.4).
    ok(card, pin_apdu(0x20, 0, 0x82, PIN2, pad=0x00))
    assert thales_sign(card, 0x05)[1] == 0x6985
    # Authentication is not affected.
    ok(card, pin_apdu(0x20, 0, 0x81, PIN1, pad=0x00))
    raw, sw = thales_sign(card, 0x01)
    assert sw == 0x9000
    verify_signature(card.credentials.auth_cert, DIGEST, raw)
    # Activating with the same code is refused; with a new one DF2F → 01.
    assert send(card, pin_apdu(0x24, 0, 0x82, PIN2, PIN2, pad=0x00))[1] == 0x6985
    assert thales_pin_info(card, 0x82) == (3, 0)
    ok(card, pin_apdu(0x24, 0, 0x82, PIN2, "13579", pad=0x00))
    assert thales_pin_info(card, 0x82) == (3, 1)
    assert thales_sign(card, 0x05)[1] == 0x6982  # change does not leave PIN2 verified
    ok(card, pin_apdu(0x20, 0, 0x82, "13579", pad=0x00))
    raw, sw = thales_sign(card, 0x05)
    assert sw == 0x9000
    verify_signature(card.credentials.sign_cert, DIGEST, raw)
    # One signature per VERIFY.
    assert thales_sign(card, 0x05)[1] == 0x6982


def test_thales_new_pin2_blocked_activates_with_puk() -> None:
    card = make_card("thales-new-pin2-blocked", TODAY)
    assert thales_counters(card)[1] == (0, 0)
    ok(card, pin_apdu(0x2C, 0, 0x82, PUK, "13579", pad=0x00))
    assert thales_counters(card)[1] == (3, 1)


def test_thales_courier_card() -> None:
    card = make_card("thales-courier", TODAY)
    assert isinstance(card, ThalesCard)
    ok(card, THALES_AID)
    assert thales_counters(card) == ((3, 0), (3, 0), (3, 1))
    ok(card, pin_apdu(0x20, 0, 0x81, PIN1, pad=0x00))
    assert thales_sign(card, 0x01)[1] == 0x6985
    assert send(card, pin_apdu(0x24, 0, 0x81, PIN1, "4321", pad=0x00))[1] == 0x6985
    assert send(card, pin_apdu(0x24, 0, 0x82, PIN2, "13579", pad=0x00))[1] == 0x6985
    assert send(card, pin_apdu(0x2C, 0, 0x82, PUK, "13579", pad=0x00))[1] == 0x6985
    assert thales_counters(card) == ((3, 0), (3, 0), (3, 1))
    # Certificates and personal data stay readable.
    read_ef(card, "00A4080404ADF1341100", 0x81, 0xE5)
    # Activation happens outside the card protocol (PPA portal).
    card.activate()
    assert thales_pin_info(card, 0x81) == (3, 1)
    ok(card, pin_apdu(0x20, 0, 0x81, PIN1, pad=0x00))
    assert thales_sign(card, 0x01)[1] == 0x9000


def test_thales_ecdh() -> None:
    card = make_card("thales-ok", TODAY)
    assert isinstance(card, ThalesCard)
    peer = ec.derive_private_key(12345, ec.SECP384R1())
    from cryptography.hazmat.primitives import serialization

    point = peer.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    ok(card, "00224 1B8038401 01".replace(" ", ""))
    apdu = bytes([0, 0x2A, 0x80, 0x86, len(point) + 1, 0]) + point + b"\0"
    assert send(card, apdu)[1] == 0x6982
    ok(card, pin_apdu(0x20, 0, 0x81, PIN1, pad=0x00))
    shared = ok(card, apdu)
    expected = peer.exchange(ec.ECDH(), card.credentials.auth_key.public_key())
    assert shared == expected


# --- T=0 behaviour ----------------------------------------------------------


def test_t0_get_response_and_wrong_le() -> None:
    card = make_card("thales-ok", TODAY, t0=True)
    data, sw = send(card, "00CB00FF05A003830181")
    assert data == b""
    assert sw >> 8 == 0x61
    full = ok(card, f"00C00000{sw & 0xFF:02X}")
    assert full[14] == 3
    ok(card, "00A4080C04DFDD5006")
    data, sw = send(card, "00B0000000")
    assert (data, sw) == (b"", 0x6C0B)
    assert ok(card, "00B000000B") == b"38001085718"
    # Partial GET RESPONSE.
    sw = send(card, "00CB00FF05A003830181")[1]
    first, sw2 = send(card, "00C0000005")
    assert len(first) == 5
    assert sw2 == 0x6100 | ((sw & 0xFF) - 5)


# --- presets ----------------------------------------------------------------

EXPECTED_PRESETS = {
    "idemia-ok": (3, 3, 3),
    "idemia-cosmox-ok": (3, 3, 3),
    "idemia-pin1-blocked": (0, 3, 3),
    "idemia-pin2-blocked": (3, 0, 3),
    "idemia-puk-blocked": (3, 3, 0),
    "idemia-last-attempt": (1, 3, 3),
    "expired": (3, 3, 3),
    "thales-ok": ((3, 1), (3, 1), (3, 1)),
    "thales-new": ((3, 1), (3, 0), (3, 1)),
    "thales-new-pin2-blocked": ((3, 1), (0, 0), (3, 1)),
    "thales-courier": ((3, 0), (3, 0), (3, 1)),
    "thales-pin1-blocked": ((0, 1), (3, 1), (3, 1)),
    "thales-pin2-blocked": ((3, 1), (0, 1), (3, 1)),
    "thales-puk-blocked": ((3, 1), (3, 1), (0, 1)),
}


def test_preset_list() -> None:
    infos = list_presets()
    assert {i.name for i in infos} == set(EXPECTED_PRESETS)
    for info in infos:
        assert info.profile in ("idemia", "thales")
        assert info.name.startswith(info.profile) or info.name == "expired"
        assert info.description


@pytest.mark.parametrize("preset", sorted(EXPECTED_PRESETS))
def test_preset_initial_state(preset: str) -> None:
    card = make_card(preset, TODAY)
    expected = EXPECTED_PRESETS[preset]
    if card.profile == "idemia":
        assert idemia_counters(card) == expected
    else:
        ok(card, THALES_AID)
        assert thales_counters(card) == expected
    doc = card.document  # type: ignore[attr-defined]
    if preset == "expired":
        assert doc.expiry_date < TODAY
    else:
        assert doc.issue_date <= TODAY < doc.expiry_date


def test_expired_preset_certificates() -> None:
    card = make_card("expired", TODAY)
    assert isinstance(card, IdemiaCard)
    auth = x509.load_der_x509_certificate(
        read_ef(card, "00A4090406 3F00ADF13401 00".replace(" ", ""), 0x80, 0xC0)
    )
    assert auth.not_valid_after_utc.date() < TODAY
    ok(card, "00A4090C063F0050005008")
    expiry = ok(card, "00B0000000").decode()
    assert datetime.strptime(expiry, "%d %m %Y").date() < TODAY


def test_unknown_preset_lists_names() -> None:
    with pytest.raises(UnknownPresetError, match=r"idemia-ok.*thales-ok"):
        make_card("nope")


@pytest.mark.parametrize(
    ("preset", "document_type", "oid"),
    [
        ("idemia-ok", "id_card", "1.3.6.1.4.1.51361.1.1.1"),
        ("idemia-ok", "digi_id", "1.3.6.1.4.1.51361.1.1.3"),
        ("idemia-ok", "residence_permit", "1.3.6.1.4.1.51361.1.1.5"),
        ("thales-ok", "id_card", "1.3.6.1.4.1.51361.2.1.1"),
        ("thales-ok", "residence_permit", "1.3.6.1.4.1.51361.2.1.3"),
    ],
)
def test_document_types(preset: str, document_type: str, oid: str) -> None:
    card = make_card(preset, TODAY, document_type=document_type)
    creds = card.credentials  # type: ignore[attr-defined]
    policies = {
        p.policy_identifier.dotted_string
        for p in creds.auth_cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
    }
    assert oid in policies
    if document_type in ("id_card", "residence_permit"):
        birth = card.read_file(0x5000 if card.profile == "idemia" else 0xDFDD, 0x5005)
        assert birth.decode().startswith("08 01 1980")


def test_thales_digi_id_needs_an_explicit_policy() -> None:
    with pytest.raises(ValueError, match="policy"):
        make_card("thales-ok", TODAY, document_type="digi_id")


def test_credentials_are_deterministic_and_cached() -> None:
    doc = Document("e_resident", "NE0012345", date(2024, 1, 2), date(2029, 1, 1))
    first = make_credentials("idemia", Holder(), doc)
    make_credentials.cache_clear()
    second = make_credentials("idemia", Holder(), doc)
    assert first.auth_cert_der == second.auth_cert_der
    assert first is not second
    assert make_credentials("idemia", Holder(), doc) is second


# --- robustness -------------------------------------------------------------

_INS = st.sampled_from(
    [0x20, 0x24, 0x2C, 0xA4, 0xB0, 0xC0, 0xCB, 0x22, 0x2A, 0x88, 0xCA, 0x84, 0xB1, 0x00, 0xFF]
) | st.integers(0, 255)


@st.composite
def apdus(draw: st.DrawFn) -> bytes:
    cla = draw(st.sampled_from([0x00, 0x00, 0x00, 0x80, 0x0C, 0x10, 0x01]) | st.integers(0, 255))
    ins = draw(_INS)
    p1 = draw(st.sampled_from([0x00, 0x01, 0x02, 0x04, 0x08, 0x09, 0x3F]) | st.integers(0, 255))
    p2 = draw(
        st.sampled_from([0x00, 0x04, 0x0C, 0x01, 0x02, 0x85, 0x81, 0x82, 0x83, 0xFF])
        | st.integers(0, 255)
    )
    shape = draw(st.integers(0, 4))
    header = bytes([cla, ins, p1, p2])
    if shape == 0:
        return draw(st.binary(max_size=6))
    data = draw(st.binary(min_size=1, max_size=40))
    if shape == 1:
        return header
    if shape == 2:
        return header + bytes([draw(st.integers(0, 255))])
    if shape == 3:
        return header + bytes([len(data)]) + data
    return header + bytes([len(data)]) + data + bytes([draw(st.integers(0, 255))])


_PROBE_PRESETS = ["idemia-ok", "idemia-pin1-blocked", "thales-ok", "thales-new", "thales-courier"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    preset=st.sampled_from(_PROBE_PRESETS), sequence=st.lists(apdus(), max_size=8), t0=st.booleans()
)
def test_random_apdus_never_crash(preset: str, sequence: list[bytes], t0: bool) -> None:
    card = make_card(preset, TODAY, t0=t0)
    for apdu in sequence:
        before = {name: s.tries_left for name, s in card.pin_status().items()}
        flags_before = {name: s.active for name, s in card.pin_status().items()}
        response = card.transmit(apdu)
        assert len(response) >= 2
        sw1 = response[-2]
        assert 0x61 <= sw1 <= 0x6F or sw1 == 0x90
        if sw1 not in (0x90, 0x62):
            assert len(response) == 2
        after = {name: s.tries_left for name, s in card.pin_status().items()}
        flags_after = {name: s.active for name, s in card.pin_status().items()}
        if len(apdu) < 2 or apdu[1] not in (0x20, 0x24, 0x2C):
            assert after == before
            assert flags_after == flags_before
    assert not card.internal_errors
