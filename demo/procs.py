"""Start Python children in their own process groups and stop them with everything they spawned.

A child in its own session does not receive the terminal's Ctrl-C, so the orchestrator decides
the order of shutdown (the load generator first, so it can write its reports), and stopping a
group also ends grandchildren such as the demo's CPU burners or loadgen workers.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Child", "spawn_python"]

_PR_SET_PDEATHSIG = 1


@dataclass
class Child:
    """A child process group with its log file."""

    name: str
    proc: subprocess.Popen
    log_path: Path

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def signal(self, sig: int) -> None:
        """Send ``sig`` to the whole process group (no-op once it has been reaped)."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, sig)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the group, wait, then SIGKILL the group; always reap the leader."""
        self.signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        # The leader may be gone while grandchildren linger: kill the group regardless.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=timeout)


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to SIGTERM it if the orchestrator dies (even by SIGKILL)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def spawn_python(name: str, args: list[str], *, log_dir: Path, cwd: Path, env: dict[str, str] | None = None,
                 capture: bool = True) -> Child:
    """Run ``python <args>`` with this interpreter in a new session.

    Output goes to ``log_dir/name.log``; with ``capture=False`` stdout stays on the terminal (a
    live progress view) and only stderr is logged.
    """
    log_path = log_dir / f"{name}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - handed to the child, closed here after Popen
    try:
        proc = subprocess.Popen(
            [sys.executable, *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=log if capture else None, stderr=log, start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None)
    finally:
        log.close()
    return Child(name=name, proc=proc, log_path=log_path)
