"""`ascolto run --config FILE`: crawl each source on its interval, evaluate alert rules every minute, deliver.

APScheduler runs the jobs in thread pools: no job overlaps itself (max_instances=1), missed runs are
coalesced into one, and SIGINT/SIGTERM stop the scheduler cleanly (running jobs finish, nothing is lost:
alerts not yet delivered wait in the persisted outbox). Alert evaluation has a pool of its own (crawls never
hold it up), and each channel is flushed by its own thread, woken as soon as an evaluation has something
to tell: a hung SMTP server or Slack delays only its own channel, never detection or the other channels.
The dashboard is served from the same process when the web module offers `serve_in_thread`.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from ascolto.context import config_path, load_config_or_exit, open_store_at, store_location
from ascolto.paths import state_dir
from core.config import Config
from core.owners import owner_token
from core.timebuckets import parse_interval

log = logging.getLogger(__name__)
JOB_DEFAULTS = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 300}
DELIVERY_POLL = 10.0  # seconds between a channel's looks at its due retries (new alerts wake it at once)


class ChannelWorker:
    """One channel's delivery thread: flushes when woken, and every DELIVERY_POLL seconds for due retries."""

    def __init__(self, name: str, flush: Callable[[str], object]) -> None:
        self.name = name
        self._flush = flush
        self.wake = threading.Event()
        self.wake.set()  # deliveries left by a previous run go at once
        self._stopping = False
        self.thread = threading.Thread(target=self._run, name=f"deliver {name}", daemon=True)

    def _run(self) -> None:
        while not self._stopping:
            self.wake.wait(DELIVERY_POLL)
            self.wake.clear()
            if self._stopping:
                return
            try:
                self._flush(self.name)
            except Exception:
                log.exception("delivery on channel %s failed; retried in %.0f s", self.name, DELIVERY_POLL)

    def stop(self, timeout: float) -> None:
        self._stopping = True
        self.wake.set()
        self.thread.join(timeout)  # a send hung past its timeouts is left behind: it is redone after a restart


