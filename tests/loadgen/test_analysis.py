"""Spike recovery time from interval rows."""

from loadgen.analysis import spike_recovery


def _row(t, p95, errors=0, requests=100):
    return {"t": t, "p95": p95, "errors": errors, "requests": requests}


def test_recovery_is_the_first_interval_back_at_baseline_after_the_spike():
    rows = [_row(0, 10), _row(1, 11), _row(2, 200), _row(3, 300), _row(4, 80), _row(5, 11.5), _row(6, 10)]
    result = spike_recovery(rows, (2.0, 4.0))
    assert result["baseline_p95_ms"] == 10.5
    assert result["recovery_s"] == 1.0  # t=5 is the first interval within 20 % of 10.5 ms


def test_errors_delay_recovery_and_never_recovering_is_none():
    rows = [_row(0, 10), _row(2, 10, errors=50), _row(3, 10, errors=0)]
    assert spike_recovery(rows, (1.0, 2.0))["recovery_s"] == 1.0
    assert spike_recovery([_row(0, 10), _row(2, 100)], (1.0, 2.0))["recovery_s"] is None
