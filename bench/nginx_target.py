"""Start nginx on a free 127.0.0.1 port with a temp config serving a small static body.

The shared target of the loadgen benchmarks: nginx answers far faster than any Python client
sends, so the generator (not the target) is what the benchmarks measure.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from perfstack.services import free_port

__all__ = ["nginx_target"]

_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy; fastcgi_temp_path {dir}/fcgi;
  uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  server {{
    listen 127.0.0.1:{port} reuseport backlog=4096;
    location / {{ default_type text/plain; return 200 "hello from nginx\\n"; }}
  }}
}}
"""


@contextmanager
def nginx_target(cpu: str | None = "1"):
    """Yield the base URL of a running nginx (pinned to ``cpu`` with taskset when given)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as tmp:
        port = free_port()
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(_CONF.format(dir=tmp, port=port))
        cmd = [nginx, "-c", str(conf), "-p", tmp]
        if cpu is not None and shutil.which("taskset"):
            cmd = ["taskset", "-c", cpu, *cmd]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    urllib.request.urlopen(url + "/", timeout=1).read()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"nginx did not start: {proc.stderr.read().decode()[-500:]}") from None
                    time.sleep(0.05)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
