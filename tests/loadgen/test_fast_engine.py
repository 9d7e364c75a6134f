"""The fast engine beyond what both engines share: TLS, pool queueing, cancellation, connect timeouts.

Conformance with the aiohttp engine (chunked, 10 MB, closes, HEAD, 1xx, malformed, resets, ...)
lives in test_engine_conformance.py; this file covers what only the fast engine's own machinery
(pool, lazy timers, serialization cache, ``unsupported_reason``) decides.
"""

from __future__ import annotations

import asyncio
import errno
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from loadgen.engines import make_engine
from loadgen.engines.base import RequestSpec
from loadgen.engines.fast import FastEngine, unsupported_reason
from loadgen.engines.fast_pool import connect_error_class
from loadgen.engines.fast_protocol import MAX_HEAD_BYTES
from loadgen.scenario import parse_scenario
from tests.loadgen.engine_targets import RawServer, read_request, serve_each, start_app

pytestmark = pytest.mark.timeout(30)

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def spec(url: str, *, method: str = "GET", timeout: float = 5.0, **kw: object) -> RequestSpec:
    return RequestSpec(endpoint="t", method=method, url=url, timeout_total=timeout, **kw)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Return (cert, key) of a throwaway self-signed certificate for 127.0.0.1."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=30)
    return cert, key


def test_make_engine_returns_the_fast_engine():
    engine = make_engine("fast", max_connections=3)
    assert isinstance(engine, FastEngine) and engine.name == "fast" and engine.max_connections == 3
    with pytest.raises(ValueError):
        FastEngine(max_connections=0)


def test_tls_round_trip_and_untrusted_certificate(certificate):
    cert, key = certificate
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)

    async def case():
        async with RawServer(serve_each(OK), ssl_context=server_ctx) as server:
            trusting = FastEngine(max_connections=2, ssl_context=ssl.create_default_context(cafile=str(cert)))
            default = FastEngine(max_connections=2)
            try:
                results = [await trusting.send(spec(server.url + "/", keep_body=True)) for _ in range(5)]
                refused = await default.send(spec(server.url + "/"))
            finally:
                await trusting.aclose()
                await default.aclose()
            return results, refused, server.connections

    results, untrusted, connections = asyncio.run(case())
    assert [(r.status, r.body) for r in results] == [(200, b"ok")] * 5
    assert (untrusted.status, untrusted.error_class) == (0, "tls")
    assert connections == 1  # five requests on one kept-alive TLS connection (failed handshakes never count)


def test_requests_queue_for_a_connection_and_time_out_while_queued():
    async def case():
        runner, base, peers = await start_app()
        engine = FastEngine(max_connections=1)
        try:
            start = time.monotonic()

            async def queued_send():
                response = await engine.send(spec(f"{base}/ok", timeout=0.3))
                return response, time.monotonic() - start

            hung, (queued, elapsed) = await asyncio.gather(engine.send(spec(f"{base}/hang", timeout=1.0)),
                                                           queued_send())
            many = await asyncio.gather(*(engine.send(spec(f"{base}/ok")) for _ in range(20)))
            return hung, queued, elapsed, many, len(peers), engine.connections_opened
        finally:
            await engine.aclose()
            await runner.cleanup()

    hung, queued, elapsed, many, peers, open_now = asyncio.run(case())
    assert hung.error_class == "timeout" and queued.error_class == "timeout"
    assert 0.25 <= elapsed < 0.9  # timed out while still queued behind the hung request
    assert {r.status for r in many} == {200}
    assert peers == 2 and open_now == 1  # the hung connection was dropped, one replaced it


def test_connect_timeout_when_the_listen_queue_is_full():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):  # fill the accept queue; later SYNs are dropped, so connects hang
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)

    async def case():
        engine = FastEngine(max_connections=2)
        try:
            start = time.monotonic()
            short_connect = await engine.send(spec(f"http://127.0.0.1:{port}/", timeout=5.0, timeout_connect=0.2))
            connect_elapsed = time.monotonic() - start
            short_total = await engine.send(spec(f"http://127.0.0.1:{port}/", timeout=0.2, timeout_connect=5.0))
            return short_connect, connect_elapsed, short_total
        finally:
            await engine.aclose()

    try:
        short_connect, connect_elapsed, short_total = asyncio.run(case())
    finally:
        for s in [*fillers, listener]:
            s.close()
    assert short_connect.error_class == "connect_timeout" and 0.15 <= connect_elapsed < 2.0
    assert short_total.error_class == "timeout"


