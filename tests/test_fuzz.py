"""A bounded fuzz run over the code that meets untrusted input (issue 6, fuzzing).

The fuzz targets are marked slow: run them with ``pytest -m slow tests/test_fuzz.py -s``
to see how many inputs each one tried. ``FUZZ_EXAMPLES`` scales the budget. Every bug the
fuzz found is pinned by a normal (fast) regression test at the end of this file.
"""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import framing
from framing import files
from framing.features import PassageFeaturizer, tokenize
from framing.records import Article, ArticleError
from framing.render import write_results
from framing.segment import html_to_text, segment_article

BUDGET = int(os.environ.get("FUZZ_EXAMPLES", "5000"))
TRIED: Counter[str] = Counter()


def fuzz(examples: int = BUDGET) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis settings of one fuzz target: a fixed budget, no deadline."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


@pytest.fixture(scope="module", autouse=True)
def _report_counts() -> Iterator[None]:
    yield
    if TRIED:
        print("\nfuzz inputs tried:", json.dumps(dict(sorted(TRIED.items()))), flush=True)


# -- strategies: arbitrary unicode, plus alphabets that hit the parsers' special cases ------
SPACES = "\n\n\n \t\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2028\u2029\u3000"
WORDY = st.sampled_from([*SPACES, "a", "B", "é", "ß", "я", "Ж", "0", "7", ".", "-", "'", "’"])
ODD = st.characters(categories=["Cs", "Cc", "Cf", "Zl", "Zp", "Mn"])  # surrogates, controls...
TEXTS = st.one_of(
    st.text(), st.text(WORDY), st.text(st.one_of(WORDY, ODD)), st.text(st.characters())
)
HTML_PIECES = st.sampled_from(
    [
        "<",
        ">",
        "</",
        "/>",
        "<!",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "<![",
        "<?",
        "?>",
        "<!DOCTYPE",
        "p",
        "div",
        "script",
        "style",
        "br",
        "li",
        "title",
        "svg",
        " ",
        "\n",
        "=",
        '"',
        "'",
        "&",
        "&amp;",
        "&#",
        "&#x",
        ";",
        "x",
        "0",
        "9",
        "ff",
        "D800",
        "110000",
        "Ünï",
        "текст",
        "\x00",
        "\ufffd",
        "if",
        "endif",
        "[",
        "]",
        "-",
        "--",
    ]  # fmt: skip
)
HTML = st.one_of(st.text(), st.lists(HTML_PIECES).map("".join))
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXTS,
)


def _json_containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.lists(children), st.dictionaries(st.text(), children))


JSON_VALUES = st.recursive(JSON_SCALARS, _json_containers, max_leaves=10)
FIELDS = st.sampled_from(["id", "text", "lang", "outlet", "url", "labels"])
RECORDS = st.dictionaries(st.one_of(FIELDS, st.text()), JSON_VALUES)
JSON_PIECES = st.sampled_from(
    ['{"id": ', '"text": ', '"a"', ", ", "}", "{", "[", "]", ":", "1" * 40, "9e999", "-0",
     "NaN", "Infinity", "null", "true", '"\\ud800"', '"\\u0000"', "\\", '"', " ", "\t",
     "1" * 1500, "[" * 400, "{" * 400, '{"a":' * 300]
)  # fmt: skip
LINES = st.one_of(
    st.text(),
    RECORDS.map(lambda r: json.dumps(r, allow_nan=True)),
    JSON_VALUES.map(lambda v: json.dumps(v, allow_nan=True)),
    st.lists(JSON_PIECES).map("".join),
    # Long runs probe the json module's limits: 4300-digit integers and nesting depth.
    st.builds(
        lambda run, n, wrap: wrap.replace("@", run * n),
        st.sampled_from(["1", "[", '{"a":', "-9", '"x",']),
        st.integers(1, 6000),
        st.sampled_from(["@", '{"id": "x", "text": @}', '{"id": @, "text": "t"}']),
    ),
)
SUFFIXES = st.sampled_from(
    [".txt", ".md", ".html", ".htm", ".jsonl", ".ndjson", "", ".bin", ".warc", ".warc.gz"]
)


