"""Articles from web archives (.warc, .warc.gz, and .arc via warcio's conversion).

Each successful HTML response record is one article: ``id`` is its WARC-Record-ID,
``source`` its WARC-Target-URI and the text the page's visible text, every block kept
(``segment.html_to_text``: no main-content extraction, which would delete the donation
boxes, teasers and share blocks that framing detects). Other records (requests,
metadata, images, scripts, redirects and error pages) are skipped and counted.
"""

from __future__ import annotations

import codecs
import logging
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from framing.errors import InputDataError
from framing.records import Article, ArticleError
from framing.segment import html_to_text

log = logging.getLogger("framing")

_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def read_warc(path: str | Path) -> Iterator[Article | ArticleError]:
    """Stream the HTML response records of a web archive as articles, in archive order.

    Parameters
    ----------
    path : str or Path
        A .warc, .warc.gz, .arc or .arc.gz file.

    Returns
    -------
    Iterator[Article | ArticleError]
        One Article per HTML response with status 2xx; an ArticleError for a record whose
        payload cannot be read or has no visible text, and one for a damaged archive
        (reading stops there).

    Raises
    ------
    InputDataError
        When warcio is not installed.
    """
    try:
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed
    except ImportError:
        raise InputDataError(
            "reading web archives needs warcio; install it with: pip install 'framing[warc]'",
            path=path,
        ) from None
    source = str(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after the last record
    except OSError as err:
        yield ArticleError(
            id=source, source=source, error=f"{source}: cannot read ({err.strerror})"
        )
        return
    damaged = (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error)
    skipped = replaced = read = 0
    with handle:
        records = iter(ArchiveIterator(handle, arc2warc=True))
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except damaged as err:
                reason = " ".join(str(err).split()) or type(err).__name__
                yield ArticleError(
                    id=f"{source}#{read + 1}",
                    source=source,
                    error=f"{source}: damaged web archive after {read} record(s) ({reason})",
                )
                break
            read += 1
            if not _is_html_response(record):
                skipped += 1
                continue
            record_id = record.rec_headers.get_header("WARC-Record-ID") or f"{source}#{read}"
            uri = record.rec_headers.get_header("WARC-Target-URI") or source
            try:
                payload = record.content_stream().read()
                record.raw_stream.read()  # what the payload left, e.g. a chunked trailer
            except damaged as err:
                yield ArticleError(record_id, uri, f"{uri}: cannot read the payload ({err})")
                continue
            if getattr(record.raw_stream, "limit", 0) > 0:  # warcio stops at EOF silently
                yield ArticleError(
                    record_id, uri, f"{uri}: truncated record: the archive ends inside it"
                )
                break
            html, clean = _decode(payload, record.http_headers.get_header("Content-Type") or "")
            replaced += not clean
            text = html_to_text(html)
            if not text.strip():
                yield ArticleError(record_id, uri, f"{uri}: empty article (no visible text)")
                continue
            yield Article(id=record_id, text=text, source=uri, url=uri)
    if skipped:
        log.info("%s: skipped %d record(s) that are not HTML responses", source, skipped)
    if replaced:
        log.warning(
            "%s: %d record(s) had bytes invalid in their charset; they were replaced with U+FFFD",
            source,
            replaced,
        )


def _is_html_response(record: Any) -> bool:
    """A response record with an HTTP 2xx status and an HTML content type."""
    if record.rec_type != "response" or record.http_headers is None:
        return False
    status = record.http_headers.get_statuscode() or ""
    content_type = (record.http_headers.get_header("Content-Type") or "").lower()
    return status.startswith("2") and "html" in content_type


def _decode(payload: bytes, content_type: str) -> tuple[str, bool]:
    """Decode a page by its HTTP or <meta> charset (default UTF-8); say whether it was clean."""
    found = _CHARSET.search(content_type.encode("latin-1", "replace")) or _CHARSET.search(
        payload[:4096]
    )
    try:
        encoding = codecs.lookup(found.group(1).decode("ascii")).name if found else "utf-8"
    except LookupError:  # an unknown charset name
        encoding = "utf-8"
    if encoding == "utf-8":
        encoding = "utf-8-sig"  # drops a byte order mark
    try:
        return payload.decode(encoding), True
    except UnicodeDecodeError:
        return payload.decode(encoding, errors="replace"), False


__all__ = ["read_warc"]
