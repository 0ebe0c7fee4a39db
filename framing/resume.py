"""Continue a partly written ``framing score --out FILE`` run (``--resume``).

Scoring writes exactly one record per input record, in input order, flushing each line.
So the complete lines of a killed run's output are the results of the first *k* input
records, and resuming means: cut off the torn last line (``files.read_written_output``),
skip the first *k* input records, append the rest.

Resuming goes by *position*, not by a set of ids: ids may repeat across inputs (the same
``id`` in two JSONL files, or a record scored twice on purpose), and skipping every id
already seen would drop those repeats. Position alone would silently pair a file with
the wrong inputs, so the ids are still compared, record by record: the output must
start with exactly the ids of the first *k* inputs, in order. Anything else (other
inputs, an edited file, an engine that wrote results out of order) stops the run with an
error instead of duplicating or losing articles.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from framing.errors import InputDataError
from framing.records import Article, ArticleError, WrittenOutput


def skip_written(
    articles: Iterable[Article | ArticleError], written: WrittenOutput
) -> Iterator[Article | ArticleError]:
    """Drop the input records an earlier run already wrote; yield the rest.

    The first ``len(written.ids)`` records must carry exactly those ids, in order.

    Parameters
    ----------
    articles : Iterable[Article | ArticleError]
        The same inputs the earlier run read, from ``files.read_articles``.
    written : WrittenOutput
        From ``files.read_written_output``.

    Returns
    -------
    Iterator[Article | ArticleError]
        The records not written yet, lazily, in input order.

    Raises
    ------
    InputDataError
        When the output does not begin with the inputs' ids, or holds more records than
        there are inputs. Raised before anything is yielded.

    Examples
    --------
    >>> done = WrittenOutput("out.jsonl", ("a", "a"))
    >>> [r.id for r in skip_written([Article("a", "x"), Article("a", "y"), Article("b", "z")], done)]
    ['b']
    """
    records = iter(articles)
    for number, expected in enumerate(written.ids, start=1):
        record = next(records, None)
        if record is None:
            raise InputDataError(
                f"holds {len(written.ids)} record(s) but the inputs have only {number - 1}; "
                "it was written from other inputs: score again without --resume",
                path=written.path,
            )
        if record.id != expected:
            raise InputDataError(
                f"record {number} has id {expected!r} but input record {number} is "
                f"{record.id!r}; it was written from other inputs or out of order: "
                "score again without --resume",
                path=written.path,
                line=number,
            )
    yield from records