def _count(target: str) -> None:
    TRIED[target] += 1


def _check_passages(text: str) -> None:
    passages = segment_article(text)
    previous_end = 0
    for position, passage in enumerate(passages):
        assert passage.index == position
        assert passage.text, "empty passage"
        assert passage.text == passage.text.strip()
        assert previous_end <= passage.start < passage.end <= len(text)
        assert text[passage.start : passage.end] == passage.text
        if passage.duplicate_of is not None:
            first = passages[passage.duplicate_of]
            assert passage.duplicate_of < position and first.duplicate_of is None
            assert (
                " ".join(first.text.split()).casefold() == " ".join(passage.text.split()).casefold()
            )
        previous_end = passage.end


def _records_from_lines(lines: list[str]) -> list[Article | ArticleError]:
    out = []
    for number, value in files.parse_jsonl(lines, path="fuzz.jsonl"):
        out.append(files.article_from_record(value, path="fuzz.jsonl", line=number))
    return out


# -- the fuzz targets ------------------------------------------------------------------------
@pytest.mark.slow
@fuzz()
@given(text=TEXTS)
def test_fuzz_segment_article(text: str) -> None:
    _count("segment_article")
    _check_passages(text)


@pytest.mark.slow
@fuzz()
@given(html=HTML)
def test_fuzz_html_to_text(html: str) -> None:
    _count("html_to_text")
    text = html_to_text(html)
    assert isinstance(text, str)
    _check_passages(text)


@pytest.mark.slow
@fuzz()
@given(lines=st.lists(LINES, max_size=8))
def test_fuzz_parse_jsonl_and_article_from_record(lines: list[str]) -> None:
    _count("parse_jsonl+article_from_record")
    records = _records_from_lines(lines)
    assert len(records) == sum(1 for line in lines if line.strip())
    for record in records:
        assert isinstance(record, (Article, ArticleError))
        assert isinstance(record.id, str) and record.id
        if isinstance(record, Article):
            assert record.text.strip()


@pytest.mark.slow
@fuzz()
@given(text=st.one_of(st.text(), st.lists(st.sampled_from(list(',;|"\n\r\t []') + ["id", "text", "labels", "a", "\x00", "é"])).map("".join)))  # fmt: skip
def test_fuzz_parse_csv(text: str) -> None:
    _count("parse_csv")
    for line, value in files.parse_csv(text, path="fuzz.csv"):
        assert isinstance(line, int) and line >= 1
        assert isinstance(value, (dict, framing.InputDataError))


@pytest.mark.slow
@fuzz()
@given(texts=st.lists(TEXTS, max_size=6))
def test_fuzz_tokenize_and_count(texts: list[str]) -> None:
    _count("tokenize+PassageFeaturizer.count")
    for text in texts:
        tokens = tokenize(text)
        assert all(isinstance(t, str) and t for t in tokens)
    counts = PassageFeaturizer(word_bits=10, char_bits=10).count(texts)
    assert counts.n_rows == len(texts)
    assert counts.words.shape[0] == counts.chars.shape[0] == counts.shape.shape[0] == len(texts)


@pytest.mark.slow
@fuzz()
@given(data=st.binary(max_size=2048), suffix=SUFFIXES)
def test_fuzz_read_articles_on_random_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    _count("read_articles(random bytes)")
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    records = list(files.read_articles([path]))
    if suffix.startswith(".warc"):
        assert len(records) <= 1  # random bytes hold no HTML response: nothing or one error
    elif suffix in (".jsonl", ".ndjson") and not files.looks_binary(data):
        text = files.decode(data, path=str(path))
        assert len(records) == sum(1 for line in io.StringIO(text) if line.strip())
    else:
        assert len(records) == 1
    assert all(isinstance(r, (Article, ArticleError)) for r in records)