class Service:
    """The jobs of one `ascolto run`; built separately from signal handling so tests can drive it."""

    def __init__(self, config: Config, config_file: Path, store: str, outbox_dir: Path | None = None) -> None:
        self.config = config
        self.config_file = config_file
        self.store_location = store
        self.outbox_dir = outbox_dir or state_dir("outbox")
        executors = {"default": ThreadPoolExecutor(max(4, len(config.sources))), "alerts": ThreadPoolExecutor(1)}
        self.scheduler = BackgroundScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS, executors=executors)
        self.workers = [ChannelWorker(c.name, self.deliver) for c in config.channels]
        self._store: Any = None
        self._dispatcher: Any = None
        self.owner = owner_token()  # the name of this worker's leases, as of its outbox claims
        self._intervals = {s.name: parse_interval(s.interval) for s in config.sources}
        self._lock = threading.Lock()

    def _open(self) -> tuple[Any, Any]:
        with self._lock:
            if self._store is None:
                from alerts.notify import Dispatcher

                self._store = open_store_at(self.store_location)
                self._dispatcher = Dispatcher(self.config, self.outbox_dir)
            return self._store, self._dispatcher

    def evaluate_alerts(self, now: datetime | None = None) -> int:
        """One tick: evaluate every rule whose lease this worker gets (each rule's deliveries staged before its
        state is saved, released after, all under the lease), then group the brands' alerts into incidents (under
        the incidents lease), then wake the channels' delivery threads.

        A rule leased by another worker is skipped this tick: it evaluates the rule and stages its deliveries in
        its own outbox, so two workers on one store never notify the same transition twice. Delivery itself
        needs no lease: only the outbox that staged an event holds it."""
        from alerts.engine import evaluate
        from alerts.incidents import reconcile
        from storage.leases import INCIDENTS_KEY, hold, rule_key

        store, dispatcher = self._open()
        dispatcher.recover(store)  # what a crash left between staging and release
        at = now or datetime.now(UTC)
        events: list[Any] = []
        for rule in self.config.alerts:
            with hold(store, rule_key(rule.name), self.owner) as held:
                if held is None:
                    log.debug("alert rule %s: evaluated by another worker this tick", rule.name)
                    continue
                one_rule = self.config.model_copy(update={"alerts": [rule]})
                done = evaluate(store, one_rule, at, stage=dispatcher.stage, current_bucket=True, group=False)
                dispatcher.release(done.alerts)
                events.extend(done.alerts)
        notices: list[Any] = []
        with hold(store, INCIDENTS_KEY, self.owner) as held:
            if held is not None:
                notices = reconcile(store, self.config, at, dispatcher.stage)
                dispatcher.release(notices)
        if events or notices:
            log.info("alerts: %d to notify; incidents: %d", len(events), len(notices))
            for worker in self.workers:
                worker.wake.set()
        return len(events)

    def deliver(self, channel: str) -> None:
        """Deliver what is due on one channel (its own thread in the service)."""
        report = self._open()[1].flush(channel)
        if report.delivered or report.failed or report.dead:
            log.info("channel %s: delivered %d, failed %d, dead-lettered %d, pending %d (all channels)",
                     channel, report.delivered, report.failed, report.dead, report.pending)

    def crawl(self, source: str) -> None:
        """Crawl one source under its lease: skipped while another worker crawls it or crawled it less than
        0.8 of its interval ago (the lease is kept as a marker until then). With the store unreachable the
        lease cannot be asked for: the crawl runs anyway (it spools; a second copy of a mention is merged by id)."""
        try:
            from ascolto.commands.crawl import crawl_in_subprocess
        except ImportError as exc:
            log.error("crawl %s: crawler not available: %s", source, exc)
            return
        from storage.leases import hold, source_key

        started = datetime.now(UTC)
        try:
            with hold(self._open()[0], source_key(source), self.owner) as held:
                if held is None:
                    log.info("crawl %s: another worker has it (running or just done); skipped", source)
                    return
                self._crawl_now(crawl_in_subprocess, source)
                held.keep_until = started + 0.8 * self._intervals[source]
        except Exception as exc:
            if not _unreachable(exc):
                log.exception("crawl %s: its lease failed; next attempt at its next interval", source)
                return
            log.warning("crawl %s: the store is unreachable for its lease (%s); crawling unleased", source, exc)
            self._crawl_now(crawl_in_subprocess, source)

    def _crawl_now(self, crawl_in_subprocess: Callable[..., object], source: str) -> None:
        started = datetime.now(UTC)
        try:
            crawl_in_subprocess(self.config_file, self.store_location, sources=[source])
        except Exception as exc:
            log.exception("crawl %s failed; next attempt at its next interval", source)
            self._log_failed_crawl(source, started, type(exc).__name__)

    def _log_failed_crawl(self, source: str, started: datetime, why: str) -> None:
        """A crawl that died before logging its own run still counts in the source's health."""
        from core.model import CrawlRun

        try:
            self._open()[0].record_crawl([CrawlRun(source=source, started_at=started, finished_at=datetime.now(UTC),
                                                   ok=False, errors=1, error_kinds={f"crawl_{why}": 1})])
        except Exception:
            log.exception("crawl %s: its failure could not be logged in the store", source)

    def schedule(self, *, crawl: bool = True, alert_interval: str = "1m") -> None:
        if crawl:
            for source in self.config.sources:
                seconds = parse_interval(source.interval).total_seconds()
                self.scheduler.add_job(self.crawl, IntervalTrigger(seconds=seconds, timezone=UTC), args=[source.name],
                                       id=f"crawl:{source.name}", name=f"crawl {source.name}",
                                       next_run_time=datetime.now(UTC))
        seconds = parse_interval(alert_interval).total_seconds()
        self.scheduler.add_job(self._safe_evaluate, IntervalTrigger(seconds=seconds, timezone=UTC), id="alerts",
                               name="evaluate alert rules", next_run_time=datetime.now(UTC), executor="alerts")
        self.schedule_digests()

    def send_digest(self, name: str, now: datetime | None = None) -> int:
        """Queue the digest `name` of the period just ended (idempotent: once per period in this worker's outbox;
        the digest's lease, kept for the catch-up time, keeps a second worker on the store from sending it too),
        wake the channels."""
        from ascolto.digests import CATCH_UP, digest_named, enqueue_due
        from storage.leases import hold

        digest = digest_named(self.config, name)
        if digest is None:
            return 0
        store, dispatcher = self._open()
        at = now or datetime.now(UTC)
        with hold(store, f"digest:{name}", self.owner) as held:
            if held is None:
                log.info("digest %s: sent by another worker on this store", name)
                return 0
            added = enqueue_due(store, self.config, dispatcher, digest, at)
            held.keep_until = datetime.now(UTC) + CATCH_UP
        for worker in self.workers:
            if added and worker.name in digest.channels:
                worker.wake.set()
        return added

    def _safe_digest(self, name: str) -> None:
        try:
            self.send_digest(name)
        except Exception:
            log.exception("digest %s failed; a restart within its catch-up time sends it", name)

    def schedule_digests(self) -> None:
        """One cron job per digest at its local time; and, once at start, the digest a downtime missed."""
        from ascolto.digests import CATCH_UP, trigger_of

        for digest in self.config.digests:
            # a digest held up past the jobs' 5-minute grace (the pool busy with crawls, the process suspended)
            # would be skipped without a word; it is still news for CATCH_UP (ascolto.digests.enqueue_due)
            self.scheduler.add_job(self._safe_digest, trigger_of(digest), args=[digest.name],
                                   id=f"digest:{digest.name}", name=f"digest {digest.name}",
                                   misfire_grace_time=int(CATCH_UP.total_seconds()))
            self.scheduler.add_job(self._safe_digest, args=[digest.name], id=f"digest-catch-up:{digest.name}",
                                   name=f"digest {digest.name} (missed while down)", next_run_time=datetime.now(UTC))

    def _safe_evaluate(self) -> None:
        try:
            self.evaluate_alerts()
        except Exception:
            log.exception("alert evaluation failed; retried at the next tick")

    def start(self) -> None:
        self.scheduler.start()
        for worker in self.workers:
            worker.thread.start()

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)  # let running jobs finish: no half-written state
        for worker in self.workers:
            if worker.thread.is_alive():
                worker.stop(timeout=30.0)
        with self._lock:
            if self._dispatcher is not None:
                self._dispatcher.close()
            if self._store is not None:
                self._store.close()
            self._store = self._dispatcher = None


