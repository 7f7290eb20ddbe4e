"""The one reader of ?from=&to= report periods."""

import datetime as dt

import pytest

from core.errors import DomainError
from core.periods import period_from

TODAY = dt.date(2026, 3, 20)


def test_defaults_and_values():
    assert period_from({}, default_start=dt.date(2026, 3, 1), today=TODAY) == (dt.date(2026, 3, 1), TODAY)
    assert period_from({"from": "2026-01-05", "to": "2026-02-01"}, default_start=TODAY, today=TODAY) == (
        dt.date(2026, 1, 5), dt.date(2026, 2, 1))
    assert period_from({"from": "05/01/2026"}, default_start=TODAY, today=TODAY)[0] == dt.date(2026, 1, 5)


@pytest.mark.parametrize("params, code", [
    ({"from": "01/13/2026"}, "invalid_date"),  # month first: never read
    ({"from": "2026-03-10", "to": "2026-03-01"}, "invalid_period"),
    ({"from": "2024-01-01", "to": "2026-03-01"}, "period_too_long"),
])
def test_bad_periods_are_explained(params, code):
    with pytest.raises(DomainError) as exc:
        period_from(params, default_start=TODAY, today=TODAY, max_days=366)
    assert exc.value.code == code and exc.value.message
