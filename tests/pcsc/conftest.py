"""The PC/SC tier: a real pcscd with vsmartcard's vpcd driver and our virtual cards.

It runs only where ``.ci/pcsc-env`` set it up (a private pcscd in its own mount and
network namespace) and exported ``ADVISOR_PCSC_TIER=1``; anywhere else every test here is
skipped, so that a developer's pcscd and readers are never touched::

    bash .ci/pcsc-env .venv/bin/python -m pytest -m pcsc tests/pcsc
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.pcsc.slots import SLOT0, SLOT1, VPCD_PORT, Slot

TIER = os.environ.get("ADVISOR_PCSC_TIER") == "1"
SKIP_REASON = (
    "PC/SC tier: needs the private pcscd + vpcd set up by .ci/pcsc-env "
    "(bash .ci/pcsc-env .venv/bin/python -m pytest -m pcsc tests/pcsc), "
    "which sets ADVISOR_PCSC_TIER=1"
)


@pytest.fixture(autouse=True)
def _pcsc_tier_only() -> None:
    if not TIER:
        pytest.skip(SKIP_REASON)
    try:
        import smartcard.scard  # noqa: F401
    except ImportError as err:  # in the tier this is a broken setup, not a skip
        pytest.fail(f"ADVISOR_PCSC_TIER=1 but pyscard does not import: {err}")


@pytest.fixture
def slot0() -> Iterator[Slot]:
    slot = Slot(SLOT0, VPCD_PORT)
    yield slot
    slot.close()


@pytest.fixture
def slot1() -> Iterator[Slot]:
    slot = Slot(SLOT1, VPCD_PORT + 1)
    yield slot
    slot.close()
