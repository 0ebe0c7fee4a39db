"""The typer app: the only module that prints, reads argv or sets an exit code.

Exit codes: 0 ok, 2 usage (typer), 3 bad input (a FramingError), 4 a check failed.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import IO, Annotated, Any

import typer

import framing
from framing import engines, files, html_report, render
from framing.config import load_config
from framing.errors import ConfigError, FramingError
from framing.metrics import judge, metrics_markdown, metrics_to_dict
from framing.records import WrittenOutput
from framing.resume import skip_written

app = typer.Typer(
    name="framing",
    help="Tell how a news outlet frames an article, passage by passage.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
labels_app = typer.Typer(help="Check labelled passage files.", no_args_is_help=True)
app.add_typer(labels_app, name="labels")

EXIT_BAD_INPUT = 3
EXIT_CHECK_FAILED = 4
DEFAULT_DATA = Path("data") / "labels"
log = logging.getLogger("framing")


class ScoreFormat(str, Enum):
    jsonl = "jsonl"
    table = "table"
    html = "html"


class Fit(str, Enum):
    batch = "batch"
    streaming = "streaming"


class Engine(str, Enum):
    local = "local"
    dask = "dask"


class EvalFormat(str, Enum):
    json = "json"
    markdown = "markdown"
    html = "html"


Verbose = Annotated[
    int, typer.Option("--verbose", "-v", count=True, help="More log output; repeat for more.")
]
ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model", "-m", help="Model directory [default: $FRAMING_MODEL or models/default]."
    ),
]


def _setup_logging(verbose: int) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.WARNING - 10 * min(verbose, 2))
    log.propagate = False


def _fail(err: FramingError) -> typer.Exit:
    typer.echo(f"error: {err}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


@contextmanager
def _output(path: Path | None, *, append: bool = False) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
        return
    try:
        handle = files.open_output(path, append=append)
    except FramingError as err:
        raise _fail(err) from None
    with handle:
        yield handle


def _progress() -> tuple[Callable[[str, int, int], None] | None, Callable[[], None]]:
    """A rich progress callback on stderr when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        return None, lambda: None
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(stderr=True), transient=True)
    bar.start()
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    return update, bar.stop


