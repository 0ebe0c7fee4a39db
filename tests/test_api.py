from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS, LABELS, TINY_CONFIG, corpus_rows, write_jsonl, write_labels

import framing
from framing.errors import InputDataError
from framing.persist import sha256_file

PROBE = [text for _, _, _, text, _ in CORPUS[::5]] + ["Completely unseen words here."]


def test_public_api_names_exist() -> None:
    for name in framing.__all__:
        assert hasattr(framing, name), name
    for name in ("train", "score", "evaluate", "check_labels", "load_model", "save_model"):
        assert callable(getattr(framing, name))


def test_corpus_covers_the_shipped_label_set() -> None:
    from conftest import ROOT

    shipped = framing.files.read_label_set(ROOT / "data" / "labels" / "labels.txt")
    assert shipped == LABELS
    per_label = {label: sum(label in labels for _, _, labels, _, _ in CORPUS) for label in LABELS}
    assert all(6 <= n <= 12 for n in per_label.values()), per_label
    assert {lang for _, lang, _, _, _ in CORPUS} == {"de", "en", "ru"}


# -- load_labelled ---------------------------------------------------------------------------


def test_label_set_comes_from_labels_txt_beside_the_data(
    labelled: framing.LabelledData, data_dir: Path
) -> None:
    assert labelled.labels == LABELS
    assert labelled.label_source == str(data_dir / "labels.txt")
    assert len(labelled.passages) == len(CORPUS)


def test_counts(labelled: framing.LabelledData) -> None:
    counts = labelled.counts()
    assert counts["passages"] == len(CORPUS)
    assert counts["unlabelled"] == sum(1 for _, _, labels, _, _ in CORPUS if not labels)
    assert counts["per_label"]["censorship_claim"] == 8  # seven plus the multi-label note
    assert set(counts["per_lang"]) == {"de", "en", "ru"}
    articles = {a or pid for pid, _, _, _, a in CORPUS}
    assert counts["articles"] == len(articles)


def test_training_files_carry_their_sha256(
    labelled: framing.LabelledData, train_file: Path
) -> None:
    (info,) = labelled.files
    assert info == {
        "path": str(train_file),
        "sha256": sha256_file(train_file),
        "passages": len(CORPUS),
    }


def test_without_labels_txt_the_labels_come_from_the_data(tmp_path: Path, caplog) -> None:
    path = write_jsonl(tmp_path / "d" / "train.jsonl", corpus_rows())
    with caplog.at_level(logging.WARNING, logger="framing"):
        data = framing.load_labelled([path])
    assert set(data.labels) == set(LABELS)
    assert data.label_source == "data"
    assert "no labels.txt found; using the 9 labels found in the data" in caplog.text


def test_unknown_label_names_file_and_line(tmp_path: Path) -> None:
    rows = corpus_rows()
    rows[3]["labels"] = ["donation_apeal"]
    rows[7]["labels"] = "credit_line"
    path = write_jsonl(tmp_path / "train.jsonl", rows)
    write_labels(tmp_path / "labels.txt")
    with pytest.raises(InputDataError) as info:
        framing.load_labelled([path])
    assert str(info.value) == (
        f"{path}:4: unknown label(s) 'donation_apeal'; add them to labels.txt or fix the "
        "spelling (and 1 more problem(s); run 'framing labels check')"
    )


def test_accept_new_labels_extends_the_label_set(tmp_path: Path) -> None:
    rows = corpus_rows()
    rows[0]["labels"] = ["donation_appeal", "paywall"]
    path = write_jsonl(tmp_path / "train.jsonl", rows)
    write_labels(tmp_path / "labels.txt")
    data = framing.load_labelled([path], accept_new_labels=True)
    assert data.labels == (*LABELS, "paywall")


def test_labels_given_as_a_sequence_or_a_file(tmp_path: Path, train_file: Path) -> None:
    subset = ["donation_appeal", "credit_line"]
    with pytest.raises(InputDataError, match="unknown label"):
        framing.load_labelled([train_file], labels=subset)
    other = write_labels(tmp_path / "other.txt", [*LABELS, "extra"])
    assert framing.load_labelled([train_file], labels=other).labels == (*LABELS, "extra")


def test_no_passages_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"empty.jsonl: no labelled passages found"):
        framing.load_labelled([path], labels=LABELS)


def test_csv_label_files_are_read(tmp_path: Path) -> None:
    lines = ["id,text,labels,article_id"]
    for row in corpus_rows():
        text = row["text"].replace('"', '""')
        lines.append(f'{row["id"]},"{text}",{"|".join(row["labels"])},{row.get("article_id", "")}')
    path = tmp_path / "train.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = framing.load_labelled([path], labels=LABELS)
    assert [p.labels for p in data.passages] == [tuple(r["labels"]) for r in corpus_rows()]


