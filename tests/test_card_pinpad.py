"""PC/SC part 10 pin-pad support, with a fake pin-pad reader in front of the virtual cards.

``PinPadReader`` records every ``control()`` call, checks the structure the
way a CCID reader would, "types" the codes queued on its keypad into the
template and sends the APDU to the virtual card. The exact structure bytes
are asserted against hand-written hex (PC/SC part 10 v2.02.09 layouts).
"""

from __future__ import annotations

import pytest

from advisor.card.errors import (
    CodeBlocked,
    LastAttemptNotConfirmed,
    PinPadError,
    UnsupportedOperation,
    WrongCode,
)
from advisor.card.pinpad import (
    FEATURE_IFD_PIN_PROPERTIES,
    FEATURE_MODIFY_PIN_DIRECT,
    FEATURE_VERIFY_PIN_DIRECT,
    NO_PINPAD_ENV,
    PinPad,
    change_plan,
    detect,
    is_false_pinpad,
    unblock_plan,
)
from advisor.card.profiles import IDEMIA_COSMO_8, THALES, Step
from advisor.card.session import CardSession
from advisor.emulator import VirtualCard, make_card
from advisor.model import CodeKind
from advisor.transport import TransportError
from tests.fakes import PIN1, PIN2, PUK, TODAY, FakeConnection, counter

VERIFY_IOCTL = 0x42330006
MODIFY_IOCTL = 0x42330007
PROPERTIES_IOCTL = 0x4233000A
BOTH = {FEATURE_VERIFY_PIN_DIRECT: VERIFY_IOCTL, FEATURE_MODIFY_PIN_DIRECT: MODIFY_IOCTL}

CANCEL = "<cancel>"
TIMEOUT = "<timeout>"


class PinPadReader(FakeConnection):
    """A CCID pin-pad reader: parses the structure, types the keypad entries, sends the APDU."""

    def __init__(
        self,
        card: VirtualCard,
        keypad: list[str] | None = None,
        *,
        features: dict[int, int] | None = None,
        lcd_layout: int = 0,
        reader: str = "Fake PinPad Reader 00 00",
    ) -> None:
        super().__init__(card, reader, BOTH if features is None else features)
        self.keypad = list(keypad or [])
        self.lcd_layout = lcd_layout

    def control(self, code: int, data: bytes) -> bytes:
        self.control_calls.append((code, data))
        if code == PROPERTIES_IOCTL:
            # PIN_PROPERTIES_STRUCTURE: wLcdLayout, bEntryValidationCondition, bTimeOut2.
            return self.lcd_layout.to_bytes(2, "little") + b"\x02\x1e"
        assert self.in_transaction, "pin-pad entry outside a transaction"
        if code == VERIFY_IOCTL:
            header, length_at, limits_at = 19, 15, 5
            old_at, new_at, confirm = None, 0, 0
        elif code == MODIFY_IOCTL:
            header, length_at, limits_at = 24, 20, 7
            old_at, new_at, confirm = data[5], data[6], data[9]
        else:
            raise TransportError(f"unknown control code {code:#x}")
        apdu = bytearray(data[header:])
        assert int.from_bytes(data[length_at : length_at + 4], "little") == len(apdu)
        assert data[2] == 0x02, "ASCII, left-justified"
        maximum, minimum = data[limits_at], data[limits_at + 1]

        def typed() -> str | bytes:
            entry = self.keypad.pop(0)
            if entry == CANCEL:
                return b"\x64\x01"
            if entry == TIMEOUT:
                return b"\x64\x00"
            if not minimum <= len(entry) <= maximum:
                return b"\x64\x03"
            return entry

        if code == VERIFY_IOCTL or confirm & 0x02:
            current = typed()
            if isinstance(current, bytes):
                return current
            at = 5 + (new_at if old_at is None else old_at)
            apdu[at : at + len(current)] = current.encode("ascii")
        if code == MODIFY_IOCTL:
            new = typed()
            if isinstance(new, bytes):
                return new
            if confirm & 0x01:
                again = typed()
                if isinstance(again, bytes):
                    return again
                if again != new:
                    return b"\x64\x02"
            apdu[5 + new_at : 5 + new_at + len(new)] = new.encode("ascii")
        return self.card.transmit(bytes(apdu))


def pinpad_session(
    preset: str, keypad: list[str] | None = None, **options: object
) -> tuple[VirtualCard, PinPadReader, CardSession]:
    card = make_card(preset, today=TODAY)
    reader = PinPadReader(card, keypad, **options)  # type: ignore[arg-type]
    return card, reader, CardSession(reader, environ={})


