"""Where the Elasticsearch store connects: the store URL names the hosts, the index prefix and the index layout;
secrets and the CA file come from the environment (never from a config file)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from storage.es_schema import Layout


def parse_url(url: str) -> tuple[str, str, str]:
    """-> (URL for the client: one or more comma-separated hosts, index prefix, URL safe to show: no password)."""
    parts = urlsplit(url)
    prefix = parse_qs(parts.query).get("index_prefix", ["ascolto"])[0]
    base = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
    shown = parts.netloc.rsplit("@", 1)[-1]
    user = parts.netloc.rsplit("@", 1)[0].split(":", 1)[0] + "@" if "@" in parts.netloc else ""
    return base, prefix, urlunsplit((parts.scheme, user + shown, parts.path.rstrip("/"), parts.query, ""))


def hosts_of(base: str) -> list[str]:
    """`https://user:pw@h1:9200,h2:9200` -> one URL per host, each with the credentials and path."""
    parts = urlsplit(base)
    credentials, _, hosts = parts.netloc.rpartition("@")
    prefix = credentials + "@" if credentials else ""
    return [urlunsplit((parts.scheme, prefix + host.strip(), parts.path, "", "")) for host in hosts.split(",")
            if host.strip()]


def layout_of(url: str, prefix: str) -> Layout:
    """The index layout the URL asks for: `shards=N` and `replicas=N` set the mention indices' templates."""
    query = parse_qs(urlsplit(url).query)

    def number(name: str) -> int | None:
        return int(query[name][0]) if name in query else None

    return Layout(prefix, shards=number("shards"), replicas=number("replicas"))


def credentials_from_env(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Client options from the environment (secrets never sit in a config file): an API key
    (ASCOLTO_ES_API_KEY) or basic auth (ASCOLTO_ES_USERNAME, ASCOLTO_ES_PASSWORD), and the CA file that signed
    the cluster's certificate (ASCOLTO_ES_CA_CERTS)."""
    env = os.environ if env is None else env
    options: dict[str, Any] = {}
    if env.get("ASCOLTO_ES_API_KEY"):
        options["api_key"] = env["ASCOLTO_ES_API_KEY"]
    elif env.get("ASCOLTO_ES_USERNAME"):
        options["basic_auth"] = (env["ASCOLTO_ES_USERNAME"], env.get("ASCOLTO_ES_PASSWORD", ""))
    if env.get("ASCOLTO_ES_CA_CERTS"):
        options["ca_certs"] = env["ASCOLTO_ES_CA_CERTS"]
    return options
