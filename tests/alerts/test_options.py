"""A rule's `options` name only what its detector reads: a typo or a removed setting is a configuration error."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from alerts.options import DETECTOR_OPTIONS, check_rule_options, option_problem
from core.config import ConfigError, config_from_dict, load_config

REPO = Path(__file__).resolve().parents[2]


def config_with(detector: str, options: dict) -> dict:
    return {"brands": [{"name": "Velora"}],
            "alerts": [{"name": "r", "detector": detector, "brand": "Velora", "options": options}]}


def test_every_option_a_detector_reads_is_declared() -> None:
    read = set()
    for module in ("alerts/detectors.py", "alerts/sla.py", "alerts/replay.py", "alerts/engine.py"):
        source = (REPO / module).read_text()
        read |= set(re.findall(r"options\.get\(\"(\w+)\"", source))
        read |= set(re.findall(r"options\[\"(\w+)\"\]", source))
        read |= set(re.findall(r"\"(\w+)\" in rule\.options", source))
    declared = set().union(*DETECTOR_OPTIONS.values())
    assert read <= declared, read - declared


def test_unknown_and_removed_keys_are_errors_naming_rule_and_key() -> None:
    config = config_from_dict(config_with("volume_spike", {"persistence": 2, "rise_ratio": 1.5, "level_hours": 6}))
    with pytest.raises(ConfigError) as exc:
        check_rule_options(config, "a.yaml")
    lines = str(exc.value).splitlines()
    assert len(lines) == 2  # level_hours is a real setting
    assert lines[0].startswith("a.yaml: alerts[0].options.persistence: unknown option for volume_spike (it reads:")
    assert "level_hours" in lines[0]


@pytest.mark.parametrize(("detector", "key", "value", "problem"), [
    ("volume_spike", "sensitivity", 4, "field of the rule itself"),
    ("volume_spike", "per_topic", "yes", "true or false"),
    ("volume_spike", "topics", 2.5, "whole number"),
    ("viral_mention", "recent_hours", "48h", "a number"),
    ("negative_share", "bucket", "5 minutes", "bad interval"),
    ("negative_share", "level_hours", 3, "unknown option for negative_share"),
])
def test_bad_values_say_why(detector: str, key: str, value: object, problem: str) -> None:
    assert problem in (option_problem(detector, key, value) or "")


def test_good_options_pass() -> None:
    check_rule_options(config_from_dict(config_with("volume_spike", {"per_topic": True, "topics": 4, "bucket": "5m",
                                                                     "level_hours": 6, "rearm_hours": 12.0})))
    check_rule_options(load_config(REPO / "config" / "example.yaml"))


def test_the_cli_refuses_a_rule_with_a_mistyped_option(tmp_path: Path) -> None:
    path = tmp_path / "ascolto.yaml"
    path.write_text("brands: [{name: Velora}]\n"
                    "alerts: [{name: spike, detector: volume_spike, options: {sensitivty: 4}}]\n")
    done = subprocess.run([sys.executable, "-m", "ascolto", "--store", str(tmp_path / "s.db"), "backtest", "--rule",
                           "spike", "--config", str(path)], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done.stderr
    assert "alerts[0].options.sensitivty: unknown option for volume_spike" in done.stderr
