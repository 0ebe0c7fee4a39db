from __future__ import annotations

import pytest

from framing.aggregate import METHODS, aggregate_scores


def test_max_is_the_default() -> None:
    assert aggregate_scores([0.1, 0.7, 0.3]) == 0.7


def test_mean() -> None:
    assert aggregate_scores([0.2, 0.4], method="mean") == pytest.approx(0.3)


def test_noisy_or() -> None:
    assert aggregate_scores([0.5, 0.5, 0.0], method="noisy_or") == pytest.approx(0.75)
    assert aggregate_scores([1.0, 0.2], method="noisy_or") == pytest.approx(1.0)


@pytest.mark.parametrize("method", METHODS)
def test_no_passage_scores_zero(method: str) -> None:
    assert aggregate_scores([], method=method) == 0.0


@pytest.mark.parametrize("method", METHODS)
def test_single_passage_is_its_own_score(method: str) -> None:
    assert aggregate_scores([0.42], method=method) == pytest.approx(0.42)


def test_noisy_or_is_at_least_the_max() -> None:
    scores = [0.3, 0.6, 0.2]
    assert aggregate_scores(scores, method="noisy_or") >= aggregate_scores(scores)


def test_unknown_method_names_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown aggregation method 'median'; use one of max"):
        aggregate_scores([0.1], method="median")


def test_mean_does_not_depend_on_passage_order() -> None:
    # a plain float sum differs in the last bit between these two orders
    values = [0.0, 0.0, 0.08647139648974479, 1.0, 1.0]
    shuffled = [0.0, 0.0, 1.0, 1.0, 0.08647139648974479]
    assert aggregate_scores(values, method="mean") == aggregate_scores(shuffled, method="mean")
