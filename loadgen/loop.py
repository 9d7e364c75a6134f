"""Event loop choice: uvloop when installed (a faster loop for the same code), else asyncio's."""

from __future__ import annotations

import asyncio

__all__ = ["new_event_loop", "loop_name"]


def new_event_loop() -> asyncio.AbstractEventLoop:
    """Return a new uvloop loop if uvloop is importable, else a default asyncio loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def loop_name() -> str:
    """Return ``"uvloop"`` or ``"asyncio"``: what :func:`new_event_loop` will give."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"
