"""The commands of `advisor`, named without importing them.

`advisor --help` lists every command with its help; importing every command's module to
read that help would cost more than the whole start-up budget (docs/performance.md).
The root group (cli/__init__.py) reads the names and the help from this table and imports
a command's module only when the command runs or shows its own help.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from advisor.translatable import N_


class Entry(NamedTuple):
    module: str
    attribute: str  # the command's Typer app in that module
    help: str  # a msgid


COMMANDS: Final = {
    "diagnose": Entry(
        "advisor.cli.diagnose",
        "diagnose_app",
        N_("Read the card, ask only what it cannot tell, decide, and offer the fix."),
    ),
    "guide": Entry(
        "advisor.cli.guide",
        "guide_app",
        N_("Answer a few questions, without a card, and get the way back to working codes."),
    ),
    "triage": Entry(
        "advisor.cli.triage", "triage_app", N_("Decide cases from facts, one or a whole file.")
    ),
    "rules": Entry("advisor.cli.rules", "rules_app", N_("Check and inspect the rule base.")),
    "card": Entry(
        "advisor.cli.card",
        "card_app",
        N_("Read the card and change, unblock or activate its codes."),
    ),
    "emulator": Entry(
        "advisor.cli.emulator",
        "emulator_app",
        N_("Virtual IDEMIA and Thales cards for trying things out."),
    ),
    "pages": Entry(
        "advisor.cli.pages",
        "pages_app",
        N_("Build the help site: static HTML pages in English, Estonian and Russian."),
    ),
    "serve": Entry(
        "advisor.cli.serve",
        "serve_app",
        N_("Serve the help pages, the support staff's triage page and the JSON API."),
    ),
}
