"""save_model / load_model: the only code that imports joblib.

A model directory holds ``model.joblib`` and ``manifest.json``. joblib is pickle, and
unpickling can run code: load_model checks the manifest and the artefact's sha256 before
it unpickles anything, and refuses artefacts from another scikit-learn minor version.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import joblib
import nltk
import numpy
import scipy
import sklearn

from framing.errors import ModelArtifactError
from framing.model import FramingModel

FORMAT_VERSION = 1
MODEL_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """Versions that decide whether an artefact loads and predicts the same."""
    from framing import __version__

    return {
        "framing": __version__,
        "sklearn": sklearn.__version__,
        "nltk": nltk.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
        "python": platform.python_version(),
    }


def save_model(
    model: FramingModel, directory: Path, *, manifest: dict[str, Any] | None = None
) -> Path:
    """Write ``directory/model.joblib`` and ``directory/manifest.json`` atomically.

    Everything is written to a temporary sibling directory first and then renamed into
    place, so a killed or failed save leaves the previous model loadable.

    Parameters
    ----------
    model : FramingModel
        The trained model.
    directory : Path
        Where the model lives, for example ``models/default``.
    manifest : dict, optional
        Extra manifest fields (training files, counts, metrics).

    Returns
    -------
    Path
        The model directory.
    """
    directory = Path(directory)
    _check_replaceable(directory)
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.tmp-", dir=directory.parent))
    except OSError as err:
        raise ModelArtifactError(
            f"cannot write a model here ({err.strerror})", path=directory
        ) from None
    try:
        joblib.dump(model, staging / MODEL_FILE, compress=3, protocol=4)
        document = {
            "format_version": FORMAT_VERSION,
            "versions": library_versions(),
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "labels": list(model.labels),
            "thresholds": {
                label: round(float(t), 4)
                for label, t in zip(model.labels, model.thresholds, strict=True)
            },
            "config": model.config.as_dict(),
            **(manifest or {}),
            "model_sha256": sha256_file(staging / MODEL_FILE),
            "model_bytes": (staging / MODEL_FILE).stat().st_size,
        }
        (staging / MANIFEST_FILE).write_text(
            json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        _swap_into_place(staging, directory)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    model.manifest = document
    return directory


def _check_replaceable(directory: Path) -> None:
    """Refuse to replace anything but a model directory: the swap deletes what it replaces.

    ``framing train --out data`` used to delete the whole data folder (issue 6 review).
    """
    if not os.path.lexists(directory):
        return
    try:
        names = {entry.name for entry in directory.iterdir()} if directory.is_dir() else None
    except OSError:
        names = None
    if names is None or not names <= {MODEL_FILE, MANIFEST_FILE}:
        raise ModelArtifactError(
            "exists and is not a model directory (only model.joblib and manifest.json); "
            "refusing to replace it: choose another --out",
            path=directory,
        )


def _swap_into_place(staging: Path, directory: Path) -> None:
    """Rename the staged directory over the old one; the old one is removed last."""
    if not directory.exists():
        os.replace(staging, directory)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old-", dir=directory.parent))
    os.rmdir(retired)
    os.replace(directory, retired)
    os.replace(staging, directory)
    shutil.rmtree(retired, ignore_errors=True)


def read_manifest(directory: Path) -> dict[str, Any]:
    """The parsed manifest.json of a model directory."""
    directory = Path(directory)
    path = directory / MANIFEST_FILE
    if not directory.is_dir():
        problem = "not a model directory" if directory.exists() else "model directory not found"
        raise ModelArtifactError(
            f"{problem}; train one with 'framing train --out DIR'", path=directory
        )
    if not path.is_file():
        raise ModelArtifactError(
            "manifest.json is missing; refusing to unpickle an unverified model", path=directory
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as err:
        # ValueError covers bad UTF-8, bad JSON and json's 4300-digit integer limit.
        raise ModelArtifactError(f"manifest.json is unreadable ({err})", path=path) from None
    if not isinstance(manifest, dict):
        raise ModelArtifactError("manifest.json must hold a JSON object", path=path)
    return manifest


def load_model(directory: Path) -> FramingModel:
    """Verify and load a model directory written by save_model.

    Raises
    ------
    ModelArtifactError
        When the directory or manifest is missing, the format or scikit-learn minor version
        differs, or ``model.joblib`` does not match the manifest's sha256.
    """
    directory = Path(directory)
    manifest = read_manifest(directory)
    fmt = manifest.get("format_version")
    if fmt != FORMAT_VERSION:
        raise ModelArtifactError(
            f"model format {fmt} is not {FORMAT_VERSION} (this framing); retrain with 'framing train'",
            path=directory,
        )
    versions = manifest.get("versions")
    saved = str(versions.get("sklearn", "unknown") if isinstance(versions, dict) else "unknown")
    if _minor(saved) != _minor(sklearn.__version__):
        raise ModelArtifactError(
            f"model was written with scikit-learn {saved}, this is {sklearn.__version__}; "
            "retrain it with 'framing train' or install the matching scikit-learn",
            path=directory,
        )
    artefact = directory / MODEL_FILE
    if not artefact.is_file():
        raise ModelArtifactError("model.joblib is missing", path=directory)
    expected = manifest.get("model_sha256")
    try:
        # Hash and unpickle the same bytes: re-opening the file after hashing it would let
        # a file swapped in between be unpickled unverified.
        data = artefact.read_bytes()
    except OSError as err:
        raise ModelArtifactError(
            f"model.joblib cannot be read ({err.strerror})", path=directory
        ) from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ModelArtifactError(
            f"model.joblib sha256 {actual[:12]}... does not match the manifest "
            f"({str(expected)[:12]}...); the file was changed: refusing to load it",
            path=directory,
        )
    try:
        model = joblib.load(io.BytesIO(data))
    except Exception as err:  # noqa: BLE001 - a corrupt artefact, whatever unpickling raised
        raise ModelArtifactError(
            f"model.joblib cannot be loaded ({type(err).__name__})", path=directory
        ) from None
    if not isinstance(model, FramingModel):
        raise ModelArtifactError("model.joblib does not hold a framing model", path=directory)
    model.manifest = manifest
    return model


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])
