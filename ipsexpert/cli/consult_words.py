"""What the consultation says: the question, its progress, help, and why it is asked.

Only words: ``analysis.consultation`` decides what to ask and what each answer would do
(its ``Reason``s); this module puts that in sentences for a terminal. ``why`` stays short
— the recommendations an answer decides, one line each, in titles and answers — and
``why more`` gives the rules behind each. Text from the knowledge base or a file passes
through ``safe_text`` like everything else shown.
"""

from __future__ import annotations

from ..analysis.consultation import Question, Reason, Remaining
from ..knowledge import conditions
from ..knowledge.catalogue import FactSpec
from ..knowledge.conditions import show_value
from ..knowledge.loading import KnowledgeBase
from ..knowledge.scenario import Claim
from ..safe_text import one_line, printable
from .console import accepts, either, wrap

COMMANDS = "why, help, back, change FACT_ID, quit"
PROSPECTS = {"advised": "advised", "satisfied": "satisfied", "not_applicable": "not applicable",
             "undetermined": "still open"}
ENTRY, ENTRY_MORE = "    ", "      "  # a recommendation's line in `why`, and the lines it wraps onto


def _by_result(by_answer: dict[str, str]) -> list[tuple[str, list[str]]]:
    """Answers grouped by what they lead to, in the order the answers come."""
    groups: dict[str, list[str]] = {}
    for label, result in by_answer.items():
        groups.setdefault(result, []).append(label)
    return list(groups.items())


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# -- the question ---------------------------------------------------------------------------

def progress(number: int, left: Remaining) -> str:
    """The question's number and how many may follow it (``left`` counts this one)."""
    estimate, at_most = max(left.estimate - 1, 0), max(left.at_most - 1, 0)
    if at_most == 0:
        return f"Question {number}: the last one"
    if estimate == 0:
        return f"Question {number}: perhaps the last one (at most {at_most} more)"
    return f"Question {number}: about {estimate} more after this one (at most {at_most})"


def question_lines(question: Question, spec: FactSpec, claims: list[Claim]) -> list[str]:
    """The question, who answered what if it is disputed, and the answers it accepts."""
    lines = [f"[{question.fact}] {printable(' '.join(question.text.split()))}"]
    if claims:
        lines.append(wrap("Disputed: " + disputed_words(claims)))
    if spec.type == "enum":
        lines.append(wrap(", ".join(f"{number} {value}" for number, value in enumerate(spec.values, 1))))
    lines.append(f"  Answer: {accepts(spec)}, or unknown (?)")
    return lines


def disputed_words(claims: list[Claim]) -> str:
    """Who answered what: ``Ministry of Finance: established; Agency: unclear (a note)``."""
    return "; ".join(f"{one_line(claim.respondent, 80)}: {one_line(show_value(claim.value), 80)}"
                     + (f" ({one_line(claim.note, 120)})" if claim.note else "") for claim in claims)


def help_text(question: Question) -> str:
    lines = [wrap(printable(question.help))]
    described = [option for option in question.options if question.type == "enum" and option.help]
    if described:
        lines.append("  Values:")
        width = max(len(str(option.value)) for option in question.options)
        lines += [f"    {number} {str(option.value).ljust(width)}  {printable(option.help)}".rstrip()
                  for number, option in enumerate(question.options, 1)]
    if question.type == "int" and question.minimum is not None:
        lines.append(f"  A whole number, at least {question.minimum}.")
    lines.append(wrap("Type unknown (or ?) if you do not know: the advice then says what your "
                      "answer would decide."))
    return "\n".join(lines)


# -- why: short ------------------------------------------------------------------------------

NOTHING_LEFT = ("Your other answers already settle everything this question could change; "
                "you reopened it, so answer it or type unknown.")


def why(reasons: list[Reason]) -> str:
    """The recommendations this answer decides, one line each: its title and what each answer does."""
    if not reasons:
        return wrap(NOTHING_LEFT)
    outcome = [reason for reason in reasons if reason.kind == "outcome"]
    deciding = [reason for reason in outcome if len(_by_result(reason.by_answer)) > 1]
    shared = [reason for reason in outcome if reason not in deciding]
    alone, together = _severities(reasons)
    rank = [reason for reason in reasons if reason.kind == "rank"]
    lines: list[str] = []
    if deciding:
        lines.append(f"  This answer decides {_plural(len(deciding), 'recommendation')}:")
        lines += [_entry(reason, "; ".join(f"{PROSPECTS[result]} if {either(labels)}"
                                           for result, labels in _by_result(reason.by_answer)))
                  for reason in deciding]
    if shared:
        lines.append(wrap(f"With other answers, it {'also ' if deciding else ''}decides "
                          + ", ".join(_status(reason) for reason in shared) + "."))
    if alone:
        lines.append("  It settles the severity of:")
        lines += [_entry(reason, "; ".join(f"{result} if {either(labels)}"
                                           for result, labels in _by_result(reason.by_answer)))
                  for reason in alone]
    if together:
        lines.append(wrap("With other answers, it can raise the severity of "
                          + ", ".join(_status(reason) for reason in together) + "."))
    if rank:
        lines.append("  It sets when advice is due, and so its rank:")
        lines += _timing_lines(rank)
    lines.append("  More on how each is decided: why more")
    return "\n".join(lines)


