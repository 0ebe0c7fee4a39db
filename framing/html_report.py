"""Render scores and evaluations as one self-contained HTML page (inline CSS, a little
inline JS, no network), for people who would rather look than read JSON.

Article text is untrusted: every string that reaches the page, text, ids, labels and
error messages alike, goes through ``html.escape``. Labels become CSS classes by their
position (``l0``, ``l1``, ...), never by their name.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING
from urllib.parse import urlsplit

import numpy as np

from framing.metrics import by_article
from framing.records import ArticleError, ArticleScore, LevelMetrics, Metrics, PassageScore, Verdict
from framing.render import RunCounts

if TYPE_CHECKING:
    from framing.api import EvaluationDetails

# Distinct, print-safe colours for the first labels; later labels walk the hue circle.
PALETTE = (
    "#c2410c",
    "#0e7490",
    "#b91c1c",
    "#7c3aed",
    "#1d4ed8",
    "#a16207",
    "#15803d",
    "#db2777",
    "#475569",
    "#0891b2",
    "#65a30d",
    "#9333ea",
)
ERROR_TAG = "err"
_WORD = re.compile(r"\w")


# -- colours and escaping -------------------------------------------------------------------
def label_colour(index: int) -> str:
    """The colour of the label at ``index``: the palette first, then spaced hues.

    Examples
    --------
    >>> label_colour(0)
    '#c2410c'
    >>> label_colour(12).startswith('#')
    True
    """
    if index < len(PALETTE):
        return PALETTE[index]
    hue = (index * 137.508) % 360.0
    return _hsl_hex(hue, 0.62, 0.38)


def _hsl_hex(hue: float, saturation: float, lightness: float) -> str:
    """An HSL colour as #rrggbb."""
    chroma = (1 - abs(2 * lightness - 1)) * saturation
    x = chroma * (1 - abs((hue / 60.0) % 2 - 1))
    m = lightness - chroma / 2
    sector = int(hue // 60) % 6
    r, g, b = [
        (chroma, x, 0.0),
        (x, chroma, 0.0),
        (0.0, chroma, x),
        (0.0, x, chroma),
        (x, 0.0, chroma),
        (chroma, 0.0, x),
    ][sector]
    return "#" + "".join(f"{round((v + m) * 255):02x}" for v in (r, g, b))


def _tint(colour: str, share: float) -> str:
    """``colour`` mixed with white, keeping ``share`` of the colour."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * share):02x}" for c in channels)


def _e(value: object) -> str:
    """Escape any value for HTML text or a double-quoted attribute."""
    return html.escape(str(value), quote=True)


# -- evidence marks ---------------------------------------------------------------------------
def term_pattern(term: str) -> re.Pattern[str] | None:
    """A case-insensitive pattern that finds an evidence term as a whole word (or words).

    Whitespace inside the term matches any run of whitespace, and a casefolded ``ss`` also
    matches ``ß``, since evidence terms are casefolded.

    Examples
    --------
    >>> bool(term_pattern("im monat").search("ab 2 Euro im\\nMonat"))
    True
    >>> term_pattern("uns").search("unsere") is None
    True
    >>> bool(term_pattern("strasse").search("Straße"))
    True
    """
    words = term.split()
    if not words:
        return None
    body = r"\s+".join(re.escape(word).replace("ss", "(?:ss|ß)") for word in words)
    if _WORD.match(term.strip()[0]):
        body = r"(?<!\w)" + body
    if _WORD.match(term.strip()[-1]):
        body += r"(?!\w)"
    return re.compile(body, re.IGNORECASE)


def mark_evidence(
    text: str, evidence: Mapping[str, Sequence[str]], label_index: Mapping[str, int]
) -> str:
    """Escaped passage text with ``<mark>`` around every case-insensitive match of an
    evidence term, coloured by the label it is evidence for.

    Where the terms of two labels overlap, the mark takes the first label's colour and
    names both in its title.

    Examples
    --------
    >>> mark_evidence("Support <us> now", {"a": ("support",)}, {"a": 0})
    '<mark class="l0" title="evidence: a">Support</mark> &lt;us&gt; now'
    """
    owners: list[tuple[int, ...]] = [()] * len(text)
    for label, terms in evidence.items():
        k = label_index.get(label, -1)
        for term in terms:
            pattern = term_pattern(term)
            if pattern is None:
                continue
            for match in pattern.finditer(text):
                for i in range(match.start(), match.end()):
                    if k not in owners[i]:
                        owners[i] = (*owners[i], k)
    names = {k: label for label, k in label_index.items()}
    out: list[str] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i < len(text) and owners[i] == owners[start]:
            continue
        chunk = _e(text[start:i])
        kinds = owners[start]
        if kinds:
            title = ", ".join(names.get(k, "?") for k in kinds)
            out.append(
                f'<mark class="{_cls(kinds[0])}" title="evidence: {_e(title)}">{chunk}</mark>'
            )
        else:
            out.append(chunk)
        start = i
    return "".join(out)


def _cls(index: int) -> str:
    return f"l{index}" if index >= 0 else "lx"


# -- precision-recall curves ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Curve:
    """A precision-recall curve: one point per distinct probability, highest first."""

    recall: tuple[float, ...]
    precision: tuple[float, ...]
    thresholds: tuple[float, ...]
    average_precision: float
    positives: int


def precision_recall_curve(probabilities: np.ndarray, truth: np.ndarray) -> Curve:
    """Precision and recall at every distinct probability cut, and the average precision.

    Examples
    --------
    >>> c = precision_recall_curve(np.array([0.9, 0.8, 0.3, 0.1]), np.array([1, 0, 1, 0]))
    >>> c.recall, c.precision, c.average_precision
    ((0.5, 0.5, 1.0, 1.0), (1.0, 0.5, 0.6667, 0.5), 0.8333)
    """
    order = np.argsort(-probabilities, kind="mergesort")
    ranked = probabilities[order]
    hits = truth[order].astype(bool)
    positives = int(hits.sum())
    if positives == 0 or len(ranked) == 0:
        return Curve((), (), (), 0.0, positives)
    true_positives = np.cumsum(hits)
    cut = np.r_[np.flatnonzero(np.diff(ranked)), len(ranked) - 1]
    tp = true_positives[cut]
    recall = tp / positives
    precision = tp / (cut + 1)
    steps = np.diff(np.r_[0.0, recall])
    return Curve(
        recall=tuple(round(float(v), 4) for v in recall),
        precision=tuple(round(float(v), 4) for v in precision),
        thresholds=tuple(float(v) for v in ranked[cut]),
        average_precision=round(float((steps * precision).sum()), 4),
        positives=positives,
    )


# -- page frame ---------------------------------------------------------------------------------
_CSS = """
:root{--ink:#1f2328;--muted:#667085;--line:#e4e7ec;--bg:#f6f7f9;--card:#fff;--accent:#1d4ed8}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;
color:var(--ink);background:var(--bg)}
header.top{background:#111827;color:#f9fafb;padding:18px 28px 16px}
header.top h1{margin:0;font-size:20px;font-weight:650;letter-spacing:.01em}
header.top p{margin:4px 0 0;color:#cbd5e1;font-size:13px}
.wrap{max-width:1180px;margin:0 auto;padding:0 24px}
main{display:flex;flex-direction:column;gap:14px;padding:14px 0 40px}
#summary{order:-1}
h2{font-size:16px;margin:0 0 10px}
h3{font-size:14px;margin:0 0 8px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px}
.tiles{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:14px}
.tile{border:1px solid var(--line);border-radius:8px;padding:6px 14px;min-width:118px;background:#fbfcfd}
.tile b{display:block;font-size:20px;font-weight:650;line-height:1.2}
.tile span{color:var(--muted);font-size:12px}
.tile.bad b{color:#b42318}.tile.good b{color:#067647}
table{border-collapse:collapse;font-size:13px;width:100%}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
th{font-weight:600;color:var(--muted);font-size:12px;background:#fafbfc}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.cols{display:grid;grid-template-columns:minmax(0,1.3fr) minmax(0,1fr);gap:18px}
@media (max-width:900px){.cols{grid-template-columns:1fr}}
.dot{display:inline-block;width:10px;height:10px;border-radius:3px;margin-right:6px;
vertical-align:-1px;background:var(--c)}
.chip{display:inline-flex;align-items:center;gap:4px;border-radius:999px;padding:1px 9px;
font-size:12px;font-weight:560;color:var(--c);background:var(--t);border:1px solid var(--c);
white-space:nowrap}
.chip.solid{color:#fff;background:var(--c)}
#controls{position:sticky;top:0;z-index:5;background:rgba(246,247,249,.96);
border-bottom:1px solid var(--line);padding:10px 0;backdrop-filter:blur(4px)}
#controls .wrap{display:flex;flex-wrap:wrap;gap:6px 8px;align-items:center}
#controls .hint{color:var(--muted);font-size:12px;margin-right:4px}
label.filter{cursor:pointer;user-select:none;opacity:.85}
label.filter input{margin:0 2px 0 0;accent-color:var(--c)}
label.filter:has(input:checked){color:#fff;background:var(--c);opacity:1}
label.filter b{font-weight:600;opacity:.75}
button{font:inherit;font-size:12px;border:1px solid var(--line);background:#fff;border-radius:6px;
padding:3px 10px;cursor:pointer}
button:hover{border-color:#98a2b3}
#shown{color:var(--muted);font-size:12px;margin-left:auto}
details.article{background:var(--card);border:1px solid var(--line);border-radius:10px;
margin:0 0 10px;border-left:4px solid #d0d5dd}
details.article.flagged{border-left-color:var(--first,#98a2b3)}
details.article.error{border-left-color:#b42318;background:#fffbfa}
details.article[hidden]{display:none}
details.article>summary{cursor:pointer;padding:10px 14px;list-style:none;display:flex;
flex-wrap:wrap;gap:6px 10px;align-items:center}
details.article>summary::-webkit-details-marker{display:none}
details.article>summary::before{content:"\\25B8";color:var(--muted);width:10px}
details.article[open]>summary::before{content:"\\25BE"}
.aid{font-weight:600;word-break:break-all}
.meta{color:var(--muted);font-size:12px}
.none{color:var(--muted);font-size:12px;font-style:italic}
.errmsg{color:#b42318;font-size:13px}
.body{padding:4px 16px 14px 16px;border-top:1px solid var(--line)}
.bars{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:3px 22px;
margin:10px 0 12px}
.bar{display:grid;grid-template-columns:196px 1fr 34px;align-items:center;gap:8px;font-size:12px}
.bar .name{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.track{position:relative;height:8px;background:#eef0f3;border-radius:4px}
.fill{position:absolute;left:0;top:0;bottom:0;border-radius:4px;background:#c4c9d1}
.bar.on .fill{background:var(--c)}
.bar.on .name{font-weight:600;color:var(--c)}
.tick{position:absolute;top:-3px;bottom:-3px;width:2px;background:#111827;opacity:.55}
.v{text-align:right;font-variant-numeric:tabular-nums;color:var(--muted)}
.bar.on .v{color:var(--ink);font-weight:600}
ol.passages{list-style:none;margin:0;padding:0}
li.passage{display:grid;grid-template-columns:34px 1fr;gap:8px;padding:6px 8px;margin:2px 0;
border-radius:6px}
li.passage .idx{color:#98a2b3;font-size:11px;text-align:right;padding-top:3px;
font-variant-numeric:tabular-nums}
li.passage .text{color:#667085;font-size:13.5px;line-height:1.45;white-space:pre-wrap;
overflow-wrap:anywhere}
li.passage.flagged{background:var(--t);box-shadow:inset 4px 0 0 var(--c)}
li.passage.flagged .text{color:var(--ink);font-size:15px;line-height:1.5}
li.passage.dup .text{color:#98a2b3}
.pmeta{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:center;margin-top:5px;font-size:12px}
.pbar{display:inline-flex;align-items:center;gap:5px}
.pbar .track{width:70px;height:6px}
.ev{color:var(--muted)}
.ev code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#fff;
border:1px solid var(--line);border-radius:4px;padding:0 4px;color:var(--ink)}
mark{background:var(--t);color:inherit;border-radius:3px;padding:0 1px;
box-shadow:inset 0 -2px 0 var(--c)}
li.passage.flagged mark{background:#fff}
.legend{display:flex;flex-wrap:wrap;gap:6px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:14px}
.lcard h3{display:flex;align-items:center;gap:2px;margin:0}
.lcard .meta{margin:0 0 6px 16px}
.levels{display:grid;grid-template-columns:repeat(auto-fit,minmax(500px,1fr));gap:14px}
.levels th,.levels td{padding:4px 6px}
td:first-child{white-space:nowrap}
.scroll{overflow-x:auto}
.guide{margin:0 0 14px;padding-left:18px;font-size:13px;color:#475467}
.guide li{margin:2px 0}
.figs{display:flex;gap:10px;align-items:flex-start;flex-wrap:wrap}
.figs figure{margin:0}
.figs figcaption{font-size:11px;color:var(--muted);text-align:center}
svg text{font:10px system-ui,sans-serif;fill:#475467}
.verdict{display:inline-block;border-radius:6px;padding:2px 10px;font-weight:650;font-size:13px}
.verdict.pass{background:#dcfae6;color:#067647}.verdict.fail{background:#fee4e2;color:#b42318}
.f1cell{display:flex;align-items:center;gap:8px;justify-content:flex-end}
.f1cell .track{width:56px}
.f1cell .fill{background:var(--c)}
footer{color:var(--muted);font-size:12px;padding:0 0 30px}
"""

_SCORE_JS = """
(function(){
  var boxes=[].slice.call(document.querySelectorAll('#controls input[type=checkbox]'));
  var articles=[].slice.call(document.querySelectorAll('details.article'));
  function tags(a){return (a.getAttribute('data-labels')||'').split(' ');}
  boxes.forEach(function(b){
    var n=articles.filter(function(a){return tags(a).indexOf(b.value)>=0;}).length;
    var slot=b.parentNode.querySelector('b'); if(slot){slot.textContent=n;}
  });
  function apply(){
    var on=boxes.filter(function(b){return b.checked;}).map(function(b){return b.value;});
    var shown=0;
    articles.forEach(function(a){
      var t=tags(a);
      var ok=!on.length||on.some(function(v){return t.indexOf(v)>=0;});
      a.hidden=!ok; if(ok){shown++;}
    });
    document.getElementById('shown').textContent=
      shown+' of '+articles.length+' article'+(articles.length===1?'':'s')+' shown';
  }
  boxes.forEach(function(b){b.addEventListener('change',apply);});
  function openAll(state){articles.forEach(function(a){if(!a.hidden){a.open=state;}});}
  document.getElementById('expand').addEventListener('click',function(){openAll(true);});
  document.getElementById('collapse').addEventListener('click',function(){openAll(false);});
  document.getElementById('clear').addEventListener('click',function(){
    boxes.forEach(function(b){b.checked=false;}); apply();});
  apply();
  var target=location.hash&&document.getElementById(location.hash.slice(1));
  if(target&&target.tagName==='DETAILS'){target.open=true;}
})();
"""


def _label_css(labels: Sequence[str]) -> str:
    rules = [".lx{--c:#667085;--t:#eef0f3}"]
    for k in range(len(labels)):
        colour = label_colour(k)
        rules.append(f".l{k}{{--c:{colour};--t:{_tint(colour, 0.14)}}}")
    return "\n".join(rules)


def _head(title: str, labels: Sequence[str]) -> str:
    from framing import __version__

    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="framing {_e(__version__)}">\n'
        # No network: nothing on the page may load from elsewhere, not even by injection.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>{_e(title)}</title>\n<style>{_CSS}\n{_label_css(labels)}\n</style>\n"
        "</head>\n<body>\n"
    )


def _legend(labels: Sequence[str], thresholds: Sequence[float] | None = None) -> str:
    chips = []
    for k, label in enumerate(labels):
        cut = f" ≥ {thresholds[k]:.2f}" if thresholds is not None else ""
        chips.append(f'<span class="chip l{k}">{_e(label)}<span class="meta">{cut}</span></span>')
    return '<div class="legend">' + "".join(chips) + "</div>"


def _bar(name: str, value: float, threshold: float | None, cls: str, *, on: bool) -> str:
    tick = (
        f'<span class="tick" style="left:{_pct(threshold)}" title="threshold {threshold:.2f}">'
        "</span>"
        if threshold is not None
        else ""
    )
    return (
        f'<div class="bar {cls}{" on" if on else ""}"><span class="name" title="{_e(name)}">'
        f'{_e(name)}</span><span class="track"><span class="fill" style="width:{_pct(value)}">'
        f'</span>{tick}</span><span class="v">{value:.2f}</span></div>'
    )


def _pct(value: float) -> str:
    return f"{max(0.0, min(1.0, float(value))) * 100:.1f}%"


# -- the score report ---------------------------------------------------------------------------
@dataclass
class _Tally:
    """Running counts for the summary, filled while articles stream past."""

    labels: tuple[str, ...]
    articles: int = 0
    errors: int = 0
    passages: int = 0
    flagged_articles: int = 0
    flagged_passages: int = 0

    def __post_init__(self) -> None:
        self.per_label_articles: Counter[str] = Counter()
        self.per_label_passages: Counter[str] = Counter()
        self.group_articles: Counter[str] = Counter()
        self.group_labels: dict[str, Counter[str]] = {}

    def add(self, result: ArticleScore) -> None:
        self.articles += 1
        unique = [p for p in result.passages if p.duplicate_of is None]
        self.passages += len(unique)
        self.flagged_articles += bool(result.flagged)
        self.flagged_passages += sum(1 for p in unique if p.flagged)
        self.per_label_articles.update(result.flagged)
        self.per_label_passages.update(label for p in unique for label in p.flagged)
        group = outlet_of(result)
        if group:
            self.group_articles[group] += 1
            self.group_labels.setdefault(group, Counter()).update(result.flagged)


def outlet_of(result: ArticleScore) -> str:
    """The outlet of an article when known: its outlet field, else its URL's host.

    Examples
    --------
    >>> outlet_of(ArticleScore("a", "https://www.example.org/x", {}, (), ()))
    'example.org'
    """
    if result.outlet:
        return result.outlet
    if result.source.startswith(("http://", "https://")):
        host = urlsplit(result.source).hostname or ""
        return host.removeprefix("www.")
    return ""


def write_score_report(
    results: Iterable[ArticleScore | ArticleError],
    stream: IO[str],
    *,
    labels: Sequence[str],
    thresholds: Iterable[float],
    title: str = "framing report",
    expanded: Container[str] = (),
) -> RunCounts:
    """Write a self-contained HTML page of scored articles, streaming one section per article.

    The page holds a corpus summary (placed first by CSS, written last), a legend and a
    label filter, and every article collapsed in a ``<details>``: per-label score bars with
    the thresholds, its passages with flagged ones highlighted per label and the evidence
    terms marked. Error records appear in place, with their message.

    Parameters
    ----------
    results : Iterable[ArticleScore | ArticleError]
        From ``framing.score``; consumed once, in order.
    stream : IO[str]
        Where the page goes.
    labels : Sequence[str]
        The model's labels, in order; they fix the colours.
    thresholds : Iterable[float]
        The model's per-label thresholds, in label order.
    title : str
        The page title.
    expanded : Container[str]
        Ids of articles to show open; all others start collapsed.

    Returns
    -------
    RunCounts
        How many articles were scored and how many records were errors.
    """
    labels = tuple(labels)
    cuts = tuple(float(t) for t in thresholds)
    index = {label: k for k, label in enumerate(labels)}
    stream.write(_head(title, labels))
    stream.write(
        f'<header class="top"><div class="wrap"><h1>{_e(title)}</h1>'
        f"<p>{len(labels)} labels · a label is flagged when its probability reaches its "
        "threshold (the tick on each bar) · click an article to open it</p></div></header>\n"
    )
    stream.write(_controls(labels))
    stream.write('<div class="wrap"><main>\n<section id="articles">\n')
    counts = RunCounts()
    tally = _Tally(labels)
    for number, result in enumerate(results):
        counts.add(result)
        if isinstance(result, ArticleError):
            tally.errors += 1
            stream.write(_error_section(result, number))
        else:
            tally.add(result)
            is_open = result.id in expanded
            stream.write(_article_section(result, number, labels, cuts, index, is_open=is_open))
        stream.flush()
    stream.write("</section>\n")
    stream.write(_summary(tally, labels, cuts))
    stream.write("</main></div>\n")
    stream.write(f"<script>{_SCORE_JS}</script>\n</body>\n</html>\n")
    stream.flush()
    return counts


def _controls(labels: Sequence[str]) -> str:
    boxes = "".join(
        f'<label class="chip filter l{k}"><input type="checkbox" name="label" value="l{k}">'
        f"{_e(label)} <b></b></label>"
        for k, label in enumerate(labels)
    )
    boxes += (
        '<label class="chip filter lx"><input type="checkbox" name="label" '
        f'value="{ERROR_TAG}">errors <b></b></label>'
    )
    return (
        '<nav id="controls" aria-label="Filter by label"><div class="wrap">'
        '<span class="hint">Show articles flagged</span>'
        f"{boxes}"
        '<button type="button" id="clear">all</button>'
        '<button type="button" id="expand">expand</button>'
        '<button type="button" id="collapse">collapse</button>'
        '<span id="shown"></span></div></nav>\n'
    )


def _article_section(
    result: ArticleScore,
    number: int,
    labels: Sequence[str],
    cuts: Sequence[float],
    index: Mapping[str, int],
    *,
    is_open: bool = False,
) -> str:
    tags = " ".join(_cls(index.get(label, -1)) for label in result.flagged)
    first = (
        f' style="--first:{label_colour(index[result.flagged[0]])}"'
        if result.flagged and result.flagged[0] in index
        else ""
    )
    chips = (
        "".join(
            f'<span class="chip solid {_cls(index.get(label, -1))}">{_e(label)} '
            f"{result.scores.get(label, 0.0):.2f}</span>"
            for label in result.flagged
        )
        or '<span class="none">nothing flagged</span>'
    )
    unique = [p for p in result.passages if p.duplicate_of is None]
    flagged_count = sum(1 for p in unique if p.flagged)
    meta = [f"{len(unique)} passages", f"{flagged_count} flagged"]
    if result.outlet:
        meta.insert(0, result.outlet)
    if result.lang:
        meta.append(result.lang)
    if result.source and result.source != result.id:
        meta.append(result.source)
    bars = "".join(
        _bar(
            label,
            result.scores.get(label, 0.0),
            cuts[k] if k < len(cuts) else None,
            f"l{k}",
            on=label in result.flagged,
        )
        for k, label in enumerate(labels)
    )
    passages = "".join(_passage_item(p, cuts, index) for p in result.passages)
    classes = " flagged" if result.flagged else ""
    return (
        f'<details{" open" if is_open else ""} class="article{classes}" id="article-{number}" '
        f'data-labels="{tags}"{first}>\n<summary><span class="aid">{_e(result.id)}</span>'
        f'{chips}<span class="meta">{_e(" · ".join(meta))}</span></summary>\n'
        f'<div class="body"><div class="bars">{bars}</div>\n'
        f'<ol class="passages">{passages}</ol></div>\n</details>\n'
    )


def _passage_item(passage: PassageScore, cuts: Sequence[float], index: Mapping[str, int]) -> str:
    number = f'<span class="idx">#{passage.index}</span>'
    if passage.duplicate_of is not None:
        return (
            f'<li class="passage dup">{number}<div><div class="text">{_e(passage.text)}</div>'
            f'<div class="pmeta meta">repeats #{passage.duplicate_of}, scored once</div>'
            "</div></li>"
        )
    if not passage.flagged:
        return f'<li class="passage">{number}<div class="text">{_e(passage.text)}</div></li>'
    first = _cls(index.get(passage.flagged[0], -1))
    text = mark_evidence(passage.text, passage.evidence, index)
    details = []
    for label in passage.flagged:
        k = index.get(label, -1)
        value = passage.scores.get(label, 0.0)
        tick = (
            f'<span class="tick" style="left:{_pct(cuts[k])}"></span>' if 0 <= k < len(cuts) else ""
        )
        terms = "".join(f"<code>{_e(t)}</code> " for t in passage.evidence.get(label, ()))
        details.append(
            f'<span class="pbar {_cls(k)}"><span class="chip solid {_cls(k)}">{_e(label)}</span>'
            f'<span class="track"><span class="fill" style="width:{_pct(value)};'
            f'background:var(--c)"></span>{tick}</span><b>{value:.2f}</b>'
            + (f'<span class="ev">evidence {terms}</span>' if terms else "")
            + "</span>"
        )
    # One stripe per flagged label down the left edge: the first label's is outermost.
    stripes = ",".join(
        f"inset {4 * (n + 1)}px 0 0 {label_colour(index[label]) if label in index else '#667085'}"
        for n, label in enumerate(passage.flagged)
    )
    return (
        f'<li class="passage flagged {first}" style="box-shadow:{stripes}" '
        f'data-labels="{_e(" ".join(passage.flagged))}">'
        f'{number}<div><div class="text">{text}</div><div class="pmeta">{"".join(details)}</div>'
        "</div></li>"
    )


def _error_section(result: ArticleError, number: int) -> str:
    source = (
        f'<p class="meta">source: {_e(result.source)}</p>'
        if result.source and result.source != result.id
        else ""
    )
    return (
        f'<details class="article error" id="article-{number}" data-labels="{ERROR_TAG}">\n'
        f'<summary><span class="aid">✗ {_e(result.id)}</span>'
        f'<span class="errmsg">{_e(_shorten(result.error, 140))}</span></summary>\n'
        f'<div class="body"><p class="errmsg">{_e(result.error)}</p>{source}</div>\n</details>\n'
    )


def _shorten(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _summary(tally: _Tally, labels: Sequence[str], cuts: Sequence[float]) -> str:
    tiles = [
        (tally.articles, "articles scored", ""),
        (tally.errors, "errors", " bad" if tally.errors else ""),
        (tally.passages, "passages", ""),
        (tally.flagged_articles, "articles with a flag", ""),
        (tally.flagged_passages, "flagged passages", ""),
    ]
    tile_html = "".join(
        f'<div class="tile{cls}"><b>{value}</b><span>{_e(name)}</span></div>'
        for value, name, cls in tiles
    )
    most = max([*tally.per_label_articles.values(), 1])
    rows = []
    for k, label in enumerate(labels):
        n_articles = tally.per_label_articles.get(label, 0)
        rows.append(
            f'<tr class="l{k}"><td><span class="dot"></span>{_e(label)}</td>'
            f'<td class="n">{cuts[k]:.2f}</td>'
            f'<td class="n"><span class="f1cell"><span class="track"><span class="fill" '
            f'style="width:{n_articles / most * 100:.1f}%"></span></span>{n_articles}</span></td>'
            f'<td class="n">{tally.per_label_passages.get(label, 0)}</td></tr>'
        )
    label_table = (
        '<table><thead><tr><th>label</th><th class="n">threshold</th>'
        '<th class="n">articles flagged</th><th class="n">passages flagged</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    right = _GUIDE + _outlet_table(tally, labels)
    return (
        '<section id="summary" class="card"><h2>Corpus summary</h2>'
        f'<div class="tiles">{tile_html}</div>'
        f'<div class="cols"><div><h3>Flags per label</h3>{label_table}</div>'
        f"<div>{right}</div></div></section>\n"
    )


_GUIDE = (
    '<h3>Reading this report</h3><ul class="guide">'
    "<li>Each article is collapsed: click it to see its passages.</li>"
    "<li>A coloured passage is flagged; each stripe on its left is one label.</li>"
    '<li><mark class="lx">Marked words</mark> are the evidence that pushed a label up.</li>'
    "<li>Bars show each label's probability; the tick is its threshold.</li>"
    "<li>The buttons at the top keep only articles flagged with those labels.</li></ul>"
)


def _outlet_table(tally: _Tally, labels: Sequence[str]) -> str:
    if not tally.group_articles:
        return (
            '<h3>Per outlet</h3><p class="none">No outlet known (give articles an '
            "<code>outlet</code> field or a URL).</p>"
        )
    used = [k for k, label in enumerate(labels) if tally.per_label_articles.get(label)]
    head = "".join(
        f'<th class="n" title="{_e(labels[k])}"><span class="dot l{k}"></span></th>' for k in used
    )
    rows = []
    for group, n_articles in tally.group_articles.most_common():
        counter = tally.group_labels[group]
        cells = "".join(f'<td class="n">{counter.get(labels[k], 0) or ""}</td>' for k in used)
        rows.append(f'<tr><td>{_e(group)}</td><td class="n">{n_articles}</td>{cells}</tr>')
    return (
        "<h3>Per outlet (articles flagged)</h3>"
        f'<table><thead><tr><th>outlet</th><th class="n">articles</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


# -- the evaluation report ------------------------------------------------------------------------
def write_evaluation_report(
    metrics: Metrics,
    stream: IO[str],
    *,
    details: EvaluationDetails | None = None,
    verdict: Verdict | None = None,
    title: str = "framing evaluation",
) -> None:
    """Write a self-contained HTML page of an evaluation, in the score report's style.

    Passage and article tables (precision, recall, F1, support) with macro and micro F1
    and their bootstrap intervals; with ``details`` also per-label precision-recall curves
    and confusion counts, as inline SVG.

    Parameters
    ----------
    metrics : Metrics
        From ``framing.evaluate`` or ``framing.cross_validate``.
    stream : IO[str]
        Where the page goes.
    details : EvaluationDetails, optional
        From ``framing.evaluation_details``: gold labels and probabilities per passage.
    verdict : Verdict, optional
        The gate outcome, shown at the top.
    title : str
        The page title.
    """
    labels = tuple(metrics.passage.per_label)
    stream.write(_head(title, labels))
    subtitle = [f"{metrics.passage.n} passages in {metrics.article.n} articles"]
    if metrics.folds:
        subtitle.append(f"grouped {metrics.folds}-fold cross-validation")
    stream.write(
        f'<header class="top"><div class="wrap"><h1>{_e(title)}</h1>'
        f"<p>{_e(' · '.join(subtitle))}</p></div></header>\n"
    )
    stream.write('<div class="wrap"><main>\n')
    if verdict is not None:
        stream.write(_verdict_card(verdict))
    stream.write('<div class="levels">')
    for name, level in (("Passage level", metrics.passage), ("Article level", metrics.article)):
        stream.write(_level_card(name, level, labels))
    stream.write("</div>\n")
    if details is not None:
        stream.write(_curves_card(details))
    else:
        stream.write(
            '<section class="card"><h2>Curves</h2><p class="none">Precision-recall curves and '
            "confusion counts need a trained model's probabilities; cross-validation reports "
            "the tables only.</p></section>\n"
        )
    stream.write("</main></div>\n</body>\n</html>\n")
    stream.flush()


def _verdict_card(verdict: Verdict) -> str:
    if verdict.passed:
        return '<section class="card"><span class="verdict pass">gate passed</span></section>\n'
    items = "".join(f"<li>{_e(f)}</li>" for f in verdict.failures)
    return (
        '<section class="card"><span class="verdict fail">gate failed</span>'
        f"<ul>{items}</ul></section>\n"
    )


def _level_card(name: str, level: LevelMetrics, labels: Sequence[str]) -> str:
    ci = (
        f"95% CI {level.macro_f1_ci[0]:.3f}–{level.macro_f1_ci[1]:.3f}"
        if level.macro_f1_ci
        else "no bootstrap interval"
    )
    tiles = (
        f'<div class="tile"><b>{level.macro_f1:.3f}</b><span>macro F1 · {_e(ci)}</span></div>'
        f'<div class="tile"><b>{level.micro_f1:.3f}</b><span>micro F1</span></div>'
        f'<div class="tile"><b>{level.n}</b><span>items</span></div>'
    )
    rows = []
    for k, label in enumerate(labels):
        m = level.per_label[label]
        rows.append(
            f'<tr class="l{k}"><td><span class="dot"></span>{_e(label)}</td>'
            f'<td class="n">{m.precision:.3f}</td><td class="n">{m.recall:.3f}</td>'
            f'<td class="n"><span class="f1cell"><span class="track"><span class="fill" '
            f'style="width:{_pct(m.f1)}"></span></span>{m.f1:.3f}</span></td>'
            f'<td class="n">{m.support}</td></tr>'
        )
    return (
        f'<section class="card"><h2>{_e(name)}</h2><div class="tiles">{tiles}</div>'
        '<div class="scroll"><table><thead><tr><th>label</th><th class="n">precision</th>'
        '<th class="n">recall</th><th class="n">F1</th><th class="n">support</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>\n"
    )


def _curves_card(details: EvaluationDetails) -> str:
    predicted = (details.probabilities >= np.asarray(details.thresholds)).astype(np.int8)
    article_truth, _ = by_article(details.truth, details.article_ids)
    article_predicted, _ = by_article(predicted, details.article_ids)
    cards = []
    for k, label in enumerate(details.labels):
        curve = precision_recall_curve(details.probabilities[:, k], details.truth[:, k])
        passage_cells = _confusion(details.truth[:, k], predicted[:, k])
        article_cells = _confusion(article_truth[:, k], article_predicted[:, k])
        operating = _operating_point(details.truth[:, k], predicted[:, k])
        cards.append(
            f'<div class="card lcard l{k}"><h3><span class="dot"></span>{_e(label)}'
            f'</h3><p class="meta">average precision {curve.average_precision:.3f} · '
            f"threshold {details.thresholds[k]:.2f} (the ring)</p>"
            f'<div class="figs"><figure>{pr_curve_svg(curve, operating, label)}'
            "<figcaption>precision-recall, passages</figcaption></figure>"
            f"<figure>{confusion_svg(passage_cells, 'passages')}"
            "<figcaption>passages</figcaption></figure>"
            f"<figure>{confusion_svg(article_cells, 'articles')}"
            "<figcaption>articles</figcaption></figure></div></div>"
        )
    return (
        "<section><h2>Per label: precision-recall and confusion counts</h2>"
        f'<div class="grid">{"".join(cards)}</div></section>\n'
    )


def _confusion(truth: np.ndarray, predicted: np.ndarray) -> tuple[int, int, int, int]:
    """(true positives, false negatives, false positives, true negatives)."""
    gold, guess = truth.astype(bool), predicted.astype(bool)
    return (
        int((gold & guess).sum()),
        int((gold & ~guess).sum()),
        int((~gold & guess).sum()),
        int((~gold & ~guess).sum()),
    )


def _operating_point(truth: np.ndarray, predicted: np.ndarray) -> tuple[float, float] | None:
    tp, fn, fp, _ = _confusion(truth, predicted)
    if tp + fn == 0:
        return None
    return tp / (tp + fn), (tp / (tp + fp) if tp + fp else 1.0)


def pr_curve_svg(curve: Curve, operating: tuple[float, float] | None, label: str) -> str:
    """A precision-recall curve as inline SVG (a step line), with the operating point."""
    width, height, left, top, size_x, size_y = 210, 178, 30, 10, 168, 140

    def x(recall: float) -> float:
        return left + recall * size_x

    def y(precision: float) -> float:
        return top + (1 - precision) * size_y

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="precision-recall curve of '
        f'{_e(label)}"><title>precision-recall curve: {_e(label)}</title>',
        f'<rect x="{left}" y="{top}" width="{size_x}" height="{size_y}" fill="#fbfcfd" '
        'stroke="#d0d5dd"/>',
    ]
    for value in (0.25, 0.5, 0.75):
        parts.append(
            f'<line x1="{x(value):.1f}" y1="{top}" x2="{x(value):.1f}" y2="{top + size_y}" '
            'stroke="#eef0f3"/>'
            f'<line x1="{left}" y1="{y(value):.1f}" x2="{left + size_x}" y2="{y(value):.1f}" '
            'stroke="#eef0f3"/>'
        )
    for value in (0.0, 0.5, 1.0):
        parts.append(
            f'<text x="{x(value):.1f}" y="{top + size_y + 12}" text-anchor="middle">'
            f"{value:g}</text>"
            f'<text x="{left - 4}" y="{y(value) + 3:.1f}" text-anchor="end">{value:g}</text>'
        )
    parts.append(
        f'<text x="{left + size_x / 2}" y="{height - 2}" text-anchor="middle">recall</text>'
        f'<text x="9" y="{top + size_y / 2}" text-anchor="middle" '
        f'transform="rotate(-90 9 {top + size_y / 2})">precision</text>'
    )
    if not curve.recall:
        parts.append(
            f'<text x="{left + size_x / 2}" y="{top + size_y / 2}" text-anchor="middle">'
            "no positive passages</text></svg>"
        )
        return "".join(parts)
    path = [f"M{x(0):.1f},{y(curve.precision[0]):.1f}"]
    for recall, precision in zip(curve.recall, curve.precision, strict=True):
        path.append(f"V{y(precision):.1f}H{x(recall):.1f}")
    parts.append(
        f'<path d="{"".join(path)}" fill="none" stroke="var(--c)" stroke-width="2" '
        'stroke-linejoin="round"/>'
    )
    if operating is not None:
        recall, precision = operating
        parts.append(
            f'<circle cx="{x(recall):.1f}" cy="{y(precision):.1f}" r="4.5" fill="#fff" '
            'stroke="#111827" stroke-width="2"><title>at the threshold: precision '
            f"{precision:.2f}, recall {recall:.2f}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def confusion_svg(cells: tuple[int, int, int, int], unit: str) -> str:
    """Confusion counts (gold rows × predicted columns) as a small inline SVG grid."""
    tp, fn, fp, tn = cells
    size, left, top = 52, 34, 26
    total = max(tp + fn + fp + tn, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + 2 * size + 4}" '
        f'height="{top + 2 * size + 4}" role="img" aria-label="confusion counts, {_e(unit)}">'
        f"<title>{_e(unit)}: {tp} true positive, {fn} false negative, {fp} false positive, "
        f"{tn} true negative</title>",
        f'<text x="{left + size}" y="9" text-anchor="middle">predicted</text>',
        f'<text x="{left + size / 2}" y="{top - 4}" text-anchor="middle">yes</text>',
        f'<text x="{left + 1.5 * size}" y="{top - 4}" text-anchor="middle">no</text>',
        f'<text x="9" y="{top + size}" text-anchor="middle" '
        f'transform="rotate(-90 9 {top + size})">gold</text>',
        f'<text x="{left - 4}" y="{top + size / 2 + 3}" text-anchor="end">yes</text>',
        f'<text x="{left - 4}" y="{top + 1.5 * size + 3}" text-anchor="end">no</text>',
    ]
    grid = [(tp, 0, 0, True, "TP"), (fn, 0, 1, False, "FN"), (fp, 1, 0, False, "FP")]
    grid.append((tn, 1, 1, True, "TN"))
    for count, row, col, right, name in grid:
        share = count / total
        opacity = 0.12 + 0.7 * share**0.5 if count else 0.04
        fill = "var(--c)" if right else "#d92d20"
        colour = "#fff" if opacity > 0.5 else "#1f2328"
        cx, cy = left + col * size, top + row * size
        parts.append(
            f'<rect x="{cx}" y="{cy}" width="{size - 2}" height="{size - 2}" rx="4" '
            f'fill="{fill}" fill-opacity="{opacity:.2f}"/>'
            f'<text x="{cx + size / 2 - 1}" y="{cy + size / 2 + 2}" text-anchor="middle" '
            f'style="font-size:14px;font-weight:600;fill:{colour}">{count}</text>'
            f'<text x="{cx + size / 2 - 1}" y="{cy + size / 2 + 15}" text-anchor="middle" '
            f'style="font-size:9px;fill:{colour}">{name}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
