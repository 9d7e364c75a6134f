"""Decide a request's outcome from the engine's response and the endpoint's expectations.

Pure: the hot path calls :func:`judge` once per request, so the common case (no body checks,
status in range) costs two comparisons.
"""

from __future__ import annotations

import json
from typing import Any

from loadgen.engines.base import Outcome, Response, outcome_for_error
from loadgen.scenario import Expect

__all__ = ["judge", "json_field"]

_MISSING = object()


def json_field(doc: Any, dotted: str) -> Any:
    """Return ``doc[a][b][0]`` for ``"a.b.0"``, or a sentinel when the path does not exist."""
    for part in dotted.split("."):
        if isinstance(doc, dict) and part in doc:
            doc = doc[part]
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return _MISSING
    return doc


def _body_checks_pass(expect: Expect, body: bytes) -> bool:
    if expect.body_contains:
        text = body.decode("utf-8", "replace")
        if not all(s in text for s in expect.body_contains):
            return False
    if expect.json_equals:
        try:
            doc = json.loads(body)
        except ValueError:
            return False
        for path, want in expect.json_equals:
            if json_field(doc, path) != want:
                return False
    return True


def judge(expect: Expect, response: Response) -> Outcome:
    """Return the outcome: engine error, unexpected status, failed body check, or success."""
    if response.error_class is not None:
        return outcome_for_error(response.error_class)
    status = response.status
    if expect.statuses is None:
        if not 200 <= status < 400:
            return Outcome.HTTP_ERROR
    elif status not in expect.statuses:
        return Outcome.HTTP_ERROR
    if expect.needs_body and not _body_checks_pass(expect, response.body):
        return Outcome.CHECK_FAILED
    return Outcome.SUCCESS
