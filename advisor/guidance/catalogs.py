"""Gettext catalogs of the "advisor" domain: extract, update, compile, check.

    python -m advisor.guidance.catalogs extract update compile check

- ``extract`` reads ``content/babel.cfg`` and writes ``content/locale/advisor.pot``
  with the ``TRANSLATORS:`` comments of the templates.
- ``update`` merges the template into every ``<lang>/LC_MESSAGES/advisor.po``
  like ``msgmerge --previous``: a changed message is kept as a fuzzy guess
  with its old msgid (``#|``) so that the translator sees what changed. A
  language without a catalog gets a new one whose Plural-Forms come from
  Babel's locale data.
- ``compile`` writes the ``.mo`` files. Fuzzy entries are left out; a catalog
  with ``Catalog.check()`` errors is not compiled (exit status 2).
- ``check`` fails (exit status 1) on a stale template, a fuzzy, missing or
  untranslated entry, a ``Catalog.check()`` error, a placeholder that the
  translation drops or adds, a catalog header that is fuzzy or has
  Plural-Forms other than Babel's, and a ``.mo`` that does not match its
  ``.po``.

Output is deterministic: files are written only when their bytes change (via
a temporary file and ``os.replace``), and the template keeps its
POT-Creation-Date as long as its messages do not change. A new date comes from
``SOURCE_DATE_EPOCH`` when it is set, otherwise from the clock. PO files are
written without line wrapping, exactly as ``msgcat --no-wrap`` writes them.

The layout and the workflow for translators are in docs/translating.md.
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import datetime as dt
import io
import json
import os
import re
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from advisor.paths import PROJECT_ROOT

__all__ = [
    "COMMENT_TAGS",
    "DOMAIN",
    "LANGUAGES",
    "ROOT",
    "Layout",
    "check",
    "compile_catalogs",
    "extract",
    "extract_rule_reasons",
    "main",
    "placeholder_problems",
    "same_messages",
    "update",
    "write_template",
]

ROOT: Final = PROJECT_ROOT
DOMAIN: Final = "advisor"
# English is the source language and has no catalog.
LANGUAGES: Final = ("et", "ru")
COMMENT_TAGS: Final = ("TRANSLATORS:",)
# No line wrapping: every msgid, msgstr and comment on one line; a string with
# newlines (the header) is still broken after each "\n". Babel's wrapping at
# 76 breaks lines elsewhere than GNU gettext does, so the tools would rewrap
# each other's files. Unwrapped, the output is byte for byte what
# `msgcat --no-wrap` writes, and what Weblate writes with po_line_wrap = 65535
# ("Only wrap lines at newlines (like 'xgettext --no-wrap')").
WIDTH: Final = 0

_TEMPLATE_HEADER: Final = (
    "# Messages of advisor: guidance templates (content/templates) and CLI.\n"
    "# Made by `python -m advisor.guidance.catalogs extract`; do not edit by hand.\n"
    "# Workflow and rules for translators: docs/translating.md.\n"
    "#"
)
_CATALOG_HEADER: Final = (
    "# {language} translation of the advisor messages.\n"
    "# Workflow and rules for translators: docs/translating.md.\n"
    "#"
)

_NAMED: Final = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_PERCENT_ESCAPE: Final = "%%"


@dataclass(frozen=True)
class Layout:
    """Where the mapping, the template and the catalogs live under ``root``."""

    root: Path = ROOT

    @property
    def mapping(self) -> Path:
        return self.root / "content" / "babel.cfg"

    @property
    def locale_dir(self) -> Path:
        return self.root / "content" / "locale"

    @property
    def template(self) -> Path:
        return self.locale_dir / f"{DOMAIN}.pot"

    def po(self, lang: str) -> Path:
        return self.locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"

    def mo(self, lang: str) -> Path:
        return self.locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"

    def languages(self) -> list[str]:
        """The default languages and every language that has a catalog."""
        found = {
            path.parents[1].name for path in self.locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
        }
        return sorted(found | set(LANGUAGES))


# ------------------------------------------------------------------ extract


def extract(layout: Layout) -> Catalog:
    """A fresh template catalog made from the sources, without writing it.

    Its creation date is not meaningful; ``write_template`` sets it.
    """
    method_map, options_map = _read_mapping(layout.mapping)
    catalog = Catalog(
        project=DOMAIN,
        version=_project_version(layout.root),
        msgid_bugs_address="",
        header_comment=_TEMPLATE_HEADER,
        charset="utf-8",
    )
    results = extract_from_dir(
        layout.root,
        method_map=method_map,
        options_map=options_map,
        comment_tags=COMMENT_TAGS,
        # Jinja2's extractor drops the tag itself; Babel's Python extractor keeps it.
        strip_comment_tags=True,
        directory_filter=_directory_filter(layout.root, method_map),
    )
    for filename, lineno, message, comments, context in results:
        catalog.add(
            message,
            None,
            [(filename, lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


_BECAUSE: Final = re.compile(r'"because"\s*:\s*("(?:[^"\\]|\\.)*")')


def extract_rule_reasons(
    fileobj: IO[bytes],
    keywords: Iterable[str],
    comment_tags: Iterable[str],
    options: dict[str, object],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extraction method for the rule files (``rules/*.json``): the one-line
    reason (``because``) of every rule, which ``advisor triage case --explain`` shows.

    The messages come from the parsed JSON, in file order; the line of each is the line
    of its ``"because"`` key. A file without ``rules`` (sources, eras) gives none.
    """
    text = fileobj.read().decode("utf-8")
    data = json.loads(text)
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, dict):
        return
    lines: dict[str, list[int]] = {}
    for match in _BECAUSE.finditer(text):
        lineno = text.count("\n", 0, match.start()) + 1
        lines.setdefault(json.loads(match.group(1)), []).append(lineno)
    for name, rule in rules.items():
        because = rule.get("because") if isinstance(rule, dict) else None
        if not isinstance(because, str) or not because.strip():
            continue
        found = lines.get(because)
        lineno = found.pop(0) if found else 1
        yield lineno, None, because, [f"Why rule {name} applies (`advisor triage case --explain`)."]


