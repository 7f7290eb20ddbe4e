import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Max

from dossiers.models import Dossier, DossierCodeCounter, DossierEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(seeded_module, db):
    """The demo agencies and catalogue, seeded once for this module (conftest.seeded_module)."""


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


def test_generated_dossiers_have_their_handed_in_record(seeded):
    """Generated desk dossiers carry what reception counted (DossierComponent), so their receipt lists it."""
    from dossiers.components import handed_in
    from dossiers.models import DossierComponent
    from procedures.models import Requirement

    call_command("generate_dossiers", "--count", "200", "--batch", "80", stdout=io.StringIO())
    rows = DossierComponent.objects.select_related("document", "dossier")
    expected = sum(d.procedure_version.documents.count() for d in Dossier.objects.select_related("procedure_version"))
    assert rows.count() == expected > 0
    assert not rows.filter(files__gt=0).exists()  # desk dossiers: paper, no electronic file
    for row in rows.filter(requirement=Requirement.REQUIRED):
        assert row.applies and row.originals + row.copies > 0 and row.recorded_at == row.dossier.received_at
        if row.document.originals or row.document.copies:
            assert (row.originals, row.copies) == (row.document.originals, row.document.copies)
    assert not rows.filter(requirement=Requirement.CONDITIONAL, applies=False, originals__gt=0).exists()
    assert not rows.filter(requirement=Requirement.PRESENT, presented=False).exists()
    for d in Dossier.objects.all()[:20]:
        listed = handed_in(d)
        assert listed and all(c.originals + c.copies > 0 for c in listed)


def test_copy_writes_the_rows_the_orm_would(seeded):
    """_insert's COPY (PostgreSQL) writes each field as save() would: text with quotes and commas, empty text,
    NULL, booleans, aware datetimes, JSON; on SQLite it is bulk_create."""
    import datetime as dt

    from django.utils import timezone

    from dossiers.management.commands.generate_dossiers import _insert
    from dossiers.models import DossierComponent

    call_command("generate_dossiers", "--count", "2", stdout=io.StringIO())
    base = Dossier.objects.order_by("id").first()
    at = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 15, 30, 123456))

    def objects(tag):
        event = DossierEvent(dossier_id=base.pk, type="assign", at=at, from_status="", to_status="",
                             reason=f'"Trích", dòng 1\ndòng 2 \\N {tag}', payload={"khóa": ["giá trị", 1, None]})
        component = DossierComponent(dossier_id=base.pk, document_id=None, order=3, name=f"Tờ khai, bản sao {tag}",
                                     requirement="required", condition="", applies=True, presented=False,
                                     originals=1, copies=0, files=0, recorded_at=at)
        return event, component

    copied, ormed = objects("x"), objects("x")
    _insert(DossierEvent, [copied[0]], 10)
    _insert(DossierComponent, [copied[1]], 10)
    DossierEvent.objects.bulk_create([ormed[0]])
    DossierComponent.objects.bulk_create([ormed[1]])
    for model, a, b in ((DossierEvent, copied[0], ormed[0]), (DossierComponent, copied[1], ormed[1])):
        row_a = model.objects.filter(pk=a.pk).values().get()
        row_b = model.objects.filter(pk=b.pk).values().get()
        assert row_a.pop("id") != row_b.pop("id")
        assert row_a == row_b
    stored = DossierEvent.objects.get(pk=copied[0].pk)
    assert stored.reason.startswith('"Trích", dòng 1\ndòng 2 \\N') and stored.payload == {"khóa": ["giá trị", 1, None]}
    assert stored.at == at and stored.actor_id is None
