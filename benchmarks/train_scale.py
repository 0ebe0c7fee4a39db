"""Training at scale: the streaming fit on 1,000,000 generated passages, measured.

The passages are the training split of data/labels recombined into new articles, each
passage lightly perturbed (dropped, swapped and case-flipped words, changed digits) so
that no two are exact copies; their labels are kept. The script writes them as one JSON
Lines file next to a copy of labels.txt, trains with

    framing train DIR --fit streaming --out DIR/model

in a child process (wall time and that process's peak RSS, from os.wait4/getrusage), then
trains the default batch model on the original training split and reports the passage
macro-F1 of both on the test split (data/labels/test).

    python benchmarks/train_scale.py                        # 1,000,000 passages
    python benchmarks/train_scale.py --passages 100000 --keep /tmp/scale
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import framing
from framing.records import LabelledPassage

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "labels"
_WORD = re.compile(r"\S+")
_DIGIT = re.compile(r"\d")


def perturb(text: str, rng: random.Random) -> str:
    """A light edit that keeps the meaning and the label: a few words dropped, swapped or
    re-cased, digits changed."""
    words = _WORD.findall(text)
    out = []
    for word in words:
        roll = rng.random()
        if roll < 0.03 and len(words) > 4:
            continue  # dropped
        if roll < 0.06:
            word = word.upper() if rng.random() < 0.3 else word.capitalize()
        out.append(word)
    if len(out) > 3 and rng.random() < 0.5:
        i = rng.randrange(len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
    return _DIGIT.sub(lambda _: str(rng.randrange(10)), " ".join(out))


def generate(
    passages: list[LabelledPassage], n: int, path: Path, *, seed: int = 0
) -> tuple[int, int]:
    """Write ``n`` perturbed passages as label rows in new articles; returns (rows, articles)."""
    rng = random.Random(seed)
    by_article: dict[str, list[LabelledPassage]] = {}
    for p in passages:
        by_article.setdefault(p.article_id, []).append(p)
    articles = list(by_article.values())
    written = made = 0
    with open(path, "w", encoding="utf-8") as out:
        while written < n:
            base = rng.choice(articles)
            chosen = [p for p in base if rng.random() < 0.9] or base[:1]
            for _ in range(rng.randrange(3)):  # a passage or two of another article
                chosen.insert(rng.randrange(len(chosen) + 1), rng.choice(rng.choice(articles)))
            made += 1
            for k, p in enumerate(chosen[: n - written]):
                row = {
                    "id": f"s{made}-{k}",
                    "text": perturb(p.text, rng),
                    "labels": list(p.labels),
                    "article_id": f"s{made}",
                }
                if p.lang:
                    row["lang"] = p.lang
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                written += 1
    return written, made


# A child's peak RSS as the kernel reports it (ru_maxrss) starts from its parent's RSS at
# fork time; so a small interpreter starts the measured command and reports its figures.
_MEASURE = """
import json, os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
json.dump([time.perf_counter() - start, os.waitstatus_to_exitcode(status),
           usage.ru_maxrss // 1024], open(sys.argv[1], "w"))
"""


def run_child(command: list[str]) -> tuple[float, int, int]:
    """Run a command; return its wall time, exit code and peak RSS in MB."""
    with tempfile.NamedTemporaryFile(suffix=".json") as figures:
        subprocess.run([sys.executable, "-c", _MEASURE, figures.name, *command], check=True)
        wall, code, rss = json.loads(Path(figures.name).read_text())
    return wall, code, rss


def test_macro_f1(model: framing.FramingModel, test: framing.LabelledData) -> float:
    return framing.evaluate(test.passages, model, bootstrap=0).passage.macro_f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="Work in this folder and keep it.")
    args = parser.parse_args()

    train = framing.load_labelled([DATA])
    test = framing.load_labelled([DATA / "test"], labels=train.labels)
    work = args.keep or Path(tempfile.mkdtemp(prefix="framing-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    data_dir = work / "data"
    data_dir.mkdir(exist_ok=True)
    shutil.copy(DATA / "labels.txt", data_dir / "labels.txt")
    started = time.perf_counter()
    rows, articles = generate(
        list(train.passages), args.passages, data_dir / "passages.jsonl", seed=args.seed
    )
    size_mb = (data_dir / "passages.jsonl").stat().st_size / 1e6
    print(
        f"generated {rows:,} passages in {articles:,} articles ({size_mb:.0f} MB) "
        f"from {len(train.passages):,} training passages in {time.perf_counter() - started:.0f} s",
        flush=True,
    )

    framing_cli = str(Path(sys.executable).parent / "framing")
    command = [framing_cli, "train", str(data_dir), "--fit", "streaming", "--no-cv"]
    command += ["--out", str(work / "model")]
    print("$ " + " ".join(command), flush=True)
    wall, code, rss = run_child(command)
    if code:
        raise SystemExit(f"streaming training failed with exit code {code}")
    streaming = framing.load_model(work / "model")

    started = time.perf_counter()
    batch = framing.train(train, cross_validation=False)
    batch_wall = time.perf_counter() - started

    results: dict[str, Any] = {
        "passages": rows,
        "articles": articles,
        "streaming_wall_s": round(wall, 1),
        "streaming_peak_rss_mb": rss,
        "streaming_test_macro_f1": test_macro_f1(streaming, test),
        "batch_passages": len(train.passages),
        "batch_wall_s": round(batch_wall, 1),
        "batch_test_macro_f1": test_macro_f1(batch, test),
        "test_passages": len(test.passages),
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(results, indent=2))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
