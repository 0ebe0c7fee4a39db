from __future__ import annotations

import numpy as np
import pytest
from conftest import LABELS, TINY_CONFIG

import framing
from framing.errors import InputDataError
from framing.features import clean_text
from framing.model import (
    FramingModel,
    best_threshold,
    fit_model,
    grouped_folds,
    label_matrix,
)
from framing.records import LabelledPassage


def _passage(pid: str, text: str, labels: tuple[str, ...], article: str) -> LabelledPassage:
    return LabelledPassage(id=pid, text=text, labels=labels, article_id=article)


def test_model_holds_labels_thresholds_and_config(tiny_model: FramingModel) -> None:
    assert tiny_model.labels == LABELS
    assert tiny_model.config == TINY_CONFIG
    assert tiny_model.thresholds.shape == (len(LABELS),)
    low, high = TINY_CONFIG.min_threshold, TINY_CONFIG.max_threshold
    assert np.all((tiny_model.thresholds >= low) & (tiny_model.thresholds <= high))


def test_predict_proba_shape_and_range(tiny_model: FramingModel) -> None:
    probabilities = tiny_model.predict_proba(["Support us today.", "", "Фото: ТАСС"])
    assert probabilities.shape == (3, len(LABELS))
    assert np.all((probabilities >= 0.0) & (probabilities <= 1.0))


def test_predict_proba_rejects_a_single_str(tiny_model: FramingModel) -> None:
    with pytest.raises(TypeError):
        tiny_model.predict_proba("Support us today.")


def test_calibration_never_inverts_the_classifier(
    tiny_model: FramingModel, labelled: framing.LabelledData
) -> None:
    # Platt scaling fitted on a few out-of-fold decisions once came out with a negative
    # slope, so the model flagged every passage except the label's own examples.
    assert np.all(tiny_model.calibration[:, 0] > 0)
    probabilities = tiny_model.predict_proba([p.text for p in labelled.passages])
    truth = label_matrix(labelled.passages, tiny_model.labels).astype(bool)
    for j, label in enumerate(tiny_model.labels):
        positives, negatives = probabilities[truth[:, j], j], probabilities[~truth[:, j], j]
        assert positives.mean() > negatives.mean(), label


def test_model_learns_most_of_its_training_passages(
    tiny_model: FramingModel, labelled: framing.LabelledData
) -> None:
    probabilities = tiny_model.predict_proba([p.text for p in labelled.passages])
    predicted = probabilities >= tiny_model.thresholds
    truth = label_matrix(labelled.passages, tiny_model.labels).astype(bool)
    assert (predicted == truth).all(axis=1).mean() >= 0.8


def test_score_returns_an_article_score(tiny_model: FramingModel) -> None:
    result = tiny_model.score("First paragraph.\n\nSecond paragraph.", article_id="x")
    assert result.id == "x"
    assert len(result.passages) == 2
    assert set(result.scores) == set(LABELS)


def test_evidence_terms_quote_the_passage(tiny_model: FramingModel) -> None:
    text = "Unterstützen Sie uns mit Ihrer Spende, schon ab 3 Euro im Monat."
    row = tiny_model.features([text])[0]
    j = tiny_model.labels.index("donation_appeal")
    terms = tiny_model.evidence(text, row, j)
    assert 0 < len(terms) <= TINY_CONFIG.evidence_terms
    for term in terms:
        assert term.casefold() in clean_text(text).casefold()


def test_contributions_are_sorted_and_signed(tiny_model: FramingModel) -> None:
    text = "Folgen Sie uns auf Telegram und teilen Sie unsere Artikel."
    row = tiny_model.features([text])[0]
    terms = tiny_model.contributions(text, row, tiny_model.labels.index("distribution_appeal"))
    values = [v for _, v in terms]
    assert values == sorted(values, reverse=True)
    assert values[0] > 0
    assert "telegram" in {t for t, _ in terms}


def test_a_label_without_positives_is_refused() -> None:
    passages = [
        _passage("a", "Support us today.", ("donation_appeal",), "x"),
        _passage("b", "Rain on Thursday.", (), "y"),
    ]
    with pytest.raises(InputDataError, match="no positive passage for label.s. credit_line"):
        fit_model(passages, ["donation_appeal", "credit_line"], TINY_CONFIG)


def test_a_single_article_cannot_be_cross_validated() -> None:
    passages = [
        _passage("a", "Support us today.", ("donation_appeal",), "x"),
        _passage("b", "Rain on Thursday.", (), "x"),
    ]
    with pytest.raises(InputDataError, match="at least 2 articles"):
        fit_model(passages, ["donation_appeal"], TINY_CONFIG)


def test_grouped_folds_keep_articles_on_one_side() -> None:
    groups = np.array(["a", "a", "b", "c", "c", "c", "d", "e"])
    splits = grouped_folds(groups, 3)
    assert len(splits) == 3
    tested = np.concatenate([test for _, test in splits])
    assert sorted(tested.tolist()) == list(range(len(groups)))
    for train, test in splits:
        assert not set(groups[train]) & set(groups[test])


def test_grouped_folds_shrink_to_the_number_of_articles() -> None:
    assert len(grouped_folds(np.array(["a", "b", "a"]), 5)) == 2


def test_label_matrix_ignores_labels_outside_the_set() -> None:
    passages = [_passage("a", "x", ("p", "q"), "1"), _passage("b", "y", (), "2")]
    assert label_matrix(passages, ["q", "r"]).tolist() == [[1, 0], [0, 0]]


def test_best_threshold_stays_within_bounds() -> None:
    truth = np.array([0, 0, 1, 1])
    assert best_threshold(np.array([0.01, 0.02, 0.03, 0.04]), truth, TINY_CONFIG) >= 0.1
    assert best_threshold(np.array([0.95, 0.96, 0.97, 0.99]), truth, TINY_CONFIG) <= 0.9


def test_best_threshold_separates_when_it_can() -> None:
    probabilities = np.array([0.15, 0.3, 0.7, 0.8])
    cut = best_threshold(probabilities, np.array([0, 0, 1, 1]), TINY_CONFIG)
    assert 0.3 < cut <= 0.7


def test_streaming_fit_trains_too(labelled: framing.LabelledData) -> None:
    config = TINY_CONFIG.with_overrides({"fit": "streaming", "epochs": 3})
    model = fit_model(labelled.passages, labelled.labels, config)
    probabilities = model.predict_proba(["Support us today."])
    assert probabilities.shape == (1, len(LABELS))


def test_batch_evidence_equals_the_per_passage_reference(tiny_model: FramingModel) -> None:
    # scoring uses evidence_batch; evidence() is the slow, readable reference it must match
    texts = [
        "Unterstützen Sie uns mit Ihrer Spende, schon ab 3 Euro im Monat.",
        "Folgen Sie uns auf Telegram und teilen Sie unsere Artikel.",
        "Поддержите нас: подпишитесь на наш канал и пожертвуйте.",
        "Reuters reported that the talks stalled; <b>READ MORE</b> &gt;&gt;",
    ]
    rows = tiny_model.features(texts)
    flags = np.ones((len(texts), len(tiny_model.labels)), dtype=bool)
    batch = tiny_model.evidence_batch(texts, rows, flags)
    for i, text in enumerate(texts):
        for j, label in enumerate(tiny_model.labels):
            assert batch[i].get(label, ()) == tiny_model.evidence(text, rows[i], j), (i, label)
