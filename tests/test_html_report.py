"""The HTML reports: escaping, evidence marks, the label filter, collapsed articles, error
records, the evaluation page, the CLI paths, `explain`, and the page in headless Chromium."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS
from typer.testing import CliRunner

import framing
from framing import render
from framing.cli import app
from framing.html_report import (
    mark_evidence,
    precision_recall_curve,
    term_pattern,
    write_evaluation_report,
    write_score_report,
)
from framing.records import (
    ArticleError,
    ArticleScore,
    LabelledPassage,
    LabelMetrics,
    LevelMetrics,
    Metrics,
    PassageScore,
    Verdict,
)

LABELS = ("donation_appeal", "censorship_claim", "credit_line")
THRESHOLDS = (0.5, 0.4, 0.3)
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def passage(
    index: int,
    text: str,
    flagged: tuple[str, ...] = (),
    evidence: dict[str, tuple[str, ...]] | None = None,
    *,
    duplicate_of: int | None = None,
) -> PassageScore:
    scores = {label: (0.9 if label in flagged else 0.05) for label in LABELS}
    return PassageScore(
        index, 0, len(text), text, scores, flagged, evidence or {}, duplicate_of=duplicate_of
    )


def article(
    article_id: str, *passages: PassageScore, outlet: str | None = None, source: str = ""
) -> ArticleScore:
    flagged = tuple(label for label in LABELS if any(label in p.flagged for p in passages))
    scores = {label: max(p.scores[label] for p in passages) for label in LABELS}
    return ArticleScore(
        article_id,
        source or article_id,
        scores,
        flagged,
        tuple(passages),
        outlet=outlet,
        duplicated_passages=sum(p.duplicate_of is not None for p in passages),
    )


def page_of(*results: ArticleScore | ArticleError, **options: object) -> str:
    stream = io.StringIO()
    write_score_report(results, stream, labels=LABELS, thresholds=THRESHOLDS, **options)  # type: ignore[arg-type]
    return stream.getvalue()


DONATION = article(
    "a-1",
    passage(0, "The minister arrived in Rome."),
    passage(
        1,
        "Support us from $2 a month. SUPPORT matters to supporters.",
        ("donation_appeal",),
        {"donation_appeal": ("support", "a month")},
    ),
    outlet="Example Times",
)


# -- escaping -------------------------------------------------------------------------------
def test_untrusted_text_is_escaped_everywhere() -> None:
    page = page_of(
        article(
            HOSTILE,
            passage(0, "Before " + HOSTILE, ("donation_appeal",), {"donation_appeal": ("script",)}),
            passage(1, HOSTILE),
            outlet=HOSTILE,
            source="https://evil.example/" + HOSTILE,
        ),
        ArticleError(HOSTILE, HOSTILE, "bad row: " + HOSTILE),
    )
    assert page.count("<script") == 1  # the report's own script, at the end
    assert "<img" not in page
    assert "&lt;script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    # An evidence match inside hostile text is marked, and the text around it stays escaped.
    assert '&lt;<mark class="l0" title="evidence: donation_appeal">script</mark>&gt;' in page


def test_attributes_cannot_be_broken_out_of() -> None:
    quoted = '" onmouseover="alert(1)'
    page = page_of(article(quoted, passage(0, "text")), title=quoted)
    assert 'onmouseover="alert' not in page
    assert "&quot; onmouseover=&quot;alert(1)" in page


def test_labels_become_classes_by_position_not_name() -> None:
    stream = io.StringIO()
    hostile_label = 'x" onclick="alert(1)'
    write_score_report(
        [article("a", passage(0, "t"))], stream, labels=(hostile_label,), thresholds=(0.5,)
    )
    page = stream.getvalue()
    assert 'onclick="alert' not in page
    assert 'value="l0"' in page


# -- evidence marks -------------------------------------------------------------------------
def test_marks_wrap_case_insensitive_whole_word_matches() -> None:
    marked = mark_evidence(
        "Support us from $2 a month. SUPPORT matters to supporters.",
        {"donation_appeal": ("support", "a month")},
        {"donation_appeal": 0},
    )
    found = re.findall(r"<mark[^>]*>(.*?)</mark>", marked)
    assert found == ["Support", "a month", "SUPPORT"]
    assert "supporters" in marked and "<mark" not in marked.split("SUPPORT</mark>")[1]


def test_marks_of_two_labels_and_multiword_terms() -> None:
    marked = mark_evidence(
        "Wir lassen uns nicht\nzum Schweigen bringen.",
        {"a": ("uns", "zum schweigen"), "b": ("schweigen",)},
        {"a": 0, "b": 1},
    )
    assert '<mark class="l0" title="evidence: a">uns</mark>' in marked
    assert 'nicht\n<mark class="l0" title="evidence: a">zum </mark>' in marked
    assert '<mark class="l0" title="evidence: a, b">Schweigen</mark>' in marked


def test_term_pattern_handles_punctuation_and_sharp_s() -> None:
    assert term_pattern("$").search("from $2")  # type: ignore[union-attr]
    assert term_pattern("grosse").search("Große Hilfe")  # type: ignore[union-attr]
    assert term_pattern("   ") is None


def test_flagged_passage_is_highlighted_with_its_evidence() -> None:
    page = page_of(DONATION)
    assert page.count('class="passage flagged l0"') == 1
    assert '<mark class="l0" title="evidence: donation_appeal">Support</mark>' in page
    assert "<code>a month</code>" in page
    assert '<li class="passage"><span class="idx">#0</span>' in page


# -- structure: filter, collapsed articles, errors, summary -------------------------------------
def test_label_filter_has_one_checkbox_per_label_and_errors() -> None:
    page = page_of(DONATION)
    boxes = re.findall(r'<input type="checkbox" name="label" value="([^"]+)">', page)
    assert boxes == ["l0", "l1", "l2", "err"]
    assert 'data-labels="l0"' in page
    assert "addEventListener('change',apply)" in page


def test_articles_are_collapsed_unless_asked() -> None:
    second = article("a-2", passage(0, "Nothing here."))
    page = page_of(DONATION, second)
    tags = re.findall(r"<details[^>]*>", page)
    assert len(tags) == 2 and not any(" open" in tag for tag in tags)
    opened = re.findall(r"<details[^>]*>", page_of(DONATION, second, expanded={"a-2"}))
    assert [" open" in tag for tag in opened] == [False, True]


def test_error_records_are_shown_in_place_and_counted() -> None:
    stream = io.StringIO()
    counts = write_score_report(
        [DONATION, ArticleError("feed.jsonl:3", "feed.jsonl", "feed.jsonl:3: 'text' is empty")],
        stream,
        labels=LABELS,
        thresholds=THRESHOLDS,
    )
    page = stream.getvalue()
    assert (counts.scored, counts.errors) == (1, 1)
    assert '<details class="article error" id="article-1" data-labels="err">' in page
    assert "feed.jsonl:3: &#x27;text&#x27; is empty" in page
    assert "<b>1</b><span>errors</span>" in page


def test_summary_counts_labels_outlets_and_repeats() -> None:
    repeated = article(
        "a-2",
        passage(0, "Foto: Reuters", ("credit_line",)),
        passage(1, "Foto: Reuters", ("credit_line",), duplicate_of=0),
        source="https://www.example.org/story",
    )
    page = page_of(DONATION, repeated)
    summary = page[page.index('<section id="summary"') :]
    assert "<b>2</b><span>articles scored</span>" in summary
    assert "<b>3</b><span>passages</span>" in summary  # the repeat is scored once
    assert "<td>Example Times</td>" in summary and "<td>example.org</td>" in summary
    assert "repeats #0, scored once" in page


def test_page_is_self_contained() -> None:
    page = page_of(DONATION)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "default-src 'none'" in page


def test_sections_stream_as_results_arrive() -> None:
    seen: list[int] = []
    stream = io.StringIO()

    def results() -> Iterator[ArticleScore]:
        for n in range(3):
            seen.append(len(stream.getvalue()))
            yield article(f"a-{n}", passage(0, "x"))

    write_score_report(results(), stream, labels=LABELS, thresholds=THRESHOLDS)
    assert seen[0] < seen[1] < seen[2]  # each article was written before the next was read


# -- evaluation page -------------------------------------------------------------------------
def test_precision_recall_curve_and_average_precision() -> None:
    curve = precision_recall_curve(np.array([0.9, 0.8, 0.8, 0.1]), np.array([1, 0, 1, 0]))
    assert curve.recall == (0.5, 1.0, 1.0)
    assert curve.precision == (1.0, 0.6667, 0.5)
    assert curve.average_precision == pytest.approx(0.8333, abs=1e-4)
    assert precision_recall_curve(np.array([0.2]), np.array([0])).recall == ()


def test_evaluation_report_with_details(tiny_model: framing.FramingModel) -> None:
    passages = _labelled_passages()
    details = framing.evaluation_details(passages, tiny_model, bootstrap=20)
    assert details.probabilities.shape == (len(passages), len(tiny_model.labels))
    assert framing.evaluate(passages, tiny_model, bootstrap=20) == details.metrics
    stream = io.StringIO()
    verdict = Verdict(False, ("macro_f1 0.1 < 0.9 <weakest>",))
    write_evaluation_report(details.metrics, stream, details=details, verdict=verdict)
    page = stream.getvalue()
    assert page.count('aria-label="precision-recall curve of') == len(tiny_model.labels)
    assert page.count('aria-label="confusion counts, passages"') == len(tiny_model.labels)
    assert "gate failed" in page and "&lt;weakest&gt;" in page
    assert "macro F1 · 95% CI" in page
    assert '<th class="n">precision</th>' in page


def test_evaluation_report_without_details_says_why() -> None:
    per_label = {label: LabelMetrics(0.5, 0.5, 0.5, 4) for label in LABELS}
    level = LevelMetrics(0.5, 0.5, per_label, n=12, macro_f1_ci=(0.4, 0.6))
    stream = io.StringIO()
    write_evaluation_report(Metrics(passage=level, article=level, folds=5), stream)
    page = stream.getvalue()
    assert "grouped 5-fold cross-validation" in page
    assert "macro F1 · 95% CI 0.400–0.600" in page
    assert "<svg" not in page and "cross-validation reports the tables only" in page


def _labelled_passages() -> list[LabelledPassage]:
    return [
        LabelledPassage(pid, text, labels, article_id or pid, lang)
        for pid, lang, labels, text, article_id in CORPUS
    ]


# -- CLI ------------------------------------------------------------------------------------
def test_cli_score_html_to_file_and_stdout(
    tiny_model_dir: Path, articles_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    runner = CliRunner()
    result = runner.invoke(
        app, ["score", str(articles_file), "-m", str(tiny_model_dir), "-f", "html", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.count('<details class="article') == 3
    assert "scored 3 article(s), 0 error(s)" in result.stderr
    to_stdout = runner.invoke(
        app, ["score", str(articles_file), "-m", str(tiny_model_dir), "-f", "html"]
    )
    assert to_stdout.exit_code == 0
    assert to_stdout.stdout.startswith("<!DOCTYPE html>")


def test_cli_evaluate_html(tiny_model_dir: Path, train_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "eval.html"
    result = CliRunner().invoke(
        app,
        ["evaluate", "-m", str(tiny_model_dir), "-d", str(train_file), "-f", "html",
         "-o", str(out), "--bootstrap", "20"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "Passage level" in page and "Article level" in page
    assert page.count("<svg") == 3 * 9  # a curve and two confusion grids per label


def test_explain_reads_as_plain_text(tiny_model: framing.FramingModel) -> None:
    text = "Bei seiner Ankunft wurde der Kanzler in Rom empfangen.\n\n" + (
        "Unterstützen Sie uns mit Ihrer Spende, schon ab 2 Euro im Monat."
    )
    explained = render.explain(text, tiny_model, labels=["donation_appeal", "credit_line"])
    lines = explained.splitlines()
    assert lines[0].startswith("2 passages;")
    assert lines[2].startswith("donation_appeal  ") and "FLAGGED" in lines[2]
    assert lines[3].startswith('  passage #1: "Unterstützen Sie uns')
    assert any(line.startswith("  up     unterstützen +") for line in lines)
    assert any(line.startswith("  other  base ") for line in lines)
    assert all(len(line) <= 100 for line in lines)
    assert "<" not in explained


# -- the page in a real browser ----------------------------------------------------------------
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def dump_dom(page: Path, profile: Path) -> str:
    """The DOM of a page after its scripts ran, from headless Chromium."""
    done = subprocess.run(
        [
            CHROMIUM or "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_report_renders_in_headless_chromium(
    tiny_model_dir: Path, articles_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        app, ["score", str(articles_file), "-m", str(tiny_model_dir), "-f", "html", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    dom = dump_dom(out, tmp_path / "profile")
    # The highlighted passages, their marks and the label filter are in the rendered DOM...
    assert re.search(r'<li class="passage flagged l\d+"', dom)
    assert re.search(r'<mark class="l\d+" title="evidence: [a-z_, ]+">', dom)
    assert 'id="controls"' in dom and 'value="l0"' in dom
    # ...and the script ran: it counted the articles and filled the filter's counts.
    assert '<span id="shown">3 of 3 articles shown</span>' in dom
    flagged = re.findall(r'<details class="article flagged"[^>]*data-labels="([^"]*)"', dom)
    assert flagged and all(tag not in ("", None) for tag in flagged)

    # With one label's box ticked, the filter hides every article without that label.
    label = flagged[0].split()[0]
    ticked = out.read_text(encoding="utf-8").replace(
        f'name="label" value="{label}">', f'name="label" value="{label}" checked>'
    )
    out.write_text(ticked, encoding="utf-8")
    dom = dump_dom(out, tmp_path / "profile")
    articles = re.findall(r'<details class="article[^"]*"[^>]*>', dom)
    shown = [tag for tag in articles if "hidden" not in tag]
    assert shown and len(shown) < len(articles)
    assert all(re.search(rf'data-labels="[^"]*\b{label}\b', tag) for tag in shown)
