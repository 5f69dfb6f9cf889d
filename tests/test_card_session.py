"""CardSession against the virtual cards: status, operations, safety checks, APDU counts.

The connection is a small fake over ``VirtualCard`` (``FakeConnection``) so
that these tests depend only on the emulator's card side; one test also runs
through ``advisor.emulator.connection.VirtualConnection`` when it exists.
"""

from __future__ import annotations

import math

import pytest

from advisor.card.errors import (
    AlreadyActivated,
    CardNotActivated,
    CodeBlocked,
    CodeRejected,
    LastAttemptNotConfirmed,
    NotEstonianCard,
    PolicyViolation,
    StatusError,
    UnsupportedOperation,
    WrongCode,
)
from advisor.card.policy import ViolationReason
from advisor.card.profiles import IDEMIA_COSMO_8, LEGACY_CARDS
from advisor.card.session import CardSession
from advisor.emulator import VirtualCard, list_presets, make_card
from advisor.facts.case import parse_facts
from advisor.model import CodeKind, CodeOperation, DocumentType, Generation
from tests.fakes import (
    CODE_INS,
    PIN1,
    PIN2,
    PUK,
    TODAY,
    FakeConnection,
    code_commands,
    counter,
    open_card,
)

PRESETS = [info.name for info in list_presets()]

# preset -> (generation, (pin1, pin2, puk) tries, pin2_activated, card_activated)
EXPECTED: dict[str, tuple[Generation, tuple[int, int, int], bool | None, bool | None]] = {
    "idemia-ok": (Generation.IDEMIA, (3, 3, 3), None, None),
    "idemia-cosmox-ok": (Generation.IDEMIA, (3, 3, 3), None, None),
    "idemia-pin1-blocked": (Generation.IDEMIA, (0, 3, 3), None, None),
    "idemia-pin2-blocked": (Generation.IDEMIA, (3, 0, 3), None, None),
    "idemia-puk-blocked": (Generation.IDEMIA, (3, 3, 0), None, None),
    "idemia-last-attempt": (Generation.IDEMIA, (1, 3, 3), None, None),
    "expired": (Generation.IDEMIA, (3, 3, 3), None, None),
    "thales-ok": (Generation.THALES, (3, 3, 3), True, True),
    "thales-new": (Generation.THALES, (3, 3, 3), False, True),
    "thales-new-pin2-blocked": (Generation.THALES, (3, 0, 3), False, True),
    "thales-courier": (Generation.THALES, (3, 3, 3), False, False),
    "thales-pin1-blocked": (Generation.THALES, (0, 3, 3), True, True),
    "thales-pin2-blocked": (Generation.THALES, (3, 0, 3), True, True),
    "thales-puk-blocked": (Generation.THALES, (3, 3, 0), True, True),
}


def test_every_preset_has_expectations() -> None:
    assert set(EXPECTED) == set(PRESETS)


# --- status ------------------------------------------------------------------


@pytest.mark.parametrize("preset", PRESETS)
def test_status_values_per_preset(preset: str) -> None:
    card, connection, session = open_card(preset)
    generation, tries, pin2_activated, card_activated = EXPECTED[preset]

    status = session.status()

    assert status.generation is generation
    assert status.chip == session.chip
    assert status.reader == "Fake Reader 00 00"
    assert status.atr == card.atr.hex().upper()
    assert status.pin1 is not None
    assert status.pin2 is not None
    assert status.puk is not None
    assert (status.pin1.tries_left, status.pin2.tries_left, status.puk.tries_left) == tries
    assert (status.pin1.max_tries, status.pin2.max_tries, status.puk.max_tries) == (3, 3, 3)
    assert status.pin2_activated is pin2_activated
    assert status.card_activated is card_activated
    personal = status.personal
    assert personal is not None
    holder, document = card.holder, card.document  # type: ignore[attr-defined]
    assert personal.surname == holder.surname
    assert personal.given_names == holder.given_names
    assert personal.personal_code == holder.personal_code
    assert personal.document_number == document.number
    assert personal.expiry_date == document.expiry_date
    # Only IDEMIA holds an issue date (EF 5009); Thales has none known (§5.1).
    expected_issue = document.issue_date if generation is Generation.IDEMIA else None
    assert personal.issue_date == expected_issue
    assert status.document_type is DocumentType.E_RESIDENT
    for certificate, policy in (
        (status.auth_certificate, "0.4.0.2042.1.2"),
        (status.sign_certificate, "0.4.0.194112.1.2"),
    ):
        assert certificate is not None
        assert f"serialNumber=PNOEE-{holder.personal_code}" in certificate.subject
        assert certificate.personal_code == holder.personal_code
        assert certificate.issuer_common_name == (
            "TEST of ESTEID2018" if generation is Generation.IDEMIA else "Test ESTEID2025"
        )
        assert certificate.not_before.date() == document.issue_date
        assert certificate.not_after.date() == document.expiry_date
        assert policy in certificate.policy_oids
        assert certificate.document_type is DocumentType.E_RESIDENT
    # Reading never sends a code, and all of it is one transaction.
    assert code_commands(card) == {0x20: 0, 0x24: 0, 0x2C: 0}
    assert connection.transactions == 1
    assert card.internal_errors == []


