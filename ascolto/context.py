"""What most commands share: the --config option, loading it (exit 2 on error), opening the store, and the
directories of the data folder that the stages are given. Heavy modules are imported on use: `--help` stays quick."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ascolto.paths import data_dir, default_store, state_dir

if TYPE_CHECKING:
    from core.config import Config
    from ingest import Ingestor
    from storage import MentionStore

EXIT_CONFIG = 2


def add_config_argument(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    parser.add_argument(
        "--config", "-c", required=required, metavar="FILE",
        help="YAML configuration (default: $ASCOLTO_HOME/config.yaml if present)",
    )


def config_path(args: argparse.Namespace) -> Path | None:
    if getattr(args, "config", None):
        return Path(args.config)
    fallback = data_dir() / "config.yaml"
    return fallback if fallback.exists() else None


def load_config_or_exit(args: argparse.Namespace) -> Config:
    """Validate before anything is written; a bad config exits with status 2 and a message naming file and key."""
    from alerts.options import check_rule_options
    from core.config import ConfigError
    from ingest.brands import load_checked_config

    path = config_path(args)
    if path is None:
        print("ascolto: no configuration: pass --config FILE (see config/example.yaml)", file=sys.stderr)
        raise SystemExit(EXIT_CONFIG)
    try:
        config = load_checked_config(path)
        check_rule_options(config, str(path))
        return config
    except ConfigError as exc:
        print(f"ascolto: invalid configuration\n{exc}", file=sys.stderr)
        raise SystemExit(EXIT_CONFIG) from None


def store_location(args: argparse.Namespace, config: Config | None = None) -> str:
    return getattr(args, "store", None) or (config.store if config and config.store else None) or default_store()


def open_store_at(location: str | Path) -> MentionStore:
    """The store at `location`, spooling to $ASCOLTO_HOME/spool while an Elasticsearch server is down."""
    from storage import open_store

    return open_store(location, spool_dir=state_dir("spool"))


def open_store_for(args: argparse.Namespace, config: Config | None = None, *, reading: bool = False) -> MentionStore:
    """The store the command names. `reading` (commands that only look, such as `incidents`): with no store
    named and no default store yet, the demo's store when there is one, so that `ascolto demo` followed by
    `ascolto incidents list` shows the demo's incidents. Never used to create a store."""
    location = store_location(args, config)
    if reading and location == default_store() and not Path(location).exists():
        demo = data_dir() / "demo" / "mentions.sqlite3"
        if demo.exists():
            print(f"ascolto: no store at {location}; reading the demo's ({demo})", file=sys.stderr)
            location = str(demo)
    return open_store_at(location)


def ingestor_for(store: MentionStore, config: Config | None, **options: object) -> Ingestor:
    """An Ingestor that keeps its rejects in $ASCOLTO_HOME/rejects."""
    from ingest import Ingestor

    return Ingestor(store, config, rejects_dir=state_dir("rejects"), **options)  # type: ignore[arg-type]
