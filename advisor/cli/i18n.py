"""The command line's own messages in the holder's language.

One gettext domain serves the guidance and the CLI (content/locale/*/advisor.po), so a
translator sees every text of a language in one catalog. A command chooses the language
once (`use_language`, through `common.choose_language`); `_()` then translates, with
named placeholders only, and `translated()` shows the messages that the library layers
mark with `N_` (advisor/translatable.py).
"""

from __future__ import annotations

import gettext
from datetime import date
from functools import lru_cache
from typing import Any

_active: Any = gettext.NullTranslations()
_language = "en"


@lru_cache(maxsize=4)
def _catalog(lang: str) -> Any:
    from advisor import translatable

    return translatable.load_catalog(lang)


def use_language(lang: str) -> None:
    global _active, _language
    _active = _catalog(lang)
    _language = lang


def day(value: date) -> str:
    """A date in the chosen language's short form (translatable.short_date)."""
    from advisor.translatable import short_date

    return short_date(value, _language)


def _(message: str, **values: object) -> str:
    text: str = _active.gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values: object) -> str:
    """A message whose form depends on `n` (Russian has three), with `n` as `%(n)s`."""
    text: str = _active.ngettext(singular, plural, n)
    return text % {"n": n, **values}


def translated(error: BaseException) -> str:
    """The message of a library exception in the chosen language, when it carries its
    msgid (`template` and `values`, advisor/translatable.py); else its English text."""
    template = getattr(error, "template", None)
    if not isinstance(template, str):
        return str(getattr(error, "message", error))
    return _(template, **getattr(error, "values", {}))