@pytest.mark.parametrize("preset", PRESETS)
def test_status_feeds_the_fact_model(preset: str) -> None:
    card, _, session = open_card(preset)
    generation, tries, pin2_activated, card_activated = EXPECTED[preset]

    facts_json = session.status().to_facts_json()
    facts = parse_facts(facts_json)

    document = card.document  # type: ignore[attr-defined]
    assert facts.card_generation is generation
    assert (facts.pin1_tries_left, facts.pin2_tries_left, facts.puk_tries_left) == tries
    assert facts.expiry_date == document.expiry_date
    assert facts.document_type is DocumentType.E_RESIDENT
    assert facts.pin2_activated is pin2_activated
    assert facts.card_activated is card_activated
    if generation is Generation.IDEMIA:
        assert facts.issue_date == document.issue_date
        # IDEMIA has no activation state: unknown, not claimed either way.
        assert "pin2_activated" not in facts_json
        assert "card_activated" not in facts_json
    else:
        assert "issue_date" not in facts_json


def test_status_marks_the_card_activated_inference() -> None:
    _, _, session = open_card("thales-courier")
    status = session.status()
    assert any("card_activated" in note and "§4.4" in note for note in status.unverified)
    _, _, idemia = open_card("idemia-ok")
    notes = idemia.status().unverified
    assert not any("card_activated" in note for note in notes)
    assert any("EF 5009" in note for note in notes)


@pytest.mark.parametrize(
    ("preset", "document_type"),
    [
        ("idemia-ok", "id_card"),
        ("idemia-ok", "digi_id"),
        ("idemia-ok", "residence_permit"),
        ("idemia-ok", "diplomatic"),
        ("thales-ok", "id_card"),
        ("thales-ok", "residence_permit"),
        ("thales-ok", "diplomatic"),
    ],
)
def test_document_type_from_the_policy_oid(preset: str, document_type: str) -> None:
    _, _, session = open_card(preset, document_type=document_type)
    status = session.status()
    assert status.document_type is DocumentType(document_type)
    assert status.to_facts_json()["document_type"] == document_type
    confirmed = preset.startswith("idemia") or document_type in ("e_resident", "diplomatic")
    # The 2025 arc beyond .6 (e-resident) comes from TEST-PKI only: it is marked.
    assert confirmed != any("TEST-PKI" in note for note in status.unverified)


def _certificate_reads(card: VirtualCard, chunk: int) -> int:
    credentials = card.credentials  # type: ignore[attr-defined]
    return sum(
        math.ceil(len(der) / chunk)
        for der in (credentials.auth_cert_der, credentials.sign_cert_der)
    )


# The minimum per generation, with the emulator's default certificates
# (docs/card-protocol.md "Status"): IDEMIA 18 fixed + 2 SELECT + 9 READ,
# Thales 14 fixed + 2 SELECT + 8 READ.
@pytest.mark.parametrize(
    ("preset", "chunk", "fixed", "total"),
    [("idemia-ok", 0xC0, 18, 29), ("idemia-cosmox-ok", 0xC0, 18, 29), ("thales-ok", 0xE5, 14, 24)],
)
def test_status_apdu_count(preset: str, chunk: int, fixed: int, total: int) -> None:
    card, _, session = open_card(preset)
    status = session.status()
    sent = len(card.trace)
    assert status.apdu_count == session.apdu_count == sent == total
    assert total == fixed + 2 + _certificate_reads(card, chunk)
    # No read goes past a certificate, so no answer is an error or a warning.
    assert all(response[-2:] == b"\x90\x00" for _, response in card.trace)


