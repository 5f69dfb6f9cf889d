"""Virtual Estonian eID cards (IDEMIA and Thales) for tests and demos.

A separate, card-side implementation of the protocol in
docs/card-protocol.md: nothing here imports ``advisor.card``, so a
client bug cannot be mirrored and hidden by the emulator (docs/architecture.md).

Quick use::

    from advisor.emulator import make_card
    card = make_card("thales-new")
    card.transmit(bytes.fromhex("00A4040C0CA000000063504B43532D3135"))  # → b"\\x90\\x00"
"""

from advisor.emulator.card import SW, PinStatus, VirtualCard
from advisor.emulator.certs import CardCredentials, make_credentials
from advisor.emulator.idemia import IdemiaCard
from advisor.emulator.identity import Codes, Document, Holder
from advisor.emulator.presets import (
    DEFAULT_PRESET,
    PROFILES,
    PresetInfo,
    UnknownPresetError,
    list_presets,
    make_card,
    preset_info,
)
from advisor.emulator.thales import ThalesCard

__all__ = [
    "DEFAULT_PRESET",
    "PROFILES",
    "SW",
    "CardCredentials",
    "Codes",
    "Document",
    "Holder",
    "IdemiaCard",
    "PinStatus",
    "PresetInfo",
    "ThalesCard",
    "UnknownPresetError",
    "VirtualCard",
    "list_presets",
    "make_card",
    "make_credentials",
    "preset_info",
]
