"""`bench_breakdown` (#21) times the real breakdown page and refuses to time a page whose total row is not the count
over the dossier table, naming the likely cause: monthly tables not refreshed since the data was generated."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dossiers.models import MonthlyBreakdown

pytestmark = pytest.mark.django_db


def test_the_benchmark_checks_the_total_row_and_says_to_refresh_when_it_differs():
    call_command("seed_demo", "--quiet", "--skip", "dossiers", "--skip", "parindex", "--skip", "docstore")
    call_command("generate_province", "--agencies", "12", "--count", "600", "--days", "60", stdout=io.StringIO())
    year = f"{timezone.localdate():%Y}"
    call_command("recompute_metrics", "--from", f"{year}-01", stdout=io.StringIO())
    out = io.StringIO()
    call_command("bench_breakdown", "--repeat", "1", stdout=out)
    text = out.getvalue()
    assert "[this month]" in text and "[this year]" in text and text.count("process CPU median") == 6

    MonthlyBreakdown.objects.filter(agency__code="H21.65").delete()  # the tables no longer match the dossiers
    with pytest.raises(CommandError, match=f"dòng tổng .* thay vì .*manage.py recompute_metrics --from {year}-"):
        call_command("bench_breakdown", "--repeat", "1", stdout=io.StringIO())
