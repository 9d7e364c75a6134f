"""Outcome rules: engine errors, expected statuses, body and JSON checks."""

from loadgen.checks import judge
from loadgen.engines.base import Outcome, Response
from loadgen.scenario import Expect


def test_default_expect_is_2xx_3xx():
    assert judge(Expect(), Response(status=200)) == Outcome.SUCCESS
    assert judge(Expect(), Response(status=302)) == Outcome.SUCCESS
    assert judge(Expect(), Response(status=404)) == Outcome.HTTP_ERROR
    assert judge(Expect(), Response(status=0, error_class="timeout")) == Outcome.TIMEOUT
    assert judge(Expect(), Response(status=0, error_class="refused")) == Outcome.CONNECTION_ERROR


def test_explicit_status_and_body_checks():
    expect = Expect(statuses=frozenset({201}), body_contains=("ok",), json_equals=(("items.0.id", 7),))
    good = b'{"items": [{"id": 7}], "s": "ok"}'
    assert judge(expect, Response(status=201, body=good)) == Outcome.SUCCESS
    assert judge(expect, Response(status=200, body=good)) == Outcome.HTTP_ERROR
    assert judge(expect, Response(status=201, body=b'{"items": [{"id": 8}], "s": "ok"}')) == Outcome.CHECK_FAILED
    assert judge(expect, Response(status=201, body=b"not json ok")) == Outcome.CHECK_FAILED
