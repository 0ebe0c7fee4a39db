"""Pure checks on raw label rows: they turn rows into LabelledPassage records and report
every problem with its file and line; raw dicts stop here."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from framing.errors import InputDataError
from framing.records import LabelledPassage, Problem

LANGS = ("de", "en", "ru")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class RawRow:
    """One parsed row of a label file, or the error that replaced it."""

    path: str
    line: int
    value: Any
    split: str = "train"


def check_rows(
    rows: Iterable[RawRow], labels: Sequence[str] | None
) -> tuple[list[LabelledPassage], list[Problem]]:
    """Validate raw rows against the schema and the label set.

    Parameters
    ----------
    rows : Iterable[RawRow]
        Parsed rows, each with its file and line.
    labels : Sequence[str] or None
        The label set; None accepts any label name.

    Returns
    -------
    (list[LabelledPassage], list[Problem])
        The valid passages and every problem found; never raises on row content.

    Examples
    --------
    >>> good = RawRow("a.jsonl", 1, {"id": "x", "text": "Hi", "labels": []})
    >>> bad = RawRow("a.jsonl", 2, {"id": "y", "text": "Hi", "labels": "credit_line"})
    >>> passages, problems = check_rows([good, bad], ["credit_line"])
    >>> len(passages), problems[0].message
    (1, "'labels' must be a list of strings, got a string")
    """
    known = set(labels) if labels is not None else None
    passages: list[LabelledPassage] = []
    problems: list[Problem] = []
    seen_ids: dict[str, str] = {}
    for row in rows:
        found = _row_problems(row.value, known)
        if found:
            problems.extend(Problem("error", row.path, row.line, message) for message in found)
            continue
        value = row.value
        passage_id = str(value["id"])
        where = f"{row.path}:{row.line}"
        if passage_id in seen_ids:
            problems.append(
                Problem(
                    "error",
                    row.path,
                    row.line,
                    f"id {passage_id!r} already used at {seen_ids[passage_id]}",
                )
            )
            continue
        seen_ids[passage_id] = where
        passages.append(
            LabelledPassage(
                id=passage_id,
                text=value["text"],
                labels=tuple(dict.fromkeys(value["labels"])),
                article_id=str(value.get("article_id") or passage_id),
                lang=value.get("lang") if isinstance(value.get("lang"), str) else None,
                outlet=value.get("outlet") if isinstance(value.get("outlet"), str) else None,
                origin=value.get("origin") if isinstance(value.get("origin"), str) else None,
                path=row.path,
                line=row.line,
            )
        )
    return passages, problems


def _row_problems(value: Any, known: set[str] | None) -> list[str]:
    if isinstance(value, InputDataError):
        return [value.reason]
    if not isinstance(value, dict):
        return [f"a row must be a JSON object, got {type(value).__name__}"]
    found: list[str] = []
    raw_id = value.get("id")
    if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()):
        found.append("'id' is missing")
    elif not isinstance(raw_id, (str, int)) or isinstance(raw_id, bool):
        found.append(f"'id' must be a string, got {type(raw_id).__name__}")
    text = value.get("text")
    if text is None:
        found.append("'text' is missing")
    elif not isinstance(text, str):
        found.append(f"'text' must be a string, got {type(text).__name__}")
    elif not text.strip():
        found.append("'text' is empty")
    if "labels" not in value:
        found.append("'labels' is missing (use [] for no label)")
    else:
        raw = value["labels"]
        if isinstance(raw, str):
            found.append("'labels' must be a list of strings, got a string")
        elif not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            found.append("'labels' must be a list of strings")
        elif known is not None:
            unknown = [x for x in raw if x not in known]
            if unknown:
                found.append(
                    f"unknown label(s) {', '.join(repr(u) for u in unknown)}; "
                    "add them to labels.txt or fix the spelling"
                )
    article_id = value.get("article_id")
    if article_id is not None and not isinstance(article_id, (str, int)):
        found.append("'article_id' must be a string")
    lang = value.get("lang")
    if lang is not None and not isinstance(lang, str):
        found.append("'lang' must be a string")
    return found


def word_shingles(text: str, size: int = 5) -> frozenset[tuple[str, ...]]:
    """The set of lower-cased word n-grams of a text.

    Examples
    --------
    >>> len(word_shingles("a b c d e f"))
    2
    """
    words = _WORD.findall(text.casefold())
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def near_duplicates(
    passages: Sequence[LabelledPassage], *, size: int = 5, bound: float = 0.6
) -> list[tuple[LabelledPassage, LabelledPassage, float]]:
    """Pairs of passages sharing more than ``bound`` of their word n-grams.

    The share is |A & B| / min(|A|, |B|) over the sets of word n-grams. An inverted index
    over the n-grams keeps this close to linear for data that has few near duplicates.
    """
    shingles = [word_shingles(p.text, size) for p in passages]
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, grams in enumerate(shingles):
        for gram in grams:
            index[gram].append(i)
    pairs = []
    for i, grams in enumerate(shingles):
        if not grams:
            continue
        shared: Counter[int] = Counter()
        for gram in grams:
            for j in index[gram]:
                if j > i:
                    shared[j] += 1
        for j, count in shared.items():
            share = count / min(len(grams), len(shingles[j]))
            if share > bound:
                pairs.append((passages[i], passages[j], share))
    return pairs
