"""Every dashboard validates against Grafana's own JSON schemas, panel options included."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from perfstack.config import load_config
from perfstack.gen import dashboards as dashboards_gen
from tests.grafana.boards import REPO_ROOT, STEMS, committed_dashboards, panels, schema_dir_or_skip

BASE = "https://schemas.perfstack.invalid/grafana/"
BOARDS = committed_dashboards()
KNOWN_VARIABLES = {"job", "instance", "route", "__rate_interval", "__interval", "__range"}


@pytest.fixture(scope="module")
def schemas() -> tuple[Path, Registry]:
    """Load the sibling schema files into one registry so refs between them resolve."""
    directory = schema_dir_or_skip()
    resources = [(BASE + p.name, Resource.from_contents(json.loads(p.read_text()), default_specification=DRAFT7))
                 for p in sorted(directory.glob("*.jsonschema.json"))]
    return directory, Registry().with_resources(resources)


def _validator(registry: Registry, file: str, pointer: str = "") -> Draft7Validator:
    return Draft7Validator({"$ref": f"{BASE}{file}{'#' + pointer if pointer else ''}"}, registry=registry)


def _errors(validator: Draft7Validator, instance) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:160]}" for e in validator.iter_errors(instance)]


def test_the_five_dashboards_are_committed():
    assert set(BOARDS) == set(STEMS)
    titles = {b["title"] for b in BOARDS.values()}
    assert titles == {"perfstack / Overview", "perfstack / API", "perfstack / Host", "perfstack / Load test",
                      "perfstack / Database and cache"}


@pytest.mark.parametrize("stem", STEMS)
def test_dashboard_validates_against_grafana_schema(schemas, stem):
    _, registry = schemas
    assert _errors(_validator(registry, "dashboard.jsonschema.json"), BOARDS[stem]) == []


@pytest.mark.parametrize("stem", STEMS)
def test_panel_options_field_config_and_targets_validate(schemas, stem):
    directory, registry = schemas
    failures = []
    for panel in panels(BOARDS[stem]):
        kind_file = f"{panel['type']}.jsonschema.json"
        assert (directory / kind_file).is_file(), f"{panel['title']}: no schema for panel type {panel['type']}"
        kind_defs = json.loads((directory / kind_file).read_text())["definitions"]
        failures += [f"{panel['title']} options {e}" for e in
                     _errors(_validator(registry, kind_file, "/definitions/Options"), panel["options"])]
        custom = panel["fieldConfig"]["defaults"].get("custom")
        if custom is not None and "FieldConfig" in kind_defs:
            failures += [f"{panel['title']} custom {e}" for e in
                         _errors(_validator(registry, kind_file, "/definitions/FieldConfig"), custom)]
        for t in panel["targets"]:
            failures += [f"{panel['title']} target {e}" for e in
                         _errors(_validator(registry, "prometheus.jsonschema.json"), t)]
    assert failures == []


def test_the_schemas_reject_what_grafana_would_reject(schemas):
    """Guard against a validator that accepts anything (a wrong ref resolves to ``{}``)."""
    _, registry = schemas
    board = copy.deepcopy(BOARDS["api"])
    board["__inputs"] = []
    assert _errors(_validator(registry, "dashboard.jsonschema.json"), board)
    board = copy.deepcopy(BOARDS["api"])
    board["panels"][0]["gridPos"]["w"] = 30
    assert _errors(_validator(registry, "dashboard.jsonschema.json"), board)
    stat = next(p for p in panels(BOARDS["overview"]) if p["type"] == "stat")
    options = {k: v for k, v in stat["options"].items() if k != "reduceOptions"}
    assert _errors(_validator(registry, "stat.jsonschema.json", "/definitions/Options"), options)
    series = next(p for p in panels(BOARDS["host"]) if p["type"] == "timeseries")
    custom = dict(series["fieldConfig"]["defaults"]["custom"], thresholdsStyle={"mode": "sometimes"})
    assert _errors(_validator(registry, "timeseries.jsonschema.json", "/definitions/FieldConfig"), custom)
    assert _errors(_validator(registry, "prometheus.jsonschema.json"), {"refId": "A"})


def _datasource_uid() -> str:
    ds = yaml.safe_load((REPO_ROOT / "grafana/provisioning/datasources/prometheus.yml").read_text())
    (only,) = ds["datasources"]
    assert only["type"] == "prometheus" and only["url"] == "http://prometheus:9090"
    return only["uid"]


@pytest.mark.parametrize("stem", STEMS)
def test_every_query_uses_the_provisioned_datasource_and_defined_variables(stem):
    board, uid = BOARDS[stem], _datasource_uid()
    assert uid == "perfstack-prometheus"
    names = [v["name"] for v in board["templating"]["list"]]
    assert "job" in names
    if stem != "overview":  # the overview shows the worst host and job-level objectives: no instance filter
        assert "instance" in names
    for i, var in enumerate(board["templating"]["list"]):
        assert var["datasource"]["uid"] == uid
        used = set(re.findall(r"\$(\w+)", var["query"]))
        assert used <= set(names[:i]), f"variable {var['name']} refers to {used - set(names[:i])} defined later"
    exprs = [a["expr"] for a in board["annotations"]["list"] if "expr" in a]
    for panel in panels(board):
        assert panel["datasource"]["uid"] == uid, panel["title"]
        assert panel["targets"], f"{panel['title']}: no query"
        for t in panel["targets"]:
            assert t["datasource"]["uid"] == uid, panel["title"]
            exprs.append(t["expr"])
    for expr in exprs:
        unknown = set(re.findall(r"\$(\w+)", expr)) - KNOWN_VARIABLES - set(names)
        assert not unknown, f"{expr}: undefined variables {unknown}"


@pytest.mark.parametrize("stem", STEMS)
def test_panels_have_unique_ids_and_do_not_overlap(stem):
    occupied: dict[tuple[int, int], str] = {}
    ids = []
    for p in BOARDS[stem]["panels"]:
        ids.append(p["id"])
        g = p["gridPos"]
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                assert (x, y) not in occupied, f"{p['title']} overlaps {occupied[(x, y)]}"
                occupied[(x, y)] = p["title"]
    assert len(ids) == len(set(ids))


def test_issue_required_content():
    overview = " ".join(t["expr"] for p in panels(BOARDS["overview"]) for t in p["targets"])
    assert "perfstack_health_score" in overview
    assert 'ALERTS{alertstate="firing"}' in overview
    assert "route" in [v["name"] for v in BOARDS["api"]["templating"]["list"]]
    stages = [a for a in BOARDS["load-test"]["annotations"]["list"] if "loadgen_run_info" in a.get("expr", "")]
    assert stages and "{{stage}}" in stages[0]["titleFormat"]
    load = " ".join(t["expr"] for p in panels(BOARDS["load-test"]) for t in p["targets"])
    for metric in ("loadgen_target_rate", "loadgen_requests_total", "loadgen_in_flight_requests",
                   "loadgen_dropped_requests_total", "loadgen_schedule_lag_seconds_bucket",
                   "loadgen_request_duration_seconds_bucket"):
        assert metric in load, metric


def test_committed_grafana_files_are_what_the_generator_writes():
    """Dashboards are code: edit perfstack/gen/, run `make generate`, commit both."""
    files = dashboards_gen.generate(load_config())
    assert {k for k in files if k.endswith(".json")} == {f"grafana/dashboards/{s}.json" for s in STEMS}
    stale = [rel for rel, text in files.items() if (REPO_ROOT / rel).read_text() != text]
    assert stale == [], "run `make generate` and commit the result"
