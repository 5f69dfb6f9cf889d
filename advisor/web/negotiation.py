"""The language of a request: the URL's first segment, else the browser's Accept-Language
(RFC 9110 §12.5.4: q-values, the primary subtag decides), else English."""

from __future__ import annotations

from collections.abc import Sequence


def preferred_language(header: str | None, available: Sequence[str]) -> str:
    best, best_q = available[0], -1.0
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        code = tag.strip().split("-")[0].lower()
        if code not in available and code != "*":
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        chosen = available[0] if code == "*" else code
        # Ties keep the header's order (the earlier wins), as browsers mean them.
        score = quality - position * 1e-6
        if score > best_q:
            best, best_q = chosen, score
    return best
