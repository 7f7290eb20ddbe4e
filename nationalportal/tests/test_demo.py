"""The demo data of the national-portal link: the catalogue mapped, and three dossiers filed on the simulated
national portal through the intake, waiting at (or received by) the Pleiku desk, their statuses in the books."""

import pytest

from core.demo_mode import loading_demo
from dossiers.models import Dossier
from dossiers.workflow import Status
from nationalportal import demo, mapping
from nationalportal.models import Delivery, NationalDossier, SimulatedNationalDossier, SyncItem, SyncStatus

pytestmark = pytest.mark.django_db


def _seed(context):
    with loading_demo():  # as manage.py seed_demo runs it
        demo.seed(context)
    return context


def test_the_demo_maps_the_catalogue_and_files_three_dossiers_once(world, settings):
    settings.SYNC_TARGET_URL = "http://127.0.0.1:9/khong-co"  # as `make run` has it: the outbox is on
    assert mapping.unmapped_versions().exists()
    context = _seed({"dossiers": 0})
    assert not mapping.unmapped_versions().exists() and context["nationalportal_mapped"] > 0
    assert context["nationalportal"] == 3
    rows = list(SimulatedNationalDossier.objects.order_by("filed_at"))
    assert [r.delivery for r in rows] == [Delivery.TAKEN] * 3
    dossiers = {d.national_code: d for d in Dossier.objects.filter(national_code__isnull=False)}
    assert set(dossiers) == {r.national_code for r in rows}
    assert all(d.receiving_agency == world.pleiku and d.procedure_version == world.birth for d in dossiers.values())
    assert [dossiers[r.national_code].status for r in rows] == [Status.RECEIVED, Status.SUBMITTED, Status.SUBMITTED]
    oldest = rows[0]
    assert [(s["code"], s["label"]) for s in oldest.statuses] == [("1", "Mới đăng ký"), ("2", "Được tiếp nhận")]
    assert oldest.dossier_code == dossiers[oldest.national_code].code and oldest.national_label == "Được tiếp nhận"
    assert [[s["code"] for s in r.statuses] for r in rows[1:]] == [["1"], ["1"]]
    assert [NationalDossier.objects.get(national_code=r.national_code).vneid_verified for r in rows] == [
        True, True, False]
    # the books keep the request without the files' content
    assert all("content_base64" not in f for r in rows for f in r.request["files"])
    # demo history: recorded as pushed, nothing queued for the worker (core.demo_mode)
    assert SyncItem.objects.exists() and not SyncItem.objects.exclude(status=SyncStatus.SENT).exists()
    again = _seed({"dossiers": 0})
    assert (again["nationalportal_mapped"], SimulatedNationalDossier.objects.count(), Dossier.objects.count()) == (
        0, 3, len(dossiers))


def test_without_the_demo_dossiers_or_the_simulator_only_the_mapping(world, settings):
    _seed({})  # seed_demo --skip dossiers
    assert not mapping.unmapped_versions().exists() and not SimulatedNationalDossier.objects.exists()
    settings.NATIONAL_PORTAL_SIMULATOR = False
    _seed({"dossiers": 0})
    assert not SimulatedNationalDossier.objects.exists() and not Dossier.objects.exists()
