"""Both backends, the same data: every answer must be identical (relevance order aside, which scores differ)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from alerts.findings import Finding
from storage.analytics import CareSnapshot
from storage.base import FACET_FIELDS, MentionFilter, MentionStore
from tests.storage.dataset import BRANDS, T0, mentions

pytestmark = pytest.mark.elasticsearch

FILTERS = [
    MentionFilter(),
    MentionFilter(brands=("Velora",)),
    MentionFilter(brands=("Velora", "Café Rosé"), sentiments=("negative",)),
    MentionFilter(since=T0 + timedelta(days=3), until=T0 + timedelta(days=60)),
    MentionFilter(brands=("Nordbank",), since=T0 + timedelta(days=1)),
    MentionFilter(intents=("complaint",), unanswered=True),
    MentionFilter(unanswered=False),
    MentionFilter(is_owned=True),
    MentionFilter(is_owned=False, langs=("it", "de")),
    MentionFilter(topics=("delivery", "app"), platforms=("forum", "news")),
    MentionFilter(sources=("reviews.example",), intents=("praise", "question")),
    MentionFilter(text="perche"),
    MentionFilter(text="CAFFÈ città"),
    MentionFilter(text="strasse"),
    MentionFilter(text="straße"),
    MentionFilter(text="l'acqua"),
    MentionFilter(text="foo_bar"),
    MentionFilter(text="3.5"),
    MentionFilter(text="rose ete", brands=BRANDS[:2]),
    MentionFilter(text="***"),
    MentionFilter(text="fine x2"),
    MentionFilter(text="ﬁne"),
    MentionFilter(text="東京タワー istanbul"),
    MentionFilter(text="x² ½"),
    MentionFilter(ids=("m0001", "m0100", "nope")),
]
INTERVALS = ("5m", "1h", "7h", "1d", "1w", "2w")
NOW = T0 + timedelta(days=100)  # amid the data: some complaints have waited past a day, some not yet


def comparable(snapshot: CareSnapshot) -> CareSnapshot:
    """Percentiles to the millisecond: Elasticsearch interpolates milliseconds, SQLite seconds (float noise)."""
    r = snapshot.replies
    rounded = [None if v is None else round(v, 3) for v in (r.median_seconds, r.p90_seconds)]
    return replace(snapshot, replies=replace(r, median_seconds=rounded[0], p90_seconds=rounded[1]))


def test_same_data_same_answers(both_stores: tuple[MentionStore, MentionStore]) -> None:
    sqlite_store, es_store = both_stores
    data = mentions()
    for chunk in (data[:100], data[100:], data[50:150]):  # re-ingest an overlapping slice
        a, b = sqlite_store.upsert(chunk), es_store.upsert(chunk)
        assert (a.inserted, a.updated, a.failed) == (b.inserted, b.updated, b.failed)
    for number, flt in enumerate(FILTERS):
        thorough = number < 4  # every interval, page and facet size on a few filters; the main ones on all
        assert sqlite_store.count(flt) == es_store.count(flt), flt
        for sort in ("published_at_desc", "published_at_asc", "reach_desc"):
            for offset in (0, 9) if thorough else (0,):
                a_page = sqlite_store.search(flt, limit=25, offset=offset, sort=sort)
                b_page = es_store.search(flt, limit=25, offset=offset, sort=sort)
                assert a_page.total == b_page.total, (flt, sort)
                assert [m.model_dump() for m in a_page.items] == [m.model_dump() for m in b_page.items], (flt, sort)
        a_rel = sqlite_store.search(flt, limit=500, sort="relevance")
        b_rel = es_store.search(flt, limit=500, sort="relevance")
        assert sorted(m.id for m in a_rel.items) == sorted(m.id for m in b_rel.items), flt
        for interval in INTERVALS if thorough else ("1h", "1w"):
            assert sqlite_store.count_buckets(flt, interval) == es_store.count_buckets(flt, interval), (flt, interval)
        for field in FACET_FIELDS:
            for size in (2, 10) if thorough else (10,):
                assert sqlite_store.facets(flt, field, size) == es_store.facets(flt, field, size), (flt, field)
        for field in ("author", "source"):
            assert sqlite_store.reach_by(flt, field, 3) == es_store.reach_by(flt, field, 3), (flt, field)
        assert sqlite_store.reply_delays(flt) == es_store.reply_delays(flt), flt
        assert sqlite_store.sentiment_counts(flt) == es_store.sentiment_counts(flt), flt
        assert sqlite_store.newest_texts(flt, 30) == es_store.newest_texts(flt, 30), flt
        assert sqlite_store.brand_counts(flt, BRANDS) == es_store.brand_counts(flt, BRANDS), flt
        for interval in ("1d",) if thorough else ("1h",):
            for target in (60, 24 * 60):
                a_snap = sqlite_store.care_snapshot(flt, interval, 3, now=NOW, target_minutes=target)
                b_snap = es_store.care_snapshot(flt, interval, 3, now=NOW, target_minutes=target)
                assert comparable(a_snap) == comparable(b_snap), (flt, interval, target)
        if thorough:
            ordered = [m.id for m in sqlite_store.iter_mentions(flt, batch=7)]
            assert ordered == [m.id for m in es_store.iter_mentions(flt, batch=7)], flt
    ids = [m.id for m in data[::7]] + ["missing"]
    assert [m.model_dump() for m in sqlite_store.get_many(ids)] == [m.model_dump() for m in es_store.get_many(ids)]
    hashes = [m.content_hash for m in data[::5]] + ["nope"]
    assert sqlite_store.ids_by_content_hash(hashes) == es_store.ids_by_content_hash(hashes)


QUERIES = (
    "servizio", "perche OR caffè", "ritard*", "bolletta NOT pessimo", '"consegna ritardo"', "ritardo NEAR/3 consegna",
    "(app OR crash) AND NOT grazie", "citta", "ottimo NEAR/0 grazie", "refu* OR \"prezzo alto\"",
    "strasse", "STRAßE OR fine", "foo_bar OR x2", "\"dell'app\" NEAR/2 ottimo", "istanbul OR 東京タワー", "ete rose",
)


def test_query_language_search_agrees(both_stores: tuple[MentionStore, MentionStore]) -> None:
    """Elasticsearch runs the query itself (Query.to_es); SQLite's candidates are matched in Python."""
    from ascolto.web.searching import search_mentions
    from nlp.query import parse_query

    sqlite_store, es_store = both_stores
    data = mentions()
    sqlite_store.upsert(data)
    es_store.upsert(data)
    fields = ("sentiment", "topics", "brands", "is_owned")
    for text in QUERIES:
        query = parse_query(text)
        for flt in (MentionFilter(), MentionFilter(brands=("Velora", "Nordbank"), is_owned=False)):
            for sort, offset in (("published_at_desc", 0), ("published_at_asc", 5), ("reach_desc", 0)):
                a = search_mentions(sqlite_store, flt, query=query, sort=sort, limit=20, offset=offset,
                                    facet_fields=fields, facet_size=4)
                b = search_mentions(es_store, flt, query=query, sort=sort, limit=20, offset=offset,
                                    facet_fields=fields, facet_size=4)
                assert a["total"] > 0, text
                assert (a["total"], a["total_exact"], a["facets"]) == (b["total"], b["total_exact"], b["facets"]), text
                assert [m.id for m in a["items"]] == [m.id for m in b["items"]], (text, sort)


