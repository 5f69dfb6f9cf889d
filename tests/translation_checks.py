"""What a translation must keep of the English text, shared by the tests of the catalogs
(tests/test_catalogs.py) and of the "how to find out" texts
(tests/test_interview_howto.py): numbers, links, addresses, fees, source ids, code, and
each quoted software label as the app shows it in that language (docs/translating.md)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from advisor.guidance.catalogs import Layout


def read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def messages(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


# Facts that must survive translation, taken from the English text.
KEPT = (
    re.compile(r"\+372(?: \d+)+"),  # phone numbers
    re.compile(r"https?://[^\s<>)\]]+"),  # links
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail addresses
    re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:ee|com|org)\b"),  # domains
    re.compile(r"€\d+(?:–\d+)?"),  # fees
    re.compile(r"\bS\d{1,2}\b"),  # source IDs
    re.compile(r"\.cdoc\b|\bCAN\b|\bNFC\b|\bUSB\b|\bSmart-ID\b|\bDigiDoc4\b|\bRIA DigiDoc\b"),
)
NUMBER = re.compile(r"\d+")
DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")
CODE = re.compile(r"`([^`]+)`")
QUOTED = re.compile(r'"([^"]+)"')

# Every label quoted in the English text, with what the translation must show
# (docs/translating.md, "Software labels"). Estonian: the label the app shows in
# Estonian (DigiDoc4's et.ts; "Unblock" under a blocked PIN is „Tühista blokeering“,
# „Blokeeri lahti“ is only the confirm button inside the dialog). Russian, one
# convention for every app: the English label in «…», then in brackets the app's own
# Russian label (DigiDoc4's ru.ts before the Russian interface was removed in June
# 2026; RIA DigiDoc's values-ru). A name with no Russian label (the PPA self-service
# services, DigiDoc4's diagnostic lines) stays English alone.
LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "My eID": {"et": ("„Minu eID“",), "ru": ("«My eID» («Мой eID»)",)},
    "Unblock": {"et": ("„Tühista blokeering“",), "ru": ("«Unblock» («Разблокировать»)",)},
    "Change with PUK code": {
        "et": ("„Muuda PUK-koodiga“",),
        "ru": ("«Change with PUK code» («Изменить с помощью PUK-кода»)",),
    },
    "Change PUK": {"et": ("„Muuda PUK“",), "ru": ("«Change PUK» («Изменить PUK»)",)},
    "Change PIN2": {"et": ("„Muuda PIN2“",), "ru": ("«Change PIN2» («Изменить PIN2»)",)},
    "Activate ID-card": {
        "et": ("„Aktiveeri ID-kaart“",),
        "ru": ("«Activate ID-card» («Активировать ID карту»)",),
    },
    "PUK remaining attempts": {
        "et": ("„PUK katseid jäänud“",),
        "ru": ("«PUK remaining attempts» («PUK оставшиеся попытки»)",),
    },
    "PIN2 code must be changed in order to sign.": {
        "et": ("„Allkirjastamiseks tuleb PIN2-koodi muuta.“",),
        "ru": (
            "«PIN2 code must be changed in order to sign.» "
            "(«Чтобы подписывать, необходимо изменить PIN2.»)",
        ),
    },
    "Settings": {"et": ("„Seaded“",), "ru": ("«Settings» («Настройки»)",)},
    "Diagnostics": {"et": ("„Diagnostika“",), "ru": ("«Diagnostics» («Диагностика»)",)},
    # What DigiDoc4's diagnostics print: not translated by the app.
    "AID_IDEMIA": {"et": ("„AID_IDEMIA“",), "ru": ("«AID_IDEMIA»",)},
    "AID_THALES": {"et": ("„AID_THALES“",), "ru": ("«AID_THALES»",)},
    "(OK)": {"et": ("„(OK)“",), "ru": ("«(OK)»",)},
    # RIA DigiDoc (phone): the section heading is described, not quoted,
    # because its current wording in Estonian and Russian is not verified.
    "PIN codes and certificates": {
        "et": ("PIN-koodide ja sertifikaatide",),
        "ru": ("PIN-кодов и сертификатов",),
    },
    "Forgot PIN1?": {
        "et": ("„Unustasid PIN1-koodi?“",),
        "ru": ("«Forgot PIN1?» («Забыли PIN1?»)",),
    },
    "Forgot PIN2?": {
        "et": ("„Unustasid PIN2-koodi?“",),
        "ru": ("«Forgot PIN2?» («Забыли PIN2?»)",),
    },
    "Viewing the ID-card PUK": {
        "et": ("„Viewing the ID-card PUK“",),
        "ru": ("«Viewing the ID-card PUK»",),
    },
    "View ID-card PUK": {"et": ("„View ID-card PUK“",), "ru": ("«View ID-card PUK»",)},
}


@functools.cache
def english_sentences() -> tuple[str, ...]:
    """Sentences of three words or more from every msgid, with quoted labels,
    placeholders, code and links taken out: none may appear in a translation."""
    found: set[str] = set()
    for message in messages(read(Layout().template)):
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        for msgid in ids:
            text = re.sub(r'"[^"]*"|`[^`]*`|<[^>]*>|%\(\w+\)s|\([^)]*\)', "|", msgid)
            for sentence in re.split(r"[.:;?!,]\s+|[.:;?!]$|\|", text):
                words = re.findall(r"[A-Za-z][A-Za-z'-]*", sentence)
                if len(words) >= 3:
                    found.add(" ".join(sentence.split()).lower())
    return tuple(sorted(found))
