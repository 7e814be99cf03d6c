"""Ingest: normalise -> de-duplicate -> analyse -> store, in batches. Idempotent; bad items are rejected, counted,
logged and kept in the rejects file, never allowed to sink the rest of their batch."""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from core.config import Config
from core.dates import parse_date
from core.model import Mention, content_hash, mention_id
from core.urls import canonical_url
from ingest.brands import BrandMatcher
from ingest.threads import ThreadResolver
from storage import MentionStore

if TYPE_CHECKING:
    from nlp import Analyzer

log = logging.getLogger(__name__)

_REJECTS_LOCK = threading.Lock()
SYNDICATION_MIN_WORDS = 12  # shorter texts ("the app is down") are often said alike by different people
FUTURE_TOLERANCE = timedelta(days=1)


class RejectedItem(ValueError):
    """An item that cannot become a mention; the message is the reason."""


@dataclass
class IngestReport:
    received: int = 0
    new: int = 0
    updated: int = 0
    duplicates: int = 0  # the same mention again, or the same text syndicated elsewhere (linked as a copy)
    rejected: int = 0
    spooled: int = 0  # accepted while the store was unreachable: kept on disk and written when it is back
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def accepted(self) -> int:
        return self.new + self.updated

    def merge(self, other: IngestReport) -> None:
        self.received += other.received
        self.new += other.new
        self.updated += other.updated
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.spooled += other.spooled
        self.reasons.update(other.reasons)

    def as_dict(self) -> dict[str, Any]:
        return {"received": self.received, "accepted": self.accepted, "new": self.new, "updated": self.updated,
                "duplicates": self.duplicates, "rejected": self.rejected, "spooled": self.spooled,
                "reasons": dict(self.reasons)}


def parse_time(value: Any, name: str) -> datetime:
    parsed = parse_date(value)
    if parsed is None:
        raise RejectedItem(f"{name}: not a date (ISO 8601, RFC 2822 or epoch seconds): {str(value)[:60]!r}")
    return parsed


def syndication_hash(author: Any, title: Any, text: str) -> str:
    """Fingerprint under which copies of one text merge. Syndication is the same text from the same origin: the
    author is part of it, so that the same complaint posted by different accounts (a copy-paste wave, which the
    alerts exist to see) stays separate mentions. Texts without an author (articles, wire copy) merge across
    sites as before."""
    said = f"{title or ''} {text}"
    origin = str(author or "").strip().casefold().lstrip("@")
    return content_hash(f"{origin}\n{said}" if origin else said)


