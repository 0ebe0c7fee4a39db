"""Render results for people and pipes: JSON Lines, a terminal table, explanations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from framing.files import write_jsonl
from framing.model import FramingModel
from framing.records import ArticleError, ArticleScore
from framing.scoring import result_record
from framing.segment import segment_article


@dataclass
class RunCounts:
    """How many articles were scored and how many records were errors."""

    scored: int = 0
    errors: int = 0
    first_error: str = ""

    def add(self, result: ArticleScore | ArticleError) -> ArticleScore | ArticleError:
        if isinstance(result, ArticleError):
            self.errors += 1
            self.first_error = self.first_error or " ".join(result.error.split())
        else:
            self.scored += 1
        return result


def write_results(results: Iterable[ArticleScore | ArticleError], stream: IO[str]) -> RunCounts:
    """Write one JSON line per result as it arrives and count them."""
    counts = RunCounts()
    write_jsonl((result_record(counts.add(r)) for r in results), stream)
    return counts


def write_table(
    results: Iterable[ArticleScore | ArticleError], model: FramingModel, stream: IO[str]
) -> RunCounts:
    """A readable terminal view: per article its flagged labels and flagged passages."""
    counts = RunCounts()
    for result in results:
        counts.add(result)
        if isinstance(result, ArticleError):
            stream.write(f"✗ {result.id}\n    error: {result.error}\n\n")
            continue
        flagged = ", ".join(f"{label} {result.scores[label]:.2f}" for label in result.flagged)
        stream.write(f"● {result.id}  [{flagged or 'no outlet framing'}]\n")
        for passage in result.passages:
            if not passage.flagged or passage.duplicate_of is not None:
                continue
            labels = ", ".join(f"{label} {passage.scores[label]:.2f}" for label in passage.flagged)
            snippet = " ".join(passage.text.split())
            snippet = snippet if len(snippet) <= 110 else snippet[:107] + "..."
            stream.write(f"    #{passage.index:<3} {labels}\n         {snippet}\n")
        if result.duplicated_passages:
            stream.write(f"    ({result.duplicated_passages} repeated passage(s) scored once)\n")
        stream.write("\n")
        stream.flush()
    return counts


def counts_markdown(counts: dict[str, Any]) -> str:
    """Counts per split, label and language as Markdown tables."""
    if not counts:
        return "no passages"
    splits = list(counts)
    labels = list(next(iter(counts.values()))["per_label"])
    langs = sorted({lang for c in counts.values() for lang in c["per_lang"]})
    header = "| | " + " | ".join(splits) + " | total |"
    rule = "|---|" + "---:|" * (len(splits) + 1)
    lines = [header, rule]

    def row(name: str, values: Sequence[int]) -> str:
        return f"| {name} | " + " | ".join(str(v) for v in values) + f" | {sum(values)} |"

    for key in ("articles", "passages", "unlabelled"):
        lines.append(row(key, [counts[s][key] for s in splits]))
    for label in labels:
        lines.append(row(f"`{label}`", [counts[s]["per_label"].get(label, 0) for s in splits]))
    for lang in langs:
        lines.append(row(f"lang {lang}", [counts[s]["per_lang"].get(lang, 0) for s in splits]))
    return "\n".join(lines)


def explain(
    text: str, model: FramingModel, *, labels: Sequence[str] | None = None, top: int = 8
) -> str:
    """For each label: its probability, the deciding passage, and the terms pushing it up
    and down with their weights, as plain text for a terminal.

    Labels come flagged first (each group in model order) unless ``labels`` names them.
    Weights are linear-score (log-odds) units before calibration; the label's base score
    and the passage's layout cues (length and shape) are shown beside the terms.

    Raises
    ------
    ConfigError
        When ``labels`` names a label the model lacks.
    """
    passages = [p for p in segment_article(text) if p.duplicate_of is None]
    if not passages:
        return "no text to explain"
    chosen = list(labels) if labels else list(model.labels)
    unknown = [label for label in chosen if label not in model.labels]
    if unknown:
        from framing.errors import ConfigError

        raise ConfigError(
            f"unknown label(s) {', '.join(unknown)}; the model has {', '.join(model.labels)}"
        )
    rows = model.features([p.text for p in passages])
    probabilities = model.probabilities(rows)
    best_of = {label: int(probabilities[:, model.labels.index(label)].argmax()) for label in chosen}

    def flagged(label: str) -> bool:
        j = model.labels.index(label)
        return bool(probabilities[best_of[label], j] >= model.thresholds[j])

    if not labels:
        chosen.sort(key=lambda label: not flagged(label))
    out: list[str] = []
    if len(passages) > 1:
        out += [
            f"{len(passages)} passages; each label is explained on its highest-scoring passage.",
            "",
        ]
    width = max(len(label) for label in chosen)
    shape_start = model.weights.shape[1] - model.featurizer.n_shape_features
    for label in chosen:
        j, best = model.labels.index(label), best_of[label]
        probability = float(probabilities[best, j])
        mark = "FLAGGED" if flagged(label) else "not flagged"
        out.append(
            f"{label:<{width}}  {probability:.3f}  {mark} (threshold {model.thresholds[j]:.2f})"
        )
        if len(passages) > 1:
            snippet = " ".join(passages[best].text.split())
            snippet = snippet if len(snippet) <= 88 else snippet[:85] + "..."
            out.append(f'  passage #{passages[best].index}: "{snippet}"')
        terms = model.contributions(passages[best].text, rows[best], j)
        up = [f"{t} +{v:.3f}" for t, v in terms if v > 0][:top]
        down = [f"{t} {v:.3f}" for t, v in reversed(terms) if v < 0][:top]
        row = rows[best]
        layout = sum(
            float(v) * float(model.dense_weights[c, j])
            for c, v in zip(row.indices, row.data, strict=True)
            if c >= shape_start
        )
        out += _wrap("  up     ", up or ["-"])
        out += _wrap("  down   ", down or ["-"])
        out.append(f"  other  base {model.intercepts[j]:+.3f}, layout {layout:+.3f}")
        out.append("")
    out.append("Weights are log-odds before calibration. base: the label's score before any")
    out.append("word; layout: the part that comes from the passage's length and shape.")
    return "\n".join(out)


def _wrap(lead: str, items: Sequence[str], width: int = 100) -> list[str]:
    """Comma-separated items after ``lead``, wrapped between items, never inside one."""
    lines, line, fresh = [], lead, True
    for n, item in enumerate(items):
        piece = item + ("," if n < len(items) - 1 else "")
        if not fresh and len(line) + 1 + len(piece) > width:
            lines.append(line)
            line, fresh = " " * len(lead), True
        line += piece if fresh else " " + piece
        fresh = False
    lines.append(line)
    return lines
