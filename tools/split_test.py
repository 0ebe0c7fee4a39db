"""Move about 20% of the written articles into data/labels/test/, grouped by article_id and
stratified by label and language. Run once when new articles land; articles already in the
test split stay there and train articles stay in train unless --reshuffle is given.

    python tools/split_test.py            # split new articles only
    python tools/split_test.py --dry-run  # show what would move
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "data" / "labels"
SHARE = 0.2


def load(path: Path) -> list[dict]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def cells(rows: list[dict]) -> Counter:
    """(label or '-', lang) counts: what the split should keep in proportion."""
    counter: Counter = Counter()
    for row in rows:
        for label in row["labels"] or ["-"]:
            counter[(label, row.get("lang"))] += 1
    return counter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tries", type=int, default=3000)
    parser.add_argument("files", nargs="*", help="written_*.jsonl files to split [default: all]")
    args = parser.parse_args()
    test_dir = ROOT / "test"
    test_dir.mkdir(exist_ok=True)
    train_files = sorted(Path(f).resolve() for f in args.files) or sorted(
        ROOT.glob("written_*.jsonl")
    )
    in_test = {r["article_id"] for f in test_dir.glob("*.jsonl") for r in load(f)}
    articles: dict[str, list[dict]] = defaultdict(list)
    origin_file: dict[str, Path] = {}
    for file in train_files:
        for row in load(file):
            articles[row["article_id"]].append(row)
            origin_file[row["article_id"]] = file
    candidates = sorted(a for a in articles if a not in in_test)
    total = cells([r for a in candidates for r in articles[a]])
    target = {k: v * SHARE for k, v in total.items()}
    rng = random.Random(args.seed)
    want = round(len(candidates) * SHARE)
    best, best_cost = None, float("inf")
    for _ in range(args.tries):
        picked = rng.sample(candidates, want)
        got = cells([r for a in picked for r in articles[a]])
        cost = sum((got.get(k, 0) - t) ** 2 / max(t, 1.0) for k, t in target.items())
        if cost < best_cost:
            best, best_cost = picked, cost
    assert best is not None
    chosen = set(best)
    print(f"{len(chosen)} of {len(candidates)} new articles go to test (cost {best_cost:.1f})")
    if args.dry_run:
        return
    for file in train_files:
        rows = load(file)
        keep = [r for r in rows if r["article_id"] not in chosen]
        move = [r for r in rows if r["article_id"] in chosen]
        if not move:
            continue
        file.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in keep), encoding="utf-8"
        )
        target_file = test_dir / file.name
        old = load(target_file) if target_file.exists() else []
        target_file.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in old + move), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
