"""PC/SC part 10 pin-pad support: the codes are typed on the reader, never in software.

A pin-pad reader takes a PIN_VERIFY_STRUCTURE or PIN_MODIFY_STRUCTURE through
``SCardControl``: reader settings followed by a command APDU whose PIN fields
hold only pad bytes. The reader overwrites those fields with the digits the
holder types and sends the APDU to the card, so nothing here, and nothing the
session keeps, ever contains a code.

Layouts are those of PC/SC part 10 v2.02.09 (as declared in DD4
``client/QPCSC_p.h`` and OpenSC ``src/libopensc/part10.h``); multi-byte fields
are little-endian, the byte order of USB CCID which readers and pcsc-lite
expect. Field values follow DD4 ``QPCSCReader::transferCTL``, the reference
client for EstEID PIN changes on a pin pad (docs/card-protocol.md §8).
Source names (DD4, LEID, OSC) are those of docs/card-protocol.md §0.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from advisor.card.apdu import Command
from advisor.card.errors import UnsupportedOperation
from advisor.card.profiles import (
    Profile,
    Step,
    StepPurpose,
    UnblockStyle,
    select_for_code,
)
from advisor.iso7816 import RESET_WITH_NEW_ONLY, RESET_WITH_PUK_AND_NEW, Ins
from advisor.model import CodeKind
from advisor.transport import Connection, TransportError

__all__ = [
    "DEFAULT_TIMEOUT",
    "FALSE_PINPAD_READERS",
    "FEATURE_IFD_PIN_PROPERTIES",
    "FEATURE_MODIFY_PIN_DIRECT",
    "FEATURE_VERIFY_PIN_DIRECT",
    "LANGUAGE_IDS",
    "NO_PINPAD_ENV",
    "PinPad",
    "PinPadStep",
    "change_plan",
    "detect",
    "is_false_pinpad",
    "modify_structure",
    "opted_out",
    "unblock_plan",
    "verify_structure",
]

# PC/SC part 10 feature tags (DD4 QPCSC_p.h DRIVER_FEATURES, OSC part10.h).
FEATURE_VERIFY_PIN_DIRECT = 0x06
FEATURE_MODIFY_PIN_DIRECT = 0x07
FEATURE_IFD_PIN_PROPERTIES = 0x0A

# Opt-out: set to anything but "" or "0" to type codes in software even on a
# pin-pad reader (our counterpart of LEID/DD4's SMARTCARDPP_NOPINPAD, §8).
NO_PINPAD_ENV = "ADVISOR_NO_PINPAD"

# Readers that advertise pin-pad features without having a keypad. DD4
# QPCSCReader::isPinPad matches these names; LEID matches the same devices
# by USB id 076B:3031 / 076B:6632, which a Connection does not expose (§8).
# UNVERIFIED: that every such device reports one of these names; one that
# does not is taken for a pin pad, and ADVISOR_NO_PINPAD=1 is the way out.
FALSE_PINPAD_READERS: tuple[str, ...] = ("omnikey 3x21", "omnikey 6121")

# wLangId the reader shows its prompts in (DD4 Card::transfer: en, et, ru).
LANGUAGE_IDS: Mapping[str, int] = {"en": 0x0409, "et": 0x0425, "ru": 0x0419}

# DD4 transferCTL waits 30 s for the first key and between keys; LEID's 90 s
# is for a VERIFY at signing time, not for the change dialogs we drive.
DEFAULT_TIMEOUT = 30

# bmFormatString: ASCII digits (bits 1-0 = 10), left-justified (bit 2 = 0), PIN
# position 0 (bits 6-3) counted in bits (bit 7 = 0) -- DD4 and LEID.
_FORMAT_ASCII_LEFT = 0x02
# bmPINBlockString 0: no length field in the APDU, block size decided by the
# reader; bmPINLengthFormat 0: no length to insert (DD4, LEID).
_PIN_BLOCK_AUTO = 0x00
_PIN_LENGTH_NONE = 0x00
# bEntryValidationCondition: the holder presses OK (DD4 ValidOnKeyPressed, LEID).
_VALID_ON_KEY = 0x02
# bConfirmPIN bits (DD4 QPCSC_p.h): enter the new code twice / ask the current one.
_CONFIRM_NEW = 0x01
_REQUEST_CURRENT = 0x02
# bNumberMessage: 0 when the reader has no display, else its default verify
# message (FF) or the three modify messages (DD4 transferCTL).
_NO_MESSAGE = 0x00
_DEFAULT_MESSAGE = 0xFF
_THREE_MESSAGES = 0x03


@dataclass(frozen=True)
class PinPad:
    """What the reader offers: control codes of the two features and a display flag."""

    verify_ioctl: int | None
    modify_ioctl: int | None
    display: bool = False


@dataclass(frozen=True, repr=False)
class PinPadStep:
    """One ``SCardControl`` call of an operation; holds no code, only pad bytes.

    ``apdu`` is the command template inside ``structure`` (for logs).
    ``purpose`` and ``code`` mean the same as in :class:`~advisor.card.profiles.Step`.
    """

    ioctl: int
    structure: bytes
    apdu: Command
    purpose: StepPurpose
    code: CodeKind | None = None

    def __repr__(self) -> str:
        return f"PinPadStep({self.purpose.value}, ioctl={self.ioctl:#x}, {self.apdu.redacted()})"


def opted_out(environ: Mapping[str, str] | None = None) -> bool:
    """True when ``ADVISOR_NO_PINPAD`` asks for software entry."""
    value = (os.environ if environ is None else environ).get(NO_PINPAD_ENV, "")
    return value.strip() not in ("", "0")


def is_false_pinpad(reader: str) -> bool:
    """True for readers known to advertise a pin pad they do not have."""
    name = reader.lower()
    return any(model in name for model in FALSE_PINPAD_READERS)


def _has_display(connection: Connection, ioctl: int) -> bool:
    # PIN_PROPERTIES_STRUCTURE starts with wLcdLayout; 0 = no display (DD4).
    try:
        properties = connection.control(ioctl, b"")
    except TransportError:
        return False
    return len(properties) >= 2 and int.from_bytes(properties[:2], "little") > 0


def detect(connection: Connection, environ: Mapping[str, str] | None = None) -> PinPad | None:
    """The reader's pin pad, or None (no feature, a false pin pad, or opted out).

    Only the DIRECT features are used; readers with only the START/FINISH pair
    (an old OMNIKEY proposal) are treated as having no pin pad.
    """
    if opted_out(environ) or is_false_pinpad(connection.reader):
        return None
    features = connection.features()
    verify = features.get(FEATURE_VERIFY_PIN_DIRECT)
    modify = features.get(FEATURE_MODIFY_PIN_DIRECT)
    if verify is None and modify is None:
        return None
    properties = features.get(FEATURE_IFD_PIN_PROPERTIES)
    display = properties is not None and _has_display(connection, properties)
    return PinPad(verify, modify, display)


def _language_id(language: str) -> int:
    # DD4 sends 0 (reader default) for a language it has no id for.
    return LANGUAGE_IDS.get(language, 0x0000)


def _max_extra_digit(minimum: int, maximum: int) -> bytes:
    # wPINMaxExtraDigit = 0xXXYY, XX = min digits, YY = max digits.
    return ((minimum << 8) | maximum).to_bytes(2, "little")


def _pad(profile: Profile, fields: int) -> bytes:
    return bytes((profile.pad_byte,)) * (profile.padded_length * fields)


def verify_structure(
    profile: Profile,
    apdu: Command,
    *,
    min_length: int,
    display: bool = False,
    language: str = "en",
    timeout: int = DEFAULT_TIMEOUT,
) -> bytes:
    """PIN_VERIFY_STRUCTURE (19 bytes) followed by ``apdu``."""
    body = apdu.to_bytes()
    return (
        bytes((timeout, timeout, _FORMAT_ASCII_LEFT, _PIN_BLOCK_AUTO, _PIN_LENGTH_NONE))
        + _max_extra_digit(min_length, profile.padded_length)
        + bytes((_VALID_ON_KEY, _DEFAULT_MESSAGE if display else _NO_MESSAGE))
        + _language_id(language).to_bytes(2, "little")
        + bytes((0x00,))  # bMsgIndex
        + bytes(3)  # bTeoPrologue
        + len(body).to_bytes(4, "little")
        + body
    )


def modify_structure(
    profile: Profile,
    apdu: Command,
    *,
    min_length: int,
    new_offset: int,
    request_current: bool,
    display: bool = False,
    language: str = "en",
    timeout: int = DEFAULT_TIMEOUT,
) -> bytes:
    """PIN_MODIFY_STRUCTURE (24 bytes) followed by ``apdu``.

    The current code (or PUK) goes at data offset 0, the new one at
    ``new_offset``; ``request_current`` False means only the new code is
    entered (twice), as for IDEMIA's RESET RETRY COUNTER.
    """
    body = apdu.to_bytes()
    confirm = _CONFIRM_NEW | (_REQUEST_CURRENT if request_current else 0)
    # DD4: with a current code the first message asks for it, then new, then repeat.
    messages = (0, 1, 2) if request_current else (1, 2, 3)
    return (
        bytes((timeout, timeout, _FORMAT_ASCII_LEFT, _PIN_BLOCK_AUTO, _PIN_LENGTH_NONE))
        + bytes((0x00, new_offset))  # bInsertionOffsetOld, bInsertionOffsetNew
        + _max_extra_digit(min_length, profile.padded_length)
        + bytes((confirm, _VALID_ON_KEY, _THREE_MESSAGES if display else _NO_MESSAGE))
        + _language_id(language).to_bytes(2, "little")
        + bytes(messages)
        + bytes(3)  # bTeoPrologue
        + len(body).to_bytes(4, "little")
        + body
    )


def _require(ioctl: int | None, feature: str) -> int:
    if ioctl is None:
        raise UnsupportedOperation(
            f"the pin-pad reader does not offer {feature}; "
            f"set {NO_PINPAD_ENV}=1 to type the codes on this computer instead"
        )
    return ioctl


def _verify_step(
    profile: Profile, kind: CodeKind, pad: PinPad, language: str, timeout: int
) -> PinPadStep:
    spec = profile.code(kind)
    apdu = Command(0x00, Ins.VERIFY, 0x00, spec.reference, _pad(profile, 1))
    structure = verify_structure(
        profile,
        apdu,
        min_length=spec.min_length,
        display=pad.display,
        language=language,
        timeout=timeout,
    )
    ioctl = _require(pad.verify_ioctl, "PIN verification (FEATURE_VERIFY_PIN_DIRECT)")
    return PinPadStep(ioctl, structure, apdu, StepPurpose.VERIFY, kind)


def _modify_step(
    profile: Profile,
    apdu: Command,
    *,
    min_length: int,
    new_offset: int,
    request_current: bool,
    purpose: StepPurpose,
    code: CodeKind | None,
    pad: PinPad,
    language: str,
    timeout: int,
) -> PinPadStep:
    structure = modify_structure(
        profile,
        apdu,
        min_length=min_length,
        new_offset=new_offset,
        request_current=request_current,
        display=pad.display,
        language=language,
        timeout=timeout,
    )
    ioctl = _require(pad.modify_ioctl, "PIN modification (FEATURE_MODIFY_PIN_DIRECT)")
    return PinPadStep(ioctl, structure, apdu, purpose, code)


def change_plan(
    profile: Profile,
    kind: CodeKind,
    pad: PinPad,
    *,
    language: str = "en",
    timeout: int = DEFAULT_TIMEOUT,
) -> tuple[Step | PinPadStep, ...]:
    """SELECT, then one MODIFY: ``00 24 00 ref 18`` + 24 pad bytes, old at 0, new at 12.

    Also Thales "activate PIN2 with the current PIN2" (same APDU, §4.4).
    """
    if kind is CodeKind.PUK and not profile.puk_changeable:
        raise UnsupportedOperation(f"the PUK cannot be changed on {profile.name} cards")
    spec = profile.code(kind)
    apdu = Command(0x00, Ins.CHANGE_REFERENCE_DATA, 0x00, spec.reference, _pad(profile, 2))
    return (
        Step(select_for_code(profile, kind), StepPurpose.SELECT),
        _modify_step(
            profile,
            apdu,
            min_length=spec.min_length,
            new_offset=profile.padded_length,
            request_current=True,
            purpose=StepPurpose.CHANGE,
            code=kind,
            pad=pad,
            language=language,
            timeout=timeout,
        ),
    )


def unblock_plan(
    profile: Profile,
    kind: CodeKind,
    pad: PinPad,
    *,
    language: str = "en",
    timeout: int = DEFAULT_TIMEOUT,
) -> tuple[Step | PinPadStep, ...]:
    """Set a new PIN with the PUK, typed on the reader.

    IDEMIA (DD4 ``IDEMIACard::replace``): VERIFY PUK on the pad, (SELECT QSCD
    for PIN2), then MODIFY of ``00 2C 02 ref 0C`` + 12 pad bytes with only the
    new PIN, entered twice. Thales (DD4 ``THALESCard::replace``): one MODIFY of
    ``00 2C 00 ref 18`` + 24 pad bytes, PUK at 0 and the new PIN at 12.
    """
    if kind is CodeKind.PUK:
        raise UnsupportedOperation("a blocked PUK cannot be reset from the client")
    spec = profile.code(kind)
    if profile.unblock_style is UnblockStyle.VERIFY_PUK_THEN_RESET:
        steps: list[Step | PinPadStep] = [
            Step(select_for_code(profile, CodeKind.PUK), StepPurpose.SELECT),
            _verify_step(profile, CodeKind.PUK, pad, language, timeout),
        ]
        if spec.app is not profile.puk.app:
            steps.append(Step(select_for_code(profile, kind), StepPurpose.SELECT))
        apdu = Command(
            0x00, Ins.RESET_RETRY_COUNTER, RESET_WITH_NEW_ONLY, spec.reference, _pad(profile, 1)
        )
        steps.append(
            _modify_step(
                profile,
                apdu,
                min_length=spec.min_length,
                new_offset=0,
                request_current=False,
                purpose=StepPurpose.RESET,
                code=None,
                pad=pad,
                language=language,
                timeout=timeout,
            )
        )
        return tuple(steps)
    apdu = Command(
        0x00, Ins.RESET_RETRY_COUNTER, RESET_WITH_PUK_AND_NEW, spec.reference, _pad(profile, 2)
    )
    return (
        Step(select_for_code(profile, kind), StepPurpose.SELECT),
        _modify_step(
            profile,
            apdu,
            # One minimum covers both entries. It must be the PIN's (4 or 5) so
            # that the new PIN can be typed at all; a PUK typed too short then
            # reaches the card as a wrong PUK and costs a try (DD4 has the same gap).
            min_length=spec.min_length,
            new_offset=profile.padded_length,
            request_current=True,
            purpose=StepPurpose.RESET,
            code=CodeKind.PUK,
            pad=pad,
            language=language,
            timeout=timeout,
        ),
    )
