"""Parse the CLI's time arguments: ``--end`` as RFC 3339 or Unix seconds, ``--listen`` host:port."""

from __future__ import annotations

import math
from datetime import UTC, datetime

__all__ = ["parse_time", "parse_listen"]


def parse_time(raw: str) -> float:
    """Return Unix seconds from '1732800000', '1732800000.5' or '2026-11-28T20:00:00Z'."""
    text = raw.strip()
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"expected a Unix time or RFC 3339 timestamp, got {raw!r}")
        return value
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"expected a Unix time or RFC 3339 timestamp such as 2026-11-28T20:00:00Z, got {raw!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def parse_listen(raw: str) -> tuple[str, int]:
    """Return (host, port) from 'host:port'."""
    host, sep, port = raw.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected HOST:PORT such as 127.0.0.1:9103, got {raw!r}")
    return host.strip("[]"), int(port)
