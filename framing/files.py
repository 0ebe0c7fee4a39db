"""Reading articles and labelled passages, writing JSON Lines: the only module (besides
persist.py) that touches disk. Parsing is a pure function of lines."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from framing.errors import InputDataError
from framing.records import Article, ArticleError, WrittenOutput
from framing.segment import html_to_text

log = logging.getLogger("framing")

TEXT_SUFFIXES = (".txt", ".text", ".md")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
LABEL_SUFFIXES = (".jsonl", ".csv")
STDIN = "-"
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_HINT = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")


# -- parsing (pure) ----------------------------------------------------------------------
def parse_jsonl(lines: Iterable[str], *, path: str) -> Iterator[tuple[int, Any]]:
    """Yield (line number, parsed object) for each non-blank line; a bad line yields an error.

    Examples
    --------
    >>> [(n, v) for n, v in parse_jsonl(['{"a": 1}', '', 'oops'], path="x.jsonl")][0]
    (1, {'a': 1})
    >>> isinstance(list(parse_jsonl(['oops'], path="x.jsonl"))[0][1], InputDataError)
    True
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
            if _SURROGATE_HINT.search(line):
                value = _without_surrogates(value)
        except json.JSONDecodeError as err:
            yield number, InputDataError(f"invalid JSON ({err.msg})", path=path, line=number)
        except (ValueError, RecursionError) as err:
            # json.loads raises these, not JSONDecodeError, for numbers of more than 4300
            # digits and for deep nesting (found by the fuzz run of issue 6).
            reason = "nested too deeply" if isinstance(err, RecursionError) else "too many digits"
            yield number, InputDataError(f"invalid JSON ({reason})", path=path, line=number)
        else:
            yield number, value


def _without_surrogates(value: Any) -> Any:
    """Replace lone surrogates (from ``"\\ud800"`` escapes) with U+FFFD: they cannot be
    written as UTF-8 or hashed into features."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    return value


def article_from_record(record: Any, *, path: str, line: int) -> Article | ArticleError:
    """Turn one JSONL record into an Article, or an ArticleError that keeps its id."""
    fallback_id = f"{path}:{line}"
    if isinstance(record, InputDataError):
        return ArticleError(id=fallback_id, source=path, error=str(record))
    if not isinstance(record, dict):
        error = InputDataError("a record must be a JSON object", path=path, line=line)
        return ArticleError(id=fallback_id, source=path, error=str(error))
    raw_id = record.get("id")
    article_id = str(raw_id) if isinstance(raw_id, (str, int)) and str(raw_id) else fallback_id
    text = record.get("text")
    problem = None
    if raw_id is None:
        problem = "'id' is missing; add an id to every record"
    elif text is None:
        problem = "'text' is missing"
    elif not isinstance(text, str):
        problem = f"'text' must be a string, got {type(text).__name__}"
    elif not text.strip():
        problem = "'text' is empty"
    if problem or not isinstance(text, str):
        error = InputDataError(problem or "'text' is missing", path=path, line=line)
        return ArticleError(id=article_id, source=path, error=str(error))
    return Article(
        id=article_id,
        text=text,
        source=str(record.get("url") or path),
        lang=_optional_str(record.get("lang")),
        outlet=_optional_str(record.get("outlet")),
        url=_optional_str(record.get("url")),
    )


def _optional_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def decode(data: bytes, *, path: str) -> str:
    """Decode UTF-8 (with or without BOM), replacing bad bytes and warning once per file."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("%s: invalid UTF-8; undecodable bytes were replaced with U+FFFD", path)
        return data.decode("utf-8-sig", errors="replace")


def looks_binary(data: bytes) -> bool:
    """True for data with NUL bytes in its first 8 KiB (images, archives, executables)."""
    return b"\x00" in data[:8192]


# -- reading articles ----------------------------------------------------------------------
def read_articles(
    inputs: Sequence[str | Path], *, stdin: IO[str] | None = None
) -> Iterator[Article | ArticleError]:
    """Stream articles from files, directories (recursive) and ``-`` (JSONL on stdin).

    Every input record yields exactly one Article or ArticleError, in input order.
    """
    for item in inputs:
        if str(item) == STDIN:
            stream = stdin if stdin is not None else _stdin_lines()
            for line, record in parse_jsonl(stream, path="<stdin>"):
                yield article_from_record(record, path="<stdin>", line=line)
            continue
        path = Path(item)
        if path.is_dir():
            yield from _read_directory(path)
        else:
            yield from _read_file(path, explicit=True)


def _stdin_lines() -> Iterator[str]:
    """Lines of stdin decoded as UTF-8, replacing bad bytes and warning once, at the end.

    sys.stdin itself would raise UnicodeDecodeError, or (in the C locale) pass bytes on
    as lone surrogates that crash the featurizer.
    """
    binary = getattr(sys.stdin, "buffer", None)
    if binary is None:  # a text-only replacement such as io.StringIO
        yield from sys.stdin
        return
    replaced = 0
    for number, raw in enumerate(binary, start=1):
        codec = "utf-8-sig" if number == 1 else "utf-8"
        try:
            yield raw.decode(codec)
        except UnicodeDecodeError:
            replaced += 1
            yield raw.decode(codec, errors="replace")
    if replaced:
        log.warning(
            "<stdin>: invalid UTF-8 on %d line(s); undecodable bytes were replaced with U+FFFD",
            replaced,
        )


