"""Score articles on several local processes or on a Dask cluster.

Both engines cut the input into chunks of articles, score each chunk with
``scoring.score_articles`` where the model already lives (each worker receives it once),
and hand the results back in input order. At most ``window`` chunks are in flight, so
memory stays flat however long the input is: reading waits for the slowest chunk.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections import deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from framing.errors import ConfigError
from framing.features import iter_batches
from framing.records import Article, ArticleError, ArticleScore, PassageScore
from framing.scoring import DEFAULT_BATCH, score_articles

if TYPE_CHECKING:
    from framing.model import FramingModel

ENGINES = ("local", "dask")
Result = ArticleScore | ArticleError

# The model of a worker process of the local engine, set once by its pool initializer:
# a process-wide slot is how multiprocessing hands state to the tasks of a worker.
_WORKER: dict[str, Any] = {}


def score_with_engine(
    articles: Iterable[Article | ArticleError],
    model: FramingModel,
    *,
    engine: str = "local",
    jobs: int = 1,
    scheduler: str | None = None,
    chunk_size: int = DEFAULT_BATCH,
    evidence: bool = True,
) -> Iterator[Result]:
    """Score articles on the chosen engine: one result per record, in input order.

    Parameters
    ----------
    articles : Iterable[Article | ArticleError]
        From ``files.read_articles`` or built in code; read lazily.
    model : FramingModel
        A trained model.
    engine : str
        ``"local"``: ``jobs`` processes on this machine (1 scores in this process);
        ``"dask"``: a Dask cluster (``scheduler``, or a local cluster of ``jobs`` workers).
    jobs : int
        Local worker processes, or the workers of a local Dask cluster.
    scheduler : str, optional
        Address of a Dask scheduler, e.g. ``tcp://10.0.0.5:8786``; implies ``"dask"``.
    chunk_size : int
        Articles per task.
    evidence : bool
        Compute evidence terms for flagged passages.

    Returns
    -------
    Iterator[ArticleScore | ArticleError]

    Raises
    ------
    ConfigError
        On an unknown engine, ``jobs`` below 1, or the dask engine without dask installed.
    """
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if jobs < 1 or chunk_size < 1:
        raise ConfigError(f"jobs and chunk_size must be at least 1, got {jobs} and {chunk_size}")
    if engine == "dask" or scheduler is not None:
        workers = jobs if jobs > 1 else None
        return score_on_dask(
            articles,
            model,
            scheduler=scheduler,
            workers=workers,
            chunk_size=chunk_size,
            evidence=evidence,
        )
    if jobs == 1:
        return score_articles(articles, model, evidence=evidence)
    return score_in_processes(articles, model, jobs=jobs, chunk_size=chunk_size, evidence=evidence)


def score_in_processes(
    articles: Iterable[Article | ArticleError],
    model: FramingModel,
    *,
    jobs: int,
    chunk_size: int = DEFAULT_BATCH,
    window: int | None = None,
    evidence: bool = True,
) -> Iterator[Result]:
    """Score chunks of articles on ``jobs`` worker processes, results in input order.

    Each worker receives the model once, through the pool's initializer. At most
    ``window`` chunks (default ``2 * jobs + 2``) are queued or being scored; plain
    ``Pool.imap`` would read the whole input ahead and hold it in memory.
    """
    import multiprocessing

    _ = model.dense_weights  # built before forking, so that forked workers share its pages
    window = window or 2 * jobs + 2
    context = multiprocessing.get_context()
    with context.Pool(jobs, initializer=_start_worker, initargs=(model, evidence)) as pool:
        pending: deque[Any] = deque()
        for chunk in iter_batches(articles, chunk_size):
            pending.append(pool.apply_async(_score_chunk, (chunk,)))
            if len(pending) >= window:
                yield from _unpack(pending.popleft().get())
        while pending:
            yield from _unpack(pending.popleft().get())


def _pack(results: list[Result]) -> list[Any]:
    """Results as plain tuples: they pickle in half the time, and unpickling frozen
    dataclasses field by field was the parent's biggest cost after writing JSON."""
    return [r if isinstance(r, ArticleError) else _article_tuple(r) for r in results]


def _unpack(packed: list[Any]) -> list[Result]:
    """The records _pack turned into tuples."""
    return [p if isinstance(p, ArticleError) else _article_record(p) for p in packed]


