"""`framing score --out FILE --resume`: a killed run continues without losing or repeating
articles (issue 6, crash safety)."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import assert_bad_input
from typer.testing import CliRunner

from framing import files
from framing.cli import app
from framing.errors import InputDataError
from framing.records import Article, ArticleError, WrittenOutput
from framing.resume import skip_written

WORDS = [
    "support",
    "independent",
    "journalism",
    "donate",
    "today",
    "the",
    "president",
    "said",
    "state",
    "media",
    "reported",
    "read",
    "more",
    "follow",
    "us",
    "on",
    "telegram",
    "our",
    "site",
    "was",
    "blocked",
    "according",
    "to",
    "tass",
    "talks",
    "lasted",
    "hours",
    "unterstützen",
    "sie",
    "uns",
    "mit",
    "ihrer",
    "spende",
    "поддержите",
    "нас",
    "читайте",
    "также",
]


def generated_articles(n: int, *, seed: int = 0, paragraphs: int = 12) -> list[str]:
    """JSON Lines for n articles: repeated ids, a few error records, many paragraphs."""
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        if i % 97 == 13:
            lines.append(json.dumps({"id": f"bad-{i}"}))  # no text: an error record
            continue
        if i % 101 == 50:
            lines.append("{not json")  # an error record with a path:line id
            continue
        text = "\n\n".join(
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 40))) + "."
            for _ in range(rng.randint(2, paragraphs))
        )
        lines.append(json.dumps({"id": f"a{i % (n // 2)}", "text": text}, ensure_ascii=False))
    return lines


def write_inputs(path: Path, n: int, **kwargs: int) -> Path:
    path.write_text("\n".join(generated_articles(n, **kwargs)) + "\n", encoding="utf-8")
    return path


def input_ids(path: Path) -> list[str]:
    return [record.id for record in files.read_articles([path])]


def output_ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").split("\n")[:-1]]


def score_command(inputs: Path, model_dir: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "framing", "score", str(inputs), "-m", str(model_dir),
            "--out", str(out), *extra]  # fmt: skip


# -- the library -------------------------------------------------------------------------
def test_read_written_output_cuts_a_torn_last_line(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    whole = '{"id": "a", "scores": {}}\n{"id": "b", "error": "x"}\n'
    out.write_bytes(whole.encode() + b'{"id": "c", "sco')
    written = files.read_written_output(out)
    assert written == WrittenOutput(str(out), ("a", "b"), errors=1)
    assert out.read_text(encoding="utf-8") == whole


def test_read_written_output_cuts_a_torn_multibyte_character(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(b'{"id": "a"}\n{"id": "\xd0')  # killed inside a two-byte character
    assert files.read_written_output(out).ids == ("a",)
    assert out.read_bytes() == b'{"id": "a"}\n'


def test_read_written_output_of_a_missing_file_is_empty(tmp_path: Path) -> None:
    assert files.read_written_output(tmp_path / "new.jsonl").ids == ()
    assert not (tmp_path / "new.jsonl").exists()


@pytest.mark.parametrize("line", ["not json", '["a"]', '{"no_id": 1}', '{"id": 3}', ""])
def test_read_written_output_refuses_foreign_lines_and_changes_nothing(
    tmp_path: Path, line: str
) -> None:
    out = tmp_path / "out.jsonl"
    content = '{"id": "a"}\n' + line + '\n{"id": "tor'
    out.write_text(content, encoding="utf-8")
    with pytest.raises(InputDataError, match=r"out.jsonl:2: not a 'framing score' JSON record"):
        files.read_written_output(out)
    assert out.read_text(encoding="utf-8") == content


def test_skip_written_goes_by_position_so_repeated_ids_survive() -> None:
    records = [Article("a", "x"), ArticleError("a", "s", "e"), Article("a", "y"), Article("b", "z")]
    left = list(skip_written(records, WrittenOutput("o", ("a", "a"))))
    assert left == records[2:]


def test_skip_written_refuses_other_inputs() -> None:
    records = [Article("a", "x"), Article("b", "y")]
    with pytest.raises(InputDataError, match=r"^o:2: record 2 has id 'c' but input record 2"):
        list(skip_written(records, WrittenOutput("o", ("a", "c"))))
    with pytest.raises(InputDataError, match="holds 3 record.* only 2"):
        list(skip_written(records, WrittenOutput("o", ("a", "b", "b"))))


# -- the command -------------------------------------------------------------------------
def test_resume_after_a_torn_line_equals_a_clean_run(tmp_path: Path, tiny_model_dir: Path) -> None:
    inputs = write_inputs(tmp_path / "in.jsonl", 120, paragraphs=4)
    clean, part = tmp_path / "clean.jsonl", tmp_path / "part.jsonl"
    runner = CliRunner()
    first = runner.invoke(app, ["score", str(inputs), "-m", str(tiny_model_dir), "-o", str(clean)])
    assert first.exit_code == 3, first.output  # the generated inputs hold error records
    lines = clean.read_bytes().splitlines(keepends=True)
    part.write_bytes(b"".join(lines[:70]) + lines[70][: len(lines[70]) // 2])
    args = ["score", str(inputs), "-m", str(tiny_model_dir), "-o", str(part), "--resume"]
    again = runner.invoke(app, args)
    assert again.exit_code == 3, again.output  # the error records are in the written part
    assert "resumed after 70 record(s)" in again.stderr
    assert part.read_bytes() == clean.read_bytes()
    done = runner.invoke(app, args)  # resuming a finished output adds nothing
    assert done.exit_code == 3  # like a clean run: error records are in the output
    assert "resumed after 120 record(s)" in done.stderr
    assert "0 article(s) scored" in done.stderr
    assert part.read_bytes() == clean.read_bytes()


def test_resume_of_another_inputs_output_is_bad_input(
    tmp_path: Path, tiny_model_dir: Path, articles_file: Path
) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "someone-else", "scores": {}}\n', encoding="utf-8")
    args = ["score", str(articles_file), "-m", str(tiny_model_dir), "-o", str(out), "--resume"]
    result = CliRunner().invoke(app, args)
    assert_bad_input(result, "record 1 has id 'someone-else' but input record 1 is 'a-box'")
    assert out.read_text(encoding="utf-8") == '{"id": "someone-else", "scores": {}}\n'


@pytest.mark.parametrize("extra", [[], ["--format", "table", "-o", "x"]])
def test_resume_needs_a_jsonl_out_file(
    tiny_model_dir: Path, articles_file: Path, extra: list[str]
) -> None:
    args = ["score", str(articles_file), "-m", str(tiny_model_dir), "--resume", *extra]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "--resume needs --out FILE" in result.stderr


def test_out_to_a_directory_is_bad_input(tiny_model_dir: Path, articles_file: Path) -> None:
    args = ["score", str(articles_file), "-m", str(tiny_model_dir), "-o", str(articles_file.parent)]
    assert_bad_input(CliRunner().invoke(app, args), "cannot write")


# -- a real kill -------------------------------------------------------------------------
def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


@pytest.mark.slow
def test_a_killed_score_run_resumes_to_the_clean_output(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    """SIGKILL `framing score --out` mid-way, resume, and compare with a clean run.

    Results are written a batch (64 articles) at a time, so once the first batches are on
    disk the run has several batches of work left: the kill lands mid-way without any
    test hook in the code.
    """
    n = 300
    inputs = write_inputs(tmp_path / "in.jsonl", n)
    clean, part = tmp_path / "clean.jsonl", tmp_path / "part.jsonl"
    CliRunner().invoke(app, ["score", str(inputs), "-m", str(tiny_model_dir), "-o", str(clean)])
    expected = input_ids(inputs)
    assert output_ids(clean) == expected and len(expected) == n
    assert len(set(expected)) < n  # ids repeat, so resuming by id set would lose articles

    process = subprocess.Popen(score_command(inputs, tiny_model_dir, part), stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while _lines(part) < n // 3 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL, stderr.decode()
    killed_at = _lines(part)
    assert n // 3 <= killed_at < n, f"killed after {killed_at} of {n} records: not mid-way"

    resumed = subprocess.run(
        score_command(inputs, tiny_model_dir, part, "--resume"),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert resumed.returncode == 3, resumed.stderr  # the inputs hold error records
    assert "Traceback" not in resumed.stderr
    assert f"resumed after {killed_at} record(s)" in resumed.stderr
    assert output_ids(part) == expected  # one record per input, in order, none twice
    assert part.read_bytes() == clean.read_bytes()
