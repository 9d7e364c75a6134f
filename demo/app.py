"""The demo service's routes: an LLM-style API whose costs and faults are injected.

:func:`make_app` takes every boundary as an argument (store, cache, fault controller, RNG, sleep,
instrumentation middlewares and the /metrics handler), so tests run it in-process with a seeded
RNG and read the real metrics back.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiohttp import web

from demo import workload
from demo.cache import LruCache
from demo.chaos import FaultController
from demo.db import UserStore

__all__ = ["DemoDeps", "make_app", "ROUTES"]

ROUTES = ("/api/chat", "/api/embeddings", "/api/images", "/api/users/{id}", "/healthz", "/metrics")


@dataclass(frozen=True, kw_only=True)
class DemoDeps:
    """Everything the routes touch, injected."""

    store: UserStore
    cache: LruCache
    faults: FaultController
    rng: random.Random
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    middlewares: Sequence = ()
    metrics_handler: Callable[[web.Request], Awaitable[web.StreamResponse]] | None = None


_DEPS = web.AppKey("deps", DemoDeps)


async def _json_body(request: web.Request) -> dict:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text='{"error": "body is not JSON"}', content_type="application/json") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='{"error": "expected a JSON object"}', content_type="application/json")
    return body


async def _check_quota(deps: DemoDeps, body: dict) -> web.Response | None:
    """Look the caller up in the users table, as a real API checks a key or quota on every call."""
    raw = body.get("user", 1)
    try:
        user_id = int(raw)
    except (TypeError, ValueError):
        return web.json_response({"error": "user must be an integer id"}, status=400)
    if await deps.store.tokens_used(user_id) is None:
        return web.json_response({"error": f"unknown user {user_id}"}, status=403)
    return None


async def _admit(deps: DemoDeps, body: dict) -> web.Response | None:
    """Run the per-request fault and quota checks; return the response that ends the request early."""
    await deps.faults.wait_unstalled()
    return _injected_error(deps) or await _check_quota(deps, body)


def _injected_error(deps: DemoDeps) -> web.Response | None:
    """Return a 500 for the share of requests the errors fault fails."""
    ratio = deps.faults.settings.error_ratio
    if ratio > 0 and deps.rng.random() < ratio:
        return web.json_response({"error": "injected fault: internal error"}, status=500)
    return None


async def chat(request: web.Request) -> web.Response:
    """Answer a completion whose length (and so latency) is drawn from the token distribution."""
    deps = request.app[_DEPS]
    body = await _json_body(request)
    if (err := await _admit(deps, body)) is not None:
        return err
    max_tokens = body.get("max_tokens", 1024)
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        return web.json_response({"error": "max_tokens must be a positive integer"}, status=400)
    tokens = workload.chat_tokens(deps.rng, cap=max_tokens)
    await deps.sleep(workload.chat_seconds(tokens, deps.faults.settings.latency_multiplier))
    return web.json_response({"model": "demo-llm", "usage": {"completion_tokens": tokens},
                              "text": workload.words(deps.rng, min(tokens, 64))})


async def embeddings(request: web.Request) -> web.Response:
    """Return a deterministic embedding of ``input`` after a short model wait."""
    deps = request.app[_DEPS]
    body = await _json_body(request)
    if (err := await _admit(deps, body)) is not None:
        return err
    text = body.get("input", "")
    if not isinstance(text, str):
        return web.json_response({"error": "input must be a string"}, status=400)
    await deps.sleep(workload.embedding_seconds(deps.rng, deps.faults.settings.latency_multiplier))
    return web.json_response({"model": "demo-embed", "embedding": workload.embed(text)})


async def images(request: web.Request) -> web.Response:
    """Render and compress an image (real CPU) and wait for the simulated accelerator."""
    deps = request.app[_DEPS]
    body = await _json_body(request)
    if (err := await _admit(deps, body)) is not None:
        return err
    seed = deps.rng.randrange(2**32)
    data, digest = await asyncio.to_thread(workload.render_image, seed)
    await deps.sleep(workload.image_seconds(deps.rng, deps.faults.settings.latency_multiplier))
    return web.json_response({"model": "demo-image", "bytes": len(data), "sha256": digest})


async def user(request: web.Request) -> web.Response:
    """Return a user from the LRU cache, falling back to SQLite on a miss."""
    deps = request.app[_DEPS]
    await deps.faults.wait_unstalled()
    if (err := _injected_error(deps)) is not None:
        return err
    user_id = int(request.match_info["id"])
    row = deps.cache.get(user_id)
    if row is None:
        row = await deps.store.get(user_id)
        if row is None:
            return web.json_response({"error": f"no user {user_id}"}, status=404)
        deps.cache.put(user_id, row)
    return web.json_response(row)


async def healthz(request: web.Request) -> web.Response:
    """Report liveness and the active faults."""
    return web.json_response({"status": "ok", "fault": list(request.app[_DEPS].faults.settings.names)})


def make_app(deps: DemoDeps) -> web.Application:
    """Build the aiohttp application with its routes and the instrumentation middlewares."""
    app = web.Application(middlewares=list(deps.middlewares))
    app[_DEPS] = deps
    for path, handler in (("/api/chat", chat), ("/api/embeddings", embeddings), ("/api/images", images)):
        app.router.add_post(path, handler)
        app.router.add_get(path, handler)
    app.router.add_get(r"/api/users/{id:\d+}", user)
    app.router.add_get("/healthz", healthz)
    if deps.metrics_handler is not None:
        app.router.add_get("/metrics", deps.metrics_handler)
    return app
