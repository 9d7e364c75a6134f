"""``python -m loadgen`` end to end: exit codes, signals, reports, merge and compare."""

import json
import signal
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

from tests.loadgen.conftest import REPO, loadgen_cmd, quick_run_args, read_json, run_loadgen


@pytest.fixture(scope="module")
def two_runs(target, tmp_path_factory):
    """A fast run against /ok and a slower one against /slow, as JSON reports."""
    out = tmp_path_factory.mktemp("runs")
    procs = [subprocess.Popen(loadgen_cmd(*quick_run_args(f"{target.url}{path}", "--users", "3", "--json",
                                                           str(out / name), "--run-id", name.split(".")[0])),
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for path, name in (("/ok", "ok.json"), ("/slow?ms=30", "slow.json"))]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    return out / "ok.json", out / "slow.json"


def test_bad_scenario_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("base_url: http://127.0.0.1:1\nendpoints:\n  - {name: a, method: FETCH}\n")
    r = run_loadgen("run", "--scenario", str(bad), "--quiet")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "endpoints[0].method" in lines[0] and str(bad) in lines[0]
    r = run_loadgen("run", "--base-url", "http://127.0.0.1:1", "--threshold", "p95<soon")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    r = run_loadgen("run", "--base-url", "http://127.0.0.1:1", "--profile", "nope")
    assert r.returncode == 2 and "unknown profile" in r.stderr
    r = run_loadgen("run", "--base-url", "http://127.0.0.1:1", "--metrics-listen", "nope", "--quiet")
    assert r.returncode == 2 and "--metrics-listen" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_failed_threshold_exits_99_and_writes_junit(target, tmp_path):
    junit, report = tmp_path / "t.xml", tmp_path / "t.json"
    r = run_loadgen(*quick_run_args(f"{target.url}/slow?ms=20", "--users", "2", "--threshold", "p95<5ms",
                                    "--threshold", "rps>1", "--junit", str(junit), "--json", str(report)))
    assert r.returncode == 99, r.stderr
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    assert cases["p95<5ms"].find("failure") is not None
    assert cases["rps>1"].find("failure") is None
    assert "error_rate<5%" in cases  # defaults from performance_config.yaml are added
    verdicts = {t["expr"]: t["ok"] for t in read_json(report)["thresholds"]}
    assert verdicts["p95<5ms"] is False and verdicts["rps>1"] is True


def test_sigint_still_writes_every_report_and_exits_130(target, tmp_path):
    paths = {k: tmp_path / f"r.{k}" for k in ("json", "html", "junit")}
    proc = subprocess.Popen(loadgen_cmd(*quick_run_args(f"{target.url}/ok", "--users", "2", "--json", str(paths["json"]),
                                                        "--html", str(paths["html"]), "--junit", str(paths["junit"]),
                                                        duration="60s")),
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    before = target.hits["/ok"]
    deadline = time.monotonic() + 20
    while target.hits["/ok"] - before < 50 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    doc = read_json(paths["json"])
    assert doc["run"]["interrupted"] is True and doc["summary"]["requests"] >= 50
    assert doc["summary"]["duration_s"] < 30
    assert "run interrupted" in paths["html"].read_text()
    assert ET.parse(paths["junit"]).getroot().tag == "testsuites"


def test_sigterm_also_writes_the_report(target, tmp_path):
    out = tmp_path / "r.json"
    proc = subprocess.Popen(loadgen_cmd(*quick_run_args(f"{target.url}/ok", "--users", "1", "--json", str(out),
                                                        duration="60s")),
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    before = target.hits["/ok"]
    deadline = time.monotonic() + 20
    while target.hits["/ok"] - before < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert read_json(out)["summary"]["requests"] >= 10


def test_json_has_the_contract_keys(two_runs):
    doc = read_json(two_runs[0])
    assert list(doc) == ["run", "summary", "endpoints", "intervals", "thresholds", "generator", "histograms"]
    assert {"id", "profile", "base_url", "start", "end", "config"} <= set(doc["run"])
    assert doc["run"]["id"] == "ok"
    for key in ("requests", "failures", "error_rate", "timeout_rate", "rps", "latency_ms", "latency_uncorrected_ms"):
        assert key in doc["summary"]
    assert set(doc["summary"]["latency_ms"]) == {"mean", "p50", "p90", "p95", "p99", "p999", "max"}
    assert {"t", "rps", "p50", "p95", "p99", "errors", "users", "target_rate"} <= set(doc["intervals"][0])
    assert {"schedule_lag_ms", "dropped", "saturated", "cpu_percent"} <= set(doc["generator"])
    assert {"expr", "ok", "observed"} <= set(doc["thresholds"][0])
    assert doc["endpoints"]["root"]["requests"] == doc["summary"]["requests"] > 0


def test_merge_is_exact(two_runs, tmp_path):
    a, b = (read_json(p) for p in two_runs)
    out = tmp_path / "all.json"
    r = run_loadgen("merge", str(two_runs[0]), str(two_runs[1]), "-o", str(out))
    assert r.returncode == 0, r.stderr
    merged = read_json(out)
    assert merged["summary"]["requests"] == a["summary"]["requests"] + b["summary"]["requests"]
    from loadgen.stats import decode
    total = sum(decode(ep["corrected"]).get_total_count()
                for doc in (a, b) for rec in doc["histograms"]["records"] for ep in rec["endpoints"].values())
    merged_total = sum(decode(ep["corrected"]).get_total_count()
                       for rec in merged["histograms"]["records"] for ep in rec["endpoints"].values())
    assert merged_total == total == merged["summary"]["requests"]
    assert a["summary"]["latency_ms"]["p99"] <= merged["summary"]["latency_ms"]["p99"] <= b["summary"]["latency_ms"]["max"]


def test_compare_flags_a_regression_and_not_noise(two_runs, tmp_path):
    ok, slow = (str(p) for p in two_runs)
    same = run_loadgen("compare", ok, ok)
    assert same.returncode == 0 and "verdict: no significant change" in same.stdout
    worse = run_loadgen("compare", ok, slow, "--json", str(tmp_path / "c.json"))
    assert worse.returncode == 99 and "verdict: regression" in worse.stdout
    changes = json.loads((tmp_path / "c.json").read_text())["changes"]
    p95 = next(c for c in changes if c["scope"] == "all" and c["metric"] == "p95_ms")
    assert p95["verdict"] == "regression" and p95["new"] > p95["base"]
    bad = run_loadgen("compare", ok, str(tmp_path / "c.json"))
    assert bad.returncode == 2 and "not a loadgen JSON report" in bad.stderr


@pytest.mark.slow
def test_two_workers_merge_every_request(target, tmp_path):
    out = tmp_path / "w.json"
    before = target.hits["/ok"]
    r = run_loadgen(*quick_run_args(f"{target.url}/ok", "--users", "4", "--workers", "2", "--json", str(out),
                                    duration="2s"))
    assert r.returncode == 0, r.stderr
    doc = read_json(out)
    hits = target.hits["/ok"] - before
    assert doc["generator"]["workers"] == 2
    # every request the target answered was recorded, except ones cancelled in flight at the end
    assert doc["summary"]["requests"] <= hits <= doc["summary"]["requests"] + 4
    assert max(row["users"] for row in doc["intervals"]) == 4


def test_abort_on_fail_stops_after_the_grace_period(target, tmp_path):
    out = tmp_path / "a.json"
    started = time.monotonic()
    r = run_loadgen(*quick_run_args(f"{target.url}/slow?ms=20", "--users", "2", "--threshold", "p95<5ms",
                                    "--abort-on-fail", "--abort-grace", "1s", "--json", str(out), duration="60s"))
    assert r.returncode == 99, r.stderr
    assert time.monotonic() - started < 20
    doc = read_json(out)
    assert doc["run"]["aborted"] is True and doc["summary"]["duration_s"] < 5


def test_suite_writes_a_report_set_per_profile(target, tmp_path):
    r = run_loadgen("suite", "--base-url", f"{target.url}/ok", "--profiles", "basic,spike", "--duration", "1s",
                    "--users", "2", "--output-dir", str(tmp_path), "--metrics-listen", "", "--linger", "0s", "--quiet")
    assert r.returncode == 0, r.stderr
    for profile in ("basic", "spike"):
        doc = read_json(tmp_path / f"{profile}.json")
        assert doc["run"]["profile"] == profile and doc["summary"]["requests"] > 0
        assert (tmp_path / f"{profile}.html").exists() and (tmp_path / f"{profile}.junit.xml").exists()
    assert "spike" in read_json(tmp_path / "spike.json")["summary"]
