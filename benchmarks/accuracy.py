"""Baselines side by side: framing against fastText, plain TF-IDF + logistic regression,
a keyword list and a majority baseline, all trained on one split and scored on another
with the metric code of ``framing evaluate`` (framing.metrics.compute_metrics).

Run from the repository root::

    python benchmarks/accuracy.py                          # data/labels -> data/labels/test
    python benchmarks/accuracy.py --train A.jsonl --test B.jsonl
    python benchmarks/accuracy.py --holdout 0.2            # no test split yet: hold out articles

The report goes to stdout and to benchmarks/RESULTS.md (generated; never edit it by hand).
Progress goes to stderr. fastText must be built from its source distribution
(``pip install --no-binary fasttext fasttext``); the wheels of ``fasttext-wheel`` return
broken probabilities under numpy 2, and the script aborts when it sees that.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.multiclass import OneVsRestClassifier

import framing
from framing.metrics import by_article, compute_metrics, level_metrics
from framing.model import best_threshold, label_matrix
from framing.records import LabelledPassage, Metrics

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TRAIN = ROOT / "data" / "labels"
DEFAULT_TEST = DEFAULT_TRAIN / "test"
DEFAULT_RESULTS = ROOT / "benchmarks" / "RESULTS.md"
FASTTEXT_EPOCHS = (10, 25, 50)
FASTTEXT_LRS = (0.1, 0.5, 1.0)
FASTTEXT_THRESHOLDS = (0.01, 0.99)  # the range its per-label thresholds are chosen in
NO_LABEL = "__label__no_label_"  # fastText skips lines without a label; see fasttext_lines

# Cue words per label, written by hand from the label definitions (../shared/LABELS.md) and
# general knowledge of how outlets phrase these things; NOT fitted to any data. Each cue
# matches case-insensitively at the start of a word, so "заблокир" also finds
# "заблокировали".
KEYWORDS: dict[str, tuple[str, ...]] = {
    "donation_appeal": (
        # de
        "spende",
        "spenden sie",
        "unterstützen sie uns",
        "unterstützen sie unsere",
        "unterstütze uns",
        "fördermitglied",
        "mitglied werden",
        "paypal",
        # en
        "donate",
        "donation",
        "support us",
        "support our",
        "become a member",
        "become a supporter",
        "make a contribution",
        "patreon",
        "chip in",
        # ru
        "пожертв",
        "поддержите нас",
        "поддержать нас",
        "поддержите нашу",
        "донат",
        "помогите нам",
    ),
    "distribution_appeal": (
        "teilen sie",
        "teilt ",
        "folgen sie uns",
        "folgt uns",
        "abonnieren sie",
        "abonniert unser",
        "newsletter",
        "telegram",
        "vpn",
        "spiegelseite",
        "spiegel-domain",
        "unsere app",
        "share this",
        "share our",
        "follow us",
        "subscribe to our",
        "join our channel",
        "mirror",
        "download our app",
        "подписывайтесь",
        "подпишитесь",
        "поделитесь",
        "телеграм",
        "впн",
        "зеркал",
        "наш канал",
        "рассылк",
    ),
    "censorship_claim": (
        "sperrung",
        "gesperrt",
        "blockiert",
        "verboten",
        "ausländischer agent",
        "unerwünschte organisation",
        "unerwünscht",
        "zensur",
        "mundtot",
        "blocked",
        "banned",
        "foreign agent",
        "undesirable",
        "censor",
        "silenced",
        "silence us",
        "заблокир",
        "блокировк",
        "иностранным агентом",
        "иноагент",
        "нежелательн",
        "цензур",
        "запрет",
    ),
    "state_media_self_promotion": (
        "mainstream",
        "westliche medien",
        "westlichen medien",
        "alternative sicht",
        "jenseits der",
        "prowestlich",
        "was andere verschweigen",
        "western media",
        "mainstream media",
        "alternative view",
        "alternative perspective",
        "won't tell you",
        "atlanticist",
        "the other side of the story",
        "альтернативн",
        "западные сми",
        "западных сми",
        "мейнстрим",
        "другую точку зрения",
    ),
    "state_media_sourcing": (
        "staatliche medien",
        "staatlichen medien",
        "staatsmedien",
        "staatsfernsehen",
        "staatliche nachrichtenagentur",
        "kcna",
        "tass",
        "ria nowosti",
        "ria novosti",
        "xinhua",
        "cgtn",
        "kreml-website",
        "state media",
        "state-run",
        "state news agency",
        "state television",
        "state tv",
        "kremlin website",
        "kremlin said in a statement",
        "тасс",
        "риа новости",
        "синьхуа",
        "цтак",
        "гостелевид",
        "государственные сми",
        "государственных сми",
        "сайт кремля",
        "сайте кремля",
        "пресс-служб",
    ),
    "official_narrative": (
        "spezielle militäroperation",
        "speziellen militäroperation",
        "militärische sonderoperation",
        "militärischen sonderoperation",
        "kiewer regime",
        "kiewer regimes",
        "kollektive westen",
        "kollektiven westen",
        "neonazis",
        "entnazifizierung",
        "special military operation",
        "kiev regime",
        "kyiv regime",
        "collective west",
        "neo-nazi",
        "denazification",
        "специальной военной операц",
        "специальная военная операц",
        "спецоперац",
        "киевский режим",
        "киевского режима",
        "коллективный запад",
        "коллективного запада",
        "неонацист",
        "денацификац",
    ),
    "critical_context": (
        "vorgeworfen",
        "werfen",
        "wirft",
        "experten zufolge",
        "unabhängig überprüf",
        "unabhängig bestätig",
        "sanktionen",
        "menschenrechts",
        "kritiker",
        "bestritten",
        "accused",
        "accuses",
        "could not be verified",
        "independently verif",
        "sanctions",
        "experts say",
        "critics",
        "human rights",
        "denied",
        "no evidence",
        "обвиня",
        "обвинил",
        "независимо подтверд",
        "санкци",
        "эксперты",
        "критики",
        "правозащит",
        "не подтвержд",
    ),
    "promo_teaser": (
        "mehr zum thema",
        "hier weiterlesen",
        "weiterlesen",
        "lesen sie auch",
        "lesen sie mehr",
        "alle artikel lesen",
        "jetzt testen",
        "auch interessant",
        "read more",
        "read also",
        "also read",
        "related:",
        "you may also like",
        "subscribe now",
        "premium",
        "читайте также",
        "читать далее",
        "читать полностью",
        "смотрите также",
        "по теме:",
    ),
    "credit_line": (
        "mit beiträgen von",
        "beigetragen",
        "foto:",
        "bild:",
        "quelle:",
        "©",
        "copyright",
        "contributed to this report",
        "reporting by",
        "editing by",
        "written by",
        "photo:",
        "source:",
        "getty images",
        "credit:",
        "фото:",
        "источник:",
        "автор:",
        "при участии",
    ),
}


@dataclass(frozen=True)
class Seconds:
    """Wall-clock and CPU seconds; CPU time counts every thread of this process, so it
    is less disturbed than wall time when other jobs share the machine."""

    wall: float
    cpu: float

    def __add__(self, other: Seconds) -> Seconds:
        return Seconds(self.wall + other.wall, self.cpu + other.cpu)

    def __str__(self) -> str:
        return f"{self.wall:.1f} / {self.cpu:.1f}"


class Stopwatch:
    """Started on creation; ``read()`` gives the Seconds since then."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def read(self) -> Seconds:
        return Seconds(time.perf_counter() - self.wall, time.process_time() - self.cpu)


