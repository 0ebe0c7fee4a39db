from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from framing.segment import html_to_text, segment_article


def test_blank_lines_split_paragraphs_and_offsets_point_into_the_text() -> None:
    text = "  First paragraph.\nstill first.\n\n\n Second one. \n \t\nThird.\n"
    passages = segment_article(text)
    assert [p.text for p in passages] == [
        "First paragraph.\nstill first.",
        "Second one.",
        "Third.",
    ]
    assert [p.index for p in passages] == [0, 1, 2]
    for p in passages:
        assert text[p.start : p.end] == p.text


def test_text_without_blank_lines_splits_on_every_line() -> None:
    text = "Headline\nFirst line of the story.\n  Second line.  \n"
    passages = segment_article(text)
    assert [p.text for p in passages] == ["Headline", "First line of the story.", "Second line."]
    assert all(text[p.start : p.end] == p.text for p in passages)


def test_windows_line_endings() -> None:
    text = "One.\r\n\r\nTwo.\r\n"
    passages = segment_article(text)
    assert [p.text for p in passages] == ["One.", "Two."]
    assert all(text[p.start : p.end] == p.text for p in passages)


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", " \t\r\n \n"])
def test_empty_or_whitespace_gives_no_passage(text: str) -> None:
    assert segment_article(text) == []


def test_repeated_paragraph_points_at_the_first() -> None:
    passages = segment_article("Alpha beta.\n\nGamma.\n\nALPHA   beta.\n\nGamma.")
    assert [p.duplicate_of for p in passages] == [None, None, 0, 1]


def test_non_str_is_rejected() -> None:
    with pytest.raises(TypeError, match="expects a str"):
        segment_article(b"bytes")  # type: ignore[arg-type]


def test_seed_004_body_scraped_twice_is_marked_duplicate() -> None:
    path = ROOT / "data" / "examples" / "004_12b753c578a20ed6.txt"
    if not path.exists():
        pytest.skip("data/examples/004_*.txt is not in this checkout")
    text = Path(path).read_text(encoding="utf-8")
    passages = segment_article(text)
    credits = [p for p in passages if p.text == "(Mit Beiträgen von Agenturen)"]
    assert len(credits) == 2
    assert credits[0].duplicate_of is None
    assert credits[1].duplicate_of == credits[0].index
    duplicated = [p for p in passages if p.duplicate_of is not None]
    assert len(duplicated) == len(passages) - len(duplicated) - 1  # all but the first line repeat


def test_html_to_text_keeps_boilerplate_blocks_and_drops_scripts() -> None:
    html = (
        "<html><head><title>T</title><style>p {}</style></head><body>"
        "<p>Story <b>text</b> &amp; more.</p>"
        "<div class='donate'>Support us from&nbsp;$2</div>"
        "<script>track()</script><ul><li>Read more &gt;&gt;</li></ul>"
        "<p>Line<br>break</p></body></html>"
    )
    text = html_to_text(html)
    assert text.split("\n\n") == [
        "Story text & more.",
        "Support us from $2",
        "Read more >>",
        "Line",
        "break",
    ]
    assert "track" not in text and "p {}" not in text


def test_html_to_text_of_text_without_tags_is_the_text() -> None:
    assert html_to_text("Just words") == "Just words"
    assert html_to_text("") == ""
