"""Parse ``HOST:PORT`` listen addresses the same way in every demo command."""

from __future__ import annotations

__all__ = ["parse_listen"]


def parse_listen(text: str) -> tuple[str, int]:
    """Return (host, port) from '127.0.0.1:8000' or '[::1]:8000'; raise ValueError otherwise."""
    host, sep, port_text = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ValueError(f"expected HOST:PORT such as 127.0.0.1:8000, got {text!r}")
    return host, int(port_text)
