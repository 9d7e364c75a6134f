"""FastHistogram renders exactly what prometheus-client's Histogram would, only faster."""

import random

import pytest
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics

from exporter import HTTP_DURATION_BUCKETS, PerformanceMonitor
from exporter.fast_histogram import FastHistogram
from tests.exporter.helpers import promtool_check, samples

LABELS = [("GET", "/users/{id}", "200"), ("POST", 'we"ird\\path\nwith%percent', "500"), ("GET", "/", "404")]


def test_render_matches_prometheus_client_samples():
    ours_registry, peer_registry = CollectorRegistry(), CollectorRegistry()
    ours = FastHistogram("h_seconds", "help", ["method", "route", "status"], buckets=HTTP_DURATION_BUCKETS,
                         registry=ours_registry)
    peer = Histogram("h_seconds", "help", ["method", "route", "status"], buckets=HTTP_DURATION_BUCKETS,
                     registry=peer_registry)
    rng = random.Random(3)
    values = [0.1, 1.0, 0.005, 10.0, 11.0, 0.0] + [rng.expovariate(5) for _ in range(500)]
    for i, v in enumerate(values):
        labels = LABELS[i % len(LABELS)]
        ours.labels(*labels).observe(v)
        peer.labels(*labels).observe(v)
    expected = {k: v for k, v in samples(generate_latest(peer_registry).decode()).items()
                if not k[0].endswith("_created")}
    rendered = samples(ours.render())
    assert rendered.keys() == expected.keys()
    for key, value in expected.items():
        assert rendered[key] == pytest.approx(value), key
    # the registry path (collect) agrees too, so get_sample_value works on shared registries
    assert samples(generate_latest(ours_registry).decode()) == rendered
    edge = ("GET", "/users/{id}", "200")
    assert ours_registry.get_sample_value("h_seconds_bucket", dict(zip(["method", "route", "status"], edge,
                                                                       strict=True), le="0.1")) == \
        peer_registry.get_sample_value("h_seconds_bucket", dict(zip(["method", "route", "status"], edge,
                                                                    strict=True), le="0.1"))


def test_monitor_render_is_valid_text_and_openmetrics():
    monitor = PerformanceMonitor()
    for method, route, status in LABELS:
        monitor.observe_request(method, route, int(status), 0.2, 10, 20)
    monitor.cache_hit("c")
    text, _ = monitor.render()
    assert promtool_check(text.decode()) == ""
    om, content_type = monitor.render("application/openmetrics-text; version=1.0.0")
    assert content_type.startswith("application/openmetrics-text")
    families = {f.name: f for f in parse_openmetrics(om.decode())}
    assert om.endswith(b"# EOF\n") and om.count(b"# EOF") == 1
    count = [s for s in families["http_server_request_duration_seconds"].samples
             if s.name.endswith("_count") and s.labels["route"] == "/users/{id}"]
    assert [s.value for s in count] == [1]


def test_label_count_is_checked():
    h = FastHistogram("x", "h", ["a", "b"], buckets=[1.0])
    with pytest.raises(ValueError):
        h.labels("only-one")
    with pytest.raises(ValueError):
        FastHistogram("y", "h", ["a"], buckets=[2.0, 1.0])
