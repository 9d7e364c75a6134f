"""Every host:port the stack's configs point at is a compose service that listens there.

Prometheus (compose variant), Alertmanager and Grafana configs are read as mounted into their
containers; a target such as ``demo:8000`` must name a service that exposes 8000.
"""

from __future__ import annotations

import glob
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from perfstack.gen import alertmanager_config
from tests.compose.stack import REPO_ROOT, container_path_to_repo, exposed, load_compose, mounts

URL = re.compile(r"https?://[^\s'\"]+")
CONTRACT_TARGETS = {"prometheus": "prometheus:9090", "alertmanager": "alertmanager:9093", "exporter": "exporter:9101",
                    "loadgen": "loadgen:9102", "app": "demo:8000", "analyzer": "analyzer:9103"}


@pytest.fixture(scope="module")
def services() -> dict:
    return load_compose()["services"]


def _mounted_file(services: dict, service: str, flag: str) -> tuple[str, object]:
    """Return (container path, repo path) of the file a service's ``--flag=path`` names."""
    cmd = [str(c) for c in services[service]["command"]]
    path = next(a.split("=", 1)[1] for a in cmd if a.startswith(flag + "="))
    repo = container_path_to_repo(services[service], path)
    assert repo is not None, f"{service}: {path} is not bind-mounted from the repo"
    assert repo.is_file(), f"{service}: {path} → {repo} does not exist (run: make generate)"
    return path, repo


def _assert_service_port(services: dict, hostport: str, where: str) -> None:
    host, _, port = hostport.rpartition(":")
    assert host in services, f"{where}: {hostport} names no compose service (services: {sorted(services)})"
    assert port.isdigit() and int(port) in exposed(services[host]), \
        f"{where}: {host} does not listen on {port} (exposes {sorted(exposed(services[host]))})"


def _urls(node) -> list[str]:
    if isinstance(node, dict):
        return [u for v in node.values() for u in _urls(v)]
    if isinstance(node, list):
        return [u for v in node for u in _urls(v)]
    return URL.findall(node) if isinstance(node, str) else []


def test_prometheus_scrape_targets_and_alertmanagers_are_compose_services(services):
    _, repo = _mounted_file(services, "prometheus", "--config.file")
    config = yaml.safe_load(repo.read_text())
    targets: dict[str, list[str]] = {}
    for job in config["scrape_configs"]:
        for sc in job.get("static_configs", []):
            targets.setdefault(job["job_name"], []).extend(sc["targets"])
    assert targets, "no static scrape targets in the compose Prometheus config"
    for job, tgts in targets.items():
        for t in tgts:
            _assert_service_port(services, t, f"scrape job {job}")
    for job, expected in CONTRACT_TARGETS.items():
        assert expected in targets.get(job, []), f"scrape job {job} should scrape {expected}, has {targets.get(job)}"
    am_targets = [t for am in config["alerting"]["alertmanagers"] for sc in am["static_configs"] for t in sc["targets"]]
    assert am_targets
    for t in am_targets:
        _assert_service_port(services, t, "alerting.alertmanagers")


def test_prometheus_rule_files_are_mounted(services):
    container_cfg, repo = _mounted_file(services, "prometheus", "--config.file")
    config = yaml.safe_load(repo.read_text())
    assert config.get("rule_files"), "the compose Prometheus loads no rules"
    base = container_cfg.rsplit("/", 1)[0]
    for pattern in config["rule_files"]:
        container_pattern = pattern if pattern.startswith("/") else f"{base}/{pattern}"
        repo_pattern = container_path_to_repo(services["prometheus"], container_pattern)
        assert repo_pattern is not None, f"rule_files {pattern}: not mounted into the container"
        assert glob.glob(str(repo_pattern)), f"rule_files {pattern}: no file matches {repo_pattern}"


