"""generate_province (issue #21): the demo province extended to many agencies with their staff, and dossiers
spread over them unequally, by level, over years; idempotent."""

import datetime as dt
import io
import statistics

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from accounts.models import Agency, AgencyLevel, Role, StaffRole, User
from dossiers.models import Dossier, DossierCodeCounter

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo", "--quiet", "--skip", "dossiers", "--skip", "parindex", "--skip", "docstore")


def _province():
    return Agency.objects.get(code="H21")


def test_extends_the_province_with_staff_and_spreads_dossiers_unequally(seeded):
    demo_codes = set(Agency.objects.values_list("code", flat=True))
    out = io.StringIO()
    call_command("generate_province", "--agencies", "30", "--count", "1500", "--days", "1100", "--batch", "400",
                 stdout=out)
    children = Agency.objects.filter(parent=_province())
    assert children.count() == 30
    departments = children.exclude(level=AgencyLevel.COMMUNE)
    assert departments.count() == 5 and children.filter(level=AgencyLevel.COMMUNE).count() == 25
    new = children.exclude(code__in=demo_codes)
    assert new.count() == 22
    assert all(a.name.startswith(("Sở ", "Ủy ban nhân dân xã ", "Ủy ban nhân dân phường ", "Thanh tra", "Văn phòng",
                                  "Ban ")) for a in new)
    assert len({a.name for a in children}) == 30
    # every agency has its desk, an appraiser and a leader who heads it
    for agency in children:
        roles = set(StaffRole.objects.filter(agency=agency).values_list("role", flat=True))
        assert {Role.RECEPTION, Role.APPRAISER, Role.APPROVER} <= roles, agency.code
        assert agency.head_id is not None
    generated = User.objects.filter(email__endswith="@sinh-du-lieu.invalid")
    assert generated.exists() and not generated.filter(is_active=False).exists()
    assert not any(u.has_usable_password() for u in generated)

    assert Dossier.objects.count() == 1500
    assert Dossier.objects.values("code").distinct().count() == 1500
    sizes = dict(Dossier.objects.values_list("receiving_agency__code").annotate(n=Count("id")))
    assert len(sizes) >= 20  # spread over many agencies
    ordered = sorted(sizes.values(), reverse=True)
    assert ordered[0] >= 5 * statistics.median(ordered)  # a few big, many small
    assert max(sizes, key=sizes.get) == "H21.65"
    # communes handle commune-level procedures, departments province-level ones
    by_level = set(Dossier.objects.values_list("receiving_agency__level", "procedure_version__procedure__level")
                   .distinct())
    assert by_level <= {(AgencyLevel.COMMUNE, "commune"), (AgencyLevel.DEPARTMENT, "province"),
                        (AgencyLevel.CENTER, "province")}
    assert (AgencyLevel.DEPARTMENT, "province") in by_level
    received = Dossier.objects.order_by("received_at").values_list("received_at", flat=True)
    assert (received.last() - received.first()).days > 700  # over several years
    # in progress: the open share of the last 60 days' intake only (about 60/1100 of a quarter), received lately
    unfinished = Dossier.objects.filter(resolved_at__isnull=True, closed_at__isnull=True)
    assert 0 < unfinished.count() < 0.05 * 1500
    assert unfinished.filter(received_at__lt=received.last() - dt.timedelta(days=120)).count() == 0
    uncollected = Dossier.objects.filter(status="result_ready")
    assert uncollected.count() < 0.02 * 1500
    for counter in DossierCodeCounter.objects.filter(agency__code="H21.65")[:30]:
        assert Dossier.objects.filter(receiving_agency=counter.agency,
                                      received_at__date=counter.day).count() <= counter.last

    # Again: no new agency, account or role; only dossiers, with codes continuing the counters.
    users, roles = User.objects.count(), StaffRole.objects.count()
    call_command("generate_province", "--agencies", "30", "--count", "200", "--days", "1100", "--seed", "2",
                 stdout=io.StringIO())
    assert Agency.objects.filter(parent=_province()).count() == 30
    assert (User.objects.count(), StaffRole.objects.count()) == (users, roles)
    assert Dossier.objects.values("code").distinct().count() == Dossier.objects.count() == 1700


