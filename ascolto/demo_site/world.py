"""The demo web's content: a seeded, synthetic fortnight of talk about two fictional brands, ending at `now`.

Volume follows a daily and a weekly rhythm; Pakko has one delivery-complaint surge in the last four hours. The brands'
care accounts answer some complaints and questions (not all); some news articles are syndicated in two feeds."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ascolto.demo_site.texts import BY_INTENT, CITIES, NEWS, REPLIES, SURGE, USERS

SEED = 20261122
DAYS = 14
SURGE_HOURS = 4
SURGE_POSTS = 48
BRANDS = {"Velora": "V", "Pakko": "P"}
CARE_ACCOUNTS = {"Velora": "velora_care", "Pakko": "pakko_help"}
APP_IDS = {"Velora": "1001", "Pakko": "1002"}
SUBREDDITS = {"it": "italy", "en": "CasualUK"}

_CLOSERS = {
    "it": ["Aiuto!", "Ennesima volta.", "Qualcuno ha lo stesso problema?", "Sono cliente da {n} anni.", "Mah.",
           "Che dire.", "Aggiornerò.", "Ve lo dico da {city}.", "Incredibile.", ""],
    "en": ["Help!", "Again.", "Anyone else?", "Customer for {n} years.", "Meh.", "Just saying.", "Will update.",
           "From {city}.", "Unbelievable.", ""],
}
_PLATFORMS = (("forum", 0.22), ("reviews", 0.14), ("reddit", 0.32), ("mastodon", 0.32))
_INTENTS = (("complaint", 0.42), ("question", 0.2), ("praise", 0.2), ("other", 0.18))
_DAILY = ((7, 0.15), (11, 0.8), (15, 1.4), (19, 0.9), (23, 1.3), (24, 0.5))  # (until hour, level)
_REVIEW_RATING = {"complaint": (1, 2), "question": (3, 3), "praise": (5, 5), "other": (3, 4)}


@dataclass
class Post:
    id: str
    platform: str  # news, blog, forum, reviews, reddit, mastodon
    brand: str
    lang: str
    intent: str
    topic: str
    author: str
    text: str
    at: datetime
    title: str | None = None
    reply_to: str | None = None  # id of the Post this answers
    owned: bool = False
    rating: int | None = None
    hashtag: bool = False
    thread: str | None = None  # forum thread / reddit post id
    syndicated_as: str | None = None  # news: slug of the copy in the other feed


@dataclass
class World:
    now: datetime
    posts: list[Post] = field(default_factory=list)

    def on(self, platform: str) -> list[Post]:
        """Newest first."""
        return sorted((p for p in self.posts if p.platform == platform), key=lambda p: (p.at, p.id), reverse=True)

    def by_id(self) -> dict[str, Post]:
        return {p.id: p for p in self.posts}


def _rhythm(at: datetime) -> float:
    """Relative volume: quiet nights, busy lunch and evening (Rome time, about UTC+1); quieter weekends."""
    hour = (at.hour + 1) % 24
    daily = next(level for end, level in _DAILY if hour < end)
    weekly = 0.65 if (at + timedelta(hours=1)).weekday() >= 5 else 1.0
    return daily * weekly


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]


class _Builder:
    def __init__(self, now: datetime) -> None:
        self.rng = random.Random(SEED)
        self.world = World(now)
        self.texts: set[str] = set()
        self.seq = 0

    def fill(self, template: str, brand: str, lang: str) -> str:
        rng = self.rng
        slots = {"b": brand, "n": rng.randint(2, 9), "city": rng.choice(CITIES[lang]),
                 "amount": rng.choice([38, 47, 59, 64, 85, 112, 129, 180, 240]),
                 "order": f"#{rng.randint(10000, 99999)}"}
        return template.format(**slots)

    def unique(self, text: str, brand: str, lang: str) -> str:
        for _ in range(8):
            closer = self.fill(self.rng.choice(_CLOSERS[lang]), brand, lang)
            candidate = f"{text} {closer}".strip()
            if candidate not in self.texts:
                break
        else:
            candidate = f"{text} ({self.rng.randint(100, 999)})"
        self.texts.add(candidate)
        return candidate

    def add(self, **fields: object) -> Post:
        self.seq += 1
        at = fields["at"]
        assert isinstance(at, datetime)
        post = Post(id=f"{int(at.timestamp())}{self.seq:05d}", **fields)  # type: ignore[arg-type]
        self.world.posts.append(post)
        return post

    def mention(self, at: datetime, brand: str, *, intent: str | None = None, platform: str | None = None,
                lang: str | None = None, surge: bool = False) -> None:
        rng = self.rng
        lang = lang or ("it" if rng.random() < 0.65 else "en")
        platform = platform or _pick(rng, _PLATFORMS)
        if surge:
            intent, topic, template = "complaint", "delivery", rng.choice(SURGE[lang])
        else:
            intent = intent or _pick(rng, _INTENTS)
            choices = [t for t in BY_INTENT[intent][lang] if BRANDS[brand] in t[1]]
            topic, _, template = rng.choice(choices)
        text = self.unique(self.fill(template, brand, lang), brand, lang)
        low, high = _REVIEW_RATING[intent]
        post = self.add(platform=platform, brand=brand, lang=lang, intent=intent, topic=topic,
                        author=rng.choice(USERS), text=text, at=at, rating=rng.randint(low, high),
                        hashtag=rng.random() < 0.7, title=text.split(". ")[0][:90])
        post.thread = post.id
        if platform == "reviews" or intent not in ("complaint", "question"):
            return
        if platform == "forum" and rng.random() < 0.3:  # somebody else chimes in
            echo = "Stesso problema con {b} anche per me." if lang == "it" else "Same problem with {b} here."
            self.add(platform="forum", brand=brand, lang=lang, intent=intent, topic=topic, author=rng.choice(USERS),
                     text=self.unique(self.fill(echo, brand, lang), brand, lang),
                     at=at + timedelta(minutes=rng.randint(3, 90)), reply_to=post.id, thread=post.id,
                     title=post.title)
        if rng.random() < (0.15 if surge else 0.6):
            reply_at = at + timedelta(minutes=rng.randint(8, 240))
            if reply_at < self.world.now:
                self.add(platform=platform, brand=brand, lang=lang, intent="other", topic=topic,
                         author=CARE_ACCOUNTS[brand], text=self.unique(rng.choice(REPLIES[lang]), brand, lang),
                         at=reply_at, reply_to=post.id, owned=True, thread=post.id, title=post.title)

    def news(self, at: datetime, brand: str) -> None:
        rng = self.rng
        lang = "it" if rng.random() < 0.6 else "en"
        topic, _, template = rng.choice([t for t in NEWS[lang] if BRANDS[brand] in t[1]])
        title, body = self.fill(template, brand, lang).split("|")
        body = self.unique(body, brand, lang)
        post = self.add(platform="news" if lang == "it" else "blog", brand=brand, lang=lang, intent="other",
                        topic=topic, author=rng.choice(["Redazione", "Marco Neri", "Jane Porter", "Staff"]),
                        text=body, at=at, title=title)
        if rng.random() < 0.3:
            post.syndicated_as = f"wire-{post.id}"


def generate_world(now: datetime | None = None) -> World:
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(second=0, microsecond=0)
    builder = _Builder(now)
    rng = builder.rng
    start = now - timedelta(days=DAYS)
    for hour in range(DAYS * 24):
        slot = start + timedelta(hours=hour)
        for brand in BRANDS:
            for _ in range(_poisson(rng, 1.05 * _rhythm(slot))):
                builder.mention(slot + timedelta(seconds=rng.randint(0, 3599)), brand)
            if rng.random() < 0.07 * _rhythm(slot):
                builder.news(slot + timedelta(seconds=rng.randint(0, 3599)), brand)
    for _ in range(SURGE_POSTS):  # ramping up: more posts nearer to now
        ago = timedelta(seconds=int(SURGE_HOURS * 3600 * (1 - math.sqrt(rng.random()))))
        builder.mention(now - ago - timedelta(seconds=30), "Pakko", platform=_pick(rng, (
            ("reddit", 0.4), ("mastodon", 0.4), ("forum", 0.2))), lang="it" if rng.random() < 0.8 else "en",
            surge=True)
    builder.world.posts = [p for p in builder.world.posts if p.at < now]
    return builder.world
