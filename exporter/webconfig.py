"""Read a Prometheus exporter-toolkit ``--web-config`` file: TLS and bcrypt basic auth.

Supported keys (same meaning as in node_exporter)::

    tls_server_config:
      cert_file: server.crt          # relative paths are relative to the web-config file
      key_file: server.key
      client_auth_type: NoClientCert # or VerifyClientCertIfGiven, RequireAndVerifyClientCert
      client_ca_file: ca.crt         # needed when client certificates are verified
      min_version: TLS12             # TLS10..TLS13
    basic_auth_users:
      alice: $2y$10$...              # bcrypt hash (htpasswd -nBC 10 alice)

Anything else is refused with a one-line error rather than silently ignored: a security
setting that is not applied must not look applied.
"""

from __future__ import annotations

import hashlib
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import bcrypt

from perfstack.cli import UsageError
from perfstack.config import ConfigError, read_yaml

__all__ = ["WebConfig", "load_web_config", "parse_web_config", "build_ssl_context", "BasicAuthChecker"]

_CLIENT_AUTH = {
    "NoClientCert": ssl.CERT_NONE,
    "VerifyClientCertIfGiven": ssl.CERT_OPTIONAL,
    "RequireAndVerifyClientCert": ssl.CERT_REQUIRED,
}
_TLS_VERSIONS = {"TLS10": ssl.TLSVersion.TLSv1, "TLS11": ssl.TLSVersion.TLSv1_1,
                 "TLS12": ssl.TLSVersion.TLSv1_2, "TLS13": ssl.TLSVersion.TLSv1_3}


@dataclass(frozen=True, kw_only=True)
class WebConfig:
    """Validated web settings; ``cert_file`` None means plain HTTP."""

    cert_file: Path | None = None
    key_file: Path | None = None
    client_auth_type: str = "NoClientCert"
    client_ca_file: Path | None = None
    min_version: str = "TLS12"
    basic_auth_users: Mapping[str, bytes] = field(default_factory=dict)

    @property
    def tls(self) -> bool:
        return self.cert_file is not None


def _fail(source: str, key: str, expected: str) -> UsageError:
    return UsageError(f"{source}: {key}: {expected}")


def _known(source: str, data: Mapping, prefix: str, known: set[str]) -> None:
    for key in data:
        if key not in known:
            raise _fail(source, f"{prefix}{key}", f"unsupported key (supported: {', '.join(sorted(known))})")


def _file(source: str, base: Path, key: str, raw: Any) -> Path:
    if not isinstance(raw, str) or not raw:
        raise _fail(source, key, f"expected a file path, got {raw!r}")
    path = Path(raw) if Path(raw).is_absolute() else base / raw
    if not path.is_file():
        raise _fail(source, key, f"file not found: {path}")
    return path


def parse_web_config(data: Any, source: str, base_dir: Path) -> WebConfig:
    """Validate a parsed web-config document (pure apart from checking that files exist)."""
    if data is None:
        return WebConfig()
    if not isinstance(data, Mapping):
        raise _fail(source, "<top level>", "expected a mapping")
    _known(source, data, "", {"tls_server_config", "basic_auth_users"})
    settings: dict[str, Any] = {}
    tls = data.get("tls_server_config")
    if tls is not None:
        if not isinstance(tls, Mapping):
            raise _fail(source, "tls_server_config", "expected a mapping")
        _known(source, tls, "tls_server_config.",
               {"cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version"})
        settings["cert_file"] = _file(source, base_dir, "tls_server_config.cert_file", tls.get("cert_file"))
        settings["key_file"] = _file(source, base_dir, "tls_server_config.key_file", tls.get("key_file"))
        auth = tls.get("client_auth_type", "NoClientCert")
        if auth not in _CLIENT_AUTH:
            raise _fail(source, "tls_server_config.client_auth_type", f"expected one of {', '.join(_CLIENT_AUTH)}")
        settings["client_auth_type"] = auth
        if auth != "NoClientCert":
            settings["client_ca_file"] = _file(source, base_dir, "tls_server_config.client_ca_file",
                                               tls.get("client_ca_file"))
        version = tls.get("min_version", "TLS12")
        if version not in _TLS_VERSIONS:
            raise _fail(source, "tls_server_config.min_version", f"expected one of {', '.join(_TLS_VERSIONS)}")
        settings["min_version"] = version
    users = data.get("basic_auth_users")
    if users is not None:
        if not isinstance(users, Mapping) or not users:
            raise _fail(source, "basic_auth_users", "expected a mapping of user name to bcrypt hash")
        hashes = {}
        for user, hashed in users.items():
            if not isinstance(hashed, str) or not hashed.startswith(("$2a$", "$2b$", "$2y$")):
                raise _fail(source, f"basic_auth_users.{user}", "expected a bcrypt hash such as $2y$10$..., "
                            "not a plain password (make one with: htpasswd -nBC 10 USER)")
            hashes[str(user)] = hashed.encode()
        settings["basic_auth_users"] = MappingProxyType(hashes)
    return WebConfig(**settings)


def load_web_config(path: str | Path) -> WebConfig:
    """Read and validate a web-config file; every problem is a one-line :class:`UsageError`."""
    p = Path(path)
    try:
        data = read_yaml(p)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    return parse_web_config(data, str(p), p.resolve().parent)


def build_ssl_context(config: WebConfig) -> ssl.SSLContext | None:
    """Return a server TLS context for ``config``, or None for plain HTTP."""
    if not config.tls:
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = _TLS_VERSIONS[config.min_version]
    try:
        ctx.load_cert_chain(str(config.cert_file), str(config.key_file))
        ctx.verify_mode = _CLIENT_AUTH[config.client_auth_type]
        if config.client_ca_file is not None:
            ctx.load_verify_locations(cafile=str(config.client_ca_file))
    except ssl.SSLError as exc:
        raise UsageError(f"web config: cannot load TLS certificate or key ({exc.reason or exc})") from None
    return ctx


class BasicAuthChecker:
    """Check user/password against bcrypt hashes, caching verdicts because bcrypt is slow on purpose."""

    def __init__(self, users: Mapping[str, bytes], max_cache: int = 1024) -> None:
        self._users = dict(users)
        self._dummy = bcrypt.hashpw(b"perfstack-dummy", bcrypt.gensalt(rounds=4))
        self._cache: dict[bytes, bool] = {}
        self._lock = threading.Lock()
        self._max = max_cache

    def check(self, user: str, password: str) -> bool:
        """Return whether the pair is valid (unknown users still pay one bcrypt, against timing probes)."""
        key = hashlib.sha256(f"{user}\0{password}".encode()).digest()
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        hashed = self._users.get(user)
        ok = bcrypt.checkpw(password.encode(), hashed or self._dummy) and hashed is not None
        with self._lock:
            if len(self._cache) >= self._max:
                self._cache.clear()
            self._cache[key] = ok
        return ok
