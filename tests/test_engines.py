from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ARTICLES, write_jsonl
from typer.testing import CliRunner

from framing.cli import app
from framing.engines import score_in_processes, score_on_dask, score_with_engine
from framing.errors import ConfigError
from framing.model import FramingModel
from framing.records import Article, ArticleError
from framing.scoring import score_articles


def _records(copies: int = 4) -> list[Article | ArticleError]:
    """The conftest articles a few times over, with read errors and an empty article mixed in."""
    items: list[Article | ArticleError] = []
    for n in range(copies):
        items += [Article(id=f"{a['id']}-{n}", text=a["text"]) for a in ARTICLES]
        items.append(ArticleError(f"bad-{n}", "x.jsonl", f"x.jsonl:{n}: invalid JSON"))
        items.append(Article(id=f"blank-{n}", text="\n \n"))
    return items


def _counting(items: list[Article | ArticleError], pulled: list[int]) -> Iterator[Article]:
    for item in items:
        pulled[0] += 1
        yield item  # type: ignore[misc]


def test_jobs_2_gives_the_records_of_jobs_1_in_input_order(tiny_model: FramingModel) -> None:
    items = _records()
    local = list(score_articles(items, tiny_model))
    parallel = list(score_with_engine(items, tiny_model, jobs=2, chunk_size=3))
    assert parallel == local
    assert [r.id for r in parallel] == [i.id for i in items]


def test_the_local_engine_keeps_few_chunks_in_flight(tiny_model: FramingModel) -> None:
    pulled = [0]
    results = score_in_processes(
        _counting(_records(copies=10), pulled), tiny_model, jobs=2, chunk_size=2, window=2
    )
    next(results)
    assert pulled[0] <= 3 * 2  # the window of 2 chunks, plus the one being cut
    results.close()


def test_an_empty_input_gives_no_records(tiny_model: FramingModel) -> None:
    assert list(score_with_engine([], tiny_model, jobs=2)) == []


@pytest.mark.parametrize(
    ("options", "match"),
    [({"engine": "spark"}, "unknown engine"), ({"jobs": 0}, "at least 1")],
)
def test_bad_engine_options_raise_config_errors(
    tiny_model: FramingModel, options: dict, match: str
) -> None:
    with pytest.raises(ConfigError, match=match):
        score_with_engine([], tiny_model, **options)


def test_the_dask_engine_without_dask_says_what_to_install(
    tiny_model: FramingModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ConfigError, match=r"pip install 'framing\[dask\]'"):
        score_on_dask([], tiny_model)


@pytest.fixture(scope="module")
def threaded_cluster() -> Iterator[str]:
    """A small Dask cluster on loopback, in this process (threads: quick to start)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address


def test_dask_gives_the_records_of_the_local_engine(
    tiny_model: FramingModel, threaded_cluster: str
) -> None:
    items = _records()
    local = list(score_articles(items, tiny_model))
    on_dask = list(score_with_engine(items, tiny_model, scheduler=threaded_cluster, chunk_size=3))
    assert on_dask == local


def test_the_dask_engine_keeps_few_chunks_in_flight(
    tiny_model: FramingModel, threaded_cluster: str
) -> None:
    pulled = [0]
    items = _counting(_records(copies=10), pulled)
    results = score_on_dask(items, tiny_model, scheduler=threaded_cluster, chunk_size=2, window=2)
    next(results)
    assert pulled[0] <= 3 * 2
    results.close()


def test_cli_jobs_and_dask_scheduler_write_the_same_lines(
    tiny_model_dir: Path, tmp_path: Path, threaded_cluster: str
) -> None:
    rows = [{"id": f"{a['id']}-{n}", "text": a["text"]} for n in range(3) for a in ARTICLES]
    source = write_jsonl(tmp_path / "articles.jsonl", rows)
    base = ["score", str(source), "--model", str(tiny_model_dir)]
    runner = CliRunner()
    outputs = []
    for extra in ([], ["--jobs", "2"], ["--dask-scheduler", threaded_cluster]):
        result = runner.invoke(app, base + extra)
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    assert [json.loads(line)["id"] for line in outputs[0].splitlines()] == [r["id"] for r in rows]


@pytest.mark.slow
def test_a_local_dask_cluster_of_processes_gives_the_local_records(
    tiny_model: FramingModel,
) -> None:
    pytest.importorskip("distributed")
    items = _records()
    local = list(score_articles(items, tiny_model))
    assert list(score_with_engine(items, tiny_model, engine="dask", jobs=2)) == local