@pytest.mark.parametrize(("preset", "total"), [("idemia-ok", 16), ("thales-ok", 11)])
def test_status_facts_only_apdu_count(preset: str, total: int) -> None:
    card, _, session = open_card(preset)
    status = session.status(facts_only=True)
    assert status.apdu_count == len(card.trace) == total
    assert status.sign_certificate is None
    assert status.personal is not None
    assert status.personal.surname is None
    facts = status.to_facts_json()
    assert {"card_generation", "expiry_date", "document_type", "pin1_tries_left"} <= set(facts)


@pytest.mark.parametrize(("preset", "total"), [("idemia-ok", 5), ("thales-ok", 4)])
def test_counters_only(preset: str, total: int) -> None:
    card, _, session = open_card(preset)
    counters = session.counters()
    assert {state.tries_left for state in counters.values()} == {3}
    assert session.apdu_count == len(card.trace) == total


def test_status_exact_sequence_idemia() -> None:
    card, _, session = open_card("idemia-ok")
    session.status()
    sent = [command.hex().upper() for command, _ in card.trace]
    assert sent[:4] == [
        "00A4040C10A000000077010800070000FE00000100",
        "00CB3FFF0A4D087006BF810102A08000",
        "00CB3FFF0A4D087006BF810202A08000",
        "00A4090C043F005000",
    ]
    assert sent[4:6] == ["00A4020C025001", "00B0000000"]
    assert "00A40904063F00ADF1340100" in sent
    assert "00A40904063F00ADF2341F00" in sent
    assert sent[-2:] == [
        "00A4040C1051534344204170706C69636174696F6E",
        "00CB3FFF0A4D087006BF810502A08000",
    ]


def test_status_exact_sequence_thales() -> None:
    card, _, session = open_card("thales-ok")
    session.status()
    sent = [command.hex().upper() for command, _ in card.trace]
    assert sent[:6] == [
        "00A4040C0CA000000063504B43532D3135",
        "00CB00FF05A00383018100",
        "00CB00FF05A00383018300",
        "00CB00FF05A00383018200",
        "00A4080C04DFDD5001",
        "00B0000000",
    ]
    assert "00A4080404ADF1341100" in sent
    assert "00A4080404ADF2342100" in sent


@pytest.mark.parametrize("preset", ["idemia-ok", "thales-new"])
def test_status_on_a_t0_card(preset: str) -> None:
    card = make_card(preset, today=TODAY, t0=True)
    status = CardSession(FakeConnection(card), environ={}).status()
    assert status.pin1 is not None
    assert status.pin1.tries_left == 3
    assert status.document_type is DocumentType.E_RESIDENT
    assert card.internal_errors == []


def test_status_through_virtual_connection() -> None:
    module = pytest.importorskip("advisor.emulator.connection")
    card = make_card("thales-new", today=TODAY)
    connection = module.VirtualConnection(card, reader="Virtual PCD 00 00")
    status = CardSession(connection, environ={}).status()
    assert status.pin2_activated is False
    assert status.apdu_count == 24


# --- identification ----------------------------------------------------------


def test_unknown_atr_is_not_estonian() -> None:
    card = make_card("idemia-ok", today=TODAY)
    card.atr = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")
    with pytest.raises(NotEstonianCard, match="unknown ATR"):
        CardSession(FakeConnection(card))
    assert len(card.trace) == 0


@pytest.mark.parametrize("legacy", LEGACY_CARDS, ids=lambda card: card.description)
def test_legacy_card_reads_nothing(legacy: object) -> None:
    card = make_card("idemia-ok", today=TODAY)
    card.atr = legacy.atr  # type: ignore[attr-defined]
    session = CardSession(FakeConnection(card))
    status = session.status()
    assert status.generation is Generation.LEGACY
    assert status.pin1 is None
    assert status.personal is None
    assert status.auth_certificate is None
    assert status.to_facts_json() == {"card_generation": "legacy"}
    assert status.apdu_count == 0
    assert len(card.trace) == 0
    assert bool(status.unverified) is not legacy.confirmed  # type: ignore[attr-defined]
    with pytest.raises(UnsupportedOperation):
        session.change_code("pin1", PIN1, "2580")
    assert len(card.trace) == 0


