"""`make run` loads the demo: realistic dossiers in every state, once. One seeding serves every check (it takes
most of a minute): the demo queues nothing for the worker, the document stores hold their papers, running it again
duplicates nothing, and a citizen who registers afterwards still gets the verification e-mail queued at once."""

import pytest
from celery.app.task import Task
from django.core.management import call_command

from accounts.services import citizen_register
from docstore.models import StoredDocument
from dossiers.models import Dossier, DossierEvent
from dossiers.workflow import Status
from nationalportal.models import SyncItem
from notifications.models import DeliveryStatus, EmailMessage, SmsMessage


@pytest.fixture
def published(monkeypatch):
    """Every task sent to the broker (.delay / .apply_async), recorded instead of run."""
    sent = []

    def apply_async(self, args=None, kwargs=None, **options):
        sent.append(self.name)

    monkeypatch.setattr(Task, "apply_async", apply_async)
    return sent


@pytest.mark.django_db(transaction=True)  # real commits: the on_commit callbacks run as in `make run`
def test_seed_demo_makes_realistic_dossiers_once_and_queues_nothing(published, settings):
    settings.SYNC_TARGET_URL = "http://127.0.0.1:9/sync"  # the sync push on, as in a configured portal
    settings.SYNC_SECRET = "demo-secret"
    call_command("seed_demo", "--quiet")
    assert published == []  # before: one ingest per receipt and result, e-mails, sync kicks (hundreds)
    # what the demo would have sent is recorded as sent, not left queued for the worker
    assert EmailMessage.objects.exists() or SmsMessage.objects.exists()
    assert not EmailMessage.objects.filter(status=DeliveryStatus.QUEUED).exists()
    assert not SmsMessage.objects.filter(status=DeliveryStatus.QUEUED).exists()
    assert SyncItem.objects.exists() and not SyncItem.objects.filter(status="pending").exists()
    # the document-store intake ran in the process
    assert StoredDocument.objects.filter(owner__email="an.nguyen@example.com", source_dossier__isnull=False).exists()

    count = Dossier.objects.count()
    assert count >= 150
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert {Status.RECEIVED, Status.IN_APPRAISAL, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_APPROVAL,
            Status.RESULT_READY, Status.RETURNED} <= statuses
    assert set(Dossier.objects.values_list("channel", flat=True)) == {"in_person", "online"}
    assert {"late", "on_time"} <= set(Dossier.objects.values_list("punctuality", flat=True))
    assert DossierEvent.objects.filter(type="request_supplement").exists()
    for dossier in Dossier.objects.all()[:60]:
        moments = list(dossier.events.order_by("id").values_list("at", flat=True))
        assert moments == sorted(moments), dossier.pk
    from dossiers.models import ApologyLetter, DeadlineState
    from feedback.models import Feedback
    from satisfaction.models import FollowUp, Invitation, SurveyResponse

    assert Dossier.objects.filter(track=DeadlineState.OVERDUE).exists()
    assert ApologyLetter.objects.filter(auto=True).exists()

    answers, invitations = SurveyResponse.objects.count(), Invitation.objects.count()
    assert invitations == Dossier.objects.filter(status=Status.RETURNED).count()  # one per returned dossier
    assert 0 < answers < invitations and FollowUp.objects.exists() and Feedback.objects.count() == 3
    from payments.models import Payment

    assert not Dossier.objects.filter(status=Status.RETURNED, fee_status="unpaid").exists()
    assert {"cash", "online"} <= set(Payment.objects.filter(status="paid").values_list("method", flat=True))
    assert not Payment.objects.filter(status="paid", receipt_number="").exists()
    assert Dossier.objects.filter(status=Status.RESULT_READY, fee_status="unpaid").exists()  # waiting at the desk
    # the components verified at reception are in the citizens' stores, one copy per kind of paper
    assert StoredDocument.objects.filter(owner__email="an.nguyen@example.com").count() >= 3
    _received_for_others()
    payments = Payment.objects.count()
    call_command("seed_demo", "--quiet")
    assert Dossier.objects.count() == count and Payment.objects.count() == payments
    assert (SurveyResponse.objects.count(), Feedback.objects.count()) == (answers, 3)
    assert published == []

    citizen_register(email="new.citizen@example.com", full_name="Nguyễn Thị Mới", password="Mat-khau-2026!")
    assert published == ["notifications.deliver_email"]  # a real registration still queues its e-mail, alone
    assert EmailMessage.objects.get(to="new.citizen@example.com").status == DeliveryStatus.QUEUED