def _read_directory(root: Path) -> Iterator[Article | ArticleError]:
    skipped = 0
    for path in walk_files(root):
        if _kind(path) is None:
            skipped += 1
            continue
        yield from _read_file(path, explicit=False)
    if skipped:
        log.warning(
            "%s: skipped %d file(s) that are not .txt, .html, .jsonl or .warc", root, skipped
        )


def walk_files(root: Path) -> Iterator[Path]:
    """Every file below ``root`` in sorted order, following no symlinked directories twice."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            info = folder.stat()
        except OSError:
            continue
        if (info.st_dev, info.st_ino) in seen:
            log.warning("%s: directory visited before (a symlink loop?); skipped", folder)
            continue
        seen.add((info.st_dev, info.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as err:
            log.warning("%s: cannot list directory (%s)", folder, err.strerror)
            continue
        subfolders = []
        for entry in entries:
            try:
                if entry.is_dir():
                    subfolders.append(Path(entry.path))
                    continue
                regular = entry.is_file()
            except OSError:  # a symlink loop: ELOOP
                regular = False
            if regular or entry.is_symlink():
                # A broken or looping symlink is yielded too: reading it gives an error
                # record instead of the file vanishing silently (issue 6).
                yield Path(entry.path)
        stack.extend(reversed(subfolders))


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    for kind, suffixes in (
        ("html", HTML_SUFFIXES),
        ("jsonl", JSONL_SUFFIXES),
        ("warc", WARC_SUFFIXES),
        ("text", TEXT_SUFFIXES),
    ):
        if name.endswith(suffixes):
            return kind
    return None


def _read_file(path: Path, *, explicit: bool) -> Iterator[Article | ArticleError]:
    kind = _kind(path) or "text"
    source = str(path)
    if kind == "warc":
        from framing.warc import read_warc

        yield from read_warc(path)
        return
    if kind == "jsonl":
        yield from _read_jsonl(path, explicit=explicit)
        return
    try:
        data = path.read_bytes()
    except OSError as err:
        yield ArticleError(
            id=source, source=source, error=f"{source}: cannot read ({err.strerror})"
        )
        return
    if looks_binary(data):
        reason = "binary file, not text" if explicit else "binary file inside a text folder"
        yield ArticleError(id=source, source=source, error=f"{source}: {reason}")
        return
    text = decode(data, path=source)
    if kind == "html":
        text = html_to_text(text)
    if not text.strip():
        yield ArticleError(id=source, source=source, error=f"{source}: empty article (no text)")
        return
    yield Article(id=source, text=text, source=source)


def _read_jsonl(path: Path, *, explicit: bool) -> Iterator[Article | ArticleError]:
    """The records of a JSON Lines file, read line by line so that memory stays flat however
    large the file is (issue 5); decoding and errors as for the other kinds."""
    source = str(path)
    invalid = [0]
    try:
        with open(path, "rb") as handle:
            if looks_binary(handle.read(8192)):
                reason = "binary file, not text" if explicit else "binary file inside a text folder"
                yield ArticleError(id=source, source=source, error=f"{source}: {reason}")
                return
            handle.seek(0)
            for line, record in parse_jsonl(_decoded_lines(handle, invalid), path=source):
                yield article_from_record(record, path=source, line=line)
    except OSError as err:
        yield ArticleError(
            id=source, source=source, error=f"{source}: cannot read ({err.strerror})"
        )
    if invalid[0]:
        log.warning("%s: invalid UTF-8; undecodable bytes were replaced with U+FFFD", source)


def _decoded_lines(handle: IO[bytes], invalid: list[int]) -> Iterator[str]:
    """Lines of a UTF-8 file (a BOM is dropped), counting lines with invalid bytes."""
    for number, raw in enumerate(handle):
        encoding = "utf-8-sig" if number == 0 else "utf-8"
        try:
            yield raw.decode(encoding)
        except UnicodeDecodeError:
            invalid[0] += 1
            yield raw.decode(encoding, errors="replace")


# -- reading labelled passages -------------------------------------------------------------
def label_files(inputs: Sequence[str | Path]) -> list[Path]:
    """The .jsonl/.csv files named or found below the inputs.

    A subfolder called ``test`` is the held-out split: it is skipped when a parent folder
    is given, and read only when named itself.
    """
    found: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for file in walk_files(path):
                relative = file.relative_to(path).parts[:-1]
                if "test" in relative:
                    continue
                if file.name.lower().endswith(LABEL_SUFFIXES):
                    found.append(file)
        elif path.exists():
            found.append(path)
        else:
            raise InputDataError("no such file or directory", path=path)
    if not found:
        joined = ", ".join(str(i) for i in inputs)
        raise InputDataError(f"no .jsonl or .csv label files found in {joined}")
    return found


def read_label_rows(path: Path) -> Iterator[tuple[int, Any]]:
    """Raw rows of one label file: (line, dict) or (line, InputDataError)."""
    data = _read_bytes(path)
    text = decode(data, path=str(path))
    if path.name.lower().endswith(".csv"):
        yield from parse_csv(text, path=str(path))
    else:
        yield from parse_jsonl(io.StringIO(text), path=str(path))


def parse_csv(text: str, *, path: str) -> Iterator[tuple[int, Any]]:
    """CSV rows with a header (``id,text,labels,...``); ``labels`` separated by ``|`` or ``;``.

    Examples
    --------
    >>> list(parse_csv('id,text,labels\\na,Hello,credit_line|promo_teaser\\n', path="x.csv"))
    [(2, {'id': 'a', 'text': 'Hello', 'labels': ['credit_line', 'promo_teaser']})]
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as err:
        yield 1, InputDataError(f"invalid CSV ({err})", path=path, line=1)
        return
    header = [h.strip() for h in header]
    if "text" not in header or "id" not in header:
        yield (
            1,
            InputDataError(
                f"CSV header must name 'id' and 'text' columns (comma-separated), got {header[:5]}",
                path=path,
                line=1,
            ),
        )
        return
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield reader.line_num, InputDataError(f"invalid CSV ({err})", path=path, line=line + 1)
            return
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield (
                line,
                InputDataError(
                    f"expected {len(header)} columns, got {len(row)}", path=path, line=line
                ),
            )
            continue
        record: dict[str, Any] = dict(zip(header, row, strict=True))
        raw = record.get("labels", "").strip()
        if raw.startswith("["):
            try:
                record["labels"] = json.loads(raw)
            except json.JSONDecodeError:
                record["labels"] = raw
        else:
            record["labels"] = [x.strip() for x in raw.replace(";", "|").split("|") if x.strip()]
        yield line, record


