"""What a holder meets first: card commands that refuse before asking, say why in their
language, and tell apart a missing pyscard, a stopped pcscd and a missing reader (issue 9,
points 11-15, 17, 19, 20)."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.cli import app
from advisor.transport import (
    LOG_CARD_DATA,
    NoMatchingReader,
    NoReader,
    NoService,
    PyscardMissing,
    redact_response,
)

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
ADVISOR = str(Path(sys.executable).parent / "advisor")


def run(args: list[str], answers: list[str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, args, input="".join(a + "\n" for a in answers or []))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


# --- 11. card commands -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        (["card", "change-pin"], "Usage: advisor card change-pin [OPTIONS] KIND"),
        (["card", "unblock"], "Usage: advisor card unblock [OPTIONS] KIND"),
        (["triage", "batch"], "Usage: advisor triage batch [OPTIONS] IN"),
    ],
)
def test_usage_lines_read_as_click_writes_them(command: list[str], usage: str) -> None:
    _code, out, _err = run([*command, "--help"])
    assert out.splitlines()[0] == usage
    assert "{" not in out.splitlines()[0]


def test_help_shows_no_types_and_no_doubled_names() -> None:
    _code, out, _err = run(["triage", "case", "--help"])
    assert "<str>" not in out
    assert "<bool>" not in out
    assert "--card-lost," not in out
    assert "…" not in out
    _code, out, _err = run(["--version"])
    assert re.fullmatch(r"advisor \d+\.\d+\.\d+\n", out)


def test_the_last_attempt_is_said_in_words_that_fit_one() -> None:
    _code, out, _err = run(["card", "status", "--virtual", "idemia-last-attempt"])
    assert "attempts left: 1 of 3" in out
    assert "attempt left" not in out


# --- 12. logs ------------------------------------------------------------------------------


def test_file_data_is_kept_out_of_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    read_binary = bytes.fromhex("00B0000000")
    personal = b"38001085718" + b"\x90\x00"
    monkeypatch.delenv(LOG_CARD_DATA, raising=False)
    shown = redact_response(read_binary, personal)
    assert shown == "<11 bytes of card data> 90 00"
    get_response = bytes.fromhex("00C0000010")
    assert "33 38" not in redact_response(get_response, personal)
    # Other answers (counters, FCP) stay readable.
    assert redact_response(bytes.fromhex("00CB3FFF"), b"\x9b\x01\x03\x90\x00") == "9B 01 03 90 00"
    monkeypatch.setenv(LOG_CARD_DATA, "1")
    assert redact_response(read_binary, personal).startswith("33 38 30")


def test_debug_logs_of_a_status_hold_no_personal_code(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    code, out, _err = run(["--log-level", "debug", "card", "status", "--virtual", "thales-ok"])
    assert code == 0
    assert "38001085718" in out  # the holder asked to see it
    assert "38001085718" not in caplog.text
    assert "33 38 30 30 31 30 38 35 37 31 38" not in caplog.text.upper()


# --- 13, 14. first contact with a reader ----------------------------------------------


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (PyscardMissing("no smartcard module"), "pip install pyscard"),
        (NoService("pcscd down"), "sudo systemctl start pcscd"),
        (NoReader("none"), "no card reader found"),
        (
            NoMatchingReader("nosuch", ["Reader A 00 00", "Reader B 01 00"]),
            "Reader A 00 00; Reader B",
        ),
    ],
)
def test_missing_pyscard_pcscd_reader_and_match_are_told_apart(
    monkeypatch: pytest.MonkeyPatch, error: Exception, says: str
) -> None:
    from advisor.transport import pcsc

    def refuse(reader: str | None = None, **kwargs: object) -> object:
        raise error

    monkeypatch.setattr(pcsc, "connect", refuse)
    code, _out, err = run(["card", "status", "--reader", "nosuch"])
    assert code == 5
    assert says in err
    assert "pcscd" not in err or isinstance(error, NoService | PyscardMissing)


def test_setup_installs_pyscard_with_what_it_builds_with() -> None:
    setup = (ROOT / ".ci" / "setup").read_text()
    assert "'.[dev,pcsc]'" in setup
    assert "libpcsclite-dev" in setup
    assert "swig" in setup


# --- 15. the emulator waits for vpcd --------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_emulator_serve_says_attached_only_once_vpcd_took_the_card() -> None:
    port = _free_port()
    process = subprocess.Popen(
        [ADVISOR, "emulator", "serve", "--vpcd", f"127.0.0.1:{port}"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "LC_ALL": "C"},
    )
    try:
        assert process.stderr is not None
        os.set_blocking(process.stderr.fileno(), False)
        seen = b""

        def read_for(seconds: float) -> bytes:
            nonlocal seen
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                chunk = process.stderr.read() if process.stderr else None
                if chunk:
                    seen += chunk
                time.sleep(0.05)
            return seen

        text = read_for(1.5).decode()
        assert "waiting for pcscd's vpcd driver" in text
        assert "Attached" not in text
        # Now a vpcd listens: the card connects, and only then is it attached.
        with socket.socket() as listener:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", port))
            listener.listen(1)
            listener.settimeout(10)
            connection, _address = listener.accept()
            with connection:
                text = read_for(1.0).decode()
                assert "Attached to vpcd" in text
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(10)


# --- 17. the end of input is no --------------------------------------------------------------


def test_the_end_of_input_at_an_offer_is_no() -> None:
    code, _out, err = run(["diagnose", "--virtual", "idemia-pin1-blocked"], ["yes", "", ""])
    assert code == 0, err
    assert "Nothing was sent to the card" in err


# --- 20. docs ----------------------------------------------------------------------------


def test_docs_and_code_cite_only_the_projects_own_files() -> None:
    outside = re.compile(r"shared/(?:reference|design)|conventions\.md|/work/")
    offenders = []
    for folder in ("advisor", "docs", "tests", "benchmarks", ".ci", "content"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".py", ".md", ".j2", ".cfg", ""} or not path.is_file():
                continue
            if path.name == Path(__file__).name or "__pycache__" in path.parts:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            offenders += [f"{path.relative_to(ROOT)}: {m}" for m in outside.findall(text)]
    assert offenders == []
