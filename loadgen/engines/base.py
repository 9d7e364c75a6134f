"""The engine seam: what the pipeline hands an engine and what it gets back.

The pipeline (scheduling, checks, histograms, metrics, reports) is shared; an engine only turns a
:class:`RequestSpec` into a :class:`Response`. Engines never raise for network or protocol
failures: they return a Response whose ``error_class`` says what went wrong, so every failure is
counted and none crashes a run. Only ``asyncio.CancelledError`` propagates.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

__all__ = ["Outcome", "ERROR_CLASSES", "RequestSpec", "Response", "Engine", "outcome_for_error"]


class Outcome(StrEnum):
    """How one request ended; the ``outcome`` label of ``loadgen_requests_total``."""

    SUCCESS = "success"
    HTTP_ERROR = "http_error"
    TIMEOUT = "timeout"
    CONNECTION_ERROR = "connection_error"
    CHECK_FAILED = "check_failed"


# error_class (low cardinality, never free text) → outcome. Engines must use only these keys.
ERROR_CLASSES: dict[str, Outcome] = {
    "connect_timeout": Outcome.TIMEOUT,    # TCP/TLS connect did not finish within timeout_connect
    "timeout": Outcome.TIMEOUT,            # total request time passed timeout_total
    "refused": Outcome.CONNECTION_ERROR,   # ECONNREFUSED
    "reset": Outcome.CONNECTION_ERROR,     # ECONNRESET / EPIPE, mid-request or mid-body
    "closed": Outcome.CONNECTION_ERROR,    # peer closed before a complete response
    "protocol": Outcome.CONNECTION_ERROR,  # malformed status line, headers, chunking
    "body_too_large": Outcome.CONNECTION_ERROR,  # body passed max_body_bytes
    "dns": Outcome.CONNECTION_ERROR,
    "tls": Outcome.CONNECTION_ERROR,
    "other": Outcome.CONNECTION_ERROR,
}


def outcome_for_error(error_class: str) -> Outcome:
    """Return the outcome for an engine error class (unknown classes count as connection errors)."""
    return ERROR_CLASSES.get(error_class, Outcome.CONNECTION_ERROR)


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestSpec:
    """One request, fully resolved (placeholders filled) and ready to send."""

    endpoint: str                      # endpoint name from the scenario (a metric label)
    method: str                        # upper-case
    url: str                           # absolute http:// or https:// URL
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    timeout_total: float = 30.0        # seconds, whole request including body
    timeout_connect: float = 5.0       # seconds, TCP (+TLS) connect
    max_body_bytes: int = 64 * 1024 * 1024  # read at most this; past it error_class="body_too_large"
    keep_body: bool = False            # True when checks need the body; otherwise body may be b""


@dataclass(slots=True)
class Response:
    """What came back. ``status`` is 0 and ``error_class`` is set when no full response arrived."""

    status: int = 0
    body: bytes = b""
    bytes_received: int = 0
    error_class: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


class Engine(Protocol):
    """An HTTP client: ``send`` many requests concurrently, then ``aclose`` once."""

    name: str

    async def send(self, spec: RequestSpec) -> Response:
        """Send one request; never raise for network/protocol failures."""
        ...

    async def aclose(self) -> None:
        """Close every connection."""
        ...
