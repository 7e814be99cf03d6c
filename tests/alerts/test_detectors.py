"""Negative share, viral mention, emerging term and unanswered complaint, live on the real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.detectors import emerging_term, negative_share, unanswered_complaint, viral_mention
from alerts.engine import evaluate_rules
from alerts.state import transition_of
from tests.alerts.conftest import make_config, mention

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def rule_of(config, name: str):
    return next(r for r in config.alerts if r.name == name)


def week_of_mentions(store, negative_every: int = 5) -> None:
    """Two mentions an hour for a week; one in `negative_every` negative."""
    batch = []
    for h in range(7 * 24):
        for k in range(2):
            neg = (h * 2 + k) % negative_every == 0
            batch.append(mention(NOW - timedelta(hours=h + 3, minutes=k * 20), intent="complaint" if neg else "other",
                                 sentiment="negative" if neg else "neutral", text="consegna ordine app servizio",
                                 first_reply_at=NOW - timedelta(hours=h + 2)))
    store.upsert(batch)


def test_negative_share_jumps_without_volume(store) -> None:
    week_of_mentions(store)
    # the last 3 hours: the usual volume (two an hour) but nearly all negative
    store.upsert([mention(NOW - timedelta(minutes=10 + 30 * k), sentiment="negative" if k else "neutral")
                  for k in range(6)])
    config = make_config([{"name": "share", "detector": "negative_share", "window": "3h", "min_count": 4}])
    found = negative_share(store, config, rule_of(config, "share"), "Velora", NOW)
    assert len(found) == 1 and found[0].firing
    assert found[0].observed > 0.8 and found[0].expected < 0.3
    assert "mentions negative in the last 3h" in found[0].summary
    assert negative_share(store, config, rule_of(config, "share"), "Rimbors", NOW) == []


def test_viral_mention_by_engagement_rate(store) -> None:
    batch = [mention(NOW - timedelta(hours=h), engagement={"likes": 3 + h % 4, "shares": 1}) for h in range(2, 60)]
    viral = mention(NOW - timedelta(minutes=40), engagement={"likes": 900, "shares": 350, "comments": 120})
    store.upsert([*batch, viral])
    config = make_config([{"name": "viral", "detector": "viral_mention", "metric": "all"}])
    found = viral_mention(store, config, rule_of(config, "viral"), "Velora", NOW)
    assert [f.key for f in found] == [f"viral:{viral.id}"]
    assert found[0].samples[0].id == viral.id and found[0].observed > 1000


def test_emerging_term_in_complaints(store) -> None:
    old = [mention(NOW - timedelta(hours=h), text=f"problema consegna ordine numero {h}") for h in range(4, 150)]
    new = [mention(NOW - timedelta(minutes=5 + 10 * k), text=f"#blackout rete ko da stamattina, chiamata {k}")
           for k in range(6)]
    store.upsert([*old, *new])
    config = make_config([{"name": "term", "detector": "emerging_term", "window": "3h"}])
    found = emerging_term(store, config, rule_of(config, "term"), "Velora", NOW)
    assert len(found) == 1
    assert "#blackout" in found[0].top_terms and "consegna" not in found[0].top_terms
    assert "velora" not in found[0].top_terms and len(found[0].samples) == 3


def test_unanswered_complaints_grouped_per_brand_and_resolved_by_a_reply(store) -> None:
    waiting = [mention(NOW - timedelta(minutes=m)) for m in (75, 90, 300)]
    answered = mention(NOW - timedelta(minutes=120), first_reply_at=NOW - timedelta(minutes=100))
    fresh = mention(NOW - timedelta(minutes=20))  # still within the hour
    praise = mention(NOW - timedelta(minutes=200), intent="praise", sentiment="positive")
    store.upsert([*waiting, answered, fresh, praise])
    config = make_config([{"name": "care", "detector": "unanswered_complaint", "brand": "Velora",
                           "limit_minutes": 60}])
    found = unanswered_complaint(store, config, rule_of(config, "care"), "Velora", NOW)
    assert len(found) == 1 and found[0].observed == 3 and found[0].severity == "critical"  # 300 min > 4 x 60
    assert found[0].samples[0].id == waiting[2].id  # oldest first
    events = evaluate_rules(store, config, NOW)
    assert [transition_of(e) for e in events] == ["opened"]
    # the brand answers all three from its own account: the alert resolves
    replies = [mention(NOW + timedelta(minutes=1), intent="other", sentiment="neutral", is_owned=True,
                       in_reply_to=m.id, text="Ci scusi, la contattiamo in privato") for m in waiting]
    store.upsert(replies)
    later = evaluate_rules(store, config, NOW + timedelta(minutes=2))
    assert [transition_of(e) for e in later] == ["resolved"]


def test_rule_filters_and_per_topic(store) -> None:
    from alerts.findings import rule_filter

    config = make_config([{"name": "t", "detector": "volume_spike", "filters": {"topics": ["billing"],
                                                                                   "langs": ["it"]}}])
    flt = rule_filter(rule_of(config, "t"), "Velora")
    assert flt.topics == ("billing",) and flt.langs == ("it",) and flt.intents == ("complaint",)


def test_per_topic_spike_names_its_topic(store) -> None:
    from tests.alerts.conftest import steady_history

    steady_history(store, NOW)
    store.upsert([mention(NOW - timedelta(minutes=m), topics=["billing"], text="doppio addebito in bolletta")
                  for m in range(1, 31)])
    config = make_config([{"name": "topic-spike", "detector": "volume_spike", "brand": "Velora",
                           "options": {"per_topic": True}}])
    events = evaluate_rules(store, config, NOW)
    assert [e.details["key"] for e in events] == ["volume:billing"]
    assert events[0].details["topic"] == "billing"


def test_slow_build_live_on_the_store(store) -> None:
    from alerts.detectors import slow_build
    from tests.alerts.conftest import steady_history

    steady_history(store, NOW, days=9, per_hour=3)
    extra = []
    for h in range(10):  # for ten hours, more complaints each hour: +1 ... +10 an hour on top of 3
        for k in range(h + 1):
            extra.append(mention(NOW - timedelta(hours=10 - h) + timedelta(minutes=3 + 50 * k / (h + 1)),
                                 text="bolletta doppia addebito"))
    store.upsert(extra)
    config = make_config([{"name": "wave", "detector": "slow_build", "brand": "Velora"}])
    rule = rule_of(config, "wave")
    found = slow_build(store, config, rule, "Velora", NOW)
    assert len(found) == 1 and found[0].firing and found[0].key == "slow_build"
    assert found[0].observed > found[0].expected and "building up" in found[0].title
    assert slow_build(store, config, rule, "Velora", NOW - timedelta(hours=11)) == []


def test_emerging_terms_leave_out_an_accented_brand_name(store) -> None:
    """Terms are accent-folded (core.terms); the brand's own words are folded the same way, so 'Caffè' is out."""
    old = [mention(NOW - timedelta(hours=h), text=f"problema consegna ordine numero {h}") for h in range(4, 150)]
    new = [mention(NOW - timedelta(minutes=5 + 10 * k), text=f"Caffè Nerò #blackout rete ko, chiamata {k}")
           for k in range(6)]
    store.upsert([*old, *new])
    brands = [{"name": "Velora", "aliases": ["Caffè Nerò", "@CaffèCare"]}, {"name": "Rimbors"}]
    config = make_config([{"name": "term", "detector": "emerging_term", "window": "3h"}], brands=brands)
    found = emerging_term(store, config, rule_of(config, "term"), "Velora", NOW)
    assert len(found) == 1 and "#blackout" in found[0].top_terms
    assert not {"caffe", "nero", "caffè", "nerò"} & set(found[0].top_terms)
