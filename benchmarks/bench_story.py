"""The crisis story (GET /api/story's work) on a surge of N mentions in the embedded SQLite store, beside the care
snapshot of the same window (the overview's own figures: the baseline, run in the same process on the same file).

Builds a temporary store: a quiet week, then N mentions in 12 hours of which a third repeat a few syndicated
texts with small edits (the stories to cluster). Times `ascolto.story.window_story` (median of --runs), its
near-duplicate clustering alone, and the PDF rendering. The last line is the figure: story time ÷ care snapshot.

    .venv/bin/python benchmarks/bench_story.py [--mentions 5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ascolto.report import render_pdf
from ascolto.story import window_story
from core.config import config_from_dict
from core.model import Mention, content_hash
from storage.base import MentionFilter
from storage.sqlite import SQLiteStore
from storage.story_clusters import cluster_mentions

_VOCABULARY = ("batteria monopattino ricarica fuoco assistenza rimborso ritardo consegna app crash prezzo servizio "
               "pessimo rotto bloccato lento risposta negozio ordine garanzia")
WORDS = _VOCABULARY.split()
STORIES = [" ".join(random.Random(i).choices(WORDS, k=25)) for i in range(6)]


def build(path: Path, count: int, now: datetime) -> None:
    rng = random.Random(3)
    store = SQLiteStore(path)
    since = now - timedelta(hours=12)
    batch = []
    for i in range(count + 500):
        quiet = i >= count
        at = (since - timedelta(days=7) * rng.random()) if quiet else since + timedelta(hours=12) * rng.random()
        if not quiet and rng.random() < 0.33:
            text = rng.choice(STORIES) + (f" {rng.choice(WORDS)}" if rng.random() < 0.5 else "")
        else:
            text = " ".join(rng.choices(WORDS, k=14))
        negative = not quiet and rng.random() < 0.7
        batch.append(Mention(
            id=f"m{i}", brands=["Velora"], source=f"source-{rng.randrange(30)}",
            platform=rng.choice(["forum", "news", "reddit", "reviews", "mastodon"]), url=f"https://example.org/{i}",
            author=f"author{rng.randrange(2000)}", author_reach=rng.randrange(10, 100_000), text=text, lang="it",
            published_at=at, fetched_at=at, content_hash=content_hash(text),
            engagement={"likes": rng.randrange(100)}, sentiment="negative" if negative else "neutral",
            intent="complaint" if negative else "other"))
    store.upsert(batch)
    store.close()


def timed(task, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        task()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    since = now - timedelta(hours=12)
    config = config_from_dict({"brands": [{"name": "Velora"}]})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "story.sqlite3"
        build(path, args.mentions, now)
        store = SQLiteStore(path)
        window = MentionFilter(brands=("Velora",), since=since, until=now)
        care = timed(lambda: store.care_snapshot(window, "1h", topic_size=1, now=now), args.runs)
        story_s = timed(lambda: window_story(store, config, "Velora", since, now, now), args.runs)
        read = list(islice(store.iter_mentions(window), 5000))
        clusters = timed(lambda: cluster_mentions(read), args.runs)
        story = window_story(store, config, "Velora", since, now, now)
        pdf = timed(lambda: render_pdf(story), 1)
        store.close()
    print(f"mentions in the window: {args.mentions}; stories found: {len(story.stories)} (largest "
          f"{story.stories[0].count if story.stories else 0}); read {story.read} (complete: {story.read_complete})")
    print(f"care snapshot (baseline): {care * 1000:.0f} ms; crisis story: {story_s * 1000:.0f} ms; clustering "
          f"{len(read)} mentions: {clusters * 1000:.0f} ms; PDF render: {pdf * 1000:.0f} ms")
    print(f"story_over_care_snapshot {story_s / care:.1f}")


if __name__ == "__main__":
    main()
