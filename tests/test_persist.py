from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import sklearn
from conftest import (
    LABELS,
    ROOT,
    TINY_CONFIG,
    console_script,
    corpus_rows,
    write_jsonl,
    write_labels,
)

import framing
from framing import persist
from framing.errors import ModelArtifactError
from framing.model import FramingModel

PROBE = [
    "Unterstützen Sie uns mit Ihrer Spende.",
    "Share this article with your friends.",
    "Нас заблокировали, но мы продолжаем.",
    "Heavy rain is expected on Thursday.",
]


@pytest.fixture
def model_copy(tiny_model_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny model directory that a test may damage."""
    return Path(shutil.copytree(tiny_model_dir, tmp_path / "model"))


def _manifest(directory: Path) -> dict:
    return json.loads((directory / "manifest.json").read_text(encoding="utf-8"))


def _write_manifest(directory: Path, manifest: dict) -> None:
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_round_trip_predicts_the_same(tiny_model: FramingModel, tmp_path: Path) -> None:
    saved = framing.save_model(tiny_model, tmp_path / "again")
    loaded = framing.load_model(saved)
    assert np.array_equal(loaded.predict_proba(PROBE), tiny_model.predict_proba(PROBE))
    assert np.array_equal(loaded.thresholds, tiny_model.thresholds)
    assert loaded.labels == tiny_model.labels


def test_manifest_records_what_the_style_guide_asks(tiny_model_dir: Path) -> None:
    manifest = _manifest(tiny_model_dir)
    assert manifest["format_version"] == persist.FORMAT_VERSION
    assert manifest["versions"]["sklearn"] == sklearn.__version__
    assert manifest["versions"]["framing"] == framing.__version__
    assert {"nltk", "python"} <= set(manifest["versions"])
    assert manifest["labels"] == list(LABELS)
    assert set(manifest["thresholds"]) == set(LABELS)
    assert manifest["config"] == TINY_CONFIG.as_dict()
    assert manifest["model_sha256"] == persist.sha256_file(tiny_model_dir / "model.joblib")
    assert manifest["created"]
    (training,) = manifest["training_files"]
    assert training["sha256"] == persist.sha256_file(Path(training["path"]))
    assert training["passages"] > 0
    assert manifest["counts"]["per_label"]["credit_line"] > 0


def test_loaded_model_carries_its_manifest(tiny_model: FramingModel) -> None:
    assert tiny_model.manifest["labels"] == list(LABELS)


def test_one_changed_byte_is_refused(model_copy: Path) -> None:
    artefact = model_copy / "model.joblib"
    data = bytearray(artefact.read_bytes())
    data[len(data) // 2] ^= 0x01
    artefact.write_bytes(bytes(data))
    with pytest.raises(ModelArtifactError, match="sha256 .* does not match the manifest"):
        framing.load_model(model_copy)


def test_a_replaced_pickle_is_never_unpickled(model_copy: Path, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(persist.joblib, "load", lambda *a, **k: calls.append(a))
    (model_copy / "model.joblib").write_bytes(b"not the model we saved")
    with pytest.raises(ModelArtifactError):
        framing.load_model(model_copy)
    assert calls == []


def test_another_sklearn_minor_version_is_refused_naming_both(model_copy: Path) -> None:
    manifest = _manifest(model_copy)
    major, minor = sklearn.__version__.split(".")[:2]
    other = f"{major}.{int(minor) + 1}.0"
    manifest["versions"]["sklearn"] = other
    _write_manifest(model_copy, manifest)
    with pytest.raises(ModelArtifactError) as info:
        framing.load_model(model_copy)
    message = str(info.value)
    assert f"scikit-learn {other}" in message
    assert sklearn.__version__ in message
    assert "framing train" in message


def test_another_sklearn_patch_version_loads(model_copy: Path) -> None:
    manifest = _manifest(model_copy)
    major, minor = sklearn.__version__.split(".")[:2]
    manifest["versions"]["sklearn"] = f"{major}.{minor}.999"
    _write_manifest(model_copy, manifest)
    assert framing.load_model(model_copy).labels == LABELS


def test_another_format_version_is_refused(model_copy: Path) -> None:
    manifest = _manifest(model_copy)
    manifest["format_version"] = persist.FORMAT_VERSION + 1
    _write_manifest(model_copy, manifest)
    with pytest.raises(ModelArtifactError, match="model format .* retrain"):
        framing.load_model(model_copy)


def test_missing_manifest_is_refused(model_copy: Path) -> None:
    (model_copy / "manifest.json").unlink()
    with pytest.raises(ModelArtifactError, match="manifest.json is missing; refusing to unpickle"):
        framing.load_model(model_copy)


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", ""])
def test_unreadable_manifest_is_refused(model_copy: Path, content: str) -> None:
    (model_copy / "manifest.json").write_text(content, encoding="utf-8")
    with pytest.raises(ModelArtifactError, match="manifest.json"):
        framing.load_model(model_copy)


def test_missing_artefact_is_refused(model_copy: Path) -> None:
    (model_copy / "model.joblib").unlink()
    with pytest.raises(ModelArtifactError, match="model.joblib is missing"):
        framing.load_model(model_copy)


def test_missing_directory_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ModelArtifactError, match="model directory not found; train one"):
        framing.load_model(tmp_path / "nothing")


def test_model_error_is_one_line_with_the_path(tmp_path: Path) -> None:
    with pytest.raises(ModelArtifactError) as info:
        framing.load_model(tmp_path / "nothing")
    assert str(info.value).startswith(str(tmp_path / "nothing") + ": ")
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)


def test_environment_variable_chooses_the_default_model(
    tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRAMING_MODEL", str(tiny_model_dir))
    assert framing.load_model().labels == LABELS


def test_save_over_an_existing_model_leaves_no_staging_behind(
    tiny_model: FramingModel, model_copy: Path
) -> None:
    framing.save_model(tiny_model, model_copy)
    assert framing.load_model(model_copy).labels == LABELS
    assert sorted(p.name for p in model_copy.parent.iterdir()) == ["model"]
    assert sorted(p.name for p in model_copy.iterdir()) == ["manifest.json", "model.joblib"]


def test_a_failed_save_keeps_the_previous_model(
    tiny_model: FramingModel, model_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (model_copy / "model.joblib").read_bytes()

    def broken_dump(value: object, path: Path, **kwargs: object) -> None:
        Path(path).write_bytes(b"half a pickle")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(persist.joblib, "dump", broken_dump)
    with pytest.raises(OSError, match="No space left"):
        framing.save_model(tiny_model, model_copy)
    assert (model_copy / "model.joblib").read_bytes() == before
    assert framing.load_model(model_copy).labels == LABELS
    assert sorted(p.name for p in model_copy.parent.iterdir()) == ["model"]


def _start_training(data: Path, out: Path, config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(console_script()), "train", str(data), "--out", str(out), "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )


@pytest.mark.slow
def test_killed_training_leaves_the_previous_model_loadable(
    model_copy: Path, tmp_path: Path
) -> None:
    """SIGKILL `framing train --out DIR` early, then right when it starts writing the new
    model, then let one run finish: DIR must load after each."""
    if not console_script().exists():
        pytest.skip(f"no console script at {console_script()}")
    config = tmp_path / "config.toml"
    # Full cross-validation on four copies of the corpus lasts long enough to interrupt.
    config.write_text("[train]\nword_bits = 14\nchar_bits = 14\n", encoding="utf-8")
    data = tmp_path / "labels" / "train.jsonl"
    rows = [
        dict(row, id=f"{row['id']}-{copy}", article_id=f"{row.get('article_id', row['id'])}-{copy}")
        for copy in range(4)
        for row in corpus_rows()
    ]
    write_jsonl(data, rows)
    write_labels(data.parent / "labels.txt")
    original = persist.sha256_file(model_copy / "model.joblib")

    # 1. killed while training: the old model is untouched
    process = _start_training(data, model_copy, config)
    time.sleep(2.0)
    assert process.poll() is None, "training finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert persist.sha256_file(model_copy / "model.joblib") == original
    assert framing.load_model(model_copy).labels == LABELS

    # 2. killed as soon as the staging directory of the new model appears
    process = _start_training(data, model_copy, config)
    staged = False
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if any(p.name.startswith(".model.tmp-") for p in model_copy.parent.iterdir()):
            process.send_signal(signal.SIGKILL)
            staged = True
            break
        time.sleep(0.001)
    process.wait()
    assert framing.load_model(model_copy).labels == LABELS
    # the run was killed mid-save, or it finished and swapped in a whole new model
    assert staged or persist.sha256_file(model_copy / "model.joblib") != original

    # 3. an undisturbed run replaces the model and cleans up after itself
    process = _start_training(data, model_copy, config)
    assert process.wait(timeout=300) == 0
    assert framing.load_model(model_copy).labels == LABELS
    leftovers = [p.name for p in model_copy.parent.iterdir() if p.name.startswith(".model.")]
    assert all(name.startswith(".model.tmp-") for name in leftovers), leftovers  # from step 2