def test_status_mix_and_slowness_vary_by_agency():
    """The mix of one agency and procedure: the backlog grows with the agency's slowness; the other factors are
    the procedure's and the agency's own, the same whatever the order they are asked in."""
    from dossiers.management.commands.generate_dossiers import MIX, _mix
    from dossiers.workflow import Status

    statuses, weights = zip(*MIX, strict=True)
    draw = {"seed": 1}
    fast = _mix(draw, statuses, weights, "H21.101", 7, 0.8)
    slow = _mix(draw, statuses, weights, "H21.102", 7, 1.5)
    k = statuses.index(Status.IN_APPRAISAL)
    share = lambda cum, i: (cum[i] - (cum[i - 1] if i else 0)) / cum[-1]  # noqa: E731
    assert share(slow, k) > 2 * share(fast, k)
    s = statuses.index(Status.SUPPLEMENT_REQUESTED)
    other_procedure = _mix(draw, statuses, weights, "H21.101", 8, 0.8)
    assert share(other_procedure, s) != share(fast, s)
    assert _mix({"seed": 1}, statuses, weights, "H21.101", 7, 0.8) == fast


@pytest.fixture
def province(db):
    return Agency.objects.create(code="H21", name="Ủy ban nhân dân tỉnh Gia Lai", level=AgencyLevel.PROVINCE)


def test_parts_generate_one_province_without_sharing_a_counter(seeded):
    """--part K/N: each part writes only its agencies (every N-th in code order), its share of --count by weight;
    together the parts cover the province with distinct codes and counters that cover every code."""
    call_command("generate_province", "--agencies", "30", stdout=io.StringIO())
    children = sorted(Agency.objects.filter(parent=_province()).values_list("code", flat=True))
    seen = {}
    for k in range(3):
        before = set(Dossier.objects.values_list("id", flat=True))
        call_command("generate_province", "--agencies", "30", "--count", "900", "--days", "400", "--part", f"{k}/3",
                     stdout=io.StringIO())
        mine = Dossier.objects.exclude(id__in=before)
        seen[k] = set(mine.values_list("receiving_agency__code", flat=True))
        assert mine.exists() and seen[k] <= {c for i, c in enumerate(children) if i % 3 == k}
    assert not (seen[0] & seen[1]) and not (seen[1] & seen[2])
    assert 880 <= Dossier.objects.count() <= 920  # each part's share, rounded
    assert Dossier.objects.values("code").distinct().count() == Dossier.objects.count()
    for counter in DossierCodeCounter.objects.all():
        assert Dossier.objects.filter(receiving_agency=counter.agency,
                                      received_at__date=counter.day).count() == counter.last


def test_cluster_puts_the_table_in_reception_order(seeded):
    """--cluster (PostgreSQL): the dossiers, generated at random moments, end up stored in reception order."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("CLUSTER is PostgreSQL's")
    out = io.StringIO()
    call_command("generate_province", "--agencies", "20", "--count", "400", "--days", "400", "--cluster", stdout=out)
    assert "Đã sắp xếp bảng hồ sơ" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT received_at FROM dossiers_dossier WHERE received_at IS NOT NULL ORDER BY ctid")
        stored = [r[0] for r in cursor.fetchall()]
    assert len(stored) >= 400 and stored == sorted(stored)


@pytest.mark.parametrize("args", [["--agencies", "1"], ["--agencies", "5000"], ["--count", "-1"],
                                  ["--province", "X99"], ["--days", "0"], ["--part", "2/2"], ["--part", "1"],
                                  ["--part", "a/b"], ["--part", "0/99"]])
def test_bad_arguments_write_nothing(province, args):
    with pytest.raises(CommandError):
        call_command("generate_province", *args, stdout=io.StringIO())
    assert list(Agency.objects.values_list("code", flat=True)) == ["H21"]
    assert not User.objects.exists()


def test_a_code_taken_elsewhere_stops_everything(province):
    other = Agency.objects.create(code="H21.101", name="Cơ quan khác", level=AgencyLevel.COMMUNE)
    with pytest.raises(CommandError, match=r"H21\.101"):
        call_command("generate_province", "--agencies", "20", stdout=io.StringIO())
    assert Agency.objects.count() == 2 and not User.objects.exists()
    other.refresh_from_db()
    assert other.parent_id is None
