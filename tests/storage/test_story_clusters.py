"""Near-duplicate and syndicated mentions clustered into stories (storage.story_clusters), on plain mentions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.model import Mention, content_hash
from storage.story_clusters import NEAR_DUPLICATE, cluster_mentions, shingles

T0 = datetime(2026, 5, 1, 8, tzinfo=UTC)
TEXT = ("Il monopattino Velora prende fuoco durante la ricarica notturna e l'assistenza non risponde da tre giorni, "
        "nessun rimborso offerto")


def m(mid: str, minutes: int, text: str, **extra: object) -> Mention:
    return Mention(id=mid, source=f"src-{mid}", platform="forum", text=text,
                   published_at=T0 + timedelta(minutes=minutes), fetched_at=T0, content_hash=content_hash(text),
                   author_reach=10, **extra)  # type: ignore[arg-type]


def test_edits_reposts_and_copies_are_one_story_and_other_texts_are_not() -> None:
    mentions = [
        m("a", 0, TEXT),
        m("b", 5, "RT: " + TEXT.upper() + "!!"),  # same words: the same content hash
        m("c", 9, TEXT + " #velora #sicurezza"),  # an addition: near-duplicate by shingles
        m("d", 12, TEXT.replace("tre giorni", "una settimana"), copies=["https://copy.example/1"]),
        m("e", 15, "Consegna puntuale e imballaggio perfetto, grazie Velora per il servizio"),
        m("f", 20, ""),
    ]
    stories = cluster_mentions(mentions)
    assert len(stories) == 1
    story = stories[0]
    assert story.mention_ids == ["a", "b", "c", "d"] and story.mentions == 4 and story.copies == 1
    assert story.count == 5 and story.reach == 40 and story.first_at == T0 and story.first_source == "src-a"
    assert cluster_mentions(list(reversed(mentions)))[0].mention_ids == story.mention_ids  # earliest first anyway


def test_a_single_syndicated_mention_is_a_story_and_a_lone_one_is_not() -> None:
    assert cluster_mentions([m("a", 0, TEXT, copies=["https://x.example/1", "https://y.example/2"])])[0].count == 3
    assert cluster_mentions([m("a", 0, TEXT)]) == []
    assert cluster_mentions([]) == []


def test_the_threshold_is_the_jaccard_of_word_shingles() -> None:
    a, b = shingles(TEXT), shingles(TEXT + " #velora #sicurezza")
    assert len(a & b) / len(a | b) >= NEAR_DUPLICATE
    half = " ".join(TEXT.split()[:8]) + " ma il negozio di Milano ha sostituito subito tutto con gentilezza e rapidità"
    c = shingles(half)
    assert len(a & c) / len(a | c) < NEAR_DUPLICATE
    assert cluster_mentions([m("a", 0, TEXT), m("h", 1, half)]) == []