@app.command()
def train(
    data: Annotated[
        list[Path] | None,
        typer.Argument(help="Label files or folders [default: data/labels, without test/]."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Model directory to write.")] = Path(
        "models/default"
    ),
    labels: Annotated[
        Path | None,
        typer.Option("--labels", exists=True, dir_okay=False, help="A labels.txt to use."),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", exists=True, dir_okay=False, help="TOML overrides.")
    ] = None,
    accept_new_labels: Annotated[
        bool, typer.Option("--accept-new-labels", help="Add labels missing from labels.txt.")
    ] = False,
    cv: Annotated[bool, typer.Option("--cv/--no-cv", help="Measure grouped CV metrics.")] = True,
    fit: Annotated[
        Fit | None,
        typer.Option("--fit", help="batch: exact; streaming: SGD in batches, for large data."),
    ] = None,
    verbose: Verbose = 0,
) -> None:
    """Train a model on labelled passages and write model.joblib + manifest.json."""
    _setup_logging(verbose)
    progress, stop = _progress()
    try:
        loaded = framing.load_labelled(
            data or [DEFAULT_DATA], labels=labels, accept_new_labels=accept_new_labels
        )
        settings = load_config(config).with_overrides({"fit": fit.value} if fit else {})
        model = framing.train(loaded, config=settings, progress=progress, cross_validation=cv)
        framing.save_model(model, out, manifest=model.manifest)
    except FramingError as err:
        raise _fail(err) from None
    finally:
        stop()
    summary = {"model": str(out), **loaded.counts()}
    if "cv_metrics" in model.manifest:
        summary["cv_macro_f1"] = model.manifest["cv_metrics"]["passage"]["macro_f1"]
    files.write_jsonl([summary], sys.stdout)


@app.command()
def score(
    inputs: Annotated[
        list[str],
        typer.Argument(help="Files (.txt .html .jsonl .warc), folders, or - for JSONL on stdin."),
    ],
    model_dir: ModelOption = None,
    output_format: Annotated[ScoreFormat, typer.Option("--format", "-f")] = ScoreFormat.jsonl,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here instead of stdout.")
    ] = None,
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Continue a partly written --out file (JSON Lines)."),
    ] = False,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Worker processes (or local Dask workers).")
    ] = 1,
    engine: Annotated[Engine, typer.Option("--engine", help="Where to score.")] = Engine.local,
    dask_scheduler: Annotated[
        str | None,
        typer.Option(
            "--dask-scheduler", metavar="ADDRESS", help="A Dask scheduler (implies --engine dask)."
        ),
    ] = None,
    verbose: Verbose = 0,
) -> None:
    """Score each article: one JSON line per article with passage scores and evidence."""
    _setup_logging(verbose)
    if resume and (out is None or output_format is not ScoreFormat.jsonl):
        typer.echo("error: --resume needs --out FILE and --format jsonl", err=True)
        raise typer.Exit(2)
    missing = [i for i in inputs if i != files.STDIN and not Path(i).exists()]
    if missing:
        typer.echo(f"error: {missing[0]}: no such file or directory", err=True)
        raise typer.Exit(2)
    try:
        model = framing.load_model(model_dir)
        articles = files.read_articles(inputs)
        written = files.read_written_output(out) if resume and out else WrittenOutput("", ())
        results = engines.score_with_engine(
            skip_written(articles, written),
            model,
            engine=engine.value,
            jobs=jobs,
            scheduler=dask_scheduler,
        )
        with _output(out, append=resume) as stream:
            if output_format is ScoreFormat.table:
                counts = render.write_table(results, model, stream)
            elif output_format is ScoreFormat.html:
                counts = html_report.write_score_report(
                    results, stream, labels=model.labels, thresholds=model.thresholds
                )
            else:
                counts = render.write_results(results, stream)
    except FramingError as err:
        raise _fail(err) from None
    if written.ids:
        typer.echo(f"resumed after {len(written.ids)} record(s) already in {out}", err=True)
    failed = counts.errors + written.errors
    if failed:
        # Bad records are exit 3 like any bad input: one "error:" line, details in the output.
        first = f" (first: {counts.first_error})" if counts.first_error else ""
        typer.echo(
            f"error: {failed} record(s) could not be scored{first}; {counts.scored} article(s) "
            'scored; see the "error" records in the output',
            err=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    typer.echo(f"scored {counts.scored} article(s), 0 error(s)", err=True)


@app.command()
def evaluate(
    data: Annotated[
        list[Path] | None, typer.Option("--data", "-d", help="Labelled passages to evaluate on.")
    ] = None,
    model_dir: ModelOption = None,
    cv: Annotated[
        int | None, typer.Option("--cv", help="Grouped K-fold CV on --data instead of a model.")
    ] = None,
    output_format: Annotated[EvalFormat, typer.Option("--format", "-f")] = EvalFormat.json,
    min_macro_f1: Annotated[
        float | None, typer.Option("--min-macro-f1", help="Exit 4 below this passage macro-F1.")
    ] = None,
    min_f1: Annotated[
        list[str] | None, typer.Option("--min-f1", help="Per-label floor LABEL=X; repeatable.")
    ] = None,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Resamples for the 95% interval.")
    ] = 1000,
    config: Annotated[Path | None, typer.Option("--config", exists=True, dir_okay=False)] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o")] = None,
    verbose: Verbose = 0,
) -> None:
    """Measure per-label precision, recall and F1 at passage and article level; gate on them."""
    _setup_logging(verbose)
    progress, stop = _progress()
    try:
        floors = _parse_floors(min_f1 or [])
        if cv:
            loaded = framing.load_labelled(data or [DEFAULT_DATA])
            metrics, _ = framing.cross_validate(
                loaded.passages,
                loaded.labels,
                load_config(config),
                folds=cv,
                bootstrap=bootstrap,
                progress=progress,
            )
            details: framing.EvaluationDetails | None = None
        else:
            model = framing.load_model(model_dir)
            loaded = framing.load_labelled(data or [DEFAULT_DATA / "test"], labels=model.labels)
            details = framing.evaluation_details(loaded.passages, model, bootstrap=bootstrap)
            metrics = details.metrics
    except FramingError as err:
        raise _fail(err) from None
    finally:
        stop()
    verdict = judge(metrics, min_macro_f1=min_macro_f1, min_f1=floors)
    with _output(out) as stream:
        if output_format is EvalFormat.markdown:
            stream.write(metrics_markdown(metrics) + "\n")
        elif output_format is EvalFormat.html:
            html_report.write_evaluation_report(metrics, stream, details=details, verdict=verdict)
        else:
            document = metrics_to_dict(metrics)
            document["passed"] = verdict.passed
            document["failures"] = list(verdict.failures)
            stream.write(json.dumps(document, ensure_ascii=False) + "\n")
    for failure in verdict.failures:
        typer.echo(f"check failed: {failure}", err=True)
    if not verdict.passed:
        raise typer.Exit(EXIT_CHECK_FAILED)


