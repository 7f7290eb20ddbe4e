"""The backtest command (a benchmark, run here on a small generated set: output only, no timing) and the
structure of the generated histories it relies on."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from accounts.models import Role, StaffRole
from dossiers.models import Dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(seeded_module, db):
    """The demo agencies and catalogue, seeded once for this module (conftest.seeded_module)."""


def test_the_backtest_prints_auc_and_precision_for_the_forecast_and_the_rule(seeded):
    out = io.StringIO()
    call_command("backtest_forecast", "--generate", "--dossiers", "1500", "--seed", "3", stdout=out)
    text = out.getvalue()
    assert "ROC AUC" in text and "Precision@5%" in text
    number = r"\s+(\d\.\d{3})\s+(\d\.\d{3})"
    forecast = re.search(r"Dự báo khả năng trễ \(forecast\)" + number, text)
    rule = re.search(r"Quy tắc sắp đến hạn \(rule\)" + number, text)
    left = re.search(r"Số giờ làm việc còn lại \(rule\)" + number, text)
    assert forecast and rule and left, text
    for match in (forecast, rule, left):
        auc, precision = float(match.group(1)), float(match.group(2))
        assert 0.0 <= auc <= 1.0 and 0.0 <= precision <= 1.0
    rows = re.search(r"([\d,]+) lượt hồ sơ đang giải quyết chưa quá hạn, ([\d,]+) thực sự trễ hẹn", text)
    assert rows and int(rows.group(1).replace(",", "")) > int(rows.group(2).replace(",", "")) > 0
    # the same data again, without generating: the same numbers (the forecast is seeded)
    again = io.StringIO()
    call_command("backtest_forecast", stdout=again)
    assert re.search(r"Dự báo khả năng trễ \(forecast\)" + number, again.getvalue()).groups() == forecast.groups()


@pytest.mark.parametrize("args, message", [
    (["--cut", "2026-02-30"], "Ngày không hợp lệ"),
    (["--cut", "2999-01-01"], "trong quá khứ"),
    (["--generate", "--dossiers", "0"], "--dossiers phải từ 1"),
    (["--every", "0"], "--every phải lớn hơn 0"),
    ([], "Chưa có hồ sơ"),
])
def test_bad_arguments_are_refused_in_vietnamese(seeded, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("backtest_forecast", *args, stdout=io.StringIO())
    assert not Dossier.objects.exists()


def test_generated_histories_have_slow_procedures_and_officers(seeded):
    call_command("generate_dossiers", "--count", "2500", "--officers", "3", "--seed", "5", "--agencies",
                 "H21.65,H21.66", stdout=io.StringIO())
    for code in ("H21.65", "H21.66"):
        assert StaffRole.objects.filter(agency__code=code, role=Role.APPRAISER).count() == 3
        assert Dossier.objects.filter(handling_agency__code=code).exclude(assignee=None).values(
            "assignee").distinct().count() == 3
    finished = Dossier.objects.exclude(resolved_at=None)
    rates = []
    for row in finished.values("procedure_version__procedure").annotate(
            n=Count("id"), late=Count("id", filter=Q(punctuality="late"))):
        if row["n"] >= 60:
            rates.append(row["late"] / row["n"])
    # lateness depends on the procedure, not on chance alone
    assert len(rates) >= 5 and max(rates) > 3 * min(rates) + 0.05
    # open dossiers are where they are now: started their step before now, still within a plausible time
    running = Dossier.objects.filter(status="in_appraisal")
    assert running.exists() and not running.filter(step_started_at=None).exists()
