"""Compute passage- and article-level metrics and compare them with gates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

import numpy as np

from framing.records import LabelMetrics, LevelMetrics, Metrics, Verdict


def level_metrics(
    truth: np.ndarray,
    predicted: np.ndarray,
    labels: Sequence[str],
    *,
    interval: tuple[float, float] | None = None,
) -> LevelMetrics:
    """Per-label precision, recall, F1 and support, with micro and macro F1.

    Macro F1 averages over labels that occur in the gold data or the predictions; a label
    absent from both says nothing about the model and is left out.

    Examples
    --------
    >>> m = level_metrics(np.array([[1, 0], [0, 1]]), np.array([[1, 0], [0, 0]]), ["a", "b"])
    >>> m.per_label["a"].f1, m.per_label["b"].f1, m.macro_f1
    (1.0, 0.0, 0.5)
    """
    truth = truth.astype(bool)
    predicted = predicted.astype(bool)
    per_label: dict[str, LabelMetrics] = {}
    counted = []
    for j, label in enumerate(labels):
        hits = int((truth[:, j] & predicted[:, j]).sum())
        support = int(truth[:, j].sum())
        flagged = int(predicted[:, j].sum())
        precision = hits / flagged if flagged else 0.0
        recall = hits / support if support else 0.0
        f1 = 2 * hits / (support + flagged) if support + flagged else 0.0
        per_label[label] = LabelMetrics(
            precision=round(precision, 4), recall=round(recall, 4), f1=round(f1, 4), support=support
        )
        if support or flagged:
            counted.append(f1)
    hits = int((truth & predicted).sum())
    total = int(truth.sum()) + int(predicted.sum())
    return LevelMetrics(
        macro_f1=round(float(np.mean(counted)), 4) if counted else 0.0,
        micro_f1=round(2 * hits / total, 4) if total else 0.0,
        per_label=per_label,
        n=int(truth.shape[0]),
        macro_f1_ci=interval,
    )


def by_article(matrix: np.ndarray, article_ids: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """An article carries a label when any of its passages does."""
    order = list(dict.fromkeys(article_ids))
    position = {a: i for i, a in enumerate(order)}
    out = np.zeros((len(order), matrix.shape[1]), dtype=bool)
    for row, article in zip(matrix.astype(bool), article_ids, strict=True):
        out[position[article]] |= row
    return out, order


def compute_metrics(
    truth: np.ndarray,
    predicted: np.ndarray,
    article_ids: Sequence[str],
    labels: Sequence[str],
    *,
    bootstrap: int = 0,
    random_state: int = 0,
    folds: int | None = None,
) -> Metrics:
    """Passage and article metrics; with ``bootstrap`` > 0, 95% intervals for macro F1
    from resampling whole articles."""
    article_truth, _ = by_article(truth, article_ids)
    article_predicted, _ = by_article(predicted, article_ids)
    passage_ci = article_ci = None
    if bootstrap:
        passage_ci, article_ci = _bootstrap(
            truth, predicted, article_ids, labels, bootstrap, random_state
        )
    return Metrics(
        passage=level_metrics(truth, predicted, labels, interval=passage_ci),
        article=level_metrics(article_truth, article_predicted, labels, interval=article_ci),
        folds=folds,
    )


def _bootstrap(
    truth: np.ndarray,
    predicted: np.ndarray,
    article_ids: Sequence[str],
    labels: Sequence[str],
    rounds: int,
    random_state: int,
) -> tuple[tuple[float, float], tuple[float, float]]:
    rng = np.random.default_rng(random_state)
    order = list(dict.fromkeys(article_ids))
    rows_of: dict[str, list[int]] = {a: [] for a in order}
    for i, article in enumerate(article_ids):
        rows_of[article].append(i)
    groups = [np.array(rows_of[a]) for a in order]
    article_truth, _ = by_article(truth, article_ids)
    article_predicted, _ = by_article(predicted, article_ids)
    passage_scores, article_scores = [], []
    for _ in range(rounds):
        picked = rng.integers(0, len(groups), len(groups))
        rows = np.concatenate([groups[g] for g in picked])
        passage_scores.append(_macro(truth[rows], predicted[rows]))
        article_scores.append(_macro(article_truth[picked], article_predicted[picked]))
    return _interval(passage_scores), _interval(article_scores)


def _macro(truth: np.ndarray, predicted: np.ndarray) -> float:
    truth, predicted = truth.astype(bool), predicted.astype(bool)
    hits = (truth & predicted).sum(axis=0)
    denominator = truth.sum(axis=0) + predicted.sum(axis=0)
    present = denominator > 0
    if not present.any():
        return 0.0
    return float(np.mean(2 * hits[present] / denominator[present]))


def _interval(values: list[float]) -> tuple[float, float]:
    low, high = np.percentile(values, [2.5, 97.5])
    return round(float(low), 4), round(float(high), 4)


def judge(
    metrics: Metrics,
    *,
    min_macro_f1: float | None = None,
    min_f1: Mapping[str, float] | None = None,
    level: str = "passage",
) -> Verdict:
    """Compare metrics with the gates; a failed gate is data, not an exception.

    Examples
    --------
    >>> m = level_metrics(np.array([[1, 0], [0, 1]]), np.array([[1, 0], [0, 0]]), ["a", "b"])
    >>> judge(Metrics(passage=m, article=m), min_macro_f1=0.6).failures
    ('macro_f1 0.5 < 0.6 (weakest: b 0.0)',)
    """
    chosen = metrics.passage if level == "passage" else metrics.article
    failures = []
    if min_macro_f1 is not None and chosen.macro_f1 < min_macro_f1:
        below = [item for item in chosen.per_label.items() if item[1].f1 < min_macro_f1]
        weakest = sorted(below, key=lambda item: item[1].f1)[:3]
        names = ", ".join(f"{label} {m.f1}" for label, m in weakest)
        failures.append(f"macro_f1 {chosen.macro_f1} < {min_macro_f1} (weakest: {names})")
    for label, floor in (min_f1 or {}).items():
        found = chosen.per_label.get(label)
        if found is None:
            failures.append(f"{label}: no such label in the model")
        elif found.f1 < floor:
            failures.append(f"{label}: f1 {found.f1} < {floor}")
    return Verdict(passed=not failures, failures=tuple(failures))


def metrics_to_dict(metrics: Metrics) -> dict[str, Any]:
    """The JSON shape of metrics: {"passage": {...}, "article": {...}}."""
    out = asdict(metrics)
    for level in ("passage", "article"):
        ci = out[level].pop("macro_f1_ci")
        if ci is not None:
            out[level]["macro_f1_ci95"] = list(ci)
    if out["folds"] is None:
        out.pop("folds")
    return out


def metrics_markdown(metrics: Metrics, *, title: str = "Evaluation") -> str:
    """Markdown tables of the metrics, one per level."""
    lines = [f"# {title}", ""]
    for name, level in (("Passage level", metrics.passage), ("Article level", metrics.article)):
        ci = f" (95% CI {level.macro_f1_ci[0]}-{level.macro_f1_ci[1]})" if level.macro_f1_ci else ""
        lines += [
            f"## {name} ({level.n} items)",
            "",
            f"macro F1 **{level.macro_f1}**{ci}, micro F1 **{level.micro_f1}**",
            "",
            "| label | precision | recall | F1 | support |",
            "|---|---:|---:|---:|---:|",
        ]
        for label, m in level.per_label.items():
            lines.append(f"| {label} | {m.precision} | {m.recall} | {m.f1} | {m.support} |")
        lines.append("")
    return "\n".join(lines)
