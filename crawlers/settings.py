"""Scrapy settings for every Ascolto crawl: polite, bounded, incremental. `scrapy.cfg` points here."""

import os
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ascolto")
except PackageNotFoundError:  # run from a source tree that is not installed
    __version__ = "0"

BOT_NAME = "ascolto"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

USER_AGENT = f"AscoltoBot/{__version__} (+social listening for customer care; honours robots.txt)"
ROBOTSTXT_OBEY = True

# Politeness: AutoThrottle adapts to each server's latency; per-domain concurrency stays small.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.0  # per-source rate limits (documented API limits) set the spider's download_delay

# Bounded: timeouts and a maximum response size (per source: options.max_bytes).
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5

# Retries with backoff on 429/5xx, honouring Retry-After (crawlers.middlewares.RetryAfterMiddleware).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
ASCOLTO_RETRY_BACKOFF_BASE = 1.0  # seconds; doubled on each retry when the server gives no Retry-After
ASCOLTO_RETRY_MAX_DELAY = 120.0  # a Retry-After longer than this is capped
ASCOLTO_RETRY_DEFER_AFTER = 600.0  # ... and one longer than this is not waited for: the host is left to a later run

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # an HTTP server that runs code sent to it: never in a crawler of untrusted sites
LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawlers.logformat.ItemsWithoutBodies"  # one line per item at DEBUG, never its text
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"

DOWNLOADER_MIDDLEWARES = {
    # SSRF guard first among ours so nothing (robots.txt included) reaches a refused address.
    "crawlers.middlewares.SSRFGuardMiddleware": 60,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.RetryAfterMiddleware": 550,
    "crawlers.middlewares.ConditionalRequestMiddleware": 560,
    "crawlers.middlewares.ResponseGuardMiddleware": 570,
}
ITEM_PIPELINES = {"crawlers.pipelines.IngestPipeline": 300}
EXTENSIONS = {"crawlers.progress.CrawlProgress": 500}
ASCOLTO_PROGRESS_INTERVAL = 5.0  # seconds between per-source progress lines on stderr (0: only the final one)

ASCOLTO_BATCH_SIZE = 200  # items handed to ingest at once
ASCOLTO_STORE = None  # store location; the runner sets it, `scrapy crawl` falls back to the default store
ASCOLTO_INGEST_SINK = "ingest.sink.StoreSink"  # where items go: a class with from_settings(settings, config).ingest
# The data directory (crawl state, spool, rejects, default store). `ascolto crawl` passes its own; this default is
# for a bare `scrapy crawl`, and is ASCOLTO_HOME's documented default.
ASCOLTO_DATA_DIR = os.environ.get("ASCOLTO_HOME") or os.path.expanduser("~/.local/share/ascolto")
