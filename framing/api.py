"""The public functions: load labelled data, train, cross-validate, evaluate, check labels.

Each returns plain records or a model; none prints, exits or reads the command line.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from framing.checks import RawRow, check_rows, near_duplicates
from framing.config import TrainConfig
from framing.errors import InputDataError
from framing.features import build_featurizer
from framing.files import label_files, read_label_rows, read_label_set
from framing.metrics import compute_metrics, metrics_to_dict
from framing.model import (
    FramingModel,
    Progress,
    fit_counts,
    fit_model,
    grouped_folds,
    label_matrix,
)
from framing.persist import sha256_file
from framing.records import LabelledPassage, Metrics, Problem

log = logging.getLogger("framing")
LABELS_FILE = "labels.txt"


@dataclass(frozen=True, slots=True)
class LabelledData:
    """Validated passages with the label set they were checked against."""

    passages: tuple[LabelledPassage, ...]
    labels: tuple[str, ...]
    label_source: str
    files: tuple[dict[str, Any], ...] = field(default=())

    def counts(self) -> dict[str, Any]:
        """Passages per label, per language and without any label."""
        per_label = Counter(label for p in self.passages for label in p.labels)
        return {
            "passages": len(self.passages),
            "articles": len({p.article_id for p in self.passages}),
            "unlabelled": sum(1 for p in self.passages if not p.labels),
            "per_label": {label: per_label.get(label, 0) for label in self.labels},
            "per_lang": dict(sorted(Counter(p.lang or "?" for p in self.passages).items())),
        }


def find_label_set(inputs: Sequence[str | Path]) -> Path | None:
    """The labels.txt beside the data: in a named folder, or beside a named file."""
    for item in inputs:
        path = Path(item)
        folder = path if path.is_dir() else path.parent
        for candidate in (folder / LABELS_FILE, folder.parent / LABELS_FILE):
            if candidate.is_file():
                return candidate
    return None


def load_labelled(
    inputs: Sequence[str | Path],
    *,
    labels: Sequence[str] | Path | None = None,
    accept_new_labels: bool = False,
) -> LabelledData:
    """Read and validate labelled passages from .jsonl/.csv files and folders.

    The label set comes from ``labels`` (a sequence or a labels.txt path), else from a
    labels.txt beside the data, else from the labels found in the data.

    Raises
    ------
    InputDataError
        On the first invalid row (naming file and line) and how many more there are.
    """
    files = label_files(inputs)
    if isinstance(labels, (str, Path)):
        label_set: tuple[str, ...] | None = read_label_set(Path(labels))
        source = str(labels)
    elif labels is not None:
        label_set, source = tuple(labels), "given"
    else:
        found = find_label_set(inputs)
        label_set = read_label_set(found) if found else None
        source = str(found) if found else "data"
    rows = [RawRow(str(f), n, value) for f in files for n, value in read_label_rows(f)]
    passages, problems = check_rows(rows, None if accept_new_labels else label_set)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        first = errors[0]
        more = (
            f" (and {len(errors) - 1} more problem(s); run 'framing labels check')"
            if len(errors) > 1
            else ""
        )
        raise InputDataError(first.message + more, path=first.path, line=first.line)
    if not passages:
        raise InputDataError("no labelled passages found", path=str(files[0]))
    if label_set is None or accept_new_labels:
        in_data = dict.fromkeys(label for p in passages for label in p.labels)
        extra = [label for label in in_data if label_set is None or label not in label_set]
        if label_set is None:
            log.warning("no labels.txt found; using the %d labels found in the data", len(in_data))
        label_set = (*(label_set or ()), *sorted(extra))
    file_info = tuple(
        {
            "path": str(f),
            "sha256": sha256_file(f),
            "passages": sum(1 for p in passages if p.path == str(f)),
        }
        for f in files
    )
    return LabelledData(tuple(passages), tuple(label_set), source, file_info)


def train(
    data: LabelledData,
    *,
    config: TrainConfig | None = None,
    progress: Progress | None = None,
    cross_validation: bool = True,
) -> FramingModel:
    """Train a model and measure it with grouped, nested cross-validation.

    The manifest fields of the returned model hold the training files with their sha256,
    counts per label and language, and (with ``cross_validation``) the grouped-CV metrics.

    Parameters
    ----------
    data : LabelledData
        From load_labelled.
    config : TrainConfig, optional
        Hyper-parameters; defaults to TrainConfig().
    progress : callable, optional
        Called as progress(stage, done, total).
    cross_validation : bool
        Also run nested grouped CV for honest metrics (takes about cv_folds times longer).
        Not with ``config.fit == "streaming"``: a data set that needs it is too large to
        cross-validate in memory; evaluate the model on a held-out split instead.

    Returns
    -------
    FramingModel
    """
    config = config or TrainConfig()
    model = fit_model(data.passages, data.labels, config, progress=progress)
    manifest: dict[str, Any] = {
        "training_files": list(data.files),
        "label_source": data.label_source,
        "counts": data.counts(),
    }
    if cross_validation and config.fit == "streaming":
        log.info(
            "streaming fit: no nested cross-validation; run 'framing evaluate' on a test split"
        )
    elif cross_validation:
        metrics, _ = cross_validate(data.passages, data.labels, config, progress=progress)
        manifest["cv_metrics"] = metrics_to_dict(metrics)
    model.manifest = manifest
    return model


def cross_validate(
    passages: Sequence[LabelledPassage],
    labels: Sequence[str],
    config: TrainConfig,
    *,
    folds: int | None = None,
    bootstrap: int = 1000,
    progress: Progress | None = None,
) -> tuple[Metrics, np.ndarray]:
    """Grouped K-fold by article_id; thresholds and calibration are tuned inside each
    training fold only. Returns the metrics and the out-of-fold 0/1 predictions."""
    featurizer = build_featurizer(config)
    counts = featurizer.count([p.text for p in passages])
    targets = label_matrix(passages, labels)
    groups = np.array([p.article_id for p in passages])
    predicted = np.zeros_like(targets)
    splits = grouped_folds(groups, folds or config.cv_folds)
    for done, (train_rows, test_rows) in enumerate(splits, start=1):
        fold_targets = targets[train_rows]
        present = fold_targets.any(axis=0)
        fold_labels = tuple(label for label, keep in zip(labels, present, strict=True) if keep)
        model = fit_counts(
            featurizer,
            counts.take(train_rows),
            fold_targets[:, present],
            groups[train_rows],
            fold_labels,
            config,
            folds=config.inner_folds,
        )
        probabilities = model.probabilities(model.featurizer.weigh(counts.take(test_rows)))
        predicted[np.ix_(test_rows, np.flatnonzero(present))] = probabilities >= model.thresholds
        if progress:
            progress("cross-validate", done, len(splits))
    metrics = compute_metrics(
        targets,
        predicted,
        [str(g) for g in groups],
        labels,
        bootstrap=bootstrap,
        random_state=config.random_state,
        folds=len(splits),
    )
    return metrics, predicted


def predict_passages(passages: Sequence[LabelledPassage], model: FramingModel) -> np.ndarray:
    """0/1 predictions of a model for labelled passages, one column per model label."""
    probabilities = model.predict_proba([p.text for p in passages])
    return (probabilities >= model.thresholds).astype(np.int8)


def evaluate(
    passages: Sequence[LabelledPassage], model: FramingModel, *, bootstrap: int = 1000
) -> Metrics:
    """Passage- and article-level metrics of a trained model on labelled passages.

    Raises
    ------
    InputDataError
        When a passage carries a label the model does not know.
    """
    return evaluation_details(passages, model, bootstrap=bootstrap).metrics


@dataclass(frozen=True, slots=True)
class EvaluationDetails:
    """An evaluation's metrics with what they were computed from, for curves and reports.

    ``truth`` and ``probabilities`` have one row per passage and one column per label.
    """

    metrics: Metrics
    labels: tuple[str, ...]
    thresholds: tuple[float, ...]
    truth: np.ndarray
    probabilities: np.ndarray
    article_ids: tuple[str, ...]


def evaluation_details(
    passages: Sequence[LabelledPassage], model: FramingModel, *, bootstrap: int = 1000
) -> EvaluationDetails:
    """Like ``evaluate``, and also the gold labels and probabilities behind the metrics.

    Raises
    ------
    InputDataError
        When a passage carries a label the model does not know.
    """
    unknown = sorted({label for p in passages for label in p.labels} - set(model.labels))
    if unknown:
        raise InputDataError(f"evaluation data has labels the model lacks: {', '.join(unknown)}")
    targets = label_matrix(passages, model.labels)
    probabilities = model.predict_proba([p.text for p in passages])
    predicted = (probabilities >= model.thresholds).astype(np.int8)
    article_ids = tuple(p.article_id for p in passages)
    metrics = compute_metrics(
        targets,
        predicted,
        list(article_ids),
        model.labels,
        bootstrap=bootstrap,
        random_state=model.config.random_state,
    )
    return EvaluationDetails(
        metrics=metrics,
        labels=tuple(model.labels),
        thresholds=tuple(float(t) for t in model.thresholds),
        truth=targets,
        probabilities=probabilities,
        article_ids=article_ids,
    )


@dataclass(frozen=True, slots=True)
class LabelReport:
    """What a label check found: problems (errors and warnings) and counts."""

    problems: tuple[Problem, ...]
    counts: dict[str, Any]

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")


def check_labels(
    inputs: Sequence[str | Path],
    *,
    labels: Sequence[str] | Path | None = None,
    near_duplicate_bound: float = 0.6,
) -> LabelReport:
    """Check label files: schema, unknown labels, duplicates, near duplicates within and
    across splits (leakage), conflicting labels on the same text, and counts per split.

    Files under a folder named ``test`` form the test split; all others the train split.
    """
    files = _all_label_files(inputs)
    if isinstance(labels, (str, Path)):
        label_set: tuple[str, ...] | None = read_label_set(Path(labels))
    elif labels is not None:
        label_set = tuple(labels)
    else:
        found = find_label_set(inputs)
        label_set = read_label_set(found) if found else None
    rows = [
        RawRow(str(f), n, value, "test" if "test" in f.parts[:-1] else "train")
        for f in files
        for n, value in read_label_rows(f)
    ]
    split_of = {(r.path, r.line): r.split for r in rows}
    passages, problems = check_rows(rows, label_set)
    problems.extend(_content_problems(passages, split_of, near_duplicate_bound))
    counts: dict[str, Any] = {}
    for split in ("train", "test"):
        members = [p for p in passages if split_of[(p.path, p.line)] == split]
        if members:
            data = LabelledData(tuple(members), label_set or _labels_in(members), "check")
            counts[split] = data.counts()
    problems.sort(key=lambda p: (p.path, p.line))
    return LabelReport(tuple(problems), counts)


def _labels_in(passages: Iterable[LabelledPassage]) -> tuple[str, ...]:
    return tuple(sorted({label for p in passages for label in p.labels}))


def _all_label_files(inputs: Sequence[str | Path]) -> list[Path]:
    from framing.files import LABEL_SUFFIXES, walk_files

    found: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found.extend(f for f in walk_files(path) if f.name.lower().endswith(LABEL_SUFFIXES))
        elif path.exists():
            found.append(path)
        else:
            raise InputDataError("no such file or directory", path=path)
    return found


def _content_problems(
    passages: Sequence[LabelledPassage], split_of: dict[tuple[str, int], str], bound: float
) -> list[Problem]:
    problems: list[Problem] = []
    by_text: dict[str, LabelledPassage] = {}
    article_split: dict[str, tuple[str, LabelledPassage]] = {}
    for p in passages:
        split = split_of[(p.path, p.line)]
        key = " ".join(p.text.split()).casefold()
        first = by_text.get(key)
        if first is None:
            by_text[key] = p
        elif set(first.labels) != set(p.labels):
            problems.append(
                Problem(
                    "error",
                    p.path,
                    p.line,
                    f"same text as {first.path}:{first.line} with other labels "
                    f"{sorted(p.labels)} vs {sorted(first.labels)}",
                )
            )
        elif first.article_id != p.article_id or first.origin != "seed":
            severity = "error" if split_of[(first.path, first.line)] != split else "warning"
            problems.append(
                Problem(severity, p.path, p.line, f"exact duplicate of {first.path}:{first.line}")
            )
        seen = article_split.setdefault(p.article_id, (split, p))
        if seen[0] != split:
            problems.append(
                Problem(
                    "error",
                    p.path,
                    p.line,
                    f"article {p.article_id!r} straddles the splits "
                    f"(also in {seen[0]} at {seen[1].path}:{seen[1].line})",
                )
            )
    written = [p for p in passages if p.origin != "seed"]
    for a, b, share in near_duplicates(written, bound=bound):
        if " ".join(a.text.split()).casefold() == " ".join(b.text.split()).casefold():
            continue
        cross = split_of[(a.path, a.line)] != split_of[(b.path, b.line)]
        problems.append(
            Problem(
                "error",
                b.path,
                b.line,
                f"near duplicate ({share:.0%} of word 5-grams) of {a.path}:{a.line}"
                + (" across train and test: leakage" if cross else ""),
            )
        )
    return problems
