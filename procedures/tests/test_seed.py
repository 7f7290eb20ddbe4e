"""The real procedures shipped with the portal (procedures/seed/procedures.json)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from procedures.models import Channel, Level, Procedure, VersionStatus
from procedures.selectors import procedure_search, version_in_force
from workcalendar.calendar import TZ, WorkCalendar
from workcalendar.deadlines import due

pytestmark = pytest.mark.django_db

REQUIRED = {
    "khai sinh": ("1.001193", Decimal(0), "working_days"),
    "ket hon": ("1.000894", None, None),
    "khai tu": ("1.000656", None, None),
    "chung thuc ban sao tu ban chinh": ("2.000815", None, None),
    "thanh lap ho kinh doanh": ("1.001612", Decimal(3), "working_days"),
    "giay phep xay dung": ("1.013225", Decimal(15), "days"),
    "cap giay chung nhan lan dau": ("1.013978", None, None),
    "an toan thuc pham": ("1.002425", Decimal(20), "days"),
    "ly lich tu phap": ("3.000333", None, None),
}


@pytest.fixture
def seeded(seeded_module, db):
    """The demo catalogue, seeded once for this module (conftest.seeded_module)."""


def test_at_least_thirty_procedures_at_both_levels_each_citing_its_legal_basis(seeded):
    procedures = Procedure.objects.all()
    assert procedures.count() >= 30
    assert procedures.filter(level=Level.COMMUNE).count() >= 10
    assert procedures.filter(level=Level.PROVINCE).count() >= 10
    for procedure in procedures:
        version = version_in_force(procedure)
        assert version is not None and version.status == VersionStatus.PUBLISHED, procedure.code
        assert version.legal_bases and version.source, procedure.code
        assert version.channels.exists() and version.documents.exists(), procedure.code


@pytest.mark.parametrize("query", list(REQUIRED))
def test_required_procedures_are_found_by_a_citizen_typing_without_accents(seeded, query):
    code, limit, unit = REQUIRED[query]
    found = [p.code for p in procedure_search(q=query)[:5]]
    assert code in found, (query, found)
    if limit is not None:
        channel = version_in_force(Procedure.objects.get(code=code)).channels.get(channel=Channel.IN_PERSON)
        assert (channel.time_limit, channel.unit) == (limit, unit)


def test_a_procedure_with_several_channels_and_different_fees(seeded):
    multi = [p for p in Procedure.objects.all()
             if len({c.total_fee for c in version_in_force(p).channels.all()}) > 1]
    assert multi, "expected a procedure whose online fee differs from the desk fee"


def test_birth_registration_after_three_pm_is_due_the_next_working_day(seeded):
    channel = version_in_force(Procedure.objects.get(code="1.001193")).channels.get(channel=Channel.IN_PERSON)
    cal = WorkCalendar()
    received = dt.datetime(2026, 3, 2, 16, 0, tzinfo=TZ)
    assert due(cal, received, int(channel.time_limit), channel.unit) == dt.datetime(2026, 3, 3, 17, 0, tzinfo=TZ)


def test_every_internal_process_fits_its_time_limit(seeded):
    from procedures.services import allotment_error

    for procedure in Procedure.objects.all():
        for channel in version_in_force(procedure).channels.all():
            hours = [s.hours for s in channel.steps.all()]
            assert allotment_error(channel.time_limit, channel.unit, hours) is None, (procedure.code, channel.channel)


def test_running_seed_demo_again_duplicates_nothing(seeded):
    from procedures.models import ChannelOption, ProcedureVersion

    before = (Procedure.objects.count(), ProcedureVersion.objects.count(), ChannelOption.objects.count())
    call_command("seed_demo", "--quiet", "--skip", "dossiers", "--skip", "parindex", "--skip", "docstore")
    assert (Procedure.objects.count(), ProcedureVersion.objects.count(), ChannelOption.objects.count()) == before


def test_the_demo_province_lists_commune_and_province_procedures_received_anywhere(seeded):
    from accounts.models import Agency
    from procedures.anywhere import anywhere_version_ids, portal_province
    from procedures.models import AnywhereOverride
    from procedures.selectors import versions_in_force

    province = portal_province()
    assert province == Agency.objects.get(code="H21")
    in_force = versions_in_force().select_related("procedure")
    listed = anywhere_version_ids(province, in_force)
    on_list = {v.procedure.code: v.procedure.level for v in in_force if v.pk in listed}
    assert {"1.001193", "2.000635", "2.000815", "3.000333"} <= set(on_list)  # birth, copies, certified copies
    assert {Level.COMMUNE, Level.PROVINCE} <= set(on_list.values())
    # The demo province's decision takes land-change registration off its list, though the version is flagged.
    override = AnywhereOverride.objects.get(procedure__code="1.013831")
    assert override.province == province and override.receivable is False
    assert version_in_force(override.procedure).anywhere is True and "1.013831" not in on_list
    call_command("seed_demo", "--quiet", "--skip", "dossiers", "--skip", "parindex", "--skip", "docstore")  # idempotent
    assert AnywhereOverride.objects.count() == 1


def test_the_provincial_police_is_competent_for_the_judicial_record(seeded):
    """Since 07/2025 the judicial record is issued by the provincial police (the seed's version says "Công an
    cấp tỉnh"); a demo database seeded when Sở Tư pháp stood in for it gets the police on the next run, and a
    list the catalogue (or an administrator) set otherwise is kept."""
    from accounts.models import Agency

    version = version_in_force(Procedure.objects.get(code="3.000333"))
    assert "Công an cấp tỉnh" in version.competent_agency
    assert [a.name for a in version.agencies.all()] == ["Công an tỉnh Gia Lai"]
    version.agencies.set([Agency.objects.get(code="H21.11")])  # the former demo stand-in
    call_command("seed_demo", "--quiet", "--skip", "dossiers", "--skip", "parindex", "--skip", "docstore")
    assert list(version.agencies.values_list("code", flat=True)) == ["H21.30"]
    version.agencies.set(Agency.objects.filter(code__in=["H21.11", "H21.30"]))
    call_command("seed_demo", "--quiet", "--skip", "dossiers", "--skip", "parindex", "--skip", "docstore")
    assert set(version.agencies.values_list("code", flat=True)) == {"H21.11", "H21.30"}
