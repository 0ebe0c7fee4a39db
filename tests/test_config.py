from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from framing.config import TrainConfig, load_config
from framing.errors import ConfigError, FramingError


def test_defaults() -> None:
    config = TrainConfig()
    assert config.random_state == 0
    assert config.fit == "batch"
    config.validate()


def test_config_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        TrainConfig().C = 1.0  # type: ignore[misc]


def test_overrides_return_a_copy() -> None:
    base = TrainConfig()
    changed = base.with_overrides({"C": 2, "word_bits": 12})
    assert (changed.C, changed.word_bits) == (2, 12)
    assert base == TrainConfig() and changed.C != base.C


def test_unknown_setting_lists_the_known_ones() -> None:
    with pytest.raises(
        ConfigError, match=r"x.toml: unknown setting 'wordbits'; known: C, batch_size"
    ):
        TrainConfig().with_overrides({"wordbits": 12}, source="x.toml")


def test_wrong_type_is_refused() -> None:
    with pytest.raises(ConfigError, match="setting 'cv_folds' must be int, got '5'"):
        TrainConfig().with_overrides({"cv_folds": "5"})


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ({"word_bits": 30}, "word_bits and char_bits must lie in 10..24"),
        ({"char_bits": 9}, "word_bits and char_bits must lie in 10..24"),
        ({"char_ngram_min": 6, "char_ngram_max": 5}, "char_ngram_min <= char_ngram_max"),
        ({"C": 0.0}, "C must be positive"),
        ({"cv_folds": 1}, "cv_folds and inner_folds must be at least 2"),
        ({"fit": "online"}, "fit must be 'batch' or 'streaming'"),
        ({"min_threshold": 0.0}, "0 < min_threshold <= max_threshold < 1"),
        ({"max_threshold": 1.0}, "0 < min_threshold <= max_threshold < 1"),
    ],
)
def test_values_no_training_can_use_are_refused(values: dict[str, object], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        TrainConfig().with_overrides(values)


def test_config_error_is_a_value_error_and_a_framing_error() -> None:
    with pytest.raises(ValueError):
        TrainConfig().with_overrides({"C": -1.0})
    assert issubclass(ConfigError, FramingError)


def test_as_dict_round_trips() -> None:
    config = TrainConfig(word_bits=14, fit="streaming")
    assert TrainConfig(**config.as_dict()) == config


def test_load_config_none_is_the_default() -> None:
    assert load_config(None) == TrainConfig()


def test_load_config_reads_a_train_table(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[train]\nword_bits = 14\nC = 3\n", encoding="utf-8")
    assert load_config(path) == TrainConfig(word_bits=14, C=3.0)


def test_load_config_reads_top_level_settings(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('fit = "streaming"\nepochs = 2\n', encoding="utf-8")
    assert load_config(path) == TrainConfig(fit="streaming", epochs=2)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("word_bits = = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.toml: cannot read config"):
        load_config(path)


def test_unknown_setting_in_a_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[train]\nlearning_rate = 0.1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c.toml: unknown setting 'learning_rate'"):
        load_config(path)


def test_train_must_be_a_table(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('train = "fast"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[train\] must be a table"):
        load_config(path)
