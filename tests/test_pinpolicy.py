"""Rules of advisor.card.policy against DigiDoc4's validatePin (docs/card-protocol.md §9)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.card.policy import (
    LENGTH_LIMITS,
    CodeKind,
    SimilarityWarning,
    Violation,
    ViolationReason,
    birth_date_forms,
    birth_date_from_personal_code,
    check_new_code,
    similarity_warnings,
)

R = ViolationReason
W = SimilarityWarning

# A digit string that is no run, no repeat and no date form at any length.
PLAIN = "2580369147036"
PERSONAL_CODE = "38507120315"  # born 1985-07-12 (century digit 3 = 1900s)
BIRTH = dt.date(1985, 7, 12)


def reasons(kind: CodeKind, code: str, **kwargs: object) -> list[ViolationReason]:
    return [v.reason for v in check_new_code(kind, code, **kwargs)]  # type: ignore[arg-type]


# --- format ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "length", "expected"),
    [
        (CodeKind.PIN1, 3, [R.TOO_SHORT]),
        (CodeKind.PIN1, 4, []),
        (CodeKind.PIN1, 12, []),
        (CodeKind.PIN1, 13, [R.TOO_LONG]),
        (CodeKind.PIN2, 4, [R.TOO_SHORT]),
        (CodeKind.PIN2, 5, []),
        (CodeKind.PIN2, 12, []),
        (CodeKind.PIN2, 13, [R.TOO_LONG]),
        (CodeKind.PUK, 7, [R.TOO_SHORT]),
        (CodeKind.PUK, 8, []),
        (CodeKind.PUK, 12, []),
        (CodeKind.PUK, 13, [R.TOO_LONG]),
    ],
)
def test_length_boundaries(kind: CodeKind, length: int, expected: list[ViolationReason]) -> None:
    assert reasons(kind, PLAIN[:length]) == expected


def test_length_violation_carries_limits() -> None:
    [violation] = check_new_code(CodeKind.PIN2, "2580")
    assert violation == Violation(R.TOO_SHORT, CodeKind.PIN2, min_length=5, max_length=12)


def test_limits_match_dd4() -> None:
    # DD4 QSmartCardData::minPinLen 4/5/8, max 12 (docs/card-protocol.md §2).
    assert dict(LENGTH_LIMITS) == {
        CodeKind.PIN1: (4, 12),
        CodeKind.PIN2: (5, 12),
        CodeKind.PUK: (8, 12),
    }


def test_empty_code_is_only_too_short() -> None:
    assert reasons(CodeKind.PIN1, "") == [R.TOO_SHORT]


@pytest.mark.parametrize(
    "code",
    [
        "25a0",
        "٢٥٨٠",  # Arabic-Indic digits: str.isdigit() is True, the card needs ASCII
        "２５８０",  # full-width digits
        "258²",
        " 2580",
        "-2580",
        "25 80",
    ],
)
def test_non_ascii_digits_rejected(code: str) -> None:
    assert R.NOT_DIGITS in reasons(CodeKind.PIN1, code)


def test_format_errors_suppress_content_rules() -> None:
    # "123" is also an ascending run, but content rules need a well-formed code.
    assert reasons(CodeKind.PIN1, "123") == [R.TOO_SHORT]
    assert reasons(CodeKind.PIN1, "12345678901a") == [R.NOT_DIGITS]
    assert reasons(CodeKind.PUK, "1a") == [R.TOO_SHORT, R.NOT_DIGITS]


def test_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        check_new_code(CodeKind.PIN1, 1234)  # type: ignore[arg-type]


# --- runs and repeats ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (CodeKind.PIN1, "1234"),
        (CodeKind.PIN1, "7890"),
        (CodeKind.PIN1, "9012"),  # wraps around like DD4's "…7890123…"
        (CodeKind.PIN1, "0123"),
        (CodeKind.PIN2, "56789"),
        (CodeKind.PUK, "890123456789"),
        (CodeKind.PIN1, "123456789012"),
    ],
)
def test_ascending_run(kind: CodeKind, code: str) -> None:
    assert reasons(kind, code) == [R.ASCENDING_RUN]


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (CodeKind.PIN1, "4321"),
        (CodeKind.PIN1, "0987"),
        (CodeKind.PIN1, "2109"),
        (CodeKind.PIN2, "10987"),
        (CodeKind.PUK, "109876543210"),
    ],
)
def test_descending_run(kind: CodeKind, code: str) -> None:
    assert reasons(kind, code) == [R.DESCENDING_RUN]


@pytest.mark.parametrize("code", ["1357", "1243", "12354", "9753", "13579"])
def test_not_a_run(code: str) -> None:
    assert reasons(CodeKind.PIN1, code) == []


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (CodeKind.PIN1, "1111"),
        (CodeKind.PIN2, "00000"),
        (CodeKind.PUK, "88888888"),
        (CodeKind.PIN1, "999999999999"),
    ],
)
def test_repeated_digit(kind: CodeKind, code: str) -> None:
    assert reasons(kind, code) == [R.REPEATED_DIGIT]


def test_almost_repeated_is_fine() -> None:
    assert reasons(CodeKind.PIN1, "1112") == []
    assert reasons(CodeKind.PIN1, "2111") == []


# --- personal code -------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (CodeKind.PIN1, "3850"),  # prefix
        (CodeKind.PIN1, "0315"),  # suffix
        (CodeKind.PIN2, "71203"),  # middle
        (CodeKind.PUK, "38507120"),
        (CodeKind.PUK, PERSONAL_CODE),  # the whole code
    ],
)
def test_part_of_personal_code(kind: CodeKind, code: str) -> None:
    assert R.PART_OF_PERSONAL_CODE in reasons(kind, code, personal_code=PERSONAL_CODE)


def test_personal_code_rule_is_dd4_contains() -> None:
    # DD4 tests personalCode.contains(pin): a code *containing* the personal
    # code is longer than it, so it is not "part of" it and DD4 accepts it.
    assert reasons(CodeKind.PUK, PERSONAL_CODE + "9", personal_code=PERSONAL_CODE) == []
    # Digits of the personal code in another order are fine too.
    assert reasons(CodeKind.PIN1, "5830", personal_code=PERSONAL_CODE) == []


def test_personal_code_whitespace_is_ignored() -> None:
    # DD4 trims EF 5006 before use.
    assert R.PART_OF_PERSONAL_CODE in reasons(
        CodeKind.PIN1, "3850", personal_code=f" {PERSONAL_CODE}\n"
    )


def test_no_personal_code_no_rule() -> None:
    assert reasons(CodeKind.PIN1, "3850") == []
    assert reasons(CodeKind.PIN1, "3850", personal_code="") == []


# --- birth date ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (CodeKind.PIN1, "1985"),  # yyyy
        (CodeKind.PIN1, "1207"),  # ddMM
        (CodeKind.PIN1, "0712"),  # MMdd
        (CodeKind.PIN2, "19850712"),  # yyyyMMdd
        (CodeKind.PUK, "19850712"),
        (CodeKind.PIN2, "12071985"),  # ddMMyyyy
        (CodeKind.PUK, "12071985"),
    ],
)
def test_birth_date_forms_rejected(kind: CodeKind, code: str) -> None:
    assert reasons(kind, code, birth_date=BIRTH) == [R.BIRTH_DATE]


@pytest.mark.parametrize("code", ["198507", "850712", "07121985", "1985071"])
def test_birth_date_is_equality_not_substring(code: str) -> None:
    # DD4 compares with == against the five forms only.
    assert reasons(CodeKind.PIN2, code, birth_date=BIRTH) == []


def test_birth_date_derived_from_personal_code() -> None:
    # DD4: EF 5005, else IKValidator::birthDate(personal code).
    assert reasons(CodeKind.PIN1, "1985", personal_code=PERSONAL_CODE) == [R.BIRTH_DATE]
    assert reasons(CodeKind.PUK, "12071985", personal_code=PERSONAL_CODE) == [R.BIRTH_DATE]


def test_explicit_birth_date_wins_over_personal_code() -> None:
    assert (
        reasons(CodeKind.PIN1, "1985", personal_code=PERSONAL_CODE, birth_date=dt.date(1990, 1, 2))
        == []
    )


def test_birth_date_forms_zero_padded() -> None:
    assert birth_date_forms(dt.date(2001, 2, 3)) == {
        "2001",
        "0302",
        "0203",
        "20010203",
        "03022001",
    }


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("10001010000", dt.date(1800, 1, 1)),
        ("29912310000", dt.date(1899, 12, 31)),
        ("38507120315", dt.date(1985, 7, 12)),
        ("49912310000", dt.date(1999, 12, 31)),
        ("50002290000", dt.date(2000, 2, 29)),  # leap day
        ("60503150000", dt.date(2005, 3, 15)),
        ("70101010000", dt.date(2101, 1, 1)),
        ("89912310000", dt.date(2199, 12, 31)),
        (" 38507120315 ", dt.date(1985, 7, 12)),
    ],
)
def test_birth_date_from_personal_code(code: str, expected: dt.date) -> None:
    assert birth_date_from_personal_code(code) == expected


@pytest.mark.parametrize(
    "code",
    [
        "08507120315",  # century digit 0
        "98507120315",  # century digit 9
        "38502300315",  # 30 February
        "59902290000",  # 2099 is no leap year
        "38513010315",  # month 13
        "38507000315",  # day 0
        "3850712031",  # 10 digits
        "385071203155",  # 12 digits
        "3850712031a",
        "٣٨٥٠٧١٢٠٣١٥",  # non-ASCII digits
        "",
    ],
)
def test_birth_date_from_invalid_personal_code(code: str) -> None:
    assert birth_date_from_personal_code(code) is None


# --- old code ------------------------------------------------------------------


def test_same_as_old() -> None:
    assert reasons(CodeKind.PIN1, "2580", old_code="2580") == [R.SAME_AS_OLD]
    assert reasons(CodeKind.PIN1, "2580", old_code="2581") == []
    assert reasons(CodeKind.PIN1, "2580", old_code=None) == []
    # Odd old codes (non-ASCII, lone surrogates) compare without raising.
    assert reasons(CodeKind.PIN1, "2580", old_code="\ud800٢") == []


def test_several_violations_in_dd4_order() -> None:
    got = reasons(
        CodeKind.PIN1,
        "1234",
        personal_code="31234000000",
        old_code="1234",
    )
    assert got == [R.ASCENDING_RUN, R.PART_OF_PERSONAL_CODE, R.SAME_AS_OLD]


# --- independent re-check (property) -------------------------------------------

kinds = st.sampled_from(list(CodeKind))
digit_codes = st.text(alphabet="0123456789", min_size=0, max_size=14)
any_codes = st.one_of(digit_codes, st.text(max_size=14))
personal_codes = st.one_of(st.none(), st.text(alphabet="0123456789", min_size=11, max_size=11))
dates = st.one_of(st.none(), st.dates(dt.date(1800, 1, 1), dt.date(2199, 12, 31)))


def _forms(d: dt.date) -> set[str]:
    # Independent of the module: strftime instead of f-strings.
    return {d.strftime(f) for f in ("%Y", "%d%m", "%m%d", "%Y%m%d", "%d%m%Y")}


@given(kinds, any_codes, personal_codes, dates, st.one_of(st.none(), digit_codes))
def test_accepted_codes_satisfy_every_rule(
    kind: CodeKind,
    code: str,
    personal: str | None,
    birth: dt.date | None,
    old: str | None,
) -> None:
    result = check_new_code(kind, code, personal_code=personal, birth_date=birth, old_code=old)
    if result:
        return
    low, high = {CodeKind.PIN1: (4, 12), CodeKind.PIN2: (5, 12), CodeKind.PUK: (8, 12)}[kind]
    assert low <= len(code) <= high
    assert all(c in "0123456789" for c in code)
    assert code not in "1234567890123456789012"
    assert code not in "0987654321098765432109"
    assert len(set(code)) > 1
    if personal:
        assert code not in personal
    effective = birth or (birth_date_from_personal_code(personal) if personal else None)
    if effective is not None:
        assert code not in _forms(effective)
    if old is not None:
        assert code != old


@given(kinds, digit_codes, personal_codes, dates, st.one_of(st.none(), digit_codes))
def test_reported_reasons_are_true(
    kind: CodeKind,
    code: str,
    personal: str | None,
    birth: dt.date | None,
    old: str | None,
) -> None:
    found = set(reasons(kind, code, personal_code=personal, birth_date=birth, old_code=old))
    if R.ASCENDING_RUN in found:
        assert code in "1234567890123456789012"
    if R.DESCENDING_RUN in found:
        assert code in "0987654321098765432109"
    if R.REPEATED_DIGIT in found:
        assert len(set(code)) == 1
    if R.PART_OF_PERSONAL_CODE in found:
        assert personal is not None
        assert code in personal
    if R.SAME_AS_OLD in found:
        assert code == old
    if R.BIRTH_DATE in found:
        effective = birth or (birth_date_from_personal_code(personal) if personal else None)
        assert effective is not None
        assert code in _forms(effective)


# --- similarity (advisory) -----------------------------------------------------


@pytest.mark.parametrize(
    ("pin1", "pin2", "expected"),
    [
        ("2580", "2580", [W.IDENTICAL]),
        ("2580", "25801", [W.CONTAINS_OTHER, W.ONE_DIGIT_APART]),  # suffix digit added
        ("2580", "92580", [W.CONTAINS_OTHER, W.ONE_DIGIT_APART]),  # prefix digit added
        ("2580", "742580", [W.CONTAINS_OTHER]),
        ("2580", "1125809", [W.CONTAINS_OTHER]),
        ("13579", "13578", [W.ONE_DIGIT_APART]),  # one position differs
        ("1357", "13257", [W.ONE_DIGIT_APART]),  # one digit inserted inside
        ("2580", "0852", []),
        ("1357", "24680", []),
        ("13579", "13568", []),  # two positions differ
    ],
)
def test_similarity(pin1: str, pin2: str, expected: list[SimilarityWarning]) -> None:
    assert similarity_warnings(pin1, pin2) == expected
    assert similarity_warnings(pin2, pin1) == expected


@given(digit_codes, digit_codes)
def test_similarity_definitions(a: str, b: str) -> None:
    found = similarity_warnings(a, b)
    assert (W.IDENTICAL in found) == (a == b)
    if a != b:
        assert (W.CONTAINS_OTHER in found) == bool(a and b and (a in b or b in a))
        if W.ONE_DIGIT_APART in found:
            assert abs(len(a) - len(b)) <= 1


# --- codes never leak (canary) -------------------------------------------------

CANARY = "80469173"


def test_violations_never_show_the_code() -> None:
    cases = [
        check_new_code(CodeKind.PUK, CANARY, old_code=CANARY),
        check_new_code(CodeKind.PUK, CANARY, personal_code="3" + CANARY + "00"),
        check_new_code(CodeKind.PIN1, CANARY + "12345"),
        check_new_code(CodeKind.PIN1, CANARY[:3]),
        check_new_code(CodeKind.PIN1, CANARY + "x"),
    ]
    assert all(cases)
    for violations in cases:
        for violation in violations:
            assert CANARY[:3] not in repr(violation)
            assert CANARY[:3] not in str(violation)
        assert CANARY[:3] not in repr(violations)


@given(kinds, st.text(alphabet="0123456789", min_size=3, max_size=14))
def test_no_violation_repr_contains_the_code(kind: CodeKind, code: str) -> None:
    # Violation reprs hold at most two digits in a row ("12"), so any code of
    # three or more digits showing up would be a leak.
    for violation in check_new_code(kind, code, old_code=code, personal_code=code):
        assert code not in repr(violation)
        assert code not in str(violation)


def test_type_error_does_not_show_value() -> None:
    with pytest.raises(TypeError) as info:
        check_new_code(CodeKind.PIN1, int(CANARY))  # type: ignore[arg-type]
    assert CANARY not in str(info.value)
