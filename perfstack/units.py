"""Parse human-written quantities into base units.

Pure functions: each takes the raw YAML/CLI value and returns a float in base units
(seconds, bytes, bytes per second, ratio 0-1) or raises ``ValueError`` whose text says
what was expected. Decimal prefixes follow SI: ``MB`` is 10^6 bytes, ``MiB`` is 2^20.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

__all__ = ["parse_duration", "parse_ratio", "parse_bytes", "parse_byte_rate", "parse_rate", "format_duration"]

_DURATION_UNITS = {"us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_BYTE_UNITS = {
    "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
}
_NUMBER = r"([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"
_DURATION_PART = re.compile(_NUMBER + r"\s*(us|µs|ms|s|m|h|d)")


def _finite_non_negative(value: float, expected: str) -> float:
    if isinstance(value, bool) or not math.isfinite(value) or value < 0:
        raise ValueError(f"expected {expected}")
    return float(value)


def parse_duration(raw: object) -> float:
    """Return seconds from '500ms', '1s', '1m30s', '2h' or '1d'.

    Bare numbers are refused: '1000' could mean ms or s, and a silent factor of 1000 in a
    latency threshold is the worst kind of misconfiguration.
    """
    expected = "a duration such as '500ms', '1s', '5m' or '1h30m'"
    if not isinstance(raw, str):
        raise ValueError(f"expected {expected}")
    text = raw.strip()
    pos, total, parts = 0, 0.0, 0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            raise ValueError(f"expected {expected}")
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        pos, parts = match.end(), parts + 1
    if parts == 0 or pos != len(text):
        raise ValueError(f"expected {expected}")
    return _finite_non_negative(total, expected)


def parse_ratio(raw: object) -> float:
    """Return a ratio in [0, 1] from '80%' or a plain number between 0 and 1."""
    expected = "a ratio such as '80%' or 0.8 (between 0 and 1)"
    if isinstance(raw, str):
        text = raw.strip()
        if not text.endswith("%"):
            raise ValueError(f"expected {expected}")
        try:
            # Decimal, so '99.9%' is exactly 0.999 (99.9 / 100 in binary floats is 0.9990000000000001).
            value = float(Decimal(text[:-1].strip()) / 100)
        except (ArithmeticError, ValueError):
            raise ValueError(f"expected {expected}") from None
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        value = float(raw)
    else:
        raise ValueError(f"expected {expected}")
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise ValueError(f"expected {expected}")
    return value


def parse_bytes(raw: object) -> float:
    """Return bytes from '50MB', '1GiB' or a plain integer count of bytes."""
    expected = "a size such as '512MB' or '1GiB' (MB = 10^6 bytes)"
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return _finite_non_negative(float(raw), expected)
    if not isinstance(raw, str):
        raise ValueError(f"expected {expected}")
    match = re.fullmatch(_NUMBER + r"\s*([a-zA-Z]+)", raw.strip())
    if not match or match.group(2).lower() not in _BYTE_UNITS:
        raise ValueError(f"expected {expected}")
    return _finite_non_negative(float(match.group(1)) * _BYTE_UNITS[match.group(2).lower()], expected)


def parse_byte_rate(raw: object) -> float:
    """Return bytes per second from '50MB/s' (MB = 10^6 bytes)."""
    expected = "a byte rate such as '50MB/s' (MB = 10^6 bytes)"
    if not isinstance(raw, str) or not raw.strip().endswith("/s"):
        raise ValueError(f"expected {expected}")
    try:
        return parse_bytes(raw.strip()[:-2])
    except ValueError:
        raise ValueError(f"expected {expected}") from None


def parse_rate(raw: object) -> float:
    """Return events per second from 5, 0.5 or '5/s'."""
    expected = "a rate in requests per second such as 5 or '5/s'"
    if isinstance(raw, str) and raw.strip().endswith("/s"):
        raw = raw.strip()[:-2]
        try:
            raw = float(raw)
        except ValueError:
            raise ValueError(f"expected {expected}") from None
    if not isinstance(raw, (int, float)) or isinstance(raw, bool):
        raise ValueError(f"expected {expected}")
    return _finite_non_negative(float(raw), expected)


def format_duration(seconds: float) -> str:
    """Return a Prometheus duration ('90s', '5m', '1h', '250ms') for a number of seconds."""
    if seconds <= 0:
        return "0s"
    ms = round(seconds * 1000)
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"
