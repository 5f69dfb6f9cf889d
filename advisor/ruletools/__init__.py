"""Tools for the authors of the rules, around the engine: `advisor rules check` (the rule
base proved sound over the whole fact space), the golden decision table under `tests/`,
and the generated rules reference (docs/rules.md)."""