@dataclass
class SystemResult:
    """One system's predictions on the test split, with its timings and metrics."""

    name: str
    description: str
    predicted: np.ndarray
    train_seconds: Seconds
    predict_seconds: Seconds
    metrics: Metrics
    notes: list[str] = field(default_factory=list)


@dataclass
class GridRow:
    """One fastText setting scored on the out-of-fold predictions of the training data."""

    epoch: int
    lr: float
    macro_at_half: float
    macro_at_tuned: float
    thresholds: np.ndarray
    seconds: Seconds


def log(message: str) -> None:
    """Progress to stderr, so stdout carries only the report."""
    print(f"[accuracy] {message}", file=sys.stderr, flush=True)


# -- data ----------------------------------------------------------------------------------
def holdout_split(
    data: framing.LabelledData, share: float, seed: int
) -> tuple[framing.LabelledData, framing.LabelledData]:
    """Split by article: a random ``share`` of the articles becomes the test split."""
    articles = sorted({p.article_id for p in data.passages})
    rng = np.random.default_rng(seed)
    chosen = set(rng.permutation(articles)[: max(1, math.ceil(share * len(articles)))].tolist())
    train = tuple(p for p in data.passages if p.article_id not in chosen)
    test = tuple(p for p in data.passages if p.article_id in chosen)
    source = f"{data.label_source} (holdout {share:g}, seed {seed})"
    return (
        framing.LabelledData(train, data.labels, source, data.files),
        framing.LabelledData(test, data.labels, source, data.files),
    )


def normalised(text: str) -> str:
    """Whitespace-folded, case-folded text, to find identical passages across the splits."""
    return " ".join(text.split()).casefold()


# -- framing -------------------------------------------------------------------------------
def run_framing(
    train: framing.LabelledData,
    test: Sequence[LabelledPassage],
    config: framing.TrainConfig,
    bootstrap: int,
    seed: int,
) -> SystemResult:
    """Train framing through its public API and check our metrics equal framing.evaluate's."""
    start = Stopwatch()
    model = framing.train(train, config=config, cross_validation=False)
    train_seconds = start.read()
    start = Stopwatch()
    probabilities = model.predict_proba([p.text for p in test])
    predicted = (probabilities >= model.thresholds).astype(np.int8)
    predict_seconds = start.read()
    metrics = score(test, predicted, train.labels, bootstrap, seed)
    official = framing.evaluate(test, model, bootstrap=0)
    for ours, theirs in ((metrics.passage, official.passage), (metrics.article, official.article)):
        if (ours.macro_f1, ours.micro_f1, ours.per_label) != (
            theirs.macro_f1,
            theirs.micro_f1,
            theirs.per_label,
        ):
            raise SystemExit("error: framing.evaluate disagrees with compute_metrics here; a bug")
    thresholds = ", ".join(
        f"{label} {t:.2f}" for label, t in zip(model.labels, model.thresholds, strict=True)
    )
    return SystemResult(
        "framing",
        "framing.train(cross_validation=False) with "
        + ("the default TrainConfig" if config == framing.TrainConfig() else "a given TrainConfig")
        + "; per-label thresholds from its own grouped CV on the training split",
        predicted,
        train_seconds,
        predict_seconds,
        metrics,
        [f"framing thresholds: {thresholds}"],
    )


