"""APDU encoding, redaction, status words, errors and the BER-TLV parser."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.card import tlv
from advisor.card.apdu import (
    Command,
    Response,
    check_code_status,
    check_status,
    corrected_le,
    get_response,
    more_data_available,
    retries_from_sw,
)
from advisor.card.errors import (
    CardError,
    CodeBlocked,
    CodeRejected,
    MalformedResponse,
    NotEstonianCard,
    PinPadError,
    StatusError,
    UnsupportedOperation,
    WrongCode,
)
from advisor.card.tlv import Tlv, TlvError
from advisor.errors import AdvisorError
from advisor.iso7816 import SENSITIVE_INS, SW


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# --- Command encoding -----------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        # Case 1: OSC selects the MF with "00 A4 00 0C" (docs/card-protocol.md §3.1).
        (Command(0x00, 0xA4, 0x00, 0x0C), "00 A4 00 0C"),
        # Case 2: READ BINARY "00 B0 00 00 00" (DD4 READBINARY, §3.1) - Le=00 is Ne=256.
        (Command(0x00, 0xB0, 0x00, 0x00, le=256), "00 B0 00 00 00"),
        (Command(0x00, 0xC0, 0x00, 0x00, le=0x10), "00 C0 00 00 10"),
        # Case 3: SELECT Thales applet (§4.1).
        (
            Command(0x00, 0xA4, 0x04, 0x0C, h("A000000063504B43532D3135")),
            "00 A4 04 0C 0C A0 00 00 00 63 50 4B 43 53 2D 31 35",
        ),
        # Case 4: Thales counter GET DATA "00 CB 00 FF 05 A0 03 83 01 81 00" (§4.3).
        (
            Command(0x00, 0xCB, 0x00, 0xFF, h("A003830181"), le=256),
            "00 CB 00 FF 05 A0 03 83 01 81 00",
        ),
    ],
)
def test_short_encoding(command: Command, expected: str) -> None:
    assert command.to_bytes() == h(expected)
    assert not command.extended


def test_extended_data() -> None:
    data = bytes(range(256)) + b"\x01\x02"
    command = Command(0x00, 0x2A, 0x80, 0x86, data)
    assert command.extended
    assert command.to_bytes() == h("00 2A 80 86 00 01 02") + data


def test_extended_data_with_le() -> None:
    command = Command(0x00, 0x2A, 0x80, 0x86, b"\xaa" * 300, le=256)
    assert command.to_bytes()[-2:] == h("01 00")
    assert command.to_bytes()[4:7] == h("00 01 2C")


def test_extended_le_only() -> None:
    assert Command(0x00, 0xB0, 0x00, 0x00, le=65536).to_bytes() == h("00 B0 00 00 00 00 00")
    assert Command(0x00, 0xB0, 0x00, 0x00, le=257).to_bytes() == h("00 B0 00 00 00 01 01")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cla": 256},
        {"ins": -1},
        {"p2": 0x100},
        {"le": 0},
        {"le": 65537},
    ],
)
def test_invalid_command_fields(kwargs: dict[str, int]) -> None:
    fields = {"cla": 0, "ins": 0xA4, "p1": 0, "p2": 0} | kwargs
    with pytest.raises(ValueError, match="must be"):
        Command(**fields)  # type: ignore[arg-type]


def test_command_data_must_be_bytes() -> None:
    with pytest.raises(TypeError):
        Command(0, 0x20, 0, 1, bytearray(b"1234"))  # type: ignore[arg-type]


# --- Redaction -------------------------------------------------------------------

PIN_FIELD = b"80469173".ljust(12, b"\xff")


@pytest.mark.parametrize("ins", [0x20, 0x24, 0x2C])
def test_redacted_hides_pin_data(ins: int) -> None:
    command = Command(0x00, ins, 0x00, 0x01, PIN_FIELD)
    text = command.redacted()
    assert text == f"00 {ins:02X} 00 01 0C <12 bytes redacted>"
    for rendering in (text, repr(command), str(command), f"{command}", repr([command])):
        assert "38 30 34 36" not in rendering  # "8046" as spaced hex
        assert "38303436" not in rendering.replace(" ", "")
        assert "80469173" not in rendering
        assert "b'" not in rendering


def test_redacted_keeps_le_and_header() -> None:
    command = Command(0x00, 0x24, 0x00, 0x85, PIN_FIELD * 2, le=256)
    assert command.redacted() == "00 24 00 85 18 <24 bytes redacted> 00"


def test_redacted_shows_ordinary_data() -> None:
    command = Command(0x00, 0xA4, 0x08, 0x0C, h("DFDD"))
    assert command.redacted() == "00 A4 08 0C 02 DF DD"
    assert repr(command) == "Command(00 A4 08 0C 02 DF DD)"


def test_empty_verify_is_shown() -> None:
    # An empty VERIFY carries no secret (used by some stacks to read 63Cx).
    assert Command(0x00, 0x20, 0x00, 0x01).redacted() == "00 20 00 01"


def test_sensitive_set_covers_the_brief() -> None:
    assert {0x20, 0x24, 0x2C} <= SENSITIVE_INS
    assert 0xA4 not in SENSITIVE_INS
    assert 0xCB not in SENSITIVE_INS


@given(
    st.sampled_from(sorted(SENSITIVE_INS)),
    st.integers(0, 255),
    st.integers(0, 255),
    st.binary(min_size=7, max_size=300),
    st.one_of(st.none(), st.integers(1, 65536)),
)
def test_redaction_property(ins: int, p1: int, p2: int, data: bytes, le: int | None) -> None:
    # Only the 4 header bytes, a 1-3 byte Lc and a 1-3 byte Le are shown in
    # hex, so no 7-byte data field can reappear in the rendering.
    command = Command(0x00, ins, p1, p2, data, le)
    text = command.redacted().replace(" ", "")
    assert data.hex().upper() not in text
    assert repr(command) == f"Command({command.redacted()})"
    header_and_lc = 4 + (3 if command.extended else 1)
    assert command.to_bytes()[header_and_lc : header_and_lc + len(data)] == data


# --- Response and status words ---------------------------------------------------


def test_response_from_bytes() -> None:
    response = Response.from_bytes(h("01 02 90 00"))
    assert response == Response(b"\x01\x02", 0x90, 0x00)
    assert response.sw == 0x9000
    assert response.ok
    assert not Response.from_bytes(h("63 C2")).ok
    assert Response.from_bytes(h("63 C2")).data == b""


def test_response_too_short() -> None:
    with pytest.raises(ValueError, match="2 status bytes"):
        Response.from_bytes(b"\x90")


@pytest.mark.parametrize(
    ("sw", "expected"),
    [
        (0x63C0, 0),
        (0x63C1, 1),
        (0x63C3, 3),
        (0x63CF, 15),
        (0x6983, 0),  # blocked (docs/card-protocol.md §7)
        (0x6984, 0),  # treated as blocked by DD4/LEID
        (0x9000, None),
        (0x6300, None),
        (0x6A80, None),
        (0x6985, None),
    ],
)
def test_retries_from_sw(sw: int, expected: int | None) -> None:
    assert retries_from_sw(sw) == expected


def test_more_data_and_wrong_le() -> None:
    assert more_data_available(0x6110) == 0x10
    assert more_data_available(0x6100) == 256
    assert more_data_available(0x9000) is None
    assert corrected_le(0x6C05) == 5
    assert corrected_le(0x6C00) == 256
    assert corrected_le(0x6110) is None
    # GET RESPONSE "00 C0 00 00 xx" (LEID, DD4; docs/card-protocol.md §2).
    assert get_response(0x10).to_bytes() == h("00 C0 00 00 10")


def test_check_status() -> None:
    ok = Response(b"", 0x90, 0x00)
    assert check_status(ok) is ok
    with pytest.raises(StatusError) as info:
        check_status(Response(b"", 0x6A, 0x82), "select QSCD")
    assert info.value.sw == SW.FILE_NOT_FOUND
    assert str(info.value) == "card returned status 6A82 (select QSCD)"


@pytest.mark.parametrize(
    ("sw", "error"),
    [
        (0x63C2, WrongCode),
        (0x63C1, WrongCode),
        (0x63C0, CodeBlocked),
        (0x6983, CodeBlocked),
        (0x6984, CodeBlocked),
        (0x6985, CodeRejected),
        (0x6A80, CodeRejected),
        (0x6700, CodeRejected),
        (0x6400, PinPadError),
        (0x6401, PinPadError),
        (0x6402, PinPadError),
        (0x6403, PinPadError),
        (0x6A82, StatusError),
        (0x6D00, StatusError),
    ],
)
def test_check_code_status(sw: int, error: type[CardError]) -> None:
    with pytest.raises(error):
        check_code_status(sw)


def test_check_code_status_ok_and_attempts() -> None:
    check_code_status(0x9000)
    with pytest.raises(WrongCode) as info:
        check_code_status(0x63C2)
    assert info.value.attempts_left == 2
    assert str(info.value) == "wrong code, 2 attempts left"


# --- Errors ----------------------------------------------------------------------


def all_errors() -> list[CardError]:
    return [
        CardError("x"),
        MalformedResponse("bad"),
        StatusError(0x6A82, "context"),
        WrongCode(1),
        WrongCode(3),
        CodeBlocked(),
        CodeRejected(0x6985),
        PinPadError(0x6401),
        PinPadError(0x6499),
        NotEstonianCard("unknown ATR"),
        UnsupportedOperation("no"),
        TlvError("bad length", 7),
    ]


def test_card_errors_share_the_package_root() -> None:
    # `except AdvisorError` in a caller must catch whatever the card layer raises.
    for error in all_errors():
        assert isinstance(error, AdvisorError), type(error).__name__


def test_wrong_code_needs_attempts() -> None:
    with pytest.raises(ValueError, match="CodeBlocked"):
        WrongCode(0)
    assert str(WrongCode(1)) == "wrong code, 1 attempt left"


def test_pinpad_messages() -> None:
    assert "cancelled" in str(PinPadError(0x6401))
    assert "6499" in str(PinPadError(0x6499))


# --- BER-TLV ---------------------------------------------------------------------

# IDEMIA PIN1 counter answer, LEID test mock (docs/card-protocol.md §3.3).
IDEMIA_COUNTER = h(
    "70 1E BF 81 01 1A A0 18 9A 01 03 9B 01 03 "
    "A1 10 8C 06 F3 00 00 73 43 00 9C 06 F3 00 00 73 43 00"
)
# Thales FinEID v4 counter answer, LEID mock (docs/card-protocol.md §4.3).
FINEID_COUNTER = h(
    "A0 23 83 01 11 8C 04 F0 00 00 00 9C 04 F0 00 00 00 "
    "DF 21 04 05 FF A5 03 DF 27 02 FF FF DF 28 01 0C DF 2F 01 01"
)


def test_nested_multibyte_tags() -> None:
    root = tlv.parse_one(IDEMIA_COUNTER)
    assert root.tag == 0x70
    assert root.constructed
    template = root.require(0xBF8101, 0xA0)
    assert template.offset == 6
    remaining = template.require(0x9B)
    assert remaining.value == b"\x03"
    assert not remaining.constructed
    assert remaining.offset == 11
    assert tlv.find(tlv.parse(IDEMIA_COUNTER), 0x70, 0xBF8101, 0xA0, 0xA1, 0x9C) is not None
    assert [child.tag for child in template] == [0x9A, 0x9B, 0xA1]


def test_two_byte_tags() -> None:
    root = tlv.parse_one(FINEID_COUNTER)
    assert root.require(0xDF21).value == h("05 FF A5 03")
    assert root.require(0xDF2F).value == b"\x01"
    assert root.find(0xDF99) is None


def test_long_form_lengths() -> None:
    value = bytes(range(200))
    assert tlv.parse_one(h("04 81 C8") + value).value == value
    big = bytes(300)
    assert tlv.parse_one(h("04 82 01 2C") + big).value == big
    # BER allows a non-minimal long form; cards use it.
    assert tlv.parse_one(h("04 81 02 AA BB")).value == h("AA BB")


def test_empty_input_and_zero_length() -> None:
    assert tlv.parse(b"") == ()
    assert tlv.parse_one(h("9B 00")).value == b""
    assert tlv.parse_one(h("A0 00")).children == ()


@pytest.mark.parametrize(
    ("data", "message", "offset"),
    [
        ("9B 03 01", "value of tag 9B needs 3 bytes, only 1 left", 2),
        ("9B", "missing length", 1),
        ("BF 81", "tag runs past the end of the data", 2),
        ("04 80 00 00", "indefinite length is not allowed", 1),
        ("04 85 00 00 00 00 01 00", "length field of 5 bytes is not supported", 1),
        ("04 82 01", "length field runs past the end of the data", 2),
        ("00 9B 01 03", "invalid tag byte 00", 0),
        ("9B 01 03 FF", "invalid tag byte FF", 3),
        ("9B 01 03 9A", "missing length", 4),
        ("BF 80 01 00", "multi-byte tag has a leading zero septet", 1),
        ("BF 81 81 81 01 00", "tag longer than 4 bytes", 4),
        # The error inside a constructed value reports the absolute offset.
        ("70 04 9B 05 01 02", "value of tag 9B needs 5 bytes, only 2 left", 4),
        ("70 06 BF 81 01 02 9B 09", "value of tag 9B needs 9 bytes, only 0 left", 8),
    ],
)
def test_malformed(data: str, message: str, offset: int) -> None:
    with pytest.raises(TlvError) as info:
        tlv.parse(h(data))
    assert info.value.reason == message
    assert info.value.offset == offset
    assert str(info.value) == f"{message} at offset {offset}"
    assert isinstance(info.value, MalformedResponse)


def test_constructed_value_must_be_tlv() -> None:
    # A0 is constructed, so "01 02" inside must parse: tag 01, length 02, no value.
    with pytest.raises(TlvError) as info:
        tlv.parse(h("A0 02 01 02"))
    assert info.value.offset == 4


def test_nesting_depth_is_bounded() -> None:
    data = b""
    for _ in range(20):
        data = b"\xa0" + bytes((len(data),)) + data
    with pytest.raises(TlvError, match="nesting deeper"):
        tlv.parse(data)


def test_parse_one_rejects_several() -> None:
    with pytest.raises(TlvError) as info:
        tlv.parse_one(h("9A 01 03 9B 01 03"))
    assert info.value.offset == 3


def test_require_names_the_path() -> None:
    items = tlv.parse(IDEMIA_COUNTER)
    with pytest.raises(TlvError, match="tag path 70/BF8102 not found"):
        tlv.require(items, 0x70, 0xBF8102)
    with pytest.raises(ValueError, match="empty tag path"):
        tlv.find(items)


# A test-only encoder, so that parse() can be checked against a second,
# independent implementation of the encoding rules.


def _encode_tag(cls: int, constructed: bool, number: int) -> bytes:
    first = (cls << 6) | (0x20 if constructed else 0)
    if number < 31:
        return bytes((first | number,))
    septets = []
    while True:
        septets.append(number & 0x7F)
        number >>= 7
        if not number:
            break
    septets.reverse()
    tail = bytes([s | 0x80 for s in septets[:-1]] + [septets[-1]])
    return bytes((first | 0x1F,)) + tail


def _encode_length(length: int, extra: int) -> bytes:
    if length < 0x80 and not extra:
        return bytes((length,))
    raw = length.to_bytes(max(1, (length.bit_length() + 7) // 8) + extra, "big")
    return bytes((0x80 | len(raw),)) + raw


Node = tuple[bytes, bytes | list["Node"]]


def _value(node: Node, extra: int) -> bytes:
    body = node[1]
    return body if isinstance(body, bytes) else b"".join(_encode(c, extra) for c in body)


def _encode(node: Node, extra: int) -> bytes:
    value = _value(node, extra)
    return node[0] + _encode_length(len(value), extra) + value


def _tag_strategy(constructed: bool) -> st.SearchStrategy[bytes]:
    low = st.builds(
        lambda cls, n: _encode_tag(cls, constructed, n), st.integers(0, 3), st.integers(0, 30)
    )
    high = st.builds(
        lambda cls, n: _encode_tag(cls, constructed, n),
        st.integers(0, 3),
        st.integers(31, (1 << 21) - 1),
    )
    # 00 and FF are never valid first tag bytes (ISO/IEC 7816-4 §5.2).
    return st.one_of(low, high).filter(lambda t: t[0] not in (0x00, 0xFF))


nodes: st.SearchStrategy[Node] = st.recursive(
    st.tuples(_tag_strategy(False), st.binary(max_size=40)),
    lambda children: st.tuples(_tag_strategy(True), st.lists(children, max_size=4)),
    max_leaves=12,
)


def _shape(item: Tlv) -> tuple[int, object]:
    if item.constructed:
        return item.tag, [_shape(c) for c in item.children]
    return item.tag, item.value


def _expected(node: Node) -> tuple[int, object]:
    tag, body = node
    number = int.from_bytes(tag, "big")
    if isinstance(body, bytes):
        return number, body
    return number, [_expected(c) for c in body]


@given(st.lists(nodes, max_size=4), st.integers(0, 1))
def test_round_trip(tree: list[Node], extra: int) -> None:
    encoded = b"".join(_encode(n, extra) for n in tree)
    parsed = tlv.parse(encoded)
    assert [_shape(p) for p in parsed] == [_expected(n) for n in tree]
    for item, node in zip(parsed, tree, strict=True):
        assert item.value == _value(node, extra)


@given(st.binary(max_size=64))
def test_random_bytes_parse_or_raise_tlv_error(data: bytes) -> None:
    error: TlvError | None = None
    try:
        tlv.parse(data)
    except TlvError as caught:
        error = caught
    if error is not None:
        assert 0 <= error.offset <= len(data)
