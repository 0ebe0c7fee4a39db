"""The typer app through CliRunner: every command's success path and every exit code, and
the bad inputs of issue 6 through `framing score` and `framing train`."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    ARTICLES,
    LABELS,
    TINY_TOML,
    assert_bad_input,
    console_script,
    corpus_rows,
    stderr_lines,
    write_jsonl,
    write_labels,
)
from typer.testing import CliRunner

import framing
from framing.cli import app

runner = CliRunner()


def invoke(*args: Any, input: str | None = None) -> Any:
    return runner.invoke(app, [str(a) for a in args], input=input)


def records(result: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.split("\n") if line.strip()]


def assert_clean(result: Any, code: int = 0) -> None:
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


# -- help and usage (exit 0 and 2) ----------------------------------------------------------------


def test_help_lists_the_commands() -> None:
    result = invoke("--help")
    assert_clean(result)
    for command in ("train", "score", "evaluate", "labels", "explain"):
        assert command in result.stdout


def test_installed_console_script_runs() -> None:
    script = console_script()
    assert script.exists(), f"no console script at {script}; is framing installed?"
    done = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Usage: framing" in done.stdout
    assert "score" in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--no-such-option"],
        ["bogus-command"],
        ["score", "--format", "pdf", "x"],
        ["evaluate", "--format", "yaml"],
        ["labels", "check", "/no/such/path"],
        ["train", "--labels", "/no/such/labels.txt"],
        [],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = invoke(*args)
    assert_clean(result, 2)


def test_score_of_a_missing_path_is_a_usage_error(tiny_model_dir: Path, tmp_path: Path) -> None:
    result = invoke("score", tmp_path / "missing.txt", "-m", tiny_model_dir)
    assert_clean(result, 2)
    assert stderr_lines(result) == [f"error: {tmp_path / 'missing.txt'}: no such file or directory"]
    assert result.stdout == ""


def test_explain_needs_text_or_file(tiny_model_dir: Path) -> None:
    result = invoke("explain", "-m", tiny_model_dir)
    assert_clean(result, 2)
    assert stderr_lines(result) == ["error: give a TEXT or --file FILE (one of them)"]


# -- train --------------------------------------------------------------------------------------


def test_train_writes_a_loadable_model(train_file: Path, tiny_toml: Path, tmp_path: Path) -> None:
    out = tmp_path / "m"
    result = invoke("train", train_file, "--out", out, "--config", tiny_toml, "--no-cv")
    assert_clean(result)
    (summary,) = records(result)
    assert summary["model"] == str(out)
    assert summary["passages"] == len(corpus_rows())
    assert "cv_macro_f1" not in summary
    model = framing.load_model(out)
    assert model.labels == LABELS
    assert model.config.word_bits == 14


def test_train_with_cv_reports_macro_f1(train_file: Path, tmp_path: Path) -> None:
    config = tmp_path / "cv2.toml"
    config.write_text(TINY_TOML.replace("cv_folds = 3", "cv_folds = 2"), encoding="utf-8")
    result = invoke("train", train_file, "-o", tmp_path / "m", "--config", config)
    assert_clean(result)
    (summary,) = records(result)
    assert 0.0 <= summary["cv_macro_f1"] <= 1.0
    assert framing.load_model(tmp_path / "m").manifest["cv_metrics"]["folds"] == 2


def test_train_with_an_explicit_label_file(tmp_path: Path, tiny_toml: Path) -> None:
    data = write_jsonl(tmp_path / "plain" / "train.jsonl", corpus_rows())
    labels = write_labels(tmp_path / "set.txt")
    result = invoke(
        "train", data, "--labels", labels, "-o", tmp_path / "m", "--config", tiny_toml, "--no-cv"
    )
    assert_clean(result)
    assert framing.load_model(tmp_path / "m").manifest["label_source"] == str(labels)


def _train_bad(tmp_path: Path, tiny_toml: Path, name: str, content: str | bytes) -> Any:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    write_labels(data / "labels.txt")
    path = data / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = invoke("train", path, "-o", tmp_path / "m", "--config", tiny_toml, "--no-cv")
    assert not (tmp_path / "m").exists()
    return result


def test_train_labels_as_a_string(tmp_path: Path, tiny_toml: Path) -> None:
    rows = corpus_rows()
    rows[2]["labels"] = "donation_appeal"
    content = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    result = _train_bad(tmp_path, tiny_toml, "train.jsonl", content)
    line = assert_bad_input(result)
    assert line == (
        f"error: {tmp_path / 'data' / 'train.jsonl'}:3: 'labels' must be a list of strings, "
        "got a string"
    )


def test_train_unknown_label(tmp_path: Path, tiny_toml: Path) -> None:
    rows = corpus_rows()
    rows[5]["labels"] = ["donation_appeal", "clickbait"]
    content = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    line = assert_bad_input(_train_bad(tmp_path, tiny_toml, "train.jsonl", content))
    assert "train.jsonl:6: unknown label(s) 'clickbait'" in line


def test_train_csv_with_the_wrong_delimiter(tmp_path: Path, tiny_toml: Path) -> None:
    content = "id;text;labels\n" + "".join(
        f"{r['id']};{r['text']};{'|'.join(r['labels'])}\n" for r in corpus_rows()
    )
    line = assert_bad_input(_train_bad(tmp_path, tiny_toml, "train.csv", content))
    assert "train.csv:1: CSV header must name 'id' and 'text' columns (comma-separated)" in line


def test_train_malformed_jsonl_line(tmp_path: Path, tiny_toml: Path) -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in corpus_rows()]
    lines.insert(4, '{"id": "broken", "text": ')
    result = _train_bad(tmp_path, tiny_toml, "train.jsonl", "\n".join(lines) + "\n")
    assert "train.jsonl:5: invalid JSON" in assert_bad_input(result)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("train.jsonl", "", "no labelled passages found"),
        ("train.jsonl", "  \n\n\t\n", "no labelled passages found"),
        ("train.jsonl", b"\x00\x01\x02\x03", "binary file, expected UTF-8 text"),
        ("train.jsonl", '{"id": "x", "labels": []}\n', "train.jsonl:1: 'text' is missing"),
    ],
)
def test_train_refuses_unusable_files(
    tmp_path: Path, tiny_toml: Path, name: str, content: str | bytes, message: str
) -> None:
    assert message in assert_bad_input(_train_bad(tmp_path, tiny_toml, name, content))


def test_train_on_a_single_article_is_bad_input(tmp_path: Path, tiny_toml: Path) -> None:
    rows = [dict(r, article_id="one") for r in corpus_rows()]
    content = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    line = assert_bad_input(_train_bad(tmp_path, tiny_toml, "train.jsonl", content))
    assert "at least 2 articles" in line


def test_train_with_a_bad_config(train_file: Path, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[train]\nword_bits = 40\n", encoding="utf-8")
    result = invoke("train", train_file, "-o", tmp_path / "m", "--config", config, "--no-cv")
    assert "word_bits and char_bits must lie in 10..24" in assert_bad_input(result)


# -- score --------------------------------------------------------------------------------------


def test_score_jsonl(tiny_model_dir: Path, articles_file: Path) -> None:
    result = invoke("score", articles_file, "-m", tiny_model_dir)
    assert_clean(result)
    out = records(result)
    assert [r["id"] for r in out] == [a["id"] for a in ARTICLES]
    assert all(set(r["scores"]) == set(LABELS) for r in out)
    assert stderr_lines(result) == ["scored 3 article(s), 0 error(s)"]


def test_score_table(tiny_model_dir: Path, articles_file: Path) -> None:
    result = invoke("score", articles_file, "-m", tiny_model_dir, "--format", "table")
    assert_clean(result)
    assert result.stdout.count("● ") == len(ARTICLES)
    assert "a-plain" in result.stdout


def test_score_to_a_file(tiny_model_dir: Path, articles_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "scored.jsonl"
    result = invoke("score", articles_file, "-m", tiny_model_dir, "-o", out)
    assert_clean(result)
    assert result.stdout == ""
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [a["id"] for a in ARTICLES]


def test_score_stdin(tiny_model_dir: Path) -> None:
    feed = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES)
    result = invoke("score", "-", "-m", tiny_model_dir, input=feed)
    assert_clean(result)
    assert [r["id"] for r in records(result)] == [a["id"] for a in ARTICLES]
    assert {r["source"] for r in records(result)} == {"<stdin>"}


def test_score_uses_the_environment_model(
    tiny_model_dir: Path, articles_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRAMING_MODEL", str(tiny_model_dir))
    assert_clean(invoke("score", articles_file))


def test_score_missing_model_directory(articles_file: Path, tmp_path: Path) -> None:
    result = invoke("score", articles_file, "-m", tmp_path / "no-model")
    line = assert_bad_input(result)
    assert (
        line
        == f"error: {tmp_path / 'no-model'}: model directory not found; train one with 'framing train --out DIR'"
    )
    assert len(stderr_lines(result)) == 1
    assert result.stdout == ""


def test_score_tampered_model(tiny_model_dir: Path, articles_file: Path, tmp_path: Path) -> None:
    import shutil

    copy = Path(shutil.copytree(tiny_model_dir, tmp_path / "m"))
    (copy / "model.joblib").write_bytes((copy / "model.joblib").read_bytes() + b"\0")
    line = assert_bad_input(invoke("score", articles_file, "-m", copy))
    assert "does not match the manifest" in line


def _score_one(path: Path, model: Path) -> tuple[Any, list[dict[str, Any]]]:
    result = invoke("score", path, "-m", model)
    return result, records(result)


@pytest.mark.parametrize("content", [b"", b"   \n\n\t  \n"], ids=["empty", "whitespace"])
def test_score_empty_file(tiny_model_dir: Path, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(content)
    result, out = _score_one(path, tiny_model_dir)
    assert_bad_input(result)
    assert out == [
        {"id": str(path), "source": str(path), "error": f"{path}: empty article (no text)"}
    ]
    assert len(stderr_lines(result)) == 1


def test_score_invalid_utf8_is_replaced_with_a_warning(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Unterstützen Sie uns mit Ihrer Spende.".encode("latin-1"))
    result, out = _score_one(path, tiny_model_dir)
    assert_clean(result)
    (record,) = out
    assert "\ufffd" in record["passages"][0]["text"]
    warnings = [line for line in stderr_lines(result) if "invalid UTF-8" in line]
    assert warnings == [
        f"WARNING: {path}: invalid UTF-8; undecodable bytes were replaced with U+FFFD"
    ]


def test_score_binary_file(tiny_model_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg.txt"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)))
    result, out = _score_one(path, tiny_model_dir)
    assert_bad_input(result)
    assert out == [
        {"id": str(path), "source": str(path), "error": f"{path}: binary file, not text"}
    ]


def test_score_malformed_jsonl_line_among_good_ones(tiny_model_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    good = [json.dumps(a, ensure_ascii=False) for a in ARTICLES]
    path.write_text(
        "\n".join([good[0], '{"id": "x", "text": "cut', good[1], good[2]]) + "\n", encoding="utf-8"
    )
    result, out = _score_one(path, tiny_model_dir)
    line = assert_bad_input(result)
    assert [r["id"] for r in out] == ["a-box", f"{path}:2", "a-plain", "a-ru"]
    assert out[1]["error"].startswith(f"{path}:2: invalid JSON")
    assert all("scores" in out[i] for i in (0, 2, 3))
    assert f"{path}:2: invalid JSON" in line


def test_score_record_without_text_keeps_its_id(tiny_model_dir: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "feed.jsonl", [{"id": "no-text", "title": "Hi"}, ARTICLES[1]])
    result, out = _score_one(path, tiny_model_dir)
    assert_bad_input(result)
    assert out[0] == {"id": "no-text", "source": str(path), "error": f"{path}:1: 'text' is missing"}
    assert out[1]["id"] == "a-plain" and "scores" in out[1]


def test_score_directory_with_mixed_files(tiny_model_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "mixed"
    (root / "deep" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_text("Foto: Reuters\n\nRain today.", encoding="utf-8")
    (root / "b.html").write_text("<p>Hello</p><p>Mehr zum Thema</p>", encoding="utf-8")
    write_jsonl(root / "deep" / "c.jsonl", ARTICLES)
    (root / "deep" / "deeper" / "d.htm").write_text("<div>Share this</div>", encoding="utf-8")
    (root / "deep" / "e.txt").write_bytes(b"\x00\x00\x00binary")
    (root / "f.docx").write_bytes(b"PK\x03\x04")
    (root / "README").write_text("no suffix", encoding="utf-8")
    result = invoke("score", root, "-m", tiny_model_dir)
    out = records(result)
    assert [r["id"] for r in out] == [
        str(root / "a.txt"),
        str(root / "b.html"),
        *(a["id"] for a in ARTICLES),
        str(root / "deep" / "e.txt"),  # a folder's files come before its subfolders
        str(root / "deep" / "deeper" / "d.htm"),
    ]
    assert out[-2]["error"] == f"{root / 'deep' / 'e.txt'}: binary file inside a text folder"
    assert all("scores" in r for i, r in enumerate(out) if i != len(out) - 2)
    assert f"WARNING: {root}: skipped 2 file(s) that are not .txt, .html, .jsonl or .warc" in (
        stderr_lines(result)
    )
    assert_bad_input(result)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_score_folder_with_a_symlink_loop(tiny_model_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "loop"
    root.mkdir()
    (root / "a.txt").write_text("Some text.", encoding="utf-8")
    os.symlink(root, root / "again")
    result = invoke("score", root, "-m", tiny_model_dir)
    assert_clean(result)
    assert [r["id"] for r in records(result)] == [str(root / "a.txt")]
    assert any("symlink loop" in line for line in stderr_lines(result))


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_score_a_symlink_loop_file(tiny_model_dir: Path, tmp_path: Path) -> None:
    os.symlink(tmp_path / "b.txt", tmp_path / "a.txt")
    os.symlink(tmp_path / "a.txt", tmp_path / "b.txt")
    result = invoke("score", tmp_path / "a.txt", "-m", tiny_model_dir)
    assert_clean(result, 2)
    (line,) = stderr_lines(result)
    assert line.startswith(f"error: {tmp_path / 'a.txt'}: ")


def _big_line(size: int) -> str:
    sentence = (
        "Unterstützen Sie uns mit Ihrer Spende und teilt unsere Artikel gern überall. "
        "Heavy rain is expected on Thursday. Переговоры прошли в закрытом режиме. "
    )
    return sentence * (size // len(sentence.encode("utf-8")) + 1)


@pytest.mark.slow
def test_score_a_50_mb_single_line(tiny_model_dir: Path, tmp_path: Path) -> None:
    text = _big_line(50 * 1024 * 1024)
    path = tmp_path / "huge.txt"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size >= 50 * 1024 * 1024
    result, out = _score_one(path, tiny_model_dir)
    assert_clean(result)
    (record,) = out
    (passage,) = record["passages"]
    assert (passage["start"], passage["end"]) == (0, len(text.rstrip()))
    assert record["flagged"], "the repeated appeal should flag something"
    assert all(passage["evidence"][label] for label in passage["flagged"])


def test_score_a_1_mb_single_line(tiny_model_dir: Path, tmp_path: Path) -> None:
    # The quick cousin of the 50 MB test: a single huge passage must stay linear in time
    # (quoting evidence once re-cleaned the passage for every word pair).
    path = tmp_path / "big.txt"
    path.write_text(_big_line(1024 * 1024), encoding="utf-8")
    result, out = _score_one(path, tiny_model_dir)
    assert_clean(result)
    (record,) = out
    (passage,) = record["passages"]
    assert passage["end"] - passage["start"] == len(path.read_text(encoding="utf-8").strip())


# -- evaluate -------------------------------------------------------------------------------------


@pytest.fixture
def heldout(tmp_path: Path) -> Path:
    """Held-out passages; the first is plain weather text labelled credit_line on purpose,
    which no model trained on the corpus gets right, so macro F1 stays far below 0.99."""
    return write_jsonl(
        tmp_path / "heldout.jsonl",
        [
            {
                "id": "h1",
                "text": "Snow will fall in the Alps tomorrow morning.",
                "labels": ["credit_line"],
            },
            {
                "id": "h2",
                "text": "Unterstützen Sie uns mit einer Spende ab 5 Euro.",
                "labels": ["donation_appeal"],
            },
            {"id": "h3", "text": "The ministers met for two hours on Monday.", "labels": []},
        ],
    )


def test_evaluate_json(tiny_model_dir: Path, heldout: Path) -> None:
    result = invoke("evaluate", "--data", heldout, "-m", tiny_model_dir, "--bootstrap", "20")
    assert_clean(result)
    (document,) = records(result)
    assert document["passed"] is True and document["failures"] == []
    assert set(document["passage"]["per_label"]) == set(LABELS)
    assert document["passage"]["per_label"]["credit_line"]["recall"] == 0.0
    assert document["article"]["n"] == 3


def test_evaluate_markdown(tiny_model_dir: Path, heldout: Path) -> None:
    result = invoke(
        "evaluate", "-d", heldout, "-m", tiny_model_dir, "-f", "markdown", "--bootstrap", "0"
    )
    assert_clean(result)
    assert result.stdout.startswith("# Evaluation")
    assert "| credit_line |" in result.stdout


def test_evaluate_below_the_gate_exits_4(tiny_model_dir: Path, heldout: Path) -> None:
    result = invoke(
        "evaluate",
        "--data",
        heldout,
        "-m",
        tiny_model_dir,
        "--min-macro-f1",
        "0.99",
        "--bootstrap",
        "0",
    )
    assert_clean(result, 4)
    (document,) = records(result)
    assert document["passed"] is False
    failures = [line for line in stderr_lines(result) if line.startswith("check failed: ")]
    assert len(failures) == 1 and failures[0].startswith("check failed: macro_f1 ")
    assert "< 0.99 (weakest: " in failures[0]


def test_evaluate_per_label_gate(tiny_model_dir: Path, heldout: Path) -> None:
    result = invoke(
        "evaluate",
        "-d",
        heldout,
        "-m",
        tiny_model_dir,
        "--min-f1",
        "credit_line=0.5",
        "--bootstrap",
        "0",
    )
    assert_clean(result, 4)
    assert "check failed: credit_line: f1 0.0 < 0.5" in stderr_lines(result)


def test_evaluate_bad_gate_syntax(tiny_model_dir: Path, heldout: Path) -> None:
    result = invoke("evaluate", "-d", heldout, "-m", tiny_model_dir, "--min-f1", "credit_line")
    assert "--min-f1 takes LABEL=NUMBER" in assert_bad_input(result)


def test_evaluate_missing_model(heldout: Path, tmp_path: Path) -> None:
    assert_bad_input(
        invoke("evaluate", "-d", heldout, "-m", tmp_path / "none"), "model directory not found"
    )


def test_evaluate_data_with_labels_the_model_lacks(tiny_model_dir: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "x.jsonl", [{"id": "a", "text": "Hi", "labels": ["paywall"]}])
    line = assert_bad_input(invoke("evaluate", "-d", path, "-m", tiny_model_dir))
    assert "x.jsonl:1: unknown label(s) 'paywall'" in line


def test_evaluate_cross_validation(train_file: Path, tiny_toml: Path) -> None:
    result = invoke(
        "evaluate", "--cv", "2", "-d", train_file, "--config", tiny_toml, "--bootstrap", "10"
    )
    assert_clean(result)
    (document,) = records(result)
    assert document["folds"] == 2
    assert document["passage"]["n"] == len(corpus_rows())


# -- labels check ---------------------------------------------------------------------------------


def test_labels_check_clean_data(data_dir: Path) -> None:
    result = invoke("labels", "check", data_dir)
    assert_clean(result)
    assert "| passages |" in result.stdout
    assert stderr_lines(result)[-1] == "0 error(s), 0 warning(s)"


def test_labels_check_json(data_dir: Path) -> None:
    result = invoke("labels", "check", data_dir, "--format", "json")
    assert_clean(result)
    (document,) = records(result)
    assert document["errors"] == 0
    assert document["counts"]["train"]["passages"] == len(corpus_rows())


def test_labels_check_unknown_label_exits_4(tmp_path: Path) -> None:
    write_labels(tmp_path / "labels.txt")
    rows = corpus_rows()
    rows[1]["labels"] = ["donation"]
    path = write_jsonl(tmp_path / "train.jsonl", rows)
    result = invoke("labels", "check", tmp_path)
    assert_clean(result, 4)
    lines = stderr_lines(result)
    assert (
        f"{path}:2: error: unknown label(s) 'donation'; add them to labels.txt or fix the spelling"
        in lines
    )
    assert lines[-1] == "1 error(s), 0 warning(s)"


def test_labels_check_with_a_broken_label_set(tmp_path: Path, data_dir: Path) -> None:
    labels = tmp_path / "labels.txt"
    labels.write_text("a b\n", encoding="utf-8")
    result = invoke("labels", "check", data_dir, "--labels", labels)
    assert "label 'a b' contains whitespace" in assert_bad_input(result)


# -- explain --------------------------------------------------------------------------------------


def test_explain_text(tiny_model_dir: Path) -> None:
    result = invoke("explain", "Unterstützen Sie uns mit Ihrer Spende.", "-m", tiny_model_dir)
    assert_clean(result)
    for label in LABELS:
        assert label in result.stdout


def test_explain_one_label_from_a_file(tiny_model_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Foto: Reuters\n\nUnterstützen Sie uns mit Ihrer Spende.", encoding="utf-8")
    result = invoke("explain", "--file", path, "--label", "donation_appeal", "-m", tiny_model_dir)
    assert_clean(result)
    assert "donation_appeal" in result.stdout
    assert "credit_line" not in result.stdout


def test_explain_unknown_label(tiny_model_dir: Path) -> None:
    result = invoke("explain", "Some text.", "--label", "nope", "-m", tiny_model_dir)
    assert "unknown label(s) nope" in assert_bad_input(result)


def test_explain_missing_model(tmp_path: Path) -> None:
    assert_bad_input(invoke("explain", "Some text.", "-m", tmp_path / "none"))


def test_python_dash_m_runs_the_cli(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import runpy
    import sys

    monkeypatch.setattr(sys, "argv", ["framing", "--help"])
    with pytest.raises(SystemExit) as info:
        runpy.run_module("framing", run_name="__main__")
    assert info.value.code == 0
    assert "Usage: framing" in capsys.readouterr().out
