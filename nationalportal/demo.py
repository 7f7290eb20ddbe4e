"""Demo data of the national-portal link (`manage.py seed_demo`, after the dossiers' demo).

- Every published version in force is mapped with the national portal (`mapping.map_version`: the catalogue's
  code, the components as "TP<order>"); a version already mapped keeps what the administrator set.
- When the demo dossiers are loaded (not with `--skip dossiers`) and the simulator is on, three dossiers are
  "filed on the national portal" at the Pleiku ward desk: through the intake itself (`intake.intake`, in this
  process: no server runs while seeding), each recorded in the simulator's books (`simulator.file`) with the
  statuses this portal pushes back (`sync.payload`, as the receiver would have kept them). Two wait in the
  desk's queue, one was received. Runs once: skipped when the simulator's books hold any dossier.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Agency, User
from core.errors import DomainError
from dossiers.models import Dossier
from dossiers.services import dossier_receive
from procedures.models import Channel
from procedures.selectors import versions_in_force

from . import intake, mapping, simulator, sync
from .models import Delivery, SimulatedNationalDossier, SyncItem, VersionMapping
from .views import intake_answer

DESK, OFFICER, PROCEDURE = "H21.65", "tiepnhan.pleiku@demo.gov.vn", "1.001193"
# (applicant, verified through VNeID, hours ago it was filed, received at the desk since)
FILINGS = [
    ({"name": "Rơ Mah H'Hen", "id_number": "064190002468", "phone": "0905123456", "commune": "Phường Pleiku"}, True,
     50, True),
    ({"name": "Trần Thị Bình", "id_number": "064190000456", "phone": "0987654321", "email": "binh.tran@example.com",
      "commune": "Phường Pleiku"}, True, 5, False),
    ({"name": "Nguyễn Thành Long", "id_number": "064095001357", "phone": "0912000111", "commune": "Phường Pleiku"},
     False, 2, False),
]


def map_versions() -> int:
    """Map each published version in force that has no mapping yet; the number mapped."""
    done = 0
    for version in versions_in_force().select_related("procedure").filter(
            ~Exists(VersionMapping.objects.filter(version=OuterRef("pk")))).order_by("procedure__code"):
        try:
            mapping.map_version(version)
        except DomainError:  # a catalogue code the national portal's format refuses: left for the administrator
            continue
        done += 1
    return done


def _version(desk: Agency):
    versions = [v for v in simulator.filing_versions() if v.channels.filter(channel=Channel.ONLINE).exists()
                and desk.pk in {a.pk for a in simulator.desks_for(v)}]
    return next((v for v in versions if v.procedure.code == PROCEDURE), versions[0] if versions else None)


def _in_process(now: dt.datetime):
    """Deliver to the intake as its endpoint would, without HTTP (the answer the endpoint gives)."""

    def send(body: bytes) -> tuple[int | None, dict | None, str]:
        try:
            outcome = intake.intake(intake.parse(body), now=now)
        except DomainError as exc:
            return exc.http_status, {"code": exc.code, "detail": exc.message}, ""
        return (201 if outcome.created else 200), intake_answer(outcome.record), ""

    return send


def _pushed_back(row: SimulatedNationalDossier) -> None:
    dossier = Dossier.objects.select_related("receiving_agency", "handling_agency", "returning_agency",
                                             "procedure_version__procedure").get(national_code=row.national_code)
    for event in dossier.events.order_by("at", "id"):
        event.dossier = dossier
        if sync.pushed(event):
            simulator.record_push(sync.payload(SyncItem(dossier=dossier, event=event)))


def seed(context: dict) -> None:
    context["nationalportal_mapped"] = map_versions()
    if "dossiers" not in context or not simulator.enabled() or SimulatedNationalDossier.objects.exists():
        return
    desk = Agency.objects.filter(code=DESK).first()
    officer = User.objects.filter(email=OFFICER).first()
    version = _version(desk) if desk is not None else None
    if version is None or officer is None:
        return
    now = timezone.now()
    filed = 0
    for applicant, verified, hours_ago, receive in FILINGS:
        when = now - dt.timedelta(hours=hours_ago)
        row = simulator.file(version=version, desk=desk, applicant={**applicant, "vneid_verified": verified},
                             send=_in_process(when + dt.timedelta(minutes=1)), now=when)
        if row.delivery != Delivery.TAKEN:
            continue
        if receive:
            dossier = Dossier.objects.get(national_code=row.national_code)
            dossier_receive(dossier=dossier, actor=officer, at=when + dt.timedelta(hours=2))
        _pushed_back(row)
        filed += 1
    context["nationalportal"] = filed
