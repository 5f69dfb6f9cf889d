"""Virtual Thales card: EstEID 2025 (PKCS#15 applet, ESTEID2025 certificates).

Facts from docs/card-protocol.md §4; the sources named in comments are those of its
legend (§0). Where docs/card-protocol.md says UNKNOWN the behaviour is a documented choice
(docs/emulator.md).
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
    parse_tlv,
    tlv,
)
from advisor.emulator.certs import DEFAULT_SEED, CardCredentials, make_credentials
from advisor.emulator.identity import DIGITAL_DOCUMENTS, Codes, Document, Holder, card_date

# §1: exact ATR (LEID, DD4, OSC card-esteid2025.c).
ATR = bytes.fromhex("3BFF9600008031FE438031B85365494464B085051012233F1D")

# §4.1: PKCS#15 applet, RID A000000063 + "PKCS-15" (LEID, DD4, OSC).
AID = bytes.fromhex("A000000063504B43532D3135")

FID_PERSONAL_DF = 0xDFDD
FID_AUTH_DF = 0xADF1
FID_SIGN_DF = 0xADF2
FID_AUTH_CERT = 0x3411
FID_SIGN_CERT = 0x3421

# §4.2 references, all in the one applet.
REF_PIN1 = 0x81
REF_PIN2 = 0x82
REF_PUK = 0x83
# §4.1 key references: auth 01, signing 05 (LEID, OSC, NFCA).
KEY_AUTH = 0x01
KEY_SIGN = 0x05

PAD = 0x00  # §2: Thales pads codes with 0x00 to 12 bytes

# Fields of the GET DATA reply beyond DF21[0] and DF2F are not in docs/card-protocol.md
# (§4.3, unknown 4); these are shaped after the FinEID v4 example with 1-byte
# 8C/9C values, which puts DF21[0] at data offset 14 as the first DD4 code read it.
_ACCESS_MODE = b"\xf0"


class ThalesCard(VirtualCard):
    profile: ClassVar[str] = "thales"
    # §7: 6984 "reference data not usable" is what clients added for Thales
    # (DD4 16d19c6b, NFCA Thales class only) — inference: a blocked code.
    blocked_sw: ClassVar[int] = SW.REFERENCE_DATA_NOT_USABLE
    # §4.1: clients select with P1 02 (EF under the current DF), 04 (AID),
    # 08 (path from the MF, MF omitted).
    select_modes: ClassVar[frozenset[int]] = frozenset({0x02, 0x04, 0x08})

    def __init__(
        self,
        *,
        holder: Holder | None = None,
        document: Document,
        codes: Codes | None = None,
        tries: tuple[int, int, int] = (3, 3, 3),
        pin2_changed: bool = True,
        activated: bool = True,
        seed: str = DEFAULT_SEED,
        policy_oid: str | None = None,
        t0: bool = False,
    ) -> None:
        """``tries`` = tries left for (PIN1, PIN2, PUK).

        ``pin2_changed=False``: PIN2 still the envelope code, DF2F=00 (§4.4).
        ``activated=False``: a courier-delivered card, PIN1 DF2F=00 (§4.4).
        """
        super().__init__(t0=t0)
        self.atr = ATR
        self.holder = holder or Holder()
        self.document = document
        codes = codes or Codes()
        self.credentials: CardCredentials = make_credentials(
            "thales", self.holder, document, seed, policy_oid
        )
        self._build_files()
        self.pins = {
            # Lengths §2: PIN1 4-12, PIN2 5-12, PUK 8-12; 3 tries (LEID maximumPinRetries).
            "pin1": PinObject(
                "pin1", REF_PIN1, codes.pin1, 4, PAD, tries_left=tries[0], active=activated
            ),
            "pin2": PinObject(
                "pin2",
                REF_PIN2,
                codes.pin2,
                5,
                PAD,
                tries_left=tries[1],
                # A card that was never activated cannot have had PIN2 changed.
                active=pin2_changed and activated,
            ),
            "puk": PinObject("puk", REF_PUK, codes.puk, 8, PAD, tries_left=tries[2]),
        }
        self.keys = [
            KeyObject(
                KEY_AUTH, self.credentials.auth_key, self.pins["pin1"], frozenset({0xB6, 0xB8})
            ),
            KeyObject(
                KEY_SIGN,
                self.credentials.sign_key,
                self.pins["pin2"],
                frozenset({0xB6}),
                single_use_pin=True,
            ),
        ]
        self._handlers.update(
            {
                0x20: self._verify,
                0x24: self._change_reference_data,
                0x2C: self._reset_retry_counter,
                0xCB: self._get_data,
            }
        )

    @property
    def activated(self) -> bool:
        return self.pins["pin1"].active

    def activate(self) -> None:
        """What the PPA self-service does for a courier card; not an APDU (§4.4:
        the on-card mechanism is unknown)."""
        with self._lock:
            self.pins["pin1"].active = True

    # -- files --

    def personal_records(self) -> list[str]:
        """EF 5001..5008 (§5; 5009+ are not known to exist on Thales)."""
        h, d = self.holder, self.document
        digital = d.document_type in DIGITAL_DOCUMENTS
        return [
            h.surname,
            h.given_names,
            "" if digital else h.sex,
            h.citizenship,
            # §5: Thales may hold only the date (NFCA parser, inference).
            "" if digital else card_date(h.birth_date),
            h.personal_code,
            d.number,
            card_date(d.expiry_date),
        ]

    def _build_files(self) -> None:
        # The applet answers paths "from the MF" (P1=08), so it is modelled as
        # the MF; DD4 reads DFDD without selecting it (default-selected, §4.1).
        self.mf.aid = AID
        personal = DF(FID_PERSONAL_DF)
        for i, text in enumerate(self.personal_records(), start=1):
            personal.add(EF(0x5000 + i, text.encode("utf-8") or b"\0"))
        self.mf.add(personal)
        auth_df = DF(FID_AUTH_DF)
        auth_df.add(EF(FID_AUTH_CERT, self.credentials.auth_cert_der))
        sign_df = DF(FID_SIGN_DF)
        sign_df.add(EF(FID_SIGN_CERT, self.credentials.sign_cert_der))
        self.mf.add(auth_df)
        self.mf.add(sign_df)

    def _fcp(self, node: EF | DF) -> bytes:
        if isinstance(node, EF):
            # §4.1: the size is in tag 81 (DD4); 82/83 are ordinary FCP content.
            body = (
                tlv(0x81, len(node.data).to_bytes(2, "big"))
                + tlv(0x82, b"\x01")
                + tlv(0x83, node.fid.to_bytes(2, "big"))
            )
            return tlv(0x62, body)
        body = tlv(0x82, b"\x38") + tlv(0x83, node.fid.to_bytes(2, "big"))
        if node.aid:
            body += tlv(0x84, node.aid)
        return tlv(0x62, body)

    # -- codes --

    def _pin_by_ref(self, ref: int) -> PinObject:
        for pin in self.pins.values():
            if pin.ref == ref:
                return pin
        raise CommandRefused(SW.REFERENCED_DATA_NOT_FOUND)

    def _verify(self, command: Command) -> Response:
        # §4.3: 00 20 00 8r 0C P(12). A courier card still verifies (§4.4 says
        # only that "you can still login" for PIN2; same choice for PIN1).
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

    def _managed_pin(self, ref: int) -> PinObject:
        pin = self._pin_by_ref(ref)
        if pin.ref == REF_PUK:
            # §4.3: the PUK cannot be changed (DD4, NFCA, NFCI, IDEE-PIN); the
            # card's answer is unknown — our choice 6985.
            raise CommandRefused(SW.CONDITIONS_NOT_SATISFIED)
        if not self.activated:
            # §4.4: a courier card is activated in the PPA portal, not by APDUs.
            raise CommandRefused(SW.CONDITIONS_NOT_SATISFIED)
        return pin

    def _change_reference_data(self, command: Command) -> Response:
        # §4.3: 00 24 00 8r 18 OLD(12) NEW(12), r = 1 or 2.
        if command.p1 != 0x00:
            raise CommandRefused(SW.INCORRECT_P1P2)
        pin = self._managed_pin(command.p2)
        if len(command.data) != 2 * PinObject.BLOCK_LENGTH:
            raise CommandRefused(SW.WRONG_LENGTH)
        self._present(pin, command.data[:12])
        new = self._new_code(pin, command.data[12:])
        if new == pin.value:
            raise CommandRefused(SW.CONDITIONS_NOT_SATISFIED)
        pin.value = new
        pin.verified = False
        # §4.4: a change clears the "must be changed" state (DF2F → 01).
        pin.active = True
        return Response()

    def _reset_retry_counter(self, command: Command) -> Response:
        # §4.3: one APDU, 00 2C 00 8r 18 PUK(12) NEW(12). The P1=02 variant
        # (new code only, after VERIFY PUK) exists in NFCA/NFCI, unused.
        pin = self._managed_pin(command.p2)
        puk = self.pins["puk"]
        if command.p1 == 0x00:
            if len(command.data) != 2 * PinObject.BLOCK_LENGTH:
                raise CommandRefused(SW.WRONG_LENGTH)
            self._present(puk, command.data[:12])
            new_block = command.data[12:]
        elif command.p1 == 0x02:
            if len(command.data) != PinObject.BLOCK_LENGTH:
                raise CommandRefused(SW.WRONG_LENGTH)
            if not puk.verified:
                raise CommandRefused(SW.SECURITY_STATUS_NOT_SATISFIED)
            new_block = command.data
        else:
            raise CommandRefused(SW.INCORRECT_P1P2)
        pin.value = self._new_code(pin, new_block)
        pin.tries_left = pin.max_tries
        pin.verified = False
        # DD4 "ActivateWithPuk" sets PIN2 this way (§4.4), so it activates too.
        pin.active = True
        return Response()

    def _get_data(self, command: Command) -> Response:
        # §4.3: 00 CB 00 FF 05 A0 03 83 01 8r [00].
        if command.p1p2 != 0x00FF:
            raise CommandRefused(SW.INCORRECT_P1P2)
        objects = parse_tlv(command.data)
        if len(objects) != 1 or objects[0][0] != 0xA0:
            raise CommandRefused(SW.INCORRECT_DATA)
        inner = parse_tlv(objects[0][1])
        if len(inner) != 1 or inner[0][0] != 0x83 or len(inner[0][1]) != 1:
            raise CommandRefused(SW.INCORRECT_DATA)
        pin = self._pin_by_ref(inner[0][1][0])
        body = (
            tlv(0x83, bytes([pin.ref]))
            + tlv(0x8C, _ACCESS_MODE)
            + tlv(0x9C, _ACCESS_MODE)
            # DF21[0] = tries left (all stacks); [1] = maximum, our choice.
            + tlv(0xDF21, bytes([pin.tries_left, pin.max_tries]))
            + tlv(0xDF27, b"\xff\xff")
            + tlv(0xDF28, bytes([pin.max_len]))
            # DF2F: 01 changed/active, 00 must be changed (§4.3).
            + tlv(0xDF2F, b"\x01" if pin.active else b"\x00")
        )
        return Response(tlv(0xA0, body))

    # -- keys --

    def _authorize(self, key: KeyObject) -> None:
        if not self.activated:
            raise CommandRefused(SW.CONDITIONS_NOT_SATISFIED)
        if key.ref == KEY_SIGN and not self.pins["pin2"].active:
            # §4.4: the signing key is refused until PIN2 has been changed; the
            # SW is unknown (§7) — our choice 6985, checked before the PIN state.
            raise CommandRefused(SW.CONDITIONS_NOT_SATISFIED)
        super()._authorize(key)

    def _pso_hash(self, command: Command) -> Response:
        # §4.5: 00 2A 90 A0 Lc 90 <hlen> <hash>, then PSO:CDS without data.
        objects = parse_tlv(command.data)
        if len(objects) != 1 or objects[0][0] != 0x90 or not 20 <= len(objects[0][1]) <= 64:
            raise CommandRefused(SW.INCORRECT_DATA)
        self._hash = objects[0][1]
        return Response()
