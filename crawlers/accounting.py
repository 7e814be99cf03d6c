"""Where every item a source offered went: stored, merged, rejected (with its reason), spooled or lost.

`offered` is counted where the spiders build items (SourceSpider.make_item, and the entries that broke while
being built: SourceSpider.lost); the other counts come from the spider (the skips), the ingest pipeline (what
ingest reported) and the crawl state (already seen). Whatever is offered and not accounted for is lost too,
under `unaccounted`, so that a new way of dropping items cannot hide."""

from __future__ import annotations

from typing import Any

# spider-side skips: items the source offered that are not mentions of the configured brands (never errors)
SKIP_REASONS = {"skipped_no_match": "no_brand_match", "skipped_empty": "empty", "skipped_no_id": "no_id"}


def _prefixed(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k.removeprefix(prefix): int(v) for k, v in stats.items() if k.startswith(prefix) and int(v)}


def item_accounts(stats: dict[str, Any]) -> dict[str, Any]:
    """The items section of a source's crawl summary, from its crawler's stats."""

    def value(key: str) -> int:
        return int(stats.get(f"ascolto/{key}", 0))

    rejected_reasons = {reason: value(key) for key, reason in SKIP_REASONS.items() if value(key)}
    for reason, n in _prefixed(stats, "ascolto/rejected/").items():
        rejected_reasons[reason] = rejected_reasons.get(reason, 0) + n
    accounts = {
        "offered": value("offered"),
        "stored": value("new") + value("updated"),
        "merged": value("duplicates") + value("skipped_seen"),
        "rejected": value("rejected") + sum(value(key) for key in SKIP_REASONS),
        "spooled": value("spooled") + value("spooled_by_store"),
        "lost": value("lost"),
    }
    lost_reasons = _prefixed(stats, "ascolto/lost/")
    unaccounted = accounts["offered"] - sum(n for k, n in accounts.items() if k != "offered")
    if unaccounted > 0:
        accounts["lost"] += unaccounted
        lost_reasons["unaccounted"] = unaccounted
    return {**accounts, "rejected_reasons": rejected_reasons, "lost_reasons": lost_reasons}


def crashed_callbacks(stats: dict[str, Any]) -> int:
    """Pages whose parsing raised (Scrapy's spider_exceptions): the rest of such a page is lost, uncounted."""
    return int(stats.get("spider_exceptions/count", 0))
