"""The loopback-only admin API: read and switch the active fault at run time.

``GET /fault`` shows the settings; ``PUT /fault`` (or POST) with ``{"fault": "slow-db,errors",
"latency_multiplier": 2}`` switches them. It refuses to listen anywhere but loopback, and answers
403 to any peer that is not loopback, because it can make the service fail on purpose.
"""

from __future__ import annotations

import ipaddress

from aiohttp import web

from demo.chaos import FaultController
from demo.faults import FAULT_HELP, parse_faults

__all__ = ["make_admin_app", "is_loopback"]

_CONTROLLER = web.AppKey("controller", FaultController)


def is_loopback(host: str) -> bool:
    """Return True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@web.middleware
async def _loopback_only(request: web.Request, handler):
    if not is_loopback(request.remote or ""):
        return web.json_response({"error": "admin API is loopback only"}, status=403)
    return await handler(request)


async def _show(request: web.Request) -> web.Response:
    settings = request.app[_CONTROLLER].settings
    return web.json_response({"settings": settings.as_dict(), "faults": FAULT_HELP})


async def _switch(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except ValueError:
        return web.json_response({"error": "body is not JSON"}, status=400)
    if not isinstance(body, dict) or not set(body) <= {"fault", "latency_multiplier"}:
        return web.json_response({"error": "expected {\"fault\": NAMES, \"latency_multiplier\": NUMBER}"}, status=400)
    fault, mult = body.get("fault", "none"), body.get("latency_multiplier")
    if not isinstance(fault, str) or (mult is not None and (isinstance(mult, bool) or
                                                            not isinstance(mult, int | float))):
        return web.json_response({"error": "fault must be a string, latency_multiplier a number"}, status=400)
    try:
        settings = parse_faults(fault, mult)
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    request.app[_CONTROLLER].apply(settings)
    return web.json_response({"settings": settings.as_dict()})


def make_admin_app(controller: FaultController) -> web.Application:
    """Build the admin application around the service's fault controller."""
    app = web.Application(middlewares=[_loopback_only])
    app[_CONTROLLER] = controller
    app.router.add_get("/fault", _show)
    app.router.add_put("/fault", _switch)
    app.router.add_post("/fault", _switch)
    return app
