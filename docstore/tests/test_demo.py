"""`make run` loads the demo, then a citizen registers: the first verification e-mail must not wait
behind hundreds of demo tasks, and the demo citizens' document stores hold their usual papers."""

import pytest
from celery.app.task import Task
from django.core.management import call_command

from accounts.services import citizen_register
from docstore.models import StoredDocument
from dossiers.models import Dossier
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
def test_demo_data_queues_nothing_and_real_actions_still_queue(published, settings):
    settings.SYNC_TARGET_URL = "http://127.0.0.1:9/sync"  # the sync push on, as in a configured portal
    settings.SYNC_SECRET = "demo-secret"
    call_command("seed_demo", "--quiet")
    assert Dossier.objects.count() >= 150
    assert published == []  # before: one ingest per receipt and result, e-mails, sync kicks (hundreds)
    # what the demo would have sent is recorded as sent, not left queued for the worker
    assert EmailMessage.objects.exists() or SmsMessage.objects.exists()
    assert not EmailMessage.objects.filter(status=DeliveryStatus.QUEUED).exists()
    assert not SmsMessage.objects.filter(status=DeliveryStatus.QUEUED).exists()
    assert SyncItem.objects.exists() and not SyncItem.objects.filter(status="pending").exists()
    # the document-store intake ran in the process
    assert StoredDocument.objects.filter(owner__email="an.nguyen@example.com", source_dossier__isnull=False).exists()

    citizen_register(email="new.citizen@example.com", full_name="Nguyễn Thị Mới", password="Mat-khau-2026!")
    assert published == ["notifications.deliver_email"]  # a real registration still queues its e-mail, alone
    assert EmailMessage.objects.get(to="new.citizen@example.com").status == DeliveryStatus.QUEUED


@pytest.mark.django_db
def test_demo_fills_the_citizens_document_store_once():
    call_command("seed_demo", "--quiet", "--skip", "dossiers")
    papers = StoredDocument.objects.filter(owner__email="an.nguyen@example.com")
    titles = set(papers.values_list("title", flat=True))
    assert {"Căn cước công dân", "Giấy khai sinh (bản sao trích lục)", "Giấy xác nhận thông tin về cư trú"} <= titles
    cccd = papers.get(title="Căn cước công dân")
    assert cccd.is_valid and cccd.content_type == "application/pdf" and cccd.issuing_agency
    with cccd.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    # one of Bình's papers has expired, so the store shows both states
    binh = StoredDocument.objects.filter(owner__email="binh.tran@example.com")
    assert binh.filter(title="Căn cước công dân").exists()
    assert any(not doc.is_valid for doc in binh)
    count = StoredDocument.objects.count()
    call_command("seed_demo", "--quiet", "--skip", "dossiers")
    assert StoredDocument.objects.count() == count
