"""Fixtures for loadgen tests: a fault-injecting target, the engines to test, a CLI runner.

Pipeline tests take ``engine_name`` so they run against every engine that imports: aiohttp
always, ``fast`` as soon as ``loadgen/engines/fast.py`` exists and imports.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.loadgen.fault_target import FaultTarget

REPO = Path(__file__).resolve().parents[2]


def _engines() -> list[str]:
    names = ["aiohttp"]
    if (REPO / "loadgen" / "engines" / "fast.py").exists():
        try:
            importlib.import_module("loadgen.engines.fast")
            names.append("fast")
        except Exception:  # noqa: BLE001 - an engine that does not import is simply not tested here
            pass
    return names


ENGINES = _engines()


@pytest.fixture(params=ENGINES)
def engine_name(request) -> str:
    """Each available engine in turn."""
    return request.param


@pytest.fixture(scope="module")
def target() -> Iterator[FaultTarget]:
    """A running fault target shared by the tests of one module."""
    with FaultTarget() as t:
        yield t


def loadgen_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "loadgen", *args]


def run_loadgen(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``python -m loadgen ARGS`` to completion and return the result."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(loadgen_cmd(*args), cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


def quick_run_args(url: str, *extra: str, duration: str = "1s") -> list[str]:
    """Common flags for a short, quiet run with no metrics endpoint."""
    return ["run", "--base-url", url, "--duration", duration, "--ramp-up", "0s", "--metrics-listen", "",
            "--linger", "0s", "--quiet", *extra]


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text())
