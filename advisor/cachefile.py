"""A file of the cache folder, written whole and read only when its SHA-256 verifies.

The decision table (advisor/engine/table.py) and the interview tree
(advisor/interview/treecache.py) are kept this way: the content under its name, the
hexadecimal SHA-256 of its bytes in a file of the same name with `.sha256` added. A
reader never sees half a file (each is written to a temporary file beside it and
renamed into place), and a copy that was edited, damaged or half replaced is refused,
so it is computed again rather than trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from advisor.errors import AdvisorError


class CacheFileError(AdvisorError):
    """A cached file is there but cannot be trusted; the message says why."""


def digest_path(path: Path) -> Path:
    """Where the SHA-256 of a cached file's bytes is kept, beside it."""
    return path.with_name(path.name + ".sha256")


def write_atomic(path: Path, data: bytes) -> None:
    """Write then rename, so a reader never sees half a file; a failed write leaves no
    temporary file behind."""
    import tempfile  # only when writing: reading a good cache must not pay for it

    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed or removed below
        "wb", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.write(data)
        os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


def write_verified(path: Path, content: bytes) -> None:
    """`content` at `path` and its SHA-256 beside it, the folder made if need be."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, content)
    write_atomic(digest_path(path), hashlib.sha256(content).hexdigest().encode("ascii"))


def read_verified(path: Path) -> bytes | None:
    """The bytes at `path`, None when there is no such file; CacheFileError when it is
    there but unreadable, without its SHA-256, or not matching it."""
    try:
        content = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise CacheFileError(f"cannot read it ({exc.strerror})") from None
    try:
        expected = digest_path(path).read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        raise CacheFileError("its SHA-256 file is missing") from None
    if hashlib.sha256(content).hexdigest() != expected:
        raise CacheFileError("its content does not match its SHA-256")
    return content
