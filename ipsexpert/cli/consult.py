"""The interactive consultation: the terminal side of ``analysis.consultation``.

The library decides what to ask, what an answer does and why a question matters; this
module prompts, reads, shows (``consult_words`` has the sentences) and saves.
``consult_file`` keeps the file: locked while the consultation runs, written atomically
after every change (never before the first), an existing file kept as FILE.bak and a
resumed one edited in place with its comments. So an interruption, a closed terminal, a
``kill`` or the end of a script never loses more than the question being asked, and the
file is always one that ``ipsexpert evaluate`` and ``ipsexpert consult --resume`` accept.

Standard input is read line by line whether or not it is a terminal, so a consultation
can be scripted; prompts stay on stdout. A line may name what it answers
(``FACT_ID=value``, ``name=...``, ``as_of=...``), so a script need not know the order
of the questions. A script's line that cannot be taken stops the consultation with exit
2, its answers kept, rather than let the next line answer the wrong question; at a
terminal the question is simply asked again.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any

from ..analysis.consultation import UNKNOWN, Consultation, Question
from ..errors import IpsExpertError, ScenarioError
from ..knowledge.conditions import show_value
from ..knowledge.loading import load_knowledge_base
from ..render import text
from ..report.expert import Expert
from ..safe_text import one_line
from .console import (Console, Stopped, accepts, exit_code, parse_answer, quoted, shown, stop_signals, stop_words,
                      text_streams, wrap)
from .consult_file import ConsultationError, ScenarioFile, locked
from .consult_words import COMMANDS, help_text, progress, question_lines, why, why_more

DEFAULT_SAVE = "ipsexpert-consultation.yaml"
EXIT_DONE = 0
HEADER_PROMPTS = {"name": "Project name", "as_of": "Date the answers describe (e.g. 2024 or 2024-03)"}
"""Asked at a terminal when the file lacks them; a script gives them as ``name=...`` lines."""

NAMED = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)", re.S)

__all__ = ["DEFAULT_SAVE", "ConsultationError", "Dialogue", "ScriptError", "run_consultation"]


class ScriptError(IpsExpertError):
    """A scripted consultation stopped at a line it could not take (exit 2, the answers kept)."""


class _Quit(Exception):
    """The user asked to stop."""


class _Refused(Exception):
    """A script's line the consultation cannot take: it stops before the next line is misread."""

    def __init__(self, fact_id: str, words: str) -> None:
        super().__init__(words)
        self.fact_id, self.words = fact_id, words


def _message(error: ScenarioError) -> str:
    """The library's refusal as a sentence of the dialogue, short and safe to show."""
    words = one_line(error.problems[0].message, 160)
    return words[:1].upper() + words[1:]


