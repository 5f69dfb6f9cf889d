"""The card session: read what the advisor needs from a card, and change, unblock or
activate its codes safely.

``CardSession(connection)`` knows the chip from the ATR; ``status()`` reads the
counters, the Thales flags, the personal data and the certificates in one
transaction with as few APDUs as the chip allows (each costs tens of
milliseconds on a real reader; ``apdu_count`` counts them). The operations
check everything that can be checked before a code is sent: the new code's
policy, blocked codes, a last attempt, an unactivated card. The CLI adds its
prompts on top; nothing here prompts, prints or decides a route.

Codes arrive as ``str`` arguments, go straight into the command that carries
them and are never stored on an object, logged, or put in a message. With a
pin-pad reader they are typed on the reader and never pass through here.

Byte-level choices cite card-protocol.md (``§n``) and its source legend (LEID,
DD4, OSC, ...). ``UNVERIFIED`` marks what rests on an inference.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Final

from advisor.card.apdu import MAX_SHORT_LE, Command, Response, check_code_status
from advisor.card.errors import (
    AlreadyActivated,
    CardError,
    CardNotActivated,
    CodeBlocked,
    LastAttemptNotConfirmed,
    MalformedResponse,
    NotEstonianCard,
    PolicyViolation,
    RemovedAfterSending,
    StatusError,
    UnsupportedOperation,
    WrongCode,
)
from advisor.card.pinpad import PinPad, PinPadStep, change_plan, detect, unblock_plan
from advisor.card.policy import Violation, check_current_code, check_new_code
from advisor.card.profiles import (
    THALES,
    App,
    Certificate,
    CodeCounter,
    LegacyCard,
    Profile,
    Step,
    StepPurpose,
    change_steps,
    file_size_from_fcp,
    identify,
    parse_counter,
    read_binary,
    read_counter_steps,
    select_application,
    select_certificate,
    select_personal_data,
    select_personal_data_file,
    select_personal_data_file_by_path,
    unblock_steps,
)
from advisor.card.status import (
    CardStatus,
    CertificateInfo,
    CodeState,
    OperationResult,
    PersonalData,
    Preflight,
)
from advisor.iso7816 import SELECT_NO_RESPONSE, SW, Ins
from advisor.model import CodeKind, CodeOperation, Generation
from advisor.translatable import N_
from advisor.transport import CardRemoved, Connection

__all__ = ["CardSession"]

log = logging.getLogger(__name__)

# Personal-data EFs (§5; DD4 PersonalDataType 1..9).
EF_SURNAME: Final = 0x5001
EF_GIVEN_NAMES: Final = 0x5002
EF_BIRTH: Final = 0x5005
EF_PERSONAL_CODE: Final = 0x5006
EF_DOCUMENT_NUMBER: Final = 0x5007
EF_EXPIRY: Final = 0x5008
EF_ISSUE: Final = 0x5009

# Chips whose personal-data EFs are selected by one path from the MF,
# ``00 A4 08 0C 04 DF DD 50 nn``, which saves the DF SELECT: DD4 Diagnostics
# reads DFDD/5006 this way and OSC reads DFDD/5007 by path (§4.1). For IDEMIA
# no source selects 3F00/5000/50nn in one path, so it keeps DF then EF (§3.1).
_PERSONAL_BY_PATH: Final = frozenset({THALES.key})

# Dates on the chip are "dd MM yyyy" (§5: DD4, NFCA, NFCI); EF 5005 and 5009
# carry more text after the date, which is ignored (DD4 takes left(10)).
_CARD_DATE = re.compile(r"(\d{2})[ .](\d{2})[ .](\d{4})")

# UNVERIFIED: PIN1 DF2F = 00 meaning "card not activated" is LEID's and DD4's
# reading (§4.4); no specification says so.
_NOTE_CARD_ACTIVATED: Final = (
    "card_activated: read from PIN1's DF2F flag (00 = not activated) as LEID a21ad62 and "
    "DD4 9c5e37cb interpret it; how a card is activated on the wire is unknown "
    "(docs/card-protocol.md §4.4, §13.2)"
)
# UNVERIFIED: the format of IDEMIA EF 5009 is unknown (§5.1); a leading
# "dd MM yyyy" is taken as the issue date, anything else leaves it unknown.
_NOTE_ISSUE_DATE: Final = (
    "issue_date: parsed from the start of EF 5009, whose format is unknown "
    "(docs/card-protocol.md §5.1)"
)


# --- Helpers -----------------------------------------------------------------

_Policy = Callable[[str | None, date | None], list[Violation]]
_Action = Step | PinPadStep


@dataclass(frozen=True, repr=False)
class _Plan:
    """What an operation sends, and the new-code check once the card's data is known."""

    steps: tuple[_Action, ...]
    policy: _Policy | None = None