def write_template(layout: Layout, catalog: Catalog) -> bool:
    """Write the template; True when the file changed.

    The POT-Creation-Date of the committed template is kept when the messages
    are the same (locations with line numbers included), so re-running
    ``extract`` changes nothing.
    """
    old = _read_catalog(layout.template) if layout.template.is_file() else None
    if old is not None and same_messages(old, catalog, lines=True):
        catalog.creation_date = old.creation_date
    else:
        catalog.creation_date = _now()
    return _write_atomic(layout.template, _po_bytes(catalog, include_previous=False))


def same_messages(a: Catalog, b: Catalog, *, lines: bool) -> bool:
    """Whether two catalogs hold the same messages: ids, contexts, plural
    ids, flags, translator comments and locations (with or without line
    numbers). Translations and headers are not compared."""
    return _signature(a, lines=lines) == _signature(b, lines=lines)


# ------------------------------------------------------------------- update


def update(layout: Layout, languages: Iterable[str]) -> list[str]:
    """Merge the template into each catalog, creating missing ones.

    Returns the paths written. Like ``msgmerge --previous``: a message whose
    msgid changed keeps its old translation as a fuzzy guess, with the old
    msgid in ``#|`` lines; removed messages stay at the end as obsolete
    (``#~``) entries.
    """
    template = _read_catalog(layout.template)
    written: list[str] = []
    for lang in languages:
        path = layout.po(lang)
        if path.is_file():
            catalog = _read_catalog(path, locale=lang)
            _revive_obsolete(catalog)
            catalog.update(template, no_fuzzy_matching=False, update_header_comment=False)
            # An obsolete message that was never translated holds nothing to keep, and
            # GNU msgcat drops it: keep the files byte for byte as msgcat writes them.
            for key, message in list(catalog.obsolete.items()):
                if not any(_forms(message.string)):
                    del catalog.obsolete[key]
        else:
            catalog = _new_catalog(layout.template, lang)
        if _write_atomic(path, _po_bytes(catalog, include_previous=True)):
            written.append(str(path))
    return written


