"""HTTP engines: the only part of the load generator that changes between ``aiohttp`` and ``fast``.

Engines are looked up by name so the CLI, scenario YAML and workers all agree; each module is
imported only when chosen, so ``fast``'s optional dependencies (uvloop, httptools) stay optional.
"""

from __future__ import annotations

from loadgen.engines.base import Engine

__all__ = ["ENGINE_NAMES", "make_engine"]

ENGINE_NAMES = ("aiohttp", "fast")


def make_engine(name: str, *, max_connections: int) -> Engine:
    """Return a new engine called ``name`` allowing up to ``max_connections`` open connections."""
    if name == "aiohttp":
        from loadgen.engines.aiohttp_engine import AiohttpEngine

        return AiohttpEngine(max_connections=max_connections)
    if name == "fast":
        from loadgen.engines.fast import FastEngine

        return FastEngine(max_connections=max_connections)
    raise ValueError(f"unknown engine {name!r} (expected one of: {', '.join(ENGINE_NAMES)})")
