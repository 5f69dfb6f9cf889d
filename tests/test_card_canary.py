"""Secrets stay secret: no invalid code reaches the card, no code leaks into results or logs.

1. A hypothesis property: whatever codes a caller passes to any operation, every
   VERIFY / CHANGE REFERENCE DATA / RESET RETRY COUNTER the virtual card
   receives carries well-formed codes and a new code that passes
   ``advisor.card.policy`` with the holder's personal code and birth date.
2. Canary codes: cards whose codes are unusual digit strings go through every
   operation and failure; the canaries must never appear in ``repr``/``str``
   of a result or an exception (nor its chain), in the session's state, or in
   anything logged at DEBUG -- in digits or in hex.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.card.errors import CardError
from advisor.card.policy import ViolationReason, check_new_code
from advisor.card.session import CardSession
from advisor.emulator import IdemiaCard, ThalesCard, VirtualCard, make_card
from advisor.emulator.identity import Codes, Document, Holder
from advisor.model import CodeKind
from tests.fakes import PIN1, PIN2, PUK, TODAY, FakeConnection

# Code references per chip (docs/card-protocol.md §3.2, §4.2) and pad bytes (§2).
REFERENCES = {
    "idemia": {0x01: CodeKind.PIN1, 0x85: CodeKind.PIN2, 0x02: CodeKind.PUK},
    "thales": {0x81: CodeKind.PIN1, 0x82: CodeKind.PIN2, 0x83: CodeKind.PUK},
}
PAD = {"idemia": 0xFF, "thales": 0x00}
FORMAT = {ViolationReason.TOO_SHORT, ViolationReason.TOO_LONG, ViolationReason.NOT_DIGITS}
HOLDER = Holder()


def _decode(block: bytes, pad: int) -> str:
    digits = block.rstrip(bytes((pad,)))
    assert all(0x30 <= byte <= 0x39 for byte in digits), "a non-digit reached the card"
    return digits.decode("ascii")


def _well_formed(kind: CodeKind, code: str) -> bool:
    return not [v for v in check_new_code(kind, code) if v.reason in FORMAT]


def assert_only_valid_codes_reached(card: VirtualCard) -> None:
    """Decode every code-bearing APDU the card received and check its codes."""
    refs, pad = REFERENCES[card.profile], PAD[card.profile]
    for command, _ in card.trace:
        ins, p1, p2, data = command[1], command[2], command[3], command[5:]
        if ins not in (0x20, 0x24, 0x2C):
            continue
        kind = refs[p2]
        blocks = [data[i : i + 12] for i in range(0, len(data), 12)]
        if ins == 0x20:
            current, new, old = blocks[0], None, None
            assert _well_formed(kind, _decode(current, pad))
            continue
        if ins == 0x24:
            old = _decode(blocks[0], pad)
            assert _well_formed(kind, old)
            new = _decode(blocks[1], pad)
        elif p1 == 0x00:  # Thales RRC: PUK || new
            assert _well_formed(CodeKind.PUK, _decode(blocks[0], pad))
            old, new = None, _decode(blocks[1], pad)
        else:  # IDEMIA RRC P1=02: new only
            old, new = None, _decode(blocks[0], pad)
        assert check_new_code(kind, new, personal_code=HOLDER.personal_code, old_code=old) == [], (
            f"new {kind.name} that breaks the policy reached the card"
        )


CODE_INS = (0x20, 0x24, 0x2C)

codes = st.one_of(
    st.text(alphabet="0123456789", max_size=14),
    st.text(max_size=14),
    st.sampled_from(
        [
            PIN1,
            PIN2,
            PUK,
            "1234",
            "98765",
            "00000",
            "8001",
            "1980",
            "0108",
            "19800108",
            "2580",
            "25801",
            "14703692",
            "٠١٢٣٤",
            "１２３４５",
            "",
        ]
    ),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    preset=st.sampled_from(
        [
            "idemia-ok",
            "idemia-last-attempt",
            "idemia-pin1-blocked",
            "thales-ok",
            "thales-new",
            "thales-new-pin2-blocked",
            "thales-pin2-blocked",
        ]
    ),
    document_type=st.sampled_from(["e_resident", "id_card"]),
    operation=st.sampled_from(["change", "unblock", "activate_current", "activate_puk"]),
    kind=st.sampled_from(list(CodeKind)),
    first=codes,
    second=codes,
    allow_last_attempt=st.booleans(),
)
def test_no_invalid_code_ever_reaches_the_card(
    preset: str,
    document_type: str,
    operation: str,
    kind: CodeKind,
    first: str,
    second: str,
    allow_last_attempt: bool,
) -> None:
    card = make_card(preset, today=TODAY, document_type=document_type)
    session = CardSession(FakeConnection(card), environ={})
    try:
        if operation == "change":
            session.change_code(kind, first, second, allow_last_attempt=allow_last_attempt)
        elif operation == "unblock":
            session.unblock(kind, first, second, allow_last_attempt=allow_last_attempt)
        elif operation == "activate_current":
            session.activate_pin2(first, new_pin2=second, allow_last_attempt=allow_last_attempt)
        else:
            session.activate_pin2(puk=first, new_pin2=second, allow_last_attempt=allow_last_attempt)
    except (CardError, ValueError, TypeError):
        pass
    assert_only_valid_codes_reached(card)
    # The new code's own rules never need the card: such a code sends nothing at all.
    new_kind = CodeKind.PIN2 if operation.startswith("activate") else kind
    if [v for v in check_new_code(new_kind, second) if v.reason is not ViolationReason.SAME_AS_OLD]:
        assert all(card.commands[ins] == 0 for ins in CODE_INS)
    assert card.internal_errors == []


# --- canaries ------------------------------------------------------------------

CANARY_PIN1, CANARY_PIN2, CANARY_PUK = "951753", "9517538", "95175382"
NEW_PIN1, NEW_PIN2, NEW_PUK = "846264", "8462643", "84626433"
CANARIES = (CANARY_PIN1, CANARY_PIN2, CANARY_PUK, NEW_PIN1, NEW_PIN2, NEW_PUK)


def _forms(secret: str) -> list[str]:
    raw = secret.encode("ascii")
    return [secret, raw.hex(), raw.hex().upper(), raw.hex(" "), raw.hex(" ").upper()]


def _leaks(text: str) -> list[str]:
    return [form for secret in CANARIES for form in _forms(secret) if form in text]


def _texts(thing: object) -> list[str]:
    texts = [repr(thing), str(thing)]
    if isinstance(thing, BaseException):
        texts += [repr(arg) for arg in thing.args]
        texts += [repr(value) for value in vars(thing).values()]
        for linked in (thing.__cause__, thing.__context__):
            if linked is not None:
                texts += _texts(linked)
    return texts


def _document(generation: str) -> Document:
    issue = TODAY - timedelta(days=365 if generation == "idemia" else 30)
    number = "NE0012345" if generation == "idemia" else "NF0054321"
    return Document("e_resident", number, issue, issue.replace(year=issue.year + 5))


def _canary_card(generation: str, **options: object) -> VirtualCard:
    codes = Codes(pin1=CANARY_PIN1, pin2=CANARY_PIN2, puk=CANARY_PUK)
    if generation == "idemia":
        return IdemiaCard(document=_document(generation), codes=codes, **options)  # type: ignore[arg-type]
    return ThalesCard(document=_document(generation), codes=codes, **options)  # type: ignore[arg-type]


def _connections() -> list[Callable[[VirtualCard], object]]:
    makers: list[Callable[[VirtualCard], object]] = [lambda card: FakeConnection(card)]
    try:
        from advisor.emulator.connection import VirtualConnection
    except ImportError:
        return makers
    makers.append(lambda card: VirtualConnection(card))
    return makers


def _run(call: Callable[[], object]) -> object:
    try:
        return call()
    except (CardError, ValueError, TypeError) as error:
        return error


def _idemia_outcomes(session: CardSession) -> list[object]:
    return [
        _run(session.status),
        _run(lambda: session.change_code("pin1", CANARY_PIN1, NEW_PIN1)),
        _run(lambda: session.change_code("pin1", CANARY_PIN1, "2580")),  # wrong old now
        _run(lambda: session.change_code("pin1", NEW_PIN1, NEW_PIN1)),  # same as old
        _run(lambda: session.change_code("pin2", CANARY_PIN2 + "x", NEW_PIN2)),  # malformed
        _run(lambda: session.change_code("pin2", CANARY_PIN2, NEW_PIN2)),
        _run(lambda: session.change_code("puk", CANARY_PUK, NEW_PUK)),
        _run(lambda: session.unblock("pin2", CANARY_PUK, "25801")),  # wrong PUK now
        _run(lambda: session.unblock("pin2", NEW_PUK, CANARY_PIN2)),
        _run(lambda: session.unblock("pin1", NEW_PUK, "1234")),  # policy
        _run(lambda: session.activate_pin2(CANARY_PIN2, new_pin2=NEW_PIN2)),  # unsupported
        _run(lambda: session.change_code("pin1", "0000", NEW_PIN1)),  # wrong: 1 left
        _run(lambda: session.change_code("pin1", "0000", CANARY_PIN1)),  # last attempt
        _run(lambda: session.change_code("pin1", "0000", CANARY_PIN1, allow_last_attempt=True)),
        _run(lambda: session.change_code("pin1", NEW_PIN1, CANARY_PIN1)),  # blocked
        _run(lambda: session.unblock("pin1", NEW_PUK, CANARY_PIN1)),
        _run(session.counters),
    ]


def _thales_outcomes(session: CardSession) -> list[object]:
    return [
        _run(session.status),
        _run(lambda: session.change_code("puk", CANARY_PUK, NEW_PUK)),  # unsupported
        _run(lambda: session.activate_pin2(CANARY_PIN2, CANARY_PUK, new_pin2=NEW_PIN2)),
        _run(lambda: session.activate_pin2(CANARY_PIN2, new_pin2=CANARY_PIN2)),  # same
        _run(lambda: session.activate_pin2("9999999", new_pin2=NEW_PIN2)),  # wrong PIN2
        _run(lambda: session.activate_pin2(CANARY_PIN2, new_pin2=NEW_PIN2)),
        _run(lambda: session.activate_pin2(NEW_PIN2, new_pin2=CANARY_PIN2)),  # already
        _run(lambda: session.change_code("pin1", CANARY_PIN1, NEW_PIN1)),
        _run(lambda: session.unblock("pin1", "12345678", CANARY_PIN1)),  # wrong PUK
        _run(lambda: session.unblock("pin1", CANARY_PUK, CANARY_PIN1)),
        _run(lambda: session.unblock("puk", CANARY_PUK, NEW_PUK)),  # unsupported
        _run(session.counters),
    ]


@pytest.mark.parametrize("connect", _connections(), ids=["fake", "virtual"][: len(_connections())])
@pytest.mark.parametrize("generation", ["idemia", "thales"])
def test_canaries_never_leak(
    generation: str,
    connect: Callable[[VirtualCard], object],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    options = {"pin2_changed": False} if generation == "thales" else {}
    card = _canary_card(generation, **options)
    session = CardSession(connect(card), environ={})  # type: ignore[arg-type]
    outcomes = (_idemia_outcomes if generation == "idemia" else _thales_outcomes)(session)

    kinds = {type(outcome).__name__ for outcome in outcomes}
    # The scenario really went through successes and every kind of refusal.
    expected = {
        "CardStatus",
        "OperationResult",
        "WrongCode",
        "PolicyViolation",
        "UnsupportedOperation",
        "dict",
    }
    expected |= (
        {"LastAttemptNotConfirmed", "CodeBlocked"}
        if generation == "idemia"
        else {"AlreadyActivated", "ValueError"}
    )
    assert expected <= kinds, kinds
    for outcome in outcomes:
        for text in _texts(outcome):
            assert _leaks(text) == [], (type(outcome).__name__, text)
    assert _leaks(repr(vars(session))) == []
    assert caplog.records, "the session logs its APDUs at DEBUG"
    assert _leaks(caplog.text) == []
    for record in caplog.records:
        assert _leaks(record.getMessage()) == []
        assert _leaks(repr(record.args)) == []
    assert card.internal_errors == []


def test_canary_card_codes_are_what_the_scenario_assumes() -> None:
    card = _canary_card("idemia")
    assert card.pin("pin1").value == CANARY_PIN1
    assert card.document.issue_date < TODAY < card.document.expiry_date  # type: ignore[attr-defined]
    assert isinstance(TODAY, date)
