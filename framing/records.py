"""Frozen records that flow between the stages; raw dicts never pass a stage boundary."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Article:
    """One article to score: its text and where it came from."""

    id: str
    text: str
    source: str = ""
    lang: str | None = None
    outlet: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """One paragraph of an article; ``article_text[start:end] == text``."""

    index: int
    start: int
    end: int
    text: str
    duplicate_of: int | None = None


@dataclass(frozen=True, slots=True)
class LabelledPassage:
    """A training or evaluation passage with its gold labels."""

    id: str
    text: str
    labels: tuple[str, ...]
    article_id: str
    lang: str | None = None
    outlet: str | None = None
    origin: str | None = None
    path: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class PassageScore:
    """Model output for one passage."""

    index: int
    start: int
    end: int
    text: str
    scores: dict[str, float]
    flagged: tuple[str, ...]
    evidence: dict[str, tuple[str, ...]]
    duplicate_of: int | None = None


@dataclass(frozen=True, slots=True)
class ArticleScore:
    """Model output for one article: per-label scores and the passages behind them."""

    id: str
    source: str
    scores: dict[str, float]
    flagged: tuple[str, ...]
    passages: tuple[PassageScore, ...]
    lang: str | None = None
    outlet: str | None = None
    duplicated_passages: int = 0


@dataclass(frozen=True, slots=True)
class ArticleError:
    """An input record that could not be scored; written out in its place."""

    id: str
    source: str
    error: str


@dataclass(frozen=True, slots=True)
class WrittenOutput:
    """What a partly written ``score --out`` file already holds, for ``--resume``."""

    path: str
    ids: tuple[str, ...]
    errors: int = 0


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of a label check: an error or a warning, with its place."""

    severity: str  # "error" | "warning"
    path: str
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class LabelMetrics:
    """Precision, recall, F1 and support for one label."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class LevelMetrics:
    """Metrics at one level (passage or article)."""

    macro_f1: float
    micro_f1: float
    per_label: dict[str, LabelMetrics]
    n: int = 0
    macro_f1_ci: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class Metrics:
    """Passage- and article-level metrics of one evaluation."""

    passage: LevelMetrics
    article: LevelMetrics
    folds: int | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of comparing metrics with the gates: passed, and why not."""

    passed: bool
    failures: tuple[str, ...] = field(default=())
