"""Invariants checked on generated inputs (hypothesis)."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import framing
from framing.aggregate import METHODS, aggregate_scores
from framing.checks import RawRow, check_rows
from framing.errors import InputDataError
from framing.files import parse_jsonl
from framing.model import FramingModel
from framing.records import LabelledPassage, Problem
from framing.segment import segment_article

# Text built from the characters that matter to segmentation: line breaks of every kind,
# blanks, and a few letters in three scripts.
segment_text = st.text(
    alphabet=st.sampled_from(list("ab Üж.\n\n\r\t\x0b\x0c\u2028\u00a0 ")), max_size=200
) | st.text(max_size=200)


@given(segment_text)
@settings(max_examples=300, deadline=None)
def test_segments_are_ordered_non_empty_non_overlapping_and_exact(text: str) -> None:
    passages = segment_article(text)
    previous_end = 0
    for i, passage in enumerate(passages):
        assert passage.index == i
        assert passage.text.strip() == passage.text != ""
        assert text[passage.start : passage.end] == passage.text
        assert passage.start >= previous_end
        previous_end = passage.end
        if passage.duplicate_of is not None:
            assert passage.duplicate_of < i
            assert passages[passage.duplicate_of].duplicate_of is None


@given(segment_text)
@settings(deadline=None)
def test_segments_cover_all_visible_text(text: str) -> None:
    passages = segment_article(text)
    visible = "".join(text.split())
    assert "".join("".join(p.text.split()) for p in passages) == visible


scores = st.lists(st.floats(min_value=0.0, max_value=1.0, allow_nan=False), min_size=1, max_size=30)


@given(scores, st.sampled_from(METHODS), st.randoms(use_true_random=False))
@settings(deadline=None)
def test_aggregate_lies_between_min_and_max_and_ignores_order(
    values: list[float], method: str, rng: random.Random
) -> None:
    combined = aggregate_scores(values, method=method)
    shuffled = values[:]
    rng.shuffle(shuffled)
    assert aggregate_scores(shuffled, method=method) == combined
    if method == "noisy_or":  # at least one passage: between the max and 1
        assert max(values) - 1e-12 <= combined <= 1.0
    else:
        assert min(values) - 1e-12 <= combined <= max(values) + 1e-12


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
row_like = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values,
        "text": json_values | st.text(max_size=40),
        "labels": json_values | st.lists(st.sampled_from(["credit_line", "promo_teaser", "x"])),
        "article_id": json_values,
        "lang": json_values,
        "outlet": json_values,
        "origin": json_values,
    },
)


@given(
    st.lists(row_like | json_values, max_size=12),
    st.none() | st.just(["credit_line", "promo_teaser"]),
)
@settings(deadline=None)
def test_checks_never_raise_and_account_for_every_row(rows: list[object], labels) -> None:
    raw = [RawRow("gen.jsonl", n, value) for n, value in enumerate(rows, start=1)]
    passages, problems = check_rows(raw, labels)
    assert all(isinstance(p, LabelledPassage) for p in passages)
    assert all(isinstance(p, Problem) and p.severity == "error" for p in problems)
    assert all(p.path == "gen.jsonl" and 1 <= p.line <= len(rows) for p in problems)
    # every row either became a passage or has at least one problem, never both
    lines_ok = {p.line for p in passages}
    lines_bad = {p.line for p in problems}
    assert lines_ok.isdisjoint(lines_bad)
    assert lines_ok | lines_bad == set(range(1, len(rows) + 1))


@given(st.lists(st.text(max_size=60), max_size=10))
@settings(deadline=None)
def test_jsonl_parsing_never_raises(lines: list[str]) -> None:
    parsed = list(parse_jsonl(lines, path="gen.jsonl"))
    assert [n for n, _ in parsed] == [n for n, line in enumerate(lines, 1) if line.strip()]
    for n, value in parsed:
        if isinstance(value, InputDataError):
            assert value.line == n and "\n" not in str(value)


passage_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=80
)


@given(st.lists(passage_text, min_size=1, max_size=5))
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_save_load_round_trip_predicts_the_same(tiny_model: FramingModel, texts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        loaded = framing.load_model(framing.save_model(tiny_model, Path(folder) / "m"))
    assert np.array_equal(loaded.predict_proba(texts), tiny_model.predict_proba(texts))