def test_estonian_atr_without_the_application() -> None:
    class Mute(VirtualCard):
        atr = IDEMIA_COSMO_8.atr

        def transmit(self, apdu: bytes) -> bytes:
            self.commands[apdu[1]] += 1
            return b"\x6a\x82"

    with pytest.raises(NotEstonianCard, match="main application"):
        CardSession(FakeConnection(Mute())).status()


# --- change ------------------------------------------------------------------


@pytest.mark.parametrize("preset", ["idemia-ok", "idemia-cosmox-ok", "thales-ok"])
@pytest.mark.parametrize(
    ("kind", "old", "new"),
    [
        (CodeKind.PIN1, PIN1, "2580"),
        (CodeKind.PIN2, PIN2, "25801"),
        (CodeKind.PUK, PUK, "14703692"),
    ],
)
def test_change_code(preset: str, kind: CodeKind, old: str, new: str) -> None:
    card, connection, session = open_card(preset)
    if kind is CodeKind.PUK and preset.startswith("thales"):
        pytest.skip("covered by test_thales_puk_change_is_refused_before_any_apdu")

    result = session.change_code(kind, old, new)

    assert result.operation is CodeOperation.CHANGE
    assert result.kind is kind
    state = counter(result, kind)
    assert state is not None
    assert state.tries_left == 3
    assert card.pin(kind.value).value == new
    assert card.commands[0x24] == 1
    assert card.commands[0x20] == 0
    assert connection.transactions == 1
    assert not result.used_pinpad
    assert result.apdu_count == len(card.trace)


def test_change_apdu_counts() -> None:
    # Without a status before: personal code and birth date are read for the policy.
    for preset, kind, old, new, total in [
        ("idemia-ok", "pin1", PIN1, "2580", 11),
        ("idemia-ok", "pin2", PIN2, "25801", 13),
        ("thales-ok", "pin1", PIN1, "2580", 10),
        ("thales-ok", "pin2", PIN2, "25801", 11),
    ]:
        _, _, session = open_card(preset)
        assert session.change_code(kind, old, new).apdu_count == total, (preset, kind)
    # After a status, the personal data is known and only 5005 is still read.
    _card, _, session = open_card("thales-ok")
    session.status()
    assert session.change_code("pin1", PIN1, "2580").apdu_count == 8


def test_thales_puk_change_is_refused_before_any_apdu() -> None:
    card, connection, session = open_card("thales-ok")
    with pytest.raises(UnsupportedOperation, match="PUK of a Thales card cannot be changed"):
        session.change_code(CodeKind.PUK, PUK, "14703692")
    assert len(card.trace) == 0
    assert session.apdu_count == 0
    assert connection.transactions == 0


def test_change_requires_the_codes_without_a_pin_pad() -> None:
    card, _, session = open_card("idemia-ok")
    with pytest.raises(ValueError, match="current PIN1 is required"):
        session.change_code("pin1", None, "2580")
    with pytest.raises(ValueError, match="new PIN1 is required"):
        session.change_code("pin1", PIN1, None)
    assert len(card.trace) == 0


# --- unblock -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "kind", "new"),
    [
        ("idemia-pin1-blocked", CodeKind.PIN1, "2580"),
        ("idemia-pin2-blocked", CodeKind.PIN2, "25801"),
        ("idemia-ok", CodeKind.PIN1, "2580"),
        ("thales-pin1-blocked", CodeKind.PIN1, "2580"),
        ("thales-pin2-blocked", CodeKind.PIN2, "25801"),
        ("thales-ok", CodeKind.PIN2, "25801"),
    ],
)
def test_unblock(preset: str, kind: CodeKind, new: str) -> None:
    card, connection, session = open_card(preset)

    result = session.unblock(kind, PUK, new)

    assert result.operation is CodeOperation.UNBLOCK
    assert {state.kind: state.tries_left for state in result.counters} == {kind: 3, CodeKind.PUK: 3}
    assert card.pin(kind.value).value == new
    assert connection.transactions == 1
    code_bearing = [command for command, _ in card.trace if command[1] in CODE_INS]
    if preset.startswith("idemia"):
        # VERIFY PUK, then RESET RETRY COUNTER P1=02 with the new PIN only (§3.3).
        assert [command[:4].hex().upper() for command in code_bearing] == [
            "00200002",
            "002C02" + ("01" if kind is CodeKind.PIN1 else "85"),
        ]
        assert len(code_bearing[1]) == 5 + 12
        # The final SELECT of the main application logged the PUK out.
        assert not card.pin("puk").verified
    else:
        # One RESET RETRY COUNTER P1=00 with PUK || new PIN (§4.3).
        assert [command[:5].hex().upper() for command in code_bearing] == [
            "002C00" + ("81" if kind is CodeKind.PIN1 else "82") + "18"
        ]


