"""Keptn-style score, grade and verdict from graded objectives.

score = 100 × (Σ weight of passing + ½ × Σ weight of warning) / Σ weight of objectives with data.
Objectives without data are left out of both sums. A failed key objective forces verdict
``fail`` and grade F whatever the score; any other failed objective caps the verdict at ``warning``.
"""

from __future__ import annotations

from .objectives import FAIL, NO_DATA, PASS, WARNING

__all__ = ["score", "grade", "verdict", "PASS_SCORE", "WARNING_SCORE", "GRADE_BANDS", "PERFORMANCE_CATEGORIES"]

PASS_SCORE = 90.0
WARNING_SCORE = 75.0
GRADE_BANDS = (("A", 90.0), ("B", 80.0), ("C", 70.0), ("D", 60.0))
PERFORMANCE_CATEGORIES = ("api",)


def score(objectives: list[dict], categories: tuple[str, ...] | None = None) -> float | None:
    """Return the 0-100 score over objectives (optionally only ``categories``), None without data."""
    total = earned = 0.0
    for o in objectives:
        if o["state"] == NO_DATA or o["weight"] <= 0 or (categories and o["category"] not in categories):
            continue
        total += o["weight"]
        earned += o["weight"] if o["state"] == PASS else o["weight"] / 2 if o["state"] == WARNING else 0.0
    return None if total == 0 else round(100.0 * earned / total, 1)


def key_failures(objectives: list[dict]) -> list[str]:
    """Return the ids of key objectives that failed."""
    return [o["id"] for o in objectives if o["key"] and o["state"] == FAIL]


def grade(value: float | None, key_failed: bool) -> str | None:
    """Return A-F for a score (F if a key objective failed), None when there is no score."""
    if value is None:
        return None
    if key_failed:
        return "F"
    return next((letter for letter, floor in GRADE_BANDS if value >= floor), "F")


def verdict(value: float | None, key_failed: bool, any_failed: bool = False) -> str:
    """Return pass / warning / fail (Keptn's 90 / 75 totals), or no_data.

    A run with any failed objective is at best ``warning``: a high score must not read as
    "pass" while, say, the database misses its p95 by 4×.
    """
    if key_failed:
        return FAIL
    if value is None:
        return NO_DATA
    if value >= PASS_SCORE and not any_failed:
        return PASS
    return WARNING if value >= WARNING_SCORE else FAIL