# -- train / evaluate / cross_validate --------------------------------------------------------


def test_same_data_and_seed_give_identical_predictions(labelled: framing.LabelledData) -> None:
    first = framing.train(labelled, config=TINY_CONFIG, cross_validation=False)
    second = framing.train(labelled, config=TINY_CONFIG, cross_validation=False)
    assert np.array_equal(first.predict_proba(PROBE), second.predict_proba(PROBE))
    assert np.array_equal(first.thresholds, second.thresholds)
    assert np.array_equal(first.calibration, second.calibration)


def test_another_seed_still_trains(labelled: framing.LabelledData) -> None:
    model = framing.train(
        labelled, config=TINY_CONFIG.with_overrides({"random_state": 7}), cross_validation=False
    )
    assert model.config.random_state == 7
    assert model.predict_proba(PROBE).shape == (len(PROBE), len(LABELS))


def test_train_with_cross_validation_reports_metrics(labelled: framing.LabelledData) -> None:
    stages: list[tuple[str, int, int]] = []
    config = TINY_CONFIG.with_overrides({"cv_folds": 2})
    model = framing.train(
        labelled,
        config=config,
        cross_validation=True,
        progress=lambda stage, done, total: stages.append((stage, done, total)),
    )
    metrics = model.manifest["cv_metrics"]
    assert metrics["folds"] == 2
    assert set(metrics["passage"]["per_label"]) == set(LABELS)
    assert 0.0 <= metrics["passage"]["macro_f1"] <= 1.0
    assert metrics["passage"]["n"] == len(CORPUS)
    assert ("cross-validate", 2, 2) in stages
    assert stages[-1][0] in {"fit", "cross-validate"}


def test_evaluate_on_training_data(
    tiny_model: framing.FramingModel, labelled: framing.LabelledData
) -> None:
    metrics = framing.evaluate(labelled.passages, tiny_model, bootstrap=20)
    assert metrics.passage.n == len(CORPUS)
    assert metrics.passage.macro_f1 > 0.5
    assert metrics.article.n == labelled.counts()["articles"]


def test_evaluate_refuses_labels_the_model_lacks(tiny_model: framing.FramingModel) -> None:
    passage = framing.records.LabelledPassage(
        id="x", text="Hi", labels=("paywall",), article_id="x"
    )
    with pytest.raises(InputDataError, match="evaluation data has labels the model lacks: paywall"):
        framing.evaluate([passage], tiny_model)


# -- check_labels ------------------------------------------------------------------------------


def test_the_corpus_passes_the_label_check(data_dir: Path) -> None:
    report = framing.check_labels([data_dir])
    assert report.errors == 0, report.problems
    assert report.counts["train"]["passages"] == len(CORPUS)
    assert "test" not in report.counts


def test_label_check_finds_conflicts_leakage_and_unknown_labels(tmp_path: Path) -> None:
    write_labels(tmp_path / "labels.txt")
    story = "Die Gespräche dauerten mehrere Stunden und endeten spät am Abend mit einem Essen."
    write_jsonl(
        tmp_path / "train.jsonl",
        [
            {"id": "a", "text": story, "labels": [], "article_id": "A"},
            {"id": "b", "text": "Foto: Reuters", "labels": ["credit_line"], "article_id": "B"},
            {"id": "c", "text": "Foto:  reuters", "labels": [], "article_id": "C"},
            {"id": "d", "text": "Hi", "labels": ["made_up"], "article_id": "D"},
        ],
    )
    write_jsonl(
        tmp_path / "test" / "test.jsonl",
        [
            {"id": "e", "text": story.replace("Essen", "Bankett"), "labels": [], "article_id": "E"},
            {"id": "f", "text": "Another story entirely.", "labels": [], "article_id": "A"},
        ],
    )
    report = framing.check_labels([tmp_path])
    messages = [(Path(p.path).name, p.line, p.message) for p in report.problems]
    assert (
        "train.jsonl",
        3,
        "same text as "
        + str(tmp_path / "train.jsonl")
        + ":2 with other labels [] vs ['credit_line']",
    ) in messages
    assert any(m.startswith("unknown label(s) 'made_up'") for _, _, m in messages)
    assert any("across train and test: leakage" in m for _, _, m in messages)
    assert any("article 'A' straddles the splits" in m for _, _, m in messages)
    assert report.errors == len(report.problems) == 4
    assert report.counts["test"]["passages"] == 2


def test_label_check_of_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="no such file or directory"):
        framing.check_labels([tmp_path / "nowhere"])