def _entry(reason: Reason, words: str) -> str:
    label = f"{reason.recommendation} {one_line(reason.title)}" + (" (advised)" if reason.current == "advised" else "")
    return wrap(f"{label}: {words}", ENTRY, ENTRY_MORE)


def _severities(reasons: list[Reason]) -> tuple[list[Reason], list[Reason]]:
    """Severity this answer settles alone, and severity it raises only together with others."""
    severity = [reason for reason in reasons if reason.kind == "severity"]
    alone = [reason for reason in severity if len(_by_result(reason.by_answer)) > 1]
    return alone, [reason for reason in severity if reason not in alone]


def _status(reason: Reason) -> str:
    return reason.recommendation + (" (advised)" if reason.current == "advised" else "")


def _timing_lines(rank: list[Reason]) -> list[str]:
    """One line per way the answers set the timing, naming the advice it applies to."""
    groups: dict[tuple, list[str]] = {}
    for reason in rank:
        key = tuple((result, tuple(labels)) for result, labels in _by_result(reason.by_answer))
        groups.setdefault(key, []).append(_status(reason))
    return [wrap(f"{'; '.join(f'{result} if {either(list(labels))}' for result, labels in grouping)}: "
                 f"{', '.join(members)}", ENTRY, ENTRY_MORE) for grouping, members in groups.items()]


# -- why more: the rules behind each ---------------------------------------------------------------

def why_more(reasons: list[Reason], kb: KnowledgeBase) -> str:
    """Which recommendations this answer still decides, and the conditions that decide them."""
    if not reasons:
        return wrap(NOTHING_LEFT)
    recs = kb.recommendations
    lines: list[str] = []
    outcome = [reason for reason in reasons if reason.kind == "outcome"]
    alone, together = _severities(reasons)
    rank = [reason for reason in reasons if reason.kind == "rank"]
    if outcome:
        lines.append(f"  This answer can still decide {_plural(len(outcome), 'recommendation')}:")
        for reason in outcome:
            lines.append(f"    {reason.recommendation} {one_line(reason.title)}")
            lines.append(wrap(_outcome_more(reason, kb), " " * 8))
    if alone:
        lines.append("  It settles the severity of:")
        lines += [wrap(_severity_more(reason, kb), " " * 4) for reason in alone]
    if together:
        lines.append(wrap("Together with other answers, it can raise the severity of: "
                          + ", ".join(f"{_status(reason)} {one_line(recs[reason.recommendation].title)} "
                                      f"(if advised, {recs[reason.recommendation].severity})"
                                      for reason in together) + "."))
    if rank:
        lines.append("  It sets the timing, and so the score and rank, of advice given or still possible:")
        lines += [wrap(f"{_status(reason)} {one_line(reason.title)} (a {'/'.join(recs[reason.recommendation].phases)}"
                       " step)", " " * 4) for reason in rank]
        lines += _timing_lines(rank)
    return "\n".join(lines)


def _outcome_more(reason: Reason, kb: KnowledgeBase) -> str:
    rec = kb.recommendations[reason.recommendation]
    groups = _by_result(reason.by_answer)
    if len(groups) == 1:
        applies = "it always applies" if isinstance(rec.applies, conditions.Always) \
            else f"it applies when {conditions.describe(rec.applies)}"
        return (f"This answer decides it together with others: {applies}, and is advised when "
                f"{conditions.describe(rec.advised)}.")
    parts = [f"{PROSPECTS[result]} if {either(labels)}" for result, labels in groups]
    return f"{rec.id} is {parts[0].replace(' if ', ' if this is ', 1)}" + \
        "".join(f"; {part}" for part in parts[1:]) + "."


def _severity_more(reason: Reason, kb: KnowledgeBase) -> str:
    rec = kb.recommendations[reason.recommendation]
    state = "advised" if reason.current == "advised" else "if advised"
    parts = [f"{'raised to' if result != rec.severity else 'stays'} {result} if {either(labels)}"
             for result, labels in _by_result(reason.by_answer)]
    return f"{rec.id} {one_line(rec.title)} ({state}, {rec.severity}): " + \
        "; ".join(parts).replace(" if ", " if this is ", 1) + "."
