"""``python -m exporter``: serve host metrics for Prometheus on 127.0.0.1:9101."""

from __future__ import annotations

import argparse
import ipaddress
import sys
from collections.abc import Mapping
from typing import NoReturn

from aiohttp import web

from exporter.collectors import COLLECTORS, DEFAULT_ENABLED, CollectorSettings, build_collectors
from exporter.host import host_registry
from exporter.server import create_app
from exporter.webconfig import WebConfig, build_ssl_context, load_web_config
from perfstack.cli import ArgumentParser, UsageError, run_main
from perfstack.config import load_config

__all__ = ["main", "build_parser", "parse_listen", "run"]

PROG = "python -m exporter"


def parse_listen(text: str) -> tuple[str, int]:
    """Return (host, port) from ``HOST:PORT``, ``[v6]:PORT`` or ``:PORT`` (host defaults to 127.0.0.1)."""
    host, sep, port_text = text.rpartition(":")
    if not sep or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise UsageError(f"--listen: expected HOST:PORT such as 127.0.0.1:9101, got {text!r}")
    host = host.strip("[]") or "127.0.0.1"
    if host != "localhost":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise UsageError(f"--listen: expected an IP address or localhost, got {host!r}") from None
    return host, int(port_text)


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog=PROG,
        description="Serve host metrics (CPU, memory, disk, network, filesystems, load, processes) collected "
                    "with psutil on every scrape, at /metrics (Prometheus text or OpenMetrics) and /healthz.")
    parser.add_argument("--listen", default="127.0.0.1:9101", metavar="HOST:PORT",
                        help="address to serve on; binds loopback only unless you name another address")
    parser.add_argument("--config", default=None, metavar="FILE",
                        help="performance_config.yaml to validate; None means the repository's file")
    parser.add_argument("--web-config", default=None, metavar="FILE",
                        help="Prometheus exporter-toolkit web config: TLS (tls_server_config) and basic auth "
                             "(basic_auth_users with bcrypt hashes); None means plain HTTP, no auth")
    parser.add_argument("--process", action="append", default=[], metavar="NAME",
                        help="also export CPU, RSS, open fds and threads of processes with this name or "
                             "argument basename (repeatable)")
    parser.add_argument("--include-loopback", action="store_true",
                        help="include loopback interfaces in the network metrics")
    collectors = parser.add_argument_group("collectors (all enabled by default)")
    for name, cls in COLLECTORS.items():
        summary = (sys.modules[cls.__module__].__doc__ or "").strip().splitlines()[0].rstrip(".")
        group = collectors.add_mutually_exclusive_group()
        group.add_argument(f"--collector.{name}", dest=f"collector_{name}", action="store_true",
                           default=argparse.SUPPRESS, help=f"enable {name} ({summary})")
        group.add_argument(f"--no-collector.{name}", dest=f"collector_{name}", action="store_false",
                           default=argparse.SUPPRESS, help=f"disable the {name} collector")
    return parser


def enabled_collectors(args: argparse.Namespace, configured: Mapping[str, bool] | None = None,
                       source: str = "<config>") -> frozenset[str]:
    """Apply the config's ``exporter.collectors`` switches, then the --collector.NAME flags, to the defaults."""
    enabled = set(DEFAULT_ENABLED)
    for name, on in (configured or {}).items():
        if name not in COLLECTORS:
            raise UsageError(f"{source}: exporter.collectors.{name}: unknown collector "
                             f"(known: {', '.join(COLLECTORS)})")
        (enabled.add if on else enabled.discard)(name)
    for name in COLLECTORS:
        flag = getattr(args, f"collector_{name}", None)
        if flag is True:
            enabled.add(name)
        elif flag is False:
            enabled.discard(name)
    return frozenset(enabled)


def run(argv: list[str]) -> int:
    """Parse ``argv``, build the collectors and serve until interrupted."""
    args = build_parser().parse_args(argv)
    config = load_config(args.config)
    defaults = config.exporter
    host, port = parse_listen(args.listen)
    web_config = load_web_config(args.web_config) if args.web_config else WebConfig()
    ssl_context = build_ssl_context(web_config)
    settings = CollectorSettings(processes=tuple(args.process) or defaults.processes,
                                 include_loopback=args.include_loopback or defaults.include_loopback)
    registry = host_registry(build_collectors(enabled_collectors(args, defaults.collectors, config.source), settings))
    scheme = "https" if ssl_context else "http"

    def announce(_: str) -> None:  # called by aiohttp once the socket is bound
        print(f"{PROG}: serving metrics on {scheme}://{host}:{port}/metrics", file=sys.stderr, flush=True)

    web.run_app(create_app(registry, web_config), host=host, port=port, ssl_context=ssl_context,
                print=announce, access_log=None, handle_signals=True)
    return 0


def main() -> NoReturn:
    """Console-script entry point (``perfstack-exporter``)."""
    run_main(PROG, lambda: run(sys.argv[1:]))


if __name__ == "__main__":
    main()
