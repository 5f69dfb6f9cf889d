"""Virtual IDEMIA card: EstEID 2018 (Cosmo 8.1/8.2) and EstEID 2018 v2 (Cosmo X).

Facts from docs/card-protocol.md §3 (IAS-ECC profile); the sources named in comments
are those of its legend (§0: LEID, DD4, OSC, NFCA, NFCI, PERSO, SIIMP).
"""

from __future__ import annotations

from typing import ClassVar

from advisor.emulator.card import (
    DF,
    EF,
    SW,
    Command,
    CommandRefused,
    KeyObject,
    PinObject,
    Response,
    VirtualCard,
    tlv,
)
from advisor.emulator.certs import DEFAULT_SEED, CardCredentials, make_credentials
from advisor.emulator.identity import DIGITAL_DOCUMENTS, Codes, Document, Holder, card_date

# §1: exact ATRs (LEID electronic-id.cpp, DD4, OSC).
ATR_COSMO8 = bytes.fromhex("3BDB960080B1FE451F830012233F536549440F9000F1")
ATR_COSMOX = bytes.fromhex("3BDC960080B1FE451F830012233F54654944320F9000C3")
ATRS = {"cosmo8": ATR_COSMO8, "cosmox": ATR_COSMOX}

# §3.1 applications (LEID MAIN_AID / ADF1_AID / ADF2_AID, DD4, OSC).
MAIN_AID = bytes.fromhex("A000000077010800070000FE00000100")
AWP_AID = bytes.fromhex("E828BD080FF2504F5420415750")
QSCD_AID = b"QSCD Application"

FID_PERSONAL_DF = 0x5000
FID_DOCUMENT_NUMBER = 0xD003
FID_AWP = 0xADF1
FID_QSCD = 0xADF2
FID_AUTH_CERT = 0x3401
FID_SIGN_CERT = 0x341F

# §3.2 references: PIN1 and PUK global, PIN2 local to the QSCD application.
REF_PIN1 = 0x01
REF_PUK = 0x02
REF_PIN2 = 0x85
# §3.1 key references: auth 0x81 in AWP, signing 0x9F in QSCD (LEID, OSC, NFCI).
KEY_AUTH = 0x81
KEY_SIGN = 0x9F

PAD = 0xFF  # §2: IDEMIA pads codes with 0xFF to 12 bytes

# §3.3 retry-counter GET DATA: P1P2 3FFF, data 4D 08 70 06 BF 81 0r 02 A0 80.
_GET_DATA_TEMPLATE = bytes.fromhex("4D087006BF8100" + "02A080")
# Tag A1 of the reply, as in the LEID mock (meaning not in docs/card-protocol.md).
_COUNTER_A1 = bytes.fromhex("8C06F30000734300" + "9C06F30000734300")


