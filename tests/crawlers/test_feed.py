"""The feed spider against a real HTTP server on loopback: RSS 0.91/1.0/2.0 and Atom, incremental re-crawl with
ETag (304), brand matching, malformed and oversized feeds."""

from __future__ import annotations

from tests.crawlers.conftest import CrawlEnv, FixtureServer, source
from tests.crawlers.feeds import atom, rss091, rss1, rss2

ITALIAN = [
    ("a1", "Velora, bollette doppie", "Molti clienti Velora ricevono bollette doppie e chiedono un rimborso."),
    ("a2", "Pakko consegne in ritardo", "Le consegne di Pakko arrivano in ritardo di tre giorni a Milano."),
    ("a3", "Meteo del weekend", "Sole al nord, pioggia al sud: nessuna marca citata qui."),
]
ENGLISH = [("b1", "Velora Energia app down", "The Velora Energia app has been down all morning, users say.")]


def test_formats_incremental_and_304(http_server: FixtureServer, crawl_env: CrawlEnv) -> None:
    base = http_server.base_url
    http_server.add("/rss2.xml", rss2(base, ITALIAN), "application/rss+xml", etag='"v1"')
    http_server.add("/atom.xml", atom(base, ENGLISH), "application/atom+xml", etag='"v1"')
    http_server.add("/rss1.xml", rss1(base, [("c1", "Pakko premiata", "Pakko vince il premio logistica.")]),
                    "application/rdf+xml")
    http_server.add("/rss091.xml", rss091(base, [("d1", "Pakko opens", "Pakko opens a new hub in Turin.")]),
                    "text/xml")
    crawl_env.write_config([source("news", "feed", [f"{base}/rss2.xml", f"{base}/atom.xml", f"{base}/rss1.xml",
                                                    f"{base}/rss091.xml"])])
    first = crawl_env.crawl()["sources"]["news"]
    assert first["fetched"] == 4 and first["new"] == 5 and first["errors"] == 0, first
    assert first["no_brand_match"] == 1  # the weather article names no brand
    stored = {m.url: m for m in crawl_env.mentions()}
    assert f"{base}/news/a1" in stored  # canonical URL: tracking parameters dropped
    a1 = stored[f"{base}/news/a1"]
    assert a1.brands == ["Velora"] and a1.title.startswith("Velora") and a1.platform == "news"
    assert stored[f"{base}/blog/b1"].brands == ["Velora"]

    second = crawl_env.crawl()["sources"]["news"]
    assert second["new"] == 0, second
    assert second["not_modified"] == 2  # the ETag feeds answered 304
    assert http_server.hits[-1].path  # the server was asked again, conditionally
    conditional = [h for h in http_server.hits if h.path == "/rss2.xml"][-1]
    assert conditional.headers.get("If-None-Match") == '"v1"'


def test_search_feeds_malformed_and_oversized(http_server: FixtureServer, crawl_env: CrawlEnv) -> None:
    base = http_server.base_url
    http_server.add("/search?q=Velora+OR+%22Velora+Energia%22", rss2(base, ITALIAN[:1]), "application/rss+xml")
    http_server.add("/search?q=Pakko", rss2(base, ITALIAN[1:2]), "application/rss+xml")
    http_server.add("/broken.xml", "<rss><channel><item><title>Velora", "application/rss+xml")
    http_server.add("/garbage.xml", b"\x00\xff\xfe not xml at all {{{", "application/xml")
    http_server.add("/huge.xml", rss2(base, [("h", "Velora", "Velora " * 400_000)]), "application/rss+xml")
    http_server.add("/page.html", "<html><body>Velora</body></html>", "text/html")
    latin1 = rss2(base, [("l1", "Velora è più cara", "Velora aumenta le tariffe: è un furto.")]).encode("latin-1")
    http_server.add("/latin1.xml", latin1, "application/rss+xml; charset=utf-8")
    http_server.add("/full.xml", rss2(base, [("full1", "Velora", "Velora: sommario breve."),
                                             ("gone", "Velora sparita", "Velora: pagina che non esiste più.")]),
                    "application/rss+xml")
    http_server.add("/news/full1", "<html lang='it'><head><meta name='author' content='Ada'></head><body><article>"
                    "<h1>Velora</h1><p>Velora: il testo completo dell'articolo, molto più lungo del sommario del "
                    "feed, con tutti i dettagli sulle bollette e sui rimborsi promessi ai clienti.</p></article>"
                    "</body></html>")
    crawl_env.write_config([
        source("search", "feed", [f"{base}/search?q={{query}}"]),
        source("articles", "feed", [f"{base}/full.xml"], options={"fetch_articles": True}),
        source("mixed", "feed", [f"{base}/{p}" for p in ("broken.xml", "garbage.xml", "huge.xml", "page.html",
                                                         "latin1.xml")], options={"max_bytes": 1_000_000}),
    ])
    summary = crawl_env.crawl()["sources"]
    assert summary["search"]["new"] == 2 and summary["search"]["fetched"] == 2, summary["search"]
    mixed = summary["mixed"]
    assert mixed["new"] == 1, mixed  # the wrongly-encoded feed still yields its item
    assert mixed["errors"] >= 3 and mixed["error_kinds"].get("content_type") == 1, mixed  # garbage, huge, html
    assert mixed["finish_reason"] == "finished"
    stored = {m.url: m for m in crawl_env.mentions()}
    assert {f"{base}/news/a1", f"{base}/news/a2", f"{base}/news/l1"} <= set(stored)
    assert "tariffe" in stored[f"{base}/news/l1"].text
    assert summary["articles"]["new"] == 2 and summary["articles"]["errors"] == 1  # the 404 page
    assert "testo completo" in stored[f"{base}/news/full1"].text and stored[f"{base}/news/full1"].author == "Redazione"
    assert stored[f"{base}/news/gone"].text == "Velora: pagina che non esiste più."  # the feed's text is kept


def test_a_post_addressing_only_the_care_account_is_kept_for_its_brand(http_server: FixtureServer,
                                                                        crawl_env: CrawlEnv) -> None:
    """ingest.brands' one rule: a text addressing a brand's own account is about that brand without its name."""
    base = http_server.base_url
    items = [("e1", "ancora niente", "@velora_care ancora niente, aspetto da tre giorni"),
             ("e2", "@qualcuno", "@qualcuno ci vediamo domani"),
             ("e3", "ciao", "@pakko_help. il pacco non è arrivato")]
    http_server.add("/care.xml", rss2(base, items), "application/rss+xml")
    crawl_env.write_config([source("care", "feed", [f"{base}/care.xml"])])
    report = crawl_env.crawl()["sources"]["care"]
    assert report["new"] == 2 and report["no_brand_match"] == 1, report
    stored = {m.url: m for m in crawl_env.mentions()}
    assert stored[f"{base}/news/e1"].brands == ["Velora"]
    assert stored[f"{base}/news/e3"].brands == ["Pakko"]
    assert f"{base}/news/e2" not in stored
