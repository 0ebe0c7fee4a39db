"""Shared fixtures: tiny in-code corpora for the nine labels and a session-scoped tiny model.

The corpus is written for the tests (de / en / ru, 7 passages per label plus plain
reporting); it is small enough that training the tiny model takes well under a second.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

import framing
from framing import TrainConfig

ROOT = Path(__file__).resolve().parent.parent

LABELS = (
    "donation_appeal",
    "distribution_appeal",
    "censorship_claim",
    "state_media_self_promotion",
    "state_media_sourcing",
    "official_narrative",
    "critical_context",
    "promo_teaser",
    "credit_line",
)

# Small hash spaces and few folds keep training and cross-validation fast.
TINY_CONFIG = TrainConfig(word_bits=14, char_bits=14, cv_folds=3, inner_folds=2)
TINY_TOML = "[train]\nword_bits = 14\nchar_bits = 14\ncv_folds = 3\ninner_folds = 2\n"

# (id, lang, labels, text, article_id or None). Passages without an article_id are
# their own article; the "art-*" groups are whole articles. One row a line, as a table.
# fmt: off
CORPUS: tuple[tuple[str, str, tuple[str, ...], str, str | None], ...] = (
    # -- donation_appeal
    ("don-1", "en", ("donation_appeal",), "Support independent journalism: become a member today. Even $2 a month keeps our newsroom running.", None),
    ("don-2", "en", ("donation_appeal",), "Please consider a donation. Every contribution, however small, helps us continue our reporting.", None),
    ("don-3", "de", ("donation_appeal",), "Unterstützen Sie uns mit Ihrer Spende, schon ab 3 Euro im Monat machen Sie unabhängigen Journalismus möglich.", "art-box"),
    ("don-4", "de", ("donation_appeal",), "Werden Sie jetzt Fördermitglied und helfen Sie uns, weiter kritisch zu berichten.", None),
    ("don-5", "ru", ("donation_appeal",), "Поддержите нас: ваше пожертвование помогает редакции продолжать работу.", None),
    ("don-6", "ru", ("donation_appeal",), "Сделайте ежемесячное пожертвование — даже 100 рублей имеют значение для нашей команды.", None),
    ("don-7", "en", ("donation_appeal",), "We rely on readers like you. Donate now and join thousands of supporters who keep us free.", None),
    # -- distribution_appeal
    ("dis-1", "de", ("distribution_appeal",), "Folgen Sie uns auf Telegram, damit Sie keine Nachricht verpassen.", None),
    ("dis-2", "en", ("distribution_appeal",), "Share this article with your friends and follow our channel on Telegram.", None),
    ("dis-3", "en", ("distribution_appeal",), "Subscribe to our free newsletter to get the morning briefing in your inbox.", None),
    ("dis-4", "en", ("distribution_appeal",), "If our site is blocked in your country, use a VPN or our mirror domain to keep reading.", None),
    ("dis-5", "ru", ("distribution_appeal",), "Подписывайтесь на наш канал в Телеграме и делитесь материалами с друзьями.", None),
    ("dis-6", "ru", ("distribution_appeal",), "Если сайт недоступен, используйте VPN или зеркало сайта.", None),
    ("dis-7", "de", ("distribution_appeal",), "Laden Sie unsere App herunter und teilen Sie unsere Beiträge in den sozialen Netzwerken.", None),
    # -- censorship_claim
    ("cen-1", "de", ("censorship_claim",), "Durch die Sperrung unseres Senders will die EU eine unbequeme Stimme zum Schweigen bringen.", None),
    ("cen-2", "de", ("censorship_claim",), "Die Behörden haben uns als unerwünschte Organisation eingestuft und kriminalisieren damit unsere Arbeit.", "art-box"),
    ("cen-3", "en", ("censorship_claim",), "We have been labelled a foreign agent, but we will not be silenced.", None),
    ("cen-4", "en", ("censorship_claim",), "Our website has been blocked by the regulator and our accounts were suspended.", None),
    ("cen-5", "ru", ("censorship_claim",), "Нас заблокировали и признали иностранным агентом, но мы продолжаем работать.", None),
    ("cen-6", "ru", ("censorship_claim",), "Власти внесли нашу редакцию в список нежелательных организаций.", None),
    ("cen-7", "en", ("censorship_claim",), "Authorities raided our newsroom last week in an attempt to shut us down.", None),
    # -- state_media_self_promotion
    ("smp-1", "de", ("state_media_self_promotion",), "Wir bieten Journalismus jenseits der Mainstream-Narrative, den westliche Medien Ihnen vorenthalten.", None),
    ("smp-2", "de", ("state_media_self_promotion",), "Als kritische, nicht prowestliche Informationsquelle zeigen wir, was andere verschweigen.", None),
    ("smp-3", "en", ("state_media_self_promotion",), "We tell you what the Western media won't tell you.", None),
    ("smp-4", "en", ("state_media_self_promotion",), "Unlike the Atlanticist mainstream press, our channel gives viewers the other side of the story.", None),
    ("smp-5", "ru", ("state_media_self_promotion",), "Мы предлагаем альтернативную точку зрения, которую скрывают западные СМИ.", None),
    ("smp-6", "ru", ("state_media_self_promotion",), "Наш канал — единственный, кто показывает правду, о которой молчит мейнстрим.", None),
    # -- several labels at once (rule 3)
    ("rt-note", "de", ("censorship_claim", "state_media_self_promotion", "distribution_appeal"), "Durch die Sperrung von RT will die EU eine nicht prowestliche Stimme abschalten. Wenn Euch unsere Artikel gefallen, teilt sie gern überall.", "art-rt"),
    # -- state_media_sourcing
    ("sms-1", "de", ("state_media_sourcing",), "Das teilten staatliche Medien am Dienstag mit.", None),
    ("sms-2", "de", ("state_media_sourcing",), "Kim nannte Putin seinen liebsten Freund, sagte die Koreanische Zentrale Nachrichtenagentur (KCNA).", None),
    ("sms-3", "de", ("state_media_sourcing",), "Laut RIA Nowosti ist die Delegation bereits abgereist.", "art-rt"),
    ("sms-4", "en", ("state_media_sourcing",), "According to the Kremlin website, the two leaders discussed energy cooperation.", "art-en"),
    ("sms-5", "en", ("state_media_sourcing",), "The state news agency Xinhua reported that the talks lasted three hours.", None),
    ("sms-6", "ru", ("state_media_sourcing",), "По данным ТАСС, переговоры продлились пять часов.", None),
    ("sms-7", "ru", ("state_media_sourcing",), "Об этом сообщило государственное агентство РИА Новости.", None),
    # -- official_narrative
    ("off-1", "de", ("official_narrative",), "Die spezielle Militäroperation verläuft nach Plan, alle Ziele werden erreicht.", None),
    ("off-2", "de", ("official_narrative",), "Das Kiewer Regime setzt weiterhin westliche Waffen gegen Zivilisten ein.", None),
    ("off-3", "de", ("official_narrative",), "Der kollektive Westen hat erneut seine Feindseligkeit gezeigt.", None),
    ("off-4", "en", ("official_narrative",), "The special military operation to protect Donbass entered a new phase.", None),
    ("off-5", "en", ("official_narrative",), "The neo-Nazis in Kiev continue to shell residential areas.", None),
    ("off-6", "ru", ("official_narrative",), "Специальная военная операция по защите Донбасса продолжается.", None),
    ("off-7", "ru", ("official_narrative",), "Киевский режим продолжает провокации при поддержке коллективного Запада.", "art-ru"),
    # -- critical_context
    ("cri-1", "de", ("critical_context",), "Die USA und Südkorea werfen dem Norden vor, Tausende Soldaten entsandt zu haben.", None),
    ("cri-2", "de", ("critical_context",), "Die Angaben ließen sich nicht unabhängig überprüfen.", None),
    ("cri-3", "de", ("critical_context",), "Experten zufolge dient das Abkommen vor allem der Beschaffung von Technologie.", None),
    ("cri-4", "en", ("critical_context",), "The claim could not be independently verified.", "art-en"),
    ("cri-5", "en", ("critical_context",), "The country remains under UN sanctions over its weapons programme.", None),
    ("cri-6", "ru", ("critical_context",), "Эти данные не удалось независимо проверить.", "art-ru"),
    ("cri-7", "en", ("critical_context",), "Human rights groups have documented widespread abuses in the region.", None),
    # -- promo_teaser
    ("pro-1", "de", ("promo_teaser",), "Mehr zum Thema - Neue Sanktionen gegen Moskau beschlossen", "art-rt"),
    ("pro-2", "de", ("promo_teaser",), "Hier weiterlesen >>", None),
    ("pro-3", "de", ("promo_teaser",), "Lesen Sie auch: Was das Abkommen für Europa bedeutet", None),
    ("pro-4", "de", ("promo_teaser",), "Alle Artikel lesen mit Zeitung+ – jetzt 30 Tage gratis testen", None),
    ("pro-5", "en", ("promo_teaser",), "READ MORE: Five things to know about the summit", None),
    ("pro-6", "en", ("promo_teaser",), "Subscribe to Premium to unlock unlimited articles.", None),
    ("pro-7", "ru", ("promo_teaser",), "Читайте также: Что известно о визите", "art-ru"),
    # -- credit_line
    ("cre-1", "de", ("credit_line",), "(Mit Beiträgen von Agenturen)", None),
    ("cre-2", "de", ("credit_line",), "Anna Schmidt und Peter Braun haben zu diesem Bericht beigetragen.", None),
    ("cre-3", "de", ("credit_line",), "Foto: Reuters", "art-box"),
    ("cre-4", "en", ("credit_line",), "Reporting by John Smith; editing by Mary Jones", "art-en"),
    ("cre-5", "en", ("credit_line",), "© 2024 The Daily Example. All rights reserved.", None),
    ("cre-6", "ru", ("credit_line",), "Автор: Мария Иванова", None),
    ("cre-7", "en", ("credit_line",), "Source link", None),
    # -- plain reporting: no label
    ("pla-1", "de", (), "Bei seiner Ankunft wurde der Präsident am Flughafen von einer Ehrengarde empfangen.", "art-box"),
    ("pla-2", "de", (), "Am Abend fuhr die Wagenkolonne durch die beleuchteten Straßen der Hauptstadt.", None),
    ("pla-3", "en", (), "The two leaders shook hands and posed for photographs before the meeting.", "art-en"),
    ("pla-4", "en", (), "Heavy rain is expected across the region on Thursday.", None),
    ("pla-5", "en", (), "The delegation will travel on to Vietnam later this week.", None),
    ("pla-6", "ru", (), "Президент прибыл в столицу во вторник вечером.", "art-ru"),
    ("pla-7", "ru", (), "Переговоры прошли в закрытом режиме.", None),
    ("pla-8", "de", (), "Seit dem Einmarsch im Jahr 2022 haben beide Länder ihre Beziehungen vertieft.", None),
    ("pla-9", "en", (), "The summit took place at a remote spaceport in the far east of the country.", None),
    ("pla-10", "de", (), "Die Gespräche dauerten mehrere Stunden und endeten mit einem Abendessen.", "art-rt"),
)
# fmt: on

# Articles to score: a multi-paragraph text with boilerplate, plain text, and Russian.
ARTICLES: tuple[dict[str, Any], ...] = (
    {
        "id": "a-box",
        "lang": "de",
        "outlet": "Example Times",
        "text": "Bei seiner Ankunft wurde der Kanzler in Rom empfangen.\n\n"
        "Die Behörden haben uns als unerwünschte Organisation eingestuft.\n\n"
        "Unterstützen Sie uns mit Ihrer Spende, schon ab 2 Euro im Monat.\n\n"
        "Foto: Reuters",
    },
    {"id": "a-plain", "text": "Heavy snow is expected in the mountains on Friday."},
    {
        "id": "a-ru",
        "lang": "ru",
        "text": "Переговоры прошли в закрытом режиме.\n\nЧитайте также: Что известно о саммите",
    },
)


def corpus_rows() -> list[dict[str, Any]]:
    """The training corpus as label-file rows."""
    rows = []
    for passage_id, lang, labels, text, article_id in CORPUS:
        row: dict[str, Any] = {"id": passage_id, "text": text, "labels": list(labels), "lang": lang}
        if article_id:
            row["article_id"] = article_id
        rows.append(row)
    return rows


def write_jsonl(path: Path, rows: Iterable[Any]) -> Path:
    """Write rows as JSON Lines (UTF-8) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    return path


