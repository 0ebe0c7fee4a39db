"""Render the HTML report of data/examples/ and screenshot it with headless Chromium.

    python docs/screenshot.py                       # models/default -> docs/report.png
    python docs/screenshot.py --model /tmp/model --out /tmp/report.png

The article with the most flagged labels is shown open, so the picture has highlighted
passages in it; everything else is the page exactly as `framing score -f html` writes it.
Needs Debian's `chromium` (or chromium-browser / google-chrome) on the PATH.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import framing
from framing.html_report import write_score_report
from framing.records import ArticleScore

ROOT = Path(__file__).resolve().parent.parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
# No profile, no sync, no network: the page is self-contained and must render offline.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def find_browser() -> str | None:
    """The first Chromium-like browser on the PATH."""
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def showcase(results: list[framing.ArticleScore | framing.ArticleError]) -> str | None:
    """The id of the article with the most flagged labels, the shortest among equals."""
    scored = [r for r in results if isinstance(r, ArticleScore) and r.flagged]
    if not scored:
        return None
    return min(scored, key=lambda r: (-len(r.flagged), len(r.passages))).id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "examples")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report.png")
    parser.add_argument("--size", default="1280,1600", help="Window size WIDTH,HEIGHT.")
    args = parser.parse_args(argv)
    browser = find_browser()
    if browser is None:
        print("error: no chromium on the PATH (apt-get install chromium)", file=sys.stderr)
        return 2
    model = framing.load_model(args.model)
    out, data = args.out.resolve(), args.data.resolve()
    # Article ids are the paths as given: relative ones (data/examples/...) read better.
    os.chdir(ROOT)
    inputs = [str(data.relative_to(ROOT)) if data.is_relative_to(ROOT) else str(data)]
    results = list(framing.score(framing.read_articles(inputs), model))
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        with open(page, "w", encoding="utf-8") as stream:
            write_score_report(
                results,
                stream,
                labels=model.labels,
                thresholds=model.thresholds,
                title=f"framing report: {inputs[0]}",
                expanded={i for i in [showcase(results)] if i},
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={Path(tmp) / 'profile'}",
                f"--screenshot={out}",
                f"--window-size={args.size}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
