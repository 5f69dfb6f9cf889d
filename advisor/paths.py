"""Where the rule files, the content and the cache live.

The rules and texts are data at the top of the project (`rules/`, `content/`), so the
package is run from a checkout (`pip install -e .`); ADVISOR_RULES_DIR and
ADVISOR_CONTENT_DIR point elsewhere, ADVISOR_CACHE_DIR moves the decision-table cache.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def rules_dir() -> Path:
    return Path(os.environ.get("ADVISOR_RULES_DIR") or PROJECT_ROOT / "rules")


def content_dir() -> Path:
    return Path(os.environ.get("ADVISOR_CONTENT_DIR") or PROJECT_ROOT / "content")


def cache_dir() -> Path:
    explicit = os.environ.get("ADVISOR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "advisor"
