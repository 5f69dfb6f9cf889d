"""The interview tree from nothing known, kept in the cache folder between runs.

Exporting the whole tree takes seconds (the decider ranks the questions of some ten
thousand incomplete states), and the help site's questionnaire page needs it on every
`advisor pages build`. The tree depends on the rules and on the code that asks, never on
the day: its answers about the expiry date are spans of days left, counted from whatever
day the interview runs (tests/test_questionnaire_tree.py holds this). So it is kept
under a name made of the rules version and a digest of that code, with the SHA-256 of
its bytes beside it, as the decision table is (advisor/engine/table.py): a stale or
damaged file is never read, only computed again.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Final

from advisor import paths
from advisor.cachefile import CacheFileError, read_verified, write_verified
from advisor.engine import Decider
from advisor.interview.tree import FORMAT, InterviewTree, TreeStats, export_tree

# The code the questions and decisions of the tree come from: the interview, the
# decider, the facts. A change to any of it makes another file name.
_CODE: Final = ("interview", "engine", "facts")
# Any day: the tree does not depend on it (see above).
_DAY: Final = date(2026, 1, 1)


def code_digest() -> str:
    digest = hashlib.sha256(FORMAT.encode())
    package = Path(__file__).resolve().parent.parent
    for folder in _CODE:
        for source in sorted((package / folder).glob("*.py")):
            digest.update(source.name.encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def cache_path(decider: Decider, directory: Path | None = None) -> Path:
    name = f"interview-tree-{decider.book.version}-{code_digest()}.json.gz"
    return (directory or paths.cache_dir()) / name


def whole_tree(decider: Decider, *, directory: Path | None = None) -> InterviewTree:
    """The tree of `advisor guide` from nothing known (`ask_safety`), from the cache when
    a verified copy is there; else exported, and kept when the folder can be written."""
    path = cache_path(decider, directory)
    found = _load(path)
    if found is not None:
        return found
    tree = export_tree(decider, today=_DAY)
    _save(path, tree)
    return tree


def _load(path: Path) -> InterviewTree | None:
    try:
        content = read_verified(path)
        if content is None:
            return None
        data = json.loads(gzip.decompress(content))
        stats = TreeStats(**data["stats"])
    except (CacheFileError, OSError, EOFError, ValueError, TypeError, KeyError):
        return None
    if data.get("format") != FORMAT:
        return None
    return InterviewTree(data, stats)


def _save(path: Path, tree: InterviewTree) -> None:
    try:
        # mtime=0: the same tree is the same bytes.
        write_verified(path, gzip.compress(tree.to_json_bytes(), 6, mtime=0))
    except OSError:
        # The cache is a convenience: without it, the next build exports again.
        return
