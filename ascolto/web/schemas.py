"""Response models of the API: they are its OpenAPI documentation as much as its validation."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from core.model import AlertEvent, Mention


class BrandInfo(BaseModel):
    name: str
    target_minutes: int = Field(description="care target: first reply to a complaint within this many minutes")


class BrandList(BaseModel):
    brands: list[BrandInfo]


class FacetCount(BaseModel):
    value: str
    count: int


class SearchResult(BaseModel):
    total: int = Field(description="mentions matching (a lower bound when total_exact is false)")
    total_exact: bool
    offset: int
    limit: int
    items: list[Mention]
    facets: dict[str, list[FacetCount]]


class TimeSeries(BaseModel):
    interval: str
    since: datetime
    until: datetime
    buckets: list[datetime] = Field(description="bucket starts (UTC), dense, ascending")
    series: dict[str, list[int]] = Field(description="counts per bucket, by split value ('total' when unsplit)")


class Breakdown(BaseModel):
    field: str
    total: int
    values: list[FacetCount]


class ShareOfVoiceRow(BaseModel):
    brand: str
    count: int
    share: float | None


class ShareOfVoice(BaseModel):
    since: datetime
    until: datetime
    brands: list[ShareOfVoiceRow]


class ReachItem(BaseModel):
    value: str
    mentions: int
    reach_sum: int = Field(description="sum of author_reach over the mentions (potential impressions)")
    reach_max: int


class TopReach(BaseModel):
    field: str
    items: list[ReachItem]


class CareMetrics(BaseModel):
    target_minutes: int
    inbound: int = Field(description="mentions by others (not the brand's own accounts)")
    owned_replies: int
    answered: int = Field(description="inbound mentions that got a reply from the brand")
    response_median_seconds: float | None
    response_p90_seconds: float | None
    within_target_share: float | None
    complaints: int
    complaints_unanswered: int
    unanswered_share: float | None
    unanswered_over_target: int
    unanswered_over_24h: int
    oldest_unanswered_age_seconds: float | None
    resolution_rate: float | None = Field(description="complaints that got a reply / all complaints")
    happiness_index: float | None = Field(description="net sentiment (positive − negative) / (positive + negative)")
    happiness_previous: float | None = Field(description="the same index over the previous window of equal length")
    happiness_change: float | None


class HappinessPoint(BaseModel):
    start: datetime
    positive: int
    negative: int
    index: float | None


class CareResponse(BaseModel):
    brand: str | None
    since: datetime
    until: datetime
    care: CareMetrics
    trend: list[HappinessPoint]


class QueueItem(BaseModel):
    mention: Mention
    age_seconds: float
    over_target: bool


class CareQueue(BaseModel):
    brand: str | None
    target_minutes: int
    total: int
    offset: int
    items: list[QueueItem]


class AlertMarker(BaseModel):
    id: str
    opened_at: datetime
    severity: str
    status: str
    title: str
    rule: str


class EmergingTerm(BaseModel):
    term: str
    recent: int
    baseline: int
    lift: float


class Overview(BaseModel):
    brand: str | None
    since: datetime
    until: datetime
    interval: str
    buckets: list[datetime]
    series: dict[str, list[int]] = Field(description="negative, neutral, positive, unlabelled per bucket")
    alerts: list[AlertMarker]
    total: int
    complaints: int
    complaint_share: float | None
    share_of_voice: list[ShareOfVoiceRow]
    topics: list[FacetCount]
    emerging_terms: list[EmergingTerm]
    care: CareMetrics
    happiness_trend: list[HappinessPoint]
    open_alerts: int


class AlertList(BaseModel):
    items: list[AlertEvent]


class AlertDetail(BaseModel):
    alert: AlertEvent
    evidence: list[Mention]


class Acknowledge(BaseModel):
    by: str = Field(min_length=1, max_length=100, description="who acknowledges (name or e-mail)")
