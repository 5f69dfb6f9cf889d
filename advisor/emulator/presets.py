"""Named card states for tests, demos and ``advisor emulator serve`` (docs/cli.md).

Every preset uses the codes of the public test cards: PIN1 0090, PIN2 01497,
PUK 17258403. Dates are relative to ``today`` so that a preset means the same
thing on every day it is run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from advisor.emulator.card import VirtualCard
from advisor.emulator.certs import DEFAULT_SEED
from advisor.emulator.idemia import IdemiaCard
from advisor.emulator.identity import Document, Holder, add_years
from advisor.emulator.thales import ThalesCard
from advisor.errors import AdvisorError
from advisor.translatable import N_

PROFILES = ("idemia", "thales")
DEFAULT_PRESET = {"idemia": "idemia-ok", "thales": "thales-ok"}

# Issue windows of the two generations (docs/card-protocol.md, protocol facts; docs/facts.md).
IDEMIA_FIRST_ISSUE = date(2018, 12, 3)
IDEMIA_LAST_ISSUE = date(2025, 11, 14)
THALES_FIRST_ISSUE = date(2025, 11, 17)

# e-Residency digital IDs are valid for 5 years (rules/sources.json S4).
VALIDITY_YEARS = 5

# Document numbers: 9 characters, 2 letters + 7 digits (§10). The prefix
# means nothing (its meaning is unknown, §13.5).
IDEMIA_DOCUMENT_NUMBER = "NE0012345"
THALES_DOCUMENT_NUMBER = "NF0054321"


@dataclass(frozen=True)
class PresetInfo:
    name: str
    profile: str
    description: str


class UnknownPresetError(AdvisorError, ValueError):
    """No preset has this name; the message lists the presets."""

    @classmethod
    def named(cls, name: str) -> UnknownPresetError:
        return cls.translatable(
            N_("unknown emulator preset %(name)s; valid presets: %(presets)s"),
            name=repr(name),
            presets=", ".join(_PRESETS),
        )


@dataclass(frozen=True)
class _Options:
    document_type: str
    seed: str
    holder: Holder
    t0: bool


_Factory = Callable[[date, _Options], VirtualCard]


def _validity(issue: date) -> date:
    return add_years(issue, VALIDITY_YEARS) - timedelta(days=1)


def _idemia_issue(today: date) -> date:
    # About a year old, inside the IDEMIA issue window.
    return min(max(today - timedelta(days=365), IDEMIA_FIRST_ISSUE), IDEMIA_LAST_ISSUE)


def _thales_issue(today: date) -> date:
    return max(today - timedelta(days=30), THALES_FIRST_ISSUE)


def _idemia(tries: tuple[int, int, int] = (3, 3, 3), variant: str = "cosmo8") -> _Factory:
    def build(today: date, options: _Options) -> VirtualCard:
        issue = _idemia_issue(today)
        document = Document(options.document_type, IDEMIA_DOCUMENT_NUMBER, issue, _validity(issue))
        return IdemiaCard(
            holder=options.holder,
            document=document,
            variant=variant,
            tries=tries,
            seed=options.seed,
            t0=options.t0,
        )

    return build


def _expired(today: date, options: _Options) -> VirtualCard:
    issue = max(add_years(today, -6), IDEMIA_FIRST_ISSUE)
    expiry = min(_validity(issue), today - timedelta(days=1))
    if expiry <= issue:
        raise ValueError(f"no IDEMIA card can have expired by {today.isoformat()}")
    document = Document(options.document_type, IDEMIA_DOCUMENT_NUMBER, issue, expiry)
    return IdemiaCard(holder=options.holder, document=document, seed=options.seed, t0=options.t0)


def _thales(
    tries: tuple[int, int, int] = (3, 3, 3),
    *,
    pin2_changed: bool = True,
    activated: bool = True,
) -> _Factory:
    def build(today: date, options: _Options) -> VirtualCard:
        issue = _thales_issue(today)
        document = Document(options.document_type, THALES_DOCUMENT_NUMBER, issue, _validity(issue))
        return ThalesCard(
            holder=options.holder,
            document=document,
            tries=tries,
            pin2_changed=pin2_changed,
            activated=activated,
            seed=options.seed,
            t0=options.t0,
        )

    return build


_PRESETS: dict[str, tuple[str, str, _Factory]] = {
    "idemia-ok": ("idemia", N_("IDEMIA Cosmo 8, valid, all codes 3 tries"), _idemia()),
    "idemia-cosmox-ok": (
        "idemia",
        N_("IDEMIA Cosmo X (EstEID 2018 v2 ATR), valid, all codes 3 tries"),
        _idemia(variant="cosmox"),
    ),
    "idemia-pin1-blocked": ("idemia", N_("IDEMIA, PIN1 blocked"), _idemia((0, 3, 3))),
    "idemia-pin2-blocked": ("idemia", N_("IDEMIA, PIN2 blocked"), _idemia((3, 0, 3))),
    "idemia-puk-blocked": ("idemia", N_("IDEMIA, PUK blocked, PINs work"), _idemia((3, 3, 0))),
    "idemia-last-attempt": ("idemia", N_("IDEMIA, PIN1 has 1 try left"), _idemia((1, 3, 3))),
    "expired": (
        "idemia",
        N_("IDEMIA, document and certificates expired before today"),
        _expired,
    ),
    "thales-ok": ("thales", N_("Thales, activated, PIN2 changed, all codes 3 tries"), _thales()),
    "thales-new": (
        "thales",
        N_("Thales, PIN2 not yet changed (DF2F=00): must be changed before signing"),
        _thales(pin2_changed=False),
    ),
    "thales-new-pin2-blocked": (
        "thales",
        N_("Thales, PIN2 not yet changed and blocked: set it with the PUK"),
        _thales((3, 0, 3), pin2_changed=False),
    ),
    "thales-courier": (
        "thales",
        N_(
            "Thales, card not activated (PIN1 DF2F=00); this project reads the flag "
            "as a courier-delivered card, which no public source states"
        ),
        _thales(pin2_changed=False, activated=False),
    ),
    "thales-pin1-blocked": ("thales", N_("Thales, PIN1 blocked"), _thales((0, 3, 3))),
    "thales-pin2-blocked": (
        "thales",
        N_("Thales, PIN2 blocked (changed before)"),
        _thales((3, 0, 3)),
    ),
    "thales-puk-blocked": ("thales", N_("Thales, PUK blocked, PINs work"), _thales((3, 3, 0))),
}


def list_presets() -> list[PresetInfo]:
    return [PresetInfo(name, profile, text) for name, (profile, text, _) in _PRESETS.items()]


def preset_info(name: str) -> PresetInfo:
    try:
        profile, text, _ = _PRESETS[name]
    except KeyError:
        raise UnknownPresetError.named(name) from None
    return PresetInfo(name, profile, text)


def make_card(
    preset: str,
    today: date | None = None,
    *,
    document_type: str = "e_resident",
    holder: Holder | None = None,
    seed: str = DEFAULT_SEED,
    t0: bool = False,
) -> VirtualCard:
    """A fresh card in the preset's state.

    ``today`` anchors the dates (default: the current date). ``t0=True`` makes
    the card answer like a T=0 card (61xx / 6Cxx).
    """
    try:
        _, _, factory = _PRESETS[preset]
    except KeyError:
        raise UnknownPresetError.named(preset) from None
    options = _Options(document_type, seed, holder or Holder(), t0)
    return factory(today or date.today(), options)
