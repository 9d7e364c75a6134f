"""A small in-process LRU cache that reports every lookup as a hit or a miss.

The reporting is injected (``on_hit``/``on_miss``), so the same cache feeds the exporter's
``cache_requests_total`` in the service and a plain counter in tests.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["LruCache"]

_MISSING = object()


class LruCache:
    """Least-recently-used cache with a capacity that can change at run time (0 disables it)."""

    def __init__(self, capacity: int, *, on_hit: Callable[[], None], on_miss: Callable[[], None]) -> None:
        if capacity < 0:
            raise ValueError(f"cache capacity must be >= 0, got {capacity}")
        self._capacity = capacity
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._on_hit, self._on_miss = on_hit, on_miss

    @property
    def capacity(self) -> int:
        return self._capacity

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> Any:
        """Return the cached value or ``None``; count the lookup as a hit or a miss."""
        value = self._items.get(key, _MISSING)
        if value is _MISSING:
            self._on_miss()
            return None
        self._items.move_to_end(key)
        self._on_hit()
        return value

    def put(self, key: Hashable, value: Any) -> None:
        """Store ``value``, evicting the least recently used entries past the capacity."""
        if self._capacity == 0:
            return
        self._items[key] = value
        self._items.move_to_end(key)
        self._evict()

    def resize(self, capacity: int) -> None:
        """Change the capacity; shrinking evicts immediately, 0 empties and disables the cache."""
        if capacity < 0:
            raise ValueError(f"cache capacity must be >= 0, got {capacity}")
        self._capacity = capacity
        self._evict()

    def _evict(self) -> None:
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)
