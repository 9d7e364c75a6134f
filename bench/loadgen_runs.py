"""Run one generator (wrk, Locust FastHttpUser, loadgen) pinned to CPUs and return what it measured.

The I/O edge of the loadgen benchmarks: each function starts one subprocess under ``taskset``,
waits for it, and parses its output. No figures are computed here beyond the parsing.
"""

from __future__ import annotations

import csv
import json
import re
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["wrk_rps", "locust_rps", "loadgen_run", "REPO", "LAST_CPU_US_PER_REQUEST"]

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
# CPU seconds (user + system, whole process incl. start-up) per request of the last run of each
# generator: unlike req/s, this barely moves when other work shares the machine.
LAST_CPU_US_PER_REQUEST: dict[str, float] = {}
_VENV_BIN = Path(sys.executable).parent


def _pinned(cpus: str | None, cmd: list[str]) -> list[str]:
    return ["taskset", "-c", cpus, *cmd] if cpus else cmd


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(cmd: list[str], timeout: float, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """Run ``cmd``; ``.cpu_seconds`` on the result is the CPU time it (and its children) used."""
    before = _children_cpu()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd)
    done.cpu_seconds = _children_cpu() - before  # type: ignore[attr-defined]
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:6])}... exited {done.returncode}: {done.stderr.strip()[-800:]}")
    return done


def wrk_rps(url: str, connections: int, duration: float, *, cpus: str | None, threads: int = 1) -> float:
    """Return wrk's Requests/sec."""
    done = _run(_pinned(cpus, ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(duration)}s", url]), duration + 30)
    match = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    if not match:
        raise RuntimeError(f"cannot read wrk output: {done.stdout[-400:]}")
    return float(match.group(1))


def locust_rps(base_url: str, users: int, duration: float, *, cpus: str | None) -> float | None:
    """Return Locust FastHttpUser's aggregated Requests/s, or None when locust is not installed."""
    locust = _VENV_BIN / "locust"
    if not locust.exists():
        print("  locust not installed (pip install -e '.[bench]'): skipping the Locust peer", file=sys.stderr)
        return None
    with tempfile.TemporaryDirectory(prefix="bench-locust-") as tmp:
        prefix = str(Path(tmp) / "run")
        cmd = [str(locust), "-f", str(BENCH / "loadgen_locustfile.py"), "--headless", "-u", str(users),
               "-r", str(users * 100), "-t", f"{int(duration)}s", "--host", base_url, "--csv", prefix,
               "--only-summary", "--loglevel", "WARNING"]
        done = _run(_pinned(cpus, cmd), duration + 60, cwd=Path(tmp))
        with open(prefix + "_stats.csv", newline="") as f:
            for row in csv.DictReader(f):
                if row["Name"] == "Aggregated":
                    LAST_CPU_US_PER_REQUEST["locust"] = done.cpu_seconds * 1e6 / max(1, int(row["Request Count"]))
                    return float(row["Requests/s"])
    raise RuntimeError("locust wrote no Aggregated row")


def loadgen_run(base_url: str, *, engine: str, duration: float, cpus: str | None, users: int | None = None,
                rate: float | None = None, workers: int = 1) -> dict:
    """Run ``python -m loadgen run`` (closed with ``users``, open with ``rate``) and return its JSON report."""
    with tempfile.TemporaryDirectory(prefix="bench-loadgen-") as tmp:
        out = Path(tmp) / "run.json"
        cmd = [sys.executable, "-m", "loadgen", "run", "--base-url", base_url, "--engine", engine,
               "--duration", f"{duration}s", "--ramp-up", "0s", "--workers", str(workers), "--quiet",
               "--metrics-listen", "", "--linger", "0s", "--no-default-thresholds", "--json", str(out)]
        cmd += ["--rate", str(rate)] if rate is not None else ["--users", str(users), "--connections", str(users)]
        done = _run(_pinned(cpus, cmd), duration + 120)
        doc = json.loads(out.read_text())
        LAST_CPU_US_PER_REQUEST["loadgen"] = done.cpu_seconds * 1e6 / max(1, doc["summary"]["requests"])
        return doc
