"""Chip profiles of the Estonian eID cards, command builders and answer parsers.

One :class:`Profile` per chip (IDEMIA Cosmo 8, IDEMIA Cosmo X, Thales) holds
every byte the client needs; the builders below turn a profile and an intent
into :class:`~advisor.card.apdu.Command` values, and the parsers turn the
card's answers into typed values. Nothing here performs I/O.

Sources are named with the short names of the legend in docs/card-protocol.md §0
(LEID = web-eid
libelectronic-id, DD4 = DigiDoc4-Client, OSC = OpenSC, NFCA/NFCI = RIA's NFC
libraries for Android/iOS, PERSO = ESTEID-PersoFile, SIIMP = third-party
personal-data reader, IDEE-PIN = id.ee PIN page). ``§n`` is a section of that
page. None of these values comes from the official chip specifications,
which were not available; ``UNVERIFIED`` marks values docs/card-protocol.md itself flags
as unknown, inferred or conflicting.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from advisor.card.apdu import MAX_SHORT_LE, Command
from advisor.card.errors import MalformedResponse, UnsupportedOperation
from advisor.card.tlv import find, parse, require
from advisor.iso7816 import (
    RESET_WITH_NEW_ONLY,
    RESET_WITH_PUK_AND_NEW,
    SELECT_BY_AID,
    SELECT_EF_UNDER_DF,
    SELECT_NO_RESPONSE,
    SELECT_RETURN_FCP,
    Ins,
)
from advisor.model import CodeKind, Generation

__all__ = [
    "IDEMIA_COSMO_8",
    "IDEMIA_COSMO_X",
    "LEGACY_CARDS",
    "PROFILES",
    "THALES",
    "App",
    "Certificate",
    "CodeCounter",
    "CodeSpec",
    "CounterLayout",
    "LegacyCard",
    "Profile",
    "Step",
    "StepPurpose",
    "UnblockStyle",
    "change_reference_data",
    "change_steps",
    "encode_code",
    "file_size_from_fcp",
    "identify",
    "parse_counter",
    "read_binary",
    "read_counter",
    "read_counter_steps",
    "reset_retry_counter",
    "select_application",
    "select_certificate",
    "select_for_code",
    "select_personal_data",
    "select_personal_data_file",
    "select_personal_data_file_by_path",
    "unblock_steps",
    "verify",
    "verify_steps",
]


class App(enum.StrEnum):
    """Applications a command may need to be current.

    IDEMIA has three (main IAS-ECC AID, the "AWP" authentication app and the
    QSCD signing app, §3.1); Thales has one PKCS#15 applet for everything
    (§4.1), so every value maps to the same AID there.
    """

    MAIN = "main"
    AUTH = "auth"
    SIGN = "sign"


class Certificate(enum.StrEnum):
    AUTH = "auth"
    SIGN = "sign"


class UnblockStyle(enum.StrEnum):
    """How a blocked or forgotten PIN is replaced with the PUK (§3.3, §4.3)."""

    # IDEMIA: VERIFY PUK, then RESET RETRY COUNTER P1=02 carrying the new PIN only.
    VERIFY_PUK_THEN_RESET = "verify_puk_then_reset"
    # Thales: one RESET RETRY COUNTER P1=00 carrying PUK || new PIN.
    RESET_WITH_PUK = "reset_with_puk"


class CounterLayout(enum.StrEnum):
    """Shape of the GET DATA that reads a retry counter."""

    # 00 CB 3F FF ... BF 81 0r ...; answer 70 / BF810r / A0 / 9B (§3.3).
    IDEMIA_BF81 = "idemia_bf81"
    # 00 CB 00 FF ... 83 01 8r; answer A0 / DF21 (+ DF2F flag) (§4.3).
    THALES_A0 = "thales_a0"


class StepPurpose(enum.StrEnum):
    """Why a step of a multi-command operation is sent; drives error mapping."""

    SELECT = "select"
    VERIFY = "verify"
    CHANGE = "change"
    RESET = "reset"
    READ_COUNTER = "read_counter"


@dataclass(frozen=True)
class CodeSpec:
    """One PIN/PUK object on a chip."""

    kind: CodeKind
    reference: int
    app: App
    min_length: int
    max_length: int
    max_tries: int


@dataclass(frozen=True)
class Profile:
    """Everything the client needs to know about one chip."""

    key: str
    name: str
    generation: Generation
    atr: bytes
    main_aid: bytes
    auth_aid: bytes | None
    sign_aid: bytes | None
    pin1: CodeSpec
    pin2: CodeSpec
    puk: CodeSpec
    pad_byte: int
    padded_length: int
    counter_layout: CounterLayout
    # Whether the counter GET DATA keeps its Le byte on T=0.
    counter_le_on_t0: bool
    has_change_flags: bool
    puk_changeable: bool
    unblock_style: UnblockStyle
    # P1 of SELECT by path, and the paths it is used with.
    path_select_p1: int
    personal_data_path: bytes
    personal_data_files: tuple[int, ...]
    auth_cert_path: bytes
    sign_cert_path: bytes
    fcp_size_tag: int
    read_chunk: int

    def code(self, kind: CodeKind) -> CodeSpec:
        return {CodeKind.PIN1: self.pin1, CodeKind.PIN2: self.pin2, CodeKind.PUK: self.puk}[kind]

    def aid(self, app: App) -> bytes:
        if app is App.AUTH and self.auth_aid is not None:
            return self.auth_aid
        if app is App.SIGN and self.sign_aid is not None:
            return self.sign_aid
        return self.main_aid


@dataclass(frozen=True)
class LegacyCard:
    """A pre-December-2018 card (Micardo/JavaCard "EstEID" applet, all expired).

    ``confirmed`` is False for ATRs whose only source is an unlabelled list
    and whose historical bytes name a generic chip, not EstEID: such a card
    *may* be an old Estonian card, and wording should say so.
    """

    atr: bytes
    description: str
    confirmed: bool

    @property
    def generation(self) -> Generation:
        return Generation.LEGACY


@dataclass(frozen=True)
class CodeCounter:
    """Retry counter (and, on Thales, the "changed since issue" flag) of one code."""

    kind: CodeKind
    tries_left: int
    # IDEMIA answers the maximum in tag 9A; the Thales answer has no field
    # known to hold it (§4.3), so it is None there.
    max_tries: int | None
    # Thales DF2F: True = changed since issue, False = never changed (PIN2:
    # must be changed before signing; PIN1: card not activated, §4.4).
    # None when the chip has no such flag (IDEMIA) or the card omitted it;
    # every reference stack treats an absent flag as "active".
    changed: bool | None

    @property
    def blocked(self) -> bool:
        return self.tries_left == 0

    @property
    def needs_change(self) -> bool:
        """True only when the card explicitly says the code was never changed."""
        return self.changed is False


@dataclass(frozen=True)
class Step:
    """One command of an operation, with what a failure of it would mean.

    ``code`` is the secret whose retry counter this command can consume, or
    None if a failure here is not a wrong-code failure.
    """

    command: Command
    purpose: StepPurpose
    code: CodeKind | None = None


# --- Byte values -------------------------------------------------------------

# Max tries 3 for every code on both generations: LEID mock tag 9A = 03,
# LEID EstEIDThales::maximumPinRetries, OSC max_tries (§2).
_MAX_TRIES = 3
# Code lengths PIN1 4-12, PIN2 5-12, PUK 8-12 on both generations (§2: LEID
# PcscElectronicID.hpp / EstEID*.hpp, OSC pin_min, DD4 minPinLen).
_PIN1_LEN = (4, 12)
_PIN2_LEN = (5, 12)
_PUK_LEN = (8, 12)
# Every PIN field is padded to 12 bytes (§2: LEID PIN_PADDING_CHAR, DD4
# pinTemplate resize(12), OSC stored_length 12).
_PADDED_LENGTH = 12

# IDEMIA main IAS-ECC AID (§3.1: LEID MAIN_AID, DD4 IDEMIACard::AID, OSC IASECC_AID, PERSO).
_IDEMIA_MAIN_AID = bytes.fromhex("A000000077010800070000FE00000100")
# IDEMIA authentication app "AWP", DF ADF1 (§3.1: LEID ADF1_AID, DD4 AID_OT, NFCA, NFCI).
_IDEMIA_AWP_AID = bytes.fromhex("E828BD080FF2504F5420415750")
# IDEMIA signing app, ASCII "QSCD Application" (§3.1: LEID ADF2_AID, DD4 AID_QSCD, NFCA, NFCI).
_IDEMIA_QSCD_AID = b"QSCD Application"


def _idemia(key: str, name: str, atr: bytes) -> Profile:
    """The two IDEMIA chips differ only in their ATR (§1, §3)."""
    return Profile(
        key=key,
        name=name,
        generation=Generation.IDEMIA,
        atr=atr,
        main_aid=_IDEMIA_MAIN_AID,
        auth_aid=_IDEMIA_AWP_AID,
        sign_aid=_IDEMIA_QSCD_AID,
        # PIN1 ref 01, global; counters read with the main AID current
        # (§3.2: LEID AUTH_PIN_REFERENCE, DD4, OSC PIN1_REF).
        pin1=CodeSpec(CodeKind.PIN1, 0x01, App.MAIN, *_PIN1_LEN, _MAX_TRIES),
        # PIN2 ref 85, local to the QSCD app, which must be selected first
        # (§3.2: LEID SIGN_PIN_REFERENCE, DD4 change/replace/updateCounters, OSC).
        pin2=CodeSpec(CodeKind.PIN2, 0x85, App.SIGN, *_PIN2_LEN, _MAX_TRIES),
        # PUK ref 02, global (§3.2: DD4, OSC PUK_REF).
        puk=CodeSpec(CodeKind.PUK, 0x02, App.MAIN, *_PUK_LEN, _MAX_TRIES),
        # Pad byte FF (§2: LEID EIDIDEMIA.cpp, DD4 IDEMIACard::pinTemplate, OSC pad_char).
        pad_byte=0xFF,
        padded_length=_PADDED_LENGTH,
        counter_layout=CounterLayout.IDEMIA_BF81,
        # Only LEID's Thales code drops Le on T=0; IDEMIA always sends Le=00 (§4.3).
        counter_le_on_t0=True,
        # IDEMIA has no "must be changed" state in any reference code (§3.3:
        # LEID pinActive always true, NFCA pinChangedFlag constant 1).
        has_change_flags=False,
        # PUK can be changed (§3.3: DD4 pukReplacable default true, NFCI
        # canChangePUK = true; IDEE-PIN).
        puk_changeable=True,
        # §3.3: DD4 IDEMIACard::replace, OSC esteid_pin_cmd, NFCA/NFCI.
        unblock_style=UnblockStyle.VERIFY_PUK_THEN_RESET,
        # SELECT by path P1=09 with the path from 3F00 (§3.1: DD4 loadPerso
        # "00A4090C 04 3F00 5000" and cert paths, OSC esteid_select_file).
        path_select_p1=0x09,
        # Personal-data DF 3F00/5000 (§3.1: DD4, SIIMP, NFCA, NFCI, PERSO).
        personal_data_path=bytes.fromhex("3F005000"),
        # EFs 5001..500F (§5: DD4 2018 code and SIIMP read 1..15).
        personal_data_files=tuple(range(0x5001, 0x5010)),
        # Auth certificate 3F00/ADF1/3401, sign certificate 3F00/ADF2/341F
        # (§3.1: DD4 readCert, LEID, OSC).
        auth_cert_path=bytes.fromhex("3F00ADF13401"),
        sign_cert_path=bytes.fromhex("3F00ADF2341F"),
        # File size in FCP tag 80 (§3.1: LEID mock 62 04 80 02 04 07; DD4 parseFCI 0x80).
        fcp_size_tag=0x80,
        # UNVERIFIED: 0xC0 is an inference (§3.5, §13.9): LEID uses it for both
        # IDEMIA ATRs as a reader workaround, DD4 only for Cosmo X (Le=00 for
        # Cosmo 8), OSC max_recv_size 233 "empirical".
        read_chunk=0xC0,
    )


IDEMIA_COSMO_8 = _idemia(
    "idemia-cosmo8",
    "IDEMIA Cosmo 8.1/8.2 (EstEID 2018)",
    # §1: LEID electronic-id.cpp, DD4 IDEMIACard::ATR_COSMO8, OSC card-esteid2018.c,
    # NFCA Token.java, NFCI Idemia.swift, PERSO.
    bytes.fromhex("3BDB960080B1FE451F830012233F536549440F9000F1"),
)

IDEMIA_COSMO_X = _idemia(
    "idemia-cosmox",
    "IDEMIA Cosmo X (EstEID 2018 v2)",
    # §1: LEID "EstEID Idemia Cosmo X" (commit 6f7730e), DD4 ATR_COSMOX,
    # OSC "EstEID 2018 v2".
    bytes.fromhex("3BDC960080B1FE451F830012233F54654944320F9000C3"),
)

THALES = Profile(
    key="thales",
    name="Thales (EstEID 2025)",
    generation=Generation.THALES,
    # §1: LEID "EstEID Thales v1.0", DD4 THALESCard::isSupported, OSC
    # card-esteid2025.c, NFCA, NFCI, PERSO.
    atr=bytes.fromhex("3BFF9600008031FE438031B85365494464B085051012233F1D"),
    # PKCS#15 applet: RID A000000063 + ASCII "PKCS-15" (§4.1: LEID
    # SELECT_MAIN_AID, DD4 THALESCard::AID, OSC THALES_AID, PERSO).
    main_aid=bytes.fromhex("A000000063504B43532D3135"),
    auth_aid=None,
    sign_aid=None,
    # PIN1 81, PIN2 82, PUK 83, all in the one applet (§4.2: LEID, DD4 0x80|type,
    # OSC pin_ref, NFCA, NFCI).
    pin1=CodeSpec(CodeKind.PIN1, 0x81, App.MAIN, *_PIN1_LEN, _MAX_TRIES),
    pin2=CodeSpec(CodeKind.PIN2, 0x82, App.MAIN, *_PIN2_LEN, _MAX_TRIES),
    puk=CodeSpec(CodeKind.PUK, 0x83, App.MAIN, *_PUK_LEN, _MAX_TRIES),
    # Pad byte 00 (§2: LEID EIDThales.cpp, DD4 THALESCard::pinTemplate, OSC pad_char).
    pad_byte=0x00,
    padded_length=_PADDED_LENGTH,
    counter_layout=CounterLayout.THALES_A0,
    # LEID EIDThales::pinRetriesLeft omits Le on T=0; DD4/OSC/NFCA/NFCI
    # always send Le=00 (§4.3, §8).
    counter_le_on_t0=False,
    # DF2F "PIN changed" flag (§4.3: NFCI, DD4 updateCounters, OSC, LEID).
    has_change_flags=True,
    # §4.3: DD4 pukReplacable=false, NFCA "Cannot change PUK code", NFCI
    # canChangePUK=false, IDEE-PIN "PUK-code can not be changed".
    # UNVERIFIED: what the card answers to 00 24 00 83 is unknown; never sent.
    puk_changeable=False,
    # §4.3: DD4 THALESCard::replace, NFCA unblockAndChangeCode, NFCI unblockCode.
    unblock_style=UnblockStyle.RESET_WITH_PUK,
    # SELECT by path from MF (MF id omitted), P1=08 (§4.1: DD4, OSC
    # card-esteid2025.c, NFCA, NFCI, PERSO).
    path_select_p1=0x08,
    # Personal-data DF DFDD (§4.1: DD4 THALESCard::loadPerso, NFCA/NFCI, PERSO).
    personal_data_path=bytes.fromhex("DFDD"),
    # EFs 5001..5008 (§4.1/§5: DD4 reads 1..8 and fails if any is missing).
    # UNVERIFIED: whether 5009..500F exist on Thales is unknown (§13.3).
    personal_data_files=tuple(range(0x5001, 0x5009)),
    # Auth ADF1/3411, sign ADF2/3421 (§4.1: LEID authCertFile, DD4, OSC
    # cert_paths, NFCA, NFCI, PERSO).
    auth_cert_path=bytes.fromhex("ADF13411"),
    sign_cert_path=bytes.fromhex("ADF23421"),
    # File size in FCP tag 81 (§4.1: DD4 parseFCI 0x81; LEID/NFCA/NFCI accept 80 or 81).
    fcp_size_tag=0x81,
    # UNVERIFIED: NFCA/NFCI cap reads at 0xE5; LEID and DD4 use Le=00 (256)
    # on Thales (§4.1, §13.9). 0xE5 satisfies both observations.
    read_chunk=0xE5,
)

PROFILES: tuple[Profile, ...] = (IDEMIA_COSMO_8, IDEMIA_COSMO_X, THALES)

# Legacy ATRs: §11. All these cards expired by 2023; they are recognised only
# to route the holder to a replacement instead of reporting "unknown card".
LEGACY_CARDS: tuple[LegacyCard, ...] = (
    # OSC card-mcrd.c history (b227fb8^ / 7c19a92^), LEID a89a2b1^.
    LegacyCard(
        bytes.fromhex("3BFE1800008031FE454573744549442076657220312E30A8"),
        "EstEID 3.0 (dev1) cold",
        confirmed=True,
    ),
    LegacyCard(
        bytes.fromhex("3BFE1800008031FE45803180664090A4561B168301900086"),
        "EstEID 3.0 (dev1) warm",
        confirmed=True,
    ),
    LegacyCard(
        bytes.fromhex("3BFE1800008031FE45803180664090A4162A0083019000E1"),
        "EstEID 3.0 (dev2) warm",
        confirmed=True,
    ),
    LegacyCard(
        bytes.fromhex("3BFE1800008031FE45803180664090A4162A00830F9000EF"),
        "EstEID 3.0 (18.01.2011) / 3.5 / Gemalto v3.5.8 warm",
        confirmed=True,
    ),
    LegacyCard(
        bytes.fromhex("3BFA1800008031FE45FE654944202F20504B4903"),
        "EstEID 3.5 / Gemalto v3.5.8 cold",
        confirmed=True,
    ),
    # npm esteid@0.0.5 esteid.js (unlabelled list); the historical bytes spell
    # "EstEID ver 1.0", so the card names itself as EstEID.
    LegacyCard(
        bytes.fromhex("3BFE9400FF80B1FA451F034573744549442076657220312E3043"),
        "EstEID 1.0",
        confirmed=True,
    ),
    LegacyCard(
        bytes.fromhex("3BDE18FFC080B1FE451F034573744549442076657220312E302B"),
        "EstEID 1.0 (2007, cold)",
        confirmed=True,
    ),
    LegacyCard(
        bytes.fromhex("3B5E11FF4573744549442076657220312E30"),
        "EstEID 1.0",
        confirmed=True,
    ),
    LegacyCard(
        bytes.fromhex("3B6E00004573744549442076657220312E30"),
        "EstEID 1.0",
        confirmed=True,
    ),
    # UNVERIFIED: listed only by npm esteid@0.0.5 without a label; the
    # historical bytes name generic chips ("SF-4CC-01", "JCOPv241"), which
    # other, non-Estonian cards may share.
    LegacyCard(
        bytes.fromhex("3BF9180000C00A31FE4553462D3443432D303181"),
        "possibly an old EstEID card (SF-4CC-01 chip)",
        confirmed=False,
    ),
    LegacyCard(
        bytes.fromhex("3BF81300008131FE454A434F5076323431B7"),
        "possibly an old EstEID card (JCOP v2.4.1 chip)",
        confirmed=False,
    ),
)

_BY_ATR: dict[bytes, Profile | LegacyCard] = {
    **{card.atr: card for card in LEGACY_CARDS},
    **{profile.atr: profile for profile in PROFILES},
}


def identify(atr: bytes | bytearray | memoryview) -> Profile | LegacyCard | None:
    """The chip for an ATR, by exact match.

    All reference stacks (LEID, DD4, OSC) match EstEID ATRs exactly, without
    masks (§1). OSC additionally requires the main-AID SELECT to succeed; the
    session should do the same before trusting the result.
    """
    return _BY_ATR.get(bytes(atr))


# --- Builders ----------------------------------------------------------------


def encode_code(profile: Profile, kind: CodeKind, code: str) -> bytes:
    """The code as the card stores it: ASCII digits padded to 12 bytes (§2).

    Raises :class:`ValueError` (naming only the code kind and the allowed
    range) for anything but min..max ASCII digits, so a typo never costs a try.
    """
    if not isinstance(code, str):
        raise TypeError(f"{kind.name} must be given as str")
    spec = profile.code(kind)
    if not (
        spec.min_length <= len(code) <= min(spec.max_length, profile.padded_length)
        and code.isascii()
        and code.isdigit()
    ):
        raise ValueError(f"{kind.name} must be {spec.min_length}-{spec.max_length} ASCII digits")
    return code.encode("ascii").ljust(profile.padded_length, bytes((profile.pad_byte,)))


def select_application(profile: Profile, app: App) -> Command:
    """SELECT by AID with no response data, ``00 A4 04 0C Lc AID`` (§3.1, §4.1)."""
    return Command(0x00, Ins.SELECT, SELECT_BY_AID, SELECT_NO_RESPONSE, profile.aid(app))


def select_for_code(profile: Profile, kind: CodeKind) -> Command:
    """The SELECT that makes the code's reference usable.

    IDEMIA PIN2 lives in the QSCD app (§3.2). Thales needs no app switch, but
    selecting the applet guards against middleware that changed it (§4.1, §8).
    """
    return select_application(profile, profile.code(kind).app)


def verify(profile: Profile, kind: CodeKind, code: str) -> Command:
    """VERIFY ``00 20 00 ref 0C P(12)`` (§3.3, §4.3)."""
    spec = profile.code(kind)
    return Command(0x00, Ins.VERIFY, 0x00, spec.reference, encode_code(profile, kind, code))


def change_reference_data(profile: Profile, kind: CodeKind, old: str, new: str) -> Command:
    """CHANGE REFERENCE DATA ``00 24 00 ref 18 OLD(12) NEW(12)`` (§3.3, §4.3).

    Raises :class:`UnsupportedOperation` for the PUK on chips that cannot
    change it (Thales).
    """
    if kind is CodeKind.PUK and not profile.puk_changeable:
        raise UnsupportedOperation(f"the PUK cannot be changed on {profile.name} cards")
    spec = profile.code(kind)
    data = encode_code(profile, kind, old) + encode_code(profile, kind, new)
    return Command(0x00, Ins.CHANGE_REFERENCE_DATA, 0x00, spec.reference, data)


def reset_retry_counter(
    profile: Profile, kind: CodeKind, new: str, *, puk: str | None = None
) -> Command:
    """RESET RETRY COUNTER in the chip's own style.

    IDEMIA: ``00 2C 02 ref 0C NEW(12)``, sent after a successful VERIFY PUK;
    ``puk`` must be None. Thales: ``00 2C 00 ref 18 PUK(12) NEW(12)``; ``puk``
    is required. Use :func:`unblock_steps` for the whole sequence.
    """
    if kind is CodeKind.PUK:
        raise UnsupportedOperation("a blocked PUK cannot be reset from the client")
    spec = profile.code(kind)
    new_field = encode_code(profile, kind, new)
    if profile.unblock_style is UnblockStyle.VERIFY_PUK_THEN_RESET:
        if puk is not None:
            raise ValueError(
                f"{profile.name}: the PUK is verified separately, not sent in RESET RETRY COUNTER"
            )
        return Command(
            0x00, Ins.RESET_RETRY_COUNTER, RESET_WITH_NEW_ONLY, spec.reference, new_field
        )
    if puk is None:
        raise ValueError(f"{profile.name}: RESET RETRY COUNTER needs the PUK")
    puk_field = encode_code(profile, CodeKind.PUK, puk)
    return Command(
        0x00, Ins.RESET_RETRY_COUNTER, RESET_WITH_PUK_AND_NEW, spec.reference, puk_field + new_field
    )


def read_counter(profile: Profile, kind: CodeKind, *, t0: bool = False) -> Command:
    """GET DATA for the retry counter of ``kind``.

    IDEMIA: ``00 CB 3F FF 0A 4D 08 70 06 BF 81 0r 02 A0 80 00`` with
    r = ref & 0x0F (§3.3: LEID pinRetriesLeft, DD4 updateCounters, OSC, NFCA, NFCI).
    Thales: ``00 CB 00 FF 05 A0 03 83 01 ref 00``; Le is left out on T=0 as
    LEID does (§4.3).
    """
    spec = profile.code(kind)
    le: int | None = MAX_SHORT_LE if (profile.counter_le_on_t0 or not t0) else None
    if profile.counter_layout is CounterLayout.IDEMIA_BF81:
        # 4D = extended header list; 70/BF81 0r/A0 80 name the object to return.
        data = bytes((0x4D, 0x08, 0x70, 0x06, 0xBF, 0x81, spec.reference & 0x0F, 0x02, 0xA0, 0x80))
        return Command(0x00, Ins.GET_DATA_ODD, 0x3F, 0xFF, data, le)
    data = bytes((0xA0, 0x03, 0x83, 0x01, spec.reference))
    return Command(0x00, Ins.GET_DATA_ODD, 0x00, 0xFF, data, le)


def _select_path(profile: Profile, path: bytes, p2: int) -> Command:
    le = MAX_SHORT_LE if p2 == SELECT_RETURN_FCP else None
    return Command(0x00, Ins.SELECT, profile.path_select_p1, p2, path, le)


def select_personal_data(profile: Profile) -> Command:
    """SELECT the personal-data DF.

    IDEMIA ``00 A4 09 0C 04 3F 00 50 00`` (DD4; SIIMP/NFCA/NFCI/PERSO use
    ``00 A4 01 0C 02 50 00`` after the MF instead), Thales
    ``00 A4 08 0C 02 DF DD`` (DD4, NFCA, NFCI, PERSO).
    """
    return _select_path(profile, profile.personal_data_path, SELECT_NO_RESPONSE)


def select_personal_data_file(profile: Profile, file_id: int) -> Command:
    """SELECT EF ``50nn`` under the personal-data DF, ``00 A4 02 0C 02 50 nn`` (§3.1, §4.1)."""
    if file_id not in profile.personal_data_files:
        raise ValueError(f"{profile.name} has no known personal-data file {file_id:04X}")
    return Command(
        0x00, Ins.SELECT, SELECT_EF_UNDER_DF, SELECT_NO_RESPONSE, file_id.to_bytes(2, "big")
    )


def select_personal_data_file_by_path(profile: Profile, file_id: int) -> Command:
    """SELECT EF ``50nn`` by its path from the MF in one command, ``00 A4 08 0C 04 DF DD 50
    nn`` on Thales, which saves the DF SELECT (DD4 Diagnostics reads DFDD/5006 this way and
    OSC DFDD/5007; §4.1)."""
    if file_id not in profile.personal_data_files:
        raise ValueError(f"{profile.name} has no known personal-data file {file_id:04X}")
    path = profile.personal_data_path + file_id.to_bytes(2, "big")
    return _select_path(profile, path, SELECT_NO_RESPONSE)


def read_binary(offset: int, length: int) -> Command:
    """READ BINARY ``00 B0 hi lo Le`` with a 15-bit offset (ISO/IEC 7816-4)."""
    if not 0 <= offset <= 0x7FFF:
        raise ValueError(f"READ BINARY offset must be 0..32767, got {offset}")
    return Command(0x00, Ins.READ_BINARY, offset >> 8, offset & 0xFF, le=length)


def select_certificate(profile: Profile, certificate: Certificate) -> Command:
    """SELECT a certificate EF returning its FCP.

    IDEMIA ``00 A4 09 04 06 3F 00 AD F1 34 01 00`` (DD4, OSC),
    Thales ``00 A4 08 04 04 AD F1 34 11 00`` (LEID, DD4, OSC).
    """
    path = profile.auth_cert_path if certificate is Certificate.AUTH else profile.sign_cert_path
    return _select_path(profile, path, SELECT_RETURN_FCP)


# --- Parsers -----------------------------------------------------------------


def _first_byte(value: bytes, what: str, offset: int) -> int:
    if not value:
        raise MalformedResponse(f"{what} is empty (object at offset {offset})")
    return value[0]


def parse_counter(profile: Profile, kind: CodeKind, data: bytes) -> CodeCounter:
    """Parse the GET DATA answer of :func:`read_counter` (data without SW).

    IDEMIA: ``70 / BF81 0r / A0 / 9B`` = tries left, ``9A`` = maximum
    (§3.3: LEID mock, DD4 ``TLV(data)[0xBF8101][0xA0][0x9B]``).
    Thales: ``A0 / DF21`` first byte = tries left, ``A0 / DF2F`` = changed
    flag (§4.3: LEID, DD4, OSC, NFCA, NFCI all take ``value[0]``).
    """
    spec = profile.code(kind)
    items = parse(data)
    if profile.counter_layout is CounterLayout.IDEMIA_BF81:
        template = require(items, 0x70, 0xBF8100 | (spec.reference & 0x0F), 0xA0)
        remaining = template.require(0x9B)
        maximum = template.find(0x9A)
        return CodeCounter(
            kind=kind,
            tries_left=_first_byte(remaining.value, "tag 9B", remaining.offset),
            max_tries=(
                None if maximum is None else _first_byte(maximum.value, "tag 9A", maximum.offset)
            ),
            changed=None,
        )
    remaining = require(items, 0xA0, 0xDF21)
    flag = find(items, 0xA0, 0xDF2F)
    # DD4 reports "locked" only for value 00 and OSC likewise; NFCI treats
    # only 01 as active. Values other than 00/01 are unseen, so follow the
    # majority: 00 = never changed, anything else = changed.
    changed = None if flag is None else _first_byte(flag.value, "tag DF2F", flag.offset) != 0
    return CodeCounter(
        kind=kind,
        tries_left=_first_byte(remaining.value, "tag DF21", remaining.offset),
        max_tries=None,
        changed=changed,
    )


def file_size_from_fcp(profile: Profile, fcp: bytes) -> int:
    """File size from the FCP returned by :func:`select_certificate`.

    IDEMIA puts it in tag 80 (``62 04 80 02 HH LL``), Thales in tag 81 (§3.1,
    §4.1). The other tag is accepted as a fallback, as LEID, NFCA and NFCI do.
    """
    items = parse(fcp)
    container = find(items, 0x62) or find(items, 0x6F)
    level = container.children if container is not None else items
    fallback = 0x81 if profile.fcp_size_tag == 0x80 else 0x80
    for tag in (profile.fcp_size_tag, fallback):
        size = find(level, tag)
        if size is not None:
            if not 1 <= len(size.value) <= 4:
                raise MalformedResponse(
                    f"file size tag {tag:02X} has {len(size.value)} bytes (offset {size.offset})"
                )
            return int.from_bytes(size.value, "big")
    raise MalformedResponse(f"FCP carries no file size (tag {profile.fcp_size_tag:02X})")


# --- Operations as ordered steps ---------------------------------------------


def read_counter_steps(profile: Profile, kind: CodeKind, *, t0: bool = False) -> tuple[Step, ...]:
    """SELECT the code's app, then GET DATA (§12 step 3)."""
    return (
        Step(select_for_code(profile, kind), StepPurpose.SELECT),
        Step(read_counter(profile, kind, t0=t0), StepPurpose.READ_COUNTER),
    )


