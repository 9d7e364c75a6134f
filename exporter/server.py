"""The exporter's HTTP side: ``/metrics`` (text or OpenMetrics), ``/healthz``, optional basic auth.

Collection runs in a worker thread per scrape, so psutil's blocking calls never stall the
event loop and concurrent scrapes proceed side by side.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Callable

from aiohttp import web
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder

from exporter.webconfig import BasicAuthChecker, WebConfig

__all__ = ["create_app", "render_registry"]

_INDEX = b"""<html><head><title>perfstack exporter</title></head><body>
<h1>perfstack exporter</h1><p><a href="/metrics">/metrics</a> &middot; <a href="/healthz">/healthz</a></p>
</body></html>"""


def render_registry(registry: CollectorRegistry, accept: str | None) -> tuple[bytes, str]:
    """Return the exposition of ``registry`` in the format ``accept`` asks for."""
    encoder, content_type = choose_encoder(accept or "")
    return encoder(registry), content_type


def _basic_auth_middleware(checker: BasicAuthChecker) -> Callable:
    unauthorized = {"WWW-Authenticate": 'Basic realm="perfstack exporter"'}

    @web.middleware
    async def middleware(request: web.Request, handler: Callable) -> web.StreamResponse:
        header = request.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                user, sep, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                sep = ""
            if sep:
                ok = await asyncio.get_running_loop().run_in_executor(None, checker.check, user, password)
                if ok:
                    return await handler(request)
        return web.Response(status=401, text="Unauthorized\n", headers=unauthorized)

    return middleware


def create_app(registry: CollectorRegistry, web_config: WebConfig | None = None) -> web.Application:
    """Build the aiohttp application serving ``registry``."""
    middlewares = []
    if web_config is not None and web_config.basic_auth_users:
        middlewares.append(_basic_auth_middleware(BasicAuthChecker(web_config.basic_auth_users)))
    app = web.Application(middlewares=middlewares)

    async def metrics(request: web.Request) -> web.Response:
        loop = asyncio.get_running_loop()
        body, content_type = await loop.run_in_executor(None, render_registry, registry,
                                                        request.headers.get("Accept"))
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def index(request: web.Request) -> web.Response:
        return web.Response(body=_INDEX, content_type="text/html")

    app.router.add_get("/metrics", metrics)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/", index)
    return app
