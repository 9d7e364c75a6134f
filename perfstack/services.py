"""Start and stop real Prometheus and Alertmanager processes on free loopback ports.

Used by the test fixtures and by ``make demo``/``make stack`` alike, so what the tests exercise
is what users run. Every process gets its own temp directory and is stopped with terminate,
then kill: nothing outlives its owner.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "free_port", "find_binary", "wait_ready", "ManagedProcess", "start_prometheus",
    "start_alertmanager", "backfill_openmetrics", "ServiceError",
]


class ServiceError(RuntimeError):
    """A managed service could not be found, started or made ready."""


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that was free a moment ago on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def find_binary(*names: str) -> str:
    """Return the first of ``names`` on PATH (Debian names first), or raise ServiceError."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    raise ServiceError(
        f"{names[0]} not found on PATH: on Debian/Ubuntu run 'make deps' "
        "(apt-get install prometheus prometheus-alertmanager); elsewhere use 'docker compose up'"
    )


def wait_ready(url: str, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    """Poll ``url`` until it answers 200, the process dies, or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ServiceError(f"process exited with code {proc.returncode} before {url} was ready")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
                last = f"HTTP {resp.status}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.1)
    raise ServiceError(f"{url} not ready after {timeout:.0f}s ({last})")


@dataclass
class ManagedProcess:
    """A child process with its URL, work directory and log file."""

    name: str
    proc: subprocess.Popen
    url: str
    port: int
    workdir: Path
    log_path: Path
    _owned_dir: bool = field(default=False, repr=False)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate, wait, then kill; remove the temp dir if this object created it."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        if self._owned_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> ManagedProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM this child when its parent dies (even by SIGKILL); no-op elsewhere."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, 15)  # PR_SET_PDEATHSIG, SIGTERM
    except (OSError, AttributeError):
        pass


def _spawn(name: str, argv: list[str], workdir: Path, ready_path: str, port: int,
           owned: bool, timeout: float) -> ManagedProcess:
    log_path = workdir / f"{name}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - handed to the child, closed with it
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=workdir,
                            stdin=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=_die_with_parent if sys.platform == "linux" else None)
    log.close()
    mp = ManagedProcess(name=name, proc=proc, url=f"http://127.0.0.1:{port}", port=port,
                        workdir=workdir, log_path=log_path, _owned_dir=owned)
    try:
        wait_ready(mp.url + ready_path, timeout=timeout, proc=proc)
    except ServiceError as exc:
        tail = mp.log_tail(10)
        mp.stop()
        raise ServiceError(f"{name}: {exc}\n{tail}") from None
    return mp


def start_prometheus(config_text: str, *, workdir: Path | None = None, port: int | None = None,
                     data_dir: Path | None = None, extra_files: dict[str, str] | None = None,
                     retention: str = "30d", timeout: float = 30.0) -> ManagedProcess:
    """Start Prometheus with ``config_text`` as prometheus.yml on a free loopback port.

    ``extra_files`` (name → text) are written beside the config, e.g. rule files.
    ``data_dir`` may already hold backfilled blocks (see :func:`backfill_openmetrics`).
    """
    binary = find_binary("prometheus")
    owned = workdir is None
    wd = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="perfstack-prom-"))
    wd.mkdir(parents=True, exist_ok=True)
    for fname, text in (extra_files or {}).items():
        (wd / fname).parent.mkdir(parents=True, exist_ok=True)
        (wd / fname).write_text(text)
    (wd / "prometheus.yml").write_text(config_text)
    data = Path(data_dir) if data_dir else wd / "data"
    data.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    argv = [
        binary, f"--config.file={wd / 'prometheus.yml'}", f"--storage.tsdb.path={data}",
        f"--web.listen-address=127.0.0.1:{port}", "--web.enable-lifecycle",
        f"--storage.tsdb.retention.time={retention}", "--log.level=warn",
    ]
    return _spawn("prometheus", argv, wd, "/-/ready", port, owned, timeout)


def start_alertmanager(config_text: str, *, workdir: Path | None = None, port: int | None = None,
                       timeout: float = 30.0) -> ManagedProcess:
    """Start Alertmanager (Debian's ``prometheus-alertmanager``) without cluster gossip."""
    binary = find_binary("prometheus-alertmanager", "alertmanager")
    owned = workdir is None
    wd = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="perfstack-am-"))
    wd.mkdir(parents=True, exist_ok=True)
    (wd / "alertmanager.yml").write_text(config_text)
    (wd / "data").mkdir(exist_ok=True)
    port = port or free_port()
    argv = [
        binary, f"--config.file={wd / 'alertmanager.yml'}", f"--storage.path={wd / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
        f"--web.external-url=http://127.0.0.1:{port}", "--log.level=warn",
    ]
    return _spawn("alertmanager", argv, wd, "/-/ready", port, owned, timeout)


def backfill_openmetrics(openmetrics_text: str, data_dir: Path, *, block_duration: str = "2h") -> None:
    """Write history into a TSDB directory with ``promtool tsdb create-blocks-from openmetrics``.

    The text must end with ``# EOF`` and carry millisecond-free Unix timestamps in seconds.
    Run it before Prometheus starts on ``data_dir`` so the blocks are loaded at startup.
    """
    promtool = find_binary("promtool")
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".om", delete=False) as f:
        f.write(openmetrics_text if openmetrics_text.rstrip().endswith("# EOF") else openmetrics_text + "# EOF\n")
        src = f.name
    try:
        res = subprocess.run(
            [promtool, "tsdb", "create-blocks-from", "openmetrics",
             f"--max-block-duration={block_duration}", src, str(data_dir)],
            capture_output=True, text=True, timeout=300,
        )
    finally:
        Path(src).unlink(missing_ok=True)
    if res.returncode != 0:
        raise ServiceError(f"promtool backfill failed: {(res.stderr or res.stdout).strip()[-500:]}")
