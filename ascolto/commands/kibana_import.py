"""`ascolto kibana-import --url URL`: load the Kibana data view, searches and dashboard (index_mappings)."""

from __future__ import annotations

import argparse
from pathlib import Path

from index_mappings import KIBANA_OBJECTS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", required=True, help="Kibana base URL, e.g. http://127.0.0.1:5601")
    parser.add_argument("--file", type=Path, default=KIBANA_OBJECTS, help="saved objects (NDJSON) to import")
    parser.add_argument("--space", help="Kibana space id (default: the default space)")
    parser.add_argument("--index-prefix", default="ascolto",
                        help="index prefix of the Elasticsearch store (the data view targets PREFIX-mentions)")
    parser.add_argument("--api-key-env", metavar="NAME", help="environment variable holding a Kibana API key")
    parser.add_argument("--user", help="Kibana user for basic authentication")
    parser.add_argument("--password-env", metavar="NAME", help="environment variable holding that user's password")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for Kibana")


def run(args: argparse.Namespace) -> int:
    from index_mappings.kibana_import import import_saved_objects

    return import_saved_objects(args)
