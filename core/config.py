"""The one YAML configuration: brands, sources, alert rules, channels. Validated on load, errors name file and key."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.timebuckets import parse_interval


class ConfigError(Exception):
    """A configuration problem; str() is '<file>: <key>: <problem>' lines."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Brand(_Strict):
    name: str = Field(min_length=1)
    aliases: list[str] = []
    handles: list[str] = []  # @handles
    hashtags: list[str] = []  # #hashtags
    owned_domains: list[str] = []
    owned_accounts: list[str] = []  # accounts of the brand itself (its replies count for care metrics)
    query: str = ""  # brand query language; empty = name OR aliases OR handles OR hashtags
    languages: list[str] = ["it", "en"]

    @field_validator("handles")
    @classmethod
    def _handles(cls, v: list[str]) -> list[str]:
        return [h if h.startswith("@") else "@" + h for h in v]

    @field_validator("hashtags")
    @classmethod
    def _hashtags(cls, v: list[str]) -> list[str]:
        return [h if h.startswith("#") else "#" + h for h in v]

    def names(self) -> list[str]:
        """What the brand is called: its name and aliases (search APIs are asked for these)."""
        return [self.name, *self.aliases]

    def words(self) -> list[str]:
        """Every word that stands for the brand: names, aliases, @handles and #hashtags."""
        return [*self.names(), *self.handles, *self.hashtags]

    def effective_query(self) -> str:
        """The brand's query; when none is written, any of its names, handles or hashtags."""
        if self.query.strip():
            return self.query
        return or_query(self.words())


def or_query(terms: list[str]) -> str:
    """Terms joined by OR in the brand query language (and the search APIs'): phrases quoted."""
    return " OR ".join(f'"{t}"' if " " in t else t for t in terms)


SourceKind = Literal["feed", "web", "reddit", "mastodon", "hackernews", "appstore"]


class Source(_Strict):
    """One place to crawl. Kind-specific settings live in `options` and are validated by the crawler for that kind."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    kind: SourceKind
    urls: list[str] = Field(min_length=1)
    platform: str | None = None  # defaults per kind (news for feeds, forum for web, ...)
    brands: list[str] = []  # restrict to these brands (default: all)
    interval: str = "15m"
    allow_private: bool = False  # tests and the demo crawl loopback; real sources never should
    credentials_env: dict[str, str] = {}  # option name -> environment variable holding the secret
    options: dict[str, Any] = {}

    @field_validator("interval")
    @classmethod
    def _interval(cls, v: str) -> str:
        parse_interval(v)
        return v


Detector = Literal[
    "volume_spike", "slow_build", "negative_share", "viral_mention", "emerging_term", "unanswered_complaint",
    "sla_risk", "source_down",
]


def _check_zone(v: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {v!r} (use an IANA name such as Europe/Rome)") from None
    return v


class QuietHours(_Strict):
    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    end: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    timezone: str = "Europe/Rome"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        return _check_zone(v)


class AlertRule(_Strict):
    name: str = Field(min_length=1)
    detector: Detector
    brand: str | None = None  # None: every brand
    metric: Literal["complaints", "negative", "all"] = "complaints"
    filters: dict[str, list[str]] = {}  # e.g. {"topics": ["delivery"], "langs": ["it"]}
    window: str = "1h"
    sensitivity: float = Field(default=3.0, gt=0)
    min_count: int = Field(default=5, ge=0)
    cooldown: str = "2h"
    limit_minutes: int = Field(default=60, gt=0)  # unanswered_complaint, sla_risk: reply expected within this
    channels: list[str] = []
    quiet_hours: QuietHours | None = None
    options: dict[str, Any] = {}

    @field_validator("window", "cooldown")
    @classmethod
    def _interval(cls, v: str) -> str:
        parse_interval(v)
        return v


class Digest(_Strict):
    """A summary of the care figures sent to channels every day or week, at a local time (ascolto/digests.py)."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    schedule: Literal["daily", "weekly"] = "daily"
    at: str = "08:00"  # local time, HH:MM (24 h)
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"  # weekly digests only
    timezone: str = "UTC"  # IANA name the local time is read in
    channels: list[str] = Field(min_length=1)  # each reads it in its own language and time zone
    brands: list[str] = []  # default: every brand
    quiet_hours: QuietHours | None = None  # a digest due in them waits to their end (email and Slack)
    topics: int = Field(default=5, ge=0, le=20)  # top complaint topics and emerging terms shown per brand

    @field_validator("at")
    @classmethod
    def _local_time(cls, v: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v):
            raise ValueError(f"expected a local time HH:MM such as 08:00, not {v!r}")
        return v

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        return _check_zone(v)


class _Audience(_Strict):
    """Who reads a channel: messages are written in its language, times shown in its time zone."""

    language: Literal["en", "it"] = "en"
    timezone: str = "UTC"  # IANA name, e.g. Europe/Rome

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        return _check_zone(v)


class EmailChannel(_Audience):
    name: str
    kind: Literal["email"]
    host: str = "localhost"
    port: int = 25
    security: Literal["plain", "starttls", "ssl"] = "plain"
    username_env: str | None = None
    password_env: str | None = None  # secrets by environment variable name, never inline
    sender: str = "ascolto@localhost"
    to: list[str] = Field(min_length=1)


