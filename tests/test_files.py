from __future__ import annotations

import io
import json
import logging
import os
from pathlib import Path

import pytest
from conftest import write_jsonl

from framing import files
from framing.errors import InputDataError
from framing.records import Article, ArticleError

# -- parse_jsonl / article_from_record -------------------------------------------------------


def test_parse_jsonl_keeps_line_numbers_and_skips_blank_lines() -> None:
    rows = list(files.parse_jsonl(['{"a": 1}', "", "  ", '{"a": 2}'], path="x.jsonl"))
    assert rows == [(1, {"a": 1}), (4, {"a": 2})]


def test_parse_jsonl_turns_a_bad_line_into_an_error_naming_file_and_line() -> None:
    rows = list(files.parse_jsonl(['{"a": 1}', '{"a": ', '{"a": 3}'], path="x.jsonl"))
    assert [n for n, _ in rows] == [1, 2, 3]
    error = rows[1][1]
    assert isinstance(error, InputDataError)
    assert str(error).startswith("x.jsonl:2: invalid JSON (")


def test_article_from_record_reads_the_optional_fields() -> None:
    record = {"id": 7, "text": "Hi", "lang": "de", "outlet": "RT DE", "url": "https://x.test/a"}
    article = files.article_from_record(record, path="a.jsonl", line=1)
    assert article == Article(
        id="7",
        text="Hi",
        source="https://x.test/a",
        lang="de",
        outlet="RT DE",
        url="https://x.test/a",
    )


@pytest.mark.parametrize(
    ("record", "article_id", "reason"),
    [
        ({"text": "Hi"}, "a.jsonl:3", "'id' is missing; add an id to every record"),
        ({"id": "k"}, "k", "'text' is missing"),
        ({"id": "k", "text": 5}, "k", "'text' must be a string, got int"),
        ({"id": "k", "text": " \n"}, "k", "'text' is empty"),
        (["not", "an", "object"], "a.jsonl:3", "a record must be a JSON object"),
        ("text", "a.jsonl:3", "a record must be a JSON object"),
    ],
)
def test_article_from_record_keeps_the_id_of_a_bad_record(
    record: object, article_id: str, reason: str
) -> None:
    result = files.article_from_record(record, path="a.jsonl", line=3)
    assert isinstance(result, ArticleError)
    assert result.id == article_id
    assert result.source == "a.jsonl"
    assert result.error == f"a.jsonl:3: {reason}"


# -- decoding ------------------------------------------------------------------------------


def test_decode_strips_a_bom() -> None:
    assert files.decode("\ufeffHallo".encode(), path="x") == "Hallo"


def test_decode_replaces_invalid_utf8_and_warns_naming_the_file(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="framing"):
        text = files.decode(b"caf\xe9 ok", path="menu.txt")
    assert text == "caf\ufffd ok"
    assert [r.getMessage() for r in caplog.records] == [
        "menu.txt: invalid UTF-8; undecodable bytes were replaced with U+FFFD"
    ]


def test_looks_binary() -> None:
    assert files.looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert not files.looks_binary("Grüße".encode())


# -- reading articles ----------------------------------------------------------------------


def _mixed_folder(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "b.txt").write_text("Plain text article.\n\nSecond paragraph.", encoding="utf-8")
    (root / "a.html").write_text("<p>Hello</p><div>Donate now</div>", encoding="utf-8")
    write_jsonl(
        root / "sub" / "c.jsonl", [{"id": "c1", "text": "One"}, {"id": "c2", "text": "Two"}]
    )
    (root / "sub" / "d.md").write_text("Markdown counts as text.", encoding="utf-8")
    (root / "image.png").write_bytes(b"\x89PNG\x00\x00")
    (root / "notes.pdf").write_bytes(b"%PDF-1.4")
    (root / "sub" / "e.txt").write_bytes(b"\x00\x01binary in a text folder")
    return root


