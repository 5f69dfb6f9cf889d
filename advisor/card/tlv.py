"""A small, strict BER-TLV parser (ISO/IEC 7816-4 §5.2, ITU-T X.690 §8.1).

Card answers such as the retry counters are parsed here instead of being
read at fixed offsets: the reference stacks that read ``resp[13]`` or a fixed
offset 14 broke or had to be changed when the layout moved
(docs/card-protocol.md §3.3, §4.3).

Strict means: every byte is accounted for (no trailing garbage, no padding
bytes between objects), the value of a constructed object must itself be a
valid TLV sequence, indefinite lengths are refused, and every error names the
absolute offset where parsing failed.

Tags are kept as the integer of their raw bytes, so ``BF 81 01`` is
``0xBF8101`` and ``DF 2F`` is ``0xDF2F`` -- the way docs/card-protocol.md and the
reference code write them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from advisor.card.errors import MalformedResponse

__all__ = ["Tlv", "TlvError", "find", "format_tag", "parse", "parse_one", "require"]

# Four tag bytes and four length bytes cover every EstEID object with room to
# spare; anything larger is far more likely to be garbage than real data.
_MAX_TAG_BYTES = 4
_MAX_LENGTH_BYTES = 4
# Bounded recursion: a hostile or broken card must not trigger RecursionError.
_MAX_DEPTH = 16


class TlvError(MalformedResponse):
    """The bytes are not a valid BER-TLV encoding."""

    def __init__(self, message: str, offset: int) -> None:
        self.offset = offset
        self.reason = message
        super().__init__(f"{message} at offset {offset}")


@dataclass(frozen=True)
class Tlv:
    """One data object.

    ``offset`` is where its tag starts in the buffer given to :func:`parse`.
    ``children`` is filled for constructed objects and empty for primitive ones.
    """

    tag: int
    value: bytes
    offset: int = 0
    children: tuple[Tlv, ...] = ()

    @property
    def constructed(self) -> bool:
        """Bit 6 of the first tag byte (X.690 §8.1.2.5)."""
        return bool(_first_tag_byte(self.tag) & 0x20)

    def find(self, *path: int) -> Tlv | None:
        """The first descendant reached by following ``path`` through children."""
        return find(self.children, *path)

    def require(self, *path: int) -> Tlv:
        """Like :meth:`find` but raise :class:`TlvError` when the path is missing."""
        return require(self.children, *path, _base_offset=self.offset)

    def __iter__(self) -> Iterator[Tlv]:
        return iter(self.children)


def _first_tag_byte(tag: int) -> int:
    size = max(1, (tag.bit_length() + 7) // 8)
    return (tag >> (8 * (size - 1))) & 0xFF


def format_tag(tag: int) -> str:
    """``0xBF8101`` -> ``"BF8101"``, for messages."""
    size = max(1, (tag.bit_length() + 7) // 8)
    return tag.to_bytes(size, "big").hex().upper()


def _read_tag(data: bytes, pos: int, end: int) -> tuple[int, int]:
    first = data[pos]
    if first in (0x00, 0xFF):
        # ISO/IEC 7816-4 §5.2: 00 and FF are padding, invalid as a first tag byte.
        raise TlvError(f"invalid tag byte {first:02X}", pos)
    tag = first
    pos += 1
    if first & 0x1F != 0x1F:
        return tag, pos
    count = 1
    while True:
        if pos >= end:
            raise TlvError("tag runs past the end of the data", pos)
        byte = data[pos]
        if count == 1 and byte == 0x80:
            # X.690 §8.1.2.4.2 c): no leading zero bits in a multi-byte tag number.
            raise TlvError("multi-byte tag has a leading zero septet", pos)
        tag = (tag << 8) | byte
        pos += 1
        count += 1
        if not byte & 0x80:
            return tag, pos
        if count >= _MAX_TAG_BYTES:
            raise TlvError(f"tag longer than {_MAX_TAG_BYTES} bytes", pos)


def _read_length(data: bytes, pos: int, end: int) -> tuple[int, int]:
    if pos >= end:
        raise TlvError("missing length", pos)
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    if first == 0x80:
        raise TlvError("indefinite length is not allowed", pos - 1)
    count = first & 0x7F
    if count > _MAX_LENGTH_BYTES:
        raise TlvError(f"length field of {count} bytes is not supported", pos - 1)
    if pos + count > end:
        raise TlvError("length field runs past the end of the data", pos)
    return int.from_bytes(data[pos : pos + count], "big"), pos + count


def _parse_range(data: bytes, pos: int, end: int, depth: int) -> tuple[Tlv, ...]:
    if depth > _MAX_DEPTH:
        raise TlvError(f"nesting deeper than {_MAX_DEPTH} levels", pos)
    items: list[Tlv] = []
    while pos < end:
        start = pos
        tag, pos = _read_tag(data, pos, end)
        length, pos = _read_length(data, pos, end)
        if pos + length > end:
            raise TlvError(
                f"value of tag {format_tag(tag)} needs {length} bytes, only {end - pos} left",
                pos,
            )
        value = bytes(data[pos : pos + length])
        children: tuple[Tlv, ...] = ()
        if _first_tag_byte(tag) & 0x20:
            children = _parse_range(data, pos, pos + length, depth + 1)
        items.append(Tlv(tag, value, start, children))
        pos += length
    return tuple(items)


def parse(data: bytes) -> tuple[Tlv, ...]:
    """Parse a sequence of data objects that must use every byte of ``data``."""
    buf = bytes(data)
    return _parse_range(buf, 0, len(buf), 0)


def parse_one(data: bytes) -> Tlv:
    """Parse exactly one data object spanning all of ``data``."""
    items = parse(data)
    if len(items) != 1:
        offset = items[1].offset if len(items) > 1 else 0
        raise TlvError(f"expected exactly one data object, found {len(items)}", offset)
    return items[0]


def find(items: Iterable[Tlv], *path: int) -> Tlv | None:
    """Follow ``path`` (one tag per level, first match at each level)."""
    if not path:
        raise ValueError("empty tag path")
    level: Sequence[Tlv] = tuple(items)
    found: Tlv | None = None
    for tag in path:
        found = next((item for item in level if item.tag == tag), None)
        if found is None:
            return None
        level = found.children
    return found


def require(items: Iterable[Tlv], *path: int, _base_offset: int = 0) -> Tlv:
    """Like :func:`find` but raise :class:`TlvError` naming the missing step."""
    if not path:
        raise ValueError("empty tag path")
    level: Sequence[Tlv] = tuple(items)
    offset = _base_offset
    walked: list[str] = []
    found: Tlv | None = None
    for tag in path:
        walked.append(format_tag(tag))
        found = next((item for item in level if item.tag == tag), None)
        if found is None:
            raise TlvError(f"tag path {'/'.join(walked)} not found", offset)
        offset = found.offset
        level = found.children
    assert found is not None  # path is non-empty
    return found
