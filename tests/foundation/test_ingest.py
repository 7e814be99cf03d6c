from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.config import config_from_dict
from ingest import Ingestor
from storage import MentionFilter, open_store

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
CONFIG = config_from_dict({
    "brands": [
        {"name": "Velora", "aliases": ["Velora Mobile"], "handles": ["@velora"], "owned_accounts": ["velora_care"],
         "owned_domains": ["velora.example"]},
        {"name": "Pakko", "handles": ["@pakko"]},
    ],
})
ARTICLE = ("Velora aumenta le tariffe dal primo dicembre: i clienti protestano per il rincaro e chiedono "
           "spiegazioni sul nuovo piano tariffario annunciato ieri")


def item(**fields):
    base = {"source": "news", "platform": "news", "published_at": (NOW - timedelta(hours=1)).isoformat()}
    return {**base, **fields}


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "m.sqlite3") as s:
        yield s


def test_ingest_matches_brands_analyses_and_stores(store) -> None:
    report = Ingestor(store, CONFIG, now=NOW).ingest([
        item(url="https://a.example/1", text="Velora mi ha bloccato la linea, pessimo servizio, voglio un rimborso"),
        item(url="https://a.example/2", text="Consegna arrivata in anticipo, grazie @pakko!"),
    ])
    assert (report.new, report.rejected) == (2, 0)
    velora = store.search(MentionFilter(brands=("Velora",))).items
    assert len(velora) == 1 and velora[0].sentiment is not None and velora[0].intent is not None
    assert velora[0].lang == "it"
    assert store.count(MentionFilter(brands=("Pakko",))) == 1


def test_bad_items_are_rejected_with_reasons_and_the_batch_is_kept(store, ascolto_home: Path) -> None:
    good = item(url="https://a.example/ok", text="Velora Mobile: perché la fattura è doppia?")
    report = Ingestor(store, CONFIG, now=NOW, rejects_dir=ascolto_home / "rejects").ingest([
        "not an object",
        item(text=""),
        item(url="javascript:alert(1)", text="Velora"),
        item(url="https://a.example/d", text="Velora", published_at="last tuesday"),
        item(url="https://a.example/f", text="Velora", published_at=(NOW + timedelta(days=30)).isoformat()),
        item(url="https://a.example/n", text="nothing about any brand here"),
        {"text": "Velora without a source", "published_at": NOW.isoformat(), "url": "https://a.example/s"},
        good,
    ])
    assert report.new == 1
    assert report.rejected == 7
    assert set(report.reasons) >= {"text", "url", "published_at", "brands", "source"}
    rejects = list((ascolto_home / "rejects").glob("*.jsonl"))
    kept = [json.loads(line) for line in rejects[0].read_text().splitlines()]
    assert len(kept) == 7  # nothing is lost: the rejected items are kept with their reason


def test_same_id_and_syndicated_text_are_one_mention_with_copies(store) -> None:
    ingestor = Ingestor(store, CONFIG, now=NOW)
    report = ingestor.ingest([
        item(url="https://news-a.example/velora-tariffe", text=ARTICLE),
        item(url="https://news-a.example/velora-tariffe?utm_source=rss#top", text=ARTICLE),  # same canonical URL
        item(url="https://news-b.example/rincari", text=ARTICLE.upper(), source="news-b"),  # syndicated copy
    ])
    assert report.new == 1 and report.duplicates == 2
    later = ingestor.ingest([item(url="https://news-c.example/x", text=ARTICLE + "!")])
    assert later.duplicates == 1 and later.new == 0
    (only,) = store.search(MentionFilter()).items
    assert set(only.copies) == {"https://news-b.example/rincari", "https://news-c.example/x"}


def test_ingest_is_idempotent(store) -> None:
    items = [item(url=f"https://a.example/{i}", text=f"Velora rete assente a Bari da {i} ore") for i in range(30)]
    first = Ingestor(store, CONFIG, now=NOW, batch_size=7).ingest(items)
    second = Ingestor(store, CONFIG, now=NOW, batch_size=7).ingest(items)
    assert (first.new, second.new, second.updated) == (30, 0, 30)
    assert store.count(MentionFilter()) == 30


def test_owned_replies_mark_the_complaint_answered(store) -> None:
    complaint = item(platform="mastodon", platform_id="100", text="@velora la mia linea è morta da ieri",
                     author="mario", url="https://m.example/@mario/100")
    from core.model import mention_id

    parent_id = mention_id("mastodon", "100", None)
    reply = item(platform="mastodon", platform_id="101", text="Velora: ci scusi Mario, ci scriva in privato",
                 author="velora_care", in_reply_to=parent_id, published_at=(NOW - timedelta(minutes=20)).isoformat(),
                 url="https://m.example/@velora_care/101")
    Ingestor(store, CONFIG, now=NOW).ingest([reply])  # the reply may arrive first
    Ingestor(store, CONFIG, now=NOW).ingest([complaint])
    stored = store.get(parent_id)
    assert stored is not None and stored.first_reply_at == NOW - timedelta(minutes=20)
    assert store.get(mention_id("mastodon", "101", None)).is_owned


def test_ingest_command_reports_bad_lines_and_keeps_the_rest(tmp_path: Path, cli_env, ascolto_cmd) -> None:
    path = tmp_path / "in.jsonl"
    lines = [json.dumps(item(url=f"https://a.example/{i}", text=f"Velora fattura sbagliata {i}", brands=["Velora"]))
             for i in range(5)]
    lines.insert(2, "{broken json")
    path.write_text("\n".join(lines) + "\n")
    store = tmp_path / "s.sqlite3"
    proc = subprocess.run([*ascolto_cmd, "--store", str(store), "ingest", "--input", str(path), "--json"],
                          capture_output=True, text=True, env=cli_env, timeout=120)
    assert proc.returncode == 1, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["new"] == 5 and summary["rejected"] == 1
    assert "line 3" in proc.stderr
    with open_store(store) as s:
        assert s.count(MentionFilter()) == 5


def test_the_same_complaint_from_different_accounts_is_one_mention_each(store) -> None:
    """A copy-paste complaint wave (what the alerts exist for) is not syndication: that is the same text from the
    same origin, which still merges into one mention with its copies."""
    wave = ("Velora mi ha addebitato due volte la bolletta di novembre e il servizio clienti non risponde da una "
            "settimana, vergogna")
    ingestor = Ingestor(store, CONFIG, now=NOW)
    first = ingestor.ingest([
        item(platform="reddit", platform_id="t1_a", author="anna", text=wave, url="https://r.example/c/a"),
        item(platform="reddit", platform_id="t1_b", author="bruno", text=wave, url="https://r.example/c/b"),
    ])
    later = ingestor.ingest([
        item(platform="reddit", platform_id="t1_c", author="carla", text=wave.upper(), url="https://r.example/c/c"),
        item(platform="reddit", platform_id="t1_d", author="Anna", text=wave + "!", url="https://r.example/c/d"),
    ])
    assert (first.new, first.duplicates, later.new, later.duplicates) == (2, 0, 1, 1)
    by_author = {m.author: m for m in store.search(MentionFilter()).items}
    assert set(by_author) == {"anna", "bruno", "carla"}
    assert by_author["anna"].copies == ["https://r.example/c/d"]  # anna's own repost: a copy of her first