def test_a_folder_is_read_recursively_in_sorted_order(tmp_path: Path, caplog) -> None:
    root = _mixed_folder(tmp_path / "in")
    with caplog.at_level(logging.WARNING, logger="framing"):
        results = list(files.read_articles([root]))
    assert [r.id for r in results] == [
        str(root / "a.html"),
        str(root / "b.txt"),
        "c1",
        "c2",
        str(root / "sub" / "d.md"),
        str(root / "sub" / "e.txt"),
    ]
    assert results[0].text == "Hello\n\nDonate now"
    assert isinstance(results[-1], ArticleError)
    assert "binary file inside a text folder" in results[-1].error
    # skipped files are counted in one warning, not one per file
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert skipped == [f"{root}: skipped 2 file(s) that are not .txt, .html, .jsonl or .warc"]


def test_an_explicit_file_of_unknown_type_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "article.dat"
    path.write_text("Some text.", encoding="utf-8")
    (result,) = files.read_articles([path])
    assert result == Article(id=str(path), text="Some text.", source=str(path))


@pytest.mark.parametrize("content", [b"", b"  \n\t\n", b"\xef\xbb\xbf\n"])
def test_an_empty_file_is_an_error_record(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    (result,) = files.read_articles([path])
    assert result == ArticleError(str(path), str(path), f"{path}: empty article (no text)")


def test_a_binary_file_is_an_error_record(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\xff\xd8\xff\x00JFIF")
    (result,) = files.read_articles([path])
    assert isinstance(result, ArticleError)
    assert result.error == f"{path}: binary file, not text"


def test_an_unreadable_file_is_an_error_record(tmp_path: Path) -> None:
    (result,) = files.read_articles([tmp_path / "gone.txt"])
    assert isinstance(result, ArticleError)
    assert "cannot read" in result.error


def test_stdin_is_jsonl(tmp_path: Path) -> None:
    stream = io.StringIO('{"id": "s1", "text": "From stdin"}\nnot json\n')
    results = list(files.read_articles(["-"], stdin=stream))
    assert results[0] == Article(id="s1", text="From stdin", source="<stdin>")
    assert isinstance(results[1], ArticleError)
    assert results[1].error.startswith("<stdin>:2: invalid JSON")


def test_every_jsonl_record_gives_one_result_in_order(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"id": "a", "text": "One"}\n{broken\n\n{"id": "c"}\n[1]\n{"id": "e", "text": "Five"}\n',
        encoding="utf-8",
    )
    results = list(files.read_articles([path]))
    assert [r.id for r in results] == ["a", f"{path}:2", "c", f"{path}:5", "e"]
    assert [type(r).__name__ for r in results] == [
        "Article",
        "ArticleError",
        "ArticleError",
        "ArticleError",
        "Article",
    ]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_symlink_loop_is_walked_once(tmp_path: Path, caplog) -> None:
    root = tmp_path / "loop"
    (root / "inner").mkdir(parents=True)
    (root / "inner" / "a.txt").write_text("Text", encoding="utf-8")
    os.symlink(root, root / "inner" / "back")
    os.symlink(root / "x", root / "y")
    os.symlink(root / "y", root / "x")
    with caplog.at_level(logging.WARNING, logger="framing"):
        walked = list(files.walk_files(root))
    assert walked.count(root / "inner" / "a.txt") == 1
    assert not [p for p in walked if "back" in p.parts]
    assert any("symlink loop" in r.getMessage() for r in caplog.records)


# -- label files -----------------------------------------------------------------------------


def test_label_files_skip_the_test_split_unless_named(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [])
    write_jsonl(tmp_path / "test" / "t.jsonl", [])
    (tmp_path / "b.csv").write_text("id,text,labels\n", encoding="utf-8")
    (tmp_path / "labels.txt").write_text("x\n", encoding="utf-8")
    assert files.label_files([tmp_path]) == [tmp_path / "a.jsonl", tmp_path / "b.csv"]
    assert files.label_files([tmp_path / "test"]) == [tmp_path / "test" / "t.jsonl"]


def test_label_files_missing_path_and_no_files(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match=r"nothing.jsonl: no such file or directory"):
        files.label_files([tmp_path / "nothing.jsonl"])
    with pytest.raises(InputDataError, match="no .jsonl or .csv label files found in"):
        files.label_files([tmp_path])


def test_label_rows_of_a_binary_file_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"\x00\x01\x02")
    with pytest.raises(InputDataError, match=r"x.jsonl: binary file, expected UTF-8 text"):
        list(files.read_label_rows(path))


def test_parse_csv_splits_labels_on_pipe_or_semicolon() -> None:
    text = 'id,text,labels\na,"Hello, world",credit_line|promo_teaser\nb,Bye,credit_line; promo_teaser\nc,None,\n'
    rows = list(files.parse_csv(text, path="x.csv"))
    assert rows == [
        (2, {"id": "a", "text": "Hello, world", "labels": ["credit_line", "promo_teaser"]}),
        (3, {"id": "b", "text": "Bye", "labels": ["credit_line", "promo_teaser"]}),
        (4, {"id": "c", "text": "None", "labels": []}),
    ]


def test_parse_csv_reads_json_label_lists() -> None:
    rows = list(files.parse_csv('id,text,labels\na,Hi,"[""credit_line""]"\n', path="x.csv"))
    assert rows == [(2, {"id": "a", "text": "Hi", "labels": ["credit_line"]})]


def test_parse_csv_with_semicolons_names_the_expected_delimiter() -> None:
    rows = list(files.parse_csv("id;text;labels\na;Hello;credit_line\n", path="x.csv"))
    assert len(rows) == 1
    line, error = rows[0]
    assert line == 1
    assert isinstance(error, InputDataError)
    assert "x.csv:1: CSV header must name 'id' and 'text' columns (comma-separated)" in str(error)


def test_parse_csv_reports_rows_with_the_wrong_number_of_columns() -> None:
    rows = list(files.parse_csv("id,text,labels\na,Hi,x,extra\n\nb,Fine,x\n", path="x.csv"))
    assert isinstance(rows[0][1], InputDataError)
    assert str(rows[0][1]) == "x.csv:2: expected 3 columns, got 4"
    assert rows[1] == (4, {"id": "b", "text": "Fine", "labels": ["x"]})


def test_parse_csv_line_numbers_count_physical_lines() -> None:
    rows = list(files.parse_csv('id,text,labels\na,"two\nlines",x\nb,after,y\n', path="x.csv"))
    assert [n for n, _ in rows] == [3, 4]


def test_parse_csv_of_an_empty_file_yields_nothing() -> None:
    assert list(files.parse_csv("", path="x.csv")) == []


def test_read_label_set(tmp_path: Path) -> None:
    path = tmp_path / "labels.txt"
    path.write_text("# comment\n\ncredit_line  # trailing\npromo_teaser\n", encoding="utf-8")
    assert files.read_label_set(path) == ("credit_line", "promo_teaser")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("a\nb c\n", r"labels.txt:2: label 'b c' contains whitespace"),
        ("a\nb\na\n", r"labels.txt:3: label 'a' listed twice"),
        ("# nothing\n\n", r"labels.txt: no labels listed"),
    ],
)
def test_read_label_set_refuses_bad_files(tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "labels.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputDataError, match=match):
        files.read_label_set(path)


# -- writing -------------------------------------------------------------------------------


def test_write_jsonl_counts_and_keeps_unicode() -> None:
    stream = io.StringIO()
    assert files.write_jsonl([{"id": "ü"}, {"id": "б"}], stream) == 2
    assert stream.getvalue() == '{"id": "ü"}\n{"id": "б"}\n'
    assert [json.loads(line) for line in stream.getvalue().splitlines()] == [
        {"id": "ü"},
        {"id": "б"},
    ]


def test_write_text_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "out.md"
    path.write_text("old", encoding="utf-8")
    files.write_text(path, "new ✓")
    assert path.read_text(encoding="utf-8") == "new ✓"
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_looping_file_symlink_in_a_folder_is_not_dropped_silently(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "a.txt").write_text("Text", encoding="utf-8")
    os.symlink(root / "y.txt", root / "x.txt")
    os.symlink(root / "x.txt", root / "y.txt")
    results = list(files.read_articles([root]))
    assert [Path(r.id).name for r in results] == ["a.txt", "x.txt", "y.txt"]
    assert all(isinstance(r, ArticleError) and "cannot read" in r.error for r in results[1:])
