"""Security middleware: strict headers (CSP without inline script), bounded request bodies, the access token
required beyond loopback, and a Host check against DNS rebinding when serving loopback without a token."""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 16 * 1024  # the API takes small JSON bodies only (acknowledge)
MAX_QUERY_BYTES = 8 * 1024
COOKIE = "ascolto_token"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
LOOPBACK_NAMES = {"localhost", "testserver"}  # testserver: FastAPI's in-process TestClient


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_allowed(host_header: str) -> bool:
    """Serving loopback without a token: only requests addressed to a loopback name (no DNS rebinding)."""
    host = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
    return host.strip("[]").lower() in LOOPBACK_NAMES or is_loopback(host)


def same_origin(headers: dict[str, str]) -> bool:
    """A browser names the page that sent a POST; only this dashboard's own pages may change state."""
    origin = headers.get("origin")
    if origin is None:
        return True  # not from a browser page (curl, scripts): the token or loopback rule applies
    return urlsplit(origin).netloc.lower() == headers.get("host", "").lower()


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, token: str | None = None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        path: str = scope.get("path", "")
        is_api = path.startswith("/api/") or path in ("/openapi.json", "/docs")
        send_secure = self._with_headers(send, no_store=is_api)
        if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
            await _reply(send_secure, 414, "the query string is too long", is_api)
            return
        if self.token is None:
            if not host_allowed(headers.get("host", "")):
                await _reply(send_secure, 421, "this dashboard answers to loopback names only", is_api)
                return
        else:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            offered = query.get("token")
            if offered is not None and scope["method"] == "GET" and not is_api:
                await self._login(scope, send_secure, offered, query)
                return
            if not self._authorised(headers):
                await _reply(send_secure, 401, "a token is required: open the dashboard with ?token=…, or send "
                             "'Authorization: Bearer …'", is_api)
                return
        if scope["method"] not in ("GET", "HEAD", "OPTIONS") and not same_origin(headers):
            await _reply(send_secure, 403, "cross-site requests cannot change anything here", is_api)
            return
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            await _reply(send_secure, 413, f"request bodies are at most {MAX_BODY_BYTES} bytes", is_api)
            return
        await self.app(scope, _bounded(receive), send_secure)

    def _authorised(self, headers: dict[str, str]) -> bool:
        assert self.token is not None
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and hmac.compare_digest(auth[7:].strip().encode(), self.token.encode()):
            return True
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header is simply no token
            return False
        morsel = cookie.get(COOKIE)
        return morsel is not None and hmac.compare_digest(morsel.value.encode(), self.token.encode())

    async def _login(self, scope: Scope, send: Send, offered: str, query: dict[str, str]) -> None:
        """?token=… on a page: set an HttpOnly cookie and redirect to the same page without the token."""
        assert self.token is not None
        if not hmac.compare_digest(offered.encode(), self.token.encode()):
            await _reply(send, 401, "wrong token", False)
            return
        rest = urlencode({k: v for k, v in query.items() if k != "token"})
        location = scope.get("path", "/") + (f"?{rest}" if rest else "")
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        await send({"type": "http.response.start", "status": 303, "headers": [
            (b"location", location.encode("latin-1", "replace")),
            (b"set-cookie", f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict{secure}".encode()),
            (b"content-length", b"0"),
        ]})
        await send({"type": "http.response.body", "body": b""})

    @staticmethod
    def _with_headers(send: Send, *, no_store: bool) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = list(message.get("headers", []))
                names = {k.lower() for k, _ in existing}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                if no_store:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = existing + extra
            await send(message)

        return wrapped


class BodyTooLarge(Exception):
    pass


def _bounded(receive: Receive) -> Receive:
    """Count the bytes actually received (chunked bodies carry no content-length)."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_BODY_BYTES:
                raise BodyTooLarge(f"request body over {MAX_BODY_BYTES} bytes")
        return message

    return wrapped


async def _reply(send: Send, status: int, message: str, as_json: bool) -> None:
    if as_json:
        body, kind = json.dumps({"detail": message}).encode(), b"application/json"
    else:
        body, kind = message.encode(), b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
