from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

import pytest
from conftest import ARTICLES, LABELS

from framing.aggregate import aggregate_scores
from framing.model import FramingModel
from framing.records import Article, ArticleError, ArticleScore
from framing.scoring import result_record, score_articles


def _articles() -> list[Article]:
    return [Article(id=a["id"], text=a["text"], lang=a.get("lang")) for a in ARTICLES]


def _scored(items: list[Article | ArticleError], model: FramingModel, **kwargs) -> list:
    return list(score_articles(items, model, **kwargs))


def test_one_result_per_record_in_order_with_errors_passed_through(
    tiny_model: FramingModel,
) -> None:
    error = ArticleError("bad", "x.jsonl", "x.jsonl:2: invalid JSON")
    items = [*_articles()[:2], error, Article(id="blank", text=" \n "), _articles()[2]]
    results = _scored(items, tiny_model, batch_size=2)
    assert [r.id for r in results] == ["a-box", "a-plain", "bad", "blank", "a-ru"]
    assert results[2] is error
    assert isinstance(results[3], ArticleError)
    assert results[3].error == "blank: empty article (no text)"
    assert all(isinstance(results[i], ArticleScore) for i in (0, 1, 4))


def test_batch_size_does_not_change_results(tiny_model: FramingModel) -> None:
    one = _scored(_articles(), tiny_model, batch_size=1)
    many = _scored(_articles(), tiny_model, batch_size=64)
    assert one == many


def test_scoring_is_lazy(tiny_model: FramingModel) -> None:
    def endless() -> Iterator[Article]:
        for n in itertools.count():
            yield Article(id=str(n), text="Heavy rain on Thursday.")

    first = list(itertools.islice(score_articles(endless(), tiny_model, batch_size=2), 3))
    assert [r.id for r in first] == ["0", "1", "2"]


@pytest.mark.parametrize("bad", ["just a string", Article(id="x", text="y")])
def test_a_single_str_or_article_is_rejected(tiny_model: FramingModel, bad: object) -> None:
    with pytest.raises(TypeError, match="expects an iterable of Article records"):
        list(score_articles(bad, tiny_model))  # type: ignore[arg-type]


def test_passages_keep_offsets_into_the_article(tiny_model: FramingModel) -> None:
    article = _articles()[0]
    (result,) = _scored([article], tiny_model)
    assert len(result.passages) == 4
    for passage in result.passages:
        assert article.text[passage.start : passage.end] == passage.text


def test_article_score_is_the_max_of_its_passages(tiny_model: FramingModel) -> None:
    (result,) = _scored([_articles()[0]], tiny_model)
    for label in LABELS:
        assert result.scores[label] == aggregate_scores([p.scores[label] for p in result.passages])
    assert set(result.flagged) == {label for p in result.passages for label in p.flagged}
    assert list(result.flagged) == [label for label in LABELS if label in result.flagged]


def test_flagged_means_at_or_above_the_threshold(tiny_model: FramingModel) -> None:
    seen = set()
    for result in _scored(_articles(), tiny_model):
        for passage in result.passages:
            for j, label in enumerate(LABELS):
                threshold = float(tiny_model.thresholds[j])  # scores are rounded to 4 places
                if label in passage.flagged:
                    assert passage.scores[label] >= threshold - 5e-5
                else:
                    assert passage.scores[label] <= threshold + 5e-5
                seen.add(label in passage.flagged)
    assert seen == {True, False}


def test_evidence_only_for_flagged_labels(tiny_model: FramingModel) -> None:
    results = _scored(_articles(), tiny_model)
    flagged_any = False
    for result in results:
        for passage in result.passages:
            assert set(passage.evidence) == set(passage.flagged)
            flagged_any = flagged_any or bool(passage.flagged)
    assert flagged_any, "the tiny model flagged nothing at all"
    quiet = _scored(_articles(), tiny_model, evidence=False)
    assert all(p.evidence == {} for r in quiet for p in r.passages)


def test_a_repeated_passage_is_scored_once(tiny_model: FramingModel) -> None:
    text = "Unterstützen Sie uns mit Ihrer Spende.\n\nRain today.\n\nUnterstützen Sie uns mit Ihrer Spende."
    (result,) = _scored([Article(id="d", text=text)], tiny_model)
    first, _, again = result.passages
    assert again.duplicate_of == 0
    assert (again.scores, again.flagged, again.evidence) == (
        first.scores,
        first.flagged,
        first.evidence,
    )
    assert result.duplicated_passages == 1


def test_result_record_shape(tiny_model: FramingModel) -> None:
    (result,) = _scored([Article(id="r", text="Foto: Reuters", lang="de", outlet="X")], tiny_model)
    record = json.loads(json.dumps(result_record(result)))
    assert list(record)[:5] == ["id", "source", "scores", "flagged", "duplicated_passages"]
    assert (record["lang"], record["outlet"]) == ("de", "X")
    (passage,) = record["passages"]
    assert set(passage) == {"index", "start", "end", "text", "scores", "flagged", "evidence"}
    assert set(passage["scores"]) == set(LABELS)


def test_error_record_shape() -> None:
    record = result_record(ArticleError("a", "f.jsonl", "f.jsonl:1: 'text' is missing"))
    assert record == {"id": "a", "source": "f.jsonl", "error": "f.jsonl:1: 'text' is missing"}
