import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Max

from dossiers.models import Dossier, DossierCodeCounter, DossierEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo", "--quiet", "--skip", "dossiers")


def test_generates_dossiers_with_histories_and_consistent_codes(seeded):
    call_command("generate_dossiers", "--count", "600", "--batch", "250", stdout=io.StringIO())
    assert Dossier.objects.count() == 600
    assert Dossier.objects.values("code").distinct().count() == 600
    assert DossierEvent.objects.values("dossier").distinct().count() == 600
    assert Dossier.objects.filter(status="returned").count() > 300
    assert Dossier.objects.filter(punctuality="late").exists()
    for counter in DossierCodeCounter.objects.all():
        codes = Dossier.objects.filter(receiving_agency=counter.agency, received_at__date=counter.day)
        assert codes.count() <= counter.last
    # Later receptions continue the counters: no code is ever reused.
    call_command("generate_dossiers", "--count", "100", stdout=io.StringIO())
    assert Dossier.objects.values("code").distinct().count() == 700
    for d in Dossier.objects.annotate(n=Count("events"), last=Max("events__at"))[:50]:
        moments = list(d.events.order_by("id").values_list("at", flat=True))
        assert moments == sorted(moments) and d.n >= 2


@pytest.mark.parametrize("args", [["--count", "0"], ["--count", "10", "--agencies", "X99"],
                                  ["--count", "10", "--days", "0"]])
def test_bad_arguments(seeded, args):
    with pytest.raises(CommandError):
        call_command("generate_dossiers", *args, stdout=io.StringIO())
    assert Dossier.objects.count() == 0
