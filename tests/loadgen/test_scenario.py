"""Scenario parsing, one-line errors naming file and key, and templating from data files."""

import json
import random

import pytest

from loadgen.requests import RequestFactory
from loadgen.scenario import default_scenario, load_scenario, parse_scenario
from perfstack.config import ConfigError


def test_full_scenario_with_csv_data_fills_placeholders(tmp_path):
    (tmp_path / "users.csv").write_text("user,token\nann,t1\nbob,t2\n")
    path = tmp_path / "s.yaml"
    path.write_text(
        "base_url: http://127.0.0.1:9\n"
        "headers: {User-Agent: perfstack}\n"
        "data: users.csv\n"
        "endpoints:\n"
        "  - name: login\n"
        "    method: post\n"
        "    path: /login/{{user}}\n"
        "    json: {token: '{{token}}'}\n"
        "    weight: 3\n"
        "    expect: {status: [200, 201], body_contains: ok, json: {a.b: 1}}\n"
        "    timeout: 2s\n"
        "  - {name: home, path: /}\n")
    sc = load_scenario(path)
    login = sc.endpoints[0]
    assert login.method == "POST" and login.weight == 3 and login.timeout_seconds == 2
    assert login.expect.statuses == frozenset({200, 201}) and login.expect.needs_body
    factory = RequestFactory(sc, rng=random.Random(1).random)
    specs = [factory.next() for _ in range(40)]
    logins = [spec for i, spec in specs if i == 0]
    assert {s.url for s in logins} == {"http://127.0.0.1:9/login/ann", "http://127.0.0.1:9/login/bob"}
    assert json.loads(logins[0].body)["token"] in ("t1", "t2")
    assert ("Content-Type", "application/json") in logins[0].headers
    assert ("User-Agent", "perfstack") in logins[0].headers
    assert 20 < len(logins) < 40  # weight 3:1


def test_jsonl_values_are_json_escaped(tmp_path):
    (tmp_path / "d.jsonl").write_text('{"q": "say \\"hi\\""}\n')
    sc = parse_scenario({"base_url": "http://h:1", "data": "d.jsonl",
                         "endpoints": [{"name": "a", "method": "POST", "path": "/", "json": {"q": "{{q}}"}}]},
                        "s.yaml", tmp_path)
    _, spec = RequestFactory(sc, rng=random.random).next()
    assert json.loads(spec.body) == {"q": 'say "hi"'}


@pytest.mark.parametrize(("doc", "key"), [
    ({"base_url": "ftp://x", "endpoints": [{"name": "a"}]}, "base_url"),
    ({"base_url": "http://x", "endpoints": [{"name": "a", "method": "FETCH"}]}, "endpoints[0].method"),
    ({"base_url": "http://x", "endpoints": [{"name": "a", "path": "/{{missing}}"}]}, "endpoints[0].path"),
    ({"base_url": "http://x", "endpoints": [{"name": "a", "expect": {"status": "abc"}}]}, "endpoints[0].expect.status"),
    ({"base_url": "http://x", "endpoints": [{"name": "a", "weight": 0}]}, "endpoints[0].weight"),
    ({"base_url": "http://x", "endpoints": [{"name": "a"}, {"name": "a"}]}, "endpoints[1].name"),
    ({"base_url": "http://x", "endpoints": [{"name": "a", "colour": 1}]}, "endpoints[0].colour"),
    ({"base_url": "http://x", "engine": "curl"}, "engine"),
])
def test_invalid_scenarios_name_the_key(doc, key):
    with pytest.raises(ConfigError) as err:
        parse_scenario(doc, "s.yaml")
    assert err.value.key == key and err.value.source == "s.yaml"
    assert "\n" not in str(err.value)


def test_base_url_alone_loads_its_path():
    assert default_scenario("http://127.0.0.1:8000").endpoints[0].path == "/"
    sc = default_scenario("http://127.0.0.1:8000/health")
    assert sc.base_url == "http://127.0.0.1:8000" and sc.endpoints[0].path == "/health"
