"""Batch triage with messy files, as a support team has them: nothing is lost or
clobbered, every bad record becomes an error record of its own, and no input ends in a
traceback (issue 9, points 1-10 and 16-19)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from advisor.cli import app
from advisor.engine.decider import Decider
from advisor.errors import HIDDEN_NAME
from advisor.triage.batch import BatchInterrupted, run_batch
from advisor.triage.records import CELL_LIMIT, Item, csv_items, jsonl_items
from tests.fact_matrix import HEALTHY

runner = CliRunner()
TODAY = date(2026, 11, 27)
ADVISOR = str(Path(sys.executable).parent / "advisor")


def good(case_id: str, **changes: Any) -> bytes:
    return json.dumps(dict(HEALTHY, id=case_id, **changes)).encode()


def decide_jsonl(decider: Decider, data: bytes) -> list[dict[str, Any]]:
    out = io.StringIO()
    run_batch(decider, jsonl_items(io.BytesIO(data)), out, today=TODAY)
    return [json.loads(line) for line in out.getvalue().split("\n") if line]


def decide_csv(decider: Decider, data: bytes, encoding: str = "utf-8") -> list[dict[str, Any]]:
    out = io.StringIO()
    header, items = csv_items(io.BytesIO(data), encoding)
    run_batch(decider, items, out, header=header, today=TODAY)
    return [json.loads(line) for line in out.getvalue().split("\n") if line]


def batch(args: list[str], stdin: bytes | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["triage", "batch", *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


# --- 1. never clobber the input ------------------------------------------------------


@pytest.mark.parametrize("through_link", [False, True])
def test_the_output_cannot_be_the_input(tmp_path: Path, through_link: bool) -> None:
    source = tmp_path / "cases.jsonl"
    data = b"\n".join(good(f"c{i}") for i in range(26)) + b"\n"
    source.write_bytes(data)
    target = source
    if through_link:
        target = tmp_path / "link.jsonl"
        target.symlink_to(source)
    code, out, err = batch([str(source), "-o", str(target)])
    assert code == 2
    assert "is the input file" in err
    assert "nothing was read or written" in err
    assert source.read_bytes() == data
    assert out == ""


def test_the_output_replaces_the_old_file_only_at_the_end(tmp_path: Path) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_bytes(b"\n".join(good(f"c{i}") for i in range(5)) + b"\n")
    target = tmp_path / "out.jsonl"
    target.write_text("old decisions\n")
    code, _out, _err = batch([str(source), "-o", str(target)])
    assert code == 0
    records = [json.loads(line) for line in target.read_text().splitlines()]
    assert [r["id"] for r in records] == [f"c{i}" for i in range(5)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.jsonl", "out.jsonl"]


# --- 2. one bad record is one error record ---------------------------------------------


def test_bad_bytes_and_values_become_error_records_in_order(decider: Decider) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    data = b"\n".join(
        [
            good("a"),
            b'{"id": "b", \xff\xfe "x": 1}',  # not UTF-8
            good("c"),
            b'{"id": "\\ud800x"}',  # a lone surrogate escape
            b'{"id": "e", "pin1_tries_left": ' + b"1" * 5000 + b"}",  # over Python's digits
            deep,
            good("g"),
            b'{"id": "h", "card_lost": true, "card_lost": false}',
            good("i") + b"\x1f",
            good("j") + b" \t\r",
            b'{"id": "k", "pin1_known": "yes", "pin2_tries_left": "three"}',
            good("l")[:-1] + b', "id": "\xc3',  # a file cut in the middle of a character
        ]
    )
    records = decide_jsonl(decider, data)
    assert len(records) == 12
    by_line = {r["error"]["line"]: r for r in records if r["status"] == "error"}
    assert [r["status"] != "error" for r in records] == [
        True, False, True, False, False, False, True, False, False, True, False, False,
    ]  # fmt: skip
    assert [r["id"] for r in records if r["status"] != "error"] == ["a", "c", "g", "j"]
    assert "not valid utf-8" in by_line[2]["error"]["message"]
    assert by_line[4]["error"]["field"] == "id"
    assert "\\ud800" in by_line[4]["error"]["message"]
    assert "4300" in by_line[5]["error"]["message"]
    assert "nested too deeply" in by_line[6]["error"]["message"]
    assert by_line[8]["error"]["field"] == "card_lost"
    assert "twice" in by_line[8]["error"]["message"]
    assert "Extra data" in by_line[9]["error"]["message"]
    assert [p["field"] for p in by_line[11]["error"]["problems"]] == [
        "pin1_known",
        "pin2_tries_left",
    ]
    assert "JSON takes true or false" in by_line[11]["error"]["problems"][0]["message"]
    assert "not valid utf-8" in by_line[12]["error"]["message"]


def test_a_surrogate_never_breaks_the_output_file(tmp_path: Path) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_bytes(good("a") + b'\n{"id": "\\ud800x", "colour": "\\udfff"}\n' + good("c"))
    code, _out, err = batch([str(source), "-o", str(tmp_path / "out.jsonl")])
    assert code == 2, err
    lines = (tmp_path / "out.jsonl").read_bytes().decode("utf-8").splitlines()
    assert [json.loads(line)["status"] for line in lines] == ["decided", "error", "decided"]


def test_a_huge_csv_cell_is_an_error_of_its_record(decider: Decider) -> None:
    data = (
        "id,pin1_tries_left\n" + "a,3\n" + "b," + "x" * (CELL_LIMIT + 10) + "\n" + "c,2\n"
    ).encode()
    records = decide_csv(decider, data)
    assert [r["status"] for r in records] == ["incomplete", "error", "incomplete"]
    assert records[1]["error"]["line"] == 3
    assert "longer than" in records[1]["error"]["message"]


@pytest.mark.parametrize(
    ("facts", "wanted"),
    [
        ('{"id": "\\ud800x"}', "id"),
        ('{"pin1_tries_left": ' + "9" * 5000 + "}", "--facts"),
        ("[" * 100_000 + "]" * 100_000, "--facts"),
        ('{"card_lost": true, "card_lost": false}', "card_lost"),
    ],
)
@pytest.mark.parametrize("as_json", [True, False])
def test_case_facts_that_cannot_be_read_are_a_clear_error(
    facts: str, wanted: str, as_json: bool
) -> None:
    args = ["triage", "case", "--facts", facts] + (["--json"] if as_json else [])
    result = runner.invoke(app, args)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2
    if as_json:
        error = json.loads(result.stdout)["error"]
        assert error["field"] == wanted
    else:
        assert f"invalid input: {wanted}" in result.stderr


# --- 3. an interrupted batch keeps what it decided ---------------------------------------


def test_an_interrupted_batch_writes_every_record_it_decided(decider: Decider) -> None:
    def items() -> Any:
        for i in range(3000):
            if i == 2500:
                raise KeyboardInterrupt
            yield Item(i + 1, text=good(f"n{i}").decode())

    out = io.StringIO()
    with pytest.raises(BatchInterrupted) as caught:
        run_batch(decider, items(), out, today=TODAY)
    written = [json.loads(line)["id"] for line in out.getvalue().splitlines()]
    assert written == [f"n{i}" for i in range(2500)]
    assert caught.value.written == 2500
    assert caught.value.last_line == 2500


def test_a_stop_ends_the_batch_after_the_record_in_hand(decider: Decider) -> None:
    import threading

    stop = threading.Event()

    def items() -> Any:
        for i in range(5000):
            if i == 3210:
                stop.set()  # as the CLI's Ctrl-C handler does, between two records
            yield Item(i + 1, text=good(f"n{i}").decode())

    out = io.StringIO()
    with pytest.raises(BatchInterrupted) as caught:
        run_batch(decider, items(), out, today=TODAY, stop=stop)
    written = [json.loads(line)["id"] for line in out.getvalue().splitlines()]
    assert written == [f"n{i}" for i in range(3211)]
    assert (caught.value.written, caught.value.last_line) == (3211, 3211)


def test_ctrl_c_during_a_batch_flushes_and_says_where_it_stopped(tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    with source.open("wb") as handle:
        for i in range(400_000):
            handle.write(good(f"n{i}", pin1_tries_left=i % 4) + b"\n")
    target = tmp_path / "out.jsonl"
    process = subprocess.Popen(
        [ADVISOR, "triage", "batch", str(source), "-o", str(target)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "LC_ALL": "C"},
    )
    deadline = time.monotonic() + 60
    # Wait until the first chunk is written to the temporary file, then interrupt.
    while time.monotonic() < deadline:
        partial = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        if partial and partial[0].stat().st_size > 0:
            break
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    message = err.decode()
    assert "interrupted" in message
    written = target.read_text().splitlines()
    assert 0 < len(written) < 400_000
    assert f"{len(written):,}".replace(",", "") in message.replace(",", "")
    ids = [json.loads(line)["id"] for line in written]
    assert ids == [f"n{i}" for i in range(len(written))]
    assert f"line {len(written)}" in message


# --- 5. duplicates, 7. unterminated quotes -------------------------------------------------


def test_a_csv_header_that_repeats_a_column_is_an_error_for_every_row(
    decider: Decider,
) -> None:
    data = b"id,card_lost,card_lost\na,yes,no\nb,no,no\n"
    records = decide_csv(decider, data)
    assert [r["status"] for r in records] == ["error", "error"]
    assert {r["error"]["field"] for r in records} == {"card_lost"}
    assert [r["error"]["line"] for r in records] == [2, 3]


def test_a_field_name_that_looks_like_a_code_is_never_echoed(decider: Decider) -> None:
    # A PIN typed where a name belongs: a key of a case, a column of a header.
    records = decide_jsonl(
        decider, b'{"id": "a", "48213": true}\n{"id": "b", "9917": 1, "9917": 2}'
    )
    records += decide_csv(decider, b"id,551234,551234\na,1,2\n")
    assert [r["status"] for r in records] == ["error"] * 3
    for record in records:
        assert record["error"]["field"] == HIDDEN_NAME
        assert not any(code in json.dumps(record) for code in ("48213", "9917", "551234"))
    result = CliRunner().invoke(app, ["triage", "case", "--json", "--facts", '{"2468": true}'])
    assert result.exit_code == 2
    assert "2468" not in result.stdout + result.stderr
    # A name with fewer digits is named as it is, to find the typo.
    records = decide_jsonl(decider, b'{"id": "c", "pin1_tries_lef7": 1}')
    assert records[0]["error"]["field"] == "pin1_tries_lef7"


def test_an_unterminated_quote_is_reported_where_it_opened(decider: Decider) -> None:
    rows = ["id,pin1_tries_left", 'a,"3', *(f"r{i},{i % 4}" for i in range(50))]
    records = decide_csv(decider, ("\n".join(rows) + "\n").encode())
    assert len(records) == 51
    assert records[0]["status"] == "error"
    assert records[0]["error"]["line"] == 2
    assert "not closed" in records[0]["error"]["message"]
    assert [r["id"] for r in records[1:]] == [f"r{i}" for i in range(50)]


def test_a_quoted_cell_may_span_lines(decider: Decider) -> None:
    data = b'id,document_type,pin1_tries_left\n"multi\nline id",id_card,3\nb,,2\n'
    records = decide_csv(decider, data)
    assert [r["id"] for r in records] == ["multi\nline id", "b"]


# --- 8. unwritable outputs -------------------------------------------------------------


def test_unwritable_outputs_are_named_with_the_reason(tmp_path: Path) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_bytes(good("a") + b"\n")
    code, _out, err = batch([str(source), "-o", str(tmp_path)])
    assert code == 2
    assert f"cannot write {tmp_path}" in err
    missing = tmp_path / "no" / "such" / "out.jsonl"
    code, _out, err = batch([str(source), "-o", str(missing)])
    assert code == 2
    assert f"cannot write {missing}: no such file or directory" in err


def test_a_read_only_folder_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    source = tmp_path / "cases.jsonl"
    source.write_bytes(good("a") + b"\n")

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    # Root may write anywhere: the refusal a read-only folder gives is simulated.
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refused)
    code, _out, err = batch([str(source), "-o", str(tmp_path / "out.jsonl")])
    assert code == 2
    assert "permission denied" in err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_full_disk_is_a_failure_with_the_count_written(tmp_path: Path) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_bytes(b"\n".join(good(f"c{i}") for i in range(3)) + b"\n")
    code, _out, err = batch([str(source), "-o", "/dev/full"])
    assert code == 1
    assert "writing /dev/full failed" in err
    assert "no space left on the device" in err


def test_rules_docs_and_table_name_an_unwritable_path(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rules", "docs", str(tmp_path)])
    assert result.exit_code == 2
    assert f"cannot write {tmp_path}" in result.stderr
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["rules", "table", str(blocker / "golden")])
    assert result.exit_code == 2
    assert "cannot write" in result.stderr


# --- 9. standard input -------------------------------------------------------------------


def test_stdin_drops_a_byte_order_mark_and_reports_bad_bytes() -> None:
    data = b"\xef\xbb\xbf" + good("a") + b"\n\xff\xfe\n" + good("c") + b"\n"
    code, out, _err = batch(["-"], data)
    assert code == 2
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["status"] for r in records] == ["decided", "error", "decided"]
    csv_data = b"\xef\xbb\xbfid,pin1_tries_left\nx,3\n"
    code, out, _err = batch(["-", "--format", "csv"], csv_data)
    assert code == 0
    assert json.loads(out)["id"] == "x"


# --- 16. legacy encodings ------------------------------------------------------------------


def test_a_cp1252_csv_is_named_and_can_be_read_with_its_encoding(tmp_path: Path) -> None:
    source = tmp_path / "excel.csv"
    source.write_bytes("id,pin1_tries_left\nJõeorg,3\nplain,2\n".encode("cp1252"))
    code, out, _err = batch([str(source)])
    assert code == 2
    records = [json.loads(line) for line in out.splitlines()]
    assert records[0]["status"] == "error"
    assert "--encoding" in records[0]["error"]["message"]
    assert records[1]["id"] == "plain"
    code, out, _err = batch([str(source), "--encoding", "cp1252"])
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["Jõeorg", "plain"]
    code, _out, err = batch([str(source), "--encoding", "utf-16"])
    assert code == 2
    assert "encoding" in err


# --- 19. the holder's language ------------------------------------------------------------


def test_os_errors_speak_the_holders_language(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--lang", "et", "triage", "batch", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert "No such file" not in result.stderr
    assert str(tmp_path / "nope.jsonl") in result.stderr


def test_the_yes_no_error_lists_every_language() -> None:
    result = runner.invoke(app, ["triage", "case", "--card-lost", "maybe"])
    assert result.exit_code == 2
    assert "jah" in result.stderr
    assert "да" in result.stderr


# --- the fuzz test --------------------------------------------------------------------


def expected_jsonl_records(data: bytes) -> int:
    count = 0
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            count += 1
            continue
        if number == 1:
            text = text.removeprefix("\ufeff")
        if text.strip(" \t\r"):
            count += 1
    return count


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)
_field_values = st.dictionaries(
    st.sampled_from(["id", "card_lost", "pin1_tries_left", "puk_known", "today", "colour"]),
    _json_values,
    max_size=4,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.one_of(
            st.binary(max_size=40),
            _field_values.map(lambda d: json.dumps(d).encode()),
            _json_values.map(
                lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass")
            ),
        ),
        max_size=12,
    )
)
def test_fuzz_jsonl_batch(tmp_path_factory: pytest.TempPathFactory, lines: list[bytes]) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    source = folder / "in.jsonl"
    data = b"\n".join(line.replace(b"\n", b" ") for line in lines)
    source.write_bytes(data)
    code, _out, _err = batch([str(source), "-o", str(folder / "out.jsonl")])
    assert code in (0, 2)
    assert source.read_bytes() == data
    written = (folder / "out.jsonl").read_bytes().decode("utf-8").split("\n")[:-1]
    assert len(written) == expected_jsonl_records(data)
    error_lines = [json.loads(w)["error"]["line"] for w in written if '"status": "error"' in w]
    assert error_lines == sorted(error_lines)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.lists(st.text(max_size=8), min_size=3, max_size=3).filter(
            lambda cells: any(c.strip() for c in cells)
        ),
        max_size=10,
    ),
    junk=st.binary(max_size=30),
)
def test_fuzz_csv_batch(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], junk: bytes
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    buffer = io.StringIO()
    import csv

    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "card_lost", "pin1_tries_left"])
    writer.writerows(rows)
    well_formed = buffer.getvalue().encode("utf-8", "surrogatepass")
    for data, exact in ((well_formed, True), (well_formed + junk, False)):
        source = folder / "in.csv"
        source.write_bytes(data)
        code, _out, _err = batch([str(source), "-o", str(folder / "out.jsonl")])
        assert code in (0, 2)
        assert source.read_bytes() == data
        written = (folder / "out.jsonl").read_bytes().decode("utf-8").split("\n")[:-1]
        if exact:
            assert [json.loads(w)["id"] for w in written] == [
                r[0] if '"status": "error"' not in w else json.loads(w)["id"]
                for r, w in zip(rows, written, strict=True)
            ]
