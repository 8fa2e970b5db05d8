"""Hypothesis strategies for project profiles drawn from the fact catalogue itself."""

from __future__ import annotations

from hypothesis import strategies as st

# Integers around every threshold the shipped rules use, and far from them.
INTERESTING_INTS = [0, 1, 2, 3, 5, 99_999, 100_000, 100_001, 3_000_000]


def value_strategy(spec):
    """Any valid answer to one fact, or unknown (None)."""
    if spec.type == "bool":
        known = st.booleans()
    elif spec.type == "enum":
        known = st.sampled_from(spec.values)
    else:
        minimum = spec.minimum or 0
        known = st.one_of(st.sampled_from([v for v in INTERESTING_INTS if v >= minimum]),
                          st.integers(min_value=minimum, max_value=10_000_000))
    return st.one_of(st.none(), known)


def profiles(kb, unknown_share: bool = True):
    """Profiles over the whole catalogue; None means unknown (the key is then omitted)."""
    fields = {fact_id: value_strategy(spec) for fact_id, spec in kb.facts.items()}
    return st.fixed_dictionaries(fields).map(
        lambda drawn: {key: value for key, value in drawn.items() if value is not None})