def test_unblock_of_the_puk_is_refused() -> None:
    card, _, session = open_card("idemia-puk-blocked")
    with pytest.raises(UnsupportedOperation):
        session.unblock("puk", PUK, "14703692")
    assert len(card.trace) == 0


@pytest.mark.parametrize("preset", ["idemia-puk-blocked", "thales-puk-blocked"])
def test_unblock_with_a_blocked_puk_sends_no_code(preset: str) -> None:
    card, _, session = open_card(preset)
    with pytest.raises(CodeBlocked) as caught:
        session.unblock("pin1", PUK, "2580")
    assert caught.value.kind is CodeKind.PUK
    assert caught.value.already
    assert isinstance(caught.value, CodeBlocked)
    assert code_commands(card) == {0x20: 0, 0x24: 0, 0x2C: 0}


@pytest.mark.parametrize("preset", ["idemia-pin1-blocked", "thales-pin1-blocked"])
def test_wrong_puk(preset: str) -> None:
    card, _, session = open_card(preset)
    with pytest.raises(WrongCode) as caught:
        session.unblock("pin1", "87654321", "2580")
    error = caught.value
    assert isinstance(error, WrongCode)
    assert error.kind is CodeKind.PUK
    assert error.attempts_left == 2
    assert {state.kind: state.tries_left for state in error.counters} == {
        CodeKind.PIN1: 0,
        CodeKind.PUK: 2,
    }
    assert card.pin("pin1").value == PIN1
    assert not card.pin("puk").verified


# --- wrong codes, last attempt, blocking -------------------------------------


@pytest.mark.parametrize("preset", ["idemia-ok", "thales-ok"])
@pytest.mark.parametrize(("kind", "new"), [(CodeKind.PIN1, "2580"), (CodeKind.PIN2, "25801")])
def test_wrong_code_until_blocked(preset: str, kind: CodeKind, new: str) -> None:
    card, _, session = open_card(preset)
    wrong = "9999" if kind is CodeKind.PIN1 else "99999"

    with pytest.raises(WrongCode) as first:
        session.change_code(kind, wrong, new)
    assert first.value.kind is kind
    assert first.value.attempts_left == 2
    assert first.value.counters[0].tries_left == 2

    with pytest.raises(WrongCode) as second:
        session.change_code(kind, wrong, new)
    assert second.value.attempts_left == 1

    sent = code_commands(card)
    with pytest.raises(LastAttemptNotConfirmed) as last:
        session.change_code(kind, wrong, new)
    assert last.value.kind is kind
    assert code_commands(card) == sent

    with pytest.raises(CodeBlocked) as blocked:
        session.change_code(kind, wrong, new, allow_last_attempt=True)
    assert blocked.value.kind is kind
    assert not blocked.value.already
    assert blocked.value.counters[0].tries_left == 0
    assert card.pin(kind.value).tries_left == 0

    sent = code_commands(card)
    with pytest.raises(CodeBlocked) as again:
        session.change_code(kind, wrong, new, allow_last_attempt=True)
    assert again.value.already
    assert code_commands(card) == sent
    assert session.status().code(kind).tries_left == 0  # type: ignore[union-attr]


def test_last_attempt_needs_confirmation() -> None:
    card, _, session = open_card("idemia-last-attempt")
    with pytest.raises(LastAttemptNotConfirmed):
        session.change_code("pin1", PIN1, "2580")
    assert code_commands(card) == {0x20: 0, 0x24: 0, 0x2C: 0}
    result = session.change_code("pin1", PIN1, "2580", allow_last_attempt=True)
    assert counter(result, CodeKind.PIN1).tries_left == 3  # type: ignore[union-attr]