def read_label_set(path: Path) -> tuple[str, ...]:
    """Labels from a labels.txt: one a line, '#' comments and blank lines ignored."""
    text = decode(_read_bytes(path), path=str(path))
    labels: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        label = raw.split("#", 1)[0].strip()
        if not label:
            continue
        if any(c.isspace() for c in label):
            raise InputDataError(f"label {label!r} contains whitespace", path=path, line=number)
        if label in labels:
            raise InputDataError(f"label {label!r} listed twice", path=path, line=number)
        labels.append(label)
    if not labels:
        raise InputDataError("no labels listed", path=path)
    return tuple(labels)


def read_text_file(path: Path) -> str:
    """One text file, decoded like every input; InputDataError when unreadable or binary."""
    return decode(_read_bytes(path), path=str(path))


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputDataError(f"cannot read ({err.strerror})", path=path) from None
    if looks_binary(data):
        raise InputDataError("binary file, expected UTF-8 text", path=path)
    return data


# -- writing -------------------------------------------------------------------------------
def write_jsonl(records: Iterable[dict[str, Any]], stream: IO[str]) -> int:
    """Write one JSON object a line, flushing each, and return how many were written."""
    count = 0
    for record in records:
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        stream.flush()
        count += 1
    return count


def open_output(path: Path, *, append: bool = False) -> IO[str]:
    """Open an output file for text, line-buffered so a killed run leaves whole lines.

    Raises
    ------
    InputDataError
        When the file cannot be written (a directory, a missing folder, no permission).
    """
    try:
        return open(path, "a" if append else "w", encoding="utf-8", buffering=1)  # noqa: SIM115
    except OSError as err:
        raise InputDataError(f"cannot write ({err.strerror})", path=path) from None


def read_written_output(path: Path) -> WrittenOutput:
    """Prepare a partly written JSON Lines score output for appending; say what it holds.

    A run killed mid-write leaves at most one torn last line (no newline yet). It is cut
    off, truncating the file after its last newline, so that its record is written again
    in full. A missing file holds nothing yet. Nothing is changed when a line is invalid.

    Raises
    ------
    InputDataError
        When the file cannot be opened for writing, or a complete line is not a result or
        error record with a string ``id``.
    """
    try:
        handle = open(path, "r+b")  # noqa: SIM115 - closed below; FileNotFoundError is not an error
    except FileNotFoundError:
        return WrittenOutput(str(path), ())
    except OSError as err:
        raise InputDataError(f"cannot open to resume ({err.strerror})", path=path) from None
    ids: list[str] = []
    errors = 0
    complete = 0  # bytes up to and including the last newline
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.endswith(b"\n"):
                break
            record = _score_record(line)
            if record is None:
                raise InputDataError(
                    "not a 'framing score' JSON record with an 'id'; "
                    "resume only a file written by 'framing score --out'",
                    path=path,
                    line=number,
                )
            ids.append(record["id"])
            errors += "error" in record
            complete += len(line)
        handle.truncate(complete)
    return WrittenOutput(str(path), tuple(ids), errors)


def _score_record(line: bytes) -> dict[str, Any] | None:
    """The parsed record of one output line, or None when it is not one."""
    try:
        record = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        return None
    return record


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically (write a sibling, then rename)."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