DETECTOR_FILTERS = [
    MentionFilter(),
    MentionFilter(brands=("Velora",)),
    MentionFilter(intents=("complaint",), is_owned=False),
    MentionFilter(brands=("Nordbank",), sentiments=("negative",), since=T0 + timedelta(days=1)),
    MentionFilter(since=T0 + timedelta(days=3), until=T0 + timedelta(days=60)),
]


def test_detector_questions_agree(both_stores: tuple[MentionStore, MentionStore]) -> None:
    """What the alert detectors ask (storage.analytics; aggregations on Elasticsearch) is answered alike: the
    newest-N windows cut through ties in published_at (three mentions share each instant) the same way."""
    sqlite_store, es_store = both_stores
    data = mentions()
    sqlite_store.upsert(data)
    es_store.upsert(data)
    exclude = {"velora", "nordbank"}
    assert sqlite_store.counts(DETECTOR_FILTERS) == es_store.counts(DETECTOR_FILTERS)
    for flt in DETECTOR_FILTERS:
        assert sqlite_store.earliest(flt) == es_store.earliest(flt), flt
        for sort in ("reach_desc", "published_at_asc"):
            assert [m.id for m in sqlite_store.sample(flt, 3, sort)] == [m.id for m in es_store.sample(flt, 3, sort)]
        for newest in (1, 7, 8, 50, 1000):
            for min_count, only, phrases in ((1, None, False), (3, None, False), (1, None, True), (3, None, True),
                                             (1, ("servizio", "caffe", "nope"), False),
                                             (1, ("servizio", "servizio pessimo", "nope"), True), (1, (), True)):
                a = sqlite_store.term_counts(flt, newest, exclude, min_count=min_count, only=only, phrases=phrases)
                b = es_store.term_counts(flt, newest, exclude, min_count=min_count, only=only, phrases=phrases)
                assert a == b, (flt, newest, min_count, only, phrases)
            for term in ("servizio", "ritardo", "nope"):
                a_hits = [m.id for m in sqlite_store.with_term(flt, newest, term, 3)]
                assert a_hits == [m.id for m in es_store.with_term(flt, newest, term, 3)], (flt, newest, term)
            a_spread, b_spread = sqlite_store.engagement_spread(flt, newest, NOW), es_store.engagement_spread(
                flt, newest, NOW)
            assert a_spread.mentions == b_spread.mentions, (flt, newest)
            if a_spread.mentions:  # percentiles: exact on small sets (to float noise)
                assert b_spread.center == pytest.approx(a_spread.center, rel=1e-6, abs=1e-9), (flt, newest)
                assert b_spread.deviation == pytest.approx(a_spread.deviation, rel=1e-6, abs=1e-9), (flt, newest)
            for min_rate in (0.0, 0.01, 0.5):
                a_fast = sqlite_store.fastest(flt, newest, NOW, min_rate=min_rate, min_total=10, n=5)
                b_fast = es_store.fastest(flt, newest, NOW, min_rate=min_rate, min_total=10, n=5)
                assert [m.id for m in a_fast] == [m.id for m in b_fast], (flt, newest, min_rate)
    assert es_store.term_counts(MentionFilter(), 1000).counts["servizio"] > 10
    # a brand's own word leaves out its phrases too, alike (the dashboard's emerging terms)
    phrased = es_store.term_counts(MentionFilter(), 1000, {"pessimo"}, phrases=True)
    assert phrased == sqlite_store.term_counts(MentionFilter(), 1000, {"pessimo"}, phrases=True)
    assert any(" " in term for term in phrased.counts) and not any("pessimo" in t.split() for t in phrased.counts)


