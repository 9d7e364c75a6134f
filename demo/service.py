"""``python -m demo.service``: run the instrumented demo API until SIGINT/SIGTERM.

The fault comes from ``--fault``, else ``DEMO_FAULT``, else none; the latency multiplier from
``--latency-multiplier``, else ``DEMO_LATENCY_MULTIPLIER``. ``--admin-listen`` (loopback only)
serves ``GET/PUT /fault`` to switch faults while it runs.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from aiohttp import web

from demo.addr import parse_listen
from demo.admin import is_loopback
from demo.build import ServiceOptions, build_service
from demo.faults import FAULT_HELP, parse_faults
from perfstack.cli import ArgumentParser, UsageError, run_main
from perfstack.config import PerformanceConfig, load_config

__all__ = ["build_parser", "main"]

PROG = "python -m demo.service"


def build_parser() -> ArgumentParser:
    faults = "; ".join(f"{name}: {text}" for name, text in FAULT_HELP.items()).replace("%", "%%")
    p = ArgumentParser(prog=PROG, description="Run the instrumented demo LLM-style API (chat, embeddings, images, "
                       "SQLite-backed users with an LRU cache) with optional fault injection.")
    p.add_argument("--listen", default="127.0.0.1:8000", help="HOST:PORT to serve the API and /metrics on")
    p.add_argument("--admin-listen", default=None,
                   help="loopback HOST:PORT for the fault admin API (GET/PUT /fault); off when not given")
    p.add_argument("--fault", default=None,
                   help=f"comma-separated faults to inject (default: $DEMO_FAULT or none). {faults}")
    p.add_argument("--latency-multiplier", type=float, default=None,
                   help="scale every simulated model latency (default: $DEMO_LATENCY_MULTIPLIER or the fault's)")
    p.add_argument("--seed", type=int, default=None, help="seed the request RNG for reproducible latencies")
    p.add_argument("--users", type=int, default=1000, help="rows seeded into the users table (ids 1..N)")
    p.add_argument("--cache-capacity", type=int, default=2000, help="entries the users LRU cache holds")
    p.add_argument("--db", type=Path, default=None, help="SQLite file to create (default: a temp file removed at exit)")
    p.add_argument("--config", default=None, help="performance_config.yaml (validated at start)")
    return p


def _options(args, environ) -> tuple[ServiceOptions, tuple[str, int], tuple[str, int] | None]:
    try:
        listen = parse_listen(args.listen)
        admin = parse_listen(args.admin_listen) if args.admin_listen else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if admin is not None and not is_loopback(admin[0]):
        raise UsageError(f"--admin-listen must be a loopback address, got {admin[0]!r}")
    mult = args.latency_multiplier
    if mult is None and environ.get("DEMO_LATENCY_MULTIPLIER"):
        try:
            mult = float(environ["DEMO_LATENCY_MULTIPLIER"])
        except ValueError:
            raise UsageError(f"DEMO_LATENCY_MULTIPLIER: expected a number, got {environ['DEMO_LATENCY_MULTIPLIER']!r}") \
                from None
    try:
        faults = parse_faults(args.fault or environ.get("DEMO_FAULT") or "none", mult)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.users < 1 or args.cache_capacity < 0:
        raise UsageError("--users must be >= 1 and --cache-capacity >= 0")
    return (ServiceOptions(faults=faults, seed=args.seed, users=args.users, cache_capacity=args.cache_capacity,
                           db_path=args.db), listen, admin)


async def serve(options: ServiceOptions, listen: tuple[str, int], admin: tuple[str, int] | None,
                config: PerformanceConfig | None = None) -> None:
    """Serve until SIGINT or SIGTERM, then close everything the service started."""
    service = build_service(options, config=config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runners: list[web.AppRunner] = []
    try:
        await service.start()
        sites = [(service.app, listen)] + ([(service.admin_app, admin)] if admin else [])
        for app, (host, port) in sites:
            runner = web.AppRunner(app, access_log=None, handle_signals=False)
            await runner.setup()
            runners.append(runner)
            await web.TCPSite(runner, host, port).start()
        print(f"demo.service: serving http://{listen[0]}:{listen[1]} (fault: {','.join(options.faults.names)})"
              + (f", admin http://{admin[0]}:{admin[1]}/fault" if admin else ""), flush=True)
        await stop.wait()
    finally:
        for runner in reversed(runners):
            await runner.cleanup()
        await service.close()


def main(argv: list[str] | None = None, environ=None) -> int:
    args = build_parser().parse_args(argv)
    config = load_config(args.config)
    options, listen, admin = _options(args, os.environ if environ is None else environ)
    asyncio.run(serve(options, listen, admin, config))
    return 0


if __name__ == "__main__":
    run_main(PROG, lambda: main(sys.argv[1:]))