def test_last_attempt_of_the_puk_needs_confirmation() -> None:
    card, _, session = open_card("thales-pin1-blocked")
    card.pin("puk").tries_left = 1
    with pytest.raises(LastAttemptNotConfirmed) as caught:
        session.unblock("pin1", PUK, "2580")
    assert caught.value.kind is CodeKind.PUK
    assert code_commands(card) == {0x20: 0, 0x24: 0, 0x2C: 0}
    assert session.unblock("pin1", PUK, "2580", allow_last_attempt=True).counters


@pytest.mark.parametrize("preset", ["idemia-pin1-blocked", "thales-pin1-blocked"])
def test_change_of_a_blocked_code_sends_nothing(preset: str) -> None:
    card, _, session = open_card(preset)
    with pytest.raises(CodeBlocked) as caught:
        session.change_code("pin1", PIN1, "2580", allow_last_attempt=True)
    assert caught.value.already
    assert caught.value.kind is CodeKind.PIN1
    assert code_commands(card) == {0x20: 0, 0x24: 0, 0x2C: 0}


# --- policy ------------------------------------------------------------------

# (kind, new code, reason) that need nothing from the card to be refused.
LOCAL_VIOLATIONS = [
    (CodeKind.PIN1, "123", ViolationReason.TOO_SHORT),
    (CodeKind.PIN1, "1234567890123", ViolationReason.TOO_LONG),
    (CodeKind.PIN1, "12a4", ViolationReason.NOT_DIGITS),
    (CodeKind.PIN1, "3456", ViolationReason.ASCENDING_RUN),
    (CodeKind.PIN2, "98765", ViolationReason.DESCENDING_RUN),
    (CodeKind.PIN2, "55555", ViolationReason.REPEATED_DIGIT),
    (CodeKind.PIN1, "0090", ViolationReason.SAME_AS_OLD),
    (CodeKind.PUK, "1234", ViolationReason.TOO_SHORT),
]


@pytest.mark.parametrize("preset", ["idemia-ok", "thales-ok"])
@pytest.mark.parametrize(("kind", "new", "reason"), LOCAL_VIOLATIONS)
def test_policy_violation_sends_nothing(
    preset: str, kind: CodeKind, new: str, reason: ViolationReason
) -> None:
    if kind is CodeKind.PUK and preset.startswith("thales"):
        pytest.skip("the Thales PUK cannot be changed at all")
    card, connection, session = open_card(preset)
    old = {CodeKind.PIN1: PIN1, CodeKind.PIN2: PIN2, CodeKind.PUK: PUK}[kind]
    before = dict(card.commands)
    with pytest.raises(PolicyViolation) as caught:
        session.change_code(kind, old, new)
    assert reason in {violation.reason for violation in caught.value.violations}
    assert not caught.value.current
    assert dict(card.commands) == before
    assert session.apdu_count == 0
    assert connection.transactions == 0


@pytest.mark.parametrize("preset", ["idemia-ok", "thales-ok"])
@pytest.mark.parametrize("document_type", ["e_resident", "id_card"])
@pytest.mark.parametrize(
    ("new", "reasons"),
    [
        ("8001", {ViolationReason.PART_OF_PERSONAL_CODE}),
        ("1980", {ViolationReason.BIRTH_DATE}),
        ("08011980", {ViolationReason.BIRTH_DATE}),
        ("0108", {ViolationReason.PART_OF_PERSONAL_CODE, ViolationReason.BIRTH_DATE}),
    ],
)
def test_policy_uses_the_personal_data_on_the_card(
    preset: str, document_type: str, new: str, reasons: set[ViolationReason]
) -> None:
    # Holder 38001085718, born 08.01.1980; EF 5005 is empty on an e-resident card.
    card, _, session = open_card(preset, document_type=document_type)
    with pytest.raises(PolicyViolation) as caught:
        session.unblock("pin1", PUK, new)
    assert {violation.reason for violation in caught.value.violations} == reasons
    assert code_commands(card) == {0x20: 0, 0x24: 0, 0x2C: 0}