def structures(reader: PinPadReader) -> list[str]:
    return [data.hex().upper() for code, data in reader.control_calls if code != PROPERTIES_IOCTL]


# --- detection ---------------------------------------------------------------


def test_detect_both_features() -> None:
    reader = PinPadReader(make_card("idemia-ok", today=TODAY))
    assert detect(reader, {}) == PinPad(VERIFY_IOCTL, MODIFY_IOCTL, display=False)


def test_detect_display_from_pin_properties() -> None:
    features = {**BOTH, FEATURE_IFD_PIN_PROPERTIES: PROPERTIES_IOCTL}
    card = make_card("idemia-ok", today=TODAY)
    assert detect(PinPadReader(card, features=features, lcd_layout=0x0210), {}) == PinPad(
        VERIFY_IOCTL, MODIFY_IOCTL, display=True
    )
    assert detect(PinPadReader(card, features=features), {}) == PinPad(
        VERIFY_IOCTL, MODIFY_IOCTL, display=False
    )


def test_detect_display_when_properties_fail() -> None:
    class Failing(PinPadReader):
        def control(self, code: int, data: bytes) -> bytes:
            raise TransportError("feature not supported")

    features = {**BOTH, FEATURE_IFD_PIN_PROPERTIES: PROPERTIES_IOCTL}
    reader = Failing(make_card("idemia-ok", today=TODAY), features=features)
    assert detect(reader, {}) == PinPad(VERIFY_IOCTL, MODIFY_IOCTL, display=False)


def test_no_features_no_pinpad() -> None:
    assert detect(PinPadReader(make_card("idemia-ok", today=TODAY), features={}), {}) is None


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("yes", True), ("0", False), ("", False), (None, False)]
)
def test_opt_out_environment_variable(value: str | None, expected: bool) -> None:
    environ = {} if value is None else {NO_PINPAD_ENV: value}
    reader = PinPadReader(make_card("idemia-ok", today=TODAY))
    assert (detect(reader, environ) is None) is expected


@pytest.mark.parametrize(
    "name",
    [
        "HID Global OMNIKEY 3x21 Smart Card Reader [OMNIKEY 3x21 Smart Card Reader] 00 00",
        "HID Global OMNIKEY 6121 Smart Card Reader 01 00",
    ],
)
def test_false_pinpad_readers_are_ignored(name: str) -> None:
    assert is_false_pinpad(name)
    reader = PinPadReader(make_card("idemia-ok", today=TODAY), reader=name)
    assert detect(reader, {}) is None
    assert not CardSession(reader, environ={}).uses_pinpad


def test_real_pinpad_names_are_not_false() -> None:
    assert not is_false_pinpad("REINER SCT cyberJack RFID standard (1234567) 00 00")
    assert not is_false_pinpad("HID Global OMNIKEY 3121 Smart Card Reader 00 00")


# --- exact structures ----------------------------------------------------------

FF12, FF24 = "FF" * 12, "FF" * 24
Z12, Z24 = "00" * 12, "00" * 24


def _structure(steps: tuple[object, ...], index: int) -> str:
    step = steps[index]
    return step.structure.hex().upper()  # type: ignore[attr-defined]


def test_idemia_change_pin1_structure() -> None:
    steps = change_plan(IDEMIA_COSMO_8, CodeKind.PIN1, PinPad(VERIFY_IOCTL, MODIFY_IOCTL))
    assert isinstance(steps[0], Step)
    assert steps[0].command.to_bytes().hex().upper() == "00A4040C10A000000077010800070000FE00000100"
    assert _structure(steps, 1) == (
        "1E1E020000"  # timeouts 30 s, ASCII left, no length field, auto block
        "000C"  # old PIN at data offset 0, new at 12
        "0C04"  # wPINMaxExtraDigit: max 12, min 4 (little-endian)
        "030200"  # confirm new + ask current, OK key, no messages (no display)
        "0904"  # wLangId 0x0409 (en)
        "000102"  # message indexes: current, new, repeat
        "000000"  # bTeoPrologue
        "1D000000"  # ulDataLength 29
        "0024000118" + FF24
    )


def test_thales_change_pin2_structure() -> None:
    steps = change_plan(THALES, CodeKind.PIN2, PinPad(VERIFY_IOCTL, MODIFY_IOCTL))
    assert _structure(steps, 1) == (
        "1E1E020000000C0C0503020009040001020000001D0000000024008218" + Z24
    )