def _unreachable(exc: BaseException) -> bool:
    """The store could not be reached (Elasticsearch down or refusing for load): see storage.es_write."""
    try:
        from storage.es_write import unavailable
    except ImportError:  # the client library is not installed: an SQLite-only deployment
        return False
    return unavailable(exc)


def _serve_dashboard(service: Service, host: str, port: int) -> Callable[[], None] | None:
    """Start the dashboard in a thread if the web module offers it; return its stop function."""
    try:
        from ascolto.web.server import serve_in_thread
    except ImportError:
        log.info("dashboard not available in this build; serving nothing")
        return None
    url, stop = serve_in_thread(service.store_location, service.config, host, port)
    log.info("dashboard on %s", url)
    return stop


def run_service(args: argparse.Namespace) -> int:
    config = load_config_or_exit(args)
    path = config_path(args)
    assert path is not None  # load_config_or_exit exits without one
    service = Service(config, path, store_location(args, config))
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping after the running jobs finish", signum)
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    stop_dashboard: Callable[[], None] | None = None
    try:
        service.schedule(crawl=not args.no_crawl, alert_interval=args.alert_interval)
        service.start()
        if not args.no_serve:
            host, port = args.host or config.dashboard.host, args.port or config.dashboard.port
            stop_dashboard = _serve_dashboard(service, host, port)
        log.info("running: %d sources, %d alert rules; Ctrl-C to stop", len(config.sources), len(config.alerts))
        while not stop.wait(1.0):
            pass
    finally:
        if stop_dashboard is not None:
            stop_dashboard()
        service.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
