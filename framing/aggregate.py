"""Passage scores -> article scores."""

from __future__ import annotations

import math
from collections.abc import Sequence

METHODS = ("max", "mean", "noisy_or")


def aggregate_scores(scores: Sequence[float], *, method: str = "max") -> float:
    """Combine passage probabilities for one label into the article's probability.

    ``max`` (the default, as in LABELS.md) takes the strongest passage; ``mean`` the
    average; ``noisy_or`` the chance that at least one passage carries the label.

    Examples
    --------
    >>> aggregate_scores([0.2, 0.9, 0.1])
    0.9
    >>> round(aggregate_scores([0.5, 0.5], method="noisy_or"), 2)
    0.75
    >>> aggregate_scores([])
    0.0
    """
    if not scores:
        return 0.0
    if method == "max":
        return max(scores)
    if method == "mean":
        return math.fsum(scores) / len(scores)  # exact sum: independent of passage order
    if method == "noisy_or":
        remaining = 1.0
        for score in sorted(scores):
            remaining *= 1.0 - score
        return 1.0 - remaining
    raise ValueError(f"unknown aggregation method {method!r}; use one of {', '.join(METHODS)}")
