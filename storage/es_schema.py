"""Elasticsearch layout for mentions: index names, templates installed idempotently, document <-> Mention.

Free-text search must agree with the embedded store (FTS5 `unicode61 remove_diacritics 2`): case- and
accent-insensitive, every word present. The integ-test distribution (and any minimal server) ships no
`asciifolding` filter (it lives in the analysis-common module), so the folding is done here, once, in Python:
`search_terms` holds the folded tokens of title and text, and the query side folds its words the same way.
With a full distribution one could instead analyse `text` with `standard` + `lowercase` + `asciifolding`
(or ICU folding) and language stemmers; the per-language stop-word sub-fields (`text.it`, `text.en`, ...)
are there for Kibana and relevance, not for the filter semantics.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import UTC, datetime
from typing import Any

from elasticsearch import BadRequestError as ESBadRequest
from elasticsearch import Elasticsearch, NotFoundError

import index_mappings
from core.model import AlertEvent, Incident, Mention, utc
from core.terms import phrases, words
from core.text import drop_combining, signed_tokens, tokens
from core.text import fold as query_fold

log = logging.getLogger(__name__)

TIME_FIELDS = ("published_at", "fetched_at", "first_reply_at")
# fields computed from a mention's own content; documents of an older version are rewritten on open
DERIVED_FIELDS = ("search_terms", "query_terms", "terms", "phrases", "engagement_total", "reply_delay_ms", "derived")
# 1 (implicit): search_terms, query_terms, reply_delay_ms; 2: terms, engagement_total; 3: phrases
DERIVED_VERSION = 3


class Layout:
    """Index and alias names under one prefix (so several installs or test runs can share a cluster)."""

    def __init__(self, prefix: str = "ascolto", *, shards: int | None = None, replicas: int | None = None) -> None:
        self.prefix = prefix
        self.shards, self.replicas = shards, replicas  # None: the settings template's own
        self.mentions = f"{prefix}-mentions"  # read alias over every monthly index
        self.mentions_pattern = f"{prefix}-mentions-*"
        self.alerts = f"{prefix}-alerts"
        self.reply_links = f"{prefix}-reply-links"
        self.incidents = f"{prefix}-incidents"

    def month_index(self, published_at: datetime) -> str:
        """The monthly index of a mention: derived from published_at only, so re-ingesting hits the same one."""
        return f"{self.mentions}-{utc(published_at):%Y.%m}"

    def install(self, client: Elasticsearch) -> None:
        """Put the component and index templates (idempotent: same name, same body), create the small indices,
        and add new mapping fields to existing monthly indices (additive only)."""
        for name, filename in index_mappings.COMPONENT_TEMPLATES.items():
            body = index_mappings.load(filename, self.prefix)
            if name == "mentions-settings":
                self._size(body["template"]["settings"])
            client.cluster.put_component_template(name=f"{self.prefix}-{name}", template=body["template"],
                                                  meta=body.get("_meta"))
        for name, filename in index_mappings.INDEX_TEMPLATES.items():
            body = index_mappings.load(filename, self.prefix)
            client.indices.put_index_template(
                name=f"{self.prefix}-{name}", index_patterns=body["index_patterns"],
                composed_of=body.get("composed_of", []), priority=body.get("priority"),
                template=body.get("template"), meta=body.get("_meta"),
            )
        for index in (self.alerts, self.reply_links, self.incidents):
            try:
                client.indices.create(index=index)
            except ESBadRequest as exc:
                if exc.error != "resource_already_exists_exception":
                    raise
        mappings = index_mappings.load(index_mappings.COMPONENT_TEMPLATES["mentions-mappings"], self.prefix)
        try:
            client.indices.put_mapping(index=self.mentions_pattern, allow_no_indices=True,
                                       properties=mappings["template"]["mappings"]["properties"])
        except (ESBadRequest, NotFoundError) as exc:  # an old index with a conflicting field keeps its mapping
            log.warning("could not extend the mapping of existing mention indices: %s", exc)


    def _size(self, settings: dict[str, Any]) -> None:
        """Shards and replicas from configuration (the store URL); they apply to monthly indices created
        from now on (an existing index keeps its shard count; replicas can be changed on it by hand)."""
        if self.shards is not None:
            settings["number_of_shards"] = self.shards
        if self.replicas is not None:
            settings.pop("auto_expand_replicas", None)
            settings["number_of_replicas"] = self.replicas


def fold(text: str) -> list[str]:
    """Lower-case, accent-free tokens (letters and digits), as the embedded store's full-text index sees them."""
    lowered = text.lower()
    if lowered.isascii():  # nothing to decompose (most text): the character loop below was half of mention_doc
        return tokens(lowered, split_underscore=True)
    # canonical decomposition only (NFD, not NFKD): like FTS5, "ﬁ" stays one letter and "²" is not "2"
    stripped = drop_combining(unicodedata.normalize("NFD", lowered))
    return tokens(unicodedata.normalize("NFC", stripped), split_underscore=True)


