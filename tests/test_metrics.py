from __future__ import annotations

import numpy as np
import pytest

from framing.metrics import (
    by_article,
    compute_metrics,
    judge,
    level_metrics,
    metrics_markdown,
    metrics_to_dict,
)
from framing.records import Metrics

LABELS = ["a", "b", "c"]
TRUTH = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 0]])
PREDICTED = np.array([[1, 0, 0], [0, 1, 0], [0, 1, 0], [1, 0, 0]])


def test_per_label_precision_recall_f1_support() -> None:
    m = level_metrics(TRUTH, PREDICTED, LABELS)
    a = m.per_label["a"]
    assert (a.precision, a.recall, a.f1, a.support) == (0.5, 0.5, 0.5, 2)
    b = m.per_label["b"]
    assert (b.precision, b.recall, b.f1, b.support) == (1.0, 1.0, 1.0, 2)
    assert m.n == 4


def test_macro_leaves_out_labels_absent_from_truth_and_predictions() -> None:
    m = level_metrics(TRUTH, PREDICTED, LABELS)
    assert m.per_label["c"].f1 == 0.0
    assert m.macro_f1 == pytest.approx(0.75)  # mean of a and b only


def test_micro_f1_pools_all_labels() -> None:
    m = level_metrics(TRUTH, PREDICTED, LABELS)
    # hits 3, gold 4, predicted 4
    assert m.micro_f1 == pytest.approx(0.75)


def test_nothing_anywhere_scores_zero() -> None:
    m = level_metrics(np.zeros((2, 2)), np.zeros((2, 2)), ["x", "y"])
    assert (m.macro_f1, m.micro_f1) == (0.0, 0.0)


def test_an_article_carries_a_label_when_any_passage_does() -> None:
    matrix, order = by_article(TRUTH, ["x", "x", "y", "y"])
    assert order == ["x", "y"]
    assert matrix.astype(int).tolist() == [[1, 1, 0], [0, 1, 0]]


def test_compute_metrics_article_level_and_bootstrap_interval() -> None:
    ids = ["x", "x", "y", "z"]
    metrics = compute_metrics(TRUTH, PREDICTED, ids, LABELS, bootstrap=200, random_state=1)
    assert metrics.article.n == 3
    assert metrics.passage.n == 4
    for level in (metrics.passage, metrics.article):
        assert level.macro_f1_ci is not None
        low, high = level.macro_f1_ci
        assert 0.0 <= low <= high <= 1.0
    again = compute_metrics(TRUTH, PREDICTED, ids, LABELS, bootstrap=200, random_state=1)
    assert again == metrics


def test_compute_metrics_without_bootstrap_has_no_interval() -> None:
    metrics = compute_metrics(TRUTH, PREDICTED, ["x", "y", "z", "w"], LABELS)
    assert metrics.passage.macro_f1_ci is None and metrics.article.macro_f1_ci is None


def _metrics() -> Metrics:
    return compute_metrics(TRUTH, PREDICTED, ["x", "y", "z", "w"], LABELS)


def test_judge_passes_above_the_gates() -> None:
    verdict = judge(_metrics(), min_macro_f1=0.7, min_f1={"b": 1.0})
    assert verdict.passed and verdict.failures == ()


def test_judge_names_the_failing_gates() -> None:
    verdict = judge(_metrics(), min_macro_f1=0.99, min_f1={"a": 0.9, "nope": 0.1})
    assert not verdict.passed
    assert verdict.failures[0] == "macro_f1 0.75 < 0.99 (weakest: c 0.0, a 0.5)"  # not b 1.0
    assert "a: f1 0.5 < 0.9" in verdict.failures
    assert "nope: no such label in the model" in verdict.failures


def test_judge_without_gates_passes() -> None:
    assert judge(_metrics()).passed


def test_metrics_to_dict_has_flat_snake_case_keys() -> None:
    document = metrics_to_dict(
        compute_metrics(TRUTH, PREDICTED, list("xyzw"), LABELS, bootstrap=50)
    )
    assert set(document) == {"passage", "article"}
    passage = document["passage"]
    assert {"macro_f1", "micro_f1", "per_label", "n", "macro_f1_ci95"} <= set(passage)
    assert set(passage["per_label"]["a"]) == {"precision", "recall", "f1", "support"}
    assert "macro_f1_ci" not in passage


def test_metrics_to_dict_keeps_folds_when_set() -> None:
    metrics = compute_metrics(TRUTH, PREDICTED, list("xyzw"), LABELS, folds=3)
    assert metrics_to_dict(metrics)["folds"] == 3


def test_metrics_markdown_has_a_table_per_level() -> None:
    text = metrics_markdown(_metrics())
    assert "## Passage level (4 items)" in text
    assert "## Article level (4 items)" in text
    assert text.count("| label | precision | recall | F1 | support |") == 2
    assert "| b | 1.0 | 1.0 | 1.0 | 2 |" in text
