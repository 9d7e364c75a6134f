"""A timer usable as ``with``, ``async with`` and a decorator, reporting to a callback.

The callback gets the elapsed seconds and whether the block raised; the exception itself is
always re-raised, never swallowed.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["Timer"]


class Timer:
    """Time a block or a function and report ``(seconds, failed)`` to ``on_done``."""

    __slots__ = ("_on_done", "_clock", "_starts")

    def __init__(self, on_done: Callable[[float, bool], None], clock: Callable[[], float]) -> None:
        self._on_done, self._clock = on_done, clock
        self._starts: list[float] = []

    def __enter__(self) -> Timer:
        self._starts.append(self._clock())
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        elapsed = self._clock() - self._starts.pop()
        self._on_done(elapsed, exc_type is not None)
        return False

    async def __aenter__(self) -> Timer:
        return self.__enter__()

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        return self.__exit__(exc_type, exc, tb)

    def __call__(self, func: Callable) -> Callable:
        """Decorate ``func`` so every call is timed with its own timer (safe under concurrency)."""
        on_done, clock = self._on_done, self._clock
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with Timer(on_done, clock):
                    return await func(*args, **kwargs)
            return async_wrapper

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with Timer(on_done, clock):
                return func(*args, **kwargs)
        return wrapper
