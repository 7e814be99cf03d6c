"""`ascolto kibana-import`: load Ascolto's data view, saved searches, visualisations and dashboard into Kibana.

Uses Kibana's saved-objects API (`POST /api/saved_objects/_import?overwrite=true`, multipart, `kbn-xsrf`), so a
re-import updates the objects in place. Credentials, if Kibana needs them, come from environment variables
named on the command line (never from the command line itself, never logged).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
import uuid
from base64 import b64encode
from pathlib import Path


def objects_for_prefix(ndjson: str, prefix: str) -> str:
    """The saved objects with the data view pointed at `{prefix}-mentions` (ids stay stable)."""
    if prefix == "ascolto":
        return ndjson
    lines = []
    for line in ndjson.splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        if obj.get("type") == "index-pattern":
            obj["attributes"]["title"] = f"{prefix}-mentions"
        lines.append(json.dumps(obj, ensure_ascii=False, sort_keys=True))
    return "\n".join(lines) + "\n"


def multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = f"ascolto-{uuid.uuid4().hex}"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
        "Content-Type: application/ndjson\r\n\r\n"
    ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def import_url(base: str, space: str | None) -> str:
    space_path = f"/s/{space}" if space else ""
    return f"{base.rstrip('/')}{space_path}/api/saved_objects/_import?overwrite=true"


def auth_header(args: argparse.Namespace) -> dict[str, str]:
    if args.api_key_env:
        key = os.environ.get(args.api_key_env)
        if not key:
            raise SystemExit(f"kibana-import: environment variable {args.api_key_env} is not set")
        return {"Authorization": f"ApiKey {key}"}
    if args.user:
        password = os.environ.get(args.password_env or "", "")
        token = b64encode(f"{args.user}:{password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}
    return {}


def import_saved_objects(args: argparse.Namespace) -> int:
    path: Path = args.file
    try:
        content = objects_for_prefix(path.read_text(encoding="utf-8"), args.index_prefix).encode()
    except (OSError, ValueError) as exc:
        print(f"kibana-import: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    body, content_type = multipart(path.name, content)
    request = urllib.request.Request(
        import_url(args.url, args.space), data=body, method="POST",
        headers={"kbn-xsrf": "true", "Content-Type": content_type, **auth_header(args)},
    )
    try:
        with urllib.request.urlopen(request, timeout=args.timeout) as response:
            result = json.load(response)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:500]
        print(f"kibana-import: Kibana answered {exc.code}: {detail}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError, ValueError) as exc:
        print(f"kibana-import: cannot reach Kibana at {args.url}: {exc}", file=sys.stderr)
        return 1
    errors = result.get("errors") or []
    for error in errors:
        print(f"kibana-import: {error.get('type')} {error.get('id')}: {error.get('error')}", file=sys.stderr)
    print(json.dumps({"success": bool(result.get("success")), "imported": result.get("successCount", 0),
                      "errors": len(errors)}))
    return 0 if result.get("success") and not errors else 1