def verify_steps(profile: Profile, kind: CodeKind, code: str) -> tuple[Step, ...]:
    return (
        Step(select_for_code(profile, kind), StepPurpose.SELECT),
        Step(verify(profile, kind, code), StepPurpose.VERIFY, kind),
    )


def change_steps(profile: Profile, kind: CodeKind, old: str, new: str) -> tuple[Step, ...]:
    """Change a code with the current one.

    Also the Thales "activate PIN2" operation when DF2F = 00 and PIN2 is not
    blocked: DD4 ActivateWithPin sends this same APDU (§4.4).
    """
    return (
        Step(select_for_code(profile, kind), StepPurpose.SELECT),
        Step(change_reference_data(profile, kind, old, new), StepPurpose.CHANGE, kind),
    )


def unblock_steps(profile: Profile, kind: CodeKind, puk: str, new: str) -> tuple[Step, ...]:
    """Set a new PIN with the PUK (whether or not the PIN is blocked).

    IDEMIA (§3.3, DD4 ``IDEMIACard::replace``): SELECT main AID, VERIFY PUK,
    for PIN2 SELECT QSCD, then RESET RETRY COUNTER with the new PIN only.
    Thales (§4.3, DD4 ``THALESCard::replace``): SELECT applet, then one
    RESET RETRY COUNTER carrying PUK || new PIN, which is where a wrong PUK
    shows up.
    """
    if kind is CodeKind.PUK:
        raise UnsupportedOperation("a blocked PUK cannot be reset from the client")
    if profile.unblock_style is UnblockStyle.VERIFY_PUK_THEN_RESET:
        steps = [
            Step(select_for_code(profile, CodeKind.PUK), StepPurpose.SELECT),
            Step(verify(profile, CodeKind.PUK, puk), StepPurpose.VERIFY, CodeKind.PUK),
        ]
        if profile.code(kind).app is not profile.puk.app:
            steps.append(Step(select_for_code(profile, kind), StepPurpose.SELECT))
        # Build the RRC before returning so a malformed new PIN fails here,
        # before the caller has sent (and spent a try on) the PUK.
        steps.append(Step(reset_retry_counter(profile, kind, new), StepPurpose.RESET))
        return tuple(steps)
    return (
        Step(select_for_code(profile, kind), StepPurpose.SELECT),
        Step(
            reset_retry_counter(profile, kind, new, puk=puk),
            StepPurpose.RESET,
            CodeKind.PUK,
        ),
    )
