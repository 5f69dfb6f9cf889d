"""The guidance's Markdown as plain terminal text.

The templates (content/templates) write a small, fixed part of Markdown: ATX headings,
paragraphs, flat bullet and numbered lists, bold, inline code, links and backslash
escapes; `tests/test_guidance.py` renders every template and fails on anything else. This
module lays that part out for a terminal: headings underlined, lists with hanging
indents, text wrapped to the width, and phone numbers and web addresses never split (an
address longer than the line stands alone on a longer line: split, it could not be
opened or copied). It replaces a general
Markdown renderer whose import alone took longer than the whole start-up budget of a
command (docs/performance.md); the HTML of the help pages still comes from a real
CommonMark parser (render.py).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

# What the layout knows; a line that starts otherwise is paragraph text.
_HEADING: Final = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_NUMBERED: Final = re.compile(r"^(\d{1,9})[.)]\s+(.*)$")
_BULLET: Final = re.compile(r"^[-*+]\s+(.*)$")
# A code span is taken first and literally; then links, autolinks, bold and emphasis, and
# last the backslash escapes, so that an escaped character never starts any of them.
_CODE: Final = re.compile(r"(`+)(.+?)\1")
_LINK: Final = re.compile(r"\[((?:\\.|[^\]\\])*)\]\(([^()\s]*)\)")
_AUTOLINK: Final = re.compile(r"<((?:https?|mailto):[^<>\s]+)>")
_STRONG: Final = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS: Final = re.compile(r"(?<![\w\\*])([*_])(?=\S)(.+?)(?<=[^\s\\])\1(?!\w)")
_ESCAPE: Final = re.compile(r"\\([!-/:-@\[-`{-~])")
_UNDERLINES: Final = {1: "=", 2: "-"}
_BULLET_MARK: Final = "•"
# Stands in for the spaces that must not break a line (inside phone numbers) and for
# code spans, while the text is wrapped. Private-use characters: never in the texts.
_NO_BREAK: Final = "\ue000"
_CODE_MARK: Final = "\ue001"


@dataclass
class _Block:
    kind: str  # "heading", "paragraph", "bullet", "numbered"
    lines: list[str] = field(default_factory=list)
    level: int = 0  # heading level, or the number of a numbered item


def _blocks(markdown: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    for line in markdown.splitlines():
        text = line.strip()
        if not text:
            current = None
            continue
        heading = _HEADING.match(text)
        numbered = _NUMBERED.match(text)
        bullet = _BULLET.match(text)
        if heading:
            blocks.append(_Block("heading", [heading.group(2)], len(heading.group(1))))
            current = None
        elif numbered:
            # CommonMark numbers a list from its first item on, whatever the next say.
            after = blocks[-1] if blocks else None
            number = int(numbered.group(1))
            if after is not None and after.kind == "numbered":
                number = after.level + 1
            current = _Block("numbered", [numbered.group(2)], number)
            blocks.append(current)
        elif bullet:
            current = _Block("bullet", [bullet.group(1)])
            blocks.append(current)
        elif current is not None:
            current.lines.append(text)  # a paragraph's next line, or a lazy continuation
        else:
            current = _Block("paragraph", [text])
            blocks.append(current)
    return blocks


def inline_text(text: str) -> str:
    """One block's Markdown inlines as plain text: markers dropped, a link as its text
    followed by its address, escapes resolved."""
    codes: list[str] = []

    def keep_code(match: re.Match[str]) -> str:
        codes.append(match.group(2).strip())
        return f"{_CODE_MARK}{len(codes) - 1}{_CODE_MARK}"

    text = _CODE.sub(keep_code, text)
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(2) else m.group(1), text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _ESCAPE.sub(r"\1", text)
    return re.sub(f"{_CODE_MARK}(\\d+){_CODE_MARK}", lambda m: codes[int(m.group(1))], text)


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,
    ) or [first.rstrip()]


def to_text(markdown: str, width: int = 80, keep_together: Iterable[str] = ()) -> str:
    """`markdown` laid out for a terminal `width` columns wide; the strings in
    `keep_together` (phone numbers) are never split across lines."""
    protected = list(keep_together)
    for value in protected:
        markdown = markdown.replace(value, value.replace(" ", _NO_BREAK))
    out: list[str] = []
    previous: str | None = None
    blocks = _blocks(markdown)
    number_width = max(
        (len(str(b.level)) for b in blocks if b.kind == "numbered"),
        default=1,
    )
    for block in blocks:
        text = inline_text(" ".join(block.lines))
        is_item = block.kind in ("bullet", "numbered")
        # Items of one list follow each other; every other block is set off by a blank line.
        if out and not (is_item and previous == block.kind):
            out.append("")
        if block.kind == "heading":
            out.extend(_wrap(text, width, "", ""))
            rule = _UNDERLINES.get(block.level)
            if rule:
                out.append(rule * min(len(text), width))
        elif block.kind == "bullet":
            out.extend(_wrap(text, width, f" {_BULLET_MARK} ", "   "))
        elif block.kind == "numbered":
            marker = f" {block.level:>{number_width}} "
            out.extend(_wrap(text, width, marker, " " * len(marker)))
        else:
            out.extend(_wrap(text, width, "", ""))
        previous = block.kind
    rendered = "\n".join(line.rstrip() for line in out).replace(_NO_BREAK, " ")
    return rendered.strip("\n") + "\n"
