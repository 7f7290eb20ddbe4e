import pytest
from django.core.management import call_command

from dossiers.models import Dossier, DossierEvent
from dossiers.workflow import Status

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_realistic_dossiers_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # as the worker does after each commit
        call_command("seed_demo", "--quiet")
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
    from docstore.models import StoredDocument

    # the components verified at reception are in the citizens' stores, one copy per kind of paper
    assert StoredDocument.objects.filter(owner__email="an.nguyen@example.com").count() >= 3
    payments = Payment.objects.count()
    call_command("seed_demo", "--quiet")
    assert Dossier.objects.count() == count and Payment.objects.count() == payments
    assert (SurveyResponse.objects.count(), Feedback.objects.count()) == (answers, 3)
