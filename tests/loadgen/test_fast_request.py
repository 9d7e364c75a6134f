"""Request serialization of the fast engine: the exact bytes put on the wire."""

from __future__ import annotations

import httptools
import pytest

from loadgen.engines.fast_request import Origin, RequestSerializer, accepted_encodings, prepare_request, split_origin


class _Collect:
    """Parse serialized requests back with llhttp, as a server would."""

    def __init__(self) -> None:
        self.url = b""
        self.headers: dict[str, str] = {}
        self.body = b""
        self.complete = False

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode().lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        self.complete = True


def parse(payload: bytes) -> tuple[str, _Collect]:
    seen = _Collect()
    parser = httptools.HttpRequestParser(seen)
    parser.feed_data(payload)
    assert seen.complete
    return parser.get_method().decode(), seen


def test_get_has_host_defaults_and_no_body():
    prepared = prepare_request("get", "http://127.0.0.1:8000/a/b?x=1&y=%20z", (), None)
    method, seen = parse(prepared.payload)
    assert (method, seen.url) == ("GET", b"/a/b?x=1&y=%20z")
    assert seen.headers["host"] == "127.0.0.1:8000"
    assert seen.headers["accept"] == "*/*" and seen.headers["accept-encoding"] == accepted_encodings()
    assert "content-length" not in seen.headers and seen.body == b""
    assert prepared.origin == Origin(scheme="http", host="127.0.0.1", port=8000) and not prepared.is_head


def test_post_body_is_framed_and_scenario_headers_override_defaults():
    prepared = prepare_request("POST", "https://example.test/login",
                               (("Accept", "application/json"), ("Content-Length", "999"), ("X-Tenant", "ü")),
                               b'{"user": "a"}')
    _, seen = parse(prepared.payload)
    assert seen.headers["host"] == "example.test"
    assert seen.headers["accept"] == "application/json"
    assert seen.headers["content-length"] == "13" and seen.body == b'{"user": "a"}'
    assert seen.headers["content-type"] == "application/octet-stream"
    assert seen.headers["x-tenant"] == "ü"
    assert prepared.origin.tls and prepared.origin.port == 443


def test_bodiless_post_sends_zero_length_and_head_is_marked():
    _, seen = parse(prepare_request("POST", "http://h/", (), None).payload)
    assert seen.headers["content-length"] == "0"
    assert prepare_request("HEAD", "http://h/", (), None).is_head


def test_host_override_ipv6_and_path_encoding():
    _, seen = parse(prepare_request("GET", "http://[::1]:9000/sp ace/é", (("Host", "virtual.test"),), None).payload)
    assert seen.headers["host"] == "virtual.test"
    assert seen.url == b"/sp%20ace/%C3%A9"
    origin, target = split_origin("http://[::1]:9000")
    assert (origin.host, origin.port, origin.host_header, target) == ("::1", 9000, "[::1]:9000", "/")


@pytest.mark.parametrize("url", ["ftp://h/", "http:///x", "http://h:notaport/", "h/path"])
def test_bad_urls_are_rejected(url):
    with pytest.raises(ValueError):
        prepare_request("GET", url, (), None)


@pytest.mark.parametrize("headers", [(("X-A", "1\r\nX-Injected: 1"),), (("Bad:Name", "v"),), (("", "v"),)])
def test_header_injection_is_rejected(headers):
    with pytest.raises(ValueError):
        prepare_request("GET", "http://h/", headers, None)


@pytest.mark.parametrize(("method", "url", "headers", "body"), [
    ("GET", "http://127.0.0.1:8000/users/42?page=2&q=a%20b", (), None),
    ("get", "http://127.0.0.1:8000", (), None),
    ("POST", "https://api.test/v1/items#top", (("Content-Type", "application/json"),), b'{"n": 1}'),
    ("PUT", "http://h:81/caf\u00e9/na me", (("Host", "virtual"), ("X-Token", "t0k")), None),
    ("DELETE", "http://[::1]:9000/x", (("Accept", "text/plain"),), b""),
    ("GET", "http://user:p%40ss@127.0.0.1:8000/private", (), None),
    ("GET", "http://127.0.0.1:8000?only=query", (), None),
    ("HEAD", "http://127.0.0.1:8000/h", (), None),
])
def test_serializer_gives_the_reference_bytes(method, url, headers, body):
    serializer = RequestSerializer(limit=2)
    for _ in range(3):  # cold, then cached origin and header block
        assert serializer.prepare(method, url, headers, body) == prepare_request(method, url, headers, body)


def test_credentials_in_the_url_become_basic_auth():
    _, seen = parse(prepare_request("GET", "http://user:p%40ss@127.0.0.1:8000/private", (), None).payload)
    assert seen.headers["authorization"] == "Basic dXNlcjpwQHNz"  # user:p@ss
    assert seen.headers["host"] == "127.0.0.1:8000"


def test_serializer_rejects_what_the_reference_rejects():
    serializer = RequestSerializer()
    for method, url, headers in [("GET", "ftp://h/", ()), ("GET", "http://h:x/", ()), ("G T", "http://h/", ()),
                                 ("GET", "http://h/", (("X", "a\r\nb"),))]:
        with pytest.raises(ValueError):
            serializer.prepare(method, url, headers, None)
