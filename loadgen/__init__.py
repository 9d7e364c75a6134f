"""perfstack's load generator: open and closed models, truthful latency, live metrics, reports.

Public API (pinned by tests/loadgen/test_api.py): :class:`LoadTester`, :class:`LoadTestSuite`,
:class:`LoadTestConfig` and the ``create_*`` profile helpers. The CLI is ``python -m loadgen``.
"""

from loadgen.api import (
    LoadTestConfig,
    LoadTester,
    LoadTestSuite,
    create_basic_load_test,
    create_endurance_test,
    create_spike_test,
    create_stress_test,
)

__all__ = ["LoadTestConfig", "LoadTester", "LoadTestSuite", "create_basic_load_test", "create_stress_test",
           "create_spike_test", "create_endurance_test"]
