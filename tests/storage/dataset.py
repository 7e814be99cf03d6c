"""A deterministic, varied set of mentions for cross-backend agreement (and the benchmark)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from core.model import Mention, content_hash

T0 = datetime(2026, 9, 28, 23, 30, tzinfo=UTC)  # late on a Monday, near a month's end
BRANDS = ("Velora", "Acqua Viva", "Nordbank", "Café Rosé")
TOPICS = ("delivery", "price", "billing", "app", "staff")
AUTHORS = ("anna", "Bruno", "chiara.r", "Dario", "élodie", "Ørsted fan", None)
SOURCES = ("news.example", "forum.example", "reviews.example", "blog.example")
PLATFORMS = ("news", "forum", "reviews", "blog", "reddit")
WORDS = (
    "servizio", "pessimo", "bolletta", "consegna", "ritardo", "perché", "così", "caffè", "città", "Straße",
    "naïve", "résumé", "delivery", "late", "refund", "app", "crash", "prezzo", "alto", "grazie", "ottimo",
    "l'acqua", "dell'app", "3.5", "foo_bar", "ÉTÉ", "Rosé",
    "ﬁne", "x²", "½", "東京タワー", "İstanbul", "emoji😀",
)


def mentions(n: int = 240, seed: int = 7) -> list[Mention]:
    rng = random.Random(seed)
    out: list[Mention] = []
    for i in range(n):
        published = T0 + timedelta(minutes=rng.choice((0, 7, 90, 333, 1440, 4000)) * (i // 3))
        words = rng.sample(WORDS, rng.randint(3, 9))
        owned = i % 17 == 5 and i > 20
        sentiment = rng.choice(("negative", "neutral", "positive", None))
        out.append(Mention(
            id=f"m{i:04d}",
            brands=sorted(set(rng.sample(BRANDS, rng.randint(0, 2)))),
            source=rng.choice(SOURCES),
            platform=rng.choice(PLATFORMS),
            author=rng.choice(AUTHORS),
            author_reach=rng.choice((None, 0, 10, 250, 250, 9000)),
            title=rng.choice((None, " ".join(rng.sample(WORDS, 3)).upper())),
            text=" ".join(words),
            lang=rng.choice(("it", "en", "de", None)),
            published_at=published,
            fetched_at=published + timedelta(minutes=5),
            is_owned=owned,
            in_reply_to=f"m{rng.randrange(0, i):04d}" if owned else None,
            engagement={"likes": rng.randint(0, 50)},
            content_hash=content_hash(" ".join(words)) if i % 11 else "dupe-hash",
            sentiment=sentiment,
            intent=rng.choice(("complaint", "question", "praise", "other")) if sentiment else None,
            sentiment_score=rng.uniform(-1, 1) if sentiment else None,
            complaint_score=rng.random(),
            topics=sorted(set(rng.sample(TOPICS, rng.randint(0, 3)))),
        ))
    return out
