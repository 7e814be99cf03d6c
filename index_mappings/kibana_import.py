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
from base64 import b64encode
from pathlib import Path

import httpx


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
    try:
        response = httpx.post(
            import_url(args.url, args.space), headers={"kbn-xsrf": "true", **auth_header(args)},
            files={"file": (path.name, content, "application/ndjson")}, timeout=args.timeout,
        )
    except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
        print(f"kibana-import: cannot reach Kibana at {args.url}: {exc}", file=sys.stderr)
        return 1
    if not response.is_success:  # redirects are not followed: a POST must not turn into a GET
        print(f"kibana-import: Kibana answered {response.status_code}: {response.text[:500]}", file=sys.stderr)
        return 1
    try:
        result = response.json()
    except ValueError as exc:
        print(f"kibana-import: Kibana's answer is not JSON: {exc}", file=sys.stderr)
        return 1
    errors = result.get("errors") or []
    for error in errors:
        print(f"kibana-import: {error.get('type')} {error.get('id')}: {error.get('error')}", file=sys.stderr)
    print(json.dumps({"success": bool(result.get("success")), "imported": result.get("successCount", 0),
                      "errors": len(errors)}))
    return 0 if result.get("success") and not errors else 1
