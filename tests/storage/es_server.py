"""A real single-node Elasticsearch for tests and benchmarks: the integ-test-zip, unpacked, started, stopped.

`scripts/elasticsearch.sh fetch` downloads and caches the zip (keyed by version); this module unpacks it into a
temporary directory, runs it as an unprivileged system user (Elasticsearch refuses to run as root) on a free
loopback port with a small heap, waits until the cluster answers, and stops it afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

REPO = Path(__file__).resolve().parents[2]
FETCH_SCRIPT = REPO / "scripts" / "elasticsearch.sh"
ES_USER = "ascolto-es"
START_TIMEOUT_S = 180.0


def es_version() -> str:
    return subprocess.run([str(FETCH_SCRIPT), "version"], check=True, capture_output=True, text=True).stdout.strip()


def fetch_zip() -> Path:
    """The cached distribution zip (downloaded on first use)."""
    out = subprocess.run([str(FETCH_SCRIPT), "fetch"], check=True, capture_output=True, text=True).stdout
    return Path(out.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_user() -> tuple[int, int] | None:
    """uid/gid to run as: ourselves when not root, else a system user created on first use."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(ES_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ES_USER],
                       check=True, capture_output=True)
        entry = pwd.getpwnam(ES_USER)
    return entry.pw_uid, entry.pw_gid


def java_home() -> str:
    if os.environ.get("ES_JAVA_HOME"):
        return os.environ["ES_JAVA_HOME"]
    java = shutil.which("java")
    if not java:
        raise RuntimeError("no JDK found: install Java 17+ or set ES_JAVA_HOME")
    return str(Path(os.path.realpath(java)).parents[1])