def test_policy_with_known_personal_data_sends_nothing_at_all() -> None:
    card, _, session = open_card("thales-ok")
    session.status()
    before = dict(card.commands)
    with pytest.raises(PolicyViolation):
        session.change_code("pin1", PIN1, "8001")
    assert dict(card.commands) == before


@pytest.mark.parametrize("preset", ["idemia-ok", "thales-ok"])
@pytest.mark.parametrize(
    ("operation", "bad"),
    [("change", "12"), ("change", "0o90"), ("unblock", "1725840"), ("unblock", "17258403x")],
)
def test_malformed_current_code_is_never_sent(preset: str, operation: str, bad: str) -> None:
    card, _, session = open_card(preset)
    call = session.change_code if operation == "change" else session.unblock
    with pytest.raises(PolicyViolation) as caught:
        call("pin1", bad, "2580")
    assert caught.value.current
    assert caught.value.kind is (CodeKind.PIN1 if operation == "change" else CodeKind.PUK)
    assert len(card.trace) == 0


# --- PIN2 activation (Thales) --------------------------------------------------


def test_activate_pin2_with_the_current_pin2() -> None:
    card, connection, session = open_card("thales-new")
    result = session.activate_pin2(PIN2, new_pin2="25801")
    assert result.operation is CodeOperation.ACTIVATE_PIN2
    pin2 = counter(result, CodeKind.PIN2)
    assert pin2 is not None
    assert pin2.changed is True
    assert pin2.tries_left == 3
    assert card.pin("pin2").value == "25801"
    assert session.status().pin2_activated is True
    assert connection.transactions == 2
    assert [c[:4].hex().upper() for c, _ in card.trace if c[1] in CODE_INS] == ["00240082"]


def test_activate_pin2_with_the_puk_when_pin2_is_blocked() -> None:
    card, _, session = open_card("thales-new-pin2-blocked")
    with pytest.raises(CodeBlocked) as caught:
        session.activate_pin2(PIN2, new_pin2="25801")
    assert caught.value.kind is CodeKind.PIN2
    assert caught.value.already
    assert code_commands(card) == {0x20: 0, 0x24: 0, 0x2C: 0}

    result = session.activate_pin2(puk=PUK, new_pin2="25801")
    pin2 = counter(result, CodeKind.PIN2)
    assert pin2 is not None
    assert pin2.changed is True
    assert pin2.tries_left == 3
    assert [c[:5].hex().upper() for c, _ in card.trace if c[1] in CODE_INS] == ["002C008218"]


def test_activate_pin2_with_the_same_code_is_never_sent() -> None:
    card, _, session = open_card("thales-new")
    with pytest.raises(PolicyViolation) as caught:
        session.activate_pin2(PIN2, new_pin2=PIN2)
    assert ViolationReason.SAME_AS_OLD in {v.reason for v in caught.value.violations}
    assert len(card.trace) == 0


def test_activate_pin2_when_already_active() -> None:
    card, _, session = open_card("thales-ok")
    with pytest.raises(AlreadyActivated):
        session.activate_pin2(PIN2, new_pin2="25801")
    assert code_commands(card) == {0x20: 0, 0x24: 0, 0x2C: 0}


def test_activate_pin2_on_idemia_is_unsupported() -> None:
    card, _, session = open_card("idemia-ok")
    with pytest.raises(UnsupportedOperation, match="no PIN2 activation"):
        session.activate_pin2(PIN2, new_pin2="25801")
    assert len(card.trace) == 0


@pytest.mark.parametrize(("current", "puk"), [(None, None), (PIN2, PUK)])
def test_activate_pin2_needs_exactly_one_code(current: str | None, puk: str | None) -> None:
    card, _, session = open_card("thales-new")
    with pytest.raises(ValueError, match="either the current PIN2 or the PUK"):
        session.activate_pin2(current, puk, new_pin2="25801")
    assert len(card.trace) == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.activate_pin2(PIN2, new_pin2="25801"),
        lambda s: s.change_code("pin1", PIN1, "2580"),
        lambda s: s.unblock("pin2", PUK, "25801"),
    ],
)
def test_courier_card_refuses_every_operation(call: object) -> None:
    card, _, session = open_card("thales-courier")
    with pytest.raises(CardNotActivated):
        call(session)  # type: ignore[operator]
    assert code_commands(card) == {0x20: 0, 0x24: 0, 0x2C: 0}


