"""Map raw request paths to route templates so the ``route`` label stays bounded.

Templates use the Starlette/aiohttp syntax: ``/users/{id}`` matches one path segment,
``{rest:path}`` matches the remainder including slashes. Matching is pure and ordered:
the first template that matches wins, exactly like the frameworks' routers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["RouteMatcher"]

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z_]+))?\}")
_CONVERTERS = {None: r"[^/]+", "str": r"[^/]+", "int": r"[0-9]+", "float": r"[0-9]+(?:\.[0-9]+)?",
               "uuid": r"[0-9a-fA-F-]{36}", "path": r".*"}


def _compile(template: str) -> re.Pattern[str]:
    if not template.startswith("/"):
        raise ValueError(f"route template must start with '/', got {template!r}")
    pattern, pos = "", 0
    for match in _PARAM.finditer(template):
        converter = match.group(2)
        if converter not in _CONVERTERS:
            raise ValueError(f"unknown converter {converter!r} in route template {template!r}")
        pattern += re.escape(template[pos:match.start()]) + _CONVERTERS[converter]
        pos = match.end()
    return re.compile(pattern + re.escape(template[pos:]))


class RouteMatcher:
    """Return the first template matching a path, or ``None``; exact paths are a dict lookup."""

    def __init__(self, templates: Iterable[str]) -> None:
        self.templates = tuple(templates)
        self._static = {t: t for t in self.templates if not _PARAM.search(t)}
        self._patterns = [(_compile(t), t) for t in self.templates]

    def __call__(self, path: str) -> str | None:
        hit = self._static.get(path)
        if hit is not None:
            return hit
        for pattern, template in self._patterns:
            if pattern.fullmatch(path):
                return template
        return None