class ElasticsearchNode:
    """One node in its own directory; `start()` waits for it, `stop()` ends it (and only it)."""

    def __init__(self, root: Path, port: int | None = None, heap: str = "512m",
                 cluster: dict[str, Any] | None = None) -> None:
        self.root = root
        self.port = port or free_port()
        self.heap = heap
        # settings of a node that joins others (running_cluster) instead of forming a single-node cluster
        self.cluster = cluster
        self.home = root / "elasticsearch"
        self.proc: subprocess.Popen[bytes] | None = None
        self.owner = ensure_user()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def install(self) -> None:
        with zipfile.ZipFile(fetch_zip()) as archive:
            archive.extractall(self.root)
        top = next(p for p in self.root.iterdir() if p.name.startswith("elasticsearch-"))
        top.rename(self.home)
        for script in (self.home / "bin").iterdir():
            script.chmod(0o755)
        for sub in ("data", "logs", "tmp"):
            (self.home / sub).mkdir(exist_ok=True)
        settings = {
            "cluster.name": "ascolto-test",
            "node.name": "ascolto-test-node",
            "discovery.type": "single-node",
            "network.host": "127.0.0.1",
            "http.port": self.port,
            "transport.port": 0,
            **(self.cluster or {}),
            "path.data": str(self.home / "data"),
            "path.logs": str(self.home / "logs"),
            "bootstrap.memory_lock": False,
            "xpack.security.enabled": False,
            # a full-ish shared disk must not turn the test indices read-only
            "cluster.routing.allocation.disk.threshold_enabled": False,
            "action.destructive_requires_name": False,
        }
        if self.cluster:
            del settings["discovery.type"]
        lines = [f"{key}: {json.dumps(value)}" for key, value in settings.items()]
        (self.home / "config" / "elasticsearch.yml").write_text("\n".join(lines) + "\n")
        (self.home / "config" / "jvm.options.d").mkdir(exist_ok=True)
        (self.home / "config" / "jvm.options.d" / "heap.options").write_text(f"-Xms{self.heap}\n-Xmx{self.heap}\n")
        if self.owner:
            for path in [self.root, *self.root.rglob("*")]:
                os.chown(path, *self.owner, follow_symlinks=False)

    def start(self, timeout: float = START_TIMEOUT_S) -> None:
        if not self.home.exists():
            self.install()
        self.launch()
        self._wait_ready(timeout)

    def launch(self) -> None:
        """Start the process without waiting for it."""
        env = {**os.environ, "ES_JAVA_HOME": java_home(), "ES_TMPDIR": str(self.home / "tmp"),
               "ES_PATH_CONF": str(self.home / "config")}
        env.pop("JAVA_HOME", None)
        log = open(self.home / "logs" / "stdout.log", "ab")  # noqa: SIM115 - handed to the child process
        owner = self.owner

        def demote() -> None:
            os.setsid()
            if owner:
                os.setgroups([])
                os.setgid(owner[1])
                os.setuid(owner[0])

        self.proc = subprocess.Popen(
            ["nice", "-n", "5", str(self.home / "bin" / "elasticsearch")], cwd=self.home, env=env,
            stdout=log, stderr=subprocess.STDOUT, preexec_fn=demote,
        )
        log.close()

    def wait_joined(self, size: int, timeout: float = START_TIMEOUT_S) -> None:
        """Wait until this node sees a green cluster of `size` nodes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"Elasticsearch exited with {self.proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError, ValueError):
                url = f"{self.url}/_cluster/health?wait_for_status=green&wait_for_nodes={size}&timeout=5s"
                with urllib.request.urlopen(url, timeout=10) as response:
                    health = json.load(response)
                    if health.get("status") == "green" and health.get("number_of_nodes") == size:
                        return
            time.sleep(1.0)
        raise RuntimeError(f"the cluster did not form within {timeout:.0f}s:\n{self.log_tail()}")

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"Elasticsearch exited with {self.proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError, ValueError):
                url = f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=5s"
                with urllib.request.urlopen(url, timeout=10) as response:
                    if json.load(response).get("status") in ("green", "yellow"):
                        return
            time.sleep(1.0)
        self.stop()
        raise RuntimeError(f"Elasticsearch did not start within {timeout:.0f}s:\n{self.log_tail()}")

    def stop(self, timeout: float = 60.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    def log_tail(self, lines: int = 40) -> str:
        path = self.home / "logs" / "stdout.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


@contextlib.contextmanager
def running_node(heap: str = "512m") -> Iterator[ElasticsearchNode]:
    """Unpack, start, yield, stop, remove. The external URL is honoured via ASCOLTO_TEST_ES_URL if set."""
    root = Path(tempfile.mkdtemp(prefix="ascolto-es-"))
    root.chmod(0o755)
    node = ElasticsearchNode(root, heap=heap)
    try:
        try:
            node.start()
        except RuntimeError:  # e.g. the free port was taken meanwhile: one more try on another port
            old_port, node.port = node.port, free_port()
            config = node.home / "config" / "elasticsearch.yml"
            config.write_text(config.read_text().replace(f"http.port: {old_port}", f"http.port: {node.port}"))
            node.start()
        yield node
    finally:
        node.stop()
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def running_cluster(size: int = 3, heap: str = "256m") -> Iterator[list[ElasticsearchNode]]:
    """`size` master-eligible data nodes on loopback that find each other through `discovery.seed_hosts`
    (fixed transport ports) and bootstrap one cluster; yields them once the cluster is green with all joined."""
    root = Path(tempfile.mkdtemp(prefix="ascolto-es-cluster-"))
    root.chmod(0o755)
    names = [f"ascolto-node-{i}" for i in range(size)]
    transports = [free_port() for _ in names]
    seeds = [f"127.0.0.1:{port}" for port in transports]
    nodes = []
    for name, transport in zip(names, transports, strict=True):
        (root / name).mkdir()
        nodes.append(ElasticsearchNode(root / name, heap=heap, cluster={
            "cluster.name": f"ascolto-cluster-{root.name[-8:]}", "node.name": name, "transport.port": transport,
            "discovery.seed_hosts": seeds, "cluster.initial_master_nodes": names}))
    try:
        for node in nodes:
            node.install()
        for node in nodes:  # started together: the first cannot elect a master alone
            node.launch()
        for node in nodes:
            node.wait_joined(size)
        yield nodes
    finally:
        for node in nodes:
            node.stop()
        shutil.rmtree(root, ignore_errors=True)


def drop_prefix(url: str, prefix: str) -> None:
    client = Elasticsearch(url, request_timeout=60)
    try:
        client.options(ignore_status=404).indices.delete(index=f"{prefix}-*", expand_wildcards="all")
        client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-*")
        for name in ("mentions-settings", "mentions-mappings"):
            client.options(ignore_status=404).cluster.delete_component_template(name=f"{prefix}-{name}")
    except Exception:
        pass
    finally:
        client.close()
