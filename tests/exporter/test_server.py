"""The exporter's HTTP side in-process: failing collectors, concurrency, formats, lint."""

import asyncio
import os

import aiohttp
from aiohttp.test_utils import TestServer
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics

from exporter.collectors import COLLECTORS, CollectorSettings, build_collectors
from exporter.collectors.disk import DiskCollector
from exporter.collectors.load import LoadCollector
from exporter.host import host_registry
from exporter.server import create_app
from tests.conftest import wait_until
from tests.exporter.helpers import promtool_check, samples, value


class Broken:
    name = "broken"
    metrics = ()

    def collect(self):
        raise OSError("sensor fell off")


async def serve(registry):
    server = TestServer(create_app(registry), host="127.0.0.1")
    await server.start_server()
    return server


async def test_a_raising_collector_reports_zero_and_the_scrape_still_answers():
    server = await serve(host_registry([LoadCollector(getloadavg=lambda: (1.0, 2.0, 3.0)), Broken()]))
    try:
        async with aiohttp.ClientSession() as session, session.get(server.make_url("/metrics")) as resp:
            assert resp.status == 200
            text = await resp.text()
    finally:
        await server.close()
    assert value(text, "perfstack_exporter_collector_success", collector="broken") == 0
    assert value(text, "perfstack_exporter_collector_success", collector="load") == 1
    assert value(text, "perfstack_load15") == 3.0
    assert value(text, "perfstack_exporter_collector_duration_seconds", collector="broken") >= 0


async def test_fifty_concurrent_scrapes_all_succeed_and_lint_clean():
    registry = host_registry(build_collectors(set(COLLECTORS), CollectorSettings(processes=("pytest",))))
    server = await serve(registry)
    try:
        async with aiohttp.ClientSession() as session:
            async def scrape(i):
                accept = "application/openmetrics-text; version=1.0.0" if i % 2 else "text/plain"
                async with session.get(server.make_url("/metrics"), headers={"Accept": accept}) as resp:
                    return resp.status, resp.headers["Content-Type"], await resp.text()

            results = await asyncio.gather(*(scrape(i) for i in range(50)))
            async with session.get(server.make_url("/healthz")) as resp:
                assert (resp.status, await resp.text()) == (200, "ok\n")
    finally:
        await server.close()
    assert [r[0] for r in results] == [200] * 50
    text_bodies = [r[2] for r in results if r[1].startswith("text/plain")]
    om_bodies = [r[2] for r in results if r[1].startswith("application/openmetrics-text")]
    assert len(text_bodies) == 25 and len(om_bodies) == 25
    assert all(b.rstrip().endswith("# EOF") for b in om_bodies)
    om_families = {f.name: f for f in parse_openmetrics(om_bodies[0])}
    assert om_families["perfstack_cpu_seconds"].type == "counter"
    assert om_families["perfstack_cpu_count"].samples[0].value == os.cpu_count()
    assert promtool_check(text_bodies[0]) == ""
    parsed = samples(text_bodies[0])
    assert parsed[("perfstack_cpu_count", ())] == os.cpu_count()
    assert any(name == "perfstack_cpu_seconds_total" and dict(lbls)["mode"] == "idle" for name, lbls in parsed)
    assert all(v == 1 for (name, _), v in parsed.items() if name == "perfstack_exporter_collector_success")


def _written_total(registry) -> float | None:
    values = [s.value for m in registry.collect() for s in m.samples if s.name == "perfstack_disk_written_bytes_total"]
    return sum(values) if values else None


def test_bytes_written_rise_after_writing_and_fsyncing_a_file(tmp_path):
    registry = host_registry([DiskCollector()])
    before = _written_total(registry)
    if before is None:  # a container without disk stats: the family must be cleanly absent
        names = {m.name for m in registry.collect()}
        assert not any(n.startswith("perfstack_disk_") for n in names)
        assert registry.get_sample_value("perfstack_exporter_collector_success", {"collector": "disk"}) == 1
        return
    size = 8 * 1024 * 1024
    with open(tmp_path / "blob", "wb") as f:
        f.write(os.urandom(size))
        f.flush()
        os.fsync(f.fileno())
    wait_until(lambda: _written_total(registry) - before >= size, timeout=10, what="written bytes to rise")
