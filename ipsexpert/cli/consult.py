"""The interactive consultation: one question at a time, only while an answer can still matter.

``questions`` decides what to ask and what each answer would change; this module talks
to the user, and ``consult_file`` keeps the file: locked while the consultation runs,
written atomically after every change (never before the first), an existing file kept
as FILE.bak and a resumed one edited in place with its comments. So an interruption, a
closed terminal, a ``kill`` or the end of a script never loses more than the question
being asked, and the file is always one that ``ipsexpert evaluate`` and ``ipsexpert
consult --resume`` accept. Standard input is read line by line whether or not it is a
terminal, so a consultation can be scripted; prompts stay on stdout.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from ..knowledge import conditions

from ..render import text
from ..knowledge.catalogue import FactSpec, suggest
from ..knowledge.conditions import show_value
from ..report.expert import Expert
from ..knowledge.loading import load_knowledge_base
from ..safe_text import one_line
from .console import (Console, Stopped, accepts, either, exit_code, parse_answer, quoted, shown, stop_signals,
                      stop_words, text_streams, wrap)
from .consult_file import ConsultationError, ScenarioFile, locked
from ..analysis.questions import StakeEffect, effects, next_question, stakes

DEFAULT_SAVE = "ipsexpert-consultation.yaml"
EXIT_DONE = 0
COMMANDS = "why, help, back, change FACT_ID, quit"
PROSPECTS = {"advised": "advised", "satisfied": "satisfied", "not_applicable": "not applicable",
                 "undetermined": "still open"}

__all__ = ["ConsultationError", "Consultation", "DEFAULT_SAVE", "run_consultation"]


class _Quit(Exception):
    """The user asked to stop."""


def _by_result(by_choice: dict[str, str]) -> list[tuple[str, list[str]]]:
    """Choices grouped by what they lead to, in the order the choices come."""
    groups: dict[str, list[str]] = {}
    for label, result in by_choice.items():
        groups.setdefault(result, []).append(label)
    return list(groups.items())


class Consultation:
    """One consultation: the answers so far, the file they live in, and the dialogue."""

    def __init__(self, expert: Expert, file: ScenarioFile, console: Console) -> None:
        self.expert, self.kb = expert, expert.kb
        self.file, self.console = file, console
        self.answers: dict[str, Any] = dict(file.answers)  # in the order given, so `back` undoes the latest
        self.reopened: str | None = None

    def save(self) -> None:
        """Write the answers if the file does not hold them yet (nothing before the first change)."""
        self.file.save(self.answers)

    # -- the dialogue ----------------------------------------------------------------------

    def run(self) -> int:
        """Ask until nothing can change the advice; the exit code for the command."""
        try:
            while (fact_id := self.reopened or next_question(self.kb, self.answers)) is not None:
                self.reopened = None
                self.ask(fact_id)
            self.finish()
        except _Quit:
            self.leave("Stopped.")
        except EOFError:
            self.leave("End of input.")
        except KeyboardInterrupt as interrupt:  # Ctrl-C, and SIGTERM or SIGHUP (console.Stopped)
            self.save()  # the interrupt may have cut short the save of the latest answer
            self.leave(stop_words(interrupt), blank=True)
            return exit_code(interrupt)
        return EXIT_DONE

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
        ordered = {fact_id: self.answers[fact_id] for fact_id in self.kb.facts if fact_id in self.answers}
        holder = self.file.holder
        scenario = self.file.scenario.model_copy(
            update={"answers": ordered, "source": str(holder) if holder else None})
        report = self.expert.evaluate(scenario)
        say = self.console.say
        say()
        say(f"No further answer can change the advice ({len(self.answers)} questions answered).")
        say()
        say(text.table(report, explain=True).rstrip("\n"))
        say()
        say(self.saved_words() + (f" See this report again with: ipsexpert evaluate --explain {shown(holder)}"
                                  if holder else ""))

    def ask(self, fact_id: str) -> None:
        """Ask one question until it is answered, undone (back) or another is reopened."""
        spec = self.kb.facts[fact_id]
        say = self.console.say
        remaining = len(set(stakes(self.kb, self.answers)) | {fact_id})
        say()
        say(f"Question {len(self.answers) + 1} (at most {remaining - 1} more after this one)")
        say(f"[{fact_id}] {' '.join(spec.question.split())}")
        if spec.type == "enum":
            say(wrap(", ".join(f"{number} {value}" for number, value in enumerate(spec.values, 1))))
        say(f"  Answer: {accepts(spec)}, or unknown (?)")
        say(f"  Also: {COMMANDS}")
        while True:
            text = self.console.read("> ")
            word, _, rest = text.strip().partition(" ")
            command = word.lower()
            if command == "quit" and not rest:
                raise _Quit
            if command == "why" and not rest:
                say(self.why(fact_id))
            elif command == "help" and not rest:
                say(self.help(spec))
            elif command == "back" and not rest:
                if self.back():
                    return
            elif command == "change":
                if self.change(rest.strip().lower(), fact_id):
                    return
            elif not text.strip():
                say(wrap(f"Please answer {accepts(spec)}, or unknown (?); or type {COMMANDS}."))
            else:
                try:
                    value = parse_answer(spec, text)
                except ValueError as exc:
                    say(wrap(f"{quoted(text.strip())} is not an answer to this question: {exc}, or unknown (?); "
                              f"or type {COMMANDS}."))
                    continue
                self.answers[fact_id] = value
                self.save()
                return

    def back(self) -> bool:
        if not self.answers:
            self.console.say("  Nothing to go back to: no question has been answered yet.")
            return False
        last = next(reversed(self.answers))
        value = self.answers.pop(last)
        self.save()
        self.console.say(f"  Going back to [{last}] (was: {one_line(show_value(value))}).")
        self.reopened = last
        return True

    def change(self, target: str, current: str) -> bool:
        say = self.console.say
        if not target:
            answered = ", ".join(self.answers) or "none yet"
            say(wrap(f"Which answer? Type change FACT_ID; answered so far: {answered}."))
            return False
        if target == current:
            say(f"  [{current}] is the question being asked now.")
            return False
        if target not in self.answers:
            if target in self.kb.facts:
                say(wrap(f"[{target}] has not been answered yet; it will be asked if it can still "
                          "change the advice."))
            else:
                say(wrap(f"There is no question {quoted(target)}{suggest(target, list(self.answers))}."))
            return False
        value = self.answers.pop(target)
        self.save()
        say(f"  Reopening [{target}] (was: {one_line(show_value(value))}).")
        self.reopened = target
        return True

    # -- explanations ----------------------------------------------------------------------

    def help(self, spec: FactSpec) -> str:
        lines = [wrap(spec.help)]
        if spec.value_help:
            lines.append("  Values:")
            width = max(map(len, spec.values))
            lines += [f"    {number} {value.ljust(width)}  {spec.value_help.get(value, '')}".rstrip()
                      for number, value in enumerate(spec.values, 1)]
        if spec.type == "int" and spec.minimum is not None:
            lines.append(f"  A whole number, at least {spec.minimum}.")
        lines.append(wrap("Type unknown (or ?) if you do not know: the advice then says what your "
                           "answer would decide."))
        return "\n".join(lines)

    def why(self, fact_id: str) -> str:
        """Which recommendations this answer still decides, and what each answer would do."""
        found = effects(self.kb, self.answers, fact_id)
        if not found:
            return wrap("Your other answers already settle everything this question could change; "
                         "you reopened it, so answer it or type unknown.")
        recs = self.kb.recommendations
        lines: list[str] = []
        outcome = [e for e in found if e.kind == "outcome"]
        severity = [e for e in found if e.kind == "severity"]
        rank = [e for e in found if e.kind == "rank"]
        if outcome:
            lines.append(f"  This answer can still decide {len(outcome)} recommendation"
                         f"{'' if len(outcome) == 1 else 's'}:")
            for effect in outcome:
                rec = recs[effect.recommendation]
                lines.append(f"    {rec.id} {rec.title}")
                lines.append(wrap(self.outcome_words(effect), " " * 8))
        alone = [e for e in severity if len(_by_result(e.by_choice)) > 1]
        together = [e for e in severity if e not in alone]
        if alone:
            lines.append("  It settles the severity of:")
            lines += [wrap(self.severity_words(effect), " " * 4) for effect in alone]
        if together:
            lines.append(wrap("Together with other answers, it can raise the severity of: "
                               + ", ".join(self.status(effect) for effect in together) + "."))
        if rank:
            lines.append("  It sets the timing, and so the score and rank, of advice given or still possible:")
            groups: dict[tuple, list[str]] = {}
            for effect in rank:
                key = tuple((result, tuple(labels)) for result, labels in _by_result(effect.by_choice))
                groups.setdefault(key, []).append(self.status(effect))
            for grouping, members in groups.items():
                words = "; ".join(f"{result} if {either(labels)}" for result, labels in grouping)
                lines.append(wrap(f"{words}: {', '.join(members)}", " " * 4))
        return "\n".join(lines)

    def status(self, effect: StakeEffect) -> str:
        return effect.recommendation + (" (advised)" if effect.current == "advised" else "")

    def outcome_words(self, effect: StakeEffect) -> str:
        groups = _by_result(effect.by_choice)
        rec = self.kb.recommendations[effect.recommendation]
        if len(groups) == 1:
            applies = "it always applies" if isinstance(rec.applies, conditions.Always) \
                else f"it applies when {conditions.describe(rec.applies)}"
            return (f"This answer decides it together with others: {applies}, and is advised when "
                    f"{conditions.describe(rec.advised)}.")
        parts = [f"{PROSPECTS[result]} if {either(labels)}" for result, labels in groups]
        return f"{rec.id} is {parts[0].replace(' if ', ' if this is ', 1)}" + \
            "".join(f"; {part}" for part in parts[1:]) + "."

    def severity_words(self, effect: StakeEffect) -> str:
        rec = self.kb.recommendations[effect.recommendation]
        state = "advised" if effect.current == "advised" else "if advised"
        parts = [f"{'raised to' if result != rec.severity else 'stays'} {result} if {either(labels)}"
                 for result, labels in _by_result(effect.by_choice)]
        return f"{rec.id} {rec.title} ({state}, {rec.severity}): " + \
            "; ".join(parts).replace(" if ", " if this is ", 1) + "."


# -- the command ----------------------------------------------------------------------------

def run_consultation(save: str | None = None, resume: str | None = None, kb_path: str | None = None,
                     force: bool = False, stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> int:
    """Run a consultation; 0 when finished, stopped or out of input, 128 + the signal's
    number when interrupted (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP), answers kept.

    The default file is never replaced; a file named with ``--save`` only if it holds a
    consultation or with ``force`` (see ``consult_file``), and a file in use by another
    consultation not at all.
    """
    target = _target(save, resume)
    with stop_signals():
        try:
            with locked(target):
                return _consult(target, Path(resume) if resume else None, kb_path, force, stdin, stdout)
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


def _consult(target: Path, source: Path | None, kb_path: str | None, force: bool,
             stdin: IO[str] | None, stdout: IO[str] | None) -> int:
    expert = Expert(load_knowledge_base(kb_path))
    file = ScenarioFile(target, source, expert.kb, force)
    if stdin is None or stdout is None:
        stdin, stdout = text_streams()
    console = Console(stdin, stdout)
    kb = expert.kb
    console.say(f"ipsexpert consultation — {kb.meta.name} {kb.version}")
    if source is not None:
        console.say(f"Resuming {shown(source)}: {len(file.answers)} answers already given.")
    if file.replaces:
        console.say(f"At your first answer, what {shown(target)} holds now is kept in "
                    f"{shown(str(target) + '.bak')}.")
    console.say(f"Answers are saved to {shown(target)} as you give them. Only questions whose answer "
                "can still change the advice are asked.")
    return Consultation(expert, file, console).run()