# -- fastText ------------------------------------------------------------------------------
_FASTTEXT_TOKEN = re.compile(r"\w+|[^\w\s]")


def fasttext_text(text: str) -> str:
    """One line of lower-cased tokens with punctuation split off, as fastText expects."""
    return " ".join(_FASTTEXT_TOKEN.findall(text.casefold()))


def fasttext_lines(texts: Sequence[str], targets: np.ndarray, labels: Sequence[str]) -> list[str]:
    """Training lines. fastText silently drops a line without labels, so a passage with
    none gets a pseudo-label; under loss='ova' it is one more independent sigmoid and
    makes the passage a negative example for every real label."""
    lines = []
    for text, row in zip(texts, targets, strict=True):
        names = [f"__label__{labels[j]}" for j in np.flatnonzero(row).tolist()] or [NO_LABEL]
        lines.append(" ".join(names) + " " + text)
    return lines


def import_fasttext() -> Any:
    """The fasttext module, or a loud exit saying how to install it."""
    try:
        import fasttext
    except ImportError:
        raise SystemExit(
            "error: fasttext is not installed; run "
            "pip install --no-binary fasttext -e '.[bench]'  (not fasttext-wheel)"
        ) from None
    return fasttext


def fasttext_fit(
    texts: Sequence[str],
    targets: np.ndarray,
    labels: Sequence[str],
    *,
    epoch: int,
    lr: float,
    seed: int,
    threads: int,
    workdir: Path,
) -> Any:
    """Train fastText supervised with one-vs-all loss and word bigrams."""
    fasttext = import_fasttext()
    path = workdir / "train.txt"
    path.write_text("\n".join(fasttext_lines(texts, targets, labels)) + "\n", encoding="utf-8")
    return fasttext.train_supervised(
        input=str(path),
        loss="ova",
        wordNgrams=2,
        epoch=epoch,
        lr=lr,
        thread=threads,
        seed=seed,
        verbose=0,
    )


