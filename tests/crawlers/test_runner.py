"""`ascolto crawl` wiring: source selection and per-kind option validation happen before anything is fetched."""

from __future__ import annotations

from typing import Any

import pytest

from core.config import ConfigError, config_from_dict
from crawlers.runner import select_sources, spider_classes, validate_sources
from tests.crawlers.conftest import BRANDS, source


def _config(*sources: dict[str, Any]) -> Any:
    return config_from_dict({"brands": BRANDS, "sources": list(sources)})


def test_every_kind_has_a_spider() -> None:
    assert set(spider_classes()) == {"feed", "web", "reddit", "mastodon", "hackernews", "appstore"}


def test_unknown_sources_and_bad_options_are_configuration_errors() -> None:
    config = _config(source("a", "feed", ["http://x.example/f"]),
                     source("b", "web", ["http://x.example/"], options={"follow": ["("], "colour": "red"}),
                     source("c", "appstore", ["http://x.example/page=1/json"]))
    assert [s.name for s in select_sources(config, ["a"])] == ["a"]
    with pytest.raises(ConfigError, match="unknown source"):
        select_sources(config, ["zzz"])
    with pytest.raises(ConfigError) as problem:
        validate_sources(config.sources)
    message = str(problem.value)
    assert "sources.b.options.follow: not a regular expression" in message
    assert "sources.b.options.colour" in message and "sources.c.brands" in message
    validate_sources(select_sources(config, ["a"]))


def test_source_state_is_locked_per_run_and_survives_damage(tmp_path: Any) -> None:
    from crawlers.state import SourceState

    first, second = SourceState("s", tmp_path), SourceState("s", tmp_path)
    assert first.lock() and not second.lock()  # a second crawl of the same source stays out
    first.start_run()
    first.mark_seen(["k1"])
    first.remember_validators("http://x.example/f", '"e1"', None)
    first.finish_run(ok=False)  # interrupted: keys kept, validators not
    first.unlock()
    assert second.lock()
    again = SourceState("s", tmp_path)
    assert again.is_seen("k1") and again.validators_for("http://x.example/f") == {} and not again.complete
    (tmp_path / "s.json").write_text("{not json")
    assert not SourceState("s", tmp_path).is_seen("k1")  # a damaged state costs a re-crawl, not a crash
