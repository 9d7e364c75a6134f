"""Serialize HTTP/1.1 requests once, so the fast engine's hot path only writes cached bytes.

Pure functions of (method, url, headers, body): no sockets, no event loop. The engine caches the
result per distinct request, so the cost here is paid once per endpoint (or once per distinct
placeholder fill), never per request.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

__all__ = ["Origin", "PreparedRequest", "RequestSerializer", "USER_AGENT", "accepted_encodings", "basic_auth",
           "header_block", "prepare_request", "split_origin"]

USER_AGENT = "perfstack-loadgen/0.1 (fast)"

# Characters left as they are when percent-encoding a request target: RFC 3986 reserved and
# unreserved characters plus "%" so targets that are already encoded pass through unchanged.
_SAFE_TARGET = "/?#[]@!$&'()*+,;=:-._~%"
# A target made only of characters quote() keeps needs no quoting (the common case, checked fast).
_PLAIN_TARGET = re.compile(r"[A-Za-z0-9/?#\[\]@!$&'()*+,;=:\-._~%]*")

# Headers the engine computes itself; a scenario's value for these would make the framing lie.
_ENGINE_HEADERS = frozenset({"content-length", "transfer-encoding"})
_METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def accepted_encodings() -> str:
    """Return the Accept-Encoding the engine sends: what it can decode, as aiohttp does.

    Asking for compression like aiohttp keeps the server's work the same whichever engine runs.
    """
    try:
        import brotli  # noqa: F401
    except ImportError:
        return "gzip, deflate"
    return "gzip, deflate, br"


def _default_headers() -> tuple[tuple[str, str], ...]:
    return (("User-Agent", USER_AGENT), ("Accept", "*/*"), ("Accept-Encoding", accepted_encodings()))


@dataclass(frozen=True, slots=True, kw_only=True)
class Origin:
    """Where a request goes: the connection pool key (scheme, host, port)."""

    scheme: str
    host: str
    port: int

    @property
    def tls(self) -> bool:
        """Return True when connections to this origin use TLS."""
        return self.scheme == "https"

    @property
    def host_header(self) -> str:
        """Return the Host header value (port only when it is not the scheme's default)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.tls else 80
        return host if self.port == default else f"{host}:{self.port}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedRequest:
    """A request serialized to wire bytes, with what the engine needs to send and read it."""

    origin: Origin
    payload: bytes
    is_head: bool


def split_origin(url: str) -> tuple[Origin, str]:
    """Return the origin and the request target (path and query) of an absolute http(s) URL.

    Raises ValueError when the URL is not absolute http/https with a host or has a bad port.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"unsupported URL scheme {parts.scheme!r} (expected http or https)")
    host = parts.hostname
    if not host:
        raise ValueError(f"URL has no host: {url!r}")
    port = parts.port  # raises ValueError for a non-numeric or out-of-range port
    if port is None:
        port = 443 if scheme == "https" else 80
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    return Origin(scheme=scheme, host=host, port=port), quote(target, safe=_SAFE_TARGET)


def _encode_header_value(value: str) -> bytes:
    """Encode a header value as latin-1 where possible (RFC 9110), UTF-8 otherwise."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def basic_auth(url: str) -> str | None:
    """Return the Authorization value for credentials in ``url`` (``http://user:pass@host/``), as aiohttp sends."""
    parts = urlsplit(url)
    if parts.username is None:
        return None
    raw = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode("latin-1")
    return "Basic " + base64.b64encode(raw).decode("ascii")


def header_block(method: str, origin: Origin, headers: tuple[tuple[str, str], ...], has_body: bool,
                 authorization: str | None = None) -> bytes:
    """Serialize the header lines that follow the request line (all but Content-Length), each ending CRLF.

    A scenario may set its own Host (virtual hosts); Content-Length is always computed by the caller.
    Header names and values containing CR or LF are rejected (ValueError): they would let a
    scenario value split the request.
    """
    if not method.isalpha():
        raise ValueError(f"invalid HTTP method {method!r}")
    given = {name.lower() for name, _ in headers}
    lines = []
    if "host" not in given:
        lines.append(b"Host: " + origin.host_header.encode("idna"))
    for name, value in _default_headers():
        if name.lower() not in given:
            lines.append(f"{name}: {value}".encode("ascii"))
    if authorization is not None and "authorization" not in given:
        lines.append(b"Authorization: " + authorization.encode("ascii"))
    if has_body and "content-type" not in given:
        lines.append(b"Content-Type: application/octet-stream")
    for name, value in headers:
        if any(c in name or c in value for c in "\r\n") or not name or ":" in name:
            raise ValueError(f"invalid header {name!r}")
        if name.lower() in _ENGINE_HEADERS:
            continue
        lines.append(name.encode("ascii") + b": " + _encode_header_value(value))
    return b"".join(line + b"\r\n" for line in lines)


def _assemble(method: str, target: str, block: bytes, body: bytes | None) -> bytes:
    head = b"%s %s HTTP/1.1\r\n" % (method.encode("ascii"), target.encode("ascii")) + block
    if body is not None:
        return head + b"Content-Length: %d\r\n\r\n" % len(body) + body
    if method in _METHODS_WITH_BODY:
        return head + b"Content-Length: 0\r\n\r\n"
    return head + b"\r\n"


def prepare_request(method: str, url: str, headers: tuple[tuple[str, str], ...],
                    body: bytes | None) -> PreparedRequest:
    """Serialize one request: request line, Host, defaults overridden by ``headers``, framing, body.

    The reference serialization; :class:`RequestSerializer` gives the same bytes faster.
    """
    origin, target = split_origin(url)
    method = method.upper()
    block = header_block(method, origin, headers, body is not None, basic_auth(url))
    return PreparedRequest(origin=origin, payload=_assemble(method, target, block, body), is_head=method == "HEAD")


class RequestSerializer:
    """Serialize requests, caching what repeats between distinct URLs and bodies: origins, header blocks.

    Why: scenarios that fill ``{{placeholders}}`` from a data file send a new URL or body on almost
    every request, so whole requests rarely repeat; their origin and headers nearly always do.
    Each cache starts over past ``limit`` entries, so memory stays flat.
    """

    def __init__(self, *, limit: int = 1024) -> None:
        self._limit = limit
        self._origins: dict[str, Origin] = {}
        self._blocks: dict[tuple, bytes] = {}

    def prepare(self, method: str, url: str, headers: tuple[tuple[str, str], ...],
                body: bytes | None) -> PreparedRequest:
        """Return the same PreparedRequest as :func:`prepare_request` (ValueError for bad input)."""
        scheme_end = url.find("://")
        slash = url.find("/", scheme_end + 3) if scheme_end > 0 else -1
        prefix = url if slash < 0 else url[:slash]
        if "?" in prefix or "#" in prefix or "@" in prefix:
            return prepare_request(method, url, headers, body)  # unusual shapes: the general parser
        origin = self._origins.get(prefix)
        if origin is None:
            origin = split_origin(prefix)[0]
            if len(self._origins) >= self._limit:
                self._origins.clear()
            self._origins[prefix] = origin
        target = "/" if slash < 0 else url[slash:]
        fragment = target.find("#")
        if fragment >= 0:
            target = target[:fragment]
        if not _PLAIN_TARGET.fullmatch(target):
            target = quote(target, safe=_SAFE_TARGET)
        method = method.upper()
        key = (method, prefix, headers, body is not None)
        block = self._blocks.get(key)
        if block is None:
            block = header_block(method, origin, headers, body is not None)
            if len(self._blocks) >= self._limit:
                self._blocks.clear()
            self._blocks[key] = block
        return PreparedRequest(origin=origin, payload=_assemble(method, target, block, body), is_head=method == "HEAD")
