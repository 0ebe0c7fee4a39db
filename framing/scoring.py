"""Articles -> segmented passages -> probabilities -> article scores, batch by batch."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

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
    probabilities = model.probabilities(rows) if rows is not None else None
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
            assert probabilities is not None and rows is not None  # texts was non-empty
            scored.append(_passage_score(passage, model, rows, probabilities, cursor, evidence))
            cursor += 1
        results.append(_article_score(item, scored, model))
    return results


def _passage_score(
    passage: Passage, model: FramingModel, rows: Any, probabilities: Any, i: int, evidence: bool
) -> PassageScore:
    values = probabilities[i]
    flagged = tuple(
        label for j, label in enumerate(model.labels) if values[j] >= model.thresholds[j]
    )
    terms: dict[str, tuple[str, ...]] = {}
    if evidence and flagged:
        row = rows[i]
        for label in flagged:
            terms[label] = model.evidence(passage.text, row, model.labels.index(label))
    return PassageScore(
        index=passage.index,
        start=passage.start,
        end=passage.end,
        text=passage.text,
        scores={label: round(float(values[j]), 4) for j, label in enumerate(model.labels)},
        flagged=flagged,
        evidence=terms,
    )


def _article_score(
    article: Article, scored: list[PassageScore], model: FramingModel
) -> ArticleScore:
    unique = [p for p in scored if p.duplicate_of is None]
    scores = {label: aggregate_scores([p.scores[label] for p in unique]) for label in model.labels}
    flagged = tuple(label for label in model.labels if any(label in p.flagged for p in unique))
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
