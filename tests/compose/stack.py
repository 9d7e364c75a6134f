"""Read docker-compose.yml the way ``docker compose config`` would, without a Docker engine.

Only what the compose tests need: ``${VAR:-default}`` interpolation against an environment,
YAML anchors and merge keys (PyYAML resolves them), short-syntax volumes and ports, and the
ports each service listens on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"

_VAR = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


class MissingVariable(ValueError):
    """A ``${VAR:?message}`` was not set."""


def interpolate(text: str, env: dict[str, str]) -> str:
    """Expand ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}`` like compose does."""
    def expand(m: re.Match) -> str:
        name, op, arg = m.group("name"), m.group("op"), m.group("arg")
        value = env.get(name)
        if op in (":-", "-"):
            return value if value not in (None, "") or (op == "-" and value is not None) else arg
        if op in (":?", "?"):
            if value in (None, "") if op == ":?" else value is None:
                raise MissingVariable(f"{name}: {arg}")
            return value
        return value or ""
    return _VAR.sub(expand, text)


def load_compose(env: dict[str, str] | None = None) -> dict:
    """Parse docker-compose.yml after interpolating ``env`` (default: nothing set but the required)."""
    env = {"GRAFANA_ADMIN_PASSWORD": "x"} if env is None else env
    return yaml.safe_load(interpolate(COMPOSE_FILE.read_text(), env))


@dataclass(frozen=True, kw_only=True)
class Mount:
    source: str
    target: str
    read_only: bool

    @property
    def is_bind(self) -> bool:
        return self.source.startswith((".", "/", "~"))


def mounts(service: dict) -> list[Mount]:
    """Return a service's short-syntax volumes."""
    out = []
    for spec in service.get("volumes", []):
        parts = spec.split(":")
        out.append(Mount(source=parts[0], target=parts[1], read_only=len(parts) > 2 and "ro" in parts[2].split(",")))
    return out


def container_path_to_repo(service: dict, container_path: str) -> Path | None:
    """Map a path inside the container to the repo file a bind mount provides (None if not mounted)."""
    for m in sorted(mounts(service), key=lambda m: -len(m.target)):
        if m.is_bind and (container_path == m.target or container_path.startswith(m.target.rstrip("/") + "/")):
            return (REPO_ROOT / m.source).resolve() / container_path[len(m.target):].lstrip("/")
    return None


def published(service: dict) -> list[tuple[str, int, int]]:
    """Return ``(host_ip, host_port, container_port)`` for each ``ip:host:container`` port."""
    out = []
    for spec in service.get("ports", []):
        ip, host, container = str(spec).rsplit(":", 2)
        out.append((ip, int(host), int(container)))
    return out


def command_flag(service: dict, flag: str) -> str | None:
    """Return the value after ``flag`` (or of ``flag=value``) in the service's command."""
    cmd = service.get("command", [])
    cmd = cmd.split() if isinstance(cmd, str) else [str(c) for c in cmd]
    for i, arg in enumerate(cmd):
        if arg == flag and i + 1 < len(cmd):
            return cmd[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


def exposed(service: dict) -> set[int]:
    """Return the ports a service declares under ``expose``."""
    return {int(p) for p in service.get("expose", [])}


def listen_ports(service: dict) -> set[int]:
    """Return the ports the service's command tells it to listen on (``--listen`` and friends)."""
    ports: set[int] = set()
    for flag in ("--listen", "--metrics-listen", "--web.listen-address"):
        value = command_flag(service, flag)
        if value:
            ports.add(int(value.rsplit(":", 1)[1]))
    return ports
