"""Senders for each channel kind. Each raises DeliveryError with a message that never contains a secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import Any

import httpx

from alerts import messages
from alerts.digest import DigestReport, compose_digest, digest_html, digest_payload, digest_text
from alerts.slack_blocks import digest_slack_payload, slack_payload
from core.config import EmailChannel, FileChannel, SlackChannel, WebhookChannel, secret
from core.dates import parse_date
from core.model import AlertEvent
from core.wording import Voice

TIMEOUT = 10.0
MAX_RETRY_AFTER = 86400.0  # a Retry-After beyond a day is read as a day (and a bogus huge one cannot overflow)
SIGNATURE_HEADER = "X-Ascolto-Signature"
KEY_HEADER = "X-Ascolto-Idempotency-Key"  # HTTP; also sent as the standard Idempotency-Key
EMAIL_KEY_HEADER = "X-Ascolto-Key"
REPLAY_WINDOW_SECONDS = 300  # a receiver refuses a signed webhook whose timestamp is further than this from now
Notification = Any  # an AlertEvent, or an incident notice (alerts.incidents.IncidentNotice)


class DeliveryError(Exception):
    """A delivery failed; the text is safe to log (no URL of a secret webhook, no password).

    `permanent`: the receiver refused this message and would refuse it again (dead-letter it, go on with the
    channel's other messages); `retry_after`: seconds the receiver asked us to wait before trying again.
    """

    def __init__(self, message: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


def file_path(channel: FileChannel) -> Path:
    return Path(channel.path).expanduser()  # the Dispatcher has made a relative path absolute


def voice_of(channel: Any) -> Voice:
    return Voice(language=getattr(channel, "language", "en"), timezone=getattr(channel, "timezone", "UTC"))


def message_id(key: str, sender: str) -> str:
    """The same Message-ID for every attempt of one notification (mail clients drop the copies of a resend)."""
    _, at, domain = parseaddr(sender)[1].rpartition("@")
    if not (at and domain and all(c.isalnum() or c in ".-" for c in domain)):
        domain = "ascolto.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}.ascolto@{domain}>"


def _key_headers(key: str) -> dict[str, str]:
    return {KEY_HEADER: key, "Idempotency-Key": key}


def send_file(channel: FileChannel, event: Notification, dashboard_url: str | None, delivery_id: str,
              idempotency_key: str | None = None) -> None:
    payload = messages.json_payload(event, dashboard_url, voice_of(channel), idempotency_key)
    _append_line(file_path(channel), {"delivery_id": delivery_id, **payload})


def _append_line(path: Path, payload: dict[str, Any]) -> None:
    line = json.dumps(payload, ensure_ascii=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
    except OSError as exc:
        raise DeliveryError(f"file {path}: {exc.strerror or exc}") from None


def send_email(channel: EmailChannel, event: Notification, dashboard_url: str | None, delivery_id: str,
               idempotency_key: str | None = None) -> None:
    voice, key = voice_of(channel), idempotency_key or messages.idempotency_key(event)
    msg = EmailMessage()
    msg["Subject"] = messages.subject(event, voice)
    msg["From"] = channel.sender
    msg["To"] = ", ".join(channel.to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(key, channel.sender)
    msg["X-Ascolto-Alert" if isinstance(event, AlertEvent) else "X-Ascolto-Incident"] = event.id
    msg[EMAIL_KEY_HEADER] = key
    msg.set_content(messages.text_body(event, dashboard_url, voice, key))
    msg.add_alternative(messages.html_body(event, dashboard_url, voice, key), subtype="html")
    _smtp_send(channel, msg)


def _smtp_send(channel: EmailChannel, msg: EmailMessage) -> None:
    user, password = secret(channel.username_env), secret(channel.password_env)
    where = f"smtp {channel.host}:{channel.port}"
    try:
        if channel.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(channel.host, channel.port, timeout=TIMEOUT,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(channel.host, channel.port, timeout=TIMEOUT)
        with smtp:
            if channel.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if user and password:
                smtp.login(user, password)
            smtp.send_message(msg)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{where}: authentication refused ({exc.smtp_code})") from None
    except smtplib.SMTPResponseException as exc:
        # a 5xx to the message itself (DATA) is final for that message; any other refusal is the channel's
        permanent = isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500
        raise DeliveryError(f"{where}: refused ({exc.smtp_code})", permanent=permanent) from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise DeliveryError(f"{where}: recipients refused ({', '.join(map(str, codes))})",
                            permanent=all(code >= 500 for code in codes)) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"{where}: {type(exc).__name__}") from None


def _post(url: str, body: bytes, headers: dict[str, str], label: str) -> None:
    """POST JSON; any answer but 2xx is a failure. Redirects are not followed: a POST turned into a GET elsewhere
    would drop the alert while looking delivered."""
    try:
        response = httpx.post(url, content=body, headers={"Content-Type": "application/json", **headers},
                              timeout=TIMEOUT, follow_redirects=False)
    except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
        raise DeliveryError(f"{label}: {type(exc).__name__}") from None  # the URL itself may be the secret
    if not response.is_success:
        status = response.status_code
        # 4xx but 408 (timeout) and 429 (rate limit): this message is refused and would be refused again
        raise DeliveryError(f"{label}: HTTP {status}", permanent=400 <= status < 500 and status not in (408, 429),
                            retry_after=retry_after(response.headers.get("Retry-After")))


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    when = parse_date(value)
    return min(max(0.0, (when - datetime.now(UTC)).total_seconds()), MAX_RETRY_AFTER) if when else None


def send_slack(channel: SlackChannel, event: Notification, dashboard_url: str | None, delivery_id: str,
               idempotency_key: str | None = None) -> None:
    url = secret(channel.webhook_url_env)
    if not url:
        raise DeliveryError(f"slack {channel.name}: environment variable {channel.webhook_url_env} is not set")
    key = idempotency_key or messages.idempotency_key(event)
    body = json.dumps(slack_payload(event, dashboard_url, voice_of(channel), key)).encode()
    _post(url, body, _key_headers(key), f"slack {channel.name}")


def sign(secret_value: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over '<timestamp>.<body>' (the timestamp is in X-Ascolto-Timestamp; it blocks replays)."""
    digest = hmac.new(secret_value.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_webhook(secret_value: str, headers: dict[str, str], body: bytes, now: float | None = None) -> bool:
    """What a receiver checks (README, "Verifying a webhook"): the signature over the timestamp and the raw body,
    and a timestamp within REPLAY_WINDOW_SECONDS of its clock. Deduplicate on the idempotency key besides."""
    lowered = {k.lower(): v for k, v in headers.items()}
    timestamp, signature = lowered.get("x-ascolto-timestamp", ""), lowered.get(SIGNATURE_HEADER.lower(), "")
    if not timestamp.isdigit() or abs((time.time() if now is None else now) - int(timestamp)) > REPLAY_WINDOW_SECONDS:
        return False
    return hmac.compare_digest(sign(secret_value, timestamp, body), signature)


def send_webhook(channel: WebhookChannel, event: Notification, dashboard_url: str | None, delivery_id: str,
                 idempotency_key: str | None = None) -> None:
    key = idempotency_key or messages.idempotency_key(event)
    _post_webhook(channel, messages.json_payload(event, dashboard_url, voice_of(channel), key), key, delivery_id)


def _post_webhook(channel: WebhookChannel, payload: dict[str, Any], key: str, delivery_id: str) -> None:
    """POST the payload signed (when the channel has a secret) with its delivery id and idempotency key."""
    body = json.dumps({"delivery_id": delivery_id, **payload}, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    headers = {"X-Ascolto-Delivery": delivery_id, "X-Ascolto-Timestamp": timestamp, **_key_headers(key)}
    key = secret(channel.secret_env)
    if channel.secret_env and not key:
        raise DeliveryError(f"webhook {channel.name}: environment variable {channel.secret_env} is not set")
    if key:
        headers[SIGNATURE_HEADER] = sign(key, timestamp, body)
    _post(channel.url, body, headers, f"webhook {channel.name}")


def send_digest(channel: Any, report: DigestReport, delivery_id: str) -> None:
    """Deliver one digest on any channel kind, in the channel's language and time zone."""
    voice, key = voice_of(channel), report.key
    if channel.kind == "email":
        msg = EmailMessage()
        msg["Subject"] = compose_digest(report, voice).subject
        msg["From"], msg["To"] = channel.sender, ", ".join(channel.to)
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = message_id(key, channel.sender)
        msg[EMAIL_KEY_HEADER] = key
        msg.set_content(digest_text(report, voice))
        msg.add_alternative(digest_html(report, voice), subtype="html")
        _smtp_send(channel, msg)
    elif channel.kind == "slack":
        url = secret(channel.webhook_url_env)
        if not url:
            raise DeliveryError(f"slack {channel.name}: environment variable {channel.webhook_url_env} is not set")
        body = json.dumps(digest_slack_payload(report, voice)).encode()
        _post(url, body, _key_headers(key), f"slack {channel.name}")
    elif channel.kind == "webhook":
        _post_webhook(channel, digest_payload(report, voice), key, delivery_id)
    else:
        _append_line(file_path(channel), {"delivery_id": delivery_id, **digest_payload(report, voice)})


SENDERS = {"file": send_file, "email": send_email, "slack": send_slack, "webhook": send_webhook}


def send(channel: Any, event: Notification, dashboard_url: str | None, delivery_id: str,
         idempotency_key: str | None = None) -> None:
    """Deliver one notification; `idempotency_key` (default: messages.idempotency_key) is in every payload."""
    SENDERS[channel.kind](channel, event, dashboard_url, delivery_id, idempotency_key)
