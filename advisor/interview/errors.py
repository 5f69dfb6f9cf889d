"""The interview's errors. Each names the question (the fact) it is about and carries its
message as a msgid (advisor/translatable.py), so that the command line shows it in the
holder's language while JSON keeps the English. No message repeats what was typed: an
answer might be a code typed by mistake."""

from __future__ import annotations

from typing import Self

from advisor.errors import AdvisorError


class InterviewError(AdvisorError):
    """An operation the interview cannot do (no earlier answer to go back to, a question
    not asked yet, a token that cannot be read)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message

    @classmethod
    def about(cls, field: str | None, template: str, **values: object) -> Self:
        return cls.translatable(template, field, **values)


class AnswerError(InterviewError):
    """An answer the question does not take; the question stays open."""


class TokenError(InterviewError):
    """A token that is not one of ours, is damaged, or was made by other rules."""