class Dialogue:
    """One consultation at the terminal: its questions and answers come from the library."""

    def __init__(self, expert: Expert, file: ScenarioFile, console: Console) -> None:
        self.expert, self.kb = expert, expert.kb
        self.file, self.console = file, console
        self.consultation = Consultation(expert, file.answers, disputed=file.scenario.disputed)

    @property
    def answers(self) -> dict[str, Any]:
        """The answers as the file holds them (None for unknown), in the order given.

        An unknown answer to a disputed question is not kept: it does not settle the
        dispute, and unanswered the question is asked first again when the file is resumed.
        """
        return {fact_id: None if value == UNKNOWN else value for fact_id, value in self.consultation.answers.items()
                if not (value == UNKNOWN and self.unsettled(fact_id))}

    def unsettled(self, fact_id: str) -> bool:
        """A question disputed in the file that the file does not answer (not even as unknown)."""
        return fact_id in self.file.scenario.disputed and fact_id not in self.file.answers

    def save(self) -> None:
        """Write the answers if the file does not hold them yet (nothing before the first change)."""
        self.file.save(self.answers)

    # -- the dialogue ----------------------------------------------------------------------

    def run(self) -> int:
        """Ask until nothing can change the advice; the exit code for the command."""
        try:
            question = self.consultation.next_question()
            if question is not None and self.console.interactive:
                self.ask_header()
            while question is not None:
                self.ask(question)
                question = self.consultation.next_question()
            self.finish()
        except _Quit:
            self.leave("Stopped.")
        except EOFError:
            self.leave("End of input.")
        except _Refused as refused:
            line = self.console.line
            self.leave(f"Stopped at line {line} of the input, which was not accepted.")
            raise ScriptError(refused.words, file="standard input", line=line, field=refused.fact_id) from None
        except KeyboardInterrupt as interrupt:  # Ctrl-C, and SIGTERM or SIGHUP (console.Stopped)
            self.save()  # the interrupt may have cut short the save of the latest answer
            self.leave(stop_words(interrupt), blank=True)
            return exit_code(interrupt)
        return EXIT_DONE

    def ask_header(self) -> None:
        """The project's name and the date the answers describe, where the file lacks them."""
        missing = [field for field in HEADER_PROMPTS if not self.file.has(field)]
        if not missing:
            return
        self.console.say()
        self.console.say("About the project (press Enter to skip):")
        for field in missing:
            value = self.console.read(f"  {HEADER_PROMPTS[field]}: ").strip()
            if value:
                self.file.set_header(field, value)

    def ask(self, question: Question) -> None:
        """Ask one question until the consultation moves on: an answer, back, change."""
        say = self.console.say
        say()
        say(progress(len(self.consultation.answers) + 1, self.consultation.remaining()))
        self.show(question)
        say(f"  Also: {COMMANDS}")
        while not self.take(question, self.console.read("> ")):
            say()
            self.show(question)  # again, so that the question is in sight after why, help or a refusal

    def show(self, question: Question) -> None:
        spec = self.kb.facts[question.fact]
        for line in question_lines(question, spec, self.file.scenario.disputed.get(question.fact, [])):
            self.console.say(line)

    def take(self, question: Question, line: str) -> bool:
        """Act on one line; whether the consultation moved on from ``question``."""
        word, _, rest = line.strip().partition(" ")
        command, rest = word.lower(), rest.strip()
        if command == "quit" and not rest:
            raise _Quit
        if command == "why" and rest.lower() in ("", "more"):
            reasons = self.consultation.why(question.fact)
            self.console.say(why_more(reasons, self.kb) if rest else why(reasons))
            return False
        if command == "help" and not rest:
            self.console.say(help_text(question))
            return False
        if command == "back" and not rest:
            return self.back(question)
        if command == "change":
            return self.change(question, rest.lower())
        named = NAMED.fullmatch(line)
        if named:
            return self.named(question, named.group(1).lower(), named.group(2))
        if not line.strip():
            spec = self.kb.facts[question.fact]
            return self.refuse(question, f"Nothing typed: answer {accepts(spec)}, or unknown (?)", hint=True)
        return self.answer(question, line)

    def refuse(self, question: Question, words: str, hint: bool = False) -> bool:
        """Say why a line was not taken: False at a terminal, which asks again; in a script, stop
        (raise), so that the next line is never read as the answer this one failed to give."""
        if self.console.interactive:
            self.console.say(wrap(words + (f"; or type {COMMANDS}." if hint else ".")))
            return False
        self.console.say(wrap(words + "."))
        raise _Refused(question.fact, words)

    def answer(self, question: Question, line: str) -> bool:
        try:
            value = parse_answer(self.kb.facts[question.fact], line)
        except ValueError as exc:
            return self.refuse(question, f"{quoted(line.strip())} is not an answer to this question: {exc}, "
                                         "or unknown (?)", hint=True)
        self.record(question.fact, value)
        return True

    def record(self, fact_id: str, value: Any) -> None:
        """Give the answer to the library and the file; say what became of a dispute it settles."""
        self.consultation.answer(fact_id, value)
        self.save()
        if self.unsettled(fact_id):
            self.console.say(wrap(f"[{fact_id}] stays disputed: an unknown answer does not settle it, so it is "
                                  "not saved, and it is asked first again when the file is resumed.") if value is None
                             else f"  [{fact_id}] settled: {one_line(show_value(value))}; no longer disputed.")

    def named(self, question: Question, fact_id: str, given: str) -> bool:
        """A line ``FACT_ID=value``: answers that question now if it is asked or still matters."""
        if fact_id in HEADER_PROMPTS and fact_id not in self.kb.facts:
            return self.header_line(question, fact_id, given.strip())
        try:
            asked = self.consultation.question(fact_id)
        except ScenarioError as exc:
            return self.refuse(question, _message(exc))
        if asked.fact == question.fact:
            return self.answer(question, given)
        try:
            value = parse_answer(self.kb.facts[asked.fact], given)
        except ValueError as exc:
            return self.refuse(question, f"{quoted(given.strip())} is not an answer to [{asked.fact}]: {exc}, "
                                         "or unknown (?)")
        answered = self.consultation.answers
        if asked.fact in answered:
            self.console.say(wrap(f"[{asked.fact}] is already answered "
                                  f"({one_line(show_value(answered[asked.fact]))}); to change it, "
                                  f"type change {asked.fact}."))
            return False
        if not asked.why:
            self.console.say(f"  [{asked.fact}] cannot change the advice now; not recorded.")
            return False
        self.record(asked.fact, value)
        self.console.say(f"  Recorded [{asked.fact}]: {one_line(show_value(value))}.")
        return True

    def header_line(self, question: Question, field: str, value: str) -> bool:
        if not value:
            return self.refuse(question, f"{field}= needs a value: {HEADER_PROMPTS[field].lower()}")
        self.file.set_header(field, value)
        self.console.say(f"  {HEADER_PROMPTS[field].split(' (')[0]}: {one_line(value, 80)} "
                         "(saved with the next answer).")
        return False

    def back(self, question: Question) -> bool:
        before = self.consultation.answers
        fact_id = self.consultation.back()
        if fact_id is None:
            return self.refuse(question, "Nothing to go back to: no question has been answered yet")
        self.save()
        self.console.say(f"  Going back to [{fact_id}] (was: {one_line(show_value(before[fact_id]))}).")
        return True

    def change(self, question: Question, target: str) -> bool:
        if not target:
            answered = ", ".join(self.consultation.answers) or "none yet"
            return self.refuse(question, f"Which answer? Type change FACT_ID; answered so far: {answered}")
        if target == question.fact:
            self.console.say(f"  [{target}] is the question being asked now.")
            return False
        before = self.consultation.answers
        if target not in before:
            try:
                self.consultation.question(target)
            except ScenarioError as exc:
                return self.refuse(question, _message(exc))
            return self.refuse(question, f"[{target}] has not been answered yet; it will be asked if it can "
                                         "still change the advice")
        self.consultation.change(target)
        self.save()
        self.console.say(f"  Reopening [{target}] (was: {one_line(show_value(before[target]))}).")
        return True

    # -- the end ----------------------------------------------------------------------------

    def resume_command(self) -> str | None:
        holder, target = self.file.holder, self.file.target
        if holder is None:
            return None
        command = f"ipsexpert consult --resume {shown(holder)}"
        return command if holder is target else f"{command} --save {shown(target)}"

    def leave(self, why: str, blank: bool = False) -> None:
        """Say what was kept and how to go on; after a hang-up there may be no terminal to say it on."""
        command = self.resume_command()
        try:
            if blank:
                self.console.say()
            self.console.say(f"{why} {self.saved_words()}" + (f" Continue with: {command}" if command else ""))
        except OSError:
            pass

    def saved_words(self) -> str:
        holder = self.file.holder
        if holder is None:
            return "Nothing saved: no answer was given."
        count = len(self.answers)
        return f"{count} answer{'' if count == 1 else 's'} saved in {one_line(holder)}."

    def finish(self) -> None:
        holder = self.file.holder
        scenario = self.file.scenario_with(self.answers).model_copy(
            update={"source": str(holder) if holder else None})
        report = self.expert.evaluate(scenario)
        say = self.console.say
        say()
        say(f"No further answer can change the advice ({len(self.consultation.answers)} questions answered).")
        say()
        say(text.table(report, explain=True).rstrip("\n"))
        say()
        say(self.saved_words() + (f" See this report again with: ipsexpert evaluate --explain {shown(holder)}"
                                  if holder else ""))


