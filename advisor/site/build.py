"""`advisor pages build`: the help site as static files.

The site is written to a new folder beside the target and put in place at the end, so
the target is either the old site or the whole new one. A target that holds anything
else than a site built here (no `site.json` of ours) is refused: the build replaces the
whole folder and must never delete someone's files. The output depends on nothing but
the rules, the content and the options (no dates, no machine names), so two builds of the
same checkout are the same bytes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from xml.sax.saxutils import escape, quoteattr

from advisor import __version__, paths
from advisor.errors import AdvisorError
from advisor.site.pages import ASSETS, LANGUAGE_CHOOSER, LANGUAGES, Page, help_pages
from advisor.site.render import Site

MANIFEST: Final = "site.json"
GENERATOR: Final = "advisor pages build"


class SiteBuildError(AdvisorError):
    """The site cannot be written to `path`: `reason` says why (an OSError's text, or
    `not_a_site` when the folder holds other files)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class NotASite(SiteBuildError):
    """The target folder holds files that no `advisor pages build` wrote."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, "the folder is not empty and holds no site built by advisor")


@dataclass(frozen=True)
class BuildResult:
    path: Path
    languages: tuple[str, ...]
    pages: int  # HTML files written
    files: int  # every file written


def build_site(
    out: Path, languages: Sequence[str] = LANGUAGES, *, base_url: str | None = None
) -> BuildResult:
    """Write the help site to `out` (see the module's docstring); raises SiteBuildError."""
    _check_target(out)
    site = Site(base_url=base_url, languages=tuple(languages))
    parent = out.parent if str(out.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".new", dir=parent))
    except OSError as exc:
        raise SiteBuildError(out, exc.strerror or str(exc)) from None
    try:
        pages, files = _write(staging, site, tuple(languages), base_url)
        _swap(staging, out)
    except OSError as exc:
        raise SiteBuildError(out, exc.strerror or str(exc)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(staging)
    return BuildResult(out, tuple(languages), pages, files)


def _check_target(out: Path) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise SiteBuildError(out, "exists and is not a folder")
    if not any(out.iterdir()):
        return
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise NotASite(out) from None
    if not isinstance(manifest, dict) or manifest.get("generator") != GENERATOR:
        raise NotASite(out)


def _write(
    root: Path, site: Site, languages: tuple[str, ...], base_url: str | None
) -> tuple[int, int]:
    written: list[tuple[str, Page]] = []
    first = languages[0]
    _save(root / LANGUAGE_CHOOSER.path, site.render(LANGUAGE_CHOOSER, first))
    written.append((first, LANGUAGE_CHOOSER))
    for lang in languages:
        for page in help_pages():
            _save(root / page.in_language(lang), site.render(page, lang))
            written.append((lang, page))
    assets = paths.content_dir() / "site" / ASSETS
    shutil.copytree(assets, root / ASSETS)
    asset_count = sum(1 for path in (root / ASSETS).rglob("*") if path.is_file())
    manifest = {
        "generator": GENERATOR,
        "version": __version__,
        "rules_version": site.book.version,
        "languages": list(languages),
        "pages": [
            {
                "path": page.in_language(lang),
                "lang": lang,
                "kind": str(page.kind),
                "item": page.item,
            }
            for lang, page in written
        ],
    }
    _save(root / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    files = len(written) + asset_count + 1
    if base_url:
        _save(root / "sitemap.xml", _sitemap(site, languages))
        files += 1
    return len(written), files


def _save(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _swap(staging: Path, out: Path) -> None:
    """Put the new site in place; the old one (if any) goes only once the new one is in."""
    # mkdtemp makes the folder private; a web site is for everyone to read.
    os.chmod(staging, 0o755)  # noqa: S103
    if not out.exists():
        os.replace(staging, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=staging.parent))
    os.replace(out, old / out.name)
    try:
        os.replace(staging, out)
    except OSError:
        os.replace(old / out.name, out)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _sitemap(site: Site, languages: tuple[str, ...]) -> str:
    """Every page with its language alternates (only with --base-url: a sitemap needs
    absolute addresses)."""
    assert site.base_url is not None
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for page in help_pages():
        for lang in languages:
            lines.append(f"<url><loc>{escape(site.base_url + page.in_language(lang))}</loc>")
            for other in languages:
                href = quoteattr(site.base_url + page.in_language(other))
                lines.append(f'<xhtml:link rel="alternate" hreflang="{other}" href={href}/>')
            lines.append("</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
