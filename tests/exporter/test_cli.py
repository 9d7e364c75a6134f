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


def _config_with_exporter(tmp_path, section: str):
    import yaml

    from perfstack.config import default_config_path

    data = yaml.safe_load(default_config_path().read_text())
    data["exporter"] = yaml.safe_load(section)
    path = tmp_path / "perf.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_collectors_switched_by_config_and_flags_win(tmp_path):
    cfg = _config_with_exporter(tmp_path, "{collectors: {cpu: false, load: false}, include_loopback: true}")
    with RunningExporter("--config", str(cfg), "--collector.load") as exp:
        status, body, _ = http_get(exp.url + "/metrics")
    assert status == 200
    collectors = {dict(lbls)["collector"] for name, lbls in samples(body)
                  if name == "perfstack_exporter_collector_success"}
    assert "cpu" not in collectors  # off by config
    assert "load" in collectors     # off by config, back on by flag
    assert "memory" in collectors
    devices = {dict(lbls)["device"] for name, lbls in samples(body) if name == "perfstack_network_receive_bytes_total"}
    assert "lo" in devices          # include_loopback from the config


@pytest.mark.parametrize("section,fragment", [
    ("{collectors: {gpu: false}}", "exporter.collectors.gpu: unknown collector"),
    ("{collectors: {disk: 'no'}}", "exporter.collectors: expected a mapping of collector name to true/false"),
    ("{include_loopback: 1}", "exporter.include_loopback: expected true or false"),
])
def test_bad_exporter_config_exits_2_with_one_line(tmp_path, section, fragment):
    cfg = _config_with_exporter(tmp_path, section)
    res = subprocess.run([sys.executable, "-m", "exporter", "--config", str(cfg), "--listen", "127.0.0.1:1"],
                         cwd=REPO_ROOT, capture_output=True, text=True, timeout=30)
    assert res.returncode == 2 and res.stderr.count("\n") == 1, res.stderr
    assert fragment in res.stderr and str(cfg) in res.stderr
