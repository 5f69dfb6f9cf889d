"""The guided recovery questionnaire, as a library object with no input or output.

Given the facts known so far, an `Interview` gives the next `Question` (the fact it asks
for, the answers it takes, the keys of its texts, why it is asked) or, once nothing left
to ask can change the decision, the decision itself. It reuses the decider and its
decision table (advisor.engine): the next question is the one the decider ranks most
informative over the routes still possible. "I don't know" is an answer; any earlier
answer can be changed or withdrawn. The state round-trips through a short URL-safe token,
and the whole interview exports as a decision tree (`export_tree`). The terminal
(`advisor guide`, `advisor diagnose`) and a web page drive the same object.

Layer: beside the engine; imports the engine, the facts and the base modules only.
"""

from advisor.interview.answers import Answer, parse_answer
from advisor.interview.errors import AnswerError, InterviewError, TokenError
from advisor.interview.interview import Interview, Step
from advisor.interview.questions import (
    FIELDS,
    AnswerKind,
    Choice,
    Question,
    Reason,
    Why,
)
from advisor.interview.transcript import DONT_KNOW, Transcript, Wording
from advisor.interview.tree import InterviewTree, TreeStats, export_tree

__all__ = [
    "DONT_KNOW",
    "FIELDS",
    "Answer",
    "AnswerError",
    "AnswerKind",
    "Choice",
    "Interview",
    "InterviewError",
    "InterviewTree",
    "Question",
    "Reason",
    "Step",
    "TokenError",
    "Transcript",
    "TreeStats",
    "Why",
    "Wording",
    "export_tree",
    "parse_answer",
]
