"""--web-config: TLS and bcrypt basic auth against the real exporter process, and bad files."""

import base64
import ssl
import subprocess
import urllib.error

import bcrypt
import pytest

from exporter.webconfig import BasicAuthChecker, load_web_config
from perfstack.cli import UsageError
from tests.exporter.helpers import RunningExporter, http_get, promtool_check, samples


def make_cert(directory):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(directory / "server.key"), "-out", str(directory / "server.crt"),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=30)


def auth(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_tls_and_basic_auth_on_the_real_exporter(tmp_path):
    make_cert(tmp_path)
    hashed = bcrypt.hashpw(b"s3cret", bcrypt.gensalt(rounds=4)).decode().replace("$2b$", "$2y$", 1)
    (tmp_path / "web.yml").write_text(
        "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
        f"basic_auth_users:\n  prometheus: '{hashed}'\n")
    ctx = ssl.create_default_context(cafile=str(tmp_path / "server.crt"))

    def ready(url):
        return http_get(url + "/healthz", auth("prometheus", "s3cret"), ctx)[0] == 200

    with RunningExporter("--web-config", str(tmp_path / "web.yml"), scheme="https", ready=ready) as exp:
        status, body, headers = http_get(exp.url + "/metrics", auth("prometheus", "s3cret"), ctx)
        assert status == 200 and promtool_check(body) == ""
        assert ("perfstack_memory_total_bytes", ()) in samples(body)
        status, _, headers = http_get(exp.url + "/metrics", auth("prometheus", "wrong"), ctx)
        assert status == 401 and headers["WWW-Authenticate"].startswith("Basic")
        assert http_get(exp.url + "/metrics", auth("intruder", "s3cret"), ctx)[0] == 401
        assert http_get(exp.url + "/metrics", None, ctx)[0] == 401
        with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
            http_get(f"http://127.0.0.1:{exp.port}/metrics", auth("prometheus", "s3cret"))
        with pytest.raises(urllib.error.URLError):
            http_get(exp.url + "/metrics", auth("prometheus", "s3cret"), ssl.create_default_context())


def test_without_web_config_plain_http_needs_no_auth():
    with RunningExporter("--no-collector.process") as exp:
        status, body, headers = http_get(exp.url + "/metrics")
        assert status == 200 and headers["Content-Type"].startswith("text/plain")
        assert ("perfstack_memory_total_bytes", ()) in samples(body)


@pytest.mark.parametrize(("text", "fragment"), [
    ("basic_auth_users:\n  bob: hunter2\n", "basic_auth_users.bob: expected a bcrypt hash"),
    ("tls_server_config:\n  cert_file: nope.crt\n  key_file: nope.key\n", "tls_server_config.cert_file: file not found"),
    ("http_server_config:\n  http2: true\n", "http_server_config: unsupported key"),
    ("basic_auth_users: [a, b]\n", "basic_auth_users: expected a mapping"),
    ("tls_server_config: {cert_file: w.yml, key_file: w.yml, client_auth_type: Maybe}\n", "client_auth_type"),
    (": : :\n", "invalid YAML"),
])
def test_bad_web_config_is_a_one_line_error(tmp_path, text, fragment):
    path = tmp_path / "w.yml"
    path.write_text(text)
    with pytest.raises(UsageError, match=fragment):
        load_web_config(path)


def test_basic_auth_checker_caches_and_rejects_unknown_users():
    hashed = bcrypt.hashpw(b"pw", bcrypt.gensalt(rounds=4))
    checker = BasicAuthChecker({"alice": hashed})
    assert checker.check("alice", "pw") and checker.check("alice", "pw")
    assert not checker.check("alice", "PW") and not checker.check("mallory", "pw")
