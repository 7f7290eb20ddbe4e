"""bench_worklist times the real pages (#21): a 200 listing the dossiers, not the 400 a refused host gives."""

from io import StringIO

import pytest
from django.core.management import call_command

from .conftest import APPLICANT, at


@pytest.mark.django_db
def test_the_benchmark_measures_real_pages(world):
    from dossiers import services

    for hour in (8, 9, 10):
        services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, hour), **APPLICANT)
    out = StringIO()
    call_command("bench_worklist", "--repeat", "1", stdout=out)
    text = out.getvalue()
    assert "[agency] 3 rows on page 1" in text and "HTML page 1" in text
