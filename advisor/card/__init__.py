"""The card layer: APDUs, status words, BER-TLV and one profile per chip.

Pure code: no pyscard import, no I/O, no prompting. The transport
(``advisor.transport.pcsc``) moves bytes; a session built on top of these modules
decides which commands to send.
"""

from advisor.card.apdu import Command, Response, check_code_status, retries_from_sw
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
from advisor.card.profiles import (
    IDEMIA_COSMO_8,
    IDEMIA_COSMO_X,
    PROFILES,
    THALES,
    LegacyCard,
    Profile,
    identify,
)
from advisor.card.tlv import Tlv, TlvError
from advisor.iso7816 import SW
from advisor.model import CodeKind, Generation

__all__ = [
    "IDEMIA_COSMO_8",
    "IDEMIA_COSMO_X",
    "PROFILES",
    "SW",
    "THALES",
    "CardError",
    "CodeBlocked",
    "CodeKind",
    "CodeRejected",
    "Command",
    "Generation",
    "LegacyCard",
    "MalformedResponse",
    "NotEstonianCard",
    "PinPadError",
    "Profile",
    "Response",
    "StatusError",
    "Tlv",
    "TlvError",
    "UnsupportedOperation",
    "WrongCode",
    "check_code_status",
    "identify",
    "retries_from_sw",
]
