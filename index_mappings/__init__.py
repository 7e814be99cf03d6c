"""Elasticsearch index templates and Kibana saved objects, as files; loaded with the index-name prefix filled in.

Layout (prefix "ascolto" by default):
- `{prefix}-mentions-settings` and `{prefix}-mentions-mappings`: component templates (shards, analysers; the mapping)
- `{prefix}-mentions`: composable index template for the monthly indices `{prefix}-mentions-YYYY.MM` (by the
  mention's published month) which all join the read alias `{prefix}-mentions`. Old months are dropped or moved
  (e.g. to cheaper nodes) one index at a time; the alias keeps serving the rest.
- `{prefix}-alerts`: alert events; `{prefix}-reply-links`: earliest owned reply per parent id;
  `{prefix}-incidents`: incidents (alerts of one brand grouped).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KIBANA_DIR = HERE / "kibana"
KIBANA_OBJECTS = KIBANA_DIR / "ascolto.ndjson"

COMPONENT_TEMPLATES: dict[str, str] = {
    "mentions-settings": "mentions-settings.component.json",
    "mentions-mappings": "mentions-mappings.component.json",
}
INDEX_TEMPLATES: dict[str, str] = {
    "mentions": "mentions.index-template.json",
    "alerts": "alerts.index-template.json",
    "reply-links": "reply-links.index-template.json",
    "incidents": "incidents.index-template.json",
}


def _fill(value: Any, prefix: str) -> Any:
    if isinstance(value, str):
        return value.replace("{prefix}", prefix)
    if isinstance(value, list):
        return [_fill(v, prefix) for v in value]
    if isinstance(value, dict):
        return {_fill(k, prefix): _fill(v, prefix) for k, v in value.items()}
    return value


def load(filename: str, prefix: str = "ascolto") -> dict[str, Any]:
    """One template file as a dict, with `{prefix}` replaced in names and patterns."""
    return _fill(json.loads((HERE / filename).read_text(encoding="utf-8")), prefix)


def mention_properties() -> dict[str, Any]:
    """The mentions mapping's top-level properties (what Kibana objects may reference)."""
    return load(COMPONENT_TEMPLATES["mentions-mappings"])["template"]["mappings"]["properties"]
