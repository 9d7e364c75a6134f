"""Wire the demo service together: database, cache, faults, instrumentation, routes.

:func:`build_service` is shared by ``python -m demo.service`` and the tests, so what the tests
exercise is what runs.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from prometheus_client import CollectorRegistry

from demo.admin import make_admin_app
from demo.app import DemoDeps, make_app
from demo.cache import LruCache
from demo.chaos import FaultController
from demo.db import UserStore, create_database
from demo.faults import FaultSettings
from demo.instrumentation import Instrumentation, instrument
from perfstack.config import PerformanceConfig

__all__ = ["ServiceOptions", "DemoService", "build_service"]

CACHE_NAME = "users"


@dataclass(frozen=True, kw_only=True)
class ServiceOptions:
    """How to build one demo service."""

    faults: FaultSettings = field(default_factory=FaultSettings)
    seed: int | None = None          # None: a different RNG stream every start
    users: int = 1000                # rows seeded into the users table
    cache_capacity: int = 2000       # larger than the id range, so a healthy cache converges to ~100% hits
    db_path: Path | None = None      # None: a temp file removed on close
    warm_cache: bool = True          # load every user into the cache at start (a warmed cache, ~100% hits)


@dataclass(kw_only=True)
class DemoService:
    """A built service: its app, admin app, registry and what must be closed."""

    app: web.Application
    admin_app: web.Application
    registry: CollectorRegistry
    instrumentation: Instrumentation
    controller: FaultController
    cache: LruCache
    store: UserStore
    _tmpdir: Path | None = None

    async def start(self) -> None:
        await self.controller.start()

    async def close(self) -> None:
        """Stop fault effects, close the DB and remove the temp database."""
        await self.controller.close()
        self.store.close()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)


def build_service(options: ServiceOptions, *, registry: CollectorRegistry | None = None,
                  rng: random.Random | None = None, sleep=None, config: PerformanceConfig | None = None) -> DemoService:
    """Create the database and everything around it; call ``start()`` inside the event loop."""
    registry = registry if registry is not None else CollectorRegistry()
    rng = rng if rng is not None else random.Random(options.seed)
    db_rng = random.Random(rng.random())
    tmpdir = None
    db_path = options.db_path
    if db_path is None:
        tmpdir = Path(tempfile.mkdtemp(prefix="perfstack-demo-db-"))
        db_path = tmpdir / "users.sqlite3"
    create_database(db_path, rows=options.users, seed=0)

    inst = instrument(registry, config)
    monitor = inst.monitor
    capacity = options.cache_capacity
    cache = LruCache(capacity if options.faults.cache_enabled else 0,
                     on_hit=lambda: monitor.cache_hit(CACHE_NAME), on_miss=lambda: monitor.cache_miss(CACHE_NAME))
    controller = FaultController(
        options.faults, on_change=lambda s: cache.resize(capacity if s.cache_enabled else 0))
    store = UserStore(db_path, track_query=monitor.track_query,
                      extra_delay=lambda: db_rng.uniform(*controller.settings.db_delay_seconds))
    if options.warm_cache:
        for row in store.all_users():
            cache.put(row["id"], row)
    deps_kwargs = {"sleep": sleep} if sleep is not None else {}
    deps = DemoDeps(store=store, cache=cache, faults=controller, rng=rng, middlewares=inst.middlewares,
                    metrics_handler=inst.metrics, **deps_kwargs)
    return DemoService(app=make_app(deps), admin_app=make_admin_app(controller), registry=registry,
                       instrumentation=inst, controller=controller, cache=cache, store=store, _tmpdir=tmpdir)
