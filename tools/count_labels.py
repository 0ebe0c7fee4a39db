"""Print (or, with --write, regenerate in data/labels/README.md) the counts of the labelled
data: passages per label, language and split, the share without a label, the label x
language table and the hard negatives.

    python tools/count_labels.py           # print
    python tools/count_labels.py --write   # update the table in data/labels/README.md
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "data" / "labels"
BEGIN, END = "<!-- counts:begin -->", "<!-- counts:end -->"


def rows_of(split: str) -> list[dict]:
    folder = ROOT / "test" if split == "test" else ROOT
    return [
        json.loads(line)
        for f in sorted(folder.glob("*.jsonl"))
        for line in f.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def table() -> str:
    labels = [
        x.strip()
        for x in (ROOT / "labels.txt").read_text().splitlines()
        if x.strip() and not x.startswith("#")
    ]
    splits = {"train": rows_of("train"), "test": rows_of("test")}
    everything = splits["train"] + splits["test"]
    langs = ["de", "en", "ru"]
    out = ["| | train | test | total |", "|---|---:|---:|---:|"]

    def line(name: str, fn) -> None:  # type: ignore[no-untyped-def]
        values = [fn(splits["train"]), fn(splits["test"]), fn(everything)]
        out.append(f"| {name} | " + " | ".join(str(v) for v in values) + " |")

    line("articles", lambda rs: len({r["article_id"] for r in rs}))
    line("passages", len)
    line("no label", lambda rs: sum(1 for r in rs if not r["labels"]))
    line(
        "no label, %",
        lambda rs: f"{100 * sum(1 for r in rs if not r['labels']) / max(len(rs), 1):.1f}",
    )
    for lang in langs:
        line(
            f"lang {lang}, %",
            lambda rs, lang=lang: (
                f"{100 * sum(1 for r in rs if r.get('lang') == lang) / max(len(rs), 1):.1f}"
            ),
        )
    line("origin seed", lambda rs: sum(1 for r in rs if r.get("origin") == "seed"))
    for label in labels:
        line(f"`{label}`", lambda rs, label=label: sum(1 for r in rs if label in r["labels"]))
    out += ["", "Positive passages per label and language (all splits):", ""]
    out += ["| label | " + " | ".join(langs) + " |", "|---|" + "---:|" * len(langs)]
    for label in labels:
        counts = Counter(r.get("lang") for r in everything if label in r["labels"])
        out.append(f"| `{label}` | " + " | ".join(str(counts.get(g, 0)) for g in langs) + " |")
    hard = Counter(r["hard_negative"] for r in everything if r.get("hard_negative"))
    out += ["", "Hard negatives (passages written to look like a label they do not carry):", ""]
    out += ["| kind | passages |", "|---|---:|"] + [
        f"| {k} | {v} |" for k, v in sorted(hard.items())
    ]
    lengths = [len(r["text"]) for r in everything if r.get("origin") == "written"]
    if lengths:
        out += ["", f"Written passage length: {min(lengths)}-{max(lengths)} characters."]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    text = table()
    if not args.write:
        print(text)
        return
    readme = ROOT / "README.md"
    current = readme.read_text(encoding="utf-8")
    head, _, rest = current.partition(BEGIN)
    _, _, tail = rest.partition(END)
    readme.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")
    print(f"updated {readme}")


if __name__ == "__main__":
    main()
