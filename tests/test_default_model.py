"""The committed default model: not stale, and right about the seed articles end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from framing.cli import app
from framing.persist import sha256_file

DEFAULT = ROOT / "models" / "default"
EXAMPLES = ROOT / "data" / "examples"
LABEL_DATA = ROOT / "data" / "labels"

needs_default = pytest.mark.skipif(
    not (DEFAULT / "manifest.json").is_file(),
    reason="models/default is not committed yet; train it with 'framing train'",
)


def _relative(path: str) -> Path:
    """A manifest path as a path inside the repository."""
    candidate = Path(path)
    if candidate.is_absolute():
        return candidate.resolve().relative_to(ROOT)
    return candidate


@needs_default
def test_default_model_matches_the_label_data() -> None:
    manifest = json.loads((DEFAULT / "manifest.json").read_text(encoding="utf-8"))
    recorded = {_relative(f["path"]).as_posix(): f["sha256"] for f in manifest["training_files"]}
    on_disk = {
        path.relative_to(ROOT).as_posix(): sha256_file(path)
        for path in sorted(LABEL_DATA.rglob("*"))
        if path.suffix in (".jsonl", ".csv")
        and "test" not in path.relative_to(LABEL_DATA).parts[:-1]
    }
    stale = sorted(
        name for name in set(recorded) | set(on_disk) if recorded.get(name) != on_disk.get(name)
    )
    assert not stale, (
        f"models/default is stale for {', '.join(stale)}; rebuild it with 'framing train'"
    )


def _passage(results: dict[str, Any], article: str, needle: str) -> dict[str, Any]:
    (record,) = [r for key, r in results.items() if Path(key).name.startswith(article)]
    found = [p for p in record["passages"] if needle in p["text"]]
    assert found, f"no passage of {article} contains {needle!r}"
    return found[0]


@pytest.fixture(scope="module")
def seed_results() -> dict[str, Any]:
    if not (DEFAULT / "manifest.json").is_file():
        pytest.skip("models/default is not committed yet; train it with 'framing train'")
    result = CliRunner().invoke(app, ["score", str(EXAMPLES), "--model", str(DEFAULT)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 5
    return {r["id"]: r for r in records}


ARTICLE_FLAGS = [
    ("000_", {"censorship_claim", "donation_appeal"}),
    ("003_", {"censorship_claim", "state_media_self_promotion", "distribution_appeal"}),
]

PASSAGE_FLAGS = [
    ("003_", "Mehr zum Thema", "promo_teaser"),
    ("001_", "Hier weiterlesen", "promo_teaser"),
    ("004_", "(Mit Beiträgen von Agenturen)", "credit_line"),
    ("002_", "haben zu diesem Bericht beigetragen", "credit_line"),
    ("000_", "sagte die Koreanische Zentrale Nachrichtenagentur (KCNA)", "state_media_sourcing"),
    ("002_", "laut der Website KCNA Watch", "state_media_sourcing"),
    ("002_", "Die Koreanische Zentralnachrichtenagentur berichtete auch", "state_media_sourcing"),
    ("000_", "teilten staatliche Medien am Dienstag mit", "state_media_sourcing"),
    ("003_", "Durch die Sperrung von RT", "censorship_claim"),
    ("003_", "Durch die Sperrung von RT", "state_media_self_promotion"),
    ("003_", "Durch die Sperrung von RT", "distribution_appeal"),
    ("000_", "Wenn Sie können, unterstützen Sie uns bitte monatlich", "donation_appeal"),
    ("000_", "als „unerwünschte“ Organisation eingestuft", "censorship_claim"),
]

PLAIN = [
    ("004_", "Bei seiner Ankunft wurde Putin von Kim begrüßt"),
    ("000_", "Seit dem Einmarsch Russlands in die Ukraine"),
    ("000_", "Moskau und Pjöngjang unterzeichneten"),
    ("004_", "Obwohl die Einzelheiten des Partnerschaftsabkommens"),
    ("003_", "Erstmals seit 2019 hat Nordkoreas Staatschef"),
    ("001_", "In einem Schreiben an seinen Amtskollegen"),
]


@needs_default
@pytest.mark.parametrize(("article", "labels"), ARTICLE_FLAGS)
def test_seed_article_flags(seed_results: dict[str, Any], article: str, labels: set[str]) -> None:
    (record,) = [r for key, r in seed_results.items() if Path(key).name.startswith(article)]
    assert labels <= set(record["flagged"]), record["flagged"]


@needs_default
@pytest.mark.parametrize(("article", "needle", "label"), PASSAGE_FLAGS)
def test_seed_passage_flags(
    seed_results: dict[str, Any], article: str, needle: str, label: str
) -> None:
    passage = _passage(seed_results, article, needle)
    assert label in passage["flagged"], (passage["flagged"], passage["scores"])
    assert passage["evidence"][label], "a flagged passage must come with evidence terms"


@needs_default
@pytest.mark.parametrize(("article", "needle"), PLAIN)
def test_plain_reporting_flags_nothing(
    seed_results: dict[str, Any], article: str, needle: str
) -> None:
    passage = _passage(seed_results, article, needle)
    assert passage["flagged"] == [], passage["scores"]


@needs_default
def test_seed_004_repeated_body_is_reported(seed_results: dict[str, Any]) -> None:
    (record,) = [r for key, r in seed_results.items() if Path(key).name.startswith("004_")]
    assert record["duplicated_passages"] == 13
