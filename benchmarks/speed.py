"""Scoring speed side by side, from one run on the same texts: framing against fastText, a
naive scikit-learn pipeline and the floor of reading plus a regex.

    python benchmarks/speed.py                     # data/labels passages -> 20,000 articles
    python benchmarks/speed.py --corpus articles.jsonl --model models/default
    python benchmarks/speed.py --quick             # a small run, to try the script

The corpus is the training passages of data/labels recombined into articles of 4-16
passages (or --corpus, JSON Lines with id and text). Every contestant reads the same JSON
Lines file and splits the same articles into the same passages:

* framing: the library path of ``framing score`` (read, segment, featurize, predict,
  evidence, JSON Lines out), and ``framing score`` itself as a child process;
* fastText, trained on the same training passages (loss ova), predicting every label's
  probability from raw text including its normalisation, once with its default features
  (word unigrams) and once with framing's (word 1-2-grams, character 3-5-grams);
* naive: ``Pipeline(TfidfVectorizer, OneVsRestClassifier(LogisticRegression))`` with
  ``predict_proba`` article by article;
* floor: reading plus ``re.findall(r"\\w+")``.

Passages per second "per core" divide by the process's CPU time (every contestant scores
in one thread), so a busy machine does not distort the ratios; wall times are shown too.
Also measured: model load time and size, ``--jobs 2`` against ``--jobs 1``, a local Dask
cluster of 2 workers against 1, and the peak RSS of ``framing score`` on 100,000 articles.
The report goes to stdout and to benchmarks/SPEED.md (generated; do not edit by hand).

Needs fastText built from source (``pip install --no-binary fasttext fasttext``; the
fasttext-wheel builds give every label the same probability under numpy 2) and
``framing[dask]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

import framing
from framing import engines, files, render
from framing.config import TrainConfig
from framing.model import label_matrix
from framing.records import LabelledPassage

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "labels"
REPORT = ROOT / "benchmarks" / "SPEED.md"
FRAMING = str(Path(sys.executable).parent / "framing")
_FASTTEXT_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Timing:
    """One measured run over the corpus."""

    name: str
    wall: float
    cpu: float | None
    passages: int
    megabytes: float
    note: str = ""

    @property
    def per_core(self) -> float:
        """Passages per second of CPU time (wall time when CPU time is unknown)."""
        return self.passages / (self.cpu if self.cpu else self.wall)

    @property
    def per_wall(self) -> float:
        return self.passages / self.wall


def measured(run: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds of a call in this process, and its value."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = run()
    return time.perf_counter() - wall, time.process_time() - cpu, value


# A child's peak RSS as the kernel reports it (ru_maxrss) starts from its parent's RSS at
# fork time, which would count this whole benchmark process; so a small interpreter starts
# the measured command and reports its figures.
_MEASURE = """
import json, os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
json.dump([time.perf_counter() - start, os.waitstatus_to_exitcode(status),
           usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024], open(sys.argv[1], "w"))
"""


def run_child(command: Sequence[str], **kwargs: Any) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system, with its children) and peak RSS (MB) of a
    command run in a child process."""
    with tempfile.NamedTemporaryFile(suffix=".json") as figures:
        subprocess.run([sys.executable, "-c", _MEASURE, figures.name, *command], **kwargs)
        wall, code, cpu, rss = json.loads(Path(figures.name).read_text())
    if code:
        raise SystemExit(f"error: {shlex.join(command)} exited with {code}")
    return wall, cpu, rss


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the corpus ------------------------------------------------------------------------------
def write_corpus(passages: Sequence[str], n_articles: int, path: Path, *, seed: int) -> None:
    """Recombine passages into articles of 4-16 passages, one JSON line each."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n_articles):
            text = "\n\n".join(rng.sample(passages, rng.randint(4, 16)))
            out.write(json.dumps({"id": f"a{i}", "text": text}, ensure_ascii=False) + "\n")


def article_texts(path: Path) -> Iterator[str]:
    """The text of each article of a corpus file."""
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)["text"]


def article_passages(path: Path) -> Iterator[list[str]]:
    """The passages of each article of a corpus file, split the way framing splits them."""
    for text in article_texts(path):
        yield [p.text for p in framing.segment_article(text)]


# -- fastText and the naive pipeline ----------------------------------------------------------
def fasttext_text(text: str) -> str:
    """fastText's input: lower-cased tokens, punctuation split off, on one line."""
    return " ".join(_FASTTEXT_TOKEN.findall(text.casefold()))


