"""Rule definitions as plain data, and their rendering to Prometheus rule-file YAML.

Recording and alerting rules are built as frozen values by pure functions of the config
(:mod:`perfstack.gen._recording_rules`, :mod:`perfstack.gen._alert_rules`), so the same values
render the committed rule files, the test-only copy with short windows, the promtool unit tests
and the runbook check. Nothing here knows about files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from perfstack.units import format_duration

__all__ = [
    "RecordingRule", "AlertRule", "RuleGroup", "Timing", "PRODUCTION", "TEST",
    "RUNBOOK_PATH", "runbook_anchor", "render_rule_file", "number", "dump_yaml", "GENERATED_HEADER",
]

RUNBOOK_PATH = "docs/runbook.md"
GENERATED_HEADER = "# Generated from performance_config.yaml by `python -m perfstack.generate`; do not edit.\n"


@dataclass(frozen=True, kw_only=True)
class Timing:
    """Windows and delays that differ between the real rules and the fast end-to-end copy.

    The test copy keeps every record name and expression shape; only the rate window, the
    group evaluation interval and the ``for:`` hold are shortened so an alert can fire and
    resolve within seconds against a real Prometheus.
    """

    rate_window_seconds: float
    interval_seconds: float | None = None
    for_override_seconds: float | None = None

    @property
    def rate_window(self) -> str:
        return format_duration(self.rate_window_seconds)

    def hold(self, for_seconds: float) -> float:
        """Return the ``for:`` actually used for an alert whose designed hold is ``for_seconds``."""
        return for_seconds if self.for_override_seconds is None else self.for_override_seconds


PRODUCTION = Timing(rate_window_seconds=300)
TEST = Timing(rate_window_seconds=10, interval_seconds=1, for_override_seconds=2)


@dataclass(frozen=True, kw_only=True)
class RecordingRule:
    """One ``record:`` rule; ``record`` follows the node-mixin ``level:metric:operations`` style."""

    record: str
    expr: str

    def to_dict(self, timing: Timing) -> dict:
        return {"record": self.record, "expr": self.expr}


@dataclass(frozen=True, kw_only=True)
class AlertRule:
    """One alerting rule: one severity of one alert name.

    ``op`` and ``threshold`` restate the condition in the space of ``$value`` so tests can
    derive which severities a given value must fire; the PromQL in ``expr`` is the authority.
    """

    alert: str
    severity: str
    expr: str
    for_seconds: float
    op: str
    threshold: float
    summary: str
    description: str

    def triggered_by(self, value: float) -> bool:
        """Return whether ``$value`` meets this rule's condition."""
        return {
            ">": value > self.threshold, ">=": value >= self.threshold,
            "<": value < self.threshold, "==": value == self.threshold,
        }[self.op]

    @property
    def runbook_url(self) -> str:
        return f"{RUNBOOK_PATH}#{runbook_anchor(self.alert)}"

    def annotations(self) -> dict[str, str]:
        return {"summary": self.summary, "description": self.description, "runbook_url": self.runbook_url}

    def labels(self) -> dict[str, str]:
        return {"severity": self.severity}

    def to_dict(self, timing: Timing) -> dict:
        return {
            "alert": self.alert, "expr": self.expr, "for": format_duration(timing.hold(self.for_seconds)),
            "labels": self.labels(), "annotations": self.annotations(),
        }


@dataclass(frozen=True, kw_only=True)
class RuleGroup:
    """A named group of rules evaluated together."""

    name: str
    rules: Sequence[RecordingRule | AlertRule]

    def to_dict(self, timing: Timing) -> dict:
        out: dict = {"name": self.name}
        if timing.interval_seconds is not None:
            out["interval"] = format_duration(timing.interval_seconds)
        out["rules"] = [r.to_dict(timing) for r in self.rules]
        return out


def runbook_anchor(heading: str) -> str:
    """Return the GitHub-style anchor of a markdown heading (lower case, spaces to dashes)."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


def number(value: float) -> str:
    """Render a number for PromQL: integers without a decimal point, others in shortest form."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


class _Dumper(yaml.SafeDumper):
    """Safe dumper that writes multi-line strings as literal blocks and never wraps lines."""


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(data: object) -> str:
    """Return ``data`` as stable, diff-friendly YAML (insertion order, no wrapping)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, width=10_000, default_flow_style=False,
                     allow_unicode=True)


def render_rule_file(groups: Sequence[RuleGroup], timing: Timing, header: str = GENERATED_HEADER) -> str:
    """Render rule groups as a Prometheus rule file."""
    return header + dump_yaml({"groups": [g.to_dict(timing) for g in groups]})
