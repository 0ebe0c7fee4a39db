"""Fit one linear classifier per label on hashed TF-IDF features, calibrate it on grouped
cross-validation, choose per-label thresholds there, and predict passages with evidence."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GroupKFold

from framing.config import TrainConfig
from framing.errors import InputDataError
from framing.features import (
    CountBlocks,
    Frequencies,
    PassageFeaturizer,
    TermColumns,
    build_featurizer,
    clean_text,
    document_frequencies,
)
from framing.records import LabelledPassage

Progress = Callable[[str, int, int], None]
_EVIDENCE_SLICE = 256  # passages whose evidence is computed together: bounds the temporaries


@dataclass(eq=False)
class FramingModel:
    """A trained model: the featurizer, a linear scorer per label, calibration and thresholds.

    ``weights`` has one row per label over all feature columns; probabilities are
    ``sigmoid(a * (X @ w + b) + c)`` with the Platt parameters ``(a, c)`` fitted on
    out-of-fold decisions, and a passage carries a label when its probability reaches
    the label's threshold.
    """

    labels: tuple[str, ...]
    featurizer: PassageFeaturizer
    weights: sp.csr_matrix
    intercepts: np.ndarray
    calibration: np.ndarray
    thresholds: np.ndarray
    config: TrainConfig
    manifest: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._dense: np.ndarray | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_dense"] = None  # rebuilt on first use; keeps the artefact small
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @property
    def dense_weights(self) -> np.ndarray:
        """Weights as a dense (n_features, n_labels) float32 array, built once."""
        if self._dense is None:
            self._dense = np.ascontiguousarray(self.weights.T.toarray(), dtype=np.float32)
        return self._dense

    def features(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Weighted TF-IDF rows for passage texts."""
        return self.featurizer.transform(texts)

    def decisions(self, rows: sp.csr_matrix) -> np.ndarray:
        """Raw linear scores, one column per label."""
        return np.asarray(rows @ self.dense_weights, dtype=np.float64) + self.intercepts

    def probabilities(self, rows: sp.csr_matrix) -> np.ndarray:
        """Calibrated probabilities, one column per label."""
        return self.probabilities_from_decisions(self.decisions(rows))

    def probabilities_from_decisions(self, decisions: np.ndarray) -> np.ndarray:
        """Calibrated probabilities from raw linear scores."""
        return _sigmoid(decisions * self.calibration[:, 0] + self.calibration[:, 1])

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities for passage texts, shape (n_passages, n_labels).

        Raises
        ------
        TypeError
            When ``texts`` is a single str instead of a list of texts.
        """
        return self.probabilities(self.features(texts))

    def score(self, text: str, *, article_id: str = "text") -> Any:
        """Score one article text and return its ArticleScore."""
        from framing.records import Article
        from framing.scoring import score_articles

        return next(iter(score_articles([Article(id=article_id, text=text)], self)))

    def contributions(self, text: str, row: sp.csr_matrix, label: int) -> list[tuple[str, float]]:
        """Each word and word pair of a passage with how much it moved ``label``'s score.

        A word's contribution adds its stem's and its character n-grams' weighted values;
        a pair's is its bigram's. The list keeps the first spelling of each term.
        """
        values = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
        # Only the passage's own columns matter: reading them from the dense weights avoids
        # turning the label's whole weight row (~10^5 entries) into a dict per passage.
        weight = dict(
            zip(row.indices.tolist(), self.dense_weights[row.indices, label].tolist(), strict=True)
        )
        word_dim = 1 << self.featurizer.word_bits
        tokens = self.featurizer.token_features(text)
        cleaned = clean_text(text)  # once: cleaning it per word pair was quadratic (issue 6)
        out: dict[str, float] = {}

        def add(term: str, columns: Sequence[int]) -> None:
            total = sum(values.get(c, 0.0) * weight.get(c, 0.0) for c in set(columns))
            key = term.casefold()
            if key not in out or abs(total) > abs(out[key]):
                out[key] = total

        for i, token in enumerate(tokens):
            add(token.text, [token.word, *(word_dim + c for c in token.chars)])
            if i and self.featurizer.use_bigrams:
                previous = tokens[i - 1]
                pair = cleaned[previous.start : token.end]
                add(pair, [self.featurizer.bigram_id(previous.word, token.word)])
        return sorted(out.items(), key=lambda item: -item[1])

    def evidence(self, text: str, row: sp.csr_matrix, label: int) -> tuple[str, ...]:
        """The terms that pushed ``label`` up most in this passage."""
        terms = [t for t, v in self.contributions(text, row, label) if v > 0]
        return tuple(terms[: self.config.evidence_terms])

    def evidence_batch(
        self, texts: Sequence[str], rows: sp.csr_matrix, flagged: np.ndarray
    ) -> list[dict[str, tuple[str, ...]]]:
        """evidence() for every flagged (passage, label) of a batch at once.

        ``rows`` are the passages' feature rows and ``flagged`` their (n, n_labels) 0/1
        flags. Each passage gets ``{label: terms}`` for its flagged labels, in label order,
        with the same terms as evidence() gives; a few numpy operations per batch replace
        the Python loops per term that made evidence most of the cost of scoring.
        """
        flagged = np.asarray(flagged, dtype=bool)
        out: list[dict[str, tuple[str, ...]]] = [{} for _ in range(len(texts))]
        chosen = np.flatnonzero(flagged.any(axis=1))
        for part in range(0, len(chosen), _EVIDENCE_SLICE):
            some = chosen[part : part + _EVIDENCE_SLICE]
            terms = self.featurizer.term_columns([texts[i] for i in some.tolist()])
            found = self._top_terms(terms, rows[some], flagged[some]) if terms.keys else {}
            for local, i in enumerate(some.tolist()):
                out[i] = {
                    self.labels[j]: tuple(found.get((local, j), ()))
                    for j in np.flatnonzero(flagged[i]).tolist()
                }
        return out

    def _top_terms(
        self, terms: TermColumns, rows: sp.csr_matrix, flagged: np.ndarray
    ) -> dict[tuple[int, int], list[str]]:
        """The evidence terms of each flagged (passage, label) pair of some passages.

        Works on "pair terms": every term of a passage once per flagged label of it.
        """
        n_passages = rows.shape[0]
        term_passage = np.repeat(np.arange(n_passages), np.diff(terms.ends))
        link_passage = term_passage[terms.term_of]
        values = _row_values(rows, link_passage, terms.column_of)
        pair_passage, pair_label = np.nonzero(flagged)
        per_passage = flagged.sum(axis=1)
        first_pair = np.cumsum(per_passage) - per_passage
        # Spread each link over its passage's flagged labels and weigh it for that label.
        link = np.repeat(np.arange(len(values)), per_passage[link_passage])
        pair = first_pair[link_passage[link]] + _within_runs(per_passage[link_passage])
        products = values[link] * self.dense_weights[terms.column_of[link], pair_label[pair]]
        # Sum them per pair term: pair q's terms sit at pair_terms[q]...pair_terms[q + 1].
        n_terms = np.diff(terms.ends)[pair_passage]
        pair_terms = np.concatenate(([0], np.cumsum(n_terms)))
        term = terms.term_of[link]
        slot = pair_terms[pair] + term - terms.ends[pair_passage[pair]]
        totals = np.bincount(slot, weights=products, minlength=pair_terms[-1])
        slot_pair = np.repeat(np.arange(len(pair_passage)), n_terms)
        slot_term = terms.ends[pair_passage[slot_pair]] + _within_runs(n_terms)
        # Terms with the same casefolded text are one term, as in contributions().
        n_groups = np.diff(terms.group_ends)[pair_passage]
        pair_groups = np.concatenate(([0], np.cumsum(n_groups)))
        slot_group = (
            pair_groups[slot_pair]
            + terms.groups[slot_term]
            - terms.group_ends[pair_passage[slot_pair]]
        )
        value, first = _strongest_per_group(totals, slot_group)
        # Per pair: positive terms, largest first, ties in text order; keep the first few.
        positive = np.flatnonzero(value > 0)
        owner = slot_pair[first[positive]]
        order = np.lexsort((positive, -value[positive], owner))
        owner, chosen = owner[order], first[positive[order]]
        rank = _within_runs(np.bincount(owner, minlength=len(pair_passage)))
        keep = rank < self.config.evidence_terms
        found: dict[tuple[int, int], list[str]] = {}
        where = zip(
            pair_passage[owner[keep]].tolist(), pair_label[owner[keep]].tolist(), strict=True
        )
        for key, at in zip(where, slot_term[chosen[keep]].tolist(), strict=True):
            found.setdefault(key, []).append(terms.keys[at])
        return found


def fit_model(
    passages: Sequence[LabelledPassage],
    labels: Sequence[str],
    config: TrainConfig,
    *,
    progress: Progress | None = None,
) -> FramingModel:
    """Train a FramingModel on labelled passages.

    Thresholds and calibration come from grouped cross-validation on these passages
    (groups = ``article_id``), so no passage is scored by a model that saw it.

    Parameters
    ----------
    passages : Sequence[LabelledPassage]
        The training passages.
    labels : Sequence[str]
        The label set, in output order.
    config : TrainConfig
        Hyper-parameters and the random seed.

    Returns
    -------
    FramingModel

    Raises
    ------
    InputDataError
        When there are fewer than two articles or a label has no positive passage.
    """
    if config.fit == "streaming":
        return fit_streaming(passages, labels, config, progress=progress)
    featurizer = build_featurizer(config)
    counts = featurizer.count([p.text for p in passages])
    targets = label_matrix(passages, labels)
    groups = np.array([p.article_id for p in passages])
    return fit_counts(featurizer, counts, targets, groups, tuple(labels), config, progress)


def fit_streaming(
    passages: Sequence[LabelledPassage],
    labels: Sequence[str],
    config: TrainConfig,
    *,
    progress: Progress | None = None,
) -> FramingModel:
    """Train a FramingModel on any number of passages, ``config.batch_size`` at a time.

    No feature matrix of all passages is ever built. A first pass over the training
    passages counts document frequencies (the IDF); then ``config.epochs`` passes over
    freshly shuffled batches update one ``SGDClassifier(loss="log_loss")`` per label with
    ``partial_fit``, with class weights from the label counts. Calibration and thresholds
    come from a held-out ``config.holdout`` share of the articles (grouped by
    ``article_id``) instead of cross-validation.

    Parameters
    ----------
    passages : Sequence[LabelledPassage]
        The training passages; read batch by batch, in a new order every epoch.
    labels : Sequence[str]
        The label set, in output order.
    config : TrainConfig
        ``batch_size``, ``epochs``, ``holdout``, ``C`` (regularisation, as for the batch
        fit), ``class_weight`` and the features.
    progress : callable, optional
        Called as progress(stage, done, total) after every batch.

    Returns
    -------
    FramingModel

    Raises
    ------
    InputDataError
        When there are fewer than two articles or a label has no positive passage.
    """
    labels = tuple(labels)
    targets = label_matrix(passages, labels)
    _require_positives(targets, labels)
    train_rows, held_rows = holdout_split([p.article_id for p in passages], config)
    featurizer = build_featurizer(config)
    size = config.batch_size

    def batches(rows: np.ndarray, stage: str) -> Any:
        total = -(-len(rows) // size)
        for done, start in enumerate(range(0, len(rows), size), start=1):
            part = rows[start : start + size]
            yield part, featurizer.count([passages[i].text for i in part.tolist()])
            if progress:
                progress(stage, done, total)

    frequencies: Frequencies | None = None
    for _, counts in batches(train_rows, "count"):
        found = document_frequencies(counts)
        frequencies = found if frequencies is None else _sum_frequencies(frequencies, found)
    assert frequencies is not None  # train_rows is never empty
    featurizer.fit_frequencies(frequencies, len(train_rows))
    # Fit on the columns the training passages use: an unused column's weight stays zero.
    used = np.flatnonzero(np.concatenate(frequencies))
    compact = np.full(featurizer.n_features_out_, -1, dtype=np.int64)
    compact[used] = np.arange(len(used))
    estimators = _streaming_estimators(targets[train_rows], config)
    order = np.random.default_rng(config.random_state)
    # SGD runs without the GIL: threads fit the labels on one batch while this thread
    # counts the next one. Each label still sees the batches in the same order.
    threads = max(1, min(os.cpu_count() or 1, len(labels)))
    with ThreadPoolExecutor(threads) as pool:
        fitting: list[Future[Any]] = []
        for epoch in range(1, config.epochs + 1):
            shuffled = order.permutation(train_rows)
            for part, counts in batches(shuffled, f"epoch {epoch}/{config.epochs}"):
                rows = featurizer.weigh(counts)
                rows = sp.csr_matrix(
                    (rows.data, compact[rows.indices], rows.indptr), shape=(len(part), len(used))
                )
                for done in fitting:
                    done.result()
                fitting = [
                    pool.submit(e.partial_fit, rows, targets[part, j], classes=np.array([0, 1]))
                    for j, e in enumerate(estimators)
                    if e is not None
                ]
        for done in fitting:
            done.result()
    weights, intercepts = _expand_estimators(estimators, targets[train_rows], used, featurizer)
    n_labels = len(labels)
    model = FramingModel(
        labels=labels,
        featurizer=featurizer,
        weights=weights,
        intercepts=intercepts,
        calibration=np.tile([1.0, 0.0], (n_labels, 1)),
        thresholds=np.full(n_labels, 0.5),
        config=config,
    )
    decisions = np.vstack(
        [model.decisions(featurizer.weigh(counts)) for _, counts in batches(held_rows, "calibrate")]
    )
    truth = targets[held_rows]
    model.calibration = np.array([_platt(decisions[:, j], truth[:, j]) for j in range(n_labels)])
    probabilities = model.probabilities_from_decisions(decisions)
    model.thresholds = np.array(
        [best_threshold(probabilities[:, j], truth[:, j], config) for j in range(n_labels)]
    )
    return model


def holdout_split(article_ids: Sequence[str], config: TrainConfig) -> tuple[np.ndarray, np.ndarray]:
    """Row numbers of the training and the held-out passages: a random ``config.holdout``
    share of the articles (at least one, never all) is held out whole."""
    number: dict[str, int] = {}
    group = np.array([number.setdefault(a, len(number)) for a in article_ids], dtype=np.int64)
    if len(number) < 2:
        raise InputDataError(
            f"need passages from at least 2 articles (article_id) to hold some out, got {len(number)}"
        )
    n_held = min(max(1, round(len(number) * config.holdout)), len(number) - 1)
    held = np.zeros(len(number), dtype=bool)
    held[np.random.default_rng(config.random_state).permutation(len(number))[:n_held]] = True
    return np.flatnonzero(~held[group]), np.flatnonzero(held[group])


def _sum_frequencies(a: Frequencies, b: Frequencies) -> Frequencies:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def _streaming_estimators(targets: np.ndarray, config: TrainConfig) -> list[SGDClassifier | None]:
    """One SGD logistic regression per label; None for a label without both classes."""
    n = len(targets)
    estimators: list[SGDClassifier | None] = []
    for positives in targets.sum(axis=0).tolist():
        if not 0 < positives < n:
            estimators.append(None)
            continue
        weights = None
        if config.class_weight == "balanced":  # partial_fit cannot compute "balanced" itself
            weights = {0: n / (2.0 * (n - positives)), 1: n / (2.0 * positives)}
        estimators.append(
            SGDClassifier(
                loss="log_loss",
                # The batch fit's C for n passages, but not below 1e-6: smaller alphas make
                # SGD's "optimal" step sizes too large for a few epochs (test macro-F1 0.80
                # against 0.84 at 1e-6, 100,000 recombined passages of data/labels).
                alpha=max(1.0 / (config.C * n), 1e-6),
                class_weight=weights,
                random_state=config.random_state,
            )
        )
    return estimators


def _expand_estimators(
    estimators: list[SGDClassifier | None],
    targets: np.ndarray,
    used: np.ndarray,
    featurizer: PassageFeaturizer,
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Weights over all feature columns (from the used ones) and intercepts, per label."""
    n_labels = len(estimators)
    weights = np.zeros((n_labels, len(used)), dtype=np.float32)
    intercepts = np.zeros(n_labels)
    for j, estimator in enumerate(estimators):
        if estimator is None:
            intercepts[j] = 10.0 if targets[:, j].any() else -10.0
            continue
        weights[j] = estimator.coef_[0]
        intercepts[j] = float(estimator.intercept_[0])
    expanded = sp.csr_matrix(
        (weights.ravel(), (np.repeat(np.arange(n_labels), len(used)), np.tile(used, n_labels))),
        shape=(n_labels, featurizer.n_features_out_),
        dtype=np.float32,
    )
    expanded.eliminate_zeros()
    return expanded, intercepts