class IdemiaCard(VirtualCard):
    profile: ClassVar[str] = "idemia"
    blocked_sw: ClassVar[int] = SW.AUTH_METHOD_BLOCKED  # 6983 (§7: LEID, DD4, NFCA, NFCI)
    # §3.1: the reference clients select with P1 00 (MF), 01, 02, 04 and 09.
    select_modes: ClassVar[frozenset[int]] = frozenset({0x00, 0x01, 0x02, 0x04, 0x09})

    def __init__(
        self,
        *,
        holder: Holder | None = None,
        document: Document,
        variant: str = "cosmo8",
        codes: Codes | None = None,
        tries: tuple[int, int, int] = (3, 3, 3),
        seed: str = DEFAULT_SEED,
        policy_oid: str | None = None,
        t0: bool = False,
    ) -> None:
        """``tries`` = tries left for (PIN1, PIN2, PUK)."""
        super().__init__(t0=t0)
        if variant not in ATRS:
            raise ValueError(f"unknown IDEMIA variant {variant!r}; valid: {', '.join(ATRS)}")
        self.variant = variant
        self.atr = ATRS[variant]
        self.holder = holder or Holder()
        self.document = document
        codes = codes or Codes()
        self.credentials: CardCredentials = make_credentials(
            "idemia", self.holder, document, seed, policy_oid
        )
        self._build_files()
        self.pins = {
            # Lengths §2: PIN1 4-12, PIN2 5-12, PUK 8-12; 3 tries.
            "pin1": PinObject("pin1", REF_PIN1, codes.pin1, 4, PAD, tries_left=tries[0]),
            "pin2": PinObject(
                "pin2", REF_PIN2, codes.pin2, 5, PAD, tries_left=tries[1], scope=self.qscd
            ),
            "puk": PinObject("puk", REF_PUK, codes.puk, 8, PAD, tries_left=tries[2]),
        }
        self.keys = [
            KeyObject(
                KEY_AUTH,
                self.credentials.auth_key,
                self.pins["pin1"],
                frozenset({0xA4, 0xB8}),
                scope=self.awp,
            ),
            KeyObject(
                KEY_SIGN,
                self.credentials.sign_key,
                self.pins["pin2"],
                frozenset({0xB6}),
                scope=self.qscd,
                single_use_pin=True,
            ),
        ]
        self._handlers.update(
            {
                0x20: self._verify,
                0x24: self._change_reference_data,
                0x2C: self._reset_retry_counter,
                0xCB: self._get_data,
                0x88: self._internal_authenticate,
            }
        )

    # -- files --

    def personal_records(self) -> list[str]:
        """EF 5001..500F as text (§5); "" is stored as a single 00 byte."""
        h, d = self.holder, self.document
        digital = d.document_type in DIGITAL_DOCUMENTS
        return [
            h.surname,
            h.given_names,
            "" if digital else h.sex,
            h.citizenship,
            # §5: IDEMIA holds "dd MM yyyy" + space + birth place.
            "" if digital else f"{card_date(h.birth_date)} {h.birth_place}",
            h.personal_code,
            d.number,
            card_date(d.expiry_date),
            # §5.1: issue date, format unknown; our choice: date + authority.
            f"{card_date(d.issue_date)} PPA",
            "",  # 500A residence permit type
            "",  # 500B..500F notes
            "",
            "",
            "",
            "",
        ]

    def _build_files(self) -> None:
        # The main application is the MF: PERSO selects the main AID and then
        # D003, SIIMP selects the MF and then 5000 (§3.1).
        self.mf.aid = MAIN_AID
        personal = DF(FID_PERSONAL_DF)
        for i, text in enumerate(self.personal_records(), start=1):
            # §5: UTF-8 text; an empty field comes back as a single 00 (DD4).
            personal.add(EF(0x5000 + i, text.encode("utf-8") or b"\0"))
        self.mf.add(personal)
        # §3.1: EF D003 = TLV 04 LL <document number> (OSC, PERSO).
        self.mf.add(EF(FID_DOCUMENT_NUMBER, tlv(0x04, self.document.number.encode("ascii"))))
        self.awp = DF(FID_AWP, AWP_AID)
        self.awp.add(EF(FID_AUTH_CERT, self.credentials.auth_cert_der))
        self.qscd = DF(FID_QSCD, QSCD_AID)
        self.qscd.add(EF(FID_SIGN_CERT, self.credentials.sign_cert_der))
        self.mf.add(self.awp)
        self.mf.add(self.qscd)

    def _fcp(self, node: EF | DF) -> bytes:
        if isinstance(node, EF):
            # §3.1: 62 04 80 02 <size> (LEID mock); only tag 80 carries the size.
            return tlv(0x62, tlv(0x80, len(node.data).to_bytes(2, "big")))
        body = tlv(0x82, b"\x38") + tlv(0x83, node.fid.to_bytes(2, "big"))
        if node.aid:
            body += tlv(0x84, node.aid)
        return tlv(0x62, body)

    # -- codes --

    def _pin_by_ref(self, ref: int) -> PinObject:
        for pin in self.pins.values():
            if pin.ref == ref:
                if pin.scope is not None and not self.current_df.is_within(pin.scope):
                    # PIN2 lives in the QSCD DF; clients select it first (§3.2).
                    raise CommandRefused(SW.REFERENCED_DATA_NOT_FOUND)
                return pin
        raise CommandRefused(SW.REFERENCED_DATA_NOT_FOUND)

    def _verify(self, command: Command) -> Response:
        if command.p1 != 0x00:
            raise CommandRefused(SW.INCORRECT_P1P2)
        pin = self._pin_by_ref(command.p2)
        if not command.data:
            return self._verify_status(pin)
        if len(command.data) != PinObject.BLOCK_LENGTH:
            raise CommandRefused(SW.WRONG_LENGTH)
        self._present(pin, command.data)
        pin.verified = True
        return Response()

    def _change_reference_data(self, command: Command) -> Response:
        # §3.3: 00 24 00 <ref> 18 OLD(12) NEW(12); the PUK can be changed too.
        if command.p1 != 0x00:
            raise CommandRefused(SW.INCORRECT_P1P2)
        pin = self._pin_by_ref(command.p2)
        if len(command.data) != 2 * PinObject.BLOCK_LENGTH:
            raise CommandRefused(SW.WRONG_LENGTH)
        old, new_block = command.data[:12], command.data[12:]
        self._present(pin, old)
        new = self._new_code(pin, new_block)
        if new == pin.value:
            # §7: 6985 = old and new the same (DD4, LEID comment).
            raise CommandRefused(SW.CONDITIONS_NOT_SATISFIED)
        pin.value = new
        pin.verified = False
        return Response()

    def _reset_retry_counter(self, command: Command) -> Response:
        # §3.3: two steps, VERIFY PUK then 00 2C 02 <ref> 0C NEW(12).
        if command.p1 != 0x02:
            raise CommandRefused(SW.INCORRECT_P1P2)
        pin = self._pin_by_ref(command.p2)
        if pin.ref == REF_PUK:
            raise CommandRefused(SW.CONDITIONS_NOT_SATISFIED)
        if len(command.data) != PinObject.BLOCK_LENGTH:
            raise CommandRefused(SW.WRONG_LENGTH)
        if not self.pins["puk"].verified:
            raise CommandRefused(SW.SECURITY_STATUS_NOT_SATISFIED)
        pin.value = self._new_code(pin, command.data)
        pin.tries_left = pin.max_tries
        pin.verified = False
        return Response()

    def _get_data(self, command: Command) -> Response:
        if command.p1p2 != 0x3FFF:
            raise CommandRefused(SW.INCORRECT_P1P2)
        data = command.data
        if len(data) != len(_GET_DATA_TEMPLATE) or data[:6] + data[7:] != (
            _GET_DATA_TEMPLATE[:6] + _GET_DATA_TEMPLATE[7:]
        ):
            raise CommandRefused(SW.INCORRECT_DATA)
        # r = reference & 0x0F: 01 PIN1, 02 PUK, 05 PIN2 (§3.3).
        by_low = {pin.ref & 0x0F: pin for pin in self.pins.values()}
        if data[6] not in by_low:
            raise CommandRefused(SW.REFERENCED_DATA_NOT_FOUND)
        pin = self._pin_by_ref(by_low[data[6]].ref)
        # §3.3 layout: 70 → BF 81 0r → A0 { 9A max, 9B left, A1 … } (LEID mock).
        inner = (
            tlv(0x9A, bytes([pin.max_tries]))
            + tlv(0x9B, bytes([pin.tries_left]))
            + tlv(0xA1, _COUNTER_A1)
        )
        return Response(tlv(0x70, tlv(0xBF8100 | data[6], tlv(0xA0, inner))))

    # -- keys --

    def _internal_authenticate(self, command: Command) -> Response:
        # §3.4: MSE SET A4 with key 81, VERIFY PIN1, then 00 88 00 00 Lc <hash>.
        if command.p1p2 != 0x0000:
            raise CommandRefused(SW.INCORRECT_P1P2)
        return self._sign(self._key_for(0xA4), command.data)
