"""English messages of the library layers that the command line shows translated.

The library layers speak English: what they say goes unchanged into JSON documents (a
contract) and logs. A message that a person may also read on the command line is written
as a gettext msgid with named placeholders and marked with `N_`, so that extraction puts
it into the catalog (docs/translating.md). An exception that carries such a message keeps
the msgid and its values as `template` and `values` (`fill(template, values)` is its
English `message`); advisor/cli/i18n.py `translated()` shows it in the chosen language.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import babel

DOMAIN: Final = "advisor"


def N_(message: str) -> str:
    """Mark an English msgid for extraction; it is translated where it is shown."""
    return message


def fill(template: str, values: Mapping[str, object]) -> str:
    """The English text of a msgid and its values, formatted as the CLI's `_()` formats
    a translation."""
    return template % values if values else template


def load_catalog(lang: str, locale_dir: Path | None = None) -> gettext.NullTranslations:
    """The compiled catalog of a language (`<locale_dir>/<lang>/LC_MESSAGES/advisor.mo`),
    or null translations for English and for a language without one.

    The standard library's gettext reads the `.mo` files that Babel compiles
    (python -m advisor.guidance.catalogs compile): `advisor --help` loads a catalog and
    must stay fast, and importing Babel costs more than reading the file. The guidance
    (advisor/guidance/render.py) and the CLI's messages (advisor/cli/i18n.py) both load
    their catalog here.
    """
    if lang == "en":
        return gettext.NullTranslations()
    from advisor.paths import content_dir

    return gettext.translation(
        DOMAIN,
        localedir=locale_dir or content_dir() / "locale",
        languages=[lang],
        fallback=True,
    )


def language_code(lang: str) -> str:
    """`ru_RU.UTF-8`, `ru-RU` or `ru` -> `ru`; empty -> `en`."""
    return re.split(r"[_.@-]", lang, maxsplit=1)[0].lower() or "en"


def babel_locale(lang: str) -> babel.Locale:
    """Babel's locale for a language, for dates and numbers; English when Babel has none."""
    import babel

    try:
        return babel.Locale.parse(language_code(lang))
    except (ValueError, babel.UnknownLocaleError):
        return babel.Locale.parse("en")


_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def short_date(value: date, lang: str) -> str:
    """A date in a short form the reader cannot misread: 5 Jan 2028 in English, and the
    day-first numbers Estonian and Russian use, 05.01.2028 (the guidance writes dates
    out in full with Babel). Babel is not used here: loading its locale data takes
    longer than the rest of `advisor card status` (docs/performance.md). Machine output
    keeps ISO dates."""
    if lang == "en":
        return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
    return f"{value.day:02d}.{value.month:02d}.{value.year}"