def test_cancelled_request_drops_its_connection_and_the_engine_carries_on():
    async def case():
        runner, base, peers = await start_app()
        engine = FastEngine(max_connections=1)
        try:
            task = asyncio.ensure_future(engine.send(spec(f"{base}/hang")))
            await asyncio.sleep(0.1)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            after = await engine.send(spec(f"{base}/ok", keep_body=True))
            return after, len(peers)
        finally:
            await engine.aclose()
            await runner.cleanup()

    after, peers = asyncio.run(case())
    assert (after.status, after.body) == (200, b"hello world\n")
    assert peers == 2


def test_aclose_ends_requests_in_flight():
    async def case():
        runner, base, _ = await start_app()
        engine = FastEngine(max_connections=2)
        try:
            task = asyncio.ensure_future(engine.send(spec(f"{base}/hang")))
            await asyncio.sleep(0.1)
            await engine.aclose()
            return await asyncio.wait_for(task, 2), engine.connections_opened
        finally:
            await runner.cleanup()

    response, open_after = asyncio.run(case())
    assert response.error_class == "closed" and open_after == 0


def test_unusable_urls_are_errors_not_exceptions():
    async def case():
        engine = FastEngine(max_connections=1)
        try:
            return [await engine.send(spec(url)) for url in ("ftp://127.0.0.1/", "http:///nohost", "http://127.0.0.1:99999/")]
        finally:
            await engine.aclose()

    assert [r.error_class for r in asyncio.run(case())] == ["other"] * 3


def test_unsupported_reason_names_what_only_aiohttp_does():
    scenario = parse_scenario({"base_url": "http://127.0.0.1:1", "endpoints": [{"name": "a", "path": "/"}]})
    assert unsupported_reason(scenario) is None
    assert "redirects" in unsupported_reason({"follow_redirects": True})
    assert "cookies" in unsupported_reason({"cookies": {"session": "x"}})
    assert "proxy" in unsupported_reason({"proxy": "http://127.0.0.1:3128"})
    assert unsupported_reason({"follow_redirects": False}) is None


def test_endless_response_head_is_a_protocol_error():
    async def script(reader, writer, index):
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\n")
        for i in range(MAX_HEAD_BYTES // 1000 + 10):
            writer.write(b"X-Filler-%d: %s\r\n" % (i, b"f" * 980))
            await writer.drain()

    async def case():
        async with RawServer(script) as server:
            engine = FastEngine(max_connections=1)
            try:
                return await engine.send(spec(server.url + "/"))
            finally:
                await engine.aclose()

    assert asyncio.run(case()).error_class == "protocol"


def test_bytes_sent_to_an_idle_connection_retire_it():
    async def script(reader, writer, index):
        await read_request(reader)
        writer.write(OK + b"garbage after the response")  # unsolicited bytes on a kept-alive connection
        await writer.drain()
        await serve_each(OK)(reader, writer, index)

    async def case():
        async with RawServer(script) as server:
            engine = FastEngine(max_connections=1)
            try:
                results = []
                for _ in range(3):
                    results.append(await engine.send(spec(server.url + "/", keep_body=True)))
                    await asyncio.sleep(0.02)  # let the garbage arrive while the connection is idle
                return results, server.connections
            finally:
                await engine.aclose()

    results, connections = asyncio.run(case())
    assert [(r.status, r.body, r.error_class) for r in results] == [(200, b"ok", None)] * 3
    assert connections == 3


@pytest.mark.parametrize(("exc", "expected"), [
    (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "dns"),
    (ConnectionRefusedError(111, "refused"), "refused"),
    (ConnectionResetError(104, "reset"), "reset"),
    (BrokenPipeError(32, "pipe"), "reset"),
    (ssl.SSLCertVerificationError("certificate verify failed"), "tls"),
    (TimeoutError(), "timeout"),
    (OSError(113, "no route to host"), "other"),
    (OSError(errno.ECONNRESET, "reset without subclass"), "reset"),
])
def test_connect_errors_map_to_engine_error_classes(exc, expected):
    # DNS failures are checked by mapping only: resolving a missing name would query a real resolver.
    assert connect_error_class(exc) == expected
