"""The `options` each detector reads, and their types.

A rule's `options` were free-form: a typo, or a setting since removed from the detectors, was silently ignored and
the rule ran on defaults its author did not mean. Each detector now declares the options it reads; anything else is
a configuration error naming the rule and the key, with the keys it does take.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from alerts import volume
from core.config import Config, ConfigError
from core.timebuckets import parse_interval

# The rule's own fields set these; an option of the same name would be overridden without a word.
RULE_FIELDS = {"sensitivity": "sensitivity", "min_count": "min_count"}

_SERIES = {f.name: type(f.default) for f in fields(volume.VolumeSettings) if f.name not in RULE_FIELDS}
_COMMON = {"bucket": "interval"}  # every detector: the live bucket (alerts.detectors.live_shape)

DETECTOR_OPTIONS: dict[str, dict[str, Any]] = {
    "volume_spike": {**_COMMON, **_SERIES, "per_topic": bool, "topics": int},
    "slow_build": {**_COMMON, **_SERIES, "per_topic": bool, "topics": int},
    "negative_share": {**_COMMON, "min_shift": float},
    "viral_mention": {**_COMMON, "recent_hours": float, "min_engagement": int},
    "emerging_term": {**_COMMON, "min_term_count": int},
    "unanswered_complaint": {**_COMMON, "max_age_hours": float},
    "sla_risk": {**_COMMON, "history_hours": float, "resolve_fraction": float},
    "source_down": {"failures": int},
}


def option_problem(detector: str, key: str, value: Any) -> str | None:
    """Why `key: value` is not an option of `detector`, or None when it is one."""
    known = DETECTOR_OPTIONS.get(detector, _COMMON)
    if key in RULE_FIELDS:
        return f"{key} is a field of the rule itself: write `{RULE_FIELDS[key]}:` beside `detector:`, not in options"
    if key not in known:
        return f"unknown option for {detector} (it reads: {', '.join(sorted(known))})"
    kind = known[key]
    if kind == "interval":
        try:
            parse_interval(str(value))
        except ValueError as exc:
            return str(exc)
        return None
    if kind is bool:
        return None if isinstance(value, bool) else "expected true or false"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"expected a number, got {value!r}"
    if kind is int and not float(value).is_integer():
        return f"expected a whole number, got {value!r}"
    return None


def check_rule_options(config: Config, origin: str = "<config>") -> None:
    """Raise ConfigError listing every rule option its detector does not read or cannot take."""
    problems = [f"{origin}: alerts[{i}].options.{key}: {problem}"
                for i, rule in enumerate(config.alerts)
                for key, value in rule.options.items()
                if (problem := option_problem(rule.detector, key, value)) is not None]
    if problems:
        raise ConfigError("\n".join(problems))