class SlackChannel(_Audience):
    name: str
    kind: Literal["slack"]
    webhook_url_env: str


class WebhookChannel(_Audience):
    name: str
    kind: Literal["webhook"]
    url: str
    secret_env: str | None = None


class FileChannel(_Audience):
    name: str
    kind: Literal["file"]
    path: str  # JSON lines outbox; relative paths are under the data directory


Channel = Annotated[EmailChannel | SlackChannel | WebhookChannel | FileChannel, Field(discriminator="kind")]


class Dashboard(_Strict):
    host: str = "127.0.0.1"
    port: int = 8765
    public_url: str | None = None  # used for links in alerts and digests
    token_env: str | None = None  # required when binding beyond loopback


# --- incidents (alerts/incidents.py): how alerts are grouped, and who is told per incident ---------------------
NotifyMode = Literal["incidents", "alerts"]


class IncidentSettings(_Strict):
    """Alerts of one brand that overlap in time, or open within `gap` of the last one resolving, are one
    incident. `notify` says what a channel is told of: one message per incident transition (opened, updated,
    resolved) or one per alert transition as before; `channels` overrides it per channel by name."""

    gap: str = "2h"  # an incident whose alerts have all resolved waits this long before it resolves ("0s": at once)
    notify: NotifyMode = "incidents"
    channels: dict[str, NotifyMode] = {}
    updates: bool = True  # an update message when a new detector joins or the severity rises ...
    update_cooldown: str = "1h"  # ... at most one per this

    @field_validator("gap", "update_cooldown")
    @classmethod
    def _interval(cls, v: str) -> str:
        if v.strip() not in ("0", "0s", "0m", "0h"):
            parse_interval(v)
        return v

    def mode(self, channel: str) -> NotifyMode:
        return self.channels.get(channel, self.notify)

    def gap_delta(self) -> timedelta:
        return _delta(self.gap)

    def update_delta(self) -> timedelta:
        return _delta(self.update_cooldown)


def _delta(interval: str) -> timedelta:
    return timedelta(0) if interval.strip() in ("0", "0s", "0m", "0h") else parse_interval(interval)


class Config(_Strict):
    brands: list[Brand] = Field(min_length=1)
    sources: list[Source] = []
    alerts: list[AlertRule] = []
    channels: list[Channel] = []
    digests: list[Digest] = []
    store: str | None = None
    dashboard: Dashboard = Dashboard()
    incidents: IncidentSettings = IncidentSettings()

    @model_validator(mode="after")
    def _references(self) -> Config:
        brand_names = {b.name for b in self.brands}
        channel_names = {c.name for c in self.channels}
        _unique("brands", [b.name for b in self.brands])
        _unique("sources", [s.name for s in self.sources])
        _unique("alerts", [r.name for r in self.alerts])
        _unique("channels", [c.name for c in self.channels])
        for i, source in enumerate(self.sources):
            for brand in source.brands:
                if brand not in brand_names:
                    raise ValueError(f"sources[{i}].brands: unknown brand {brand!r}")
        for i, rule in enumerate(self.alerts):
            if rule.brand is not None and rule.brand not in brand_names:
                raise ValueError(f"alerts[{i}].brand: unknown brand {rule.brand!r}")
            for channel in rule.channels:
                if channel not in channel_names:
                    raise ValueError(f"alerts[{i}].channels: unknown channel {channel!r}")
        _unique("digests", [d.name for d in self.digests])
        for i, digest in enumerate(self.digests):
            for brand in digest.brands:
                if brand not in brand_names:
                    raise ValueError(f"digests[{i}].brands: unknown brand {brand!r}")
            for channel in digest.channels:
                if channel not in channel_names:
                    raise ValueError(f"digests[{i}].channels: unknown channel {channel!r}")
        for channel in self.incidents.channels:
            if channel not in channel_names:
                raise ValueError(f"incidents.channels: unknown channel {channel!r}")
        return self

    def brand(self, name: str) -> Brand:
        return next(b for b in self.brands if b.name == name)

    def channel(self, name: str) -> Any:
        return next(c for c in self.channels if c.name == name)


def _unique(section: str, names: list[str]) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise ValueError(f"{section}[{i}].name: duplicate name {name!r}")
        seen.add(name)


def secret(env_name: str | None) -> str | None:
    """Read a secret from the environment by the variable name the config gives (never from the file)."""
    return os.environ.get(env_name) if env_name else None


def load_config(path: str | Path) -> Config:
    """Load and validate; raise ConfigError naming the file, the key and the problem."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(f"{path}: {where}invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: (top level): expected a mapping with brands, sources, alerts, channels")
    return config_from_dict(raw, str(path))


def config_from_dict(raw: dict[str, Any], origin: str = "<config>") -> Config:
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = _key(err["loc"])
            problem = err["msg"].removeprefix("Value error, ")
            lines.append(f"{origin}: {key or '(top level)'}: {problem}")
        raise ConfigError("\n".join(lines)) from None


def _key(loc: tuple[Any, ...]) -> str:
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        elif part in ("email", "slack", "webhook", "file"):
            continue  # discriminated-union tag, not a key the user wrote
        else:
            key += ("." if key else "") + str(part)
    return key
