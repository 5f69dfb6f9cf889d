"""What a worker loads once and every request reads: the settings, the decider with its
table, and the help site. Requests share them without locks: the pages and the decider's
memos only ever grow with values that do not depend on the request, `one_case` is used
from the event loop only, and a batch takes a decider of its own."""

from __future__ import annotations

from dataclasses import dataclass, field

from advisor.engine import Decider, load_decider
from advisor.site import Page, Site
from advisor.site.questionnaire import tree_json
from advisor.web.onecase import OneCase
from advisor.web.settings import WebSettings


@dataclass
class AppState:
    settings: WebSettings
    decider: Decider
    site: Site = field(init=False)
    one_case: OneCase = field(init=False)
    _pages: dict[tuple[str, str], str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.site = Site(served=True, decider=self.decider)
        self.one_case = OneCase(self.decider)

    @classmethod
    def load(cls, settings: WebSettings, decider: Decider | None = None) -> AppState:
        chosen = decider if decider is not None else load_decider()
        chosen.table  # noqa: B018 - build or load the table now, not in the first request
        # The questionnaire's tree too: read from the cache, or exported on forked
        # processes (seconds) before the server starts threads or takes a request.
        tree_json(chosen)
        return cls(settings, chosen)

    def page(self, page: Page, lang: str) -> str:
        """A help page, rendered once per worker: it depends on nothing but the content
        (a few hundred pages at most)."""
        key = (page.in_language(lang), lang)
        found = self._pages.get(key)
        if found is None:
            found = self._pages[key] = self.site.render(page, lang)
        return found