def test_idemia_change_puk_structure() -> None:
    steps = change_plan(IDEMIA_COSMO_8, CodeKind.PUK, PinPad(VERIFY_IOCTL, MODIFY_IOCTL))
    assert _structure(steps, 1) == (
        "1E1E020000000C0C0803020009040001020000001D0000000024000218" + FF24
    )


def test_idemia_unblock_pin2_structures() -> None:
    steps = unblock_plan(IDEMIA_COSMO_8, CodeKind.PIN2, PinPad(VERIFY_IOCTL, MODIFY_IOCTL))
    kinds = [type(step).__name__ for step in steps]
    assert kinds == ["Step", "PinPadStep", "Step", "PinPadStep"]
    # VERIFY PUK: min 8 digits.
    assert _structure(steps, 1) == ("1E1E0200000C08020009040000000011000000002000020C" + FF12)
    # RESET RETRY COUNTER with only the new PIN2: no current code, offset 0, min 5.
    assert _structure(steps, 3) == (
        "1E1E02000000000C05010200090401020300000011000000002C02850C" + FF12
    )


def test_thales_unblock_pin1_structure() -> None:
    steps = unblock_plan(THALES, CodeKind.PIN1, PinPad(VERIFY_IOCTL, MODIFY_IOCTL))
    assert len(steps) == 2
    # PUK at 0, new PIN1 at 12; one minimum for both entries (the PIN's).
    assert _structure(steps, 1) == (
        "1E1E020000000C0C0403020009040001020000001D000000002C008118" + Z24
    )


def test_display_and_language() -> None:
    pad = PinPad(VERIFY_IOCTL, MODIFY_IOCTL, display=True)
    verify = unblock_plan(IDEMIA_COSMO_8, CodeKind.PIN1, pad, language="et")[1]
    assert verify.structure[8] == 0xFF  # type: ignore[union-attr]
    assert verify.structure[9:11] == bytes.fromhex("2504")  # type: ignore[union-attr]
    modify = change_plan(THALES, CodeKind.PIN1, pad, language="ru")[1]
    assert modify.structure[11] == 0x03  # type: ignore[union-attr]
    assert modify.structure[12:14] == bytes.fromhex("1904")  # type: ignore[union-attr]
    unknown = change_plan(THALES, CodeKind.PIN1, pad, language="fi")[1]
    assert unknown.structure[12:14] == b"\x00\x00"  # type: ignore[union-attr]


def test_pinpad_steps_hold_no_code() -> None:
    for step in unblock_plan(THALES, CodeKind.PIN1, PinPad(VERIFY_IOCTL, MODIFY_IOCTL)):
        assert "redacted" in repr(step) or isinstance(step, Step)


# --- the session on a pin-pad reader ---------------------------------------------


def test_change_pin1_on_the_pinpad() -> None:
    card, reader, session = pinpad_session("idemia-ok", [PIN1, "2580", "2580"])
    assert session.uses_pinpad

    result = session.change_code("pin1")

    assert result.used_pinpad
    assert card.pin("pin1").value == "2580"
    assert structures(reader) == [
        "1E1E020000000C0C0403020009040001020000001D0000000024000118" + FF24
    ]
    assert reader.transactions == 1
    assert reader.keypad == []
    state = counter(result, CodeKind.PIN1)
    assert state is not None
    assert state.tries_left == 3


def test_codes_in_software_are_refused_with_a_pinpad() -> None:
    card, reader, session = pinpad_session("idemia-ok")
    with pytest.raises(ValueError, match="typed on the reader"):
        session.change_code("pin1", PIN1, "2580")
    with pytest.raises(ValueError, match="typed on the reader"):
        session.unblock("pin1", PUK, None)
    assert len(card.trace) == 0
    assert reader.control_calls == []


def test_opt_out_uses_software_entry() -> None:
    card = make_card("idemia-ok", today=TODAY)
    reader = PinPadReader(card)
    session = CardSession(reader, environ={NO_PINPAD_ENV: "1"})
    assert not session.uses_pinpad
    session.change_code("pin1", PIN1, "2580")
    assert reader.control_calls == []
    assert card.pin("pin1").value == "2580"


def test_idemia_unblock_pin2_on_the_pinpad() -> None:
    card, reader, session = pinpad_session("idemia-pin2-blocked", [PUK, "25801", "25801"])
    result = session.unblock("pin2")
    assert card.pin("pin2").value == "25801"
    assert [state.tries_left for state in result.counters] == [3, 3]
    calls = structures(reader)
    assert calls[0].endswith("002000020C" + FF12)
    assert calls[1].endswith("002C02850C" + FF12)
    assert not card.pin("puk").verified


