"""``select`` and ``ignore``: which recommendations a portfolio's reports speak of.

As ruff selects rules by code or prefix, a portfolio may look at some recommendations
only (``--select R0`` for R01-R09) or leave some out (``--ignore R10`` where no
service crosses a border). A selector is the start of ids, whatever its case (``r1``
is R10-R19), or an id written without its zero (``R7`` is R07); one that matches no
recommendation is a user error, since
a typo would silently select nothing. The report keeps the recommendations selected
and not ignored; advice is ranked again among them, and --fail-on sees only them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

from ..errors import IpsExpertError
from ..knowledge.pages import find_id, suggest_id

if TYPE_CHECKING:  # the plain report on the batch path; the model is only a type here
    from ..report.models import Report


def selectors(option: str | None, setting: Sequence[str]) -> list[str]:
    """The option's comma-separated selectors when given, else the setting's."""
    if option is not None:
        return [part.strip() for part in option.split(",") if part.strip()]
    return list(setting)


def kept_ids(ids: Sequence[str], select: Iterable[str], ignore: Iterable[str]) -> frozenset[str] | None:
    """The recommendation ids a report keeps, or None when it keeps them all."""
    select, ignore = list(select), list(ignore)
    if not select and not ignore:
        return None
    chosen = set().union(*(_matching(selector, ids, "--select") for selector in select)) if select else set(ids)
    dropped = set().union(*(_matching(selector, ids, "--ignore") for selector in ignore))
    return frozenset(chosen - dropped)


def _matching(selector: str, ids: Sequence[str], option: str) -> set[str]:
    """The ids a selector means: those it begins, as in ruff (``R1`` is R10-R19), else the one
    it names once zero padding is set aside (``R7`` is R07)."""
    matched = {item for item in ids if item.casefold().startswith(selector.casefold())}
    same = find_id(selector, list(ids)) if not matched else None
    if same is not None:
        return {same}
    if not matched:
        raise IpsExpertError(f"{option} {selector!r}: no recommendation id is or begins with it"
                             f"{suggest_id(selector, list(ids))}; `ipsexpert kb list` lists them")
    return matched


def keep(report: Report, kept: frozenset[str]) -> Report:
    """The report with only the ``kept`` recommendations, their advice ranked again."""
    advice = [item.model_copy(update={"rank": rank})
              for rank, item in enumerate((item for item in report.advice if item.id in kept), start=1)]
    outcomes = {rec_id: outcome for rec_id, outcome in report.outcomes.items() if rec_id in kept}
    layers = [layer.model_copy(update={"advice": [rec_id for rec_id in layer.advice if rec_id in kept]})
              for layer in report.eif_layers]
    return report.model_copy(update={
        "outcomes": outcomes,
        "counts": {outcome: list(outcomes.values()).count(outcome) for outcome in report.counts},
        "advice": advice,
        "undetermined": [item for item in report.undetermined if item.id in kept],
        "settled": [item for item in report.settled if item.id in kept],
        "eif_layers": [layer for layer in layers if layer.advice],
    })
