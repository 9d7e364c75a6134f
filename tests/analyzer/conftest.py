"""One backfilled Prometheus holding every scenario slot, shared by the end-to-end analyzer tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from perfstack.services import ManagedProcess, backfill_openmetrics, start_prometheus
from tests.conftest import scrape_config

from .scenarios import Layout, build_history, layout


@pytest.fixture(scope="session")
def scenario_layout() -> Layout:
    return layout()


@pytest.fixture(scope="session")
def scenario_prometheus(tmp_path_factory, scenario_layout) -> Iterator[ManagedProcess]:
    """Prometheus (no scrape targets, no rules) over the backfilled scenario history."""
    wd = tmp_path_factory.mktemp("analyzer-prom")
    backfill_openmetrics(build_history(scenario_layout), wd / "data")
    proc = start_prometheus(scrape_config({}), workdir=wd, data_dir=wd / "data", retention="3650d")
    yield proc
    proc.stop()