def _received_for_others():
    """Reception regardless of administrative boundaries: the Pleiku ward desk received a province-level
    procedure (the judicial record) for the provincial police, Công an tỉnh, competent for it since 07/2025, and
    another commune's procedure for Quy Nhơn ward, both waiting for the other desk's acknowledgement (one past
    its allotment, alerted), and one whose result was handed over at Quy Nhơn."""
    from django.utils import timezone

    from dossiers.attachments import missing_documents
    from dossiers.models import EventType, Handover

    now = timezone.now()
    routed = Dossier.objects.filter(receiving_agency__code="H21.65").exclude(handling_agency__code="H21.65")
    waiting = {h.dossier.handling_agency.code: h for h in Handover.objects.filter(
        dossier__in=routed, kind="dossier", acknowledged_at__isnull=True).select_related("dossier__handling_agency")}
    assert set(waiting) == {"H21.30", "H21.66"}
    overdue, recent = waiting["H21.30"], waiting["H21.66"]
    assert overdue.dossier.procedure_version.procedure.level == "province" and overdue.paper and overdue.carrier
    assert overdue.dossier.procedure_version.procedure.code == "3.000333"
    assert overdue.dossier.handling_agency.name == "Công an tỉnh Gia Lai"
    assert list(overdue.dossier.procedure_version.agencies.values_list("code", flat=True)) == ["H21.30"]
    assert overdue.due_at < now and overdue.alerted_at is not None
    assert overdue.dossier.events.filter(type=EventType.HANDOVER_OVERDUE, from_agency__code="H21.65",
                                         to_agency__code="H21.30").exists()
    assert recent.dossier.procedure_version.procedure.level == "commune" and recent.due_at > now
    assert not recent.dossier.events.filter(type=EventType.HANDOVER_OVERDUE).exists()
    for h in (overdue, recent):
        assert h.dossier.status == Status.RECEIVED and h.from_agency.code == "H21.65"
        assert not missing_documents(h.dossier)  # digitised, as forwarding requires
    elsewhere = routed.get(returning_agency__code="H21.66", status=Status.RETURNED)
    assert elsewhere.handling_agency.code == "H21.30" and elsewhere.punctuality in ("early", "on_time")
    legs = list(elsewhere.handovers.values_list("kind", "from_agency__code", "to_agency__code"))
    assert legs == [("dossier", "H21.65", "H21.30"), ("result", "H21.30", "H21.66")]
    assert not elsewhere.handovers.filter(acknowledged_at=None).exists()
    assert not elsewhere.handovers.filter(paper=True, paper_received_at=None).exists()
    kinds = list(elsewhere.events.filter(type__in=[EventType.HANDOVER_SENT, EventType.HANDOVER_ACKNOWLEDGED,
                                                   EventType.PAPER_RECEIVED]).values_list("type", "to_agency__code"))
    assert kinds == [("handover_sent", "H21.30"), ("handover_acknowledged", "H21.30"), ("paper_received", "H21.30"),
                     ("handover_sent", "H21.66"), ("handover_acknowledged", "H21.66"), ("paper_received", "H21.66")]
    approved = elsewhere.events.get(type=EventType.APPROVE)
    assert approved.actor.email == "lanhdao.congan@demo.gov.vn" and elsewhere.handling_agency.head == approved.actor
    returned = elsewhere.events.get(type=EventType.RETURN_RESULT)
    assert returned.actor.email == "tiepnhan.quynhon@demo.gov.vn"
    moments = list(elsewhere.events.order_by("id").values_list("at", flat=True))
    assert moments == sorted(moments)
