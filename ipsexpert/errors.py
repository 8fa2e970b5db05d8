"""One exception family for everything a user can get wrong.

A scenario file, an edited knowledge base or a command-line option can be wrong;
each such error names the file, the line where it is known and the field path, so
the CLI can print it without a traceback and exit 2, and a library caller can catch
``IpsExpertError`` alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from .safe_text import MESSAGE_VALUE_LIMIT, one_line

MESSAGE_LIMIT = 2 * MESSAGE_VALUE_LIMIT
"""Characters of a message, which may quote a value or two of its own."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one place."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        """The problem in one line, safe for a terminal: a file name, a YAML key or a value
        quoted in the message may come from a hostile file, so each is escaped and cut."""
        where = ""
        if self.file:
            where = one_line(self.file, MESSAGE_VALUE_LIMIT) + (f":{self.line}" if self.line else "") + ": "
        field = f"{one_line(self.field, MESSAGE_VALUE_LIMIT)}: " if self.field else ""
        return f"{where}{field}{one_line(self.message, MESSAGE_LIMIT)}"


class IpsExpertError(Exception):
    """A user error: bad input, not a bug. Carries one or more problems."""

    def __init__(self, message: str | None = None, *, file: str | None = None,
                 line: int | None = None, field: str | None = None,
                 problems: list[Problem] | None = None) -> None:
        self.problems = list(problems or [])
        if message is not None:
            self.problems.insert(0, Problem(message, file, line, field))
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)

    @property
    def file(self) -> str | None:
        return self.problems[0].file if self.problems else None

    def __reduce__(self):
        # Keep every problem when pickled (to or from a --jobs worker process) or copied;
        # the default would rebuild the error from its text alone.
        return _rebuild, (type(self), self.problems)


def _rebuild(cls: type, problems: list[Problem]) -> IpsExpertError:
    error = cls.__new__(cls)
    error.problems = list(problems)
    Exception.__init__(error, str(error))
    return error


class ScenarioError(IpsExpertError):
    """A scenario file (or answers given to the library) is not valid."""


class KnowledgeBaseError(IpsExpertError):
    """A knowledge base (rules/ and facts/) cannot be loaded.

    ``unreadable`` tells a file that cannot be parsed at all from one that parses but
    breaks a rule of the knowledge base (an unknown fact, a cycle): ``kb check``
    reports the latter as findings, the way a linter reports code it could read.
    """

    unreadable = True


class InputError(IpsExpertError):
    """A file cannot be read as a bounded YAML or JSON document."""


class OutputError(IpsExpertError):
    """A file ipsexpert was asked to write (``--output``, a save) cannot be written."""
