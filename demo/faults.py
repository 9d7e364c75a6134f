"""Named faults the demo service can inject, parsed into one frozen settings object.

Faults are data, not code paths: every route reads the current :class:`FaultSettings` so a fault
can be switched by flag, by ``DEMO_FAULT`` or through the loopback admin endpoint at run time.
Several faults combine with commas (``slow-db,errors``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

__all__ = ["FaultSettings", "FAULTS", "FAULT_NAMES", "FAULT_HELP", "parse_faults", "expected_finding"]


@dataclass(frozen=True, kw_only=True)
class FaultSettings:
    """What the service does wrong right now; the default does nothing wrong."""

    names: tuple[str, ...] = ("none",)
    latency_multiplier: float = 1.0          # scales every simulated model/GPU wait
    error_ratio: float = 0.0                 # share of /api requests answered 500
    db_delay_seconds: tuple[float, float] = (0.0, 0.0)  # extra time inside each DB query, uniform
    cache_enabled: bool = True               # False: every lookup misses (a cold, useless cache)
    cpu_burn: bool = False                   # one busy process per core while active
    stall_every_seconds: float = 0.0         # pause the API periodically (a stop-the-world pause on a shared lock)
    stall_seconds: float = 0.0

    def as_dict(self) -> dict:
        """Return a JSON-ready view (what the admin endpoint shows)."""
        data = dataclasses.asdict(self)
        data["names"] = list(self.names)
        data["db_delay_seconds"] = list(self.db_delay_seconds)
        return data


FAULTS: dict[str, dict] = {
    "none": {},
    "slow-db": {"db_delay_seconds": (0.15, 0.30)},
    "errors": {"error_ratio": 0.15},
    "cold-cache": {"cache_enabled": False},
    "cpu-burn": {"cpu_burn": True},
    "stall": {"stall_every_seconds": 6.0, "stall_seconds": 2.0},
    "slow-api": {"latency_multiplier": 5.0},
}
FAULT_NAMES = tuple(FAULTS)

FAULT_HELP = {
    "none": "healthy service",
    "slow-db": "every DB query takes 150-300 ms longer",
    "errors": "15% of API requests fail with HTTP 500",
    "cold-cache": "the user cache is disabled, every lookup misses",
    "cpu-burn": "one busy process per core burns the host CPU",
    "stall": "every 6 s the API pauses for 2 s (requests wait)",
    "slow-api": "model latency x5 (API p95 well past 1 s)",
}

# What the analyzer should show for each fault (what `demo.run --check` expects): the category of
# the top finding, or, for latency faults, a failing objective (on a busy host a CPU finding may
# legitimately rank above the latency one).
_EXPECTED = {
    "slow-db": ("top", "database"), "cold-cache": ("top", "caching"), "cpu-burn": ("top", "infrastructure"),
    "errors": ("top", "api"), "stall": ("fails", "api_latency_p95"), "slow-api": ("fails", "api_latency_p95"),
}


def parse_faults(spec: str | None, latency_multiplier: float | None = None) -> FaultSettings:
    """Return the settings for a comma-separated list of fault names.

    ``latency_multiplier`` (when given) overrides the one implied by the faults. Raises
    ``ValueError`` naming the unknown fault and the known ones.
    """
    names = [n.strip() for n in (spec or "none").split(",") if n.strip()] or ["none"]
    merged: dict = {}
    for name in names:
        if name not in FAULTS:
            raise ValueError(f"unknown fault {name!r} (known: {', '.join(FAULT_NAMES)})")
        merged.update(FAULTS[name])
    if latency_multiplier is not None:
        if not latency_multiplier > 0:
            raise ValueError(f"latency multiplier must be greater than zero, got {latency_multiplier}")
        merged["latency_multiplier"] = float(latency_multiplier)
    active = tuple(n for n in dict.fromkeys(names) if n != "none") or ("none",)
    return FaultSettings(names=active, **merged)


def expected_finding(settings: FaultSettings) -> tuple[str, str] | None:
    """Return what the analyzer should show: ("top", category) or ("fails", objective id); None if healthy."""
    for name in settings.names:
        if name in _EXPECTED:
            return _EXPECTED[name]
    return None