# -- the command ----------------------------------------------------------------------------

def run_consultation(save: str | None = None, resume: str | None = None, kb_path: str | None = None,
                     force: bool = False, stdin: IO[str] | None = None, stdout: IO[str] | None = None,
                     respondent: str | None = None) -> int:
    """Run a consultation; 0 when finished, stopped or out of input, 128 + the signal's
    number when interrupted (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP), answers kept.

    The default file is never replaced; a file named with ``--save`` only if it holds a
    consultation or with ``force`` (see ``consult_file``), and a file in use by another
    consultation not at all. A script's line that cannot be taken raises ScriptError.
    """
    if respondent is not None and not respondent.strip():
        raise ConsultationError("--respondent needs a text: the organisation and the role answering")
    target = _target(save, resume)
    with stop_signals():
        try:
            with locked(target):
                expert = Expert(load_knowledge_base(kb_path))
                file = ScenarioFile(target, Path(resume) if resume else None, expert.kb, force)
                if stdin is None or stdout is None:
                    stdin, stdout = text_streams()
                console = Console(stdin, stdout)
                _introduce(console, expert, file, respondent.strip() if respondent else None)
                return Dialogue(expert, file, console).run()
        except Stopped as stop:  # before the first question: nothing to save yet
            return exit_code(stop)


