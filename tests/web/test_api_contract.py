"""The API keeps its OpenAPI contract: Schemathesis generates requests for every GET operation of /openapi.json,
valid and invalid ones, sends them to the real server on loopback over a small seeded store, and checks every
answer: no server error, only documented status codes, bodies as the schema says, schema-violating requests
rejected and schema-valid ones accepted (but for the rules across parameters that a schema cannot state:
ascolto.web.params.CONFLICTS)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from ascolto.web.app import create_app
from ascolto.web.params import CONFLICTS
from ascolto.web.server import serve_in_thread


def _openapi() -> dict[str, Any]:
    """The schema the app serves. Schemathesis' lazy loader (from a fixture) does not run under this pytest, so the
    schema is built at collection, and the test checks that the server serves this very schema."""
    with tempfile.TemporaryDirectory() as empty:
        app = create_app(str(Path(empty) / "schema-only.sqlite3"))
        try:
            return app.openapi()
        finally:
            app.state.store.close()


OPENAPI = _openapi()
schema = schemathesis.openapi.from_dict(OPENAPI).include(method="GET")
MAX_EXAMPLES = 10  # per operation and phase: every GET operation in under a minute


@pytest.fixture(scope="module")
def api_url(seeded_sqlite_url: str, seed: SimpleNamespace) -> Iterator[str]:
    url, stop = serve_in_thread(seeded_sqlite_url, seed.config, "127.0.0.1", 0)
    try:
        assert httpx.get(f"{url}/openapi.json").json() == OPENAPI  # the contract tested is the one served
        yield url
    finally:
        stop()


def valid_requests_are_answered(ctx: Any, response: Any, case: Any) -> bool | None:
    """Schemathesis' positive_data_acceptance, but a 400 naming a rule across parameters is an answer too."""
    if response.status_code == 400:
        detail = str(response.json().get("detail", ""))
        if detail.startswith(CONFLICTS):
            return None
    return positive_data_acceptance(ctx, response, case)


def invalid_requests_are_refused(ctx: Any, response: Any, case: Any) -> bool | None:
    """Schemathesis' negative_data_rejection, with 414 (a query string past 8 KiB, refused before parsing) counted
    as the refusal it is."""
    if response.status_code == 414:
        return None
    return negative_data_rejection(ctx, response, case)


@schema.parametrize()
# derandomized: the same cases on every run. A random run can mutate a query parameter's type into one that
# serialises to the same text (sentiment=1982255 is also a one-string array), which no server can refuse
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_get_operation_keeps_the_contract(case: Any, api_url: str) -> None:
    case.call_and_validate(base_url=api_url, excluded_checks=[positive_data_acceptance, negative_data_rejection],
                           additional_checks=[valid_requests_are_answered, invalid_requests_are_refused])


def test_an_empty_window_is_answered_and_a_number_is_not_a_date(api_url: str, seed: SimpleNamespace) -> None:
    empty = httpx.get(f"{api_url}/api/mentions", params={"since": seed.until, "until": seed.until})
    assert empty.status_code == 200 and empty.json()["total"] == 0, empty.text
    assert httpx.get(f"{api_url}/api/timeseries", params={"since": seed.until, "until": seed.until}).status_code == 200
    assert httpx.get(f"{api_url}/api/mentions", params={"until": "-2.2e-309"}).status_code == 422
    inverted = httpx.get(f"{api_url}/api/mentions", params={"since": seed.later, "until": seed.until})
    assert inverted.status_code == 400 and inverted.json()["detail"].startswith(CONFLICTS)
    far = httpx.get(f"{api_url}/api/mentions", params={"until": "0001-01-01T00:00:00+01:00"})
    assert far.status_code == 200, far.text  # an offset across the calendar's edge is not a server error
