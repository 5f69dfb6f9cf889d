"""The interview tree as the help site's questionnaire page carries it: the compact form
holds exactly the tree of `advisor guide --export-tree`, the tree is the same on any day
(so it may be kept between builds), the cache keeps it safely, and the page stays within
its size."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from advisor.engine import Decider
from advisor.interview import export_tree, treecache
from advisor.interview.treecache import cache_path, whole_tree
from advisor.questionnaire.compact import FORMAT, compact, expand, to_json
from advisor.site import LANGUAGES, Site
from advisor.site.pages import QUESTIONNAIRE

PAGE_LIMIT = 200 * 1024  # issue 12: the page with its tree, gzip-compressed


@pytest.fixture(scope="module")
def tree(decider: Decider) -> Any:
    return whole_tree(decider)


def test_the_compact_form_holds_every_node_and_decision(tree: Any) -> None:
    data = tree.data
    packed = compact(tree)
    assert packed["format"] == FORMAT
    back = expand(json.loads(to_json(packed)))
    assert back["root"] == data["root"] == 0
    assert len(back["nodes"]) == len(data["nodes"])
    # Decisions are renumbered in the order the links reach them; each link must reach
    # the same decision, whatever its number.
    numbering: dict[int, int] = {}
    for original, restored in zip(data["nodes"], back["nodes"], strict=True):
        assert restored["question"] == original["question"]
        assert list(restored["next"]) == list(original["next"])
        for answer, ref in original["next"].items():
            got = restored["next"][answer]
            if ref >= 0:
                assert got == ref
                continue
            assert got < 0
            assert numbering.setdefault(ref, got) == got
            assert back["decisions"][-got - 1] == data["decisions"][-ref - 1]
    assert len(numbering) == len(data["decisions"]) == len(back["decisions"])
    # Every span a date answer stands for is carried.
    for question in data["questions"].values():
        for name, stated in question["answers"].items():
            if isinstance(stated, dict):
                (span,) = stated.values()
                assert packed["spans"][name] == [span["from"], span["through"]]


def test_a_data_block_cannot_be_ended_by_the_tree(tree: Any) -> None:
    text = to_json({"x": "</script><script>alert(1)</script>"})
    assert "<" not in text
    assert json.loads(text) == {"x": "</script><script>alert(1)</script>"}
    assert "<" not in to_json(compact(tree))


def test_the_tree_does_not_depend_on_the_day(decider: Decider) -> None:
    # What is known keeps the trees small; the days are years apart, around the expiry
    # and issue dates the answers state.
    for known in (
        {"card_lost": False, "codes_compromised": False, "card_generation": "thales"},
        {"card_lost": False, "codes_compromised": False, "card_generation": "idemia"},
        {"card_lost": True},
    ):
        first = export_tree(decider, known, today=date(2026, 1, 1)).data
        later = export_tree(decider, known, today=date(2029, 7, 15)).data
        assert first == later, known


def test_the_tree_is_kept_and_read_back(
    decider: Decider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported = []
    real = treecache.export_tree

    def counting(decider: Decider, *, today: date) -> Any:
        # A small tree (the card is lost) stands for the whole one: the cache is the same.
        exported.append(1)
        return real(decider, {"card_lost": True}, today=today)

    monkeypatch.setattr(treecache, "export_tree", counting)
    small = tmp_path / "cache"
    first = whole_tree(decider, directory=small)
    second = whole_tree(decider, directory=small)
    assert exported == [1]
    assert second.data == json.loads(first.to_json_bytes())
    assert second.stats == first.stats
    path = cache_path(decider, small)
    assert decider.book.version in path.name
    # A damaged file is never read: it is exported again, and kept again.
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0xFF
    path.write_bytes(bytes(content))
    third = whole_tree(decider, directory=small)
    assert exported == [1, 1]
    assert third.data == first.data
    # A file whose digest matches but whose content is not a tree is not read either.
    junk = gzip.compress(b'{"format": "something else"}')
    path.write_bytes(junk)
    path.with_name(path.name + ".sha256").write_text(hashlib.sha256(junk).hexdigest())
    whole_tree(decider, directory=small)
    assert exported == [1, 1, 1]


def test_a_folder_that_cannot_be_written_only_costs_time(
    decider: Decider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = treecache.export_tree
    monkeypatch.setattr(
        treecache,
        "export_tree",
        lambda decider, *, today: real(decider, {"card_lost": True}, today=today),
    )
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert whole_tree(decider, directory=blocked / "cache").stats.nodes > 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_with_its_tree_stays_within_200_kb_compressed(lang: str, decider: Decider) -> None:
    from advisor import paths

    html = Site(decider=decider).render(QUESTIONNAIRE, lang).encode()
    script = (paths.content_dir() / "site" / "assets" / "questionnaire.js").read_bytes()
    size = len(gzip.compress(html, 9)) + len(gzip.compress(script, 9))
    assert size <= PAGE_LIMIT, size
    assert b'id="questionnaire-tree"' in html
