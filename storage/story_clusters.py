"""Stories inside a crisis: near-duplicate and syndicated mentions clustered.

Two mentions are one story when ingest already saw them as the same text (equal `content_hash`: case, accents,
punctuation and spacing ignored) or when their word 3-shingles (core.text.fold/tokens) overlap by a Jaccard
similarity of at least NEAR_DUPLICATE. Candidates come from MinHash banding (no all-pairs comparison) and are
confirmed on the exact shingle sets, so the outcome does not depend on the hashing's luck beyond missing a rare
borderline pair. Deterministic: the hashes are seeded constants, not Python's per-process string hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from pydantic import BaseModel

from core.model import Mention
from core.text import fold, tokens

NEAR_DUPLICATE = 0.5  # Jaccard of 3-shingles: a retweet with a comment, a re-posted article with its footer
SHINGLE = 3
BANDS, ROWS = 8, 4  # 32 MinHash values; a pair at Jaccard 0.5 shares a band with probability ~0.41, at 0.7 ~0.87
_PRIME = (1 << 31) - 1
_COEFFS = np.random.default_rng(20260501).integers(1, _PRIME, size=(2, BANDS * ROWS), dtype=np.uint64)
TEXT_CHARS = 280


class StoryCluster(BaseModel):
    """One story: mentions telling the same text, with how far it went and where it showed up first."""

    count: int  # mentions in the store plus the syndicated copies ingest folded into them
    mentions: int
    copies: int
    reach: int  # summed author_reach of the mentions
    first_at: datetime
    first_source: str
    first_platform: str
    platforms: list[str]
    text: str  # the earliest mention's, cut to TEXT_CHARS (untrusted: shown as text only)
    url: str | None
    mention_ids: list[str]  # up to five, earliest first


def shingles(text: str) -> set[str]:
    words = tokens(fold(text))
    if len(words) < SHINGLE:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def signatures(sets: Sequence[set[str]]) -> np.ndarray:
    """The MinHash signature (BANDS * ROWS values) of each non-empty shingle set, in one vectorised pass: one
    row per set (an empty set's row is never read)."""
    memo: dict[str, int] = {}
    values: list[int] = []
    starts: list[int] = []
    for items in sets:
        starts.append(len(values))
        for item in items or ("",):  # an empty set gets a dummy shingle, so every set owns a row
            code = memo.get(item)
            if code is None:
                code = memo[item] = int.from_bytes(hashlib.blake2b(item.encode(), digest_size=8).digest()) % _PRIME
            values.append(code)
    if not values:
        return np.zeros((0, BANDS * ROWS), dtype=np.uint64)
    hashed = (np.array(values, dtype=np.uint64)[:, None] * _COEFFS[0] + _COEFFS[1]) % _PRIME
    return np.minimum.reduceat(hashed, np.array(starts), axis=0)


class _Groups:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the earlier mention (lower index) stays the root


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def cluster_mentions(mentions: Sequence[Mention], size: int = 10) -> list[StoryCluster]:
    """The `size` largest stories of `mentions` (oldest first as given): clusters of two or more mentions, or one
    mention ingest found syndicated elsewhere. Ranked by count, then reach, then first appearance."""
    groups = _Groups(len(mentions))
    by_hash: dict[str, int] = {}
    sets = [shingles(f"{m.title or ''} {m.text}") for m in mentions]
    bands: dict[tuple[int, bytes], int] = {}
    signed = signatures(sets)
    for i, m in enumerate(mentions):
        if m.content_hash:
            groups.join(by_hash.setdefault(m.content_hash, i), i)
        if not sets[i]:
            continue
        signature = signed[i]
        for band in range(BANDS):
            key = (band, signature[band * ROWS:(band + 1) * ROWS].tobytes())
            first = bands.setdefault(key, i)
            # compared with the band's first member only: linear, and a story of thousands stays cheap
            if first != i and groups.find(first) != groups.find(i) and _jaccard(sets[first], sets[i]) >= NEAR_DUPLICATE:
                groups.join(first, i)
    members: dict[int, list[int]] = {}
    for i in range(len(mentions)):
        members.setdefault(groups.find(i), []).append(i)
    clusters = [_cluster([mentions[i] for i in idx]) for idx in members.values()]
    clusters = [c for c in clusters if c.count >= 2]
    clusters.sort(key=lambda c: (-c.count, -c.reach, c.first_at))
    return clusters[:size]


def _cluster(group: list[Mention]) -> StoryCluster:
    group = sorted(group, key=lambda m: (m.published_at, m.id))
    first = group[0]
    copies = sum(len(m.copies) for m in group)
    platforms = list(dict.fromkeys(m.platform for m in group))
    return StoryCluster(
        count=len(group) + copies, mentions=len(group), copies=copies,
        reach=sum(m.author_reach or 0 for m in group), first_at=first.published_at, first_source=first.source,
        first_platform=first.platform, platforms=platforms, text=(first.title + " · " if first.title else "")
        + first.text[:TEXT_CHARS], url=first.url, mention_ids=[m.id for m in group[:5]],
    )
