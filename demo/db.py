"""The users table: a real SQLite file, seeded with deterministic rows, queried off the event loop.

Each query runs in a worker thread inside the monitor's ``track_query`` so its duration lands in
``db_client_operation_duration_seconds{system="sqlite",operation="select"}``; the slow-db fault
adds its delay *inside* the tracked block, where a slow real database would spend it.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path

__all__ = ["create_database", "UserStore"]

_USER_COLUMNS = ("id", "name", "email", "plan", "tokens_used")
_USER_SQL = "SELECT id, name, email, plan, tokens_used FROM users WHERE id = ?"
_PLANS = ("free", "pro", "team", "enterprise")
_FIRST = ("ada", "alan", "grace", "edsger", "barbara", "donald", "ken", "margaret", "linus", "radia")


def create_database(path: Path, *, rows: int, seed: int = 0) -> None:
    """Create ``path`` with a ``users`` table of ``rows`` deterministic rows (ids 1..rows)."""
    rng = random.Random(seed)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE IF EXISTS users")
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, "
                     "plan TEXT NOT NULL, tokens_used INTEGER NOT NULL)")
        conn.executemany(
            "INSERT INTO users VALUES (?, ?, ?, ?, ?)",
            ((i, f"{rng.choice(_FIRST)}-{i}", f"user{i}@example.test", rng.choice(_PLANS),
              rng.randrange(1_000_000)) for i in range(1, rows + 1)),
        )
    conn.close()


class UserStore:
    """Read users from SQLite through ``track_query`` with an injectable extra delay."""

    def __init__(self, path: Path, *, track_query: Callable[[str, str], AbstractContextManager],
                 extra_delay: Callable[[], float], pool_size: int = 16) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False)
        self._lock = threading.Lock()
        self._track_query = track_query
        self._extra_delay = extra_delay
        # Like a connection pool: bounded, and sized so a slow database is not hidden behind thread starvation.
        self._pool = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="demo-db")

    async def get(self, user_id: int) -> dict | None:
        """Return the user row as a dict, or None when there is no such id."""
        row = await self._run(_USER_SQL, user_id)
        return None if row is None else dict(zip(_USER_COLUMNS, row, strict=True))

    async def tokens_used(self, user_id: int) -> int | None:
        """Return the user's token usage (the per-request quota check), or None for an unknown id."""
        row = await self._run("SELECT tokens_used FROM users WHERE id = ?", user_id)
        return None if row is None else int(row[0])

    def all_users(self) -> list[dict]:
        """Return every row (used once, to warm the cache at start; not tracked as traffic)."""
        with self._lock:
            rows = self._conn.execute(_USER_SQL.replace(" WHERE id = ?", " ORDER BY id")).fetchall()
        return [dict(zip(_USER_COLUMNS, r, strict=True)) for r in rows]

    async def _run(self, sql: str, user_id: int) -> tuple | None:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._query, sql, user_id)

    def _query(self, sql: str, user_id: int) -> tuple | None:
        with self._track_query("sqlite", "select"):
            delay = self._extra_delay()
            if delay > 0:
                time.sleep(delay)
            with self._lock:
                return self._conn.execute(sql, (user_id,)).fetchone()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            self._conn.close()
