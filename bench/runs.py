"""Run one load generator (wrk, Locust, loadgen, the bare fast engine) pinned to CPUs; return what it measured.

The I/O edge of every load benchmark in bench/: each function starts one subprocess with ``taskset``,
waits for it, and parses what it printed or wrote. No figures are computed here beyond the parsing.
"""

from __future__ import annotations

import csv
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psutil

__all__ = ["Measured", "LoadgenRun", "wrk", "locust", "loadgen_command", "loadgen_run", "engine_only",
           "listener_pid", "ProcessCpu"]

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
_VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True, kw_only=True)
class Measured:
    """One generator run: its rate, and its requests per CPU-second (robust to a shared machine).

    A generator that other processes preempt sends less but also burns less CPU, so
    ``per_cpu_second`` varies much less between runs than ``rps`` does.
    """

    rps: float
    requests: int
    cpu_seconds: float

    @property
    def per_cpu_second(self) -> float:
        return self.requests / self.cpu_seconds if self.cpu_seconds > 0 else 0.0

    @property
    def cpu_us_per_request(self) -> float:
        return self.cpu_seconds * 1e6 / max(1, self.requests)


@dataclass(frozen=True, kw_only=True)
class LoadgenRun:
    """One ``python -m loadgen run``: its JSON report and the CPU seconds its whole process used."""

    report: dict
    process_cpu_seconds: float

    def _summary(self) -> dict:
        summary = self.report["summary"]
        if summary["failures"]:
            raise RuntimeError(f"loadgen saw {summary['failures']} failed requests ({summary['errors']}): "
                               "no figure reported")
        return summary

    def during_load(self, duration: float) -> Measured:
        """Return the rate, with the CPU loadgen reports for the load alone (start-up and reports excluded)."""
        summary = self._summary()
        return Measured(rps=summary["rps"], requests=summary["requests"],
                        cpu_seconds=self.report["generator"]["cpu_percent"] / 100.0 * duration)

    def whole_process(self) -> Measured:
        """Return the rate, with the CPU of the whole process (start-up included, as Locust's is)."""
        summary = self._summary()
        return Measured(rps=summary["rps"], requests=summary["requests"], cpu_seconds=self.process_cpu_seconds)


