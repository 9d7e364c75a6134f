"""What the terminal shows: live status and the end-of-run summary, including saturation."""

from loadgen.live import Snapshot, final_lines, status_lines
from loadgen.report import build_report
from loadgen.stats import Recorder


def test_status_lines_show_load_latency_and_saturation():
    snap = Snapshot(elapsed=12.0, total=60.0, stage=2, stages=2, rps=1500.0, p50=1.0, p95=4.0, p99=9.5, requests=900,
                    errors=9, in_flight=3, users=0, target_rate=1500.0, open_model=True, saturated=True)
    text = "\n".join(status_lines(snap))
    assert "stage 2/2" in text and "rate 1500/s" in text and "p99 9.5ms" in text and "errors 9 (1.0%)" in text
    assert "generator saturated" in text


def test_final_lines_flag_a_saturated_generator():
    rec = Recorder([("root", "GET")], open_model=True)
    rec.record(0, 200, "success", None, 0.050, 0.001)
    rec.record_lag(0.040)  # 40 ms late: well past the 10 ms limit
    record = rec.close_interval(t=0, start=0.0, length=1.0, users=0, target_rate=1.0, in_flight=0, stage=1,
                                cpu_seconds=0.5)
    run = {"id": "x", "profile": "basic", "base_url": "http://h", "start": "s", "end": "e",
           "config": {"model": "open", "stages": [[1.0, 1.0]], "workers": 1, "thresholds": [],
                      "schedule_lag_limit_seconds": 0.010}}
    doc = build_report(run, [record])
    assert doc["generator"]["saturated"] is True and doc["run"]["saturated"] is True
    assert any("GENERATOR SATURATED" in line for line in final_lines(doc))
    assert 49.9 < doc["summary"]["latency_ms"]["p50"] < 50.1 and doc["summary"]["latency_uncorrected_ms"]["p50"] < 1.1
