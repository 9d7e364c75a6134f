"""docker-compose.yml is valid, safe by default, and every path it mounts exists.

No Docker engine runs here, so these tests check what ``docker compose up`` would trip on.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.compose.stack import (
    COMPOSE_FILE,
    REPO_ROOT,
    MissingVariable,
    exposed,
    listen_ports,
    load_compose,
    mounts,
    published,
)

EXPECTED_SERVICES = {"prometheus", "alertmanager-config", "alertmanager", "grafana", "exporter", "demo", "analyzer",
                     "loadgen", "analyze"}
PINNED_TAG = re.compile(r"^[\w./-]+:v?\d+\.\d+\.\d+$")


def _check_jsonschema(path: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or shutil.which("check-jsonschema")
    assert exe, "check-jsonschema is not installed (pip install -e '.[dev]')"
    return subprocess.run([exe, "--builtin-schema", "vendor.compose-spec", str(path)],
                          capture_output=True, text=True, timeout=60)


def test_compose_file_matches_the_compose_spec():
    res = _check_jsonschema(COMPOSE_FILE)
    assert res.returncode == 0, res.stdout + res.stderr


def test_compose_spec_check_rejects_a_broken_file(tmp_path):
    broken = yaml.safe_load(COMPOSE_FILE.read_text())
    broken["services"]["demo"]["healthcheck"]["retries"] = "many"
    broken["services"]["demo"]["no_such_key"] = True
    (tmp_path / "docker-compose.yml").write_text(yaml.safe_dump(broken))
    res = _check_jsonschema(tmp_path / "docker-compose.yml")
    assert res.returncode != 0, "the compose-spec check accepted an invalid file, so it checks nothing"


def test_services_and_profiles():
    services = load_compose()["services"]
    assert set(services) == EXPECTED_SERVICES
    assert services["loadgen"]["profiles"] == ["load"]
    assert services["analyze"]["profiles"] == ["analyze"]
    always_on = {name for name, s in services.items() if not s.get("profiles")}
    assert always_on == EXPECTED_SERVICES - {"loadgen", "analyze"}


def test_images_are_pinned_to_exact_versions():
    services = load_compose()["services"]
    for name, svc in services.items():
        if "build" in svc:
            continue
        assert PINNED_TAG.match(svc["image"]), f"{name}: image {svc['image']!r} is not pinned to an exact version"
    assert services["prometheus"]["image"] == "prom/prometheus:v2.42.0"
    assert services["alertmanager"]["image"] == "prom/alertmanager:v0.25.0"


def test_every_service_has_a_health_check_and_waits_for_healthy_dependencies():
    services = load_compose()["services"]
    for name, svc in services.items():
        test = svc.get("healthcheck", {}).get("test")
        assert test and test[0] == "CMD", f"{name}: no exec-form health check"
        for dep, cond in svc.get("depends_on", {}).items():
            assert dep in services, f"{name} depends on unknown service {dep}"
            one_shot = services[dep].get("restart") == "no" and not services[dep].get("expose")
            wanted = "service_completed_successfully" if one_shot else "service_healthy"
            assert cond == {"condition": wanted}, f"{name} → {dep}: {cond}"
    probes = {name: " ".join(svc["healthcheck"]["test"]) for name, svc in services.items()}
    for name in ("prometheus", "alertmanager"):
        assert "/-/ready" in probes[name], probes[name]
    assert "/api/health" in probes["grafana"]
    for name in ("exporter", "demo", "analyzer"):
        assert "/healthz" in probes[name] and "urllib" in probes[name], probes[name]
    for name, svc in services.items():
        for port in re.findall(r"127\.0\.0\.1:(\d+)/", probes[name]):
            assert int(port) in exposed(svc), f"{name}: health check probes port {port} it does not expose"
    assert "prometheus" in services["grafana"]["depends_on"]
    assert "demo" in services["loadgen"]["depends_on"]


def test_published_ports_bind_to_loopback_by_default():
    services = load_compose()["services"]
    for name, svc in services.items():
        for ip, _host, container in published(svc):
            assert ip == "127.0.0.1", f"{name}: port {container} published on {ip}"
            assert container in exposed(svc), f"{name}: publishes {container} but does not expose it"
    env = {"GRAFANA_ADMIN_PASSWORD": "x", "PERFSTACK_BIND_ADDRESS": "10.0.0.5"}
    moved = load_compose(env)["services"]["grafana"]
    assert published(moved)[0][0] == "10.0.0.5", "PERFSTACK_BIND_ADDRESS does not move the published ports"


def test_commands_listen_on_the_ports_they_expose():
    for name, svc in load_compose()["services"].items():
        assert listen_ports(svc) <= exposed(svc), f"{name}: listens on {listen_ports(svc)}, exposes {exposed(svc)}"
        if "build" in svc and name != "analyze":
            for port in listen_ports(svc):
                flag_host = [a for a in svc["command"] if str(a).endswith(f":{port}")][0]
                assert flag_host.startswith("0.0.0.0:"), f"{name} listens on {flag_host}: unreachable from other containers"


def test_named_volumes_are_declared_and_bind_mounts_exist():
    compose = load_compose()
    declared = set(compose.get("volumes") or {})
    used = set()
    for name, svc in compose["services"].items():
        for m in mounts(svc):
            if m.is_bind:
                src = (REPO_ROOT / m.source).resolve()
                assert src.exists(), f"{name}: bind mount source {m.source} does not exist"
                assert m.read_only, f"{name}: config bind mount {m.source} should be read-only"
            else:
                assert m.source in declared, f"{name}: volume {m.source} is not declared"
                used.add(m.source)
    assert used == declared, f"declared but unused volumes: {declared - used}"
    for stateful in ("prometheus", "alertmanager", "grafana"):
        assert any(not m.is_bind for m in mounts(compose["services"][stateful])), f"{stateful} keeps no data volume"


def test_grafana_admin_password_comes_from_the_environment_and_anonymous_access_is_off():
    with pytest.raises(MissingVariable, match="GRAFANA_ADMIN_PASSWORD"):
        load_compose({})
    env = load_compose({"GRAFANA_ADMIN_PASSWORD": "s3cret"})["services"]["grafana"]["environment"]
    assert env["GF_SECURITY_ADMIN_PASSWORD"] == "s3cret"
    assert env["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
    example = dict(line.split("=", 1) for line in (REPO_ROOT / ".env.example").read_text().splitlines()
                   if line and not line.startswith("#"))
    assert "GRAFANA_ADMIN_PASSWORD" in example
    assert example.get("PERFSTACK_BIND_ADDRESS") == "127.0.0.1"