def _revive_obsolete(catalog: Catalog) -> None:
    """Give obsolete (``#~``) entries back to the catalog before a merge, as
    msgmerge does: a message that returns to the template gets its old
    translation back, and the rest become obsolete again."""
    for message in list(catalog.obsolete.values()):
        if message.id and catalog.get(message.id, message.context) is None:
            catalog[message.id] = message
    catalog.obsolete.clear()


# ------------------------------------------------------------------ compile


def compile_catalogs(layout: Layout, languages: Iterable[str]) -> tuple[list[str], list[str]]:
    """Write the ``.mo`` of each catalog; returns (written paths, errors).

    A catalog with ``Catalog.check()`` errors, or a fuzzy header, is not
    compiled. Fuzzy entries are left out of the ``.mo``.
    """
    written: list[str] = []
    errors: list[str] = []
    for lang in languages:
        path = layout.po(lang)
        if not path.is_file():
            errors.append(f"{lang}: {path} does not exist; run `update` first")
            continue
        catalog = _read_catalog(path, locale=lang)
        problems = [*_header_problems(catalog, lang), *_babel_check(catalog)]
        if problems:
            errors.extend(f"{lang}: {problem}" for problem in problems)
            continue
        if _write_atomic(layout.mo(lang), _mo_bytes(catalog)):
            written.append(str(layout.mo(lang)))
    return written, errors


# -------------------------------------------------------------------- check


def check(layout: Layout, languages: Iterable[str]) -> list[str]:
    """Every problem that must stop a release, one line each."""
    problems: list[str] = []
    if not layout.template.is_file():
        return [f"{layout.template} does not exist; run `extract`"]
    template = _read_catalog(layout.template)
    if not same_messages(template, extract(layout), lines=False):
        problems.append(f"{layout.template} is stale; run `extract` then `update`")
    for lang in languages:
        problems.extend(f"{lang}: {problem}" for problem in _check_language(layout, template, lang))
    return problems


def placeholder_problems(message: Message) -> list[str]:
    """Named placeholders the translation drops or adds, and stray ``%``.

    Babel's own check accepts a translation that leaves a named placeholder
    out; here every form must use exactly the placeholders of the msgid, so
    that no number, date or address is lost in translation. Newstyle gettext
    formats every message with ``%``, so a literal percent sign must be
    written ``%%`` even in a message without placeholders.
    """
    ids = _forms(message.id)
    wanted: set[str] = set()
    for msgid in ids:
        wanted |= set(_NAMED.findall(msgid))
    problems: list[str] = []
    for index, msgstr in enumerate(_forms(message.string)):
        if not msgstr:
            continue
        where = f"form {index}" if message.pluralizable else "translation"
        got = set(_NAMED.findall(msgstr))
        if got - wanted:
            problems.append(f"{where} adds {_names(got - wanted)}")
        if wanted - got:
            problems.append(f"{where} drops {_names(wanted - got)}")
        if "%" in _NAMED.sub("", msgstr).replace(_PERCENT_ESCAPE, ""):
            problems.append(f"{where} has a lone '%' (write '%%')")
    return problems