def _article_tuple(result: ArticleScore) -> tuple[Any, ...]:
    passages = tuple(tuple(getattr(p, name) for name in p.__slots__) for p in result.passages)
    return tuple(
        passages if name == "passages" else getattr(result, name) for name in result.__slots__
    )


def _article_record(values: tuple[Any, ...]) -> ArticleScore:
    fields = dict(zip(ArticleScore.__slots__, values, strict=True))
    fields["passages"] = tuple(PassageScore(*p) for p in fields["passages"])
    return ArticleScore(**fields)


def _start_worker(model: FramingModel, evidence: bool) -> None:
    """Pool initializer: keep this worker's model for all its chunks."""
    _WORKER["model"] = model
    _WORKER["evidence"] = evidence


def _score_chunk(chunk: list[Article | ArticleError]) -> list[Any]:
    """Score one chunk with the worker's model; the results packed for the trip back."""
    return _pack(list(score_articles(chunk, _WORKER["model"], evidence=_WORKER["evidence"])))


def score_on_dask(
    articles: Iterable[Article | ArticleError],
    model: FramingModel,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    chunk_size: int = DEFAULT_BATCH,
    window: int | None = None,
    evidence: bool = True,
) -> Iterator[Result]:
    """Score chunks of articles as tasks on a Dask cluster, results in input order.

    The model is scattered to every worker once (``broadcast=True``); each task carries
    only its chunk of articles. Without ``scheduler`` a ``LocalCluster`` of ``workers``
    processes (default: one per core) is started on 127.0.0.1 and closed at the end. At
    most ``window`` chunks (default ``2 * workers + 2``) are in flight.

    Raises
    ------
    ConfigError
        When dask.distributed is not installed or the scheduler cannot be reached.
    """
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ConfigError(
            "the dask engine needs dask.distributed; install it with: pip install 'framing[dask]'"
        ) from None
    return _dask_results(articles, model, scheduler, workers, chunk_size, window, evidence)


def _dask_results(
    articles: Iterable[Article | ArticleError],
    model: FramingModel,
    scheduler: str | None,
    workers: int | None,
    chunk_size: int,
    window: int | None,
    evidence: bool,
) -> Iterator[Result]:
    """The generator behind score_on_dask; the cluster lives as long as it does."""
    from distributed import Client

    cluster = None
    if scheduler is None:
        cluster = start_local_cluster(workers)
    try:
        try:
            client = Client(cluster if cluster is not None else scheduler, timeout="30s")
        except (OSError, TimeoutError) as err:
            raise ConfigError(
                f"cannot reach the dask scheduler at {scheduler} ({err}); start one with "
                "'dask scheduler' or leave out --dask-scheduler for a local cluster"
            ) from None
        with client:
            [shared] = client.scatter([model], broadcast=True, hash=False)
            window = window or 2 * max(len(client.nthreads()), 1) + 2
            pending: deque[Any] = deque()
            for chunk in iter_batches(articles, chunk_size):
                pending.append(client.submit(_score_partition, chunk, shared, evidence, pure=False))
                if len(pending) >= window:
                    yield from _unpack(pickle.loads(pending.popleft().result()))
            while pending:
                yield from _unpack(pickle.loads(pending.popleft().result()))
    finally:
        if cluster is not None:
            cluster.close()


def start_local_cluster(workers: int | None = None) -> Any:
    """A Dask LocalCluster for scoring: ``workers`` single-threaded processes (default:
    one per core) on 127.0.0.1, without a dashboard. Close it when done.

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which makes glibc
    map and unmap every large numpy temporary: scoring ran about 35% slower in such a
    worker than in a plain process, so that variable is left unset here.
    """
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        return LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",  # any free port: a busy 8787 would print a warning
            silence_logs=logging.ERROR,
        )


def _score_partition(
    chunk: list[Article | ArticleError], model: FramingModel, evidence: bool
) -> bytes:
    """A Dask task: score one chunk with the worker's copy of the model. The results go
    back pickled: as one bytes object Dask neither walks them to estimate their size nor
    serializes them again, which cost the worker about a sixth of its time."""
    return pickle.dumps(_pack(list(score_articles(chunk, model, evidence=evidence))), protocol=5)


__all__ = [
    "ENGINES",
    "score_in_processes",
    "score_on_dask",
    "score_with_engine",
    "start_local_cluster",
]