def _card_date(text: str | None) -> date | None:
    if not text:
        return None
    match = _CARD_DATE.match(text)
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _text(data: bytes) -> str | None:
    # UTF-8 text; an empty field may be a single 00 byte (§5, DD4); callers trim.
    text = data.decode("utf-8", errors="replace").strip().strip("\x00").strip()
    return text or None


def _der_length(prefix: bytes) -> int | None:
    """Total length of the DER object that ``prefix`` starts, if its header is there.

    The EF may be longer than the certificate (LEID reads the DER length,
    docs/emulator.md item 14), so the header decides how much to read.
    """
    if len(prefix) < 2 or prefix[0] != 0x30:
        return None
    first = prefix[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if not 1 <= count <= 3 or len(prefix) < 2 + count:
        return None
    return 2 + count + int.from_bytes(prefix[2 : 2 + count], "big")


def _require_code(kind: CodeKind, value: str | None, role: str) -> str:
    if value is None:
        raise ValueError(f"the {role} {kind.name} is required (the reader has no pin pad)")
    if not isinstance(value, str):
        raise TypeError(f"the {role} {kind.name} must be given as str")
    return value


def _check_current(kind: CodeKind, code: str) -> None:
    """Refuse a current code or PUK that cannot be right: wrong length or not digits."""
    bad = check_current_code(kind, code)
    if bad:
        raise PolicyViolation(kind, bad, current=True)


def _ordered(profile: Profile, kinds: set[CodeKind]) -> tuple[CodeKind, ...]:
    # Codes of the main application first, then those that need another
    # (IDEMIA PIN2 in QSCD), so each application is selected once.
    canonical = (CodeKind.PIN1, CodeKind.PUK, CodeKind.PIN2)
    return tuple(
        sorted(kinds, key=lambda k: (profile.code(k).app is not App.MAIN, canonical.index(k)))
    )


# --- The session -------------------------------------------------------------


class CardSession:
    """One card in one reader; every public call is one PC/SC transaction.

    ``language`` picks the prompts a pin-pad reader shows (en, et, ru);
    ``environ`` replaces ``os.environ`` for the ``ADVISOR_NO_PINPAD`` opt-out.
    """

    def __init__(
        self,
        connection: Connection,
        *,
        language: str = "en",
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._connection = connection
        self._atr = bytes(connection.atr)
        card = identify(self._atr)
        if card is None:
            raise NotEstonianCard(f"unknown ATR {self._atr.hex().upper()}")
        self._profile: Profile | None = card if isinstance(card, Profile) else None
        self._legacy: LegacyCard | None = card if isinstance(card, LegacyCard) else None
        self._language = language
        self._environ = environ
        self.apdu_count = 0
        # The last SELECT (P2=0C) sent in this transaction, to skip an identical one.
        self._last_select: bytes | None = None
        # Personal-data text by EF, read once per session: it cannot change
        # while the card stays connected (a swap ends the connection).
        self._files: dict[int, str | None] = {}
        self._pinpad_detected = False
        self._pinpad: PinPad | None = None

    # -- what the ATR told --

    @property
    def profile(self) -> Profile | None:
        """The chip profile; None for a legacy card."""
        return self._profile

    @property
    def legacy(self) -> LegacyCard | None:
        return self._legacy

    @property
    def generation(self) -> Generation:
        return self._profile.generation if self._profile else Generation.LEGACY

    @property
    def chip(self) -> str:
        if self._profile is not None:
            return self._profile.name
        assert self._legacy is not None
        return self._legacy.description

    @property
    def reader(self) -> str:
        return self._connection.reader

    @property
    def pinpad(self) -> PinPad | None:
        """The reader's pin pad (detected once, without talking to the card)."""
        if not self._pinpad_detected:
            self._pinpad = detect(self._connection, self._environ)
            self._pinpad_detected = True
        return self._pinpad

    @property
    def uses_pinpad(self) -> bool:
        """True when operations take their codes from the reader, not as arguments."""
        return self.pinpad is not None

    def _require_profile(self) -> Profile:
        if self._profile is None:
            raise UnsupportedOperation.translatable(
                N_("cards issued before December 2018 have expired and must be replaced")
            )
        return self._profile

    # -- the wire --

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._last_select = None
        try:
            with self._connection.transaction():
                yield
        finally:
            self._last_select = None

    def _exchange(self, raw: bytes, shown: str) -> Response:
        self.apdu_count += 1
        log.debug("> %s", shown)
        answer = self._connection.transmit(raw)
        try:
            response = Response.from_bytes(answer)
        except ValueError:
            raise MalformedResponse(f"answer of {len(answer)} bytes has no status word") from None
        log.debug("< %04X (%d data bytes)", response.sw, len(response.data))
        return response

    def _transmit(self, command: Command) -> Response:
        response = self._exchange(command.to_bytes(), command.redacted())
        if command.ins == Ins.SELECT:
            ok = response.ok and command.p2 == SELECT_NO_RESPONSE
            self._last_select = command.to_bytes() if ok else None
        return response

    def _control(self, step: PinPadStep) -> Response:
        self.apdu_count += 1
        log.debug("> pin pad %#x: %s", step.ioctl, step.apdu.redacted())
        answer = self._connection.control(step.ioctl, step.structure)
        try:
            response = Response.from_bytes(answer)
        except ValueError:
            raise MalformedResponse(f"pin-pad answer of {len(answer)} bytes") from None
        log.debug("< %04X", response.sw)
        return response

    def _select(self, command: Command) -> None:
        # Selecting what is already selected changes nothing; skipping it saves an APDU.
        if command.p2 == SELECT_NO_RESPONSE and command.to_bytes() == self._last_select:
            return
        response = self._transmit(command)
        if not response.ok:
            raise StatusError(response.sw, f"SELECT {command.data.hex().upper()}")

    def _open(self, profile: Profile) -> None:
        """SELECT the main application, always sent.

        It proves the ATR did not lie (OSC accepts a card only after this
        SELECT, §1), puts the card in a known state whatever other middleware
        left selected (§8), and ends any verified state: OSC logs out by
        re-selecting the main AID (§8, inference; UNVERIFIED that the card
        clears a verified PUK this way).
        """
        command = select_application(profile, App.MAIN)
        response = self._transmit(command)
        if not response.ok:
            raise NotEstonianCard(
                f"the ATR is that of {profile.name} but its main application "
                f"does not answer (status {response.sw:04X})"
            )

    # -- reading --

    def _read_counter(self, profile: Profile, kind: CodeKind) -> CodeCounter:
        select, get_data = read_counter_steps(profile, kind)
        self._select(select.command)
        response = self._transmit(get_data.command)
        if not response.ok:
            raise StatusError(response.sw, f"retry counter of {kind.name}")
        return parse_counter(profile, kind, response.data)

    def _read_counters(self, profile: Profile, kinds: set[CodeKind]) -> dict[CodeKind, CodeCounter]:
        return {kind: self._read_counter(profile, kind) for kind in _ordered(profile, kinds)}

    @staticmethod
    def _state(profile: Profile, counter: CodeCounter) -> CodeState:
        # Thales answers no maximum (§4.3): it is 3 on both chips (LEID
        # maximumPinRetries, OSC max_tries, §2).
        maximum = counter.max_tries or profile.code(counter.kind).max_tries
        changed = counter.changed if profile.has_change_flags else None
        return CodeState(counter.kind, counter.tries_left, maximum, changed)

    def _read_binary_all(self) -> bytes:
        # Le=00: the whole (short) personal-data record in one READ BINARY (DD4).
        response = self._transmit(read_binary(0, MAX_SHORT_LE))
        if response.sw not in (SW.OK, SW.END_OF_FILE_REACHED):
            raise StatusError(response.sw, "READ BINARY")
        return response.data

    def _read_personal(
        self, profile: Profile, fids: Sequence[int], notes: list[str]
    ) -> dict[int, str | None]:
        """Text of the personal-data EFs, from the cache or the card.

        A file that cannot be read is None with a note: the rest of the
        status is still worth having.
        """
        missing = [fid for fid in fids if fid not in self._files]
        if missing and profile.key not in _PERSONAL_BY_PATH:
            try:
                self._select(select_personal_data(profile))
            except StatusError as err:
                notes.append(f"personal data: DF not selectable (status {err.sw:04X})")
                missing = []
        for fid in missing:
            try:
                if profile.key in _PERSONAL_BY_PATH:
                    self._select(select_personal_data_file_by_path(profile, fid))
                else:
                    self._select(select_personal_data_file(profile, fid))
                self._files[fid] = _text(self._read_binary_all())
            except StatusError as err:
                notes.append(f"personal data: EF {fid:04X} not readable (status {err.sw:04X})")
        return {fid: self._files.get(fid) for fid in fids}

    def _read_certificate(
        self, profile: Profile, which: Certificate, notes: list[str]
    ) -> CertificateInfo | None:
        """SELECT with FCP, then READ BINARY in the chip's chunk size (§6.1).

        The length is the smaller of the FCP size and the DER length read in
        the first chunk, so no read goes past the certificate.
        """
        from advisor.card import certificates  # cryptography only when a certificate is read

        try:
            response = self._transmit(select_certificate(profile, which))
            if not response.ok:
                raise StatusError(response.sw, f"SELECT {which.value} certificate")
            try:
                size: int | None = file_size_from_fcp(profile, response.data)
            except MalformedResponse:
                size = None
            chunk = profile.read_chunk
            data = bytearray(self._read_chunk(0, min(chunk, size) if size else chunk))
            der = _der_length(bytes(data))
            total = min(x for x in (size, der) if x is not None) if (size or der) else len(data)
            while len(data) < total:
                part = self._read_chunk(len(data), min(chunk, total - len(data)))
                if not part:
                    raise MalformedResponse("certificate EF ends early")
                data += part
            info, note = certificates.parse_certificate(bytes(data[:total]))
        except (StatusError, MalformedResponse) as err:
            notes.append(f"{which.value} certificate not readable: {err}")
            return None
        if note:
            notes.append(f"{which.value} certificate: {note}")
        return info

    def _read_chunk(self, offset: int, length: int) -> bytes:
        response = self._transmit(read_binary(offset, length))
        if response.sw not in (SW.OK, SW.END_OF_FILE_REACHED):
            raise StatusError(response.sw, f"READ BINARY at {offset}")
        return response.data

    # -- status --

    def status(self, *, facts_only: bool = False) -> CardStatus:
        """Read the card: counters, flags, personal data, certificates.

        ``facts_only`` reads just what docs/facts.md facts need: counters
        and flags, expiry (and on IDEMIA issue) date, and the authentication
        certificate for the document type; no names, personal code, document
        number or signing certificate.
        """
        if self._legacy is not None:
            return self._legacy_status(self._legacy)
        profile = self._require_profile()
        start = self.apdu_count
        notes: list[str] = []
        kinds = {CodeKind.PIN1, CodeKind.PIN2, CodeKind.PUK}
        in_main = {kind for kind in kinds if profile.code(kind).app is App.MAIN}
        has_issue_file = EF_ISSUE in profile.personal_data_files
        fids = (
            [EF_EXPIRY]
            if facts_only
            else [
                EF_SURNAME,
                EF_GIVEN_NAMES,
                EF_PERSONAL_CODE,
                EF_DOCUMENT_NUMBER,
                EF_EXPIRY,
            ]
        )
        if has_issue_file:
            fids.append(EF_ISSUE)
        with self._transaction():
            self._open(profile)
            counters = self._read_counters(profile, in_main)
            files = self._read_personal(profile, fids, notes)
            auth = self._read_certificate(profile, Certificate.AUTH, notes)
            sign = None if facts_only else self._read_certificate(profile, Certificate.SIGN, notes)
            # Last, so that the one application switch (IDEMIA QSCD) comes at the end.
            counters.update(self._read_counters(profile, kinds - in_main))

        states = {kind: self._state(profile, counter) for kind, counter in counters.items()}
        pin2_activated = card_activated = None
        if profile.has_change_flags:
            for kind in (CodeKind.PIN1, CodeKind.PIN2):
                if states[kind].changed is None:
                    notes.append(
                        f"{kind.name}: the card sent no DF2F flag; taken as changed, "
                        "as every reference stack does (§4.3)"
                    )
            pin2_activated = states[CodeKind.PIN2].changed is not False
            card_activated = states[CodeKind.PIN1].changed is not False
            notes.append(_NOTE_CARD_ACTIVATED)
        issue_text = files.get(EF_ISSUE)
        issue_date = _card_date(issue_text)
        if issue_date is not None:
            notes.append(_NOTE_ISSUE_DATE)
        elif issue_text:
            notes.append("issue_date: EF 5009 does not start with a dd MM yyyy date (§5.1)")
        personal = PersonalData(
            surname=files.get(EF_SURNAME),
            given_names=files.get(EF_GIVEN_NAMES),
            personal_code=files.get(EF_PERSONAL_CODE),
            document_number=files.get(EF_DOCUMENT_NUMBER),
            expiry_date=_card_date(files.get(EF_EXPIRY)),
            issue_date=issue_date,
        )
        document_type = None
        for certificate in (auth, sign):
            if certificate is None or certificate.document_type is None:
                continue
            if document_type is None:
                document_type = certificate.document_type
            elif certificate.document_type is not document_type:
                notes.append("document_type: the two certificates name different types")
        return CardStatus(
            generation=profile.generation,
            chip=profile.name,
            reader=self.reader,
            atr=self._atr.hex().upper(),
            pin1=states[CodeKind.PIN1],
            pin2=states[CodeKind.PIN2],
            puk=states[CodeKind.PUK],
            pin2_activated=pin2_activated,
            card_activated=card_activated,
            personal=personal,
            auth_certificate=auth,
            sign_certificate=sign,
            document_type=document_type,
            unverified=tuple(notes),
            apdu_count=self.apdu_count - start,
        )

    def _legacy_status(self, legacy: LegacyCard) -> CardStatus:
        # An expired pre-2018 card: the ATR is all the advisor needs, nothing is sent.
        notes: tuple[str, ...] = ()
        if not legacy.confirmed:
            notes = (f"the ATR is listed only by an unlabelled source ({legacy.description})",)
        return CardStatus(
            generation=Generation.LEGACY,
            chip=legacy.description,
            reader=self.reader,
            atr=self._atr.hex().upper(),
            unverified=notes,
        )

    def counters(self) -> dict[CodeKind, CodeState]:
        """Only the three retry counters (and Thales flags), in one transaction."""
        profile = self._require_profile()
        with self._transaction():
            self._open(profile)
            counters = self._read_counters(profile, set(CodeKind))
        return {kind: self._state(profile, counter) for kind, counter in counters.items()}

    # -- what the chip allows --

    @property
    def puk_changeable(self) -> bool:
        """Whether the PUK can be changed with the current PUK (IDEMIA: yes; Thales: no,
        docs/card-protocol.md §4.3)."""
        return self._profile is not None and self._profile.puk_changeable

    @property
    def has_activation_flags(self) -> bool:
        """Whether the chip tells if PIN1 and PIN2 were changed since issue (Thales DF2F:
        PIN2 activation and card activation, docs/card-protocol.md §4.4)."""
        return self._profile is not None and self._profile.has_change_flags

    def preflight(
        self, operation: CodeOperation, kind: CodeKind, *, use_puk: bool | None = None
    ) -> Preflight:
        """What ``operation`` on ``kind`` would spend, read from the card before any code
        is asked for, with every refusal the operation itself would raise: an operation
        the chip does not offer, a card not activated, PIN2 already activated, the spent
        code blocked. Only counters are read; the operation reads them again.

        ``use_puk`` chooses the PIN2 activation path (default: the PUK when PIN2 is
        blocked); unblocking always spends the PUK.
        """
        operation = CodeOperation(operation)
        kind = CodeKind(kind)
        profile = self._require_profile()
        self._refuse_statically(profile, operation, kind)
        reads = self._involved(operation, kind)
        if profile.has_change_flags:
            reads.add(CodeKind.PIN1)
        with self._transaction():
            self._open(profile)
            counters = self._read_counters(profile, reads)
        spends = self._refuse_by_counters(profile, operation, kind, counters, use_puk)
        states = tuple(self._state(profile, counters[k]) for k in _ordered(profile, reads))
        spent = next(state for state in states if state.kind is spends)
        return Preflight(operation, kind, spends, spent, states)

    @staticmethod
    def _involved(operation: CodeOperation, kind: CodeKind) -> set[CodeKind]:
        """The codes whose counters an operation reads before and after."""
        if operation is CodeOperation.CHANGE:
            return {kind}
        if operation is CodeOperation.UNBLOCK:
            return {kind, CodeKind.PUK}
        return {CodeKind.PIN2, CodeKind.PUK}

    @staticmethod
    def _refuse_statically(profile: Profile, operation: CodeOperation, kind: CodeKind) -> None:
        """Refuse what the chip never offers, before anything is sent."""
        if operation is CodeOperation.CHANGE and kind is CodeKind.PUK:
            if not profile.puk_changeable:
                # docs/card-protocol.md §4.3: DD4, NFCA, NFCI, IDEE-PIN.
                raise UnsupportedOperation.translatable(
                    N_(
                        "the PUK of a %(chip)s card cannot be changed; a forgotten PUK can "
                        "be viewed in the police self-service"
                    ),
                    chip=profile.generation.label,
                )
        elif operation is CodeOperation.UNBLOCK and kind is CodeKind.PUK:
            raise UnsupportedOperation.translatable(
                N_(
                    "a PUK cannot be unblocked: an IDEMIA card needs a new code envelope, "
                    "a Thales card a new document"
                )
            )
        elif operation is CodeOperation.ACTIVATE_PIN2 and not profile.has_change_flags:
            raise UnsupportedOperation.translatable(
                N_("%(chip)s cards need no PIN2 activation: PIN2 works as issued"),
                chip=profile.generation.label,
            )

    def _refuse_by_counters(
        self,
        profile: Profile,
        operation: CodeOperation,
        kind: CodeKind,
        counters: Mapping[CodeKind, CodeCounter],
        use_puk: bool | None,
    ) -> CodeKind:
        """Refuse what the counters and flags forbid; return the code the operation spends."""
        # UNVERIFIED: what a courier card answers to CHANGE/RRC is unknown (§4.4, §13.2);
        # DD4 offers no PIN operation then, and neither do we.
        if profile.has_change_flags and counters[CodeKind.PIN1].needs_change:
            raise CardNotActivated()
        if operation is CodeOperation.ACTIVATE_PIN2:
            # An absent flag counts as changed, as in every reference stack (§4.3).
            if counters[CodeKind.PIN2].changed is not False:
                raise AlreadyActivated()
            with_puk = counters[CodeKind.PIN2].blocked if use_puk is None else use_puk
            spends = CodeKind.PUK if with_puk else CodeKind.PIN2
        elif operation is CodeOperation.UNBLOCK:
            spends = CodeKind.PUK
        else:
            spends = kind
        if counters[spends].blocked:
            states = tuple(
                self._state(profile, counters[k]) for k in _ordered(profile, set(counters))
            )
            raise CodeBlocked(spends, states, already=True)
        return spends

    # -- operations --

    def _pinpad_for_operation(self, *codes: str | None) -> PinPad | None:
        pad = self.pinpad
        if pad is not None and any(code is not None for code in codes):
            raise ValueError(
                "this reader has a pin pad: the codes are typed on the reader, "
                "so none may be passed in software"
            )
        return pad

    def _cached_policy_inputs(self) -> tuple[str | None, date | None]:
        return self._files.get(EF_PERSONAL_CODE), _card_date(self._files.get(EF_BIRTH))

    def _quick_policy(self, kind: CodeKind, new: str, old: str | None = None) -> None:
        """The new-code rules that need nothing from the card, before any APDU."""
        personal_code, birth_date = self._cached_policy_inputs()
        violations = check_new_code(
            kind, new, personal_code=personal_code, birth_date=birth_date, old_code=old
        )
        if violations:
            raise PolicyViolation(kind, violations)

    def change_code(
        self,
        kind: CodeKind | str,
        old: str | None = None,
        new: str | None = None,
        *,
        allow_last_attempt: bool = False,
    ) -> OperationResult:
        """CHANGE REFERENCE DATA of PIN1, PIN2 or (IDEMIA only) the PUK.

        Without a pin pad ``old`` and ``new`` are required; with one they must
        be None. Raises :class:`UnsupportedOperation` for the Thales PUK before
        anything is sent (§4.3: DD4, NFCA, NFCI, IDEE-PIN).
        """
        kind = CodeKind(kind)
        profile = self._require_profile()
        self._refuse_statically(profile, CodeOperation.CHANGE, kind)
        pad = self._pinpad_for_operation(old, new)
        if pad is not None:
            plan = _Plan(change_plan(profile, kind, pad, language=self._language))
        else:
            current = _require_code(kind, old, "current")
            wanted = _require_code(kind, new, "new")
            _check_current(kind, current)
            self._quick_policy(kind, wanted, current)
            plan = _Plan(
                change_steps(profile, kind, current, wanted),
                lambda code, birth: check_new_code(
                    kind, wanted, personal_code=code, birth_date=birth, old_code=current
                ),
            )
        return self._operate(
            CodeOperation.CHANGE, kind, profile, plan, allow_last_attempt=allow_last_attempt
        )

    def unblock(
        self,
        kind: CodeKind | str,
        puk: str | None = None,
        new_pin: str | None = None,
        *,
        allow_last_attempt: bool = False,
    ) -> OperationResult:
        """Set a new PIN1 or PIN2 with the PUK, blocked or not (the profile's plan).

        IDEMIA: VERIFY PUK, then RESET RETRY COUNTER with the new PIN; Thales:
        one RESET RETRY COUNTER with PUK and new PIN (§3.3, §4.3).
        """
        kind = CodeKind(kind)
        profile = self._require_profile()
        self._refuse_statically(profile, CodeOperation.UNBLOCK, kind)
        pad = self._pinpad_for_operation(puk, new_pin)
        if pad is not None:
            plan = _Plan(unblock_plan(profile, kind, pad, language=self._language))
        else:
            given_puk = _require_code(CodeKind.PUK, puk, "current")
            wanted = _require_code(kind, new_pin, "new")
            _check_current(CodeKind.PUK, given_puk)
            self._quick_policy(kind, wanted)
            plan = _Plan(
                unblock_steps(profile, kind, given_puk, wanted),
                lambda code, birth: check_new_code(
                    kind, wanted, personal_code=code, birth_date=birth
                ),
            )
        return self._operate(
            CodeOperation.UNBLOCK, kind, profile, plan, allow_last_attempt=allow_last_attempt
        )

    def activate_pin2(
        self,
        current_pin2: str | None = None,
        puk: str | None = None,
        *,
        new_pin2: str | None = None,
        use_puk: bool | None = None,
        allow_last_attempt: bool = False,
    ) -> OperationResult:
        """Thales: replace the never-changed PIN2 (DF2F = 00) so that signing works.

        With the current PIN2 it is CHANGE REFERENCE DATA (DD4 ActivateWithPin);
        with the PUK, for a blocked or forgotten PIN2, RESET RETRY COUNTER (DD4
        ActivateWithPuk) (§4.4). Give exactly one of ``current_pin2`` and
        ``puk``. On a pin-pad reader give neither; ``use_puk`` then chooses,
        and by default the PUK is used only when PIN2 is blocked.
        """
        profile = self._require_profile()
        self._refuse_statically(profile, CodeOperation.ACTIVATE_PIN2, CodeKind.PIN2)
        pad = self._pinpad_for_operation(current_pin2, puk, new_pin2)
        if pad is not None:
            pinpad = pad

            def choose_pinpad(with_puk: bool) -> _Plan:
                if with_puk:
                    return _Plan(
                        unblock_plan(profile, CodeKind.PIN2, pinpad, language=self._language)
                    )
                return _Plan(change_plan(profile, CodeKind.PIN2, pinpad, language=self._language))

            return self._operate(
                CodeOperation.ACTIVATE_PIN2,
                CodeKind.PIN2,
                profile,
                choose_pinpad,
                use_puk=use_puk,
                allow_last_attempt=allow_last_attempt,
            )
        if (current_pin2 is None) == (puk is None):
            raise ValueError("give either the current PIN2 or the PUK, not both or neither")
        wanted = _require_code(CodeKind.PIN2, new_pin2, "new")
        if current_pin2 is not None:
            current = _require_code(CodeKind.PIN2, current_pin2, "current")
            _check_current(CodeKind.PIN2, current)
            # The new PIN2 must differ from the envelope one: the card refuses an equal
            # code (§7: 6985), so it is never sent.
            self._quick_policy(CodeKind.PIN2, wanted, current)
            plan = _Plan(
                change_steps(profile, CodeKind.PIN2, current, wanted),
                lambda code, birth: check_new_code(
                    CodeKind.PIN2, wanted, personal_code=code, birth_date=birth, old_code=current
                ),
            )
        else:
            given_puk = _require_code(CodeKind.PUK, puk, "current")
            _check_current(CodeKind.PUK, given_puk)
            self._quick_policy(CodeKind.PIN2, wanted)
            plan = _Plan(
                unblock_steps(profile, CodeKind.PIN2, given_puk, wanted),
                lambda code, birth: check_new_code(
                    CodeKind.PIN2, wanted, personal_code=code, birth_date=birth
                ),
            )
        return self._operate(
            CodeOperation.ACTIVATE_PIN2,
            CodeKind.PIN2,
            profile,
            plan,
            use_puk=puk is not None,
            allow_last_attempt=allow_last_attempt,
        )

    def _operate(
        self,
        operation: CodeOperation,
        kind: CodeKind,
        profile: Profile,
        plan: _Plan | Callable[[bool], _Plan],
        *,
        use_puk: bool | None = None,
        allow_last_attempt: bool,
    ) -> OperationResult:
        """Everything one operation does, in one transaction.

        1. SELECT the main application; read the counters of the codes
           involved (and on Thales PIN1, for the activation flag).
        2. Refuse, with only reads sent, what ``preflight`` refuses, then a last
           attempt not allowed, then a new code the policy refuses once the personal
           code and birth date are known.
        3. Send the plan (``plan`` may depend on whether the PUK is spent); at the first
           failure stop.
        4. SELECT the main application again (logs out a verified PUK) and
           re-read the counters; raise the failure with them, or return them.
        """
        start = self.apdu_count
        involved = self._involved(operation, kind)
        with self._transaction():
            self._open(profile)
            reads = set(involved)
            if profile.has_change_flags:
                reads.add(CodeKind.PIN1)
            before = self._read_counters(profile, reads)
            spends = self._refuse_by_counters(profile, operation, kind, before, use_puk)
            if not isinstance(plan, _Plan):
                plan = plan(spends is CodeKind.PUK)
            if before[spends].tries_left == 1 and not allow_last_attempt:
                raise LastAttemptNotConfirmed(spends)
            if plan.policy is not None:
                self._read_personal(profile, [EF_BIRTH, EF_PERSONAL_CODE], [])
                personal_code, birth_date = self._cached_policy_inputs()
                violations = plan.policy(personal_code, birth_date)
                if violations:
                    raise PolicyViolation(kind, violations)
            failure = self._run(plan.steps)
            try:
                self._open(profile)
                after = self._read_counters(profile, involved)
            except CardRemoved as removed:
                # The codes went out; what the holder must do next depends on whether
                # the card took them, so say which, instead of "try again".
                raise RemovedAfterSending(operation, kind, done=failure is None) from removed
        counters = tuple(self._state(profile, after[k]) for k in _ordered(profile, involved))
        if failure is not None:
            code, error = failure
            if isinstance(error, WrongCode | CodeBlocked):
                spent = code or kind
                fallback = error.attempts_left if isinstance(error, WrongCode) else 0
                left = after[spent].tries_left if spent in after else fallback
                if left == 0:
                    raise CodeBlocked(spent, counters)
                raise WrongCode(left, spent, counters)
            raise error
        return OperationResult(
            operation=operation,
            kind=kind,
            counters=counters,
            used_pinpad=any(isinstance(step, PinPadStep) for step in plan.steps),
            apdu_count=self.apdu_count - start,
        )

    def _run(self, steps: Sequence[_Action]) -> tuple[CodeKind | None, CardError] | None:
        """Send the steps in order; return the first failure and the code it concerns."""
        for step in steps:
            try:
                if isinstance(step, Step) and step.purpose is StepPurpose.SELECT:
                    self._select(step.command)
                    continue
                if isinstance(step, PinPadStep):
                    response = self._control(step)
                else:
                    response = self._transmit(step.command)
                check_code_status(response.sw)
            except CardError as error:
                return step.code, error
        return None
