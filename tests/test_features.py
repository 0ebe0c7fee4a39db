from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import TINY_CONFIG

from framing.features import (
    PassageFeaturizer,
    build_featurizer,
    clean_text,
    detect_language,
    iter_batches,
    tokenize,
)

TEXTS = [
    "Unterstützen Sie uns mit Ihrer Spende ab 2 Euro.",
    "Share this article and follow our channel.",
    "Поддержите нас: ваше пожертвование важно.",
    "READ MORE: FIVE THINGS TO KNOW ABOUT THE SUMMIT",
]


def _featurizer() -> PassageFeaturizer:
    return build_featurizer(TINY_CONFIG).fit(TEXTS)


def test_clean_text_strips_tags_and_entities() -> None:
    assert clean_text('<a href="x">Hier weiterlesen &gt;&gt;</a>') == " Hier weiterlesen >> "
    assert clean_text("no markup") == "no markup"


def test_tokenize_lowercases_folds_digits_and_keeps_punctuation() -> None:
    assert tokenize("Ab 2 Euro, READ MORE >>") == ["ab", "0", "euro", ",", "read", "more", ">", ">"]
    assert tokenize("don't re-post") == ["don't", "re-post"]
    assert tokenize("") == []


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Wir brauchen Ihre Hilfe und Unterstützung", "de"),
        ("We need your help and support for the newsroom", "en"),
        ("Нам нужна ваша помощь", "ru"),
        ("Grüße", "de"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(tokenize(text)) == lang


def test_a_single_str_is_rejected() -> None:
    with pytest.raises(TypeError, match="got a single str"):
        _featurizer().transform("one text")


def test_shape_and_blocks_follow_the_config() -> None:
    rows = _featurizer().transform(TEXTS)
    width = (1 << TINY_CONFIG.word_bits) + (1 << TINY_CONFIG.char_bits) + 16
    assert sp.issparse(rows)
    assert rows.shape == (len(TEXTS), width)
    assert rows.dtype == np.float32


def test_each_block_is_normalised_and_weighted() -> None:
    featurizer = PassageFeaturizer(
        word_bits=12, char_bits=12, word_weight=1.0, char_weight=2.0, shape_weight=0.5
    ).fit(TEXTS)
    rows = featurizer.transform(TEXTS)
    norms = np.sqrt(rows.multiply(rows).sum(axis=1).A1)
    # word, char and shape blocks each have unit L2 norm times their weight
    assert norms == pytest.approx(np.full(len(TEXTS), np.sqrt(1.0 + 4.0 + 0.25)), rel=1e-5)


def test_empty_text_gives_a_row_with_only_layout_cues() -> None:
    rows = _featurizer().transform(["", "   "])
    word_and_char = (1 << TINY_CONFIG.word_bits) + (1 << TINY_CONFIG.char_bits)
    assert rows[:, :word_and_char].nnz == 0
    assert rows[:, word_and_char:].nnz > 0


def test_hashing_is_deterministic_across_instances() -> None:
    a = _featurizer().transform(TEXTS)
    b = _featurizer().transform(list(reversed(TEXTS)))
    assert (a != b[::-1]).nnz == 0


def test_stemming_maps_inflections_to_one_word_column() -> None:
    featurizer = _featurizer()
    tokens = featurizer.token_features(
        "Unterstützen Sie uns mit Ihrer Spende oder mehreren Spenden"
    )
    words = {t.text: t.word for t in tokens}
    assert words["Spende"] == words["Spenden"]
    assert words["Spende"] != words["Sie"]


def test_token_features_quote_the_source_text() -> None:
    text = "Hier <b>weiterlesen</b> &gt;&gt;"
    cleaned = clean_text(text)
    for token in _featurizer().token_features(text):
        assert cleaned[token.start : token.end] == token.text


def test_char_ngrams_can_be_switched_off() -> None:
    featurizer = PassageFeaturizer(word_bits=12, char_bits=12, use_char_ngrams=False).fit(TEXTS)
    rows = featurizer.transform(TEXTS)
    assert rows[:, 1 << 12 : 2 << 12].nnz == 0


def test_bigrams_add_word_columns() -> None:
    with_pairs = PassageFeaturizer(word_bits=14, char_bits=10).fit(TEXTS).count(TEXTS)
    without = (
        PassageFeaturizer(word_bits=14, char_bits=10, use_bigrams=False).fit(TEXTS).count(TEXTS)
    )
    assert with_pairs.words.nnz > without.words.nnz


def test_shouted_headline_has_its_own_layout_cue() -> None:
    featurizer = _featurizer()
    shape = featurizer.count(["READ MORE ABOUT THE BIG SUMMIT", "Read more about the big summit"])
    assert (shape.shape[0] != shape.shape[1]).nnz > 0


def test_pickle_round_trip_transforms_the_same() -> None:
    featurizer = _featurizer()
    before = featurizer.transform(TEXTS)
    restored = pickle.loads(pickle.dumps(featurizer))
    assert (restored.transform(TEXTS) != before).nnz == 0


def test_pickle_leaves_out_the_token_cache() -> None:
    featurizer = _featurizer()
    featurizer.transform(TEXTS)  # fills the cache
    plain = pickle.dumps(build_featurizer(TINY_CONFIG).fit(TEXTS))
    # the used featurizer pickles no bigger than a fresh one would, give or take the IDF
    assert len(pickle.dumps(featurizer)) <= len(plain) + 64


def test_iter_batches_is_lazy_and_keeps_order() -> None:
    def numbers():  # an endless generator: iter_batches must not exhaust it
        n = 0
        while True:
            yield n
            n += 1

    batches = iter_batches(numbers(), 3)
    assert next(iter(batches)) == [0, 1, 2]
    assert list(iter_batches(range(5), 2)) == [[0, 1], [2, 3], [4]]
    assert list(iter_batches([], 2)) == []