def _check_language(layout: Layout, template: Catalog, lang: str) -> list[str]:
    path = layout.po(lang)
    if not path.is_file():
        return [f"{path} does not exist; run `update`"]
    catalog = _read_catalog(path, locale=lang)
    problems = [*_header_problems(catalog, lang), *_babel_check(catalog)]
    wanted = {_key(m) for m in _messages(template)}
    have = {_key(m) for m in _messages(catalog)}
    problems.extend(
        f"missing {_show(key)}; run `update`" for key in _ordered(template, wanted - have)
    )
    problems.extend(
        f"not in the template {_show(key)}; run `update`"
        for key in _ordered(catalog, have - wanted)
    )
    for message in _messages(catalog):
        label = _show(_key(message))
        if message.fuzzy:
            problems.append(f"fuzzy {label}")
        if any(not form for form in _forms(message.string)):
            problems.append(f"untranslated {label}")
        problems.extend(f"{label}: {problem}" for problem in placeholder_problems(message))
    problems.extend(_mo_problems(layout, catalog, lang))
    return problems


def _header_problems(catalog: Catalog, lang: str) -> list[str]:
    problems: list[str] = []
    if catalog.fuzzy:
        problems.append("the catalog header is marked fuzzy")
    expected = Catalog(locale=Locale.parse(lang)).plural_forms
    if catalog.plural_forms != expected:
        problems.append(f"Plural-Forms is {catalog.plural_forms!r}, Babel says {expected!r}")
    return problems


def _babel_check(catalog: Catalog) -> list[str]:
    return [
        f"{_show(_key(message))}: {error}"
        for message, errors in catalog.check()
        for error in errors
    ]


def _mo_problems(layout: Layout, catalog: Catalog, lang: str) -> list[str]:
    path = layout.mo(lang)
    if not path.is_file():
        return [f"{path} does not exist; run `compile`"]
    with path.open("rb") as handle:
        compiled = read_mo(handle)
    if _translations(compiled) != _translations(catalog, skip_fuzzy=True):
        return [f"{path} does not match its .po; run `compile`"]
    return []


# ------------------------------------------------------------------ helpers


def _read_mapping(path: Path) -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """The (pattern, method) list and options of a Babel mapping file, read
    the way ``pybabel extract -F`` reads it (an ``[extractors]`` section
    names extraction functions)."""
    parser = configparser.RawConfigParser()
    with path.open(encoding="utf-8") as handle:
        parser.read_file(handle, str(path))
    extractors: dict[str, str] = {}
    method_map: list[tuple[str, str]] = []
    options_map: dict[str, dict[str, str]] = {}
    for section in parser.sections():
        if section == "extractors":
            extractors = dict(parser.items(section))
            continue
        method, pattern = (part.strip() for part in section.split(":", 1))
        method_map.append((pattern, method))
        options_map[pattern] = dict(parser.items(section))
    return [
        (pattern, extractors.get(method, method)) for pattern, method in method_map
    ], options_map


def _directory_filter(root: Path, method_map: Sequence[tuple[str, str]]) -> Callable[[str], bool]:
    """Walk only the top-level directories the mapping names, skip hidden
    directories and caches, but keep ``_fallback`` and the like (Babel's
    default filter drops every directory starting with ``_``)."""
    tops = {pattern.split("/", 1)[0] for pattern, _method in method_map}

    def keep(dirpath: str) -> bool:
        parts = Path(os.path.relpath(dirpath, root)).parts
        if not parts or parts[0] not in tops:
            return False
        return not any(part.startswith(".") or part == "__pycache__" for part in parts)

    return keep


def _project_version(root: Path) -> str:
    try:
        with (root / "pyproject.toml").open("rb") as handle:
            version = tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "0"
    return str(version)


def _now() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC).replace(second=0, microsecond=0)


def _new_catalog(template_path: Path, lang: str) -> Catalog:
    """What ``pybabel init`` makes: the template with the language's
    Plural-Forms from Babel and a header that is not fuzzy."""
    catalog = _read_catalog(template_path, locale=lang)
    locale = Locale.parse(lang)
    catalog.locale = locale
    catalog.fuzzy = False
    catalog.revision_date = catalog.creation_date
    language = locale.english_name or lang
    catalog.language_team = language
    catalog.header_comment = _CATALOG_HEADER.format(language=language)
    return catalog


def _read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, abort_invalid=True)


