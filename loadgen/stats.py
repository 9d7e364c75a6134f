"""Per-interval recording: the mergeable result record that every other part consumes.

The :class:`Recorder` is on the hot path (one :meth:`Recorder.record` per request): it touches
pre-allocated HdrHistograms and counters only. Once per interval it emits a plain, JSON-ready
*record* (histograms encoded) — the contract between workers, the live view, metrics, reports and
``merge``. Records for the same interval from different workers or runs merge exactly.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import accumulate
from operator import mul
from typing import Any

from hdrh.histogram import HdrHistogram

__all__ = ["LATENCY_BUCKETS", "LAG_BUCKETS", "new_histogram", "decode", "Recorder", "merge_records",
           "count_key", "parse_count_key", "HIGHEST_US", "value_at_percentiles", "mean_value",
           "encode_record", "HistogramPool"]

# Bucket edges of the Prometheus histograms; the same edges as the app's, so 0.1 and 1.0 s line up.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LAG_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
HIGHEST_US = 3_600_000_000  # one hour in microseconds: nothing we time is longer
_SIGNIFICANT_FIGURES = 3


def new_histogram() -> HdrHistogram:
    """Return an empty microsecond histogram (1 µs to 1 h, 3 significant figures)."""
    return HdrHistogram(1, HIGHEST_US, _SIGNIFICANT_FIGURES)


def value_at_percentiles(hist: HdrHistogram, percentiles: Sequence[float]) -> dict[float, int]:
    """Return ``{percentile: value}`` like ``get_value_at_percentile`` in one C-speed pass.

    hdrhistogram's own percentile methods walk every bucket in Python (tens of ms per call); a
    cumulative sum over the counts array plus a bisect per percentile gives the same values.
    """
    total = hist.get_total_count()
    if total == 0:
        return dict.fromkeys(percentiles, 0)
    cumulative = list(accumulate(hist.counts[: hist.counts_len]))
    out = {}
    for pct in percentiles:
        target = max(int(min(pct, 100.0) * total / 100 + 0.5), 1)
        index = bisect_left(cumulative, target)
        out[pct] = hist.get_highest_equivalent_value(hist.get_value_from_index(min(index, hist.counts_len - 1)))
    return out


@lru_cache(maxsize=4)
def _midpoints(lowest: int, highest: int, figures: int) -> tuple[int, ...]:
    """Return the midpoint value of every bucket index of a histogram layout (computed once)."""
    hist = HdrHistogram(lowest, highest, figures)
    return tuple(hist._hdr_median_equiv_value(hist.get_value_from_index(i)) for i in range(hist.counts_len))


def mean_value(hist: HdrHistogram) -> float:
    """Return the mean like ``get_mean_value`` (the library's midpoint rule) at C speed."""
    total = hist.get_total_count()
    if total == 0:
        return 0.0
    mids = _midpoints(hist.lowest_trackable_value, hist.highest_trackable_value, hist.significant_figures)
    return sum(map(mul, hist.counts[: hist.counts_len], mids)) / total


def decode(encoded: str | None) -> HdrHistogram:
    """Return the histogram encoded in a record (an empty one for ``None``)."""
    if not encoded:
        return new_histogram()
    hist = new_histogram()
    hist.decode_and_add(encoded)
    return hist


def _encode(hist: HdrHistogram) -> str | None:
    if hist.get_total_count() == 0:
        return None
    encoded = hist.encode()
    return encoded.decode("ascii") if isinstance(encoded, bytes) else encoded


def count_key(status: int, outcome: str, error_class: str | None) -> str:
    """Return the record key ``"status|outcome|error_class"`` of one kind of result."""
    return f"{status}|{outcome}|{error_class or ''}"


def parse_count_key(key: str) -> tuple[str, str, str]:
    """Split a count key into (status, outcome, error_class) strings."""
    status, outcome, error_class = key.split("|", 2)
    return status, outcome, error_class


class HistogramPool:
    """Recycle interval histograms so a long run allocates a fixed handful, not one set per interval.

    Freshly allocated 180 kB count arrays every second fragment the heap and make RSS creep; the
    recorder takes from the pool and :func:`encode_record` gives them back once encoded (from
    another thread: deque append/pop are atomic).
    """

    def __init__(self) -> None:
        self._free: deque[HdrHistogram] = deque()

    def get(self) -> HdrHistogram:
        try:
            return self._free.pop()
        except IndexError:
            return new_histogram()

    def put(self, hist: HdrHistogram) -> None:
        hist.reset()
        self._free.append(hist)


class _Writer:
    """Record microsecond values into one HdrHistogram with the index maths inlined.

    ``HdrHistogram.record_value`` costs ~1.1 µs in pure Python; the same bucket index from
    ``int.bit_length`` costs a third of that. Totals, min and max are kept here and written back
    by :meth:`finish`, so the histogram is exactly what ``record_value`` would have produced.
    """

    __slots__ = ("hist", "counts", "total", "low", "high", "_mask", "_shift", "_half_mag", "_half")

    def __init__(self, hist: HdrHistogram) -> None:
        if hist.unit_magnitude != 0:
            raise ValueError("_Writer needs a histogram whose lowest trackable value is 1")
        self.hist, self.counts = hist, hist.counts
        self.total, self.low, self.high = 0, HIGHEST_US + 1, 0
        self._mask, self._half_mag, self._half = hist.sub_bucket_mask, hist.sub_bucket_half_count_magnitude, hist.sub_bucket_half_count
        self._shift = self._half_mag + 1

    def add(self, us: int) -> None:
        """Record ``us`` (already clamped to 1..HIGHEST_US)."""
        bucket = (us | self._mask).bit_length() - self._shift
        self.counts[((bucket + 1) << self._half_mag) + (us >> bucket) - self._half] += 1
        self.total += 1
        if us > self.high:
            self.high = us
        if us < self.low:
            self.low = us

    def finish(self) -> HdrHistogram:
        """Write count, min and max into the histogram and return it."""
        hist = self.hist
        if self.total:
            hist.total_count += self.total
            hist.min_value = min(hist.min_value, self.low)
            hist.max_value = max(hist.max_value, self.high)
            self.total, self.low, self.high = 0, HIGHEST_US + 1, 0
        return hist


class _Interval:
    """One endpoint's measurements within the current interval."""

    __slots__ = ("corrected", "uncorrected", "buckets", "sum", "counts")

    def __init__(self, open_model: bool, pool: HistogramPool) -> None:
        self.corrected = _Writer(pool.get())
        self.uncorrected = _Writer(pool.get()) if open_model else self.corrected
        self.buckets = [0] * (len(LATENCY_BUCKETS) + 1)
        self.sum = 0.0
        self.counts: dict[tuple[int, str, str | None], int] = {}


class Recorder:
    """Accumulate one interval of results for a fixed list of endpoints.

    ``endpoints`` is a sequence of (name, method); requests are recorded by endpoint index.
    In the closed model the corrected and uncorrected latency are the same value, recorded once.
    """

    def __init__(self, endpoints: Sequence[tuple[str, str]], *, open_model: bool,
                 pool: HistogramPool | None = None) -> None:
        self._pool = pool or HistogramPool()
        self._endpoints = list(endpoints)
        self._open_model = open_model
        self._current = [_Interval(open_model, self._pool) for _ in self._endpoints]
        self._lag = _Writer(self._pool.get())
        self._lag_buckets = [0] * (len(LAG_BUCKETS) + 1)
        self._lag_sum = 0.0
        self.dropped = 0

    def record(self, index: int, status: int, outcome: str, error_class: str | None,
               latency: float, uncorrected: float) -> None:
        """Record one finished request (latencies in seconds)."""
        cur = self._current[index]
        us = int(latency * 1e6)
        cur.corrected.add(1 if us < 1 else (HIGHEST_US if us > HIGHEST_US else us))
        if self._open_model:
            us = int(uncorrected * 1e6)
            cur.uncorrected.add(1 if us < 1 else (HIGHEST_US if us > HIGHEST_US else us))
        cur.buckets[bisect_left(LATENCY_BUCKETS, latency)] += 1
        cur.sum += latency
        key = (status, outcome, error_class)
        counts = cur.counts
        counts[key] = counts.get(key, 0) + 1

    def record_lag(self, lag: float) -> None:
        """Record how late (seconds) the generator started a request after its intended time."""
        if lag < 0:
            lag = 0.0
        us = int(lag * 1e6)
        self._lag.add(1 if us < 1 else (HIGHEST_US if us > HIGHEST_US else us))
        self._lag_buckets[bisect_left(LAG_BUCKETS, lag)] += 1
        self._lag_sum += lag

    def drop(self) -> None:
        """Count one request the open model could not start because the in-flight cap was reached."""
        self.dropped += 1

    def close_interval(self, *, t: int, start: float, length: float, users: float, target_rate: float,
                       in_flight: int, stage: int, cpu_seconds: float, encode: bool = True) -> dict[str, Any]:
        """Return the record of the interval just finished and start a new one.

        With ``encode=False`` the histograms stay live objects, so the (millisecond-long) encoding
        can run off the event loop with :func:`encode_record`.
        """
        enc = _encode if encode else _keep
        endpoints: dict[str, Any] = {}
        for (name, method), cur in zip(self._endpoints, self._current, strict=True):
            if not cur.counts:
                continue
            endpoints[name] = {
                "method": method,
                "corrected": enc(cur.corrected.finish()),
                "uncorrected": enc(cur.uncorrected.finish()) if self._open_model else None,
                "buckets": cur.buckets,
                "sum": cur.sum,
                "counts": {count_key(s, str(o), e): n for (s, o, e), n in cur.counts.items()},
            }
        lag = self._lag.finish()
        record = {
            "t": t, "start": round(start, 6), "length": round(length, 6), "users": users,
            "target_rate": target_rate, "in_flight": in_flight, "dropped": self.dropped, "stage": stage,
            "cpu_seconds": round(cpu_seconds, 6), "lag": enc(lag) if lag.get_total_count() else None,
            "lag_buckets": self._lag_buckets, "lag_sum": self._lag_sum, "endpoints": endpoints,
        }
        # untouched intervals stay (empty) for the next one; only handed-out histograms are replaced
        self._current = [_Interval(self._open_model, self._pool) if cur.counts else cur for cur in self._current]
        if record["lag"] is not None:
            self._lag = _Writer(self._pool.get())
        self._lag_buckets = [0] * (len(LAG_BUCKETS) + 1)
        self._lag_sum = 0.0
        self.dropped = 0
        return record


def _keep(hist: HdrHistogram) -> HdrHistogram:
    return hist


def encode_record(record: dict[str, Any], pool: HistogramPool | None = None) -> dict[str, Any]:
    """Return ``record`` with every live histogram encoded (a no-op for encoded records).

    Live histograms go back to ``pool`` afterwards; the record must not be used for them again.
    """
    done: dict[int, str | None] = {}

    def enc(value: Any) -> str | None:
        if not isinstance(value, HdrHistogram):
            return value
        if id(value) not in done:  # closed model: corrected and uncorrected are one object
            done[id(value)] = _encode(value)
            if pool is not None:
                pool.put(value)
        return done[id(value)]

    endpoints = {name: {**ep, "corrected": enc(ep["corrected"]),
                        "uncorrected": None if ep["uncorrected"] is None else enc(ep["uncorrected"])}
                 for name, ep in record["endpoints"].items()}
    return {**record, "lag": enc(record["lag"]), "endpoints": endpoints}


def _merge_encoded(a: str | None, b: str | None) -> str | None:
    if not a or not b:
        return a or b
    hist = decode(a)
    hist.decode_and_add(b)
    return _encode(hist)


def _add_lists(a: list[int], b: list[int]) -> list[int]:
    return [x + y for x, y in zip(a, b, strict=True)]


def _merge_endpoint(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    counts = dict(a["counts"])
    for key, n in b["counts"].items():
        counts[key] = counts.get(key, 0) + n
    a_unc = a["uncorrected"] if a["uncorrected"] is not None else a["corrected"]
    b_unc = b["uncorrected"] if b["uncorrected"] is not None else b["corrected"]
    both_closed = a["uncorrected"] is None and b["uncorrected"] is None
    return {
        "method": a["method"], "corrected": _merge_encoded(a["corrected"], b["corrected"]),
        "uncorrected": None if both_closed else _merge_encoded(a_unc, b_unc),
        "buckets": _add_lists(a["buckets"], b["buckets"]), "sum": a["sum"] + b["sum"], "counts": counts,
    }


def merge_records(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Merge records of the same interval (from concurrent workers or runs) into one, exactly."""
    merged: dict[str, Any] | None = None
    for rec in records:
        if merged is None:
            merged = {**rec, "endpoints": dict(rec["endpoints"])}
            continue
        for key in ("users", "target_rate", "in_flight", "dropped"):
            merged[key] = merged[key] + rec[key]
        merged["cpu_seconds"] = round(merged["cpu_seconds"] + rec["cpu_seconds"], 6)
        merged["length"] = max(merged["length"], rec["length"])
        merged["stage"] = max(merged["stage"], rec["stage"])
        merged["lag"] = _merge_encoded(merged["lag"], rec["lag"])
        merged["lag_buckets"] = _add_lists(merged["lag_buckets"], rec["lag_buckets"])
        merged["lag_sum"] = merged["lag_sum"] + rec["lag_sum"]
        for name, ep in rec["endpoints"].items():
            have = merged["endpoints"].get(name)
            merged["endpoints"][name] = ep if have is None else _merge_endpoint(have, ep)
    if merged is None:
        raise ValueError("no records to merge")
    return merged
