"""Canonical URLs: the same page reached through tracking links, session ids, fragments or host spellings is one URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "vero_")
_TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mkt_tok", "_hsenc", "_hsmi",
    "ref_src", "ref_url", "cmpid", "s_cid", "spm", "share", "si", "feature",
})
# session ids: servers without cookies put one in every link they serve, a new one on every visit
_SESSION_PARAMS = frozenset({
    "jsessionid", "phpsessid", "sid", "sessionid", "session_id", "aspsessionid", "cfid", "cftoken", "oscsid",
    "zenid", "s_sid",
})
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid|sid)=[^/;?#]*", re.IGNORECASE)  # /a;jsessionid=x
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _dropped(name: str) -> bool:
    """A query parameter that does not change what the page is: tracking, or a session id."""
    key = name.lower()
    return key in _TRACKING_PARAMS or key in _SESSION_PARAMS or key.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop default port, 'www.', fragment, tracking parameters and session ids (in the
    query or the path); sort the query."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "http"
    host = (parts.hostname or "").lower().rstrip(".")
    host = host.encode("idna").decode("ascii") if host and not host.isascii() else host
    if host.startswith("www."):
        host = host[4:]
    port = parts.port
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if ":" in host and not host.startswith("["):  # IPv6 literal
        netloc = f"[{host}]" if port is None else f"[{host}]:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _dropped(k)]
    path = _PATH_SESSION.sub("", parts.path) or "/"
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def is_on_domain(url: str, domains: list[str]) -> bool:
    """True when the URL's host is one of `domains` or a sub-domain of one."""
    host = host_of(url)
    return any(host == d.lower().removeprefix("www.") or host.endswith("." + d.lower()) for d in domains)