def _pinned(cpus: str | None, cmd: list[str]) -> list[str]:
    return ["taskset", "-c", cpus, *cmd] if cpus else cmd


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(cmd: list[str], timeout: float, **kw) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``cmd``; return its result and the CPU seconds it (and its waited-for children) used."""
    before = _children_cpu()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=kw.pop("cwd", REPO), **kw)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:6])}... exited {done.returncode}: {done.stderr.strip()[-800:]}")
    return done, _children_cpu() - before


def wrk(url: str, connections: int, duration: float, *, cpus: str | None, threads: int = 1) -> Measured:
    """Run wrk and return its Requests/sec and total requests."""
    done, cpu = _run(_pinned(cpus, ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(duration)}s", url]),
                     duration + 30)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    total = re.search(r"(\d+) requests in", done.stdout)
    if not rate or not total:
        raise RuntimeError(f"cannot read wrk output: {done.stdout[-400:]}")
    return Measured(rps=float(rate.group(1)), requests=int(total.group(1)), cpu_seconds=cpu)


def locust(base_url: str, users: int, duration: float, *, cpus: str | None) -> Measured | None:
    """Run Locust FastHttpUser headless; None when locust is not installed.

    Its CPU seconds include Locust's start-up (imports, gevent), which a 10 s run amortises.
    """
    locust_bin = _VENV_BIN / "locust"
    if not locust_bin.exists():
        print("  locust not installed (pip install -e '.[bench]'): skipping the Locust peer", file=sys.stderr)
        return None
    with tempfile.TemporaryDirectory(prefix="bench-locust-") as tmp:
        prefix = str(Path(tmp) / "run")
        cmd = [str(locust_bin), "-f", str(BENCH / "locustfile.py"), "--headless", "-u", str(users),
               "-r", str(users * 100), "-t", f"{int(duration)}s", "--host", base_url, "--csv", prefix,
               "--only-summary", "--loglevel", "WARNING"]
        _, cpu = _run(_pinned(cpus, cmd), duration + 60, cwd=tmp)
        with open(prefix + "_stats.csv", newline="") as f:
            for row in csv.DictReader(f):
                if row["Name"] == "Aggregated":
                    return Measured(rps=float(row["Requests/s"]), requests=int(row["Request Count"]), cpu_seconds=cpu)
    raise RuntimeError("locust wrote no Aggregated row")


def loadgen_command(base_url: str, *, engine: str, duration: float, json_out: Path, cpus: str | None,
                    users: int | None = None, rate: float | None = None, workers: int = 1) -> list[str]:
    """Return the ``python -m loadgen run`` command: closed with ``users``, open with ``rate``, quiet, JSON to a file."""
    cmd = [sys.executable, "-m", "loadgen", "run", "--base-url", base_url, "--engine", engine,
           "--duration", f"{duration}s", "--ramp-up", "0s", "--workers", str(workers), "--quiet",
           "--metrics-listen", "", "--linger", "0s", "--no-default-thresholds", "--json", str(json_out)]
    if rate is not None:
        cmd += ["--rate", str(rate)]
    else:
        cmd += ["--users", str(users), "--connections", str(users)]
    return _pinned(cpus, cmd)


def loadgen_run(base_url: str, *, engine: str, duration: float, cpus: str | None, users: int | None = None,
                rate: float | None = None, workers: int = 1) -> LoadgenRun:
    """Run ``python -m loadgen run`` (closed with ``users``, open with ``rate``); return its report and CPU use."""
    with tempfile.TemporaryDirectory(prefix="bench-loadgen-") as tmp:
        out = Path(tmp) / "run.json"
        _, cpu = _run(loadgen_command(base_url, engine=engine, duration=duration, json_out=out, cpus=cpus,
                                      users=users, rate=rate, workers=workers), duration + 120)
        return LoadgenRun(report=json.loads(out.read_text()), process_cpu_seconds=cpu)


def engine_only(url: str, connections: int, duration: float, *, record: bool, cpus: str | None) -> Measured:
    """Run bench/fast_engine_loop.py (the fast engine with no pipeline) and return what it measured."""
    cmd = [sys.executable, str(BENCH / "fast_engine_loop.py"), url, "--connections", str(connections),
           "--duration", str(duration)] + (["--record"] if record else [])
    done, _ = _run(_pinned(cpus, cmd), duration + 60)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["failed"]:
        raise RuntimeError(f"the bare engine saw {result['failed']} failed requests: no figure reported")
    return Measured(rps=result["rps"], requests=result["requests"], cpu_seconds=result["cpu_seconds"])


def listener_pid(base_url: str) -> int:
    """Return the pid of the process listening on ``base_url``'s port (nginx's master)."""
    port = urlsplit(base_url).port
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
            return conn.pid
    raise RuntimeError(f"no process listens on port {port}")


class ProcessCpu:
    """CPU a process and its children used since :meth:`start`, as % of one core over a busy period.

    Dividing by the load's duration (not the wall time) ignores the generator's start-up and report
    writing, when the target is idle anyway.
    """

    def __init__(self, pid: int) -> None:
        self._root = psutil.Process(pid)
        self._mark = 0.0

    def _cpu_seconds(self) -> float:
        total = 0.0
        for proc in [self._root, *self._root.children(recursive=True)]:
            try:
                times = proc.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def start(self) -> None:
        self._mark = self._cpu_seconds()

    def percent(self, busy_seconds: float) -> float:
        return 100.0 * (self._cpu_seconds() - self._mark) / busy_seconds


if os.name != "posix":  # pragma: no cover - taskset and /proc are Linux-only
    raise SystemExit("the load benchmarks in bench/ need Linux (taskset)")
