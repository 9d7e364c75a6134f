"""Shared test helpers: parse exposition text, run promtool, drive an ASGI app in-process."""

from __future__ import annotations

import shutil
import subprocess

from prometheus_client.parser import text_string_to_metric_families


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Return {(sample name, sorted labels): value} from Prometheus text format."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(text: str, name: str, **labels: str) -> float | None:
    """Return one sample's value, or None when absent."""
    return samples(text).get((name, tuple(sorted(labels.items()))))


def label_values(text: str, name: str, label: str) -> set[str]:
    """Return every value ``label`` takes on samples called ``name``."""
    return {dict(lbls)[label] for (n, lbls), _ in samples(text).items() if n == name and label in dict(lbls)}


def promtool_check(text: str) -> str:
    """Run ``promtool check metrics`` on ``text``; return its complaints ('' when clean)."""
    promtool = shutil.which("promtool")
    assert promtool, "promtool is required (make deps)"
    res = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    return "" if res.returncode == 0 else (res.stdout + res.stderr)


async def asgi_request(app, method: str, path: str, body: bytes = b"", headers=(),
                       chunked: bool = False) -> tuple[int, bytes]:
    """Send one HTTP request through an ASGI app in-process; return (status, body).

    ``chunked`` sends the body in two messages without a Content-Length header.
    """
    hdrs = [(k.lower().encode(), v.encode()) for k, v in headers]
    if body and not chunked:
        hdrs.append((b"content-length", str(len(body)).encode()))
    parts = [body[: len(body) // 2], body[len(body) // 2:]] if chunked else [body]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
             "headers": hdrs, "client": ("127.0.0.1", 1234), "server": ("127.0.0.1", 80)}
    status, chunks = 0, []

    async def receive():
        if parts:
            return {"type": "http.request", "body": parts.pop(0), "more_body": bool(parts)}
        return {"type": "http.disconnect"}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


class RunningExporter:
    """A ``python -m exporter`` child process on a free loopback port; stop() terminates it."""

    def __init__(self, *args: str, scheme: str = "http", ready=None) -> None:
        import sys
        import time

        from perfstack.services import free_port
        from tests.conftest import REPO_ROOT

        self.port = free_port()
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "exporter", "--listen", f"127.0.0.1:{self.port}", *args],
                                     cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"exporter exited {self.proc.returncode}: {self.proc.stderr.read()}")
            try:
                if (ready or _plain_ready)(self.url):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError("exporter did not become ready in 20 s")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc.stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _plain_ready(url: str) -> bool:
    import urllib.request

    with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:
        return resp.status == 200


def http_get(url: str, headers: dict | None = None, context=None) -> tuple[int, str, dict]:
    """GET ``url``; return (status, body, headers) without raising on HTTP errors."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10, context=context) as resp:
            return resp.status, resp.read().decode(), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)
