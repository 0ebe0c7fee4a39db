from __future__ import annotations

from typing import Any

import pytest

from framing.checks import RawRow, check_rows, near_duplicates, word_shingles
from framing.errors import InputDataError
from framing.records import LabelledPassage

KNOWN = ["credit_line", "promo_teaser"]


def _row(value: Any, line: int = 1) -> RawRow:
    return RawRow("a.jsonl", line, value)


def test_a_good_row_becomes_a_passage() -> None:
    value = {
        "id": "p1",
        "text": "Foto: Reuters",
        "labels": ["credit_line", "credit_line"],
        "lang": "de",
        "outlet": "X",
        "article_id": "art",
        "origin": "written",
    }
    passages, problems = check_rows([_row(value, 4)], KNOWN)
    assert problems == []
    assert passages == [
        LabelledPassage(
            id="p1",
            text="Foto: Reuters",
            labels=("credit_line",),
            article_id="art",
            lang="de",
            outlet="X",
            origin="written",
            path="a.jsonl",
            line=4,
        )
    ]


def test_article_id_defaults_to_the_passage_id_and_ids_may_be_ints() -> None:
    passages, problems = check_rows([_row({"id": 12, "text": "Hi", "labels": []})], KNOWN)
    assert problems == []
    assert (passages[0].id, passages[0].article_id) == ("12", "12")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"text": "Hi", "labels": []}, "'id' is missing"),
        ({"id": " ", "text": "Hi", "labels": []}, "'id' is missing"),
        ({"id": True, "text": "Hi", "labels": []}, "'id' must be a string, got bool"),
        ({"id": [1], "text": "Hi", "labels": []}, "'id' must be a string, got list"),
        ({"id": "x", "labels": []}, "'text' is missing"),
        ({"id": "x", "text": 3, "labels": []}, "'text' must be a string, got int"),
        ({"id": "x", "text": "  ", "labels": []}, "'text' is empty"),
        ({"id": "x", "text": "Hi"}, "'labels' is missing (use [] for no label)"),
        (
            {"id": "x", "text": "Hi", "labels": "credit_line"},
            "'labels' must be a list of strings, got a string",
        ),
        ({"id": "x", "text": "Hi", "labels": {"a": 1}}, "'labels' must be a list of strings"),
        ({"id": "x", "text": "Hi", "labels": [1]}, "'labels' must be a list of strings"),
        (
            {"id": "x", "text": "Hi", "labels": ["credit_lines"]},
            "unknown label(s) 'credit_lines'; add them to labels.txt or fix the spelling",
        ),
        (
            {"id": "x", "text": "Hi", "labels": [], "article_id": [1]},
            "'article_id' must be a string",
        ),
        ({"id": "x", "text": "Hi", "labels": [], "lang": 7}, "'lang' must be a string"),
        (["a", "list"], "a row must be a JSON object, got list"),
        (None, "a row must be a JSON object, got NoneType"),
    ],
)
def test_each_problem_is_reported_with_file_and_line(value: Any, message: str) -> None:
    passages, problems = check_rows([_row(value, 9)], KNOWN)
    assert passages == []
    assert [(p.severity, p.path, p.line) for p in problems] == [("error", "a.jsonl", 9)]
    assert problems[0].message == message


def test_every_problem_of_a_row_is_reported() -> None:
    _, problems = check_rows([_row({"labels": "x"})], KNOWN)
    assert [p.message for p in problems] == [
        "'id' is missing",
        "'text' is missing",
        "'labels' must be a list of strings, got a string",
    ]


def test_any_label_is_accepted_without_a_label_set() -> None:
    passages, problems = check_rows([_row({"id": "x", "text": "Hi", "labels": ["new"]})], None)
    assert problems == [] and passages[0].labels == ("new",)


def test_a_parse_error_row_keeps_its_reason() -> None:
    error = InputDataError("invalid JSON (Expecting value)", path="a.jsonl", line=2)
    _, problems = check_rows([RawRow("a.jsonl", 2, error)], KNOWN)
    assert [(p.line, p.message) for p in problems] == [(2, "invalid JSON (Expecting value)")]


def test_a_repeated_id_is_an_error_naming_the_first_use() -> None:
    rows = [
        _row({"id": "x", "text": "One", "labels": []}, 1),
        _row({"id": "x", "text": "Two", "labels": []}, 5),
    ]
    passages, problems = check_rows(rows, KNOWN)
    assert [p.text for p in passages] == ["One"]
    assert problems[0].message == "id 'x' already used at a.jsonl:1"
    assert problems[0].line == 5


def test_good_rows_survive_bad_ones() -> None:
    rows = [
        _row({"id": "a", "text": "One", "labels": []}, 1),
        _row({"id": "b", "text": "Two", "labels": "credit_line"}, 2),
        _row({"id": "c", "text": "Three", "labels": ["promo_teaser"]}, 3),
    ]
    passages, problems = check_rows(rows, KNOWN)
    assert [p.id for p in passages] == ["a", "c"]
    assert [p.line for p in problems] == [2]


def test_word_shingles() -> None:
    assert word_shingles("A b c", size=2) == frozenset({("a", "b"), ("b", "c")})
    assert word_shingles("too short", size=5) == frozenset()


def _lp(pid: str, text: str) -> LabelledPassage:
    return LabelledPassage(id=pid, text=text, labels=(), article_id=pid)


def test_near_duplicates_finds_reworded_copies_only() -> None:
    base = "the quick brown fox jumps over the lazy dog near the river bank today"
    passages = [
        _lp("a", base),
        _lp("b", base.replace("today", "tonight")),
        _lp("c", "a completely different sentence about rain and snow in the mountains"),
    ]
    pairs = near_duplicates(passages, bound=0.6)
    assert [(a.id, b.id) for a, b, _ in pairs] == [("a", "b")]
    assert pairs[0][2] == pytest.approx(9 / 10)


def test_near_duplicates_ignores_short_passages() -> None:
    assert near_duplicates([_lp("a", "Foto: Reuters"), _lp("b", "Foto: Reuters")]) == []
