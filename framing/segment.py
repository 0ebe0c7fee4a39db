"""Article -> passages, each with character offsets into the original text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from framing.records import Passage

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_LINE = re.compile(r"\n")
_SPACE = re.compile(r"\s+")

# Tags whose start or end closes a block of visible text: each block becomes a passage.
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "button",
        "option",
        "title",
    ]
)
_HIDDEN_TAGS = frozenset(
    ["script", "style", "noscript", "template", "svg", "head", "iframe", "object", "canvas"]
)


def segment_article(text: str) -> list[Passage]:
    """Split an article into paragraphs, keeping offsets and marking repeated paragraphs.

    Paragraphs are blocks separated by a blank line; a text without blank lines splits on
    every line. A paragraph whose text repeats an earlier one (a body scraped twice) gets
    ``duplicate_of`` set to the earlier paragraph's index.

    Parameters
    ----------
    text : str
        The article text.

    Returns
    -------
    list[Passage]
        Non-empty, ordered, non-overlapping passages with ``text[start:end] == passage.text``.

    Examples
    --------
    >>> [p.text for p in segment_article("One.\\n\\nTwo.\\n\\nOne.")]
    ['One.', 'Two.', 'One.']
    >>> segment_article("One.\\n\\nTwo.\\n\\nOne.")[2].duplicate_of
    0
    """
    if not isinstance(text, str):
        raise TypeError(f"segment_article expects a str, got {type(text).__name__}")
    splitter = _BLANK_LINE if _BLANK_LINE.search(text) else _LINE
    passages: list[Passage] = []
    first_seen: dict[str, int] = {}
    cursor = 0
    for match in [*splitter.finditer(text), None]:
        stop = len(text) if match is None else match.start()
        start, end = _strip_span(text, cursor, stop)
        if end > start:
            key = _SPACE.sub(" ", text[start:end]).casefold()
            index = len(passages)
            duplicate_of = first_seen.setdefault(key, index)
            passages.append(
                Passage(
                    index=index,
                    start=start,
                    end=end,
                    text=text[start:end],
                    duplicate_of=None if duplicate_of == index else duplicate_of,
                )
            )
        if match is not None:
            cursor = match.end()
    return passages


def _strip_span(text: str, start: int, stop: int) -> tuple[int, int]:
    """Shrink [start, stop) past surrounding whitespace."""
    while start < stop and text[start].isspace():
        start += 1
    while stop > start and text[stop - 1].isspace():
        stop -= 1
    return start, stop


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML page, one block per paragraph.

    Every block is kept, including donation boxes, teasers and share prompts: they are what
    framing detects, so no main-content extraction happens here.

    Examples
    --------
    >>> html_to_text("<p>Hello <b>world</b></p><div>Donate&nbsp;now</div><script>x()</script>")
    'Hello world\\n\\nDonate now'
    """
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser.text()


class _VisibleText(HTMLParser):
    """Collects visible text runs and breaks them into blocks at block-level tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._blocks: list[str] = []
        self._current: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden_depth += 1
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        """Skip a malformed ``<![...`` section like a bogus comment.

        _markupbase raises AssertionError on ``<![0`` or ``<![foo[`` (found by the fuzz
        run of issue 6); a scraped page must never crash the reader.
        """
        try:
            return int(super().parse_marked_section(i, report))
        except AssertionError:
            end = self.rawdata.find(">", i)
            return -1 if end < 0 else end + 1

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self._current.append(data)

    def _flush(self) -> None:
        block = _SPACE.sub(" ", "".join(self._current)).strip()
        if block:
            self._blocks.append(block)
        self._current = []

    def text(self) -> str:
        self._flush()
        return "\n\n".join(self._blocks)
