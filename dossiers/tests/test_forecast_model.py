"""The duration model of the risk forecast, learned from hand-made control sheets: working hours per step
(across nights, lunch breaks and weekends), quantiles, the fallback levels and the minimum sample size."""

import datetime as dt
import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from dossiers.lateness import forecast, risk
from dossiers.models import ForecastLevel, StepDuration
from dossiers.tasks import forecast_refresh_task
from dossiers.workflow import Status

from .conftest import at
from .forecast_helper import history

pytestmark = pytest.mark.django_db

APPRAISAL = [6, 12, 18, 24, 30]  # working hours; the household procedure allots 12 to appraisal


def _pleiku_five(world):
    # Received on Fridays at 16:00: every appraisal crosses a weekend, most a lunch break too.
    first = at(2026, 3, 6, 16)
    return [history(version=world.household, agency=world.pleiku, received=first + dt.timedelta(days=7 * k),
                    appraisal=hours, approval=2) for k, hours in enumerate(APPRAISAL)]


def test_step_durations_are_working_hours_divided_by_the_allotment(world, settings):
    settings.FORECAST_MIN_SAMPLES = 5
    _pleiku_five(world)
    model = risk.fit_model()
    procedure = world.household.procedure
    n, quantiles, mean = model.groups[ForecastLevel.PROCEDURE_AGENCY][(procedure.pk, None, world.pleiku.pk,
                                                                        "appraisal")]
    ratios = np.array(APPRAISAL) / 12.0
    assert n == 5
    assert quantiles == pytest.approx(np.quantile(ratios, forecast.PROBS).tolist(), abs=1e-6)
    assert quantiles[forecast.PROBS.tolist().index(0.5)] == pytest.approx(1.5, abs=1e-6)
    assert mean == pytest.approx(ratios.mean())
    approval = model.groups[ForecastLevel.PROCEDURE_AGENCY][(procedure.pk, None, world.pleiku.pk, "approval")]
    assert approval[1] == pytest.approx([0.5] * len(forecast.PROBS), abs=1e-6)  # 2 of 4 allotted hours
    # the return step is counted up to the result reaching the desk: 1 of 4 hours
    back = model.groups[ForecastLevel.PROCEDURE_AGENCY][(procedure.pk, None, world.pleiku.pk, "return")]
    assert back[1] == pytest.approx([0.25] * len(forecast.PROBS), abs=1e-6)


def test_interrupted_and_unfinished_steps_are_not_samples(world, settings):
    settings.FORECAST_MIN_SAMPLES = 5
    _pleiku_five(world)
    history(version=world.household, agency=world.pleiku, received=at(2026, 4, 6, 9), appraisal=2,
            interrupt=Status.SUPPLEMENT_REQUESTED)
    history(version=world.household, agency=world.pleiku, received=at(2026, 4, 7, 9), appraisal=3,
            interrupt=Status.WITHDRAWN)
    history(version=world.household, agency=world.pleiku, received=at(2026, 4, 8, 9), appraisal=200,
            stop_at=Status.IN_APPRAISAL)
    model = risk.fit_model()
    key = (world.household.procedure.pk, None, world.pleiku.pk, "appraisal")
    assert model.groups[ForecastLevel.PROCEDURE_AGENCY][key][0] == 5


def test_only_events_before_the_cut_are_learned(world, settings):
    settings.FORECAST_MIN_SAMPLES = 3
    _pleiku_five(world)  # appraisals end 9/3, 17/3, 25/3 8:00, 31/3 …
    model = risk.fit_model(before=at(2026, 3, 26, 0))
    key = (world.household.procedure.pk, None, world.pleiku.pk, "appraisal")
    assert model.groups[ForecastLevel.PROCEDURE_AGENCY][key][0] == 3


def test_fallback_levels_and_minimum_sample_size(world, settings):
    settings.FORECAST_MIN_SAMPLES = 5
    _pleiku_five(world)
    for k in range(2):
        history(version=world.household, agency=world.quynhon, received=at(2026, 3, 10 + k, 9), appraisal=40)
    model = risk.fit_model()
    household, birth = world.household.procedure, world.birth.procedure
    assert model.lookup(household.pk, household.field_id, world.pleiku.pk, "appraisal")[1] == "procedure_agency"
    # Quy Nhơn has 2 samples: the procedure at every agency (7 samples) is used
    quantiles, level = model.lookup(household.pk, household.field_id, world.quynhon.pk, "appraisal")
    assert level == "procedure"
    assert quantiles[forecast.PROBS.tolist().index(0.5)] == pytest.approx(24 / 12)  # 7 samples: 6…30, 40, 40
    # another procedure of another field, never seen: every procedure
    assert model.lookup(birth.pk, birth.field_id, world.pleiku.pk, "appraisal")[1] == "all"
    settings.FORECAST_MIN_SAMPLES = 8
    model = risk.fit_model()
    assert model.lookup(household.pk, household.field_id, world.pleiku.pk, "appraisal")[1] == "all"
    assert ForecastLevel.PROCEDURE not in {lvl for lvl, groups in model.groups.items() if groups}


def test_without_enough_history_the_allotment_is_the_prior(world, settings):
    settings.FORECAST_MIN_SAMPLES = 5
    for k in range(4):  # fewer than the 5 the last level needs
        history(version=world.household, agency=world.pleiku, received=at(2026, 3, 10 + k, 9), appraisal=40)
    model = risk.fit_model()
    household = world.household.procedure
    quantiles, level = model.lookup(household.pk, household.field_id, world.pleiku.pk, "appraisal")
    assert level == "prior" and quantiles == pytest.approx(forecast.PRIOR.tolist())


def test_refresh_replaces_the_stored_model_and_the_command_reports(world, settings):
    settings.FORECAST_MIN_SAMPLES = 5
    _pleiku_five(world)
    first = risk.forecast_refresh()
    assert first["rows"] == StepDuration.objects.count() > 0
    stored = StepDuration.objects.get(level=ForecastLevel.PROCEDURE_AGENCY, agency=world.pleiku, step="appraisal")
    assert stored.n == 5 and stored.procedure == world.household.procedure and stored.field is None
    loaded = risk.load_model()
    assert loaded.lookup(world.household.procedure.pk, None, world.pleiku.pk, "appraisal")[0] == stored.quantiles
    out = io.StringIO()
    call_command("forecast_refresh", stdout=out)
    assert StepDuration.objects.count() == first["rows"]  # replaced, not added
    assert "phân bố thời gian bước" in out.getvalue()
    call_command("forecast_refresh", "--before", "2026-03-01", stdout=io.StringIO())
    assert not StepDuration.objects.exists()


@pytest.mark.parametrize("value", ["2026-13-01", "hôm qua", ""])
def test_bad_cut_dates_are_refused_in_vietnamese(db, value):
    with pytest.raises(CommandError, match="Ngày không hợp lệ"):
        call_command("forecast_refresh", "--before", value, stdout=io.StringIO())
    with pytest.raises(ValueError, match="Ngày không hợp lệ"):
        forecast_refresh_task(value)
    with pytest.raises(ValueError, match="Ngày không hợp lệ"):
        forecast_refresh_task(20260301)