def train_fasttext(
    passages: Sequence[LabelledPassage], labels: Sequence[str], workdir: Path, **options: Any
) -> Any:
    import fasttext

    path = workdir / "fasttext-train.txt"
    with open(path, "w", encoding="utf-8") as out:
        for p in passages:
            names = " ".join(f"__label__{label}" for label in p.labels) or "__label__none"
            out.write(f"{names} {fasttext_text(p.text)}\n")
    # fastText 0.9.3 with loss ova now and then stops with "Encountered NaN" on this data;
    # a smaller learning rate gets through.
    for lr in (0.05, 0.025, 0.01, 0.005):
        try:
            return fasttext.train_supervised(
                input=str(path), loss="ova", epoch=25, lr=lr, thread=1, seed=0, verbose=0, **options
            )
        except RuntimeError as err:
            log(f"fastText training failed at lr={lr} ({err}); trying a smaller one")
    raise SystemExit("error: fastText training failed at every learning rate")


def fasttext_scores(model: Any, texts: list[str]) -> tuple[list[list[str]], list[Any]]:
    """Every label's probability, from raw passage texts (normalisation included)."""
    return model.predict([fasttext_text(t) for t in texts], k=-1, threshold=0.0)


def check_fasttext(model: Any, texts: list[str]) -> None:
    """Abort on the fasttext-wheel bug: the same probability for every label."""
    _, values = fasttext_scores(model, texts)
    if not any(np.ptp(np.asarray(v)) > 1e-6 for v in values):
        raise SystemExit(
            "error: fastText gives every label the same probability; this is fasttext-wheel "
            "under numpy 2: pip uninstall fasttext-wheel; pip install --no-binary fasttext fasttext"
        )


def test_macro_f1(model_dir: Path, test: framing.LabelledData) -> str:
    model = framing.load_model(model_dir)
    return f"{framing.evaluate(test.passages, model, bootstrap=0).passage.macro_f1:.4f}"


