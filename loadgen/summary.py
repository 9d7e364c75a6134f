"""Fold interval records into totals and summarise them: the numbers every report shows.

:class:`Totals` is an accumulator fed one (merged) record at a time — by the live view during a
run and by the report builder after it — so both compute the same figures the same way.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hdrh.histogram import HdrHistogram

from loadgen.stats import (
    LAG_BUCKETS,
    LATENCY_BUCKETS,
    mean_value,
    new_histogram,
    parse_count_key,
    value_at_percentiles,
)

__all__ = ["EndpointTotals", "Totals", "latency_ms", "interval_row", "PERCENTILES"]

PERCENTILES = {"p50": 50.0, "p90": 90.0, "p95": 95.0, "p99": 99.0, "p999": 99.9}


def latency_ms(hist: HdrHistogram) -> dict[str, float | None]:
    """Return mean, percentiles and max of a microsecond histogram, in milliseconds."""
    if hist.get_total_count() == 0:
        return {"mean": None, **{k: None for k in PERCENTILES}, "max": None}
    values = value_at_percentiles(hist, list(PERCENTILES.values()))
    out: dict[str, float | None] = {"mean": round(mean_value(hist) / 1000.0, 3)}
    for key, pct in PERCENTILES.items():
        out[key] = round(values[pct] / 1000.0, 3)
    out["max"] = round(hist.get_max_value() / 1000.0, 3)
    return out


class EndpointTotals:
    """Everything measured for one endpoint (or for all of them) so far."""

    def __init__(self, method: str = "") -> None:
        self.method = method
        self.corrected = new_histogram()
        self.uncorrected = new_histogram()
        self.counts: Counter[str] = Counter()
        self.buckets = [0] * (len(LATENCY_BUCKETS) + 1)
        self.sum = 0.0

    def add(self, part: dict[str, Any]) -> None:
        """Add one endpoint entry of a record."""
        # decode straight into the accumulators: no temporary 180 kB histogram per record
        if part["corrected"]:
            self.corrected.decode_and_add(part["corrected"])
        uncorrected = part["uncorrected"] if part["uncorrected"] is not None else part["corrected"]
        if uncorrected:
            self.uncorrected.decode_and_add(uncorrected)
        self.counts.update(part["counts"])
        self.buckets = [x + y for x, y in zip(self.buckets, part["buckets"], strict=True)]
        self.sum += part["sum"]

    def counts_by_outcome(self, outcome: str) -> int:
        """Return how many requests ended with ``outcome``."""
        return sum(n for key, n in self.counts.items() if parse_count_key(key)[1] == outcome)

    @property
    def requests(self) -> int:
        return sum(self.counts.values())

    def by(self, position: int) -> dict[str, int]:
        """Return counts grouped by status (0), outcome (1) or error class (2)."""
        grouped: Counter[str] = Counter()
        for key, n in self.counts.items():
            value = parse_count_key(key)[position]
            if value:
                grouped[value] += n
        return dict(sorted(grouped.items()))

    def summary(self, duration: float) -> dict[str, Any]:
        """Return the report shape: counts, rates and corrected/uncorrected latency."""
        requests = self.requests
        outcomes = self.by(1)
        status = self.by(0)
        failures = requests - outcomes.get("success", 0)
        timeouts = outcomes.get("timeout", 0) + status.get("504", 0)
        return {
            "requests": requests,
            "failures": failures,
            "error_rate": round(failures / requests, 6) if requests else 0.0,
            "timeout_rate": round(timeouts / requests, 6) if requests else 0.0,
            "rps": round(requests / duration, 3) if duration > 0 else 0.0,
            "latency_ms": latency_ms(self.corrected),
            "latency_uncorrected_ms": latency_ms(self.uncorrected),
            "outcomes": outcomes,
            "status": status,
            "errors": self.by(2),
        }


class Totals:
    """Cumulative state of a run, folded from merged interval records."""

    def __init__(self) -> None:
        self.endpoints: dict[str, EndpointTotals] = {}
        self.all = EndpointTotals()
        self.lag = new_histogram()
        self.lag_buckets = [0] * (len(LAG_BUCKETS) + 1)
        self.lag_sum = 0.0
        self.dropped = 0
        self.cpu_seconds = 0.0
        self.elapsed = 0.0
        self.last: dict[str, Any] | None = None

    def add(self, record: dict[str, Any]) -> None:
        """Fold one merged record (all workers of one interval) into the totals."""
        for name, part in record["endpoints"].items():
            ep = self.endpoints.get(name)
            if ep is None:
                ep = self.endpoints[name] = EndpointTotals(part["method"])
            ep.add(part)
            self.all.add(part)
        if record["lag"]:
            self.lag.decode_and_add(record["lag"])
        self.lag_buckets = [x + y for x, y in zip(self.lag_buckets, record["lag_buckets"], strict=True)]
        self.lag_sum += record["lag_sum"]
        self.dropped += record["dropped"]
        self.cpu_seconds += record["cpu_seconds"]
        self.elapsed = max(self.elapsed, record["start"] + record["length"])
        self.last = record

    def generator(self, lag_limit_seconds: float, workers: int) -> dict[str, Any]:
        """Return the ``generator`` section: schedule lag, drops, saturation and CPU use."""
        lag = latency_ms(self.lag)
        p99 = lag["p99"]
        return {
            "schedule_lag_ms": lag,
            "schedule_lag_limit_ms": round(lag_limit_seconds * 1000.0, 3),
            "dropped": self.dropped,
            "saturated": bool(p99 is not None and p99 > lag_limit_seconds * 1000.0),
            "cpu_percent": round(100.0 * self.cpu_seconds / self.elapsed, 1) if self.elapsed > 0 else 0.0,
            "workers": workers,
        }


def interval_row(record: dict[str, Any], scratch: HdrHistogram | None = None) -> dict[str, Any]:
    """Return one ``intervals`` entry (t, rps, p50/p95/p99 ms, errors, users, target rate).

    ``scratch`` is a histogram to reuse (it is reset) instead of allocating one per call.
    """
    if scratch is not None:
        scratch.reset()
    hist = scratch if scratch is not None else new_histogram()
    requests = errors = 0
    for part in record["endpoints"].values():
        hist.decode_and_add(part["corrected"]) if part["corrected"] else None
        for key, n in part["counts"].items():
            requests += n
            if parse_count_key(key)[1] != "success":
                errors += n
    lat = latency_ms(hist)
    length = record["length"] or 1.0
    return {
        "t": record["start"], "rps": round(requests / length, 3), "p50": lat["p50"], "p95": lat["p95"],
        "p99": lat["p99"], "errors": errors, "requests": requests, "users": record["users"],
        "target_rate": round(record["target_rate"], 3), "stage": record["stage"], "in_flight": record["in_flight"],
        "dropped": record["dropped"],
    }
