"""Every dashboard panel shows data, checked the way Grafana would, on a real stack.

A real Prometheus (1 s scrapes, the generated recording rules) scrapes the real exporter,
the real load generator driving the real demo service, and ``analyzer serve``. The test then
resolves each dashboard's variables with ``label_values`` (both "All" and the first value of
each), substitutes ``$__rate_interval`` and runs every panel target and annotation query, and
fails on any that errors or returns no finite value.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from perfstack.services import free_port, wait_ready
from tests.conftest import prom_query_range, scrape_config
from tests.grafana.boards import REPO_ROOT, committed_dashboards
from tests.grafana.grafana_like import (
    ALL,
    PromClient,
    dashboard_queries,
    format_variable,
    interpolate,
    parse_label_values,
    rate_interval,
)

pytestmark = pytest.mark.slow

SCRAPE_SECONDS = 1.0
STAGES = [{"duration": "1s", "rate": 20}, {"duration": "5s", "rate": 20}, {"duration": "6s", "rate": 30}]
"""Open model, so target rate and schedule lag have data; ``--ramp-up 0s`` makes stage 1 instant,
so traffic is steady from the first second and stages 2 and 3 show up as annotations."""
SHOWN_STAGES = {"2", "3"}
PROBE_RULES = """\
groups:
  - name: dashboard-probe
    rules:
      - alert: DashboardProbe
        expr: vector(1)
        labels: {severity: info}
        annotations: {summary: "Always firing, so the firing-alerts panels have a real ALERTS series to show."}
"""
HOST_FAMILIES = ("perfstack_disk_", "perfstack_network_", "perfstack_filesystem_", "perfstack_swap_")


class Processes:
    """Our Python services as child processes; every one is stopped when the test ends."""

    def __init__(self, workdir: Path) -> None:
        self.workdir, self.procs = workdir, []

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed once handed to the child
        proc = subprocess.Popen([sys.executable, "-m", *argv], cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        proc.name = name
        self.procs.append(proc)
        return proc

    def log(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text(errors="replace")[-1500:]

    def ready(self, proc: subprocess.Popen, url: str) -> None:
        try:
            wait_ready(url, timeout=30, proc=proc)
        except Exception as exc:  # noqa: BLE001 - re-raised as a failure with the child's log
            pytest.fail(f"{proc.name} did not start: {exc}\n{self.log(proc.name)}")

    def stop_all(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)


@pytest.fixture
def processes(tmp_path) -> Iterator[Processes]:
    procs = Processes(tmp_path)
    yield procs
    procs.stop_all()


def _load_config_with_short_profile(tmp_path: Path) -> Path:
    cfg = yaml.safe_load((REPO_ROOT / "performance_config.yaml").read_text())
    cfg["profiles"]["dashboards"] = {"description": "Two short open-model stages.", "stages": STAGES}
    path = tmp_path / "performance_config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def _resolve_variables(prom: PromClient, board: dict, mode: str, start: float, end: float,
                       interval: dict) -> tuple[dict[str, str], list[str]]:
    """Choose each variable's value in order, as Grafana does on load; return values and problems."""
    values: dict[str, str] = {}
    problems = []
    for var in board["templating"]["list"]:
        selector, label = parse_label_values(interpolate(var["query"], values, **interval))
        options = prom.label_values(label, selector, start, end)
        if not options:
            problems.append(f"{board['title']}: variable ${var['name']} has no values ({var['query']})")
            values[var["name"]] = var.get("allValue", ".*")
            continue
        values[var["name"]] = format_variable(var, [ALL] if mode == "all" else options[:1], options)
    return values, problems


def _missing_panels(prom: PromClient, boards: dict, start: float, end: float, skip: tuple[str, ...]) -> list[str]:
    interval = {"rate_interval_s": rate_interval(SCRAPE_SECONDS, SCRAPE_SECONDS), "interval_s": SCRAPE_SECONDS,
                "range_s": end - start}
    problems = []
    for mode in ("all", "first"):
        for board in boards.values():
            values, var_problems = _resolve_variables(prom, board, mode, start, end, interval)
            problems += var_problems
            for q in dashboard_queries(board):
                if any(family in q.expr for family in skip):
                    continue
                expr = interpolate(q.expr, values, **interval)
                series, error = prom.run(expr, instant=q.instant, start=start, end=end, step=SCRAPE_SECONDS)
                if error or not series:
                    problems.append(f"[{mode}] {q.where}: {error or 'No data'}\n      {expr}")
    return problems