@pytest.mark.slow
@fuzz(max(BUDGET // 10, 50))
@given(lines=st.lists(LINES, min_size=1, max_size=6))
def test_fuzz_score_and_write_end_to_end(
    tmp_path: Path, tiny_model: framing.FramingModel, lines: list[str]
) -> None:
    """JSONL bytes in, one JSON line out per non-blank input line, whatever the input."""
    _count("read+score+write (end to end)")
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="\n")
    counts = write_results(framing.score(files.read_articles([path]), tiny_model), stream)
    stream.flush()
    # JSON Lines end in "\n" only: str.splitlines() would also split at a raw U+0085/U+2028.
    written = stream.buffer.getvalue().decode("utf-8").split("\n")[:-1]  # type: ignore[attr-defined]
    expected = list(files.read_articles([path]))
    assert counts.scored + counts.errors == len(written) == len(expected)
    assert [json.loads(line)["id"] for line in written] == [r.id for r in expected]


# -- regressions: bugs the fuzz found (fast, always run) -------------------------------------
@pytest.mark.parametrize("html", ["<![0", "<![foo[ x ]]>", "<p>a</p><![0 x> b", "<![", "<![ "])
def test_html_to_text_survives_malformed_marked_sections(html: str) -> None:
    # _markupbase raised AssertionError("expected name token at '<![0'") (fuzz, issue 6).
    assert isinstance(html_to_text(html), str)
    assert html_to_text("<p>a</p><![0 x> <p>b</p>") == "a\n\nb"


@pytest.mark.parametrize(
    ("line", "reason"),
    [("1" * 5000, "too many digits"), ('{"id": ' + "9" * 5000 + "}", "too many digits"),
     ("[" * 100_000, "nested too deeply"), ('{"a":' * 100_000, "nested too deeply")],
)  # fmt: skip
def test_parse_jsonl_turns_json_limits_into_error_records(line: str, reason: str) -> None:
    # json.loads raised ValueError / RecursionError, not JSONDecodeError (issue 6).
    [(number, value)] = list(files.parse_jsonl(["", line], path="x.jsonl"))
    assert number == 2
    assert isinstance(value, framing.InputDataError)
    assert str(value) == f"x.jsonl:2: invalid JSON ({reason})"


def test_parse_jsonl_replaces_lone_surrogates() -> None:
    # "\ud800" escapes gave str values that crashed hashing and UTF-8 output (issue 6).
    line = r'{"id": "a\udfff", "text": "x \ud800 y \ud83d\ude00", "k": [{"\udc00": 1}]}'
    [(_, value)] = list(files.parse_jsonl([line], path="x.jsonl"))
    assert value == {"id": "a\ufffd", "text": "x \ufffd y \U0001f600", "k": [{"\ufffd": 1}]}


def test_featurizer_accepts_lone_surrogates() -> None:
    # murmurhash3_32 raised UnicodeEncodeError on '\ud800' (fuzz, issue 6).
    assert tokenize("a\ud800b") == ["a", "\ufffd", "b"]
    assert PassageFeaturizer(word_bits=10, char_bits=10).count(["\ud800", "x\udfffy"]).n_rows == 2


def test_score_writes_utf8_for_escaped_surrogates(tmp_path: Path, tiny_model_dir: Path) -> None:
    from typer.testing import CliRunner

    from framing.cli import app

    path = tmp_path / "in.jsonl"
    path.write_text(r'{"id": "s\ud800", "text": "Donate \udc00 now"}' + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        app, ["score", str(path), "-m", str(tiny_model_dir), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_bytes().decode("utf-8"))["id"] == "s\ufffd"


def test_score_stdin_replaces_invalid_utf8_and_warns(tiny_model_dir: Path) -> None:
    # sys.stdin raised UnicodeDecodeError, or passed bytes on as surrogates (issue 6).
    from typer.testing import CliRunner

    from framing.cli import app

    data = b'\xef\xbb\xbf{"id": "a", "text": "caf\xe9 Donate"}\n{"id": "b", "text": "ok"}\n'
    result = CliRunner().invoke(app, ["score", "-", "-m", str(tiny_model_dir)], input=data)
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["a", "b"]
    assert "<stdin>: invalid UTF-8 on 1 line(s)" in result.stderr


# -- regressions: the issue 6 review of model loading and input walking ---------------------
def _copy_model(source: Path, target: Path) -> Path:
    target.mkdir()
    for name in ("model.joblib", "manifest.json"):
        (target / name).write_bytes((source / name).read_bytes())
    return target


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda m: {**m, "versions": ["1.0"]}, "scikit-learn unknown, this is"),
        (lambda m: {**m, "versions": {"sklearn": "0.24.2"}}, "scikit-learn 0.24.2, this is"),
        (lambda m: {**m, "format_version": int("9" * 50)}, "model format 9999"),
    ],
)
def test_load_model_refuses_odd_manifests_with_one_line(
    tmp_path: Path, tiny_model_dir: Path, edit: Callable[[Any], Any], match: str
) -> None:
    # versions as a list raised AttributeError before (issue 6 review).
    model_dir = _copy_model(tiny_model_dir, tmp_path / "m")
    manifest = json.loads((model_dir / "manifest.json").read_text(encoding="utf-8"))
    (model_dir / "manifest.json").write_text(json.dumps(edit(manifest)), encoding="utf-8")
    with pytest.raises(framing.ModelArtifactError, match=match) as info:
        framing.load_model(model_dir)
    assert "\n" not in str(info.value)


