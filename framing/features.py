"""Passage text -> sparse TF-IDF features: stemmed word 1-2-grams, in-word character
n-grams and a few layout cues, hashed into fixed-size blocks.

Hashing keeps the model small and fitting streamable; a per-token cache means each
distinct word is stemmed and split into character n-grams once, so scoring costs one
dictionary look-up per token.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import unescape
from typing import Any

import numpy as np
import scipy.sparse as sp
from nltk.stem.snowball import SnowballStemmer
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import murmurhash3_32

_TAG = re.compile(r"<[^<>]{0,400}>")
_DIGIT = re.compile(r"\d")
_TOKEN = re.compile(r"\w+(?:['’-]\w+)*|[^\w\s]")
_MAX_CACHE = 200_000
_BIGRAM_A = 0x9E3779B1
_BIGRAM_B = 0x85EBCA6B

_GERMAN_HINTS = frozenset(
    [
        "der",
        "die",
        "das",
        "und",
        "ist",
        "nicht",
        "mit",
        "sich",
        "auf",
        "für",
        "von",
        "den",
        "dem",
        "zu",
        "ein",
        "eine",
        "einer",
        "wir",
        "sie",
        "ihr",
        "uns",
        "unsere",
        "unser",
        "auch",
        "es",
        "im",
        "des",
        "wird",
        "sind",
        "bei",
        "nach",
        "hat",
        "haben",
        "wie",
        "aus",
        "über",
        "noch",
    ]
)
_ENGLISH_HINTS = frozenset(
    [
        "the",
        "and",
        "is",
        "of",
        "to",
        "in",
        "that",
        "with",
        "for",
        "on",
        "we",
        "our",
        "you",
        "your",
        "are",
        "was",
        "this",
        "by",
        "it",
        "be",
        "from",
        "has",
        "have",
        "not",
        "will",
        "their",
        "they",
        "at",
        "an",
        "as",
    ]
)
_STEMMER_NAMES = {"de": "german", "en": "english", "ru": "russian"}
_LENGTH_BINS = (30, 60, 120, 250, 500)


def clean_text(text: str) -> str:
    """Strip HTML tags and entities left in scraped text.

    Examples
    --------
    >>> clean_text("<strong>Read more</strong> &gt;&gt;")
    'Read more >>'
    """
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = unescape(text)
    return text


def tokenize(text: str) -> list[str]:
    """Lower-case word and punctuation tokens, digits folded to 0.

    Examples
    --------
    >>> tokenize("Support us from $2 — READ MORE >>")
    ['support', 'us', 'from', '$', '0', '—', 'read', 'more', '>', '>']
    """
    return _TOKEN.findall(_DIGIT.sub("0", clean_text(text).lower()))


def detect_language(tokens: Sequence[str]) -> str:
    """Guess de, en or ru from tokens, cheaply and without any downloaded data.

    Examples
    --------
    >>> detect_language(tokenize("Wir brauchen Ihre Hilfe und Unterstützung"))
    'de'
    >>> detect_language(tokenize("Поддержите нас"))
    'ru'
    """
    cyrillic = sum(1 for t in tokens if "\u0400" <= t[0] <= "\u04ff")
    if cyrillic * 2 > len(tokens):
        return "ru"
    german = sum(1 for t in tokens if t in _GERMAN_HINTS)
    english = sum(1 for t in tokens if t in _ENGLISH_HINTS)
    if german != english:
        return "de" if german > english else "en"
    return "de" if any(("ä" in t or "ö" in t or "ü" in t or "ß" in t) for t in tokens) else "en"


@dataclass(frozen=True, slots=True)
class TokenFeatures:
    """Where one token of a passage sits and which hashed features it produced."""

    text: str
    start: int
    end: int
    word: int
    chars: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CountBlocks:
    """Raw counts of one batch of passages: word 1-2-grams, character n-grams, layout cues."""

    words: sp.csr_matrix
    chars: sp.csr_matrix
    shape: sp.csr_matrix

    @property
    def n_rows(self) -> int:
        return int(self.words.shape[0])

    def take(self, rows: np.ndarray) -> CountBlocks:
        """Select rows, for cross-validation folds."""
        return CountBlocks(self.words[rows], self.chars[rows], self.shape[rows])


class PassageFeaturizer(TransformerMixin, BaseEstimator):
    """Turn passage texts into weighted, L2-normalised TF-IDF rows.

    Parameters
    ----------
    word_bits, char_bits : int
        log2 of the hashed size of the word 1-2-gram and the character n-gram blocks.
    char_ngram_min, char_ngram_max : int
        Character n-gram lengths, taken inside words (padded with < and >).
    use_bigrams, use_char_ngrams : bool
        Switch the word bigrams and the character block on or off.
    word_weight, char_weight, shape_weight : float
        Each block is normalised on its own and then scaled by its weight.
    """

    n_shape_features = 16

    def __init__(
        self,
        *,
        word_bits: int = 19,
        char_bits: int = 19,
        char_ngram_min: int = 3,
        char_ngram_max: int = 5,
        use_bigrams: bool = True,
        use_char_ngrams: bool = True,
        word_weight: float = 1.0,
        char_weight: float = 1.0,
        shape_weight: float = 0.5,
    ) -> None:
        self.word_bits = word_bits
        self.char_bits = char_bits
        self.char_ngram_min = char_ngram_min
        self.char_ngram_max = char_ngram_max
        self.use_bigrams = use_bigrams
        self.use_char_ngrams = use_char_ngrams
        self.word_weight = word_weight
        self.char_weight = char_weight
        self.shape_weight = shape_weight

    # -- sklearn API -------------------------------------------------------------------
    def fit(self, texts: Sequence[str], y: Any = None) -> PassageFeaturizer:
        """Learn inverse document frequencies from the passages."""
        return self.fit_counts(self.count(texts))

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Return one weighted TF-IDF row per passage."""
        return self.weigh(self.count(texts))

    # -- the two halves, so that cross-validation counts once ---------------------------
    def fit_counts(self, counts: CountBlocks) -> PassageFeaturizer:
        """Learn inverse document frequencies from already counted passages."""
        n = counts.n_rows
        self.idf_words_ = _idf(counts.words, n)
        self.idf_chars_ = _idf(counts.chars, n)
        self.idf_shape_ = _idf(counts.shape, n)
        self.n_features_out_ = counts.words.shape[1] + counts.chars.shape[1] + counts.shape.shape[1]
        return self

    def weigh(self, counts: CountBlocks) -> sp.csr_matrix:
        """Sublinear TF times IDF, each block L2-normalised and weighted, side by side."""
        blocks = [
            _tfidf(counts.words, self.idf_words_, self.word_weight),
            _tfidf(counts.chars, self.idf_chars_, self.char_weight),
            _tfidf(counts.shape, self.idf_shape_, self.shape_weight),
        ]
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def count(self, texts: Sequence[str]) -> CountBlocks:
        """Hash every passage into raw counts; stateless apart from the token cache."""
        if isinstance(texts, str):
            raise TypeError("expected a list of passage texts, got a single str")
        word_dim, char_dim = 1 << self.word_bits, 1 << self.char_bits
        cache = self._token_cache()
        words = array("q")
        chars = array("q")
        shape = array("q")
        word_ptr = array("q", [0])
        char_ptr = array("q", [0])
        for text in texts:
            tokens = tokenize(text)
            lang = detect_language(tokens) if tokens else "en"
            lang_cache = cache[lang]
            for token in tokens:
                entry = lang_cache.get(token)
                if entry is None:
                    entry = self._token_entry(token, lang)
                    if len(lang_cache) >= _MAX_CACHE:
                        lang_cache.clear()
                    lang_cache[token] = entry
                words.append(entry[0])
                chars.extend(entry[1])
            word_ptr.append(len(words))
            char_ptr.append(len(chars))
            shape.extend(_shape_features(text, len(tokens)))
        n = len(word_ptr) - 1
        word_ids = np.frombuffer(words, dtype=np.int64) if words else np.zeros(0, np.int64)
        word_rows = _rows(np.frombuffer(word_ptr, dtype=np.int64))
        cols, rows = [word_ids], [word_rows]
        if self.use_bigrams and len(word_ids) > 1:
            same = word_rows[:-1] == word_rows[1:]
            left, right = word_ids[:-1][same], word_ids[1:][same]
            cols.append((left * _BIGRAM_A + right * _BIGRAM_B + 1) % word_dim)
            rows.append(word_rows[:-1][same])
        word_matrix = _counts(np.concatenate(rows), np.concatenate(cols), n, word_dim)
        char_ids = np.frombuffer(chars, dtype=np.int64) if chars else np.zeros(0, np.int64)
        char_rows = _rows(np.frombuffer(char_ptr, dtype=np.int64))
        char_matrix = _counts(char_rows, char_ids, n, char_dim)
        shape_ids = np.frombuffer(shape, dtype=np.int64) if shape else np.zeros(0, np.int64)
        shape_matrix = _counts(np.repeat(np.arange(n), 2), shape_ids, n, self.n_shape_features)
        return CountBlocks(word_matrix, char_matrix, shape_matrix)

    # -- tokens ------------------------------------------------------------------------
    def token_features(self, text: str) -> list[TokenFeatures]:
        """Each token of a passage with its offsets and features, for evidence and explain."""
        cleaned = clean_text(text)
        folded = _DIGIT.sub("0", cleaned.lower())
        matches = list(_TOKEN.finditer(folded))
        lang = detect_language([m.group() for m in matches]) if matches else "en"
        out = []
        for match in matches:
            word, char_ids = self._token_entry(match.group(), lang)
            out.append(
                TokenFeatures(
                    text=cleaned[match.start() : match.end()],
                    start=match.start(),
                    end=match.end(),
                    word=word,
                    chars=tuple(char_ids),
                )
            )
        return out

    def bigram_id(self, left: int, right: int) -> int:
        """The hashed column of a word bigram, from its two word columns."""
        return (left * _BIGRAM_A + right * _BIGRAM_B + 1) % (1 << self.word_bits)

    def _token_entry(self, token: str, lang: str) -> tuple[int, array]:
        """Hash one token: its stemmed word column and its character n-gram columns."""
        word_dim, char_dim = 1 << self.word_bits, 1 << self.char_bits
        is_cyrillic = "\u0400" <= token[0] <= "\u04ff"
        stem = token
        if token[0].isalpha():
            stem = self._stemmer("ru" if is_cyrillic else lang).stem(token)
        word = murmurhash3_32("w" + stem, positive=True) % word_dim
        char_ids = array("q")
        if self.use_char_ngrams and token[0].isalpha() and len(token) > 1:
            padded = "<" + token[:40] + ">"
            for size in range(self.char_ngram_min, self.char_ngram_max + 1):
                for i in range(len(padded) - size + 1):
                    char_ids.append(murmurhash3_32(padded[i : i + size], positive=True) % char_dim)
        return word, char_ids

    def _stemmer(self, lang: str) -> SnowballStemmer:
        stemmers = self.__dict__.setdefault("_stemmers", {})
        if lang not in stemmers:
            stemmers[lang] = SnowballStemmer(_STEMMER_NAMES.get(lang, "english"))
        return stemmers[lang]

    def _token_cache(self) -> dict[str, dict[str, tuple[int, array]]]:
        cache = self.__dict__.get("_cache")
        if cache is None:
            cache = {"de": {}, "en": {}, "ru": {}}
            self.__dict__["_cache"] = cache
        return cache

    def __getstate__(self) -> dict[str, Any]:
        # The token cache and stemmers are rebuilt on demand; never pickle them.
        state = dict(self.__dict__)
        state.pop("_cache", None)
        state.pop("_stemmers", None)
        return state