def fit_counts(
    featurizer: PassageFeaturizer,
    counts: CountBlocks,
    targets: np.ndarray,
    groups: np.ndarray,
    labels: tuple[str, ...],
    config: TrainConfig,
    progress: Progress | None = None,
    *,
    folds: int | None = None,
) -> FramingModel:
    """fit_model on passages already counted, so cross-validation counts only once."""
    _require_positives(targets, labels)
    decisions = out_of_fold_decisions(
        featurizer, counts, targets, groups, config, folds or config.cv_folds, progress
    )
    calibration = np.array(
        [_platt(decisions[:, j], targets[:, j]) for j in range(len(labels))], dtype=np.float64
    )
    probabilities = _sigmoid(decisions * calibration[:, 0] + calibration[:, 1])
    thresholds = np.array(
        [best_threshold(probabilities[:, j], targets[:, j], config) for j in range(len(labels))]
    )
    final = clone_featurizer(featurizer).fit_counts(counts).share_tokens(featurizer)
    weights, intercepts = _fit_linear(final.weigh(counts), targets, config)
    if progress:
        progress("fit", 1, 1)
    return FramingModel(
        labels=labels,
        featurizer=final,
        weights=weights,
        intercepts=intercepts,
        calibration=calibration,
        thresholds=thresholds,
        config=config,
    )


