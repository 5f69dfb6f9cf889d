"""English messages of the library layers that the command line shows translated.

The library layers speak English: what they say goes unchanged into JSON documents (a
contract) and logs. A message that a person may also read on the command line is written
as a gettext msgid with named placeholders and marked with `N_`, so that extraction puts
it into the catalog (docs/translating.md). An exception that carries such a message keeps
the msgid and its values as `template` and `values` (`fill(template, values)` is its
English `message`); advisor/cli/i18n.py `translated()` shows it in the chosen language.
"""

from __future__ import annotations

from collections.abc import Mapping


def N_(message: str) -> str:
    """Mark an English msgid for extraction; it is translated where it is shown."""
    return message


def fill(template: str, values: Mapping[str, object]) -> str:
    """The English text of a msgid and its values, formatted as the CLI's `_()` formats
    a translation."""
    return template % values if values else template