def _shape_features(text: str, n_tokens: int) -> tuple[int, int]:
    """Two layout cues per passage: a length bin and a casing/shape class."""
    length = len(text)
    length_bin = next((i for i, edge in enumerate(_LENGTH_BINS) if length < edge), 5)
    stripped = text.strip()
    if text.isupper() and n_tokens > 3:
        kind = 0  # a shouted headline
    elif stripped[:1] in "(©" or stripped[-1:] == ")":
        kind = 1  # a bracketed line, typical of credits
    elif "http" in text or "www." in text:
        kind = 2
    elif stripped[-1:] in ":>»" or stripped[-2:] == ">>":
        kind = 3  # a lead-in or a link arrow
    elif n_tokens <= 6:
        kind = 4
    else:
        kind = 5
    return length_bin, 6 + kind


def _rows(indptr: np.ndarray) -> np.ndarray:
    """Row number of every entry, from CSR-style row pointers."""
    return np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))


def _counts(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> sp.csr_matrix:
    data = np.ones(len(cols), dtype=np.float32)
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(n_rows, n_cols), dtype=np.float32)
    matrix.sum_duplicates()
    return matrix


def _idf(counts: sp.csr_matrix, n_rows: int) -> np.ndarray:
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return (np.log((1.0 + n_rows) / (1.0 + df)) + 1.0).astype(np.float32)


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray, weight: float) -> sp.csr_matrix:
    matrix = counts.copy()
    matrix.data = (1.0 + np.log(matrix.data)) * idf[matrix.indices]
    squares = matrix.multiply(matrix).sum(axis=1).A1
    norms = np.sqrt(squares, dtype=np.float64)
    norms[norms == 0] = 1.0
    scale = np.repeat(weight / norms, np.diff(matrix.indptr)).astype(np.float32)
    matrix.data *= scale
    return matrix


def build_featurizer(config: Any) -> PassageFeaturizer:
    """A featurizer set up from a TrainConfig."""
    return PassageFeaturizer(
        word_bits=config.word_bits,
        char_bits=config.char_bits,
        char_ngram_min=config.char_ngram_min,
        char_ngram_max=config.char_ngram_max,
        use_bigrams=config.use_bigrams,
        use_char_ngrams=config.use_char_ngrams,
        word_weight=config.word_weight,
        char_weight=config.char_weight,
        shape_weight=config.shape_weight,
    )


def iter_batches(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    """Yield lists of at most ``size`` items, lazily."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


__all__ = [
    "CountBlocks",
    "PassageFeaturizer",
    "TokenFeatures",
    "build_featurizer",
    "clean_text",
    "detect_language",
    "tokenize",
]
