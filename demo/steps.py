"""The two steps of a demo run after the stack is up: load it with loadgen, then analyze the window.

Both run as child processes through their public CLIs (exactly what a user would type), in their
own process groups; Ctrl-C is forwarded to the load generator so it still writes its reports.
"""

from __future__ import annotations

import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from demo.procs import Child, spawn_python

__all__ = ["ReportPaths", "StepError", "loadgen_argv", "analyzer_argv", "run_child"]


class StepError(RuntimeError):
    """A step's CLI failed (usage/config error or crash), not merely a failed threshold or gate."""


@dataclass(frozen=True, kw_only=True)
class ReportPaths:
    """Where one run's reports go: ``<reports_dir>/<run_id>/``."""

    directory: Path

    @property
    def loadtest_json(self) -> Path:
        return self.directory / "loadtest.json"

    @property
    def loadtest_html(self) -> Path:
        return self.directory / "loadtest.html"

    @property
    def analysis_json(self) -> Path:
        return self.directory / "analysis.json"

    @property
    def analysis_html(self) -> Path:
        return self.directory / "analysis.html"

    def all(self) -> dict[str, Path]:
        return {"loadtest.html": self.loadtest_html, "analysis.html": self.analysis_html,
                "loadtest.json": self.loadtest_json, "analysis.json": self.analysis_json}


def loadgen_argv(*, scenario: Path, base_url: str, profile: str, duration: str, run_id: str, reports: ReportPaths,
                 metrics_listen: str, linger: str, config: str | None, quiet: bool) -> list[str]:
    """Return the ``python -m loadgen run`` arguments for one demo run."""
    argv = ["-m", "loadgen", "run", "--scenario", str(scenario), "--base-url", base_url, "--profile", profile,
            "--duration", duration, "--run-id", run_id, "--json", str(reports.loadtest_json),
            "--html", str(reports.loadtest_html), "--metrics-listen", metrics_listen, "--linger", linger]
    if quiet:
        argv.append("--quiet")
    if config:
        argv += ["--config", config]
    return argv


def analyzer_argv(*, prometheus_url: str, run_id: str, fmt: str, output: Path, config: str | None,
                  scrape_interval: str = "15s") -> list[str]:
    """Return the ``python -m analyzer`` arguments that analyze one run's window."""
    argv = ["-m", "analyzer", "--prometheus", prometheus_url, "--run-id", run_id, "--format", fmt,
            "--output", str(output), "--scrape-interval", scrape_interval]
    if config:
        argv += ["--config", config]
    return argv


def run_child(name: str, argv: list[str], *, log_dir: Path, cwd: Path, ok_codes: tuple[int, ...] = (0, 99),
              timeout: float, capture: bool = True, interrupt_grace: float = 20.0) -> int:
    """Run one step to completion and return its exit code; raise StepError for any other code.

    On Ctrl-C the child gets SIGINT and ``interrupt_grace`` seconds to finish its reports before
    it is stopped; the interrupt is then re-raised.
    """
    child: Child = spawn_python(name, argv, log_dir=log_dir, cwd=cwd, capture=capture)
    try:
        try:
            code = child.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise StepError(f"{name} did not finish within {timeout:.0f}s\n{child.log_tail()}") from None
        except KeyboardInterrupt:
            child.signal(signal.SIGINT)
            try:
                child.proc.wait(timeout=interrupt_grace)
            except (subprocess.TimeoutExpired, KeyboardInterrupt):
                pass
            raise
    finally:
        child.stop()
    if code not in ok_codes:
        raise StepError(f"{name} exited with code {code}: {child.log_tail(8)}")
    return code