def out_of_fold_decisions(
    featurizer: PassageFeaturizer,
    counts: CountBlocks,
    targets: np.ndarray,
    groups: np.ndarray,
    config: TrainConfig,
    folds: int,
    progress: Progress | None = None,
) -> np.ndarray:
    """Linear scores for every passage from a model trained without its article."""
    decisions = np.zeros(targets.shape, dtype=np.float64)
    splits = grouped_folds(groups, folds)
    for done, (train, test) in enumerate(splits, start=1):
        fold = clone_featurizer(featurizer).fit_counts(counts.take(train))
        weights, intercepts = _fit_linear(fold.weigh(counts.take(train)), targets[train], config)
        rows = fold.weigh(counts.take(test))
        decisions[test] = np.asarray((rows @ weights.T).toarray()) + intercepts
        if progress:
            progress("cross-validate", done, len(splits))
    return decisions


def grouped_folds(groups: np.ndarray, folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """GroupKFold splits by article, with fewer folds when there are fewer articles."""
    n_groups = len(np.unique(groups))
    if n_groups < 2:
        raise InputDataError(
            f"need passages from at least 2 articles (article_id) to cross-validate, got {n_groups}"
        )
    splitter = GroupKFold(n_splits=min(folds, n_groups))
    return list(splitter.split(np.zeros(len(groups)), groups=groups))


def label_matrix(passages: Sequence[LabelledPassage], labels: Sequence[str]) -> np.ndarray:
    """A (n_passages, n_labels) 0/1 matrix of gold labels."""
    column = {label: j for j, label in enumerate(labels)}
    targets = np.zeros((len(passages), len(labels)), dtype=np.int8)
    for i, passage in enumerate(passages):
        for label in passage.labels:
            if label in column:
                targets[i, column[label]] = 1
    return targets


def best_threshold(probabilities: np.ndarray, truth: np.ndarray, config: TrainConfig) -> float:
    """The probability cut that maximises F1, kept within the configured bounds.

    Among equally good cuts the middle one is taken, so the choice is stable.

    Examples
    --------
    >>> round(best_threshold(np.array([0.1, 0.4, 0.6, 0.9]), np.array([0, 0, 1, 1]),
    ...       TrainConfig()), 2)
    0.5
    """
    candidates = np.unique(np.clip(probabilities, config.min_threshold, config.max_threshold))
    candidates = np.union1d(candidates, [config.min_threshold, 0.5, config.max_threshold])
    positives = truth.sum()
    scores = []
    for cut in candidates:
        predicted = probabilities >= cut
        hits = int((predicted & (truth == 1)).sum())
        denominator = int(predicted.sum()) + int(positives)
        scores.append(2.0 * hits / denominator if denominator else 0.0)
    values = np.array(scores)
    best = np.flatnonzero(values >= values.max() - 1e-12)
    # A cut between two probabilities behaves the same anywhere in the gap: take the middle
    # of the best run, and between the best cut and the next one below it.
    low = candidates[best[0] - 1] if best[0] > 0 else candidates[best[0]]
    return float((low + candidates[best[-1]]) / 2.0)


def clone_featurizer(featurizer: PassageFeaturizer) -> PassageFeaturizer:
    """A fresh featurizer with the same parameters (no learnt IDF)."""
    return PassageFeaturizer(**featurizer.get_params())


def _fit_linear(
    rows: sp.csr_matrix, targets: np.ndarray, config: TrainConfig
) -> tuple[sp.csr_matrix, np.ndarray]:
    """One linear classifier per label; a label without positives scores a constant."""
    n_labels, n_features = targets.shape[1], rows.shape[1]
    # Hashing leaves most columns empty; fitting on the used ones only is many times faster
    # and gives the same solution (an unused column's weight is zero under L2).
    used = np.unique(rows.indices)
    compact = rows[:, used]
    weights = np.zeros((n_labels, len(used)), dtype=np.float32)
    intercepts = np.zeros(n_labels)
    for j in range(n_labels):
        y = targets[:, j]
        if y.min() == y.max():
            intercepts[j] = 10.0 if y.max() else -10.0
            continue
        estimator = _linear_estimator(config)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(compact, y)
        weights[j] = estimator.coef_[0]
        intercepts[j] = float(estimator.intercept_[0])
    expanded = sp.csr_matrix(
        (weights.ravel(), (np.repeat(np.arange(n_labels), len(used)), np.tile(used, n_labels))),
        shape=(n_labels, n_features),
        dtype=np.float32,
    )
    expanded.eliminate_zeros()
    return expanded, intercepts


def _linear_estimator(config: TrainConfig) -> LogisticRegression | SGDClassifier:
    if config.fit == "streaming":
        return SGDClassifier(
            loss="log_loss",
            alpha=1.0 / (config.C * 1000.0),
            class_weight=config.class_weight,
            random_state=config.random_state,
            max_iter=config.epochs,
            tol=None,
        )
    return LogisticRegression(
        C=config.C,
        class_weight=config.class_weight,
        solver=config.solver,
        # With far more columns than passages the dual problem is much faster (liblinear).
        dual=config.solver == "liblinear",
        max_iter=1000,
        random_state=config.random_state,
    )


def _platt(decisions: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Platt scaling: a logistic fit of the truth on the decision value."""
    if truth.min() == truth.max():
        return 1.0, 0.0
    calibrator = LogisticRegression(C=100.0, solver="lbfgs")
    calibrator.fit(decisions.reshape(-1, 1), truth)
    slope = float(calibrator.coef_[0, 0])
    if slope <= 0.0:
        # On tiny data out-of-fold decisions can anti-correlate with the truth; a negative
        # slope would invert the classifier (flag every passage but its positives).
        return 1.0, 0.0
    return slope, float(calibrator.intercept_[0])


def _strongest_per_group(values: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per group (numbered 0.. in order of first appearance): the value of largest
    magnitude, the first one on ties, and the position where that value sits."""
    order = np.argsort(groups, kind="stable")
    sizes = np.bincount(groups)
    starts = np.cumsum(sizes) - sizes
    ordered = values[order]
    magnitude = np.abs(ordered)
    peak = np.maximum.reduceat(magnitude, starts)
    at_peak = np.where(magnitude == np.repeat(peak, sizes), np.arange(len(order)), len(order))
    winner = np.minimum.reduceat(at_peak, starts)
    return ordered[winner], order[winner]


def _within_runs(sizes: np.ndarray) -> np.ndarray:
    """0, 1, ... within each run of the given sizes, all runs end to end.

    Examples
    --------
    >>> _within_runs(np.array([2, 0, 3])).tolist()
    [0, 1, 0, 1, 2]
    """
    return np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)


def _row_values(rows: sp.csr_matrix, row_of: np.ndarray, column_of: np.ndarray) -> np.ndarray:
    """rows[row_of[i], column_of[i]] for every i, as float64 (0 where nothing is stored)."""
    if not rows.has_sorted_indices:
        rows = rows.copy()
        rows.sort_indices()
    width = rows.shape[1]
    stored = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr)) * width + rows.indices
    wanted = row_of * width + column_of
    values = np.zeros(len(wanted))
    if len(stored):
        at = np.minimum(np.searchsorted(stored, wanted), len(stored) - 1)
        hit = stored[at] == wanted
        values[hit] = rows.data[at[hit]]
    return values


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(values, -35.0, 35.0)))


def _require_positives(targets: np.ndarray, labels: Sequence[str]) -> None:
    empty = [label for j, label in enumerate(labels) if not targets[:, j].any()]
    if empty:
        raise InputDataError(
            f"no positive passage for label(s) {', '.join(empty)}; "
            "add examples or drop the label from labels.txt"
        )