def _target(save: str | None, resume: str | None) -> Path:
    """The file to save to; an existing default file is another consultation's, never taken over."""
    if save is None and resume is None and Path(DEFAULT_SAVE).exists():
        raise ConsultationError(
            "already exists here: continue that consultation with "
            f"`ipsexpert consult --resume {DEFAULT_SAVE}`, or start another with "
            f"`ipsexpert consult --save OTHER.yaml`", file=DEFAULT_SAVE)
    target = Path(save or resume or DEFAULT_SAVE)
    if target.exists() and not target.is_file():
        raise ConsultationError("is not a regular file (a folder or a device); --save and --resume name a file",
                                file=str(target))
    return target


def _introduce(console: Console, expert: Expert, file: ScenarioFile, respondent: str | None) -> None:
    """What is consulted, from what, by whom, and where the answers go."""
    kb, scenario, say = expert.kb, file.scenario, console.say
    say(f"ipsexpert consultation — {kb.meta.name} {kb.version}")
    if file.source is not None:
        count = len(file.answers)
        say(f"Resuming {shown(file.source)}: {count} answer{'' if count == 1 else 's'} already given.")
    if scenario.disputed:
        say(wrap(f"It merges the answers of {'; '.join(one_line(who, 80) for who in scenario.respondents)}. "
                 f"{len(scenario.disputed)} disputed question(s): those that can still change the advice "
                 "are asked first, with who answered what, and your answer settles each.", ""))
    if scenario.respondent:
        kept = f" (as the file says; --respondent {quoted(respondent, 80)} is not used)" \
            if respondent and respondent != scenario.respondent else ""
        say(f"Answering as: {one_line(scenario.respondent, 80)}{kept}.")
    elif respondent:
        file.set_header("respondent", respondent)
        say(f"Answering as: {one_line(respondent, 80)}.")
    if file.replaces:
        say(f"At your first answer, what {shown(file.target)} holds now is kept in "
            f"{shown(str(file.target) + '.bak')}.")
    say(f"Answers are saved to {shown(file.target)} as you give them. Only questions whose answer "
        "can still change the advice are asked.")