# --- failures after a code was sent --------------------------------------------


def test_card_refusal_is_raised_after_the_counters_are_read() -> None:
    card, _, session = open_card("idemia-ok")
    # The card refuses the new code (6A80) without spending a try; the policy
    # agrees with the card here, so force the refusal by a code it dislikes.
    card.pin("pin1").min_len = 6
    with pytest.raises(CodeRejected):
        session.change_code("pin1", PIN1, "2580")
    # Logged out and re-read after the failure: the last two APDUs.
    sent = [command[:4].hex().upper() for command, _ in card.trace]
    assert sent[-2:] == ["00A4040C", "00CB3FFF"]
    assert card.pin("pin1").tries_left == 3


def test_select_failure_between_code_steps_still_logs_out() -> None:
    card, _, session = open_card("idemia-pin2-blocked")
    # Hide the QSCD application: the SELECT after VERIFY PUK fails.
    original = card.transmit

    def transmit(apdu: bytes) -> bytes:
        if apdu.startswith(bytes.fromhex("00A4040C10") + b"QSCD") and card.pin("puk").verified:
            card.commands[apdu[1]] += 1
            return b"\x6a\x82"
        return original(apdu)

    card.transmit = transmit  # type: ignore[method-assign]
    with pytest.raises(StatusError):
        session.unblock("pin2", PUK, "25801")
    assert not card.pin("puk").verified


# --- the card pulled mid-operation -----------------------------------------------


def test_card_removed_before_the_change_reaches_it() -> None:
    module = pytest.importorskip("advisor.emulator.connection")
    from advisor.transport import CardRemoved

    card = make_card("idemia-ok", today=TODAY)
    # 9th APDU of a change of PIN1 on a fresh session is CHANGE REFERENCE DATA.
    connection = module.VirtualConnection(card, remove_at=9)
    session = CardSession(connection, environ={})
    with pytest.raises(CardRemoved):
        session.change_code("pin1", PIN1, "2580")
    assert card.commands[0x24] == 0
    assert card.pin("pin1").value == PIN1


# --- policy OID -> document type (docs/card-protocol.md §6.2) ---------------------------


@pytest.mark.parametrize(
    ("oid", "expected", "unverified"),
    [
        ("1.3.6.1.4.1.51361.1.1.1", DocumentType.ID_CARD, False),
        ("1.3.6.1.4.1.51361.1.1.2", DocumentType.ID_CARD, False),
        ("1.3.6.1.4.1.51361.1.1.3", DocumentType.DIGI_ID, False),
        ("1.3.6.1.4.1.51361.1.2.3", DocumentType.DIGI_ID, False),
        ("1.3.6.1.4.1.51361.1.1.4", DocumentType.E_RESIDENT, False),
        ("1.3.6.1.4.1.51361.1.2.4", DocumentType.E_RESIDENT, False),
        ("1.3.6.1.4.1.51361.1.1.6", DocumentType.RESIDENCE_PERMIT, False),
        ("1.3.6.1.4.1.51361.2.1.6", DocumentType.E_RESIDENT, False),
        ("1.3.6.1.4.1.51455.1.1.1", DocumentType.DIPLOMATIC, False),
        ("1.3.6.1.4.1.51455.2.1", DocumentType.DIPLOMATIC, False),
        ("2.999.1.3.6.1.4.1.51361.1.2.1", DocumentType.ID_CARD, True),  # the test card
        ("1.3.6.1.4.1.51361.2.1.1", DocumentType.ID_CARD, True),
        ("1.3.6.1.4.1.51361.2.1.3", DocumentType.RESIDENCE_PERMIT, True),
        ("1.3.6.1.4.1.51361.1.1.9", None, False),
        ("1.3.6.1.4.1.51361.1.1", None, False),
        ("1.3.6.1.4.1.514550.1.1", None, False),
        ("0.4.0.2042.1.2", None, False),
    ],
)
def test_document_type_for_policy(
    oid: str, expected: DocumentType | None, unverified: bool
) -> None:
    from advisor.card.certificates import document_type_for_policy

    found, note = document_type_for_policy(oid)
    assert found is expected
    assert (note is not None) is unverified