def test_load_model_refuses_a_manifest_beyond_json_limits(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    model_dir = _copy_model(tiny_model_dir, tmp_path / "m")
    (model_dir / "manifest.json").write_text('{"format_version": ' + "1" * 5000 + "}")
    with pytest.raises(framing.ModelArtifactError, match="manifest.json is unreadable"):
        framing.load_model(model_dir)


def test_model_option_naming_a_file_says_so(tiny_model_dir: Path) -> None:
    with pytest.raises(framing.ModelArtifactError, match="model.joblib: not a model directory"):
        framing.load_model(tiny_model_dir / "model.joblib")


def test_folder_with_symlink_loops_and_broken_links_gives_error_records(tmp_path: Path) -> None:
    # Looping and dangling symlinks vanished silently before (issue 6 review).
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "ok.txt").write_text("Some text.", encoding="utf-8")
    (folder / "sub" / "up").symlink_to("..")  # a directory loop: skipped with a warning
    (folder / "a.txt").symlink_to("b.txt")
    (folder / "b.txt").symlink_to("a.txt")  # a file loop
    (folder / "gone.txt").symlink_to("nowhere.txt")
    records = list(files.read_articles([folder]))
    assert [Path(r.id).name for r in records] == ["a.txt", "b.txt", "gone.txt", "ok.txt"]
    assert [type(r).__name__ for r in records] == ["ArticleError"] * 3 + ["Article"]
    assert "cannot read (Too many levels of symbolic links)" in records[0].error  # type: ignore[union-attr]


def test_save_model_never_replaces_a_folder_that_is_not_a_model(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    # `framing train --out data` deleted the data folder: the swap removes what it replaces.
    tiny_model = framing.load_model(tiny_model_dir)  # a copy: save_model sets its manifest
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "notes.txt").write_text("precious", encoding="utf-8")
    for target in (folder, folder / "notes.txt"):
        with pytest.raises(framing.ModelArtifactError, match="is not a model directory"):
            framing.save_model(tiny_model, target)
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    framing.save_model(tiny_model, tmp_path / "model")
    framing.save_model(tiny_model, tmp_path / "model")  # a model directory is replaced
    assert framing.load_model(tmp_path / "model").labels == tiny_model.labels
