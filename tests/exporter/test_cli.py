"""``python -m exporter`` command line: collector flags, one-line errors with exit code 2."""

import socket
import subprocess
import sys

import pytest

from exporter.__main__ import parse_listen
from perfstack.cli import UsageError
from tests.conftest import REPO_ROOT
from tests.exporter.helpers import RunningExporter, http_get, samples


def test_collector_flags_switch_collectors_off():
    with RunningExporter("--no-collector.cpu", "--no-collector.process", "--include-loopback") as exp:
        status, body, _ = http_get(exp.url + "/metrics")
    assert status == 200
    names = {name for name, _ in samples(body)}
    assert "perfstack_memory_total_bytes" in names
    assert not any(n.startswith("perfstack_cpu_") for n in names)
    collectors = {dict(lbls)["collector"] for name, lbls in samples(body)
                  if name == "perfstack_exporter_collector_success"}
    assert "cpu" not in collectors and "memory" in collectors
    devices = {dict(lbls)["device"] for name, lbls in samples(body) if name == "perfstack_network_receive_bytes_total"}
    assert "lo" in devices


def test_parse_listen():
    assert parse_listen("127.0.0.1:9101") == ("127.0.0.1", 9101)
    assert parse_listen(":9101") == ("127.0.0.1", 9101)
    assert parse_listen("[::1]:9101") == ("::1", 9101)
    for bad in ("9101", "host:9101", "127.0.0.1:0", "127.0.0.1:http"):
        with pytest.raises(UsageError):
            parse_listen(bad)


def test_cli_exits_2_with_one_line_for_bad_web_config(tmp_path):
    (tmp_path / "w.yml").write_text("basic_auth_users:\n  bob: plain\n")
    res = subprocess.run([sys.executable, "-m", "exporter", "--web-config", str(tmp_path / "w.yml")],
                         cwd=REPO_ROOT, capture_output=True, text=True, timeout=30)
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "bcrypt hash" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("argv", [["--listen", "nowhere"], ["--listen", "127.0.0.1:99999"],
                                  ["--config", "/does/not/exist.yaml"], ["--collector.gpu"]])
def test_cli_bad_usage_exits_2(argv):
    res = subprocess.run([sys.executable, "-m", "exporter", *argv], cwd=REPO_ROOT, capture_output=True, text=True,
                         timeout=30)
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "error:" in res.stderr



def test_cli_port_in_use_exits_2_with_one_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = subprocess.run([sys.executable, "-m", "exporter", "--listen", f"127.0.0.1:{port}"], cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=30)
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "address already in use" in res.stderr


def test_help_explains_every_option():
    res = subprocess.run([sys.executable, "-m", "exporter", "--help"], cwd=REPO_ROOT, capture_output=True, text=True,
                         timeout=30)
    assert res.returncode == 0
    for option in ("--listen", "--config", "--web-config", "--process", "--include-loopback",
                   "--collector.disk", "--no-collector.network"):
        assert option in res.stdout
