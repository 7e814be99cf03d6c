"""The HTTP channels (httpx) against a real receiver on loopback: what counts as delivered, what is an error."""

from __future__ import annotations

import socket

import pytest

from alerts.channels import DeliveryError, send_webhook
from core.config import WebhookChannel
from tests.alerts.test_notify import event


def hook(url: str) -> WebhookChannel:
    return WebhookChannel(name="hook", kind="webhook", url=url)


def test_any_2xx_is_delivered(receiver) -> None:  # type: ignore[no-untyped-def]
    receiver.status = 204
    send_webhook(hook(receiver.url), event(), None, "d1")


@pytest.mark.parametrize("status", [301, 302, 307, 400, 500, 503])
def test_redirects_and_errors_are_failures_not_followed(receiver, status: int) -> None:  # type: ignore[no-untyped-def]
    receiver.status = status
    with pytest.raises(DeliveryError, match=f"webhook hook: HTTP {status}$"):
        send_webhook(hook(receiver.url), event(), None, "d1")


def test_unreachable_endpoint_names_no_url() -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    with pytest.raises(DeliveryError) as raised:
        send_webhook(hook(f"http://127.0.0.1:{port}/secret-token"), event(), None, "d1")
    assert "secret-token" not in str(raised.value) and str(raised.value).startswith("webhook hook: ")