def test_prometheus_compose_config_passes_promtool(services, tmp_path):
    """promtool resolves rule files relative to the config, as Prometheus in the container does."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed (make deps)")
    container_cfg, repo = _mounted_file(services, "prometheus", "--config.file")
    root = _container_root(services, "prometheus", tmp_path / "container")
    res = subprocess.run([promtool, "check", "config", str(root / container_cfg.lstrip("/"))],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr


def _container_root(services: dict, service: str, root: Path) -> Path:
    """Lay out a service's bind mounts under ``root`` as symlinks, as its container would see them."""
    for m in mounts(services[service]):
        if m.is_bind:
            dest = root / m.target.lstrip("/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.symlink_to((REPO_ROOT / m.source).resolve())
    return root


def _render_alertmanager_config(services: dict, root: Path, environ: dict[str, str]) -> Path:
    """Run the alertmanager-config job's command in-process; return the file Alertmanager would read."""
    job, am = services["alertmanager-config"], services["alertmanager"]
    cmd = [str(c) for c in job["command"]]
    assert cmd[:3] == ["python", "-m", "perfstack.gen.alertmanager_config"], cmd
    out = cmd[cmd.index("--output") + 1]
    (job_volume,) = [m for m in mounts(job) if not m.is_bind and out.startswith(m.target + "/")]
    (am_volume,) = [m for m in mounts(am) if m.source == job_volume.source]
    assert am_volume.read_only, "Alertmanager should mount the rendered config read-only"
    rendered = root / am_volume.target.lstrip("/") / out[len(job_volume.target) + 1:]
    rendered.parent.mkdir(parents=True, exist_ok=True)
    cmd[cmd.index("--output") + 1] = str(rendered)
    assert alertmanager_config.main(cmd[3:], environ={**job["environment"], **environ}) == 0
    config_flag = next(a for a in am["command"] if a.startswith("--config.file="))
    assert config_flag == f"--config.file={am_volume.target}/{out[len(job_volume.target) + 1:]}", config_flag
    return rendered


def test_alertmanager_config_as_rendered_in_compose_is_valid(services, tmp_path):
    root = _container_root(services, "alertmanager", tmp_path / "container")
    rendered = _render_alertmanager_config(services, root, {})
    config = yaml.safe_load(rendered.read_text())
    for pattern in config.get("templates", []):
        assert glob.glob(str(rendered.parent / pattern)), f"templates {pattern}: nothing mounted there"
    amtool = shutil.which("amtool")
    if amtool:
        res = subprocess.run([amtool, "check-config", str(rendered)], capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, res.stdout + res.stderr


def test_alertmanager_urls_name_compose_services_or_come_from_the_environment(services, tmp_path):
    root = _container_root(services, "alertmanager", tmp_path / "container")
    hooks = {"PERFSTACK_PAGING_WEBHOOK_URL": "https://pager.example.com/hook",
             "PERFSTACK_TEAM_WEBHOOK_URL": "http://demo:8000/hook"}
    compose_env = load_compose({"GRAFANA_ADMIN_PASSWORD": "x", **hooks})["services"]
    config = yaml.safe_load(_render_alertmanager_config(compose_env, root, {}).read_text())
    urls = _urls(config)
    assert set(hooks.values()) <= set(urls), f"webhook URLs do not come from the environment: {urls}"
    for url in urls:
        parts = urlsplit(url)
        if parts.hostname in ("localhost", "127.0.0.1"):
            pytest.fail(f"alertmanager {url}: loopback inside the container is Alertmanager itself")
        if "." not in (parts.hostname or ""):
            _assert_service_port(services, f"{parts.hostname}:{parts.port or 80}", f"alertmanager {url}")


def test_grafana_provisioning_points_at_compose_services_and_mounted_dashboards(services):
    grafana = services["grafana"]
    ds_file = container_path_to_repo(grafana, "/etc/grafana/provisioning/datasources/prometheus.yml")
    datasources = yaml.safe_load(ds_file.read_text())["datasources"]
    for ds in datasources:
        parts = urlsplit(ds["url"])
        _assert_service_port(services, f"{parts.hostname}:{parts.port}", f"grafana datasource {ds['name']}")
    providers = yaml.safe_load(container_path_to_repo(
        grafana, "/etc/grafana/provisioning/dashboards/perfstack.yml").read_text())["providers"]
    for provider in providers:
        repo_dir = container_path_to_repo(grafana, provider["options"]["path"])
        assert repo_dir == (REPO_ROOT / "grafana/dashboards").resolve(), provider
        assert sorted(p.name for p in repo_dir.glob("*.json")), "no dashboards to provision"
    home = container_path_to_repo(grafana, grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"])
    assert home is not None and home.is_file()


def test_grafana_rate_interval_matches_the_compose_scrape_interval(services):
    """$__rate_interval is 4 x the datasource's timeInterval; it must be the real scrape interval."""
    _, repo = _mounted_file(services, "prometheus", "--config.file")
    scrape = yaml.safe_load(repo.read_text())["global"]["scrape_interval"]
    ds = yaml.safe_load((REPO_ROOT / "grafana/provisioning/datasources/prometheus.yml").read_text())["datasources"][0]
    assert ds["jsonData"]["timeInterval"] == scrape


@pytest.mark.parametrize("service", ["exporter", "demo", "analyzer", "loadgen", "analyze"])
def test_python_service_commands_exist_with_those_flags(services, service):
    """Each service's ``python -m module`` accepts the flags compose passes (read back from --help)."""
    cmd = [str(c) for c in services[service]["command"]]
    assert cmd[:2] == ["python", "-m"], cmd
    argv = cmd[2:3] + ([cmd[3]] if len(cmd) > 3 and not cmd[3].startswith("-") else [])
    res = subprocess.run([sys.executable, "-m", *argv, "--help"], capture_output=True, text=True, timeout=30,
                         cwd=REPO_ROOT)
    assert res.returncode == 0, f"python -m {' '.join(argv)} --help failed:\n{res.stderr[-800:]}"
    for flag in (a for a in cmd if a.startswith("--")):
        assert flag.split("=", 1)[0] in res.stdout, f"{service}: {flag} is not an option of python -m {' '.join(argv)}"
    for arg in cmd:
        if arg.startswith("/app/"):
            assert (REPO_ROOT / arg.removeprefix("/app/")).exists(), f"{service}: {arg} is not in the image"
