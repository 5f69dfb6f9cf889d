"""Recovery advisor for Estonian eID cards."""

__version__ = "0.1.0"
