"""Who the virtual card belongs to and which document it is.

Plain data, shared by the certificate factory and the two chip models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# docs/facts.md `document_type`
DOCUMENT_TYPES = ("e_resident", "id_card", "digi_id", "residence_permit", "diplomatic")

# Documents without sex and birth data in the personal data file (§5:
# "digi-ID / e-Residency digi-ID: Sex (5003) and date/place of birth (5005) are empty").
DIGITAL_DOCUMENTS = frozenset({"e_resident", "digi_id"})


@dataclass(frozen=True)
class Holder:
    """Defaults: the holder of the public IDEMIA test card (LEID mock certificate)."""

    surname: str = "JÕEORG"
    given_names: str = "JAAK-KRISTJAN"
    personal_code: str = "38001085718"
    citizenship: str = "EST"
    birth_place: str = "EST"

    def __post_init__(self) -> None:
        code = self.personal_code
        if len(code) != 11 or not code.isdigit() or code[0] not in "12345678":
            raise ValueError(f"not an Estonian personal code: {code!r}")
        birth_date_from_code(code)

    @property
    def birth_date(self) -> date:
        return birth_date_from_code(self.personal_code)

    @property
    def sex(self) -> str:
        # Odd first digit = male (§5, NFCA). "N" (naine) for female is our
        # choice: the chip's sex format is not in docs/card-protocol.md.
        return "M" if int(self.personal_code[0]) % 2 else "N"


@dataclass(frozen=True)
class Document:
    document_type: str
    number: str
    issue_date: date
    expiry_date: date

    def __post_init__(self) -> None:
        if self.document_type not in DOCUMENT_TYPES:
            raise ValueError(
                f"unknown document type {self.document_type!r}; valid: {', '.join(DOCUMENT_TYPES)}"
            )
        # 1-2 letters + 7 digits, 9 characters (§10; OSC reads 9 bytes).
        if len(self.number) != 9 or not self.number.isalnum() or not self.number.isascii():
            raise ValueError(f"document number must be 9 ASCII letters/digits: {self.number!r}")
        if self.expiry_date <= self.issue_date:
            raise ValueError("expiry must be after issue")


@dataclass(frozen=True)
class Codes:
    """The codes of the public test cards (docs/cli.md)."""

    pin1: str = "0090"
    pin2: str = "01497"
    puk: str = "17258403"


def birth_date_from_code(code: str) -> date:
    """Century from the first digit, then YYMMDD (§5, DD4 IKValidator)."""
    century = 1800 + 100 * ((int(code[0]) - 1) // 2)
    return date(century + int(code[1:3]), int(code[3:5]), int(code[5:7]))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def card_date(day: date) -> str:
    """Dates on the chip are `dd MM yyyy` with spaces (§5)."""
    return day.strftime("%d %m %Y")
