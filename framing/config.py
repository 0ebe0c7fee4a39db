"""TrainConfig: every knob of training in one frozen record, overridable from TOML."""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framing.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """How a model is trained; the resolved values are written into manifest.json.

    Examples
    --------
    >>> TrainConfig().cv_folds
    5
    """

    word_bits: int = 19
    char_bits: int = 19
    char_ngram_min: int = 3
    char_ngram_max: int = 5
    use_bigrams: bool = True
    use_char_ngrams: bool = True
    word_weight: float = 1.0
    char_weight: float = 1.0
    shape_weight: float = 0.25
    C: float = 100.0
    class_weight: str | None = "balanced"
    cv_folds: int = 5
    inner_folds: int = 3
    random_state: int = 0
    evidence_terms: int = 5
    min_threshold: float = 0.1
    max_threshold: float = 0.9
    solver: str = "liblinear"
    fit: str = "batch"  # "batch" (exact logistic regression) or "streaming" (SGD, any size)
    epochs: int = 5
    batch_size: int = 20_000
    holdout: float = 0.1  # streaming: share of articles that calibrate and set thresholds

    def with_overrides(self, values: dict[str, Any], *, source: str = "") -> TrainConfig:
        """Return a copy with ``values`` applied, checking names and types."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        for name, value in values.items():
            if name not in fields:
                known = ", ".join(sorted(fields))
                raise ConfigError(f"unknown setting {name!r}; known: {known}", path=source or None)
            current = getattr(self, name)
            numeric = isinstance(current, float) and isinstance(value, int)
            if current is not None and not isinstance(value, type(current)) and not numeric:
                raise ConfigError(
                    f"setting {name!r} must be {type(current).__name__}, got {value!r}",
                    path=source or None,
                )
        config = dataclasses.replace(self, **values)
        config.validate(source=source)
        return config

    def validate(self, *, source: str = "") -> None:
        """Raise ConfigError on values no training can use."""
        where = source or None
        if not 10 <= self.word_bits <= 24 or not 10 <= self.char_bits <= 24:
            raise ConfigError("word_bits and char_bits must lie in 10..24", path=where)
        if not 1 <= self.char_ngram_min <= self.char_ngram_max <= 8:
            raise ConfigError("need 1 <= char_ngram_min <= char_ngram_max <= 8", path=where)
        if self.C <= 0:
            raise ConfigError("C must be positive", path=where)
        if self.cv_folds < 2 or self.inner_folds < 2:
            raise ConfigError("cv_folds and inner_folds must be at least 2", path=where)
        if self.fit not in ("batch", "streaming"):
            raise ConfigError("fit must be 'batch' or 'streaming'", path=where)
        if self.epochs < 1 or self.batch_size < 1 or not 0.0 < self.holdout < 1.0:
            raise ConfigError("need epochs >= 1, batch_size >= 1 and 0 < holdout < 1", path=where)
        if not 0.0 < self.min_threshold <= self.max_threshold < 1.0:
            raise ConfigError("need 0 < min_threshold <= max_threshold < 1", path=where)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def load_config(path: Path | None) -> TrainConfig:
    """Read a TOML file of TrainConfig overrides (top level or under [train]).

    Raises
    ------
    ConfigError
        When the file is not valid TOML or names an unknown setting.
    """
    if path is None:
        return TrainConfig()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"cannot read config: {err}", path=path) from None
    values = data.get("train", data)
    if not isinstance(values, dict):
        raise ConfigError("[train] must be a table", path=path)
    return TrainConfig().with_overrides(values, source=str(path))
