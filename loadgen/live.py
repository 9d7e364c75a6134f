"""The terminal view: a rich live panel on a TTY, one plain line per interval otherwise.

``status_lines`` is pure (a snapshot in, text out) so both views say the same thing and tests
can check the wording without a terminal.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, TextIO

__all__ = ["Snapshot", "status_lines", "make_view", "final_lines"]


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """What the live view shows at one moment."""

    elapsed: float
    total: float
    stage: int
    stages: int
    rps: float
    p50: float | None
    p95: float | None
    p99: float | None
    requests: int
    errors: int
    in_flight: int
    users: float
    target_rate: float
    open_model: bool
    saturated: bool = False


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}ms"


def status_lines(s: Snapshot) -> list[str]:
    """Return the live status as text lines."""
    load = f"rate {s.target_rate:.0f}/s" if s.open_model else f"users {s.users:.0f}"
    err_pct = (100.0 * s.errors / s.requests) if s.requests else 0.0
    lines = [
        f"stage {s.stage}/{s.stages}  {min(s.elapsed, s.total):5.1f}s/{s.total:.0f}s  {load}  in-flight {s.in_flight}",
        f"rps {s.rps:8.1f}  p50 {_ms(s.p50)}  p95 {_ms(s.p95)}  p99 {_ms(s.p99)}  "
        f"requests {s.requests}  errors {s.errors} ({err_pct:.1f}%)",
    ]
    if s.saturated:
        lines.append("WARNING: generator saturated (schedule lag p99 above the limit): latencies are not trustworthy")
    return lines


def final_lines(doc: dict[str, Any]) -> list[str]:
    """Return the end-of-run summary lines from a report document."""
    s, g = doc["summary"], doc["generator"]
    lat, unc = s["latency_ms"], s["latency_uncorrected_ms"]
    lines = [
        f"run {doc['run']['id']}  profile {doc['run']['profile']}  {s['duration_s']:.1f}s"
        + ("  (interrupted)" if doc["run"].get("interrupted") else ""),
        f"requests {s['requests']}  failures {s['failures']}  error_rate {s['error_rate']:.2%}  "
        f"timeout_rate {s['timeout_rate']:.2%}  rps {s['rps']:.1f}",
        f"latency ms      p50 {_ms(lat['p50'])}  p95 {_ms(lat['p95'])}  p99 {_ms(lat['p99'])}  max {_ms(lat['max'])}",
        f"uncorrected ms  p50 {_ms(unc['p50'])}  p95 {_ms(unc['p95'])}  p99 {_ms(unc['p99'])}  max {_ms(unc['max'])}",
        f"schedule lag p99 {_ms(g['schedule_lag_ms']['p99'])}  dropped {g['dropped']}  cpu {g['cpu_percent']:.0f}%"
        + ("  GENERATOR SATURATED" if g["saturated"] else ""),
    ]
    spike = s.get("spike")
    if spike:
        rec = spike["recovery_s"]
        lines.append("spike recovery " + (f"{rec:.1f}s after the spike" if rec is not None else "not reached"))
    for th in doc["thresholds"]:
        lines.append(f"threshold {th['expr']:<28} {'ok' if th['ok'] else 'FAILED'}  observed {th['observed']}")
    return lines


class _PlainView:
    def __init__(self, out: TextIO) -> None:
        self._out = out

    def start(self) -> None:
        pass

    def refresh(self, snapshot: Snapshot) -> None:
        pass

    def interval(self, snapshot: Snapshot) -> None:
        print(" | ".join(status_lines(snapshot)), file=self._out, flush=True)

    def stop(self) -> None:
        pass


class _QuietView(_PlainView):
    def interval(self, snapshot: Snapshot) -> None:
        pass


class _RichView:
    def __init__(self, out: TextIO) -> None:
        from rich.console import Console

        self._console = Console(file=out)
        self._live = None

    def _render(self, s: Snapshot):
        from rich.text import Text

        done = min(1.0, s.elapsed / s.total) if s.total > 0 else 1.0
        width = 40
        text = Text()
        lines = status_lines(s)
        text.append(lines[0] + "\n")
        text.append("━" * int(done * width), style="green")
        text.append("━" * (width - int(done * width)) + f" {done:4.0%}\n", style="grey50")
        for line in lines[1:]:
            text.append(line + "\n", style="bold red" if line.startswith("WARNING") else "")
        return text

    def start(self) -> None:
        from rich.live import Live
        from rich.text import Text

        self._live = Live(Text("starting..."), console=self._console, refresh_per_second=4, transient=False)
        self._live.start()

    def refresh(self, snapshot: Snapshot) -> None:
        if self._live is not None:
            self._live.update(self._render(snapshot))

    def interval(self, snapshot: Snapshot) -> None:
        self.refresh(snapshot)

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


def make_view(*, quiet: bool, out: TextIO | None = None):
    """Return the right view: quiet, rich (TTY) or plain."""
    out = out or sys.stdout
    if quiet:
        return _QuietView(out)
    if out.isatty():
        return _RichView(out)
    return _PlainView(out)
