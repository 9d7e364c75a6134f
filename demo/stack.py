"""The local stack on 127.0.0.1: demo service, exporter, Prometheus (with the generated rules) and
Alertmanager, each in its own process group and temp directory, stopped in reverse order.

``demo.run`` and ``demo.run --stack`` both use :class:`LocalStack`; everything it starts is
recorded before it is waited on, so a failure half-way through still stops what did start.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from demo.procs import Child, spawn_python
from perfstack.gen.alertmanager_config import PAGING_ENV, TEAM_ENV, placeholder_url, render_alertmanager_config
from perfstack.gen.prometheus_config import render_prometheus_config
from perfstack.services import ManagedProcess, ServiceError, free_port, start_alertmanager, start_prometheus, wait_ready

__all__ = ["StackOptions", "Ports", "LocalStack", "DEFAULT_PORTS"]

DEFAULT_PORTS = {"service": 8000, "admin": 8001, "exporter": 9101, "prometheus": 9090, "alertmanager": 9093,
                 "loadgen": 9102}


@dataclass(frozen=True, kw_only=True)
class StackOptions:
    """What to start and how."""

    repo_root: Path
    fault: str = "none"
    latency_multiplier: float | None = None
    seed: int | None = None
    scrape_interval: str = "2s"
    prefer_default_ports: bool = False   # --stack: use the documented ports when they are free
    config_path: str | None = None
    ready_timeout: float = 30.0


@dataclass(frozen=True, kw_only=True)
class Ports:
    """The loopback ports of one stack."""

    service: int
    admin: int
    exporter: int
    prometheus: int
    alertmanager: int
    loadgen: int


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def choose_ports(prefer_defaults: bool, is_free: Callable[[int], bool] = _port_free,
                 pick: Callable[[], int] = free_port) -> Ports:
    """Return distinct ports: the documented defaults when asked for and free, else fresh free ports."""
    chosen: dict[str, int] = {}
    for name, default in DEFAULT_PORTS.items():
        port = default if prefer_defaults and is_free(default) else pick()
        while port in chosen.values():
            port = pick()
        chosen[name] = port
    return Ports(**chosen)


@dataclass
class LocalStack:
    """Start and stop the demo's processes; ``urls`` says where each one listens."""

    options: StackOptions
    workdir: Path
    ports: Ports | None = None
    children: list[Child] = field(default_factory=list)
    managed: list[ManagedProcess] = field(default_factory=list)

    @property
    def urls(self) -> dict[str, str]:
        p = self.ports
        return {
            "service": f"http://127.0.0.1:{p.service}", "admin": f"http://127.0.0.1:{p.admin}/fault",
            "exporter": f"http://127.0.0.1:{p.exporter}/metrics", "prometheus": f"http://127.0.0.1:{p.prometheus}",
            "alertmanager": f"http://127.0.0.1:{p.alertmanager}", "loadgen_metrics": f"127.0.0.1:{p.loadgen}",
        }

    def start(self) -> None:
        """Start everything and wait until each answers; on any failure stop what started and raise."""
        root = self.options.repo_root
        self.ports = p = choose_ports(self.options.prefer_default_ports)
        logs = self.workdir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        config_args = ["--config", self.options.config_path] if self.options.config_path else []
        service_args = ["-m", "demo.service", "--listen", f"127.0.0.1:{p.service}",
                        "--admin-listen", f"127.0.0.1:{p.admin}", "--fault", self.options.fault, *config_args]
        if self.options.latency_multiplier is not None:
            service_args += ["--latency-multiplier", str(self.options.latency_multiplier)]
        if self.options.seed is not None:
            service_args += ["--seed", str(self.options.seed)]
        try:
            self.children.append(spawn_python("demo-service", service_args, log_dir=logs, cwd=root))
            self.children.append(spawn_python(
                "exporter", ["-m", "exporter", "--listen", f"127.0.0.1:{p.exporter}", *config_args],
                log_dir=logs, cwd=root))
            self.managed.append(start_alertmanager(self._alertmanager_config(), workdir=self.workdir / "alertmanager",
                                                   port=p.alertmanager, timeout=self.options.ready_timeout))
            prom_text, rules = self._prometheus_files()
            self.managed.append(start_prometheus(prom_text, workdir=self.workdir / "prometheus", port=p.prometheus,
                                                 extra_files=rules, retention="1d",
                                                 timeout=self.options.ready_timeout))
            for child, url in zip(self.children, (f"{self.urls['service']}/healthz",
                                                  f"http://127.0.0.1:{p.exporter}/healthz"), strict=True):
                try:
                    wait_ready(url, timeout=self.options.ready_timeout, proc=child.proc)
                except ServiceError as exc:
                    raise ServiceError(f"{child.name}: {exc}\n{child.log_tail()}") from None
            self.wait_scraped(("app", "exporter"))
        except BaseException:
            self.stop()
            raise

    def _prometheus_files(self) -> tuple[str, dict[str, str]]:
        """Render prometheus.yml for this run's ports with the generator of the committed one, plus the rules."""
        rule_dir = self.options.repo_root / "prometheus" / "rules"
        rules = {f"rules/{f.name}": f.read_text(encoding="utf-8") for f in sorted(rule_dir.glob("*.yml"))}
        if not rules:
            raise ServiceError(f"no rule files in {rule_dir}; run `make generate`")
        p = self.ports
        text = render_prometheus_config(
            targets={"app": f"127.0.0.1:{p.service}", "exporter": f"127.0.0.1:{p.exporter}",
                     "loadgen": f"127.0.0.1:{p.loadgen}", "prometheus": f"127.0.0.1:{p.prometheus}",
                     "alertmanager": f"127.0.0.1:{p.alertmanager}"},
            alertmanagers=[f"127.0.0.1:{p.alertmanager}"], rule_files=["rules/*.yml"],
            scrape_interval=self.options.scrape_interval, evaluation_interval=self.options.scrape_interval,
            header="# Rendered by demo.stack for this run's ports.\n")
        return text, rules

    def _alertmanager_config(self) -> str:
        """Render alertmanager.yml with the generator of the committed one.

        Webhook URLs come from the same environment variables as in production; without them the
        committed placeholders stay, and Alertmanager still groups, routes and shows every alert.
        """
        root = self.options.repo_root
        return render_alertmanager_config(
            paging_url=os.environ.get(PAGING_ENV) or placeholder_url(PAGING_ENV),
            team_url=os.environ.get(TEAM_ENV) or placeholder_url(TEAM_ENV),
            templates=str(root / "alertmanager" / "templates" / "*.tmpl"))

    def wait_scraped(self, jobs: tuple[str, ...], timeout: float = 20.0) -> None:
        """Wait until Prometheus has a successful scrape of every job in ``jobs``."""
        url = self.urls["prometheus"]
        deadline = time.monotonic() + timeout
        missing = set(jobs)
        while missing and time.monotonic() < deadline:
            missing = {j for j in missing if not _job_up(url, j)}
            if missing:
                time.sleep(0.25)
        if missing:
            raise ServiceError(f"Prometheus has not scraped {', '.join(sorted(missing))} after {timeout:.0f}s")

    def dead(self) -> str | None:
        """Return the name of a started process that has exited, if any."""
        for child in self.children:
            if child.proc.poll() is not None:
                return child.name
        for mp in self.managed:
            if mp.proc.poll() is not None:
                return mp.name
        return None

    def stop(self) -> None:
        """Stop everything started, newest first; safe to call more than once."""
        errors = []
        for mp in reversed(self.managed):
            try:
                mp.stop()
            except Exception as exc:  # keep stopping the rest
                errors.append(f"{mp.name}: {exc}")
        for child in reversed(self.children):
            try:
                child.stop()
            except Exception as exc:
                errors.append(f"{child.name}: {exc}")
        self.managed, self.children = [], []
        for err in errors:
            print(f"demo: while stopping: {err}", file=sys.stderr)


def _job_up(prometheus_url: str, job: str) -> bool:
    query = urllib.parse.urlencode({"query": f'up{{job="{job}"}} == 1'})
    try:
        with urllib.request.urlopen(f"{prometheus_url}/api/v1/query?{query}", timeout=2) as resp:
            return bool(json.load(resp)["data"]["result"])
    except (OSError, ValueError, KeyError):
        return False