def _parse_floors(values: list[str]) -> dict[str, float]:
    floors = {}
    for value in values:
        label, _, number = value.partition("=")
        try:
            floors[label.strip()] = float(number)
        except ValueError:
            raise ConfigError(f"--min-f1 takes LABEL=NUMBER, got {value!r}") from None
    return floors


@labels_app.command("check")
def labels_check(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="Label files or folders.")],
    labels: Annotated[Path | None, typer.Option("--labels", exists=True, dir_okay=False)] = None,
    output_format: Annotated[EvalFormat, typer.Option("--format", "-f")] = EvalFormat.markdown,
    verbose: Verbose = 0,
) -> None:
    """Report schema errors, unknown labels, duplicates, leakage and counts; exit 4 on errors."""
    _setup_logging(verbose)
    try:
        report = framing.check_labels(paths, labels=labels)
    except FramingError as err:
        raise _fail(err) from None
    for problem in report.problems:
        typer.echo(
            f"{problem.path}:{problem.line}: {problem.severity}: {problem.message}", err=True
        )
    if output_format is EvalFormat.json:
        typer.echo(
            json.dumps({"errors": report.errors, "counts": report.counts}, ensure_ascii=False)
        )
    else:
        typer.echo(render.counts_markdown(report.counts))
    warnings = len(report.problems) - report.errors
    typer.echo(f"{report.errors} error(s), {warnings} warning(s)", err=True)
    if report.errors:
        raise typer.Exit(EXIT_CHECK_FAILED)


@app.command()
def explain(
    text: Annotated[str | None, typer.Argument(help="A passage or article text.")] = None,
    file: Annotated[Path | None, typer.Option("--file", exists=True, dir_okay=False)] = None,
    label: Annotated[
        list[str] | None, typer.Option("--label", "-l", help="Only these labels.")
    ] = None,
    model_dir: ModelOption = None,
    top: Annotated[int, typer.Option("--top", help="Terms per direction.")] = 8,
    verbose: Verbose = 0,
) -> None:
    """Show the words that push each label up and down in a passage or article."""
    _setup_logging(verbose)
    if (text is None) == (file is None):
        typer.echo("error: give a TEXT or --file FILE (one of them)", err=True)
        raise typer.Exit(2)
    try:
        model = framing.load_model(model_dir)
        source = text if text is not None else files.read_text_file(file)  # type: ignore[arg-type]
        explanation = render.explain(source, model, labels=label or None, top=top)
    except FramingError as err:
        raise _fail(err) from None
    typer.echo(explanation)


def main() -> None:  # pragma: no cover - console entry convenience
    app()
