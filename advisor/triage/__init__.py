"""Triage for support staff: JSON Lines or CSV records decided in order (`batch`), with a
fast path for exact JSON records (`fastpath`)."""