def _absent_host_families(exporter_url: str) -> tuple[str, ...]:
    """Host families this platform cannot provide (e.g. no disk stats in a container)."""
    with urllib.request.urlopen(f"{exporter_url}/metrics", timeout=5) as r:
        text = r.read().decode()
    return tuple(f for f in HOST_FAMILIES if f"\n{f}" not in text)


def test_every_panel_of_every_dashboard_has_data(prometheus, processes, tmp_path):
    recording = REPO_ROOT / "prometheus" / "rules" / "recording.yml"
    assert recording.is_file(), "prometheus/rules/recording.yml is missing (run: make generate)"
    ports = {name: free_port() for name in ("app", "exporter", "loadgen", "analyzer")}
    targets = {job: [f"127.0.0.1:{port}"] for job, port in ports.items()}
    prom = prometheus(scrape_config(targets, interval=f"{SCRAPE_SECONDS:g}s", rule_files=["recording.yml", "probe.yml"]),
                      extra_files={"recording.yml": recording.read_text(), "probe.yml": PROBE_RULES})
    url = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    start = time.time()

    demo = processes.start("demo", ["demo.service", "--listen", f"127.0.0.1:{ports['app']}", "--seed", "7"])
    exporter = processes.start("exporter", ["exporter", "--listen", f"127.0.0.1:{ports['exporter']}"])
    analyzer = processes.start("analyzer", ["analyzer", "serve", "--prometheus", prom.url, "--listen",
                                            f"127.0.0.1:{ports['analyzer']}", "--window", "5m",
                                            "--cache-seconds", "1"])
    processes.ready(demo, url["app"] + "/healthz")
    processes.ready(exporter, url["exporter"] + "/healthz")
    loadgen = processes.start("loadgen", [
        "loadgen", "run", "--scenario", str(REPO_ROOT / "demo" / "scenario.yaml"), "--base-url", url["app"],
        "--config", str(_load_config_with_short_profile(tmp_path)), "--profile", "dashboards", "--ramp-up", "0s",
        "--metrics-listen", f"127.0.0.1:{ports['loadgen']}", "--linger", "60s", "--quiet",
    ])
    processes.ready(loadgen, url["loadgen"] + "/metrics")
    processes.ready(analyzer, url["analyzer"] + "/metrics")

    client = PromClient(prom.url)
    boards = committed_dashboards()
    skip = _absent_host_families(url["exporter"])
    if skip:
        warnings.warn(f"this platform exposes no {', '.join(skip)}* metrics; their panels were not checked",
                      stacklevel=1)
    run_seconds = sum(float(s["duration"].rstrip("s")) for s in STAGES)
    deadline = start + run_seconds + 30
    problems = ["not checked yet"]
    while problems and time.time() < deadline:
        if loadgen.poll() not in (None, 0, 99):
            pytest.fail(f"loadgen exited with {loadgen.returncode}:\n{processes.log('loadgen')}")
        problems = _missing_panels(client, boards, start, time.time(), skip)
        if problems:
            time.sleep(1.0)
    assert not problems, f"{len(problems)} dashboard queries would show 'No data' or an error:\n" + "\n".join(problems)

    (stages,) = [a for a in boards["load-test"]["annotations"]["list"] if "loadgen_run_info" in a.get("expr", "")]
    expr = interpolate(stages["expr"], {"job": ".*"}, rate_interval_s=4, interval_s=1, range_s=60)
    seen: set[str] = set()
    while not seen >= SHOWN_STAGES and time.time() < deadline:
        seen = {s["metric"]["stage"] for s in prom_query_range(prom.url, expr, start, time.time(), 1)}
        if not seen >= SHOWN_STAGES:
            time.sleep(1.0)
    assert seen >= SHOWN_STAGES, f"stage annotations show stages {seen}, expected {SHOWN_STAGES}"

    # The checker itself must be able to fail: an unknown series is "No data", bad PromQL an error.
    assert client.run('absent_metric_xyz{job=~".*"}', instant=False, start=start, end=time.time(), step=1) == (0, None)
    assert client.run("sum(rate(up[4s])", instant=True, start=start, end=time.time(), step=1)[1]