def write_labels(path: Path, labels: Iterable[str] = LABELS) -> Path:
    """Write a labels.txt."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# test labels\n" + "\n".join(labels) + "\n", encoding="utf-8")
    return path


def stderr_lines(result: Any) -> list[str]:
    """The non-empty lines a CliRunner result wrote to stderr."""
    return [line for line in result.stderr.splitlines() if line.strip()]


def assert_bad_input(result: Any, match: str | None = None) -> str:
    """Exit 3, exactly one stderr line starting with 'error:', no traceback; returns it."""
    assert result.exit_code == 3, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    errors = [line for line in stderr_lines(result) if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    if match is not None:
        assert match in errors[0], errors[0]
    return errors[0]


def console_script(name: str = "framing") -> Path:
    """The installed console script next to the running interpreter."""
    return Path(sys.executable).parent / (name + (".exe" if os.name == "nt" else ""))


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with labels.txt and train.jsonl (the corpus), as users lay out label data."""
    folder = tmp_path_factory.mktemp("labels")
    write_labels(folder / "labels.txt")
    write_jsonl(folder / "train.jsonl", corpus_rows())
    return folder


@pytest.fixture(scope="session")
def train_file(data_dir: Path) -> Path:
    return data_dir / "train.jsonl"


@pytest.fixture(scope="session")
def labelled(data_dir: Path) -> framing.LabelledData:
    return framing.load_labelled([data_dir / "train.jsonl"])


@pytest.fixture(scope="session")
def tiny_model_dir(
    tmp_path_factory: pytest.TempPathFactory, labelled: framing.LabelledData
) -> Path:
    """A tiny model trained on the corpus and saved like `framing train` saves one."""
    model = framing.train(labelled, config=TINY_CONFIG, cross_validation=False)
    return framing.save_model(
        model, tmp_path_factory.mktemp("models") / "tiny", manifest=model.manifest
    )


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir: Path) -> framing.FramingModel:
    """The tiny model, loaded (and so verified) from disk; treat it as read-only."""
    return framing.load_model(tiny_model_dir)


@pytest.fixture
def articles_file(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "articles.jsonl", ARTICLES)


@pytest.fixture
def tiny_toml(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TOML, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _restore_framing_logger() -> Iterable[None]:
    """The CLI points the 'framing' logger at the stderr of its run; undo that after each test
    so caplog and later runs see a clean logger."""
    logger = logging.getLogger("framing")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]