def iso_ms(value: datetime | None) -> str | None:
    """ISO 8601 UTC rounded to the millisecond (the precision both backends keep)."""
    if value is None:
        return None
    ms = round(utc(value).timestamp() * 1000)
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def ms(value: datetime) -> int:
    return round(utc(value).timestamp() * 1000)


def with_reply_delay(doc: dict[str, Any]) -> dict[str, Any]:
    """Set `reply_delay_ms` (first_reply_at − published_at, at least 0) from the document's own times, so that
    reply-time percentiles and ranges are aggregations; call it wherever first_reply_at is set."""
    reply, published = doc.get("first_reply_at"), doc.get("published_at")
    if reply and published:
        delay = datetime.fromisoformat(reply) - datetime.fromisoformat(published)
        doc["reply_delay_ms"] = max(0, round(delay.total_seconds() * 1000))
    else:
        doc.pop("reply_delay_ms", None)
    return doc


def mention_doc(mention: Mention) -> dict[str, Any]:
    doc = mention.model_dump(mode="json")
    for name in TIME_FIELDS:
        doc[name] = iso_ms(getattr(mention, name))
    doc["@timestamp"] = doc["published_at"]
    doc["search_terms"] = [" ".join(fold(mention.title or "")), " ".join(fold(mention.text))]
    doc["query_terms"] = query_terms(mention)
    # the detectors' figures as aggregations: each distinct term once (core.terms, as alerts.findings counts
    # them), and the engagement summed (viral_mention's rate)
    found = words(f"{mention.title or ''} {mention.text}")  # = mention_terms / mention_phrases, split once
    doc["terms"] = sorted(set(found))
    doc["phrases"] = sorted(phrases(found))  # the dashboard's emerging phrases
    if mention.engagement:
        doc["engagement_total"] = mention.interactions
    doc["derived"] = DERIVED_VERSION
    return with_reply_delay(doc)


def query_terms(mention: Mention) -> str:
    """The words the query language sees (nlp.query.TextIndex: title and text as one stream, folded as
    core.text.fold folds), so that `Query.to_es` on this field selects what `Query.matches` selects."""
    return " ".join(word for _, word in signed_tokens(query_fold(f"{mention.title or ''}\n{mention.text}")))


def mention_from_source(source: dict[str, Any]) -> Mention:
    return Mention.model_validate(source)  # extra fields (@timestamp, search_terms, ...) are ignored


def alert_doc(event: AlertEvent) -> dict[str, Any]:
    doc = event.model_dump(mode="json")
    doc["@timestamp"] = doc["opened_at"]
    doc["opened_at_ms"] = ms(event.opened_at)
    return doc


def alert_from_source(source: dict[str, Any]) -> AlertEvent:
    return AlertEvent.model_validate(source)


def incident_doc(incident: Incident) -> dict[str, Any]:
    doc = incident.model_dump(mode="json")
    doc["@timestamp"] = doc["opened_at"]
    doc["opened_at_ms"] = ms(incident.opened_at)
    return doc


def incident_from_source(source: dict[str, Any]) -> Incident:
    return Incident.model_validate(source)
