"""The words of an interview's transcript in one language: the catalog's translation of
the transcript's msgids, the guidance's question texts and titles, and short dates.
A page uses it as it is; the command line (advisor/cli/guide.py) takes its msgids from
its own active catalog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from advisor.guidance import advisory_title, load_translations, question_text, route_title
from advisor.model import Advisory, Route
from advisor.translatable import short_date


@dataclass(frozen=True)
class PageWording:
    lang: str

    def text(self, msgid: str, **values: object) -> str:
        text: str = load_translations(self.lang).gettext(msgid)
        return text % values if values else text

    def question(self, field: str) -> str:
        return question_text(field, self.lang)

    def route(self, route: Route) -> str:
        return route_title(str(route), self.lang)

    def advisory(self, advisory: Advisory) -> str:
        return advisory_title(str(advisory), self.lang)

    def day(self, value: date) -> str:
        return short_date(value, self.lang)