def _po_bytes(catalog: Catalog, *, include_previous: bool) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=WIDTH, include_previous=include_previous)
    # Babel ends the file with a blank line, GNU gettext does not.
    return buffer.getvalue().rstrip(b"\n") + b"\n"


def _mo_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _write_atomic(path: Path, data: bytes) -> bool:
    """Replace ``path`` with ``data`` through a temporary file in the same
    directory; leave it alone (and its mtime) when nothing changed."""
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return True


_Key = tuple[str | tuple[str, ...], str | None]


def _key(message: Message) -> _Key:
    msgid = message.id if isinstance(message.id, str) else tuple(message.id)
    return msgid, message.context


def _messages(catalog: Catalog) -> list[Message]:
    """The messages without the header entry."""
    return [message for message in catalog if message.id]


def _ordered(catalog: Catalog, keys: set[_Key]) -> list[_Key]:
    return [key for key in map(_key, _messages(catalog)) if key in keys]


def _signature(catalog: Catalog, *, lines: bool) -> list[tuple[object, ...]]:
    return [
        (
            _key(message),
            tuple(sorted(message.flags)),
            # write_po wraps long comments into several lines, read_po
            # returns one comment per line: compare the words.
            " ".join(message.auto_comments).split(),
            tuple((filename, lineno if lines else None) for filename, lineno in message.locations),
        )
        for message in _messages(catalog)
    ]


def _translations(catalog: Catalog, *, skip_fuzzy: bool = False) -> dict[_Key, tuple[str, ...]]:
    return {
        _key(message): _forms(message.string)
        for message in _messages(catalog)
        if any(_forms(message.string)) and not (skip_fuzzy and message.fuzzy)
    }


def _forms(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple(str(item) if item is not None else "" for item in value)
    return ("",)


def _names(names: set[str]) -> str:
    return ", ".join(f"%({name})s" for name in sorted(names))


def _show(key: _Key) -> str:
    msgid, context = key
    text = msgid if isinstance(msgid, str) else msgid[0]
    short = text if len(text) <= 60 else text[:57] + "..."
    return f"[{context}] {short!r}" if context else repr(short)


# ---------------------------------------------------------------------- CLI

COMMANDS: Final = ("extract", "update", "compile", "check")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m advisor.guidance.catalogs",
        description="Extract, update, compile and check the gettext catalogs "
        "(docs/translating.md).",
    )
    parser.add_argument(
        "commands",
        nargs="+",
        choices=COMMANDS,
        metavar="{extract,update,compile,check}",
        help="one or more steps, run in the order given",
    )
    parser.add_argument(
        "-l",
        "--lang",
        action="append",
        dest="languages",
        help="only this language (repeatable); a new language gets a catalog on `update`",
    )
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="repository root (default: this checkout)"
    )
    args = parser.parse_args(argv)
    layout = Layout(args.root.resolve())
    languages: list[str] = args.languages or layout.languages()
    for lang in languages:
        try:
            Locale.parse(lang)
        except (ValueError, UnknownLocaleError):
            parser.error(f"Babel does not know the language {lang!r}")

    for command in args.commands:
        if command == "extract":
            catalog = extract(layout)
            changed = write_template(layout, catalog)
            count = len(_messages(catalog))
            _say(f"extract: {count} messages, {layout.template} {_state(changed)}")
        elif command == "update":
            for path in update(layout, languages):
                _say(f"update: wrote {path}")
        elif command == "compile":
            written, errors = compile_catalogs(layout, languages)
            for path in written:
                _say(f"compile: wrote {path}")
            if errors:
                for error in errors:
                    _say(f"compile: {error}")
                return 2
        else:
            problems = check(layout, languages)
            for problem in problems:
                _say(f"check: {problem}")
            if problems:
                return 1
            _say(f"check: {', '.join(languages)} complete")
    return 0


def _state(changed: bool) -> str:
    return "written" if changed else "unchanged"


def _say(line: str) -> None:
    print(line, file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
