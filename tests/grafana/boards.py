"""Helpers for the dashboard tests: the committed dashboards, their panels and Grafana's schemas."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DASHBOARD_DIR = REPO_ROOT / "grafana" / "dashboards"
SCHEMA_DIR = REPO_ROOT.parent / "shared" / "schemas" / "grafana"
"""CI checks out ``shared/`` beside the clone; the schemas are Grafana's own (foundation-sdk)."""

STEMS = ("overview", "api", "host", "load-test", "database-cache")


def committed_dashboards() -> dict[str, dict]:
    """Return every committed dashboard JSON, keyed by file stem."""
    return {p.stem: json.loads(p.read_text()) for p in sorted(DASHBOARD_DIR.glob("*.json"))}


def panels(board: dict) -> Iterator[dict]:
    """Yield every non-row panel, including panels nested in collapsed rows."""
    for p in board.get("panels", []):
        if p["type"] == "row":
            yield from p.get("panels", [])
        else:
            yield p


def threshold_values(panel: dict) -> list[float]:
    """Return a panel's threshold step values, without the -Infinity base step."""
    steps = panel.get("fieldConfig", {}).get("defaults", {}).get("thresholds", {}).get("steps", [])
    return [s["value"] for s in steps if s["value"] is not None]


def schema_dir_or_skip() -> Path:
    """Return the shared schema directory, or skip when this checkout has no ``../shared``."""
    if not (SCHEMA_DIR / "dashboard.jsonschema.json").is_file():
        pytest.skip(f"Grafana schemas not found at {SCHEMA_DIR} (CI puts shared/ beside the clone)")
    return SCHEMA_DIR
