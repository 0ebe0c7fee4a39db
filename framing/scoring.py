"""Articles -> segmented passages -> probabilities -> article scores, batch by batch."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from framing.aggregate import aggregate_scores
from framing.features import iter_batches
from framing.records import Article, ArticleError, ArticleScore, Passage, PassageScore
from framing.segment import segment_article

if TYPE_CHECKING:
    from framing.model import FramingModel

DEFAULT_BATCH = 64


def score_articles(
    articles: Iterable[Article | ArticleError],
    model: FramingModel,
    *,
    batch_size: int = DEFAULT_BATCH,
    evidence: bool = True,
) -> Iterator[ArticleScore | ArticleError]:
    """Score articles lazily, one result per input record, in input order.

    Passages of a batch of articles are featurized and predicted together; a passage that
    repeats an earlier one of the same article is scored once and points at the first.
    Error records pass through unchanged, so N records in give N records out.

    Parameters
    ----------
    articles : Iterable[Article | ArticleError]
        Articles (and read errors) from ``files.read_articles`` or built in code.
    model : FramingModel
        A trained model.
    batch_size : int
        Articles per prediction batch; memory stays flat in the corpus size.
    evidence : bool
        Compute evidence terms for flagged passages.

    Returns
    -------
    Iterator[ArticleScore | ArticleError]
    """
    if isinstance(articles, (str, Article)):
        raise TypeError("score_articles expects an iterable of Article records")
    for batch in iter_batches(articles, batch_size):
        yield from _score_batch(batch, model, evidence=evidence)


def _score_batch(
    batch: list[Article | ArticleError], model: FramingModel, *, evidence: bool
) -> list[ArticleScore | ArticleError]:
    segmented: list[list[Passage]] = []
    texts: list[str] = []
    for item in batch:
        passages = segment_article(item.text) if isinstance(item, Article) else []
        segmented.append(passages)
        texts.extend(p.text for p in passages if p.duplicate_of is None)
    rows = model.features(texts) if texts else None
    probabilities = (
        model.probabilities(rows) if rows is not None else np.zeros((0, len(model.labels)))
    )
    flags = probabilities >= model.thresholds
    if evidence and rows is not None:
        terms = model.evidence_batch(texts, rows, flags)
    else:
        terms = [{} for _ in texts]
    # Python lists: indexing numpy arrays once per passage and label costs more than this.
    values, flag_rows = round_scores(probabilities).tolist(), flags.tolist()
    results: list[ArticleScore | ArticleError] = []
    cursor = 0
    for item, passages in zip(batch, segmented, strict=True):
        if isinstance(item, ArticleError):
            results.append(item)
            continue
        if not passages:
            results.append(
                ArticleError(item.id, item.source, f"{item.id}: empty article (no text)")
            )
            continue
        scored: list[PassageScore] = []
        for passage in passages:
            if passage.duplicate_of is not None:
                first = scored[passage.duplicate_of]
                scored.append(
                    PassageScore(
                        index=passage.index,
                        start=passage.start,
                        end=passage.end,
                        text=passage.text,
                        scores=first.scores,
                        flagged=first.flagged,
                        evidence=first.evidence,
                        duplicate_of=passage.duplicate_of,
                    )
                )
                continue
            scored.append(
                _passage_score(passage, model, values[cursor], flag_rows[cursor], terms[cursor])
            )
            cursor += 1
        results.append(_article_score(item, scored, model))
    return results


def round_scores(probabilities: np.ndarray) -> np.ndarray:
    """Probabilities rounded to 4 decimals exactly as Python's round(p, 4) does.

    round() converts through decimal strings (~0.7 us a value); numpy's multiply-rint-
    divide agrees with it except within an ulp of a half-way point, so only those values
    go through round().

    Examples
    --------
    >>> round_scores(np.array([[0.12345678, 0.5, 1e-7]])).tolist()
    [[0.1235, 0.5, 0.0]]
    """
    scaled = probabilities * 1e4
    rounded = np.rint(scaled) / 1e4
    close = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    for at in zip(*np.nonzero(close), strict=True):
        rounded[at] = round(float(probabilities[at]), 4)
    return rounded


def _passage_score(
    passage: Passage,
    model: FramingModel,
    values: list[float],
    flags: list[bool],
    evidence: dict[str, tuple[str, ...]],
) -> PassageScore:
    return PassageScore(
        index=passage.index,
        start=passage.start,
        end=passage.end,
        text=passage.text,
        scores=dict(zip(model.labels, values, strict=True)),
        flagged=tuple([label for label, f in zip(model.labels, flags, strict=True) if f]),
        evidence=evidence,
    )


def _article_score(
    article: Article, scored: list[PassageScore], model: FramingModel
) -> ArticleScore:
    unique = [p for p in scored if p.duplicate_of is None]
    columns = zip(*[list(p.scores.values()) for p in unique], strict=True)
    scores = {
        label: aggregate_scores(column) for label, column in zip(model.labels, columns, strict=True)
    }
    seen = {label for p in unique for label in p.flagged}
    flagged = tuple([label for label in model.labels if label in seen])
    return ArticleScore(
        id=article.id,
        source=article.source,
        scores=scores,
        flagged=flagged,
        passages=tuple(scored),
        lang=article.lang,
        outlet=article.outlet,
        duplicated_passages=len(scored) - len(unique),
    )


def result_record(result: ArticleScore | ArticleError) -> dict[str, Any]:
    """The JSON Lines shape of one result (or error) record."""
    if isinstance(result, ArticleError):
        return {"id": result.id, "source": result.source, "error": result.error}
    record: dict[str, Any] = {
        "id": result.id,
        "source": result.source,
        "scores": result.scores,
        "flagged": list(result.flagged),
        "duplicated_passages": result.duplicated_passages,
    }
    if result.outlet:
        record["outlet"] = result.outlet
    if result.lang:
        record["lang"] = result.lang
    record["passages"] = [_passage_record(p) for p in result.passages]
    return record


def _passage_record(passage: PassageScore) -> dict[str, Any]:
    record: dict[str, Any] = {
        "index": passage.index,
        "start": passage.start,
        "end": passage.end,
        "text": passage.text,
        "scores": passage.scores,
        "flagged": list(passage.flagged),
        "evidence": {label: list(terms) for label, terms in passage.evidence.items()},
    }
    if passage.duplicate_of is not None:
        record["duplicate_of"] = passage.duplicate_of
    return record