def train_naive(passages: Sequence[LabelledPassage], labels: Sequence[str]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline

    pipeline = Pipeline(
        [
            ("tfidf", TfidfVectorizer()),
            ("classify", OneVsRestClassifier(LogisticRegression(max_iter=1000))),
        ]
    )
    return pipeline.fit([p.text for p in passages], label_matrix(passages, labels))


# -- the runs -----------------------------------------------------------------------------------
def time_lines(
    name: str, corpus: Path, size: tuple[int, float], per_article: Callable[[str], Any]
) -> Timing:
    """Read the corpus line by line and call ``per_article`` on each article text."""

    def run() -> None:
        with open(corpus, encoding="utf-8") as lines:
            for line in lines:
                per_article(json.loads(line)["text"])

    wall, cpu, _ = measured(run)
    return Timing(name, wall, cpu, *size)


def time_framing_library(
    name: str, corpus: Path, model_dir: Path, size: tuple[int, float], **options: Any
) -> Timing:
    """The path of ``framing score``: read, score, write JSON Lines (to a null stream)."""
    model = framing.load_model(model_dir)

    def run() -> None:
        results = engines.score_with_engine(files.read_articles([corpus]), model, **options)
        with open(os.devnull, "w", encoding="utf-8") as sink:
            render.write_results(results, sink)

    wall, cpu, _ = measured(run)
    return Timing(name, wall, cpu, *size)


def time_cli(
    name: str, corpus: Path, model_dir: Path, size: tuple[int, float], *extra: str
) -> Timing:
    command = [FRAMING, "score", str(corpus), "--model", str(model_dir), *extra]
    wall, cpu, rss = run_child(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return Timing(name, wall, cpu, *size, note=f"peak RSS {rss} MB; CPU includes workers")


def time_dask(
    name: str, corpus: Path, model_dir: Path, size: tuple[int, float], workers: int
) -> tuple[Timing, float]:
    """Score on a fresh local cluster of ``workers`` processes; returns the timing and the
    cluster's start-up seconds (not included)."""
    started = time.perf_counter()
    with engines.start_local_cluster(workers) as cluster:
        startup = time.perf_counter() - started
        timing = time_framing_library(
            name, corpus, model_dir, size, engine="dask", scheduler=cluster.scheduler_address
        )
    return replace(timing, cpu=None, note="wall time; model scattered once per worker"), startup


def load_seconds(model_dir: Path) -> float:
    """Best of three cold loads, each in a fresh interpreter (imports not counted)."""
    code = (
        "import time, framing; t = time.perf_counter(); "
        f"framing.load_model({str(model_dir)!r}); print(time.perf_counter() - t)"
    )
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    return min(runs)


# -- the report -----------------------------------------------------------------------------
def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(
    args: argparse.Namespace,
    header: dict[str, Any],
    timings: list[Timing],
    facts: list[tuple[str, str, str, str]],
    accuracy: list[tuple[str, str]],
) -> str:
    lines = [
        "# Scoring speed",
        "",
        "Generated by `" + shlex.join(["python", "benchmarks/speed.py", *sys.argv[1:]]) + "` on "
        f"{header['date']}; do not edit by hand. Run it again to refresh it.",
        "",
        "| machine | |",
        "|---|---|",
    ]
    lines += [f"| {key} | {value} |" for key, value in header.items() if key != "date"]
    lines += [
        "",
        "## Throughput on the same texts",
        "",
        "Passages per second per core divide by CPU time (all runs single-threaded; the CLI "
        "row includes start-up and model load); wall-clock figures depend on how busy the "
        f"machine was. Each row is the best of {args.repeat} runs.",
        "",
        "| run | passages/s per core | MB/s per core | passages/s wall | wall s | note |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for t in timings:
        core = f"{t.per_core:,.0f}" if t.cpu else "-"
        mb = f"{t.megabytes / t.cpu:.2f}" if t.cpu else "-"
        lines.append(f"| {t.name} | {core} | {mb} | {t.per_wall:,.0f} | {t.wall:.1f} | {t.note} |")
    lines += ["", "## Targets", "", "| measure | value | target | |", "|---|---:|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in facts]
    lines += ["", "## Accuracy of framing's paths (passage macro-F1 on data/labels/test)", ""]
    lines += [
        "fastText's and the naive pipeline's accuracy, tuned, are in RESULTS.md "
        "(benchmarks/accuracy.py); here they only set the pace.",
        "",
    ]
    lines += ["| model | test macro-F1 |", "|---|---:|"]
    lines += [f"| {a} | {b} |" for a, b in accuracy]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="JSON Lines articles (id, text).")
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--rss-articles", type=int, default=100_000)
    parser.add_argument("--model", type=Path, help="Model directory [default: train one].")
    parser.add_argument("--out", type=Path, default=REPORT)
    parser.add_argument("--quick", action="store_true", help="2,000 and 5,000 articles.")
    parser.add_argument("--repeat", type=int, default=2, help="Runs per measure; the best counts.")
    args = parser.parse_args()
    if args.quick:
        args.articles, args.rss_articles = 2_000, 5_000
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    work = Path(tempfile.mkdtemp(prefix="framing-speed-"))
    load_before = os.getloadavg()

    train = framing.load_labelled([DATA])
    test = framing.load_labelled([DATA / "test"], labels=train.labels)
    labels = train.labels
    model_dir = args.model
    if model_dir is None:
        log(f"training the default model on {len(train.passages):,} passages")
        model = framing.train(train, cross_validation=False)
        model_dir = framing.save_model(model, work / "model", manifest=model.manifest)
    corpus = args.corpus
    if corpus is None:
        corpus = work / "corpus.jsonl"
        write_corpus([p.text for p in train.passages], args.articles, corpus, seed=0)
    n_articles = sum(1 for _ in article_texts(corpus))
    n_passages = sum(len(p) for p in article_passages(corpus))
    megabytes = sum(len(text.encode("utf-8")) for text in article_texts(corpus)) / 1e6
    size = (n_passages, megabytes)
    log(f"corpus: {n_articles:,} articles, {n_passages:,} passages, {megabytes:.1f} MB of text")

    timings: list[Timing] = []

    def add(timing: Timing) -> Timing:
        log(f"{timing.name}: {timing.per_core:,.0f} passages/s per core, {timing.wall:.1f} s")
        timings.append(timing)
        return timing

    def best(measure: Callable[[], Timing], *, by_wall: bool = False) -> Timing:
        """The fastest of --repeat runs: the one least disturbed by other work."""
        runs = [measure() for _ in range(args.repeat)]
        return min(runs, key=lambda t: t.wall if by_wall or not t.cpu else t.cpu)

    floor = add(
        best(lambda: time_lines("floor: read + re.findall(r'\\w+')", corpus, size, _WORD.findall))
    )
    library = add(
        best(lambda: time_framing_library("framing score (library path)", corpus, model_dir, size))
    )
    add(
        best(
            lambda: time_framing_library(
                "framing, no evidence terms", corpus, model_dir, size, evidence=False
            )
        )
    )
    words = framing.train(train, config=TrainConfig(use_char_ngrams=False), cross_validation=False)
    words_dir = framing.save_model(words, work / "words", manifest=words.manifest)
    add(best(lambda: time_framing_library("framing, word features only", corpus, words_dir, size)))
    cli = add(best(lambda: time_cli("framing score (CLI process)", corpus, model_dir, size)))

    import fasttext  # noqa: F401  - fail early with ImportError when it is missing

    fast_models = {
        "fastText, default features (word unigrams)": train_fasttext(train.passages, labels, work),
        "fastText, framing's features (word 1-2-grams, char 3-5-grams)": train_fasttext(
            train.passages, labels, work, wordNgrams=2, minn=3, maxn=5
        ),
    }
    fast: dict[str, Timing] = {}
    for name, ft in fast_models.items():
        check_fasttext(ft, [p.text for p in test.passages[:50]])
        fast[name] = add(
            best(
                lambda name=name, ft=ft: time_lines(
                    name, corpus, size, lambda text: fasttext_scores(ft, text.split("\n\n"))
                )
            )
        )
    naive_model = train_naive(train.passages, labels)
    naive = add(
        best(
            lambda: time_lines(
                "naive: TfidfVectorizer + OvR LogisticRegression, per article",
                corpus,
                size,
                lambda text: naive_model.predict_proba(text.split("\n\n")),
            )
        )
    )

    def jobs(n: int) -> Timing:
        return time_cli(f"framing score --jobs {n}", corpus, model_dir, size, "--jobs", str(n))

    def dask(n: int) -> Timing:
        name = f"dask, {n} local worker{'s' if n > 1 else ''}"
        timing, start = time_dask(name, corpus, model_dir, size, n)
        return replace(timing, note=timing.note + f"; cluster start {start:.1f} s not included")

    jobs1 = add(best(lambda: jobs(1), by_wall=True))
    jobs2 = add(best(lambda: jobs(2), by_wall=True))
    dask1 = add(best(lambda: dask(1), by_wall=True))
    dask2 = add(best(lambda: dask(2), by_wall=True))

    big = work / "big.jsonl"
    write_corpus([p.text for p in train.passages], args.rss_articles, big, seed=1)
    big_passages = sum(len(p) for p in article_passages(big))
    big_mb = sum(len(text.encode("utf-8")) for text in article_texts(big)) / 1e6
    wall, cpu, rss = run_child(
        [FRAMING, "score", str(big), "--model", str(model_dir), "--out", os.devnull],
        stderr=subprocess.DEVNULL,
    )
    add(
        Timing(
            f"framing score on {args.rss_articles:,} articles (CLI)",
            wall,
            cpu,
            big_passages,
            big_mb,
            note=f"peak RSS {rss} MB",
        )
    )

    load = load_seconds(model_dir)
    model_mb = (model_dir / "model.joblib").stat().st_size / 1e6
    matched = fast["fastText, framing's features (word 1-2-grams, char 3-5-grams)"]
    default_ft = fast["fastText, default features (word unigrams)"]
    ratio = library.per_core
    facts = [
        (
            "framing / fastText (framing's features), per core",
            f"{ratio / matched.per_core:.2f}x",
            ">= 0.5x",
            verdict(ratio / matched.per_core >= 0.5),
        ),
        (
            "framing / fastText (default features), per core",
            f"{ratio / default_ft.per_core:.2f}x",
            ">= 0.5x",
            verdict(ratio / default_ft.per_core >= 0.5),
        ),
        (
            "framing / naive pipeline, per core",
            f"{ratio / naive.per_core:.2f}x",
            ">= 3x",
            verdict(ratio / naive.per_core >= 3),
        ),
        ("framing / floor, per core", f"{ratio / floor.per_core:.3f}x", "-", ""),
        ("CLI process / library path, per core", f"{cli.per_core / ratio:.2f}x", "-", ""),
        ("model load (cold, best of 3)", f"{load:.3f} s", "< 0.5 s", verdict(load < 0.5)),
        ("model file (model.joblib)", f"{model_mb:.1f} MB", "< 50 MB", verdict(model_mb < 50)),
        (
            "--jobs 2 / --jobs 1, wall",
            f"{jobs1.wall / jobs2.wall:.2f}x",
            ">= 1.7x",
            verdict(jobs1.wall / jobs2.wall >= 1.7),
        ),
        (
            "dask 2 workers / 1 worker, wall",
            f"{dask1.wall / dask2.wall:.2f}x",
            ">= 1.6x",
            verdict(dask1.wall / dask2.wall >= 1.6),
        ),
        (
            f"peak RSS, framing score on {args.rss_articles:,} articles",
            f"{rss} MB",
            "< 500 MB",
            verdict(rss < 500),
        ),
    ]
    accuracy = [
        ("framing, this model (with or without evidence terms)", test_macro_f1(model_dir, test)),
        (
            "framing, word features only (faster path, not the default)",
            test_macro_f1(words_dir, test),
        ),
    ]
    header = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": _cpu_name(),
        "load average (1 min) before / after": f"{load_before[0]:.2f} / {os.getloadavg()[0]:.2f}",
        "python / numpy / scikit-learn": (
            f"{platform.python_version()} / {np.__version__} / {metadata.version('scikit-learn')}"
        ),
        "fasttext / dask": f"{metadata.version('fasttext')} / {metadata.version('distributed')}",
        "corpus": (
            f"{n_articles:,} articles, {n_passages:,} passages, {megabytes:.1f} MB "
            f"({'--corpus ' + str(args.corpus) if args.corpus else 'data/labels recombined'})"
        ),
        "model": (
            f"{model_dir if args.model else 'trained by this run on data/labels'}; "
            f"{len(train.passages):,} training passages"
        ),
    }
    text = report(args, header, timings, facts, accuracy)
    print(text)
    args.out.write_text(text, encoding="utf-8")
    log(f"wrote {args.out}")


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


if __name__ == "__main__":
    main()
