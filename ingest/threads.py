"""Thread references: `in_reply_to` and `thread_id` as crawlers and exports write them, resolved to mention ids.

A reference may be
- a mention id (24 hex digits, as the crawlers compute it with core.model.mention_id; a platform id of 24 hex
  digits is taken for one only when that parent is in the same batch),
- the platform's own id of the parent on the same platform (a tweet id, a Reddit `t1_...` name), or
- the parent's URL.

A platform id names its parent's mention id directly (mention_id(platform, id)), so it links whenever the parent
arrives, before or after the reply. A URL names the mention stored at that URL (the earliest one, when posts of a
forum thread share their page's URL). While no mention has that URL yet, the reference holds the id a mention
with only that URL would get; a parent that then arrives at that URL with its own platform id takes over the
references made to it (`relink`), so that the store links its replies (first_reply_at) as for any other.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence

from core.model import Mention, mention_id
from core.urls import canonical_url
from storage import MentionStore

log = logging.getLogger(__name__)

REFERENCE_FIELDS = ("in_reply_to", "thread_id")
_MENTION_ID = re.compile(r"[0-9a-f]{24}")


def _canonical(reference: str) -> str | None:
    """The canonical URL of a reference that is an http(s) URL, else None."""
    if not reference[:8].lower().startswith(("http://", "https://")):
        return None
    try:
        return canonical_url(reference)
    except ValueError:  # a malformed URL (bad port, bad IDNA host) is not a link to anything stored
        return None


def url_key(url: str) -> str:
    """The id of a mention known only by this (canonical) URL."""
    return mention_id("", None, url)


def platform_key(platform: str, reference: str) -> str:
    return mention_id(platform, reference, None)


def _earliest_by_url(mentions: Iterable[Mention]) -> dict[str, Mention]:
    first: dict[str, Mention] = {}
    for m in mentions:
        if m.url and (m.url not in first or (m.published_at, m.id) < (first[m.url].published_at, first[m.url].id)):
            first[m.url] = m
    return first


class ThreadResolver:
    """Rewrites the thread references of a batch to mention ids, and hands stored replies over to late parents."""

    def __init__(self, store: MentionStore) -> None:
        self.store = store

    def resolve(self, batch: Sequence[Mention]) -> None:
        """Turn every in_reply_to and thread_id of `batch` into a mention id (in place)."""
        references = [(m, name, str(getattr(m, name)).strip()) for m in batch for name in REFERENCE_FIELDS
                      if getattr(m, name) is not None]
        if not references:
            return
        by_url = _earliest_by_url(batch)
        ids = {m.id for m in batch}
        urls = {u for _, _, ref in references if (u := _canonical(ref))} - by_url.keys()
        stored_urls = self.store.ids_by_url(sorted(urls)) if urls else {}
        aliases = {url_key(url): m.id for url, m in by_url.items()}  # URL-only ids of batch mentions with their own
        for mention, name, ref in references:
            url = _canonical(ref)
            if not ref:
                resolved = None
            elif url is not None:
                parent = by_url.get(url)
                resolved = parent.id if parent is not None else stored_urls.get(url) or url_key(url)
            elif not _MENTION_ID.fullmatch(ref) or platform_key(mention.platform, ref) in ids:
                resolved = platform_key(mention.platform, ref)
            else:  # a mention id, as the crawlers write them (or the URL-only id of a batch mention with its own)
                resolved = aliases.get(ref, ref)
            setattr(mention, name, resolved)

    def relink(self, batch: Sequence[Mention]) -> int:
        """Stored mentions that referred by URL to a mention of `batch` before it arrived now refer to its id, and
        are stored again so that the store links them. Returns how many were re-pointed."""
        aliases = {url_key(url): m.id for url, m in _earliest_by_url(batch).items() if url_key(url) != m.id}
        if not aliases:
            return 0
        in_batch = {m.id for m in batch}
        moved = []
        for m in self.store.referring_to(sorted(aliases)):
            if m.id in in_batch:
                continue  # resolved before it was stored
            for name in REFERENCE_FIELDS:
                value = getattr(m, name)
                if value in aliases:
                    setattr(m, name, aliases[value])
            moved.append(m)
        if moved:
            result = self.store.upsert(moved)
            for failed_id, reason in result.failed:
                log.warning("reply %s could not be re-linked to its parent: %s", failed_id, reason)
        return len(moved)
