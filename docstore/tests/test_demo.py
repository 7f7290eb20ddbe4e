"""The demo citizens' document stores hold their usual papers. (That the demo queues nothing for the worker, so a
citizen's first verification e-mail does not wait behind hundreds of demo tasks, is checked with the full demo in
dossiers/tests/test_demo_data.py: one seeding of the dossiers serves both.)"""

import pytest
from django.core.management import call_command

from docstore.models import StoredDocument


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
