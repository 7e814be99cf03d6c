"""argparse value types shared by the commands: a bad value is a usage error (exit 2) naming the option, not a
traceback. Only the standard library and core.timebuckets' pattern are used here, so `--help` stays quick."""

from __future__ import annotations

import argparse


def interval(value: str) -> str:
    """An interval such as 30s, 5m, 1h, 1d or 1w (core.timebuckets.parse_interval's forms)."""
    from core.timebuckets import parse_interval

    try:
        parse_interval(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not number > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0: {value!r}")
    return number


def _whole_number(value: str, minimum: int, maximum: int | None, what: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not {what}: {value!r}") from None
    if number < minimum or (maximum is not None and number > maximum):
        bounds = f"{minimum}-{maximum}" if maximum is not None else f"{minimum} or more"
        raise argparse.ArgumentTypeError(f"not {what} ({bounds}): {value!r}")
    return number


def positive_int(value: str) -> int:
    return _whole_number(value, 1, None, "a whole number")


def non_negative_int(value: str) -> int:
    return _whole_number(value, 0, None, "a whole number")


def port(value: str) -> int:
    """A TCP port, 0 to 65535 (0: any free one)."""
    return _whole_number(value, 0, 65535, "a port number")
