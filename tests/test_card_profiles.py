"""Chip profiles: ATR identification, command bytes and answer parsing.

Every expected byte string is quoted from docs/card-protocol.md,
with the section and the reference implementation it names.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.card import profiles as p
from advisor.card.apdu import Command
from advisor.card.errors import MalformedResponse, UnsupportedOperation
from advisor.card.profiles import (
    IDEMIA_COSMO_8,
    IDEMIA_COSMO_X,
    LEGACY_CARDS,
    PROFILES,
    THALES,
    App,
    Certificate,
    CodeKind,
    Generation,
    LegacyCard,
    Profile,
    Step,
    StepPurpose,
    UnblockStyle,
    identify,
)
from advisor.card.tlv import TlvError

IDEMIAS = (IDEMIA_COSMO_8, IDEMIA_COSMO_X)
PIN1, PIN2, PUK = CodeKind.PIN1, CodeKind.PIN2, CodeKind.PUK


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def b(command: Command) -> bytes:
    return command.to_bytes()


# --- identify ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("atr", "profile"),
    [
        # §1: LEID "EstEID Idemia Cosmo 8.1/8.2", DD4 ATR_COSMO8.
        ("3B DB 96 00 80 B1 FE 45 1F 83 00 12 23 3F 53 65 49 44 0F 90 00 F1", IDEMIA_COSMO_8),
        # §1: LEID "EstEID Idemia Cosmo X", DD4 ATR_COSMOX.
        ("3B DC 96 00 80 B1 FE 45 1F 83 00 12 23 3F 54 65 49 44 32 0F 90 00 C3", IDEMIA_COSMO_X),
        # §1: LEID "EstEID Thales v1.0", DD4 THALESCard::isSupported.
        ("3B FF 96 00 00 80 31 FE 43 80 31 B8 53 65 49 44 64 B0 85 05 10 12 23 3F 1D", THALES),
    ],
)
def test_identify_current_chips(atr: str, profile: Profile) -> None:
    assert identify(h(atr)) is profile
    assert identify(bytearray(h(atr))) is profile


def test_generations() -> None:
    assert IDEMIA_COSMO_8.generation is Generation.IDEMIA
    assert IDEMIA_COSMO_X.generation is Generation.IDEMIA
    assert THALES.generation is Generation.THALES
    # The strings are fixed by docs/facts.md (card_generation).
    assert [g.value for g in Generation] == ["idemia", "thales", "legacy"]


@pytest.mark.parametrize(
    "atr",
    [
        # §11, OSC card-mcrd.c history / LEID a89a2b1^.
        "3B FE 18 00 00 80 31 FE 45 45 73 74 45 49 44 20 76 65 72 20 31 2E 30 A8",
        "3B FE 18 00 00 80 31 FE 45 80 31 80 66 40 90 A4 56 1B 16 83 01 90 00 86",
        "3B FE 18 00 00 80 31 FE 45 80 31 80 66 40 90 A4 16 2A 00 83 01 90 00 E1",
        "3B FE 18 00 00 80 31 FE 45 80 31 80 66 40 90 A4 16 2A 00 83 0F 90 00 EF",
        "3B FA 18 00 00 80 31 FE 45 FE 65 49 44 20 2F 20 50 4B 49 03",
        # §11, npm esteid@0.0.5 esteid.js.
        "3B FE 94 00 FF 80 B1 FA 45 1F 03 45 73 74 45 49 44 20 76 65 72 20 31 2E 30 43",
        "3B DE 18 FF C0 80 B1 FE 45 1F 03 45 73 74 45 49 44 20 76 65 72 20 31 2E 30 2B",
        "3B 5E 11 FF 45 73 74 45 49 44 20 76 65 72 20 31 2E 30",
        "3B 6E 00 00 45 73 74 45 49 44 20 76 65 72 20 31 2E 30",
        "3B F9 18 00 00 C0 0A 31 FE 45 53 46 2D 34 43 43 2D 30 31 81",
        "3B F8 13 00 00 81 31 FE 45 4A 43 4F 50 76 32 34 31 B7",
    ],
)
def test_identify_legacy(atr: str) -> None:
    card = identify(h(atr))
    assert isinstance(card, LegacyCard)
    assert card.generation is Generation.LEGACY
    assert card.atr == h(atr)


def test_generic_legacy_atrs_are_unconfirmed() -> None:
    unconfirmed = {c.description for c in LEGACY_CARDS if not c.confirmed}
    assert len(unconfirmed) == 2
    assert all("possibly" in d for d in unconfirmed)


@pytest.mark.parametrize(
    "atr",
    [
        "",
        # Latvian IDEMIA card: country bytes 12 42 8F instead of 12 23 3F (§1 note).
        "3B DB 96 00 80 B1 FE 45 1F 83 00 12 42 8F 53 65 49 44 0F 90 00 F1",
        # Exact match only: one extra byte is a different ATR (§1: no masks).
        "3B DB 96 00 80 B1 FE 45 1F 83 00 12 23 3F 53 65 49 44 0F 90 00 F1 00",
        # pcsc-tools' ID-One Cosmo v8.1 sample (vsmartcard's and pcsc-tools' sample ATR list), not an EstEID table entry.
        "3B DB 96 00 80 B1 FE 45 1F 83 45 53 54 4F 4E 49 41 2D 65 49 44 55",
    ],
)
def test_identify_unknown(atr: str) -> None:
    assert identify(h(atr)) is None


def test_atrs_are_unique() -> None:
    atrs = [profile.atr for profile in PROFILES] + [card.atr for card in LEGACY_CARDS]
    assert len(atrs) == len(set(atrs))


# --- profile facts ---------------------------------------------------------------------


def test_profile_facts() -> None:
    for profile in IDEMIAS:
        # §2 pad 0xFF; §3.2 refs 01/85/02; §3.3 PUK changeable, VERIFY PUK + RRC.
        assert profile.pad_byte == 0xFF
        assert (profile.pin1.reference, profile.pin2.reference, profile.puk.reference) == (
            0x01,
            0x85,
            0x02,
        )
        assert profile.pin2.app is App.SIGN
        assert profile.puk_changeable
        assert profile.unblock_style is UnblockStyle.VERIFY_PUK_THEN_RESET
        assert not profile.has_change_flags
    # §2 pad 0x00; §4.2 refs 81/82/83; §4.3 PUK not changeable, one RRC.
    assert THALES.pad_byte == 0x00
    assert (THALES.pin1.reference, THALES.pin2.reference, THALES.puk.reference) == (
        0x81,
        0x82,
        0x83,
    )
    assert not THALES.puk_changeable
    assert THALES.unblock_style is UnblockStyle.RESET_WITH_PUK
    assert THALES.has_change_flags
    for profile in PROFILES:
        # §2: lengths 4/5/8..12, 3 tries, 12-byte field.
        assert [(profile.code(k).min_length, profile.code(k).max_length) for k in CodeKind] == [
            (4, 12),
            (5, 12),
            (8, 12),
        ]
        assert {profile.code(k).max_tries for k in CodeKind} == {3}
        assert profile.padded_length == 12
    # Thales has one applet: every app is the PKCS#15 AID.
    assert {THALES.aid(app) for app in App} == {THALES.main_aid}


# --- IDEMIA command bytes ----------------------------------------------------------------


@pytest.mark.parametrize("profile", IDEMIAS)
def test_idemia_selects(profile: Profile) -> None:
    # §3.1 main AID (LEID MAIN_AID, DD4 IDEMIACard::AID).
    assert b(p.select_application(profile, App.MAIN)) == h(
        "00 A4 04 0C 10 A0 00 00 00 77 01 08 00 07 00 00 FE 00 00 01 00"
    )
    # §3.1 AWP (DD4 AID_OT).
    assert b(p.select_application(profile, App.AUTH)) == h(
        "00 A4 04 0C 0D E8 28 BD 08 0F F2 50 4F 54 20 41 57 50"
    )
    # §3.1 QSCD (DD4 AID_QSCD).
    assert b(p.select_application(profile, App.SIGN)) == h(
        "00 A4 04 0C 10 51 53 43 44 20 41 70 70 6C 69 63 61 74 69 6F 6E"
    )
    # §3.2: PIN2 needs QSCD; PIN1 and PUK the main AID.
    assert p.select_for_code(profile, PIN2) == p.select_application(profile, App.SIGN)
    assert p.select_for_code(profile, PIN1) == p.select_application(profile, App.MAIN)
    assert p.select_for_code(profile, PUK) == p.select_application(profile, App.MAIN)


@pytest.mark.parametrize("profile", IDEMIAS)
def test_idemia_files(profile: Profile) -> None:
    # §3.1: DD4 "00 A4 09 0C 04 3F 00 50 00", then "00 A4 02 0C 02 50 nn".
    assert b(p.select_personal_data(profile)) == h("00 A4 09 0C 04 3F 00 50 00")
    assert b(p.select_personal_data_file(profile, 0x5001)) == h("00 A4 02 0C 02 50 01")
    assert b(p.select_personal_data_file(profile, 0x500F)) == h("00 A4 02 0C 02 50 0F")
    # §3.1 certificates (DD4, OSC full path).
    assert b(p.select_certificate(profile, Certificate.AUTH)) == h(
        "00 A4 09 04 06 3F 00 AD F1 34 01 00"
    )
    assert b(p.select_certificate(profile, Certificate.SIGN)) == h(
        "00 A4 09 04 06 3F 00 AD F2 34 1F 00"
    )


@pytest.mark.parametrize("profile", IDEMIAS)
def test_idemia_verify(profile: Profile) -> None:
    # §3.3, LEID mock: "00 20 00 01 0C 31 32 33 34 FF×8".
    assert b(p.verify(profile, PIN1, "1234")) == h("00 20 00 01 0C 31 32 33 34") + b"\xff" * 8
    # §3.3, LEID mock: "…85 0C 31 32 33 34 35 FF×7".
    assert b(p.verify(profile, PIN2, "12345")) == h("00 20 00 85 0C 31 32 33 34 35") + b"\xff" * 7
    # §3.3 VERIFY PUK "00 20 00 02 0C PUK(12)" (DD4 IDEMIACard::replace).
    assert b(p.verify(profile, PUK, "17258403")) == h("00 20 00 02 0C") + b"17258403" + b"\xff" * 4


@pytest.mark.parametrize("profile", IDEMIAS)
def test_idemia_change(profile: Profile) -> None:
    # §3.3 "00 24 00 <ref> 18 OLD(12) NEW(12)" with ref 01 / 85 / 02.
    old, new = b"0090".ljust(12, b"\xff"), b"2580".ljust(12, b"\xff")
    pin1 = p.change_reference_data(profile, PIN1, "0090", "2580")
    assert b(pin1) == h("00 24 00 01 18") + old + new
    old2, new2 = b"01497".ljust(12, b"\xff"), b"25803".ljust(12, b"\xff")
    assert (
        b(p.change_reference_data(profile, PIN2, "01497", "25803"))
        == h("00 24 00 85 18") + old2 + new2
    )
    # §3.3: the PUK can be changed on IDEMIA.
    assert b(p.change_reference_data(profile, PUK, "17258403", "25803691")) == (
        h("00 24 00 02 18") + b"17258403\xff\xff\xff\xff" + b"25803691\xff\xff\xff\xff"
    )


@pytest.mark.parametrize("profile", IDEMIAS)
def test_idemia_reset_retry_counter(profile: Profile) -> None:
    # §3.3 "00 2C 02 01 0C NEW(12)" / "00 2C 02 85 0C NEW(12)" - the PUK is not in the RRC.
    assert b(p.reset_retry_counter(profile, PIN1, "2580")) == h("00 2C 02 01 0C") + b"2580" + (
        b"\xff" * 8
    )
    assert b(p.reset_retry_counter(profile, PIN2, "25803")) == h("00 2C 02 85 0C") + b"25803" + (
        b"\xff" * 7
    )
    with pytest.raises(ValueError, match="verified separately"):
        p.reset_retry_counter(profile, PIN1, "2580", puk="17258403")


@pytest.mark.parametrize("profile", IDEMIAS)
def test_idemia_counters(profile: Profile) -> None:
    # §3.3 "00 CB 3F FF 0A 4D 08 70 06 BF 81 0r 02 A0 80 00", r = 01 PIN1, 02 PUK, 05 PIN2.
    for kind, r in ((PIN1, "01"), (PUK, "02"), (PIN2, "05")):
        expected = h(f"00 CB 3F FF 0A 4D 08 70 06 BF 81 {r} 02 A0 80 00")
        assert b(p.read_counter(profile, kind)) == expected
        # Only LEID's Thales code drops Le on T=0 (§4.3).
        assert b(p.read_counter(profile, kind, t0=True)) == expected


# --- Thales command bytes ----------------------------------------------------------------


def test_thales_selects_and_files() -> None:
    # §4.1 (LEID SELECT_MAIN_AID, DD4 THALESCard::AID).
    aid = h("00 A4 04 0C 0C A0 00 00 00 63 50 4B 43 53 2D 31 35")
    for kind in CodeKind:
        assert b(p.select_for_code(THALES, kind)) == aid
    # §4.1 "00 A4 08 0C 02 DF DD", "00 A4 02 0C 02 50 nn".
    assert b(p.select_personal_data(THALES)) == h("00 A4 08 0C 02 DF DD")
    assert b(p.select_personal_data_file(THALES, 0x5006)) == h("00 A4 02 0C 02 50 06")
    with pytest.raises(ValueError, match="5009"):
        p.select_personal_data_file(THALES, 0x5009)  # unknown on Thales (§13.3)
    # §4.1 "00 A4 08 04 04 AD F1 34 11 00" / "AD F2 34 21".
    assert b(p.select_certificate(THALES, Certificate.AUTH)) == h("00 A4 08 04 04 AD F1 34 11 00")
    assert b(p.select_certificate(THALES, Certificate.SIGN)) == h("00 A4 08 04 04 AD F2 34 21 00")


def test_thales_pin_commands() -> None:
    zero = b"\x00"
    # §4.3 VERIFY "00 20 00 8r 0C P(12)", pad 00.
    assert b(p.verify(THALES, PIN1, "0090")) == h("00 20 00 81 0C") + b"0090" + zero * 8
    assert b(p.verify(THALES, PIN2, "01497")) == h("00 20 00 82 0C") + b"01497" + zero * 7
    assert b(p.verify(THALES, PUK, "17258403")) == h("00 20 00 83 0C") + b"17258403" + zero * 4
    # §4.3 CHANGE "00 24 00 8r 18 OLD(12) NEW(12)".
    assert b(p.change_reference_data(THALES, PIN2, "01497", "25803")) == (
        h("00 24 00 82 18") + b"01497" + zero * 7 + b"25803" + zero * 7
    )
    # §4.3 RRC "00 2C 00 8r 18 PUK(12) NEW(12)".
    assert b(p.reset_retry_counter(THALES, PIN1, "2580", puk="17258403")) == (
        h("00 2C 00 81 18") + b"17258403" + zero * 4 + b"2580" + zero * 8
    )
    with pytest.raises(ValueError, match="needs the PUK"):
        p.reset_retry_counter(THALES, PIN1, "2580")


def test_thales_counters() -> None:
    # §4.3 "00 CB 00 FF 05 A0 03 83 01 8r 00"; LEID omits Le on T=0.
    for kind, r in ((PIN1, "81"), (PIN2, "82"), (PUK, "83")):
        assert b(p.read_counter(THALES, kind)) == h(f"00 CB 00 FF 05 A0 03 83 01 {r} 00")
        assert b(p.read_counter(THALES, kind, t0=True)) == h(f"00 CB 00 FF 05 A0 03 83 01 {r}")


def test_thales_puk_cannot_change() -> None:
    # §4.3: DD4 pukReplacable=false, NFCA "Cannot change PUK code", IDEE-PIN.
    with pytest.raises(UnsupportedOperation):
        p.change_reference_data(THALES, PUK, "17258403", "25803691")
    with pytest.raises(UnsupportedOperation):
        p.change_steps(THALES, PUK, "17258403", "25803691")


@pytest.mark.parametrize("profile", PROFILES)
def test_puk_cannot_be_reset(profile: Profile) -> None:
    with pytest.raises(UnsupportedOperation):
        p.reset_retry_counter(profile, PUK, "25803691", puk="17258403")
    with pytest.raises(UnsupportedOperation):
        p.unblock_steps(profile, PUK, "17258403", "25803691")


def test_read_binary() -> None:
    assert b(p.read_binary(0, 256)) == h("00 B0 00 00 00")
    assert b(p.read_binary(0x01C0, 0xC0)) == h("00 B0 01 C0 C0")
    with pytest.raises(ValueError, match="offset"):
        p.read_binary(0x8000, 1)


# --- code encoding ----------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (PIN1, "123"),
        (PIN1, "1234567890123"),
        (PIN2, "1234"),
        (PUK, "1234567"),
        (PIN1, "12a4"),
        (PIN1, "١٢٣٤"),
        (PIN1, " 1234"),
    ],
)
def test_encode_code_rejects(profile: Profile, kind: CodeKind, code: str) -> None:
    with pytest.raises(ValueError, match="ASCII digits") as info:
        p.verify(profile, kind, code)
    assert code.strip() not in str(info.value)


def test_encode_code_type() -> None:
    with pytest.raises(TypeError):
        p.encode_code(THALES, PIN1, 1234)  # type: ignore[arg-type]


@given(st.sampled_from(PROFILES), st.sampled_from(list(CodeKind)), st.data())
def test_encode_code_round_trip(profile: Profile, kind: CodeKind, data: st.DataObject) -> None:
    spec = profile.code(kind)
    code = data.draw(
        st.text(alphabet="0123456789", min_size=spec.min_length, max_size=spec.max_length)
    )
    field = p.encode_code(profile, kind, code)
    assert len(field) == 12
    assert field[: len(code)] == code.encode()
    assert set(field[len(code) :]) <= {profile.pad_byte}


# --- answer parsing ---------------------------------------------------------------------

# §3.3, LEID test mock (PIN1 of a test card).
IDEMIA_PIN1_ANSWER = h(
    "70 1E BF 81 01 1A A0 18 9A 01 03 9B 01 03 "
    "A1 10 8C 06 F3 00 00 73 43 00 9C 06 F3 00 00 73 43 00"
)


def _idemia_answer(ref: int, remaining: int) -> bytes:
    return h(f"70 0C BF 81 {ref:02X} 08 A0 06 9A 01 03 9B 01 {remaining:02X}")


def _thales_answer(ref: int, tries: int, flag: int | None) -> bytes:
    body = h(f"83 01 {ref:02X} DF 21 01 {tries:02X}")
    if flag is not None:
        body += h(f"DF 2F 01 {flag:02X}")
    return bytes((0xA0, len(body))) + body


@pytest.mark.parametrize("profile", IDEMIAS)
def test_parse_idemia_counter(profile: Profile) -> None:
    counter = p.parse_counter(profile, PIN1, IDEMIA_PIN1_ANSWER)
    assert counter == p.CodeCounter(PIN1, tries_left=3, max_tries=3, changed=None)
    assert not counter.blocked
    assert not counter.needs_change
    pin2 = p.parse_counter(profile, PIN2, _idemia_answer(0x05, 0))
    assert pin2.tries_left == 0
    assert pin2.blocked
    puk = p.parse_counter(profile, PUK, _idemia_answer(0x02, 1))
    assert puk.tries_left == 1


@pytest.mark.parametrize("profile", IDEMIAS)
def test_parse_idemia_counter_checks_the_object(profile: Profile) -> None:
    # The PIN1 answer does not hold the PIN2 object BF8105.
    with pytest.raises(TlvError, match="70/BF8105"):
        p.parse_counter(profile, PIN2, IDEMIA_PIN1_ANSWER)
    with pytest.raises(TlvError, match="9B"):
        p.parse_counter(profile, PIN1, h("70 09 BF 81 01 05 A0 03 9A 01 03"))
    with pytest.raises(MalformedResponse, match="9B"):
        p.parse_counter(profile, PIN1, h("70 08 BF 81 01 04 A0 02 9B 00"))
    with pytest.raises(TlvError):
        p.parse_counter(profile, PIN1, IDEMIA_PIN1_ANSWER[:-1])


def test_parse_idemia_counter_ignores_offsets() -> None:
    # Same content, different layout: 9B before 9A, an extra tag first. A parser
    # reading resp[13] (old DD4/OSC, §3.3) would get this wrong.
    answer = h("70 10 BF 81 01 0C A0 0A 80 02 00 00 9B 01 02 9A 01 03")
    counter = p.parse_counter(IDEMIA_COSMO_8, PIN1, answer)
    assert (counter.tries_left, counter.max_tries) == (2, 3)


def test_parse_thales_counter() -> None:
    # §4.3/§4.4: DF21[0] tries left; DF2F 01 changed, 00 never changed.
    fresh = p.parse_counter(THALES, PIN2, _thales_answer(0x82, 3, 0x00))
    assert fresh == p.CodeCounter(PIN2, tries_left=3, max_tries=None, changed=False)
    assert fresh.needs_change
    active = p.parse_counter(THALES, PIN1, _thales_answer(0x81, 2, 0x01))
    assert (active.tries_left, active.changed, active.needs_change) == (2, True, False)
    # DF2F absent: every stack treats the PIN as active (§4.3).
    absent = p.parse_counter(THALES, PUK, _thales_answer(0x83, 0, None))
    assert absent.changed is None
    assert not absent.needs_change
    assert absent.blocked


def test_parse_thales_counter_fineid_layout() -> None:
    # §4.3: the FinEID v4 answer from LEID's mock; same parser, different layout.
    answer = h(
        "A0 23 83 01 11 8C 04 F0 00 00 00 9C 04 F0 00 00 00 "
        "DF 21 04 05 FF A5 03 DF 27 02 FF FF DF 28 01 0C DF 2F 01 01"
    )
    counter = p.parse_counter(THALES, PIN1, answer)
    assert (counter.tries_left, counter.changed) == (5, True)


def test_parse_thales_counter_errors() -> None:
    with pytest.raises(TlvError, match="A0/DF21"):
        p.parse_counter(THALES, PIN1, h("A0 04 DF 2F 01 01"))
    with pytest.raises(MalformedResponse, match="DF2F"):
        p.parse_counter(THALES, PIN1, h("A0 07 DF 21 01 03 DF 2F 00"))
    with pytest.raises(TlvError):
        p.parse_counter(THALES, PIN1, h("A0 07 DF 21 01 03 DF 2F"))


@pytest.mark.parametrize(
    ("profile", "fcp", "size"),
    [
        # §3.1 LEID mock: auth "62 04 80 02 04 07" = 1031, sign "62 04 80 02 03 F0" = 1008.
        (IDEMIA_COSMO_8, "62 04 80 02 04 07", 1031),
        (IDEMIA_COSMO_X, "62 04 80 02 03 F0", 1008),
        # §4.1: Thales size in tag 81 (DD4 parseFCI 0x81).
        (THALES, "62 04 81 02 04 07", 1031),
        # LEID accepts either tag on either chip.
        (THALES, "62 04 80 02 03 F0", 1008),
        # The profile's own tag wins when both are present.
        (THALES, "62 08 80 02 00 10 81 02 04 07", 1031),
        (IDEMIA_COSMO_8, "62 08 80 02 00 10 81 02 04 07", 16),
    ],
)
def test_file_size_from_fcp(profile: Profile, fcp: str, size: int) -> None:
    assert p.file_size_from_fcp(profile, h(fcp)) == size


def test_file_size_missing() -> None:
    with pytest.raises(MalformedResponse, match="no file size"):
        p.file_size_from_fcp(THALES, h("62 03 82 01 01"))
    with pytest.raises(MalformedResponse, match="0 bytes"):
        p.file_size_from_fcp(THALES, h("62 02 81 00"))


# --- operations as steps ----------------------------------------------------------------


def _shape(steps: tuple[Step, ...]) -> list[tuple[bytes, StepPurpose, CodeKind | None]]:
    return [(step.command.to_bytes()[:4], step.purpose, step.code) for step in steps]


@pytest.mark.parametrize("profile", IDEMIAS)
def test_idemia_unblock_steps(profile: Profile) -> None:
    # §3.3 / DD4 IDEMIACard::replace: VERIFY PUK, (SELECT QSCD for PIN2), RRC P1=02.
    assert _shape(p.unblock_steps(profile, PIN1, "17258403", "2580")) == [
        (h("00 A4 04 0C"), StepPurpose.SELECT, None),
        (h("00 20 00 02"), StepPurpose.VERIFY, PUK),
        (h("00 2C 02 01"), StepPurpose.RESET, None),
    ]
    steps = p.unblock_steps(profile, PIN2, "17258403", "25803")
    assert _shape(steps) == [
        (h("00 A4 04 0C"), StepPurpose.SELECT, None),
        (h("00 20 00 02"), StepPurpose.VERIFY, PUK),
        (h("00 A4 04 0C"), StepPurpose.SELECT, None),
        (h("00 2C 02 85"), StepPurpose.RESET, None),
    ]
    assert steps[0].command.data == profile.main_aid
    assert steps[2].command.data == b"QSCD Application"


@pytest.mark.parametrize("profile", IDEMIAS)
def test_idemia_unblock_checks_new_pin_before_puk_is_sent(profile: Profile) -> None:
    with pytest.raises(ValueError, match="PIN2"):
        p.unblock_steps(profile, PIN2, "17258403", "123")


def test_thales_unblock_steps() -> None:
    # §4.3 / DD4 THALESCard::replace: one RRC P1=00 with PUK || new PIN.
    steps = p.unblock_steps(THALES, PIN2, "17258403", "25803")
    assert _shape(steps) == [
        (h("00 A4 04 0C"), StepPurpose.SELECT, None),
        (h("00 2C 00 82"), StepPurpose.RESET, PUK),
    ]


def test_change_and_read_steps() -> None:
    # IDEMIA PIN2: DD4 IDEMIACard::change selects QSCD first (§3.3).
    steps = p.change_steps(IDEMIA_COSMO_X, PIN2, "01497", "25803")
    assert steps[0].command.data == b"QSCD Application"
    assert (steps[1].purpose, steps[1].code) == (StepPurpose.CHANGE, PIN2)
    # Thales PIN2 activation = the same CHANGE with the envelope PIN2 (§4.4, DD4 ActivateWithPin).
    steps = p.change_steps(THALES, PIN2, "01497", "25803")
    assert steps[1].command.to_bytes()[:5] == h("00 24 00 82 18")
    read = p.read_counter_steps(IDEMIA_COSMO_8, PUK)
    assert [s.purpose for s in read] == [StepPurpose.SELECT, StepPurpose.READ_COUNTER]
    verify = p.verify_steps(THALES, PIN1, "0090")
    assert (verify[1].purpose, verify[1].code) == (StepPurpose.VERIFY, PIN1)


# --- secrets never in reprs (canary) ----------------------------------------------------

CANARY_PUK = "80469173"
CANARY_PIN = "5927461"


@pytest.mark.parametrize("profile", PROFILES)
def test_steps_never_show_codes(profile: Profile) -> None:
    everything: list[object] = [
        *p.unblock_steps(profile, PIN2, CANARY_PUK, CANARY_PIN),
        *p.change_steps(profile, PIN1, CANARY_PIN, CANARY_PIN[::-1]),
        *p.verify_steps(profile, PUK, CANARY_PUK),
    ]
    for item in everything:
        for text in (repr(item), str(item)):
            for secret in (CANARY_PUK, CANARY_PIN, CANARY_PIN[::-1]):
                assert secret not in text
                assert secret.encode().hex() not in text.replace(" ", "").lower()
