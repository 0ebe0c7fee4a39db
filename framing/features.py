"""Passage text -> sparse TF-IDF features: stemmed word 1-2-grams, in-word character
n-grams and a few layout cues, hashed into fixed-size blocks.

Hashing keeps the model small and fitting streamable; a per-token cache means each
distinct word is stemmed and split into character n-grams once, so scoring costs one
dictionary look-up per token.
"""

from __future__ import annotations

import re
import threading
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import unescape
from operator import add, itemgetter
from typing import Any

import numpy as np
import scipy.sparse as sp
from nltk.stem.snowball import SnowballStemmer
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import murmurhash3_32

_TAG = re.compile(r"<[^<>]{0,400}>")
_DIGIT = re.compile(r"\d")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_FIRST = itemgetter(0)
_TOKEN = re.compile(r"\w+(?:['’-]\w+)*|[^\w\s]")
_MAX_CACHE = 200_000
Frequencies = tuple[np.ndarray, np.ndarray, np.ndarray]  # words, characters, layout
_COUNT_SLICE = 1024
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
    ' Read more  >>'
    """
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = unescape(text)
    if not text.isascii():
        # A lone surrogate (from a "\ud800" escape) cannot be hashed as UTF-8 (issue 6 fuzz).
        text = _SURROGATE.sub("\ufffd", text)
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
    # Counted with C-level map/join/regex calls: this runs once per passage scored.
    cyrillic = _CYRILLIC.subn("", "".join(map(_FIRST, tokens)))[1]
    if cyrillic * 2 > len(tokens):
        return "ru"
    german = sum(map(_GERMAN_HINTS.__contains__, tokens))
    english = sum(map(_ENGLISH_HINTS.__contains__, tokens))
    if german != english:
        return "de" if german > english else "en"
    joined = "".join(tokens)
    return "de" if ("ä" in joined or "ö" in joined or "ü" in joined or "ß" in joined) else "en"


@dataclass(frozen=True, slots=True)
class TokenFeatures:
    """Where one token of a passage sits and which hashed features it produced."""

    text: str
    start: int
    end: int
    word: int
    chars: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class TermColumns:
    """The words and word pairs of some passages, as evidence quotes them, with the
    feature columns behind each term.

    ``keys`` holds each term's casefolded text, passage after passage; within a passage a
    word comes first and then the pair it closes. ``ends[p]`` is where passage ``p``'s
    terms end. Terms of one passage with the same key share a number in ``groups``,
    numbered in order of first appearance; passage ``p``'s numbers end before
    ``group_ends[p]``. Each link ``i`` says that column
    ``column_of[i]`` (of the weighted feature row, word block first) belongs to term
    ``term_of[i]``; links are unique and ordered by passage, column and term.
    """

    keys: list[str]
    ends: np.ndarray
    groups: np.ndarray
    group_ends: np.ndarray
    term_of: np.ndarray
    column_of: np.ndarray


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
        return self.fit_frequencies(document_frequencies(counts), counts.n_rows)

    def fit_frequencies(self, frequencies: Frequencies, n_rows: int) -> PassageFeaturizer:
        """Learn inverse document frequencies from document frequencies (words, characters,
        layout) of ``n_rows`` passages, summed batch by batch in a streaming fit."""
        words, chars, shape = frequencies
        self.idf_words_ = _idf(words, n_rows)
        self.idf_chars_ = _idf(chars, n_rows)
        self.idf_shape_ = _idf(shape, n_rows)
        self.n_features_out_ = len(words) + len(chars) + len(shape)
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
        # Counting in slices keeps numpy's temporaries in cache; stacking them is cheap.
        parts = [self._count_slice(part) for part in iter_batches(texts, _COUNT_SLICE)]
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return self._count_slice([])
        return CountBlocks(
            sp.vstack([p.words for p in parts], format="csr"),
            sp.vstack([p.chars for p in parts], format="csr"),
            sp.vstack([p.shape for p in parts], format="csr"),
        )

    def _count_slice(self, texts: Sequence[str]) -> CountBlocks:
        """count() for a slice of passages."""
        word_dim, char_dim = 1 << self.word_bits, 1 << self.char_bits
        table = self._token_table()
        token_ids: list[int] = []
        ends = [0]
        shape: list[int] = []
        for text in texts:
            tokens = tokenize(text)
            lang = detect_language(tokens) if tokens else "en"
            known = table.ids[lang]
            found = list(map(known.get, tokens))
            if None in found:
                found = [
                    table.add(self, t, lang) if i is None else i
                    for i, t in zip(found, tokens, strict=True)
                ]
            token_ids += found  # type: ignore[arg-type]  # no None left
            ends.append(len(token_ids))
            shape += _shape_features(text, len(tokens))
        n = len(ends) - 1
        # Gather each token's columns from the table with numpy: no per-token Python work.
        tokens_at = np.array(token_ids, dtype=np.intp)
        token_rows = _rows(np.array(ends, dtype=np.int64))
        word_ids = table.word[tokens_at]
        cols, rows = [word_ids], [token_rows]
        if self.use_bigrams and len(word_ids) > 1:
            same = token_rows[:-1] == token_rows[1:]
            left, right = word_ids[:-1][same], word_ids[1:][same]
            cols.append((left * _BIGRAM_A + right * _BIGRAM_B + 1) % word_dim)
            rows.append(token_rows[:-1][same])
        word_matrix = _counts(np.concatenate(rows), np.concatenate(cols), n, word_dim)
        lengths = table.length[tokens_at]
        before = np.cumsum(lengths) - lengths
        positions = np.arange(int(lengths.sum())) + np.repeat(
            table.start[tokens_at] - before, lengths
        )
        char_matrix = _counts(np.repeat(token_rows, lengths), table.chars[positions], n, char_dim)
        shape_ids = np.array(shape, dtype=np.int64)
        shape_matrix = _counts(np.repeat(np.arange(n), 2), shape_ids, n, self.n_shape_features)
        return CountBlocks(word_matrix, char_matrix, shape_matrix)

    # -- tokens ------------------------------------------------------------------------
    def token_features(self, text: str) -> list[TokenFeatures]:
        """Each token of a passage with its offsets and features, for evidence and explain."""
        cleaned = clean_text(text)
        folded = _DIGIT.sub("0", cleaned.lower())
        matches = list(_TOKEN.finditer(folded))
        lang = detect_language([m.group() for m in matches]) if matches else "en"
        table = self._token_table()
        out = []
        for match in matches:
            token = match.group()
            at = table.ids[lang].get(token)
            if at is None:
                at = table.add(self, token, lang)
            start, length = int(table.start[at]), int(table.length[at])
            out.append(
                TokenFeatures(
                    text=cleaned[match.start() : match.end()],
                    start=match.start(),
                    end=match.end(),
                    word=int(table.word[at]),
                    chars=tuple(table.chars[start : start + length].tolist()),
                )
            )
        return out

    def term_columns(self, texts: Sequence[str]) -> TermColumns:
        """The terms of each passage with their columns, in bulk: what token_features and
        bigram_id give one token at a time, for scoring's evidence."""
        word_dim = 1 << self.word_bits
        table = self._token_table()
        keys: list[str] = []
        ends = [0]
        groups: list[int] = []
        group_ends = [0]
        n_groups = 0
        token_ids: list[int] = []
        token_ends = [0]
        for text in texts:
            cleaned = clean_text(text)
            folded = _DIGIT.sub("0", cleaned.lower())
            tokens = _TOKEN.findall(folded)
            starts = _token_starts(folded, tokens)
            stops = list(map(add, starts, map(len, tokens)))
            lang = detect_language(tokens) if tokens else "en"
            found = list(map(table.ids[lang].get, tokens))
            if None in found:
                found = [table.add(self, token, lang) for token in tokens]
            token_ids += found  # type: ignore[arg-type]  # no None left
            token_ends.append(len(token_ids))
            # Casefolding maps characters one by one; when no character grew, the casefolded
            # text can be sliced at the same offsets, instead of casefolding every slice.
            lowered = cleaned.casefold()
            whole = len(lowered) == len(cleaned)
            source = lowered if whole else cleaned
            terms = [source[start:stop] for start, stop in zip(starts, stops, strict=True)]
            if self.use_bigrams and len(terms) > 1:
                words = terms
                terms = [""] * (2 * len(words) - 1)
                terms[0] = words[0]
                terms[1::2] = words[1:]
                terms[2::2] = [
                    source[start:stop] for start, stop in zip(starts, stops[1:], strict=False)
                ]
            if not whole:
                terms = [term.casefold() for term in terms]
            number = {key: i for i, key in enumerate(dict.fromkeys(terms), start=n_groups)}
            n_groups += len(number)
            keys += terms
            groups += map(number.__getitem__, terms)
            ends.append(len(keys))
            group_ends.append(n_groups)
        at = np.array(token_ids, dtype=np.intp)
        token_rows = _rows(np.array(token_ends, dtype=np.int64))
        index = np.arange(len(at)) - np.array(token_ends[:-1], dtype=np.int64)[token_rows]
        base = np.array(ends[:-1], dtype=np.int64)[token_rows]
        pairs = self.use_bigrams
        token_terms = base + (np.maximum(2 * index - 1, 0) if pairs else index)
        word_ids = table.word[at]
        terms_of, columns_of = [token_terms], [word_ids]
        lengths = table.length[at]
        before = np.cumsum(lengths) - lengths
        positions = np.arange(int(lengths.sum())) + np.repeat(table.start[at] - before, lengths)
        terms_of.append(np.repeat(token_terms, lengths))
        columns_of.append(word_dim + table.chars[positions])
        if pairs and len(at) > 1:
            closes = np.flatnonzero(index[1:] > 0) + 1  # tokens that close a pair
            left, right = word_ids[closes - 1], word_ids[closes]
            terms_of.append(token_terms[closes] + 1)
            columns_of.append((left * _BIGRAM_A + right * _BIGRAM_B + 1) % word_dim)
        # One int64 key per link, ordered by passage, column, then term: sorting them drops
        # repeated links and leaves the columns in row order, which makes looking up their
        # values cheap.
        term_of, column_of = np.concatenate(terms_of), np.concatenate(columns_of)
        term_ends = np.array(ends, dtype=np.int64)
        passage_of = _rows(term_ends)[term_of]
        local = term_of - term_ends[passage_of]
        n_columns = word_dim + (1 << self.char_bits) + self.n_shape_features
        n_local = int(np.diff(term_ends).max(initial=1))
        links = _unique((passage_of * n_columns + column_of) * n_local + local)
        place, local = np.divmod(links, n_local)
        return TermColumns(
            keys=keys,
            ends=term_ends,
            groups=np.array(groups, dtype=np.int64),
            group_ends=np.array(group_ends, dtype=np.int64),
            term_of=term_ends[place // n_columns] + local,
            column_of=place % n_columns,
        )

    def bigram_id(self, left: int, right: int) -> int:
        """The hashed column of a word bigram, from its two word columns."""
        return (left * _BIGRAM_A + right * _BIGRAM_B + 1) % (1 << self.word_bits)

    def _token_entry(
        self, token: str, lang: str, grams: dict[str, int] | None = None
    ) -> tuple[int, array]:
        """Hash one token: its stemmed word column and its character n-gram columns.

        ``grams`` remembers the column of each n-gram hashed before: most n-grams recur in
        many words, and a dictionary look-up is far cheaper than murmurhash3_32.
        """
        word_dim, char_dim = 1 << self.word_bits, 1 << self.char_bits
        is_cyrillic = "\u0400" <= token[0] <= "\u04ff"
        stem = token
        if token[0].isalpha():
            stem = self._stemmer("ru" if is_cyrillic else lang).stem(token)
        word = murmurhash3_32("w" + stem, positive=True) % word_dim
        char_ids = array("q")
        if self.use_char_ngrams and token[0].isalpha() and len(token) > 1:
            known = {} if grams is None else grams
            padded = "<" + token[:40] + ">"
            for size in range(self.char_ngram_min, self.char_ngram_max + 1):
                for i in range(len(padded) - size + 1):
                    gram = padded[i : i + size]
                    column = known.get(gram)
                    if column is None:
                        column = murmurhash3_32(gram, positive=True) % char_dim
                        known[gram] = column
                    char_ids.append(column)
        return word, char_ids

    def _stemmer(self, lang: str) -> SnowballStemmer:
        stemmers = self.__dict__.setdefault("_stemmers", {})
        if lang not in stemmers:
            stemmers[lang] = SnowballStemmer(_STEMMER_NAMES.get(lang, "english"))
        return stemmers[lang]

    def _token_table(self) -> _TokenTable:
        table = self.__dict__.get("_table")
        if table is None or table.size >= _MAX_CACHE:
            table = _TokenTable()
            self.__dict__["_table"] = table
        return table

    def __getstate__(self) -> dict[str, Any]:
        # Stemmers are rebuilt on demand. The token table travels with the model: a worker
        # or a fresh process then starts with the training vocabulary hashed (about 30 us a
        # token saved) instead of rebuilding it, which --jobs and Dask did once per worker.
        state = dict(self.__dict__)
        state.pop("_stemmers", None)
        return state

    def share_tokens(self, other: PassageFeaturizer) -> PassageFeaturizer:
        """Use ``other``'s token table (same hashing parameters); returns self."""
        if "_table" in other.__dict__ and other.get_params() == self.get_params():
            self.__dict__["_table"] = other.__dict__["_table"]
        return self


class _TokenTable:
    """Every token met so far, per language: its word column and its character n-gram
    columns, kept in flat arrays so that a batch gathers its columns with numpy.

    Threads may share a model (a Dask worker with several threads): adding takes a lock,
    and a token's id is published only after its row is written, so readers need none.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids: dict[str, dict[str, int]] = {"de": {}, "en": {}, "ru": {}}
        self.grams: dict[str, int] = {}
        self.size = 0
        self.n_chars = 0
        self.word = np.zeros(4096, dtype=np.int64)
        self.start = np.zeros(4096, dtype=np.int64)
        self.length = np.zeros(4096, dtype=np.int64)
        self.chars = np.zeros(65536, dtype=np.int64)

    def __getstate__(self) -> dict[str, Any]:
        # Only the filled part, as int32 (columns stay below 2**24); no lock, no n-gram memo.
        # Tokens hold no whitespace: one joined string per language unpickles far faster
        # than a dict of many small strings (joblib unpickles in pure Python).
        size, n_chars = self.size, self.n_chars
        return {
            "ids": {
                lang: ("\n".join(known), np.fromiter(known.values(), np.int32, len(known)))
                for lang, known in self.ids.items()
            },
            "word": self.word[:size].astype(np.int32),
            "start": self.start[:size].astype(np.int32),
            "length": self.length[:size].astype(np.int32),
            "chars": self.chars[:n_chars].astype(np.int32),
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]
        self.ids = {
            lang: dict(zip(tokens.split("\n"), ids.tolist(), strict=True)) if len(ids) else {}
            for lang, (tokens, ids) in state["ids"].items()
        }
        self.size, self.n_chars = len(state["word"]), len(state["chars"])
        for name in ("word", "start", "length", "chars"):
            values = state[name].astype(np.int64)
            array = np.zeros(max(2 * len(values), len(getattr(self, name))), dtype=np.int64)
            array[: len(values)] = values
            setattr(self, name, array)

    def add(self, featurizer: PassageFeaturizer, token: str, lang: str) -> int:
        """The row of ``token``, hashing it first when it is new."""
        known = self.ids.get(lang)
        at = None if known is None else known.get(token)
        if at is not None:
            return at
        with self.lock:
            known = self.ids.setdefault(lang, {})
            at = known.get(token)
            if at is not None:
                return at
            word, char_ids = featurizer._token_entry(token, lang, self.grams)
            at = self.size
            if at == len(self.word):
                self.word, self.start, self.length = (
                    np.resize(a, 2 * at) for a in (self.word, self.start, self.length)
                )
            stop = self.n_chars + len(char_ids)
            if stop > len(self.chars):
                self.chars = np.resize(self.chars, max(2 * len(self.chars), stop))
            self.chars[self.n_chars : stop] = char_ids
            self.word[at], self.start[at], self.length[at] = word, self.n_chars, len(char_ids)
            self.n_chars = stop
            self.size += 1
            known[token] = at
            return at


def _token_starts(text: str, tokens: list[str]) -> list[int]:
    """Where each token of ``_TOKEN.findall(text)`` starts.

    The tokens cover every character but whitespace, so each one is the next occurrence of
    its text after the previous token; this is faster than finditer's match objects.

    Examples
    --------
    >>> _token_starts("a  bc, a", ["a", "bc", ",", "a"])
    [0, 3, 5, 7]
    """
    starts = []
    position = 0
    find = text.find
    for token in tokens:
        position = find(token, position)
        starts.append(position)
        position += len(token)
    return starts


def _shape_features(text: str, n_tokens: int) -> tuple[int, int]:
    """Two layout cues per passage: a length bin and a casing/shape class."""
    length = len(text)
    length_bin = bisect_right(_LENGTH_BINS, length)  # the first bin edge above length
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


def _unique(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct keys (np.unique hashes int64 keys, which is many times slower)."""
    keys = np.sort(keys)
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys


def _counts(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> sp.csr_matrix:
    """A canonical CSR matrix of how often each (row, column) pair occurs.

    Sorting one int64 key per entry is several times faster than scipy's COO -> CSR
    conversion with per-row index sorting, and gives the same matrix.
    """
    keys = np.sort(rows.astype(np.int64) * n_cols + cols)
    if len(keys):
        firsts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        unique = keys[firsts]
        counts = np.diff(np.append(firsts, len(keys))).astype(np.float32)
    else:
        unique, counts = keys, np.zeros(0, dtype=np.float32)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(unique // n_cols, minlength=n_rows), out=indptr[1:])
    index_type = np.int32 if max(len(unique), n_cols) < 2**31 else np.int64
    matrix = sp.csr_matrix(
        (counts, (unique % n_cols).astype(index_type), indptr.astype(index_type)),
        shape=(n_rows, n_cols),
    )
    matrix.has_canonical_format = True
    return matrix


def document_frequencies(counts: CountBlocks) -> Frequencies:
    """In how many of the counted passages each column of each block occurs."""
    return (
        np.bincount(counts.words.indices, minlength=counts.words.shape[1]),
        np.bincount(counts.chars.indices, minlength=counts.chars.shape[1]),
        np.bincount(counts.shape.indices, minlength=counts.shape.shape[1]),
    )


def _idf(df: np.ndarray, n_rows: int) -> np.ndarray:
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
    "TermColumns",
    "TokenFeatures",
    "build_featurizer",
    "clean_text",
    "detect_language",
    "document_frequencies",
    "tokenize",
]