class Ingestor:
    """Turns raw items (crawler output, exports) into stored, analysed mentions. Rejected items are kept in
    `rejects_dir` (the shell passes `$ASCOLTO_HOME/rejects`; by default the system's temporary folder)."""

    def __init__(
        self, store: MentionStore, config: Config | None = None, *, analyzer: Analyzer | None = None,
        batch_size: int = 500, now: datetime | None = None, rejects_dir: Path | None = None,
    ) -> None:
        self.store, self.config, self.batch_size = store, config, batch_size
        self._analyzer = analyzer
        self._now = now
        self.rejects_dir = rejects_dir or Path(tempfile.gettempdir()) / "ascolto-rejects"
        self.matcher = BrandMatcher(config.brands if config else [])
        self.threads = ThreadResolver(store)

    @property
    def analyzer(self) -> Analyzer:
        if self._analyzer is None:
            from nlp import get_analyzer  # spaCy and the models load only when a mention needs analysing

            self._analyzer = get_analyzer()
        return self._analyzer

    def ingest(self, items: Iterable[Any]) -> IngestReport:
        report = IngestReport()
        for batch in _batches(items, self.batch_size):
            report.merge(self.ingest_batch(batch))
        return report

    def ingest_batch(self, items: list[Any]) -> IngestReport:
        return self.store_batch(*self.normalise_batch(items))

    def normalise_batch(self, items: list[Any]) -> tuple[IngestReport, list[Mention]]:
        """The first stage of a batch, pure CPU (no store): its mentions, and its report of what was rejected.
        It may run while the previous batch is being stored (ascolto ingest overlaps the two)."""
        report = IngestReport(received=len(items))
        now = self._now or datetime.now(UTC)
        mentions: list[Mention] = []
        for item in items:
            try:
                mentions.append(self.normalise(item, now))
            except RejectedItem as exc:
                self.reject(report, str(exc), item)
        return report, mentions

    def store_batch(self, report: IngestReport, mentions: list[Mention]) -> IngestReport:
        """The rest, in batch order: de-duplicate against the store, resolve threads, analyse, store, relink."""
        mentions = self._deduplicate(mentions, report)
        self.threads.resolve(mentions)
        self._analyse([m for m in mentions if not m.analysed])
        result = self.store.upsert(mentions)
        self.threads.relink([m for m in mentions if m.id not in {f[0] for f in result.failed}])
        report.new += result.inserted
        report.updated += result.updated
        report.spooled += result.spooled
        for mention_id_, reason in result.failed:
            self.reject(report, f"store refused it: {reason}", {"id": mention_id_})
        return report

    def normalise(self, item: Any, now: datetime) -> Mention:
        if isinstance(item, Mention):
            item = item.model_dump()
        if not isinstance(item, dict):
            raise RejectedItem(f"not an object but {type(item).__name__}")
        data = dict(item)
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            title = data.get("title")
            if not isinstance(title, str) or not title.strip():
                raise RejectedItem("text: missing or empty")
            data["text"] = text = title
        if not isinstance(data.get("source"), str) or not data["source"].strip():
            raise RejectedItem("source: missing")
        data["platform"] = str(data.get("platform") or "web").lower()
        url = data.get("url")
        if url is not None:
            if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
                raise RejectedItem(f"url: not an http(s) URL: {str(url)[:80]!r}")
            data["url"] = url = canonical_url(url)
        platform_id = data.get("platform_id")
        if platform_id is None and data.get("id") is not None and not url:
            platform_id = data["id"]  # exports from other tools carry their own id
        data["platform_id"] = str(platform_id) if platform_id is not None else None
        for reference in ("in_reply_to", "thread_id"):  # exports write numeric ids as numbers
            if isinstance(data.get(reference), int) and not isinstance(data[reference], bool):
                data[reference] = str(data[reference])
        try:
            data["id"] = mention_id(data["platform"], data["platform_id"], url)
        except ValueError as exc:
            raise RejectedItem(str(exc)) from None
        data["published_at"] = parse_time(data.get("published_at"), "published_at")
        if data["published_at"] > now + FUTURE_TOLERANCE:
            raise RejectedItem(f"published_at: in the future: {data['published_at'].isoformat()}")
        data["fetched_at"] = parse_time(data["fetched_at"], "fetched_at") if data.get("fetched_at") else now
        if data.get("first_reply_at"):
            data["first_reply_at"] = parse_time(data["first_reply_at"], "first_reply_at")
        data["content_hash"] = syndication_hash(data.get("author"), data.get("title"), text)
        data["brands"] = self._brands(data)
        data["is_owned"] = bool(data.get("is_owned")) or self.matcher.is_owned(
            str(data.get("author") or ""), data.get("url"), data["brands"])
        try:
            return Mention.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first["loc"])
            raise RejectedItem(f"{key}: {first['msg']}") from None

    def _brands(self, data: dict[str, Any]) -> list[str]:
        given = data.get("brands")
        if isinstance(given, str):
            given = [given]
        if given:
            if not isinstance(given, list) or not all(isinstance(b, str) for b in given):
                raise RejectedItem("brands: expected a list of brand names")
            return sorted(set(given))
        matched = self.matcher.about(data.get("title"), data["text"], str(data.get("author") or "") or None)
        if not matched:
            raise RejectedItem("brands: none given, no brand query matches the text, not a brand's own account")
        return matched

    def _deduplicate(self, mentions: list[Mention], report: IngestReport) -> list[Mention]:
        """Same id: one mention. Same long text under another id: a copy linked to the first, not counted twice."""
        by_id: dict[str, Mention] = {}
        for m in mentions:
            if m.id in by_id:
                report.duplicates += 1
            by_id[m.id] = m
        syndicated = [m for m in by_id.values() if len(m.text.split()) >= SYNDICATION_MIN_WORDS]
        stored = self.store.ids_by_content_hash([m.content_hash for m in syndicated])
        first_by_hash: dict[str, Mention] = {}
        kept: dict[str, Mention] = dict(by_id)
        for m in syndicated:
            original_id = stored.get(m.content_hash)
            if original_id is None and m.content_hash in first_by_hash:
                first = first_by_hash[m.content_hash]
                first.copies = sorted({*first.copies, *([m.url] if m.url else [])})
                kept.pop(m.id)
                report.duplicates += 1
            elif original_id is not None and original_id != m.id:
                if m.url:
                    self.store.add_copies(original_id, [m.url])
                kept.pop(m.id)
                report.duplicates += 1
            else:
                first_by_hash.setdefault(m.content_hash, m)
        return list(kept.values())

    def _analyse(self, mentions: list[Mention]) -> None:
        if not mentions:
            return
        texts = [f"{m.title}. {m.text}" if m.title and m.title not in m.text else m.text for m in mentions]
        for m, a in zip(mentions, self.analyzer.analyse(texts, [m.lang for m in mentions]), strict=True):
            m.lang, m.sentiment, m.sentiment_score = a.lang, a.sentiment, a.sentiment_score  # type: ignore[assignment]
            m.intent, m.complaint_score, m.topics = a.intent, a.complaint_score, list(a.topics)  # type: ignore[assignment]

    def reject(self, report: IngestReport, reason: str, item: Any) -> None:
        report.rejected += 1
        report.reasons[reason.split(":")[0]] += 1
        log.warning("rejected item: %s", reason)
        self.rejects_dir.mkdir(parents=True, exist_ok=True)
        path = self.rejects_dir / f"rejects-{datetime.now(UTC):%Y%m%d}.jsonl"
        # kept, so that nothing is lost; locked: both stages of a pipelined ingest may reject
        with _REJECTS_LOCK, path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"reason": reason, "item": item}, default=str, ensure_ascii=False)[:200_000] + "\n")


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
