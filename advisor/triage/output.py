"""Where a batch writes its decisions, without ever clobbering data.

The output is written to a temporary file in the target's own directory and renamed over
the target only when the run ends (also when it is interrupted: what was decided is kept),
so a reader of the target never sees half a file and a failed run leaves the old file as
it was. An output that is the input (the same file, by device and inode, through any
path or link) is refused before anything is read or written. A target that exists and is
not a regular file (a device such as /dev/null, a pipe) is written to directly.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from advisor.errors import AdvisorError
from advisor.triage.batch import BatchInterrupted


class OutputError(AdvisorError):
    """The output cannot be written. `written` is None when nothing was written yet, else
    the number of records written before the failure."""

    def __init__(self, path: Path, error: OSError | str, written: int | None = None) -> None:
        self.path = path
        self.error = error
        self.written = written
        reason = error if isinstance(error, str) else (error.strerror or str(error))
        super().__init__(f"{path}: {reason}")


class SameFile(OutputError):
    """The output is the input: writing it would destroy the records before they are read."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, "the output is the input file")


def refuse_same_file(source: Path, output: Path) -> None:
    """Raise SameFile when `output` exists and is the same file as `source`."""
    with contextlib.suppress(OSError):
        if os.path.samefile(source, output):
            raise SameFile(output)


class CountingWriter(io.TextIOBase):
    """Lines of text to a binary file as UTF-8, counting the records (lines) written."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.records = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._raw.write(text.encode("utf-8"))
        self.records += text.count("\n")
        return len(text)

    def flush(self) -> None:
        self._raw.flush()


@contextlib.contextmanager
def output_file(path: Path) -> Iterator[CountingWriter]:
    """A writer whose text becomes the content of `path` when the block ends.

    Raises OutputError: before anything is written when the file cannot be made (a
    directory, a missing parent, no permission), or after, with the count, when a write
    or the final flush fails (a full disk, /dev/full)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(path, exc) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError(path, IsADirectoryError(21, "Is a directory"))
    if mode is not None and not stat.S_ISREG(mode):
        yield from _direct(path)
        return
    directory = path.parent if str(path.parent) else Path(".")
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed or removed below
            "wb", dir=directory, prefix=f".{path.name}.", suffix=".tmp", delete=False
        )
    except OSError as exc:
        raise OutputError(path, exc) from None
    temporary = Path(handle.name)
    writer = CountingWriter(handle)
    try:
        try:
            yield writer
        except BatchInterrupted:
            # What was decided before the interrupt is kept: it is written in place,
            # and the interrupt goes on to the caller.
            _close(handle)
            os.replace(temporary, path)
            raise
        except BaseException:
            handle.close()
            raise
        _close(handle)
        os.replace(temporary, path)
    except OSError as exc:
        raise OutputError(path, exc, writer.records) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _close(handle: IO[bytes]) -> None:
    try:
        handle.flush()
        os.fsync(handle.fileno())
    finally:
        handle.close()


def _direct(path: Path) -> Iterator[CountingWriter]:
    try:
        raw = path.open("wb")
    except OSError as exc:
        raise OutputError(path, exc) from None
    writer = CountingWriter(raw)
    try:
        try:
            yield writer
        finally:
            raw.close()
    except OSError as exc:
        raise OutputError(path, exc, writer.records) from None
