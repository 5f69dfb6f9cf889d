"""The questionnaire as its surfaces show it.

`advisor.interview` asks; this layer puts its steps into the words and the forms that a
surface shows, in the holder's language: the JSON step of `advisor guide --json` and of
`POST /api/v1/interview` (`document`), and the interview tree in the compact form that
the help site's questionnaire page carries (`compact`). The terminal, the API, the
server's pages and the static page all take the same step from here, so that every
surface asks the same question with the same words.

Layer: above the interview and the guidance; below the site, the web and the CLI.
"""

from advisor.questionnaire.document import (
    answer_words,
    outcome_document,
    question_document,
    step_document,
)

__all__ = ["answer_words", "outcome_document", "question_document", "step_document"]