def test_detectors_agree(both_stores: tuple[MentionStore, MentionStore]) -> None:
    """Every detector finds the same on both stores at a few instants (figures, evidence, samples)."""
    from alerts.detectors import DETECTORS
    from core.config import config_from_dict

    sqlite_store, es_store = both_stores
    data = mentions()
    sqlite_store.upsert(data)
    es_store.upsert(data)
    rules = [{"name": d, "detector": d, "metric": "all", "min_count": 1, "sensitivity": 0.5, "window": "1d",
              "options": {"min_engagement": 5, "min_term_count": 2, "recent_hours": 24 * 30}} for d in DETECTORS]
    config = config_from_dict({"brands": [{"name": b} for b in BRANDS], "alerts": rules})
    fired = 0
    for at in (T0 + timedelta(days=d, hours=h) for d in (2, 5, 20) for h in (0, 9)):
        for rule in config.alerts:
            for brand in (None, "Velora"):
                a = DETECTORS[rule.detector](sqlite_store, config, rule, brand, at)
                b = DETECTORS[rule.detector](es_store, config, rule, brand, at)
                fired += len(a)
                assert [_finding(f) for f in a] == [_finding(f) for f in b], (rule.detector, brand, at)
    assert fired > 10


def _finding(f: Finding) -> dict[str, object]:
    figures = {k: getattr(f, k) for k in ("key", "firing", "severity", "observed", "expected", "expected_low",
                                          "expected_high", "score", "window_start", "window_end", "title",
                                          "summary", "top_terms", "details")}
    return {**figures, "samples": [m.id for m in f.samples]}
