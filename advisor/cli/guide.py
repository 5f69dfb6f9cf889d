"""`advisor guide`: the guided questionnaire, without a card.

The questions, their order and the decision come from `advisor.interview`; this module
only asks and shows, in the terminal (prompts on stderr, the guidance on stdout) or as
JSON Lines on stdin and stdout for another program (docs/questionnaire.md). `diagnose`
runs the same terminal loop after reading a card (`ask_in_terminal`).
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from advisor.cli.common import ExitCode, choose_language, emit_json, fail, say, wants_json
from advisor.cli.helptext import Typer
from advisor.cli.i18n import _, translated
from advisor.cli.options import JsonOption, LangOption
from advisor.cli.prompts import read_line
from advisor.cli.registry import COMMANDS
from advisor.questionnaire.wording import PageWording
from advisor.translatable import N_

if TYPE_CHECKING:
    from advisor.engine import Decider
    from advisor.interview import Interview, Question

# What the holder may type besides an answer. "?" and "back" always work; the
# translation of "back" works too.
HELP_WORD = "?"
# TRANSLATORS: A word the holder types to return to the previous question; one word.
BACK_WORD = N_("back")
_WIDTH = 80


class CliWording(PageWording):
    """The interview's transcript in the chosen language (advisor.interview.Wording):
    a page's words, but the command line's catalog, which the pseudo-locale of
    tests/test_pseudo_locale.py replaces."""

    def text(self, msgid: str, **values: object) -> str:
        return _(msgid, **values)


def _choices_line(question: Question) -> str:
    from advisor.interview import AnswerKind

    if question.kind is AnswerKind.COUNT:
        line = " / ".join(_(c.label) for c in question.choices)
    else:
        line = "   ".join(f"{n} {_(c.label)}" for n, c in enumerate(question.choices, 1))
    if question.kind is AnswerKind.DATE:
        return _("Type the date, for example 17.11.2030.")
    if question.takes_date:
        line += "   " + _("or the date of issue, for example 17.11.2025")
    return line


def _why_text(question: Question, lang: str) -> str:
    from advisor.guidance import advisory_title, route_title
    from advisor.interview import Reason

    if question.why.reason is Reason.SAFETY:
        return _(
            "Asked because the answer changes what you should know: %(advisories)s",
            advisories="; ".join(advisory_title(str(a), lang) for a in question.why.advisories)
            or "-",
        )
    return _(
        "Asked because the answer decides between: %(routes)s",
        routes="; ".join(route_title(str(r), lang) for r in question.why.candidates),
    )


def _read(prompt: str) -> str | None:
    if sys.stdin.isatty():
        try:
            answer: str = typer.prompt(
                prompt, default="", show_default=False, err=True, prompt_suffix=""
            )
        except typer.Abort:
            return None
        return answer
    return read_line(prompt)


def ask_in_terminal(interview: Interview, lang: str) -> Interview:
    """Ask until the interview is over or the input ends; "?" shows how to find out,
    "back" returns to the previous question, an empty answer is "I don't know" (and
    shows how to find out too)."""
    from advisor.guidance import question_text
    from advisor.interview import DONT_KNOW, AnswerError, InterviewError
    from advisor.questionnaire import answer_words
    from advisor.questionnaire.document import howto

    if interview.next is not None:
        say(
            _(
                "Answer with the number or the word of an answer. Press Enter alone if you "
                "do not know. Never type a PIN or PUK here."
            )
        )
        say(
            _(
                "Type %(help)s to learn how to find out. To return to the previous question, "
                "type %(back)s.",
                help=HELP_WORD,
                back=_(BACK_WORD),
            )
        )
    back_words = {"back", _(BACK_WORD).casefold()}
    dont_know = _(DONT_KNOW).casefold()
    while (question := interview.next) is not None:
        number = len(interview.path) + 1
        say(f"\n{number}. {question_text(question.field, lang)}")
        say("   " + _choices_line(question))
        raw = _read("> ")
        if raw is None:
            break
        word = raw.strip().casefold()
        if word == HELP_WORD:
            say(howto(question, interview, lang))
            say(_why_text(question, lang))
            continue
        if word in back_words:
            try:
                interview = interview.back()
            except InterviewError as exc:
                say(translated(exc))
            continue
        unknown = word in ("", dont_know)
        try:
            interview = interview.answer(
                None if unknown else raw, words=answer_words(question, lang)
            )
        except AnswerError as exc:
            say(_("That is not an answer to this question: %(problem)s.", problem=translated(exc)))
            continue
        if unknown:
            # "I don't know" moves on; how to find out is shown, and the way back to it.
            say(howto(question, interview, lang))
            say(_("If you find out, you can still answer it: type %(back)s.", back=_(BACK_WORD)))
    return interview


def show_outcome(interview: Interview, lang: str) -> None:
    """The guidance for the decision on stdout; on stderr what stayed unknown."""
    from advisor.guidance import render_decision

    sys.stdout.write(
        render_decision(
            interview.decision.to_json(),
            facts=interview.facts.to_json(),
            lang=lang,
            fmt="text",
            width=_WIDTH,
        )
    )
    say_unknown(interview, lang)
    if not interview.done:
        say(_("To go on later: advisor guide --resume %(token)s", token=interview.token()))


def say_unknown(interview: Interview, lang: str) -> None:
    """Which questions the holder could not answer (the decision accounts for them)."""
    from advisor.guidance import question_text

    if interview.unknown:
        say(
            _(
                "You did not know: %(questions)s",
                questions=" ".join(question_text(f, lang) for f in interview.unknown),
            )
        )


def _emit(document: Any) -> None:
    emit_json(document)
    sys.stdout.flush()  # a program waits for each line before it answers


def speak_json_lines(interview: Interview, lang: str) -> Interview:
    """The JSON Lines protocol: a question per line out, an answer per line in; the end
    of input ends the interview where it stands."""
    from advisor.interview import AnswerError, InterviewError
    from advisor.questionnaire import answer_words, outcome_document, question_document

    while (question := interview.next) is not None:
        _emit(question_document(question, interview, lang))
        line = sys.stdin.readline()
        if not line:
            break
        raw = line.rstrip("\r\n")
        try:
            if raw.strip().casefold() == "back":
                interview = interview.back()
            else:
                interview = interview.answer(raw, words=answer_words(question, lang))
        except (AnswerError, InterviewError) as exc:
            _emit({"error": {"field": exc.field, "message": exc.message}})
    _emit(outcome_document(interview))
    return interview


def write_transcript(interview: Interview, path: Path, lang: str) -> None:
    transcript = interview.transcript()
    if path.suffix == ".json":
        text = json.dumps(transcript.to_json(), ensure_ascii=False, indent=1) + "\n"
    else:
        text = transcript.to_text(CliWording(lang))
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(
            _("cannot write %(path)s: %(reason)s", path=str(path), reason=exc.strerror),
            ExitCode.USAGE,
        )


def write_tree(decider: Decider, path: Path, known: Mapping[str, Any], today: date) -> None:
    from advisor.interview import export_tree

    tree = export_tree(decider, known, today=today)
    data = tree.to_json_bytes()
    try:
        path.write_bytes(gzip.compress(data, 6) if path.suffix == ".gz" else data)
    except OSError as exc:
        fail(
            _("cannot write %(path)s: %(reason)s", path=str(path), reason=exc.strerror),
            ExitCode.USAGE,
        )
    stats = tree.stats
    mean = f"{stats.mean_questions:.2f}"
    say(
        _(
            "The interview as a tree in %(path)s. Question nodes: %(nodes)s; distinct "
            "decisions: %(decisions)s; paths: %(paths)s; most questions on a path: %(depth)s. "
            "Over the space of cases: %(mean)s questions on average, %(most)s at most.",
            path=str(path),
            nodes=stats.nodes,
            decisions=stats.decisions,
            paths=stats.paths,
            depth=stats.depth,
            mean=mean,
            most=stats.max_questions,
        )
    )


def _facts_of(facts_json: str | None) -> dict[str, Any]:
    """--facts as `triage case` takes it: one JSON object (validated by the interview,
    which names the field of a bad fact)."""
    from advisor.errors import FactError

    if facts_json is None:
        return {}
    try:
        data = json.loads(facts_json)
    except json.JSONDecodeError as exc:
        raise FactError.about(
            "--facts",
            N_("invalid JSON at column %(column)s: %(problem)s"),
            column=exc.colno,
            problem=exc.msg,
        ) from None
    if not isinstance(data, dict):
        raise FactError.about("--facts", N_("must be a JSON object"))
    return data


def run_guide(
    lang: str,
    *,
    known: dict[str, Any] | None = None,
    today: date | None = None,
    transcript: Path | None = None,
    interview: Interview | None = None,
) -> None:
    """The interview in the terminal and its outcome (also `diagnose` without a card)."""
    from advisor.engine import load_decider
    from advisor.interview import Interview

    if interview is None:
        interview = Interview(load_decider(), known, today=today or date.today())
    interview = ask_in_terminal(interview, lang)
    show_outcome(interview, lang)
    if transcript is not None:
        write_transcript(interview, transcript, lang)


guide_app = Typer(no_args_is_help=False)


@guide_app.command("guide", help=COMMANDS["guide"].help)
def guide(
    ctx: typer.Context,
    facts_json: Annotated[
        str | None,
        typer.Option(
            "--facts",
            metavar="JSON",
            help=N_("Facts known in advance, as one JSON object (docs/facts.md)."),
        ),
    ] = None,
    today_text: Annotated[
        str | None,
        typer.Option("--today", metavar="DATE", help=N_("Evaluation date (default: today).")),
    ] = None,
    transcript: Annotated[
        Path | None,
        typer.Option(
            "--transcript",
            metavar="FILE",
            help=N_("Write the questions, answers and decision to FILE (.json: as JSON)."),
        ),
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export-tree",
            metavar="FILE",
            help=N_("Write the whole interview as a JSON decision tree to FILE, and stop."),
        ),
    ] = None,
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume", metavar="TOKEN", help=N_("Go on with an interview saved as a token.")
        ),
    ] = None,
    json_output: JsonOption = False,
    lang: LangOption = None,
) -> None:
    from advisor.errors import FactError, RulesLoadError
    from advisor.interview import Interview, TokenError

    language = choose_language(ctx, lang)
    as_json = wants_json(ctx, json_output)
    if resume is not None and (facts_json is not None or today_text is not None):
        fail(
            _("a resumed interview has its facts and date: give --resume alone"),
            ExitCode.USAGE,
        )
    try:
        from advisor.engine import load_decider
        from advisor.facts.dates import parse_human_date

        # --today wins; else the facts' own "today"; else the current date.
        today = parse_human_date(today_text, "--today") if today_text else None
        known = _facts_of(facts_json)
        decider = load_decider()
        if resume is not None:
            interview = Interview.from_token(decider, resume)
        else:
            interview = Interview(decider, known, today=today)
    except (FactError, TokenError) as exc:
        if as_json:
            _emit({"error": {"field": exc.field, "message": exc.message}})
            raise typer.Exit(int(ExitCode.USAGE)) from None
        if isinstance(exc, TokenError):
            fail(translated(exc), ExitCode.USAGE)
        fail(
            _("invalid input: %(field)s: %(problem)s", field=exc.field, problem=translated(exc)),
            ExitCode.USAGE,
        )
    except RulesLoadError as exc:
        fail(_("the rules cannot be loaded: %(problem)s", problem=exc), ExitCode.FAILED)
    if export is not None:
        write_tree(decider, export, interview.known, interview.today)
        return
    if as_json:
        interview = speak_json_lines(interview, language)
        if transcript is not None:
            write_transcript(interview, transcript, language)
        return
    run_guide(language, transcript=transcript, interview=interview)