def test_thales_unblock_pin1_on_the_pinpad() -> None:
    card, reader, session = pinpad_session("thales-pin1-blocked", [PUK, "2580", "2580"])
    session.unblock("pin1")
    assert card.pin("pin1").value == "2580"
    assert structures(reader) == [
        "1E1E020000000C0C0403020009040001020000001D000000002C008118" + Z24
    ]


@pytest.mark.parametrize(
    ("preset", "use_puk", "keypad", "apdu"),
    [
        ("thales-new", None, [PIN2, "25801", "25801"], "0024008218"),
        ("thales-new", True, [PUK, "25801", "25801"], "002C008218"),
        ("thales-new-pin2-blocked", None, [PUK, "25801", "25801"], "002C008218"),
    ],
)
def test_activate_pin2_on_the_pinpad(
    preset: str, use_puk: bool | None, keypad: list[str], apdu: str
) -> None:
    card, reader, session = pinpad_session(preset, keypad)
    result = session.activate_pin2(use_puk=use_puk)
    pin2 = counter(result, CodeKind.PIN2)
    assert pin2 is not None
    assert pin2.changed is True
    assert card.pin("pin2").value == "25801"
    assert structures(reader)[0].endswith(apdu + Z24)


def test_wrong_code_typed_on_the_pinpad() -> None:
    card, _, session = pinpad_session("thales-ok", ["9999", "2580", "2580"])
    with pytest.raises(WrongCode) as caught:
        session.change_code("pin1")
    assert caught.value.kind is CodeKind.PIN1
    assert caught.value.attempts_left == 2
    assert card.pin("pin1").value == PIN1


@pytest.mark.parametrize(
    ("keypad", "sw"),
    [
        ([CANCEL], PinPadError.CANCELLED),
        ([TIMEOUT], PinPadError.TIMEOUT),
        ([PIN1, "2580", "2581"], PinPadError.MISMATCH),
        ([PIN1, "25", "25"], PinPadError.BAD_LENGTH),
    ],
)
def test_pinpad_errors(keypad: list[str], sw: int) -> None:
    card, _, session = pinpad_session("idemia-ok", keypad)
    with pytest.raises(PinPadError) as caught:
        session.change_code("pin1")
    assert caught.value.sw == sw
    assert card.pin("pin1").value == PIN1
    assert card.pin("pin1").tries_left == 3
    # The counters were read again after the failure.
    assert [command[:4].hex().upper() for command, _ in card.trace][-1] == "00CB3FFF"


def test_reader_without_modify_cannot_change() -> None:
    features = {FEATURE_VERIFY_PIN_DIRECT: VERIFY_IOCTL}
    card, reader, session = pinpad_session("idemia-ok", features=features)
    with pytest.raises(UnsupportedOperation, match="FEATURE_MODIFY_PIN_DIRECT"):
        session.change_code("pin1")
    assert len(card.trace) == 0
    assert reader.control_calls == []


def test_last_attempt_and_blocked_on_the_pinpad_send_nothing() -> None:
    card, reader, session = pinpad_session("idemia-last-attempt", [PIN1, "2580", "2580"])
    with pytest.raises(LastAttemptNotConfirmed):
        session.change_code("pin1")
    assert reader.control_calls == []
    session.change_code("pin1", allow_last_attempt=True)
    assert card.pin("pin1").value == "2580"

    card, reader, session = pinpad_session("thales-puk-blocked")
    with pytest.raises(CodeBlocked):
        session.unblock("pin1")
    assert reader.control_calls == []


def test_thales_puk_change_refused_on_the_pinpad() -> None:
    card, reader, session = pinpad_session("thales-ok")
    with pytest.raises(UnsupportedOperation, match="PUK of a Thales card cannot be changed"):
        session.change_code("puk")
    assert len(card.trace) == 0
    assert reader.control_calls == []


@pytest.mark.parametrize(
    ("preset", "keypad", "call", "total"),
    [
        ("idemia-ok", [PIN1, "2580", "2580"], lambda s: s.change_code("pin1"), 5),
        ("thales-ok", [PIN1, "2580", "2580"], lambda s: s.change_code("pin1"), 5),
        ("idemia-pin2-blocked", [PUK, "25801", "25801"], lambda s: s.unblock("pin2"), 12),
    ],
)
def test_pinpad_apdu_counts(preset: str, keypad: list[str], call: object, total: int) -> None:
    # No personal data is read: the new code is never seen in software.
    card, _, session = pinpad_session(preset, keypad)
    result = call(session)  # type: ignore[operator]
    assert result.apdu_count == total
    assert len(card.trace) == total
    assert not any(command[1] == 0xB0 for command, _ in card.trace)
