"""Interval records: what the recorder captures, and exact merging of records and reports."""

import random

from loadgen.merge import merge_reports
from loadgen.report import build_report
from loadgen.stats import Recorder, decode, merge_records
from loadgen.summary import Totals

RUN = {"id": "r", "profile": "basic", "base_url": "http://x", "start": "s", "end": "e",
       "config": {"model": "open", "stages": [[2.0, 10.0]], "workers": 1, "thresholds": ["p95<1s"],
                  "schedule_lag_limit_seconds": 0.01}}


def _records(seed: int, n: int) -> tuple[list[dict], list[float]]:
    rng = random.Random(seed)
    rec = Recorder([("a", "GET"), ("b", "POST")], open_model=True)
    latencies = []
    out = []
    for t in range(2):
        for _ in range(n):
            lat = rng.uniform(0.001, 2.0)
            latencies.append(lat)
            rec.record(rng.randrange(2), 200 if lat < 1.5 else 503, "success" if lat < 1.5 else "http_error",
                       None, lat, lat / 2)
            rec.record_lag(rng.uniform(0, 0.002))
        rec.drop()
        out.append(rec.close_interval(t=t, start=float(t), length=1.0, users=0, target_rate=10.0, in_flight=0,
                                      stage=1, cpu_seconds=0.1))
    return out, latencies


def test_record_counts_buckets_and_histograms():
    records, latencies = _records(1, 500)
    totals = Totals()
    for r in records:
        totals.add(r)
    assert totals.all.requests == 1000 == totals.all.corrected.get_total_count()
    assert totals.all.by(0)["503"] == sum(1 for x in latencies if x >= 1.5)
    assert totals.all.buckets[-1] == 0 and sum(totals.all.buckets) == 1000
    le_01 = sum(totals.all.buckets[:5])  # edges .005,.01,.025,.05,.1
    assert le_01 == sum(1 for x in latencies if x <= 0.1)
    assert totals.dropped == 2
    # uncorrected was recorded separately (half the corrected latency here)
    assert totals.all.uncorrected.get_max_value() < totals.all.corrected.get_max_value() * 0.6


def test_merge_records_is_exact():
    a, _ = _records(1, 300)
    b, _ = _records(2, 200)
    merged = merge_records([a[0], b[0]])
    hist = decode(a[0]["endpoints"]["a"]["corrected"])
    hist.add(decode(b[0]["endpoints"]["a"]["corrected"]))
    got = decode(merged["endpoints"]["a"]["corrected"])
    assert got.get_total_count() == hist.get_total_count()
    assert [got.get_value_at_percentile(p) for p in (50, 99, 100)] == [hist.get_value_at_percentile(p) for p in (50, 99, 100)]
    assert merged["dropped"] == 2 and merged["target_rate"] == 20.0


def test_merged_report_equals_report_of_all_records():
    a, _ = _records(1, 300)
    b, _ = _records(2, 200)
    ra, rb = build_report({**RUN, "id": "a"}, a), build_report({**RUN, "id": "b"}, b)
    merged = merge_reports([ra, rb])
    direct = build_report(RUN, [merge_records([x, y]) for x, y in zip(a, b, strict=True)])
    assert merged["summary"]["requests"] == ra["summary"]["requests"] + rb["summary"]["requests"] == 1000
    assert merged["summary"]["latency_ms"] == direct["summary"]["latency_ms"]
    assert merged["endpoints"]["b"]["status"] == direct["endpoints"]["b"]["status"]
    assert merged["run"]["merged_from"] == ["a", "b"]


def test_recorder_histograms_equal_hdrhistogram_record_value():
    rng = random.Random(7)
    values = [rng.choice([0.0000004, 2e-6, 0.0005, 0.0021, 0.4, 7.3, 5000.0]) * rng.uniform(0.5, 1.5)
              for _ in range(3000)]
    rec = Recorder([("a", "GET")], open_model=True)
    for v in values:
        rec.record(0, 200, "success", None, v, v / 3)
    record = rec.close_interval(t=0, start=0.0, length=1.0, users=0, target_rate=1.0, in_flight=0, stage=1,
                                cpu_seconds=0.0)
    from hdrh.histogram import HdrHistogram

    from loadgen.stats import HIGHEST_US, new_histogram
    for key, scale in (("corrected", 1.0), ("uncorrected", 1 / 3)):
        reference: HdrHistogram = new_histogram()
        for v in values:
            reference.record_value(min(max(int(v * scale * 1e6), 1), HIGHEST_US))
        got = decode(record["endpoints"]["a"][key])
        assert got.get_total_count() == reference.get_total_count() == 3000
        assert list(got.counts) == list(reference.counts)
        assert (got.get_min_value(), got.get_max_value()) == (reference.get_min_value(), reference.get_max_value())
