"""ISO/IEC 7816-4 instruction bytes, parameter values and status words, in one place.

The transport (which must never log or resend a code), the card layer (which builds the
commands) and the tests import them from here. The emulator keeps its own copy on purpose:
it is a separate implementation of the card side, so that a wrong byte here cannot hide
behind the same wrong byte there (docs/emulator.md). Where the EstEID chips use a value,
docs/card-protocol.md gives the section and the sources.
"""

from __future__ import annotations

import enum
from typing import Final


class Ins(enum.IntEnum):
    """Instruction bytes (INS) of the commands the advisor sends or must recognise."""

    SELECT = 0xA4
    READ_BINARY = 0xB0
    READ_BINARY_ODD = 0xB1
    GET_RESPONSE = 0xC0
    GET_DATA = 0xCA
    GET_DATA_ODD = 0xCB  # BER-TLV data field
    VERIFY = 0x20
    VERIFY_ODD = 0x21
    CHANGE_REFERENCE_DATA = 0x24
    CHANGE_REFERENCE_DATA_ODD = 0x25
    DISABLE_VERIFICATION_REQUIREMENT = 0x26
    ENABLE_VERIFICATION_REQUIREMENT = 0x28
    RESET_RETRY_COUNTER = 0x2C
    RESET_RETRY_COUNTER_ODD = 0x2D


# Instructions whose data field may carry a PIN or PUK: the verification family. Only
# VERIFY, CHANGE REFERENCE DATA and RESET RETRY COUNTER are sent to EstEID cards; the odd
# forms and ENABLE/DISABLE carry the same kind of data, and hiding too much in a log costs
# nothing.
SENSITIVE_INS: Final = frozenset(
    {
        Ins.VERIFY,
        Ins.VERIFY_ODD,
        Ins.CHANGE_REFERENCE_DATA,
        Ins.CHANGE_REFERENCE_DATA_ODD,
        Ins.DISABLE_VERIFICATION_REQUIREMENT,
        Ins.ENABLE_VERIFICATION_REQUIREMENT,
        Ins.RESET_RETRY_COUNTER,
        Ins.RESET_RETRY_COUNTER_ODD,
    }
)


# Instructions whose answer holds a file of the card: the personal data and the
# certificates (name, personal code). A log shows only their length (docs/transport.md).
FILE_DATA_INS: Final = frozenset({Ins.READ_BINARY, Ins.READ_BINARY_ODD, Ins.GET_RESPONSE})


def is_sensitive_apdu(apdu: bytes) -> bool:
    """True if this raw command APDU may carry a PIN or PUK in its data field."""
    return len(apdu) >= 2 and apdu[1] in SENSITIVE_INS


# SELECT P1: by DF name (AID), an EF under the current DF, a path from the MF; the EstEID
# chips use the path forms 08 and 09 (docs/card-protocol.md §3.1, §4.1).
SELECT_EF_UNDER_DF: Final = 0x02
SELECT_BY_AID: Final = 0x04
# SELECT P2: return the FCP template, or no response data.
SELECT_RETURN_FCP: Final = 0x04
SELECT_NO_RESPONSE: Final = 0x0C

# RESET RETRY COUNTER P1: the data holds the resetting code (PUK) and the new reference
# data (Thales), or the new reference data only, after a separate VERIFY of the PUK
# (IDEMIA); docs/card-protocol.md §3.3, §4.3.
RESET_WITH_PUK_AND_NEW: Final = 0x00
RESET_WITH_NEW_ONLY: Final = 0x02


class SW(enum.IntEnum):
    """Status words the EstEID reference stacks handle (docs/card-protocol.md §7)."""

    OK = 0x9000
    # 61xx: xx more bytes are waiting; fetch them with GET RESPONSE (LEID, DD4).
    MORE_DATA = 0x6100
    # 6Cxx: wrong Le; repeat the same command with Le = xx (LEID, DD4). Both matter mostly
    # on T=0 and belong in the transport loop.
    WRONG_LE = 0x6C00
    # 6282: end of file reached before Ne bytes were read; the data there was comes along.
    END_OF_FILE_REACHED = 0x6282
    # 63Cx: verification failed, x tries left; 63C0 = now blocked (LEID, DD4, NFCI).
    VERIFY_FAILED = 0x63C0
    WRONG_LENGTH = 0x6700  # LEID: invalid PIN length
    SECURITY_STATUS_NOT_SATISFIED = 0x6982  # e.g. signing without a verified PIN
    AUTH_METHOD_BLOCKED = 0x6983  # code already blocked (LEID, DD4, NFCA, NFCI)
    # Reference data not usable: DD4/LEID treat it as blocked; NFCA only for Thales, so
    # probably what Thales answers for a blocked code (an inference, §7).
    REFERENCE_DATA_NOT_USABLE = 0x6984
    # In CHANGE REFERENCE DATA: old and new code are the same (DD4, LEID comment).
    CONDITIONS_NOT_SATISFIED = 0x6985
    # DD4: old == new on change; NFCI: new PIN invalid; LEID: invalid length on VERIFY.
    INCORRECT_DATA = 0x6A80
    APPLET_LOCKED = 0x6A81  # on SELECT AID, DD4 Diagnostics label "Locked"
    FILE_NOT_FOUND = 0x6A82  # file or application not found (DD4 Diagnostics)
    INCORRECT_P1P2 = 0x6A86  # SIIMP
    END_OF_FILE = 0x6B00  # offset beyond the end of the EF; NFCA reads until it
    # PC/SC part 10 pin-pad readers end an entry themselves with 6400..6404.
    PINPAD_TIMEOUT = 0x6400
    PINPAD_CANCELLED = 0x6401
    PINPAD_MISMATCH = 0x6402
    PINPAD_BAD_LENGTH = 0x6403
    PINPAD_DISABLED = 0x6404
