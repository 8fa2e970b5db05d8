"""JUnit XML for CI dashboards: each scenario a test suite, each recommendation a test case.

GitLab, Jenkins, Azure DevOps and GitHub test-report actions read JUnit XML and show
failures per suite and case, with history across runs. The mapping follows the
exit code: advice at or above ``--fail-on`` (less accepted risks, as ``--fail-on``
counts them) is a failure, so the dashboard and the job agree; an undetermined
recommendation is a skipped case whose message names the questions that would decide
it; everything else passes, advice below the threshold saying so in its output.
Files that could not be evaluated are one suite of errors.

Names and messages come from scenarios and the knowledge base, which are input: every
text is made printable (a control character cannot even be escaped in XML 1.0) and
then escaped, so a name cannot close an element or add an attribute. Suites are
written as reports arrive; memory stays flat whatever the batch.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, IO, Sequence
from xml.sax.saxutils import escape, quoteattr

from ..errors import Problem
from ..safe_text import printable
from .text import OUTCOME_WORDS

if TYPE_CHECKING:  # the report is the plain data of report.data, or the model
    from ..report.models import Advice, Report


def text(value: object) -> str:
    """Element content: printable, then escaped."""
    return escape(printable(value, keep_newlines=True))


def attribute(value: object) -> str:
    """A quoted attribute value on one line: printable, then escaped and quoted."""
    return quoteattr(printable(" ".join(str(value).split())))


def _case(classname: str, name: str, body: str = "") -> str:
    head = f"    <testcase classname={attribute(classname)} name={attribute(name)}"
    return f"{head}/>\n" if not body else f"{head}>\n{body}    </testcase>\n"


def _advice_case(classname: str, advice: Advice, failing: set[str]) -> str:
    name = f"{advice.id} {advice.title}"
    severity = advice.severity + (" (escalated)" if advice.escalated else "")
    detail = f"{advice.advice}\n\nHow this was concluded:\n{advice.explanation.text}"
    if advice.id in failing:
        message = f"{severity} advice, rank {advice.rank}: {advice.title}"
        return _case(classname, name, f"      <failure message={attribute(message)} type={attribute(advice.severity)}>"
                                      f"{text(detail)}</failure>\n")
    why = "accepted risk" if advice.accepted_now else "below --fail-on"
    return _case(classname, name, f"      <system-out>{text(f'advised, {severity}, {why}: {detail}')}</system-out>\n")


def suite(report: Report, fail_on: str | None, today: date) -> str:
    """One scenario as a ``<testsuite>``: a case per recommendation, in the knowledge base's order."""
    failing = {item.id for item in report.at_or_above(fail_on, today)} if fail_on else set()
    classname = report.source or report.name
    advice = {item.id: item for item in report.advice}
    open_ = {item.id: item for item in report.undetermined}
    settled = {item.id: item for item in report.settled}
    cases = []
    for rec_id in report.outcomes:
        if rec_id in advice:
            cases.append(_advice_case(classname, advice[rec_id], failing))
        elif rec_id in open_:
            item = open_[rec_id]
            deciding = ", ".join(item.deciding_facts) or "no askable question"
            message = attribute(f"undetermined; would be decided by: {deciding}")
            cases.append(_case(classname, f"{item.id} {item.title}", f"      <skipped message={message}/>\n"))
        else:
            item = settled[rec_id]
            cases.append(_case(classname, f"{item.id} {item.title}", "      <system-out>"
                               f"{text(OUTCOME_WORDS[item.outcome] + ': ' + item.reason)}</system-out>\n"))
    head = (f"  <testsuite name={attribute(report.name)} tests=\"{len(cases)}\" failures=\"{len(failing)}\" "
            f"errors=\"0\" skipped=\"{len(open_)}\">\n")
    properties = [("source", report.source or ""), ("as_of", report.as_of or ""),
                  ("knowledge_base", f"{report.knowledge_base.name} {report.knowledge_base.version}")]
    props = "".join(f"      <property name={attribute(key)} value={attribute(value)}/>\n" for key, value in properties)
    return head + f"    <properties>\n{props}    </properties>\n" + "".join(cases) + "  </testsuite>\n"


def failures_suite(problems: Sequence[Problem]) -> str:
    """The files that could not be evaluated, one errored case each."""
    cases = "".join(_case(problem.file or "ipsexpert", problem.file or "input",
                          f"      <error message={attribute(str(problem))}/>\n") for problem in problems)
    return (f"  <testsuite name=\"Not evaluated\" tests=\"{len(problems)}\" failures=\"0\" "
            f"errors=\"{len(problems)}\" skipped=\"0\">\n{cases}  </testsuite>\n")


class JunitWriter:
    """Streams ``<testsuites>``: the head at once, a suite per report as it comes, then the end."""

    def __init__(self, stream: IO[str], fail_on: str | None, today: date) -> None:
        self.stream, self.fail_on, self.today = stream, fail_on, today
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ipsexpert">\n')

    def write(self, report: Report) -> None:
        self.stream.write(suite(report, self.fail_on, self.today))
        self.stream.flush()

    def write_rendered(self, rendered: str | bytes) -> None:
        raise TypeError("JUnit suites are built from reports: there is no text rendering to write")

    def close(self, failures: Sequence[Problem] = ()) -> None:
        if failures:
            self.stream.write(failures_suite(failures))
        self.stream.write("</testsuites>\n")
