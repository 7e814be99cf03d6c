"""Kibana saved objects reference only mapped fields; `ascolto kibana-import` sends what Kibana's API expects."""

from __future__ import annotations

import json
import re
import subprocess
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from index_mappings import KIBANA_OBJECTS, mention_properties

_KQL_FIELD = re.compile(r"([A-Za-z_@][\w.@]*)\s*:")


def mapped_fields() -> set[str]:
    fields = set()
    for name, spec in mention_properties().items():
        fields.add(name)
        fields.update(f"{name}.{sub}" for sub in spec.get("fields", {}))
    return fields


def referenced_fields(obj: dict[str, Any]) -> set[str]:
    attrs = obj["attributes"]
    found: set[str] = set()
    if obj["type"] == "index-pattern":
        found.add(attrs["timeFieldName"])
    found.update(attrs.get("columns", []))
    found.update(sort[0] for sort in attrs.get("sort", []))
    source = json.loads(attrs.get("kibanaSavedObjectMeta", {}).get("searchSourceJSON", "{}"))
    found.update(_KQL_FIELD.findall(source.get("query", {}).get("query", "")))
    if "visState" in attrs:
        for agg in json.loads(attrs["visState"])["aggs"]:
            if "field" in agg["params"]:
                found.add(agg["params"]["field"])
    return found


def saved_objects() -> list[dict[str, Any]]:
    return [json.loads(line) for line in KIBANA_OBJECTS.read_text().splitlines() if line.strip()]


def test_every_referenced_field_is_mapped_and_references_resolve() -> None:
    objects = saved_objects()
    known = mapped_fields()
    ids = {(o["type"], o["id"]) for o in objects}
    kinds = {o["type"] for o in objects}
    assert {"index-pattern", "search", "visualization", "dashboard"} <= kinds
    for obj in objects:
        missing = referenced_fields(obj) - known
        assert not missing, (obj["id"], missing)
        for ref in obj.get("references", []):
            assert (ref["type"], ref["id"]) in ids, (obj["id"], ref)
    data_view = next(o for o in objects if o["type"] == "index-pattern")
    assert data_view["attributes"]["title"] == "ascolto-mentions"
    assert data_view["attributes"]["timeFieldName"] == "@timestamp"


class FakeKibana(BaseHTTPRequestHandler):
    """Answers like Kibana's import API, after checking the request's shape."""

    received: list[dict[str, Any]] = []  # noqa: RUF012 - shared with the test, one server per test
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        problems = []
        if self.headers.get("kbn-xsrf") is None:
            problems.append("missing kbn-xsrf")
        if not self.path.endswith("/api/saved_objects/_import?overwrite=true"):
            problems.append(f"bad path {self.path}")
        message = message_from_bytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body, policy=HTTP)
        parts = list(message.iter_parts()) if message.is_multipart() else []
        if len(parts) != 1 or parts[0].get_param("name", header="content-disposition") != "file":
            problems.append("expected one multipart part named 'file'")
        content = parts[0].get_payload(decode=True) if parts else b""
        lines = [json.loads(line) for line in content.decode().splitlines() if line.strip()]
        self.received.append({"path": self.path, "auth": self.headers.get("Authorization"), "objects": lines,
                              "filename": parts[0].get_filename() if parts else None})
        reply = ({"success": True, "successCount": len(lines)} if not problems and self.status == 200
                 else {"statusCode": 400, "error": "Bad Request", "message": "; ".join(problems)})
        payload = json.dumps(reply).encode()
        self.send_response(self.status if not problems else 400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def kibana() -> Iterator[str]:
    FakeKibana.received = []
    FakeKibana.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeKibana)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_kibana_import_posts_the_saved_objects(kibana: str, ascolto_cmd: list[str], cli_env: dict[str, str]) -> None:
    done = subprocess.run([*ascolto_cmd, "kibana-import", "--url", kibana], env=cli_env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"success": True, "imported": 9, "errors": 0}
    (request,) = FakeKibana.received
    assert request["filename"] == "ascolto.ndjson"
    assert request["objects"] == saved_objects()


def test_kibana_import_space_prefix_key_and_errors(kibana: str, ascolto_cmd: list[str],
                                                   cli_env: dict[str, str]) -> None:
    env = {**cli_env, "KIBANA_KEY": "c2VjcmV0"}
    done = subprocess.run([*ascolto_cmd, "kibana-import", "--url", kibana + "/", "--space", "care",
                           "--index-prefix", "acme", "--api-key-env", "KIBANA_KEY"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    request = FakeKibana.received[-1]
    assert request["path"].startswith("/s/care/api/saved_objects/_import")
    assert request["auth"] == "ApiKey c2VjcmV0"
    view = next(o for o in request["objects"] if o["type"] == "index-pattern")
    assert view["attributes"]["title"] == "acme-mentions"
    assert "c2VjcmV0" not in done.stdout + done.stderr
    FakeKibana.status = 500
    failed = subprocess.run([*ascolto_cmd, "kibana-import", "--url", kibana], env=cli_env, capture_output=True,
                            text=True, timeout=60)
    assert failed.returncode == 1 and "500" in failed.stderr