def fasttext_probabilities(model: Any, texts: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    """Per-label probabilities, shape (n_texts, n_labels); a label fastText never saw is 0."""
    column = {f"__label__{label}": j for j, label in enumerate(labels)}
    # The list form of predict: the single-string form calls np.array(copy=False), which
    # raises under numpy 2 even in the source build (fasttext 0.9.3 FastText.py:239).
    names, values = model.predict(list(texts), k=-1, threshold=0.0)
    out = np.zeros((len(texts), len(labels)), dtype=np.float64)
    for i, (row_names, row_values) in enumerate(zip(names, values, strict=True)):
        for name, value in zip(row_names, row_values, strict=True):
            j = column.get(name)
            if j is not None:
                out[i, j] = float(value)
    return out


def check_fasttext_probabilities(probabilities: np.ndarray, where: str) -> np.ndarray:
    """Abort loudly on the numpy-2 bug of the fasttext wheels, where every label of every
    passage gets the same probability (or garbage) and fastText would look useless.

    fastText reports exp(log(p + 1e-5)), so a sure label reads 1.00001; clip that to 1.
    """
    if not np.isfinite(probabilities).all():
        raise SystemExit(f"error: fastText returned NaN or infinite probabilities ({where})")
    if probabilities.min() < -1e-6 or probabilities.max() > 1.0 + 1e-4:
        low, high = probabilities.min(), probabilities.max()
        raise SystemExit(f"error: fastText probabilities span {low}..{high}, not [0, 1] ({where})")
    if probabilities.shape[1] > 1 and not (np.ptp(probabilities, axis=1) > 1e-6).any():
        raise SystemExit(
            f"error: fastText gave every label the same probability for every passage ({where}). "
            "This is the numpy-2 bug of the prebuilt wheels: pip uninstall fasttext-wheel "
            "fasttext; pip install --no-binary fasttext fasttext"
        )
    return np.clip(probabilities, 0.0, 1.0)


def macro_f1(truth: np.ndarray, predicted: np.ndarray, labels: Sequence[str]) -> float:
    """Passage macro-F1 by framing's rule (labels seen in gold or predictions)."""
    return level_metrics(truth, predicted, labels).macro_f1


def fasttext_grid(
    texts: Sequence[str],
    targets: np.ndarray,
    groups: np.ndarray,
    labels: Sequence[str],
    *,
    folds: int,
    seed: int,
    threads: int,
    workdir: Path,
) -> list[GridRow]:
    """Score every (epoch, lr) by grouped K-fold on the training split only."""
    splits = list(
        GroupKFold(n_splits=min(folds, len(np.unique(groups)))).split(texts, groups=groups)
    )
    # framing's threshold rule, over a wider range: fastText's probabilities are not
    # calibrated, and its best cuts often lie below framing's floor of 0.1.
    config = framing.TrainConfig(
        min_threshold=FASTTEXT_THRESHOLDS[0], max_threshold=FASTTEXT_THRESHOLDS[1]
    )
    rows = []
    for epoch in FASTTEXT_EPOCHS:
        for lr in FASTTEXT_LRS:
            start = Stopwatch()
            out_of_fold = np.zeros(targets.shape, dtype=np.float64)
            for train_rows, test_rows in splits:
                model = fasttext_fit(
                    [texts[i] for i in train_rows],
                    targets[train_rows],
                    labels,
                    epoch=epoch,
                    lr=lr,
                    seed=seed,
                    threads=threads,
                    workdir=workdir,
                )
                out_of_fold[test_rows] = fasttext_probabilities(
                    model, [texts[i] for i in test_rows], labels
                )
            out_of_fold = check_fasttext_probabilities(
                out_of_fold, f"grouped CV, epoch={epoch} lr={lr}"
            )
            # The same threshold rule framing uses for itself (framing.model.best_threshold).
            thresholds = np.array(
                [
                    best_threshold(out_of_fold[:, j], targets[:, j], config)
                    for j in range(len(labels))
                ]
            )
            rows.append(
                GridRow(
                    epoch,
                    lr,
                    macro_f1(targets, out_of_fold >= 0.5, labels),
                    macro_f1(targets, out_of_fold >= thresholds, labels),
                    thresholds,
                    start.read(),
                )
            )
            log(f"fastText epoch={epoch} lr={lr}: CV macro-F1 {rows[-1].macro_at_tuned:.4f}")
    return rows


def run_fasttext(
    train: framing.LabelledData,
    test: Sequence[LabelledPassage],
    *,
    folds: int,
    bootstrap: int,
    seed: int,
    threads: int,
) -> tuple[list[SystemResult], list[GridRow]]:
    """fastText with its grid chosen by grouped CV on the training split; two variants:
    per-label thresholds chosen on the same folds, and a flat 0.5."""
    labels = train.labels
    texts = [fasttext_text(p.text) for p in train.passages]
    test_texts = [fasttext_text(p.text) for p in test]
    targets = label_matrix(train.passages, labels)
    groups = np.array([p.article_id for p in train.passages])
    results = []
    with tempfile.TemporaryDirectory(prefix="framing-bench-") as folder:
        workdir = Path(folder)
        start = Stopwatch()
        grid = fasttext_grid(
            texts, targets, groups, labels, folds=folds, seed=seed, threads=threads, workdir=workdir
        )
        grid_seconds = start.read()
        tuned = max(grid, key=lambda r: r.macro_at_tuned)  # first best wins ties
        half = max(grid, key=lambda r: r.macro_at_half)
        for name, chosen, thresholds, rule in (
            ("fastText", tuned, tuned.thresholds, "per-label thresholds from the same CV folds"),
            ("fastText @0.5", half, np.full(len(labels), 0.5), "threshold 0.5"),
        ):
            start = Stopwatch()
            model = fasttext_fit(
                texts,
                targets,
                labels,
                epoch=chosen.epoch,
                lr=chosen.lr,
                seed=seed,
                threads=threads,
                workdir=workdir,
            )
            fit_seconds = start.read()
            start = Stopwatch()
            probabilities = fasttext_probabilities(model, test_texts, labels)
            predict_seconds = start.read()
            probabilities = check_fasttext_probabilities(probabilities, f"{name} on the test split")
            predicted = (probabilities >= thresholds).astype(np.int8)
            results.append(
                SystemResult(
                    name,
                    f"supervised, loss=ova, wordNgrams=2, epoch={chosen.epoch}, lr={chosen.lr} "
                    f"(chosen by {len(FASTTEXT_EPOCHS) * len(FASTTEXT_LRS)}-point grid, grouped "
                    f"{folds}-fold CV on the training split), {rule}",
                    predicted,
                    grid_seconds + fit_seconds,
                    predict_seconds,
                    score(test, predicted, labels, bootstrap, seed),
                    [
                        f"{name}: grid search {grid_seconds} s wall / CPU (shared by both fastText "
                        f"rows) + final fit {fit_seconds} s"
                    ],
                )
            )
    return results, grid


# -- the simple baselines ------------------------------------------------------------------
def run_tfidf(
    train: framing.LabelledData,
    test: Sequence[LabelledPassage],
    bootstrap: int,
    seed: int,
    *,
    balanced: bool = False,
) -> SystemResult:
    """TfidfVectorizer() + OneVsRestClassifier(LogisticRegression()), all defaults, 0.5;
    with ``balanced``, the one change class_weight='balanced'."""
    targets = label_matrix(train.passages, train.labels)
    start = Stopwatch()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        vectorizer = TfidfVectorizer()
        estimator = (
            LogisticRegression(class_weight="balanced") if balanced else LogisticRegression()
        )
        classifier = OneVsRestClassifier(estimator)
        classifier.fit(vectorizer.fit_transform([p.text for p in train.passages]), targets)
    train_seconds = start.read()
    start = Stopwatch()
    predicted = classifier.predict(vectorizer.transform([p.text for p in test]))
    predicted = np.asarray(predicted.toarray() if hasattr(predicted, "toarray") else predicted)
    predict_seconds = start.read()
    name = "tfidf+LR balanced" if balanced else "tfidf+LR"
    kinds = Counter(type(w.message).__name__ for w in caught)
    notes = [f"{name} warnings while fitting: {dict(kinds)}"] if kinds else []
    description = (
        "extra row: the same with LogisticRegression(class_weight='balanced'), the one "
        "change, to show how much of the gap is class imbalance"
        if balanced
        else "sklearn TfidfVectorizer() + OneVsRestClassifier(LogisticRegression()), defaults, "
        "predict() (threshold 0.5)"
    )
    return SystemResult(
        name,
        description,
        predicted.astype(np.int8),
        train_seconds,
        predict_seconds,
        score(test, predicted, train.labels, bootstrap, seed),
        notes,
    )


def keyword_patterns(labels: Sequence[str]) -> list[re.Pattern[str] | None]:
    """One case-folded regex per label from KEYWORDS; None for a label without cues."""
    out: list[re.Pattern[str] | None] = []
    for label in labels:
        cues = KEYWORDS.get(label, ())
        alternatives = "|".join(r"(?<!\w)" + re.escape(cue.casefold()) for cue in cues)
        out.append(re.compile(alternatives) if cues else None)
    return out


def run_keywords(
    train: framing.LabelledData, test: Sequence[LabelledPassage], bootstrap: int, seed: int
) -> SystemResult:
    """Flag a label when one of its hand-written cue words occurs in the passage."""
    start = Stopwatch()
    patterns = keyword_patterns(train.labels)
    predicted = np.zeros((len(test), len(train.labels)), dtype=np.int8)
    for i, passage in enumerate(test):
        text = passage.text.casefold()
        for j, pattern in enumerate(patterns):
            if pattern is not None and pattern.search(text):
                predicted[i, j] = 1
    seconds = start.read()
    cues = sum(len(KEYWORDS.get(label, ())) for label in train.labels)
    return SystemResult(
        "keywords",
        f"{cues} hand-written de/en/ru cue words (KEYWORDS in this script), "
        "case-insensitive, matched at word starts; no training",
        predicted,
        Seconds(0.0, 0.0),
        seconds,
        score(test, predicted, train.labels, bootstrap, seed),
    )


def run_majority(
    train: framing.LabelledData, test: Sequence[LabelledPassage], bootstrap: int, seed: int
) -> SystemResult:
    """Predict each label's majority value in the training split for every passage."""
    start = Stopwatch()
    majority = (label_matrix(train.passages, train.labels).mean(axis=0) > 0.5).astype(np.int8)
    train_seconds = start.read()
    predicted = np.tile(majority, (len(test), 1))
    flagged = [label for label, m in zip(train.labels, majority, strict=True) if m]
    return SystemResult(
        "majority",
        "each label's majority value in the training split ("
        + (f"flags {', '.join(flagged)}" if flagged else "no label: every label is rarer than 50%")
        + ")",
        predicted,
        train_seconds,
        Seconds(0.0, 0.0),
        score(test, predicted, train.labels, bootstrap, seed),
    )


# -- metrics -------------------------------------------------------------------------------
def score(
    test: Sequence[LabelledPassage],
    predicted: np.ndarray,
    labels: Sequence[str],
    bootstrap: int,
    seed: int,
) -> Metrics:
    """Passage and article metrics exactly as ``framing evaluate`` computes them."""
    return compute_metrics(
        label_matrix(test, labels),
        np.asarray(predicted),
        [p.article_id for p in test],
        labels,
        bootstrap=bootstrap,
        random_state=seed,
    )


def paired_bootstrap(
    test: Sequence[LabelledPassage],
    labels: Sequence[str],
    reference: SystemResult,
    others: Sequence[SystemResult],
    rounds: int,
    seed: int,
) -> dict[str, dict[str, tuple[float, float, float, float]]]:
    """Resample whole articles; for each other system and level, the difference
    reference - other in macro-F1: (point, low, high, share of rounds the reference wins)."""
    truth = label_matrix(test, labels)
    article_ids = [p.article_id for p in test]
    truth_by_article, order = by_article(truth, article_ids)
    rows_of: dict[str, list[int]] = {a: [] for a in order}
    for i, article in enumerate(article_ids):
        rows_of[article].append(i)
    rng = np.random.default_rng(seed)
    draws = [rng.integers(0, len(order), len(order)) for _ in range(rounds)]
    rows = [np.concatenate([rows_of[order[k]] for k in picked]) for picked in draws]

    def resampled(predicted: np.ndarray) -> np.ndarray:
        predicted_by_article, _ = by_article(predicted, article_ids)
        out = np.zeros((rounds, 2))
        for r, picked in enumerate(draws):
            out[r, 0] = macro_f1(truth[rows[r]], predicted[rows[r]], labels)
            out[r, 1] = macro_f1(truth_by_article[picked], predicted_by_article[picked], labels)
        return out

    base = resampled(reference.predicted)
    result: dict[str, dict[str, tuple[float, float, float, float]]] = {}
    for other in others:
        difference = base - resampled(other.predicted)
        result[other.name] = {}
        for k, level in enumerate(("passage", "article")):
            ours = getattr(reference.metrics, level).macro_f1
            theirs = getattr(other.metrics, level).macro_f1
            low, high = np.percentile(difference[:, k], [2.5, 97.5])
            wins = float((difference[:, k] > 0).mean())
            result[other.name][level] = (ours - theirs, float(low), float(high), wins)
    return result


# -- report --------------------------------------------------------------------------------
def machine_info() -> str:
    """nproc, CPU model, Python and library versions, for the report header."""
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        nproc = f"{os.cpu_count()} (os.cpu_count)"
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for name in ("numpy", "scikit-learn", "fasttext", "fasttext-wheel"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            if name != "fasttext-wheel":
                versions.append(f"{name} not installed")
    try:
        load = f", 1-minute load average {os.getloadavg()[0]:.1f} at the start"
    except OSError:
        load = ""
    return (
        f"nproc {nproc}{load}, {cpu}, Python {platform.python_version()}, "
        f"framing {framing.__version__} ({git_state()}), " + ", ".join(versions)
    )


def git_state() -> str:
    """The short commit of the repository and whether the tree has uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "no git"
    return f"git {commit}" + (" + uncommitted changes" if dirty else "")


def shown(path: str | Path) -> str:
    """A path relative to the repository root when it lies inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def fmt(value: float) -> str:
    return f"{value:.3f}"


def fmt4(value: float) -> str:
    return f"{value:.4f}"


def with_ci(level: Any) -> str:
    if level.macro_f1_ci is None:
        return fmt(level.macro_f1)
    low, high = level.macro_f1_ci
    return f"{fmt(level.macro_f1)} ({fmt(low)}-{fmt(high)})"


def data_section(
    train: framing.LabelledData, test: framing.LabelledData, train_from: str, test_from: str
) -> list[str]:
    """Where the data came from, its counts per label and a leakage check across splits."""
    lines = ["## Data", ""]
    for name, data, source in (("train", train, train_from), ("test", test, test_from)):
        counts = data.counts()
        lines.append(
            f"- **{name}**: {counts['passages']} passages in {counts['articles']} articles "
            f"({counts['unlabelled']} without a label; languages {counts['per_lang']}), "
            f"from {source}"
        )
    lines.append(f"- label set: {train.label_source}")
    shared = {p.article_id for p in train.passages} & {p.article_id for p in test.passages}
    train_texts = {normalised(p.text) for p in train.passages}
    same = sum(1 for p in test.passages if normalised(p.text) in train_texts)
    lines.append(
        f"- leakage check: {len(shared)} article_id(s) in both splits; {same} test passage(s) "
        "whose text (case and whitespace folded) also occurs in the training split"
    )
    files = {(f["path"], f["sha256"]): f for f in (*train.files, *test.files)}
    lines += ["", "| file | passages | sha256 |", "|---|---:|---|"]
    for (path, digest), info in sorted(files.items()):
        lines.append(f"| {shown(path)} | {info['passages']} | {digest[:12]} |")
    train_counts, test_counts = train.counts()["per_label"], test.counts()["per_label"]
    lines += ["", "| label | train passages | test passages |", "|---|---:|---:|"]
    for label in train.labels:
        lines.append(f"| {label} | {train_counts[label]} | {test_counts[label]} |")
    return lines + [""]


def results_section(results: Sequence[SystemResult], test: framing.LabelledData) -> list[str]:
    """The main table: macro- and micro-F1 at passage and article level, and timings."""
    counts = test.counts()
    lines = [
        "## Results on the test split",
        "",
        f"{counts['passages']} test passages in {counts['articles']} articles. Brackets: 95% "
        "bootstrap interval over articles (framing.metrics.compute_metrics). An article "
        "carries a label when any of its passages does.",
        "",
        "| system | passage macro-F1 | passage micro-F1 | article macro-F1 | article micro-F1 "
        "| train s (wall / CPU) | predict s (wall / CPU) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        m = r.metrics
        lines.append(
            f"| {r.name} | {with_ci(m.passage)} | {fmt(m.passage.micro_f1)} | {with_ci(m.article)} "
            f"| {fmt(m.article.micro_f1)} | {r.train_seconds} | {r.predict_seconds} |"
        )
    lines += ["", "Systems:", ""]
    lines += [f"- **{r.name}**: {r.description}" for r in results]
    notes = [note for r in results for note in r.notes]
    if notes:
        lines += ["", "Notes:", ""] + [f"- {note}" for note in notes]
    return lines + [""]


def per_label_section(results: Sequence[SystemResult], labels: Sequence[str]) -> list[str]:
    """Per-label precision/recall/F1 for framing and fastText, F1 for the rest, both levels."""
    detailed = {"framing", "fastText"}
    lines: list[str] = []
    for level in ("passage", "article"):
        header = ["label", "support"]
        for r in results:
            header += (
                [f"{r.name} P", f"{r.name} R", f"{r.name} F1"]
                if r.name in detailed
                else [f"{r.name} F1"]
            )
        lines += [
            f"## Per-label scores, {level} level",
            "",
            "| " + " | ".join(header) + " |",
            "|---|" + "---:|" * (len(header) - 1),
        ]
        for label in labels:
            first = getattr(results[0].metrics, level).per_label[label]
            cells = [label, str(first.support)]
            for r in results:
                m = getattr(r.metrics, level).per_label[label]
                cells += (
                    [fmt(m.precision), fmt(m.recall), fmt(m.f1)]
                    if r.name in detailed
                    else [fmt(m.f1)]
                )
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def bootstrap_section(
    comparison: dict[str, dict[str, tuple[float, float, float, float]]], rounds: int
) -> list[str]:
    lines = [
        "## Paired bootstrap: framing minus each system (macro-F1)",
        "",
        f"{rounds} resamples of whole test articles, the same resample for both systems.",
        "",
        "| other system | passage Δ (95% CI) | framing better in | article Δ (95% CI) "
        "| framing better in |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, levels in comparison.items():
        cells = [name]
        for level in ("passage", "article"):
            point, low, high, share = levels[level]
            cells += [f"{point:+.3f} ({low:+.3f} to {high:+.3f})", f"{share:.0%}"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def grid_section(grid: Sequence[GridRow], labels: Sequence[str], folds: int) -> list[str]:
    tuned = max(grid, key=lambda r: r.macro_at_tuned)
    half = max(grid, key=lambda r: r.macro_at_half)
    lines = [
        "## fastText model selection (training split only)",
        "",
        f"Grouped {folds}-fold CV by article_id on the training split; passage macro-F1 of the "
        "out-of-fold predictions. The 'CV thresholds' column picks each label's threshold on "
        "those same predictions with framing's rule (framing.model.best_threshold, here within "
        f"{FASTTEXT_THRESHOLDS[0]}-{FASTTEXT_THRESHOLDS[1]}), so it is optimistic for every "
        "setting alike.",
        "",
        "| epoch | lr | macro-F1 @0.5 | macro-F1 @CV thresholds | s (wall / CPU) | chosen |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for r in grid:
        chosen = ", ".join(
            name for name, row in (("fastText", tuned), ("fastText @0.5", half)) if row is r
        )
        lines.append(
            f"| {r.epoch} | {r.lr} | {fmt(r.macro_at_half)} | {fmt(r.macro_at_tuned)} "
            f"| {r.seconds} | {chosen} |"
        )
    thresholds = ", ".join(
        f"{label} {t:.2f}" for label, t in zip(labels, tuned.thresholds, strict=True)
    )
    lines += ["", f"fastText thresholds: {thresholds}"]
    edges = [
        f"{name} (epoch={row.epoch}, lr={row.lr})"
        for name, row in (("fastText", tuned), ("fastText @0.5", half))
        if row.epoch == max(FASTTEXT_EPOCHS) or row.lr == max(FASTTEXT_LRS)
    ]
    if edges:
        lines.append(
            "Note: " + " and ".join(edges) + " chose a setting on the edge of the grid; a "
            "larger grid (more epochs, higher lr) might help fastText."
        )
    return lines + [""]


def losses_section(results: Sequence[SystemResult], labels: Sequence[str]) -> list[str]:
    """Say plainly where framing is not the best system."""
    ours = next(r for r in results if r.name == "framing")
    others = [r for r in results if r is not ours]
    lines = ["## Where framing loses", ""]
    found = False
    for level in ("passage", "article"):
        for metric in ("macro_f1", "micro_f1"):
            mine = getattr(getattr(ours.metrics, level), metric)
            better = [
                f"{r.name} {fmt4(getattr(getattr(r.metrics, level), metric))}"
                for r in others
                if getattr(getattr(r.metrics, level), metric) > mine
            ]
            if better:
                found = True
                lines.append(
                    f"- {level} {metric.replace('_', '-')}: framing {fmt4(mine)} < "
                    + ", ".join(better)
                )
    for level in ("passage", "article"):
        for label in labels:
            mine = getattr(ours.metrics, level).per_label[label].f1
            better = [
                f"{r.name} {fmt4(getattr(r.metrics, level).per_label[label].f1)}"
                for r in others
                if getattr(r.metrics, level).per_label[label].f1 > mine
            ]
            if better:
                found = True
                lines.append(
                    f"- {level} F1 of {label}: framing {fmt4(mine)} < " + ", ".join(better)
                )
    if not found:
        lines.append(
            "- nowhere on this split: framing has the best score on every metric and label."
        )
    lines.append(
        "- differences inside the bootstrap intervals above are not evidence either way; "
        "the test split is small."
    )
    return lines + [""]


def header(argv: Sequence[str], started: datetime) -> list[str]:
    command = "python benchmarks/accuracy.py" + (" " + shlex.join(argv) if argv else "")
    return [
        "# Accuracy: framing and baselines on one split",
        "",
        f"Generated by `{command}` (from the repository root) on "
        f"{started.strftime('%Y-%m-%d %H:%M UTC')}. This file is generated: do not edit it "
        "by hand, rerun the command.",
        "",
        f"Machine: {machine_info()}.",
        "",
    ]


# -- main ----------------------------------------------------------------------------------
def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Train framing and four baselines on one split, score them on another.",
    )
    parser.add_argument(
        "--train",
        nargs="+",
        default=[str(DEFAULT_TRAIN)],
        metavar="PATH",
        help="labelled .jsonl/.csv files or folders (a 'test' subfolder is skipped); "
        "default data/labels",
    )
    parser.add_argument(
        "--test",
        nargs="+",
        default=None,
        metavar="PATH",
        help="labelled files or folders to score on; default data/labels/test",
    )
    parser.add_argument(
        "--holdout",
        type=float,
        default=None,
        metavar="SHARE",
        help="instead of --test, hold out this share of the training articles (e.g. 0.2)",
    )
    parser.add_argument(
        "--framing-config", type=Path, default=None, help="TOML of TrainConfig overrides"
    )
    parser.add_argument("--folds", type=int, default=5, help="fastText grouped CV folds")
    parser.add_argument(
        "--bootstrap", type=int, default=1000, help="bootstrap resamples for the intervals"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for fastText and resampling")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="fastText threads (1 keeps its results reproducible)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=DEFAULT_RESULTS,
        help="where to write the Markdown report (default benchmarks/RESULTS.md)",
    )
    parser.add_argument("--no-results", action="store_true", help="print only; write no file")
    args = parser.parse_args(argv)
    if args.holdout is not None and args.test is not None:
        parser.error("--holdout and --test exclude each other")
    if args.holdout is not None and not 0.0 < args.holdout < 1.0:
        parser.error("--holdout must lie strictly between 0 and 1")
    return args


def load_splits(
    args: argparse.Namespace,
) -> tuple[framing.LabelledData, framing.LabelledData, str, str]:
    """The training and test data, with a description of where each came from."""
    train = framing.load_labelled(args.train)
    train_from = ", ".join(shown(p) for p in args.train)
    if args.holdout is not None:
        train, test = holdout_split(train, args.holdout, args.seed)
        return (
            train,
            test,
            f"{train_from} minus held-out articles",
            (f"{args.holdout:g} of the articles of {train_from} (seed {args.seed})"),
        )
    test_paths = args.test or [str(DEFAULT_TEST)]
    if args.test is None and not Path(test_paths[0]).exists():
        raise SystemExit(
            f"error: no test split at {test_paths[0]}; pass --test PATH... or --holdout 0.2"
        )
    test = framing.load_labelled(test_paths, labels=train.labels)
    return train, test, train_from, ", ".join(shown(p) for p in test_paths)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    started = datetime.now(timezone.utc)
    clock = Stopwatch()
    head = header(argv, started)  # machine load as the run starts
    import_fasttext()  # fail before the slow part, not after it
    try:
        train, test, train_from, test_from = load_splits(args)
        config = framing.load_config(args.framing_config)
    except framing.FramingError as err:
        raise SystemExit(f"error: {err}") from None
    log(f"train {len(train.passages)} passages, test {len(test.passages)} passages")
    labels = train.labels
    results: list[SystemResult] = []
    try:
        log("training framing")
        results.append(run_framing(train, test.passages, config, args.bootstrap, args.seed))
        log("training fastText (grid search by grouped CV)")
        found, grid = run_fasttext(
            train,
            test.passages,
            folds=args.folds,
            bootstrap=args.bootstrap,
            seed=args.seed,
            threads=args.threads,
        )
        results += found
        log("training tfidf+LR, keywords, majority")
        results.append(run_tfidf(train, test.passages, args.bootstrap, args.seed))
        results.append(run_tfidf(train, test.passages, args.bootstrap, args.seed, balanced=True))
        results.append(run_keywords(train, test.passages, args.bootstrap, args.seed))
        results.append(run_majority(train, test.passages, args.bootstrap, args.seed))
    except framing.FramingError as err:
        raise SystemExit(f"error: {err}") from None
    log("paired bootstrap")
    comparison = paired_bootstrap(
        test.passages, labels, results[0], results[1:], args.bootstrap, args.seed
    )
    lines = list(head)
    lines += data_section(train, test, train_from, test_from)
    lines += results_section(results, test)
    lines += per_label_section(results, labels)
    lines += bootstrap_section(comparison, args.bootstrap)
    lines += losses_section(results, labels)
    lines += grid_section(grid, labels, args.folds)
    total = clock.read()
    lines.append(f"Total time of the run: {total.wall:.0f} s wall, {total.cpu:.0f} s CPU.")
    report = "\n".join(lines) + "\n"
    sys.stdout.write(report)
    if not args.no_results:
        target = args.results
        temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        temporary.write_text(report, encoding="utf-8")
        os.replace(temporary, target)
        log(f"wrote {shown(target)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
