"""The one mention model (and alert event model) used by every stage: crawl, ingest, nlp, store, alerts, API."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.dates import utc
from core.text import fold, tokens

Sentiment = Literal["negative", "neutral", "positive"]
Intent = Literal["complaint", "question", "praise", "other"]
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
INTENTS: tuple[str, ...] = ("complaint", "question", "praise", "other")
PLATFORMS: tuple[str, ...] = (
    "news", "blog", "forum", "reviews", "reddit", "mastodon", "hackernews", "appstore", "web", "other",
)

MAX_TEXT_CHARS = 100_000  # hostile or huge bodies are cut, never allowed to stall a batch


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # Unicode category Cc, less tab and newline


def clean_text(value: str) -> str:
    """Drop lone surrogates and control characters, normalise to NFC, bound the length."""
    value = value[: MAX_TEXT_CHARS * 2].encode("utf-8", "replace").decode("utf-8")
    return unicodedata.normalize("NFC", _CONTROL.sub("", value))[:MAX_TEXT_CHARS]


def content_hash(text: str) -> str:
    """Fingerprint of a text as syndicated across sources: case, accents, punctuation and spacing ignored."""
    words = tokens(fold(text))
    return hashlib.sha1(" ".join(words).encode()).hexdigest()[:20]


def mention_id(platform: str, platform_id: str | None, canonical_url: str | None) -> str:
    """Stable id: from the platform's own id when known, else from the canonical URL."""
    if platform_id:
        key = f"{platform}:{platform_id}"
    elif canonical_url:
        key = f"url:{canonical_url}"
    else:
        raise ValueError("a mention needs a platform_id or a url to get a stable id")
    return hashlib.sha1(key.encode()).hexdigest()[:24]


class Mention(BaseModel):
    """One thing somebody said about a brand, somewhere, with its analysis."""

    model_config = ConfigDict(extra="ignore", validate_assignment=False)

    id: str
    brands: list[str] = Field(default_factory=list)
    source: str
    platform: str = "web"
    platform_id: str | None = None
    url: str | None = None
    author: str | None = None
    author_reach: int | None = None
    title: str | None = None
    text: str
    lang: str | None = None
    published_at: datetime
    fetched_at: datetime
    is_owned: bool = False
    in_reply_to: str | None = None  # id of the mention this one answers
    thread_id: str | None = None
    engagement: dict[str, int] = Field(default_factory=dict)  # likes, shares, comments, score, ...
    content_hash: str = ""
    copies: list[str] = Field(default_factory=list)  # urls of the same text syndicated elsewhere
    first_reply_at: datetime | None = None  # earliest reply from one of the brand's own accounts
    # analysis
    sentiment: Sentiment | None = None
    sentiment_score: float | None = None  # -1 (negative) .. +1 (positive)
    intent: Intent | None = None
    complaint_score: float | None = None  # probability that this is a complaint
    topics: list[str] = Field(default_factory=list)

    @field_validator("published_at", "fetched_at", "first_reply_at")
    @classmethod
    def _to_utc(cls, value: datetime | None) -> datetime | None:
        return utc(value) if value is not None else None

    @field_validator("text", "title", "author")
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        return clean_text(value) if value is not None else None

    @property
    def analysed(self) -> bool:
        return self.sentiment is not None and self.intent is not None

    @property
    def interactions(self) -> int:
        """The sum of its engagement figures (likes, shares, comments, score, ...)."""
        return sum(v for v in self.engagement.values() if isinstance(v, int | float))

    def doc(self) -> dict[str, Any]:
        """JSON-ready dict (datetimes as ISO 8601 UTC strings)."""
        return self.model_dump(mode="json")


AlertStatus = Literal["open", "acknowledged", "resolved"]
Severity = Literal["info", "warning", "critical"]


class AlertEvent(BaseModel):
    """One alert raised by a rule, with the evidence that explains it; persisted in the store."""

    model_config = ConfigDict(extra="ignore")

    id: str
    rule: str
    detector: str
    brand: str | None = None
    severity: Severity = "warning"
    status: AlertStatus = "open"
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    observed: float | None = None
    expected: float | None = None
    expected_low: float | None = None
    expected_high: float | None = None
    score: float | None = None
    title: str = ""
    summary: str = ""
    top_terms: list[str] = Field(default_factory=list)
    sample_ids: list[str] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)  # detector-specific evidence

    @field_validator("opened_at", "updated_at", "resolved_at", "acknowledged_at", "window_start", "window_end")
    @classmethod
    def _to_utc(cls, value: datetime | None) -> datetime | None:
        return utc(value) if value is not None else None


IncidentStatus = Literal["open", "handling", "resolved"]
INCIDENT_STATUSES: tuple[str, ...] = ("open", "handling", "resolved")


class IncidentNote(BaseModel):
    """A note the team writes on an incident (shown escaped, like any text)."""

    model_config = ConfigDict(extra="ignore")

    at: datetime
    by: str | None = None
    text: str

    @field_validator("at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return utc(value)


class Incident(BaseModel):
    """The alerts of one brand that overlap in time, as one crisis (alerts/incidents.py groups them)."""

    model_config = ConfigDict(extra="ignore")

    id: str  # "inc-<brand-slug>-<opened yyyymmddThhmm>-<short hash>"
    brand: str
    status: IncidentStatus = "open"  # open -> handling (a person took it) -> resolved
    opened_at: datetime  # the first alert's opened_at
    updated_at: datetime
    resolved_at: datetime | None = None  # when its last alert resolved
    window_start: datetime  # earliest window_start (or opened_at) of its alerts
    window_end: datetime | None = None  # latest window_end; None while open
    alert_ids: list[str] = Field(default_factory=list)  # in the order they joined
    detectors: list[str] = Field(default_factory=list)  # distinct, in order of joining
    severity: Severity = "warning"  # the highest of its alerts
    owner: str | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    notes: list[IncidentNote] = Field(default_factory=list)
    title: str = ""  # e.g. "Velora: complaints surge", from the first alert, via the catalogue
    # bookkeeping of the grouping and its notifications (history of notified transitions, last notice, quiet
    # since): beside the contract's fields, like AlertEvent.details
    details: dict[str, Any] = Field(default_factory=dict)

    @field_validator("opened_at", "updated_at", "resolved_at", "acknowledged_at", "window_start", "window_end")
    @classmethod
    def _to_utc(cls, value: datetime | None) -> datetime | None:
        return utc(value) if value is not None else None


class CrawlRun(BaseModel):
    """One crawl of one source: what the source health panel, the `source_down` detector and the "incomplete"
    mark on alert windows read. A run is `ok` when the source answered (a page fetched or not modified), even if
    some of its items were bad; it failed when every request failed."""

    model_config = ConfigDict(extra="ignore")

    source: str
    kind: str = ""
    started_at: datetime
    finished_at: datetime
    ok: bool
    fetched: int = 0
    stored: int = 0  # new or updated mentions
    errors: int = 0
    error_kinds: dict[str, int] = Field(default_factory=dict)
    finish_reason: str | None = None

    @field_validator("started_at", "finished_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return utc(value)
