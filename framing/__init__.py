"""framing: tell how a news outlet frames an article, passage by passage.

>>> import framing
>>> model = framing.load_model()                     # doctest: +SKIP
>>> model.score("Support us from $2 a month.").flagged   # doctest: +SKIP
('donation_appeal',)
"""

from __future__ import annotations

__version__ = "0.1.0"

from pathlib import Path

from framing.api import (
    EvaluationDetails,
    LabelledData,
    LabelReport,
    check_labels,
    cross_validate,
    evaluate,
    evaluation_details,
    load_labelled,
    train,
)
from framing.config import TrainConfig, load_config
from framing.errors import ConfigError, FramingError, InputDataError, ModelArtifactError
from framing.files import read_articles
from framing.model import FramingModel
from framing.persist import load_model as _load_model
from framing.persist import save_model
from framing.records import Article, ArticleError, ArticleScore, PassageScore
from framing.scoring import score_articles as score
from framing.segment import segment_article

DEFAULT_MODEL_DIR = Path("models") / "default"


def load_model(directory: str | Path | None = None) -> FramingModel:
    """Load a verified model directory; by default ``$FRAMING_MODEL`` or ``models/default``.

    Raises
    ------
    ModelArtifactError
        When the directory is missing, altered or written by an incompatible version.
    """
    import os

    chosen = directory or os.environ.get("FRAMING_MODEL") or DEFAULT_MODEL_DIR
    return _load_model(Path(chosen))


__all__ = [
    "Article",
    "ArticleError",
    "ArticleScore",
    "ConfigError",
    "EvaluationDetails",
    "FramingError",
    "FramingModel",
    "InputDataError",
    "LabelReport",
    "LabelledData",
    "ModelArtifactError",
    "PassageScore",
    "TrainConfig",
    "check_labels",
    "cross_validate",
    "evaluate",
    "evaluation_details",
    "load_config",
    "load_labelled",
    "load_model",
    "read_articles",
    "save_model",
    "score",
    "segment_article",
    "train",
    "__version__",
]
