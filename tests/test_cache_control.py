"""`Cache-Control: no-store` on every page and download that shows one person's data (#15).

A shared computer at a commune office, the Back button after logging out or a caching proxy must
never hand one citizen's dossier, receipt or file to the next person. Public catalogue pages and
static assets stay cacheable.
"""

import pytest
from django.templatetags.static import static
from django.urls import reverse

from dossiers.tests.conftest import attach_required
from payments.models import Payment
from satisfaction.tests import conftest as shared

APPLICANT = shared.APPLICANT
world = shared.world  # the dossier and survey fixtures of the apps' own tests
returned = shared.returned

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_the_logged_in_citizens_pages_and_downloads_are_never_stored(client, world, returned):
    dossier = returned()
    client.force_login(world.reception)
    pages = {
        "dossier page": reverse("dossiers:detail", args=[dossier.pk]),
        "receipt PDF (Mẫu 01)": reverse("dossiers:receipt", args=[dossier.pk]),
        "e-receipt PDF": reverse("payments:receipt", args=[Payment.objects.get(dossier=dossier).pk]),
        "ledger export (XLSX)": reverse("dossiers:ledger") + "?format=xlsx&from=2026-03-01&to=2026-03-31",
        "profile": reverse("accounts:profile"),
        "worklist": reverse("dossiers:worklist"),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        assert no_store(response), (name, response.get("Cache-Control"))


def test_attachments_store_documents_and_notifications_of_a_citizen(client, world):
    from dossiers.models import Attachment, Dossier

    client.force_login(world.citizen)
    response = client.post(reverse("dossiers:start", args=["1.001193"]), {
        "agency": world.pleiku.pk, "return_channel": "online", "applicant_kind": "person", **APPLICANT})
    assert response.status_code == 302
    dossier = attach_required(Dossier.objects.get(), world.citizen)
    attachment = Attachment.objects.filter(dossier=dossier).first()
    pages = {
        "attachment download": reverse("dossiers:attachment", args=[attachment.pk]),
        "my dossiers": reverse("dossiers:mine"),
        "document store": reverse("docstore:store"),
        "notifications": reverse("notifications:inbox"),
        "catalogue, logged in": reverse("procedures:list"),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        assert no_store(response), (name, response.get("Cache-Control"))


def test_anonymous_tracking_survey_and_kiosk_are_never_stored(client, world, returned):
    dossier = returned()
    pages = {
        "tracking result": reverse("dossiers:track") + f"?code={dossier.code}&pin={dossier.pin}",
        "tracking form": reverse("dossiers:track"),
        "survey link (expired since the March return: a 410 page, still this dossier's)":
            reverse("satisfaction:survey", args=[dossier.survey_invitation.token]),
        "kiosk": reverse("satisfaction:kiosk"),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 410), (name, response.status_code)
        assert no_store(response), (name, response.get("Cache-Control"))
    api = client.get(reverse("dossier-track"), {"code": dossier.code, "pin": dossier.pin})
    assert api.status_code == 200 and no_store(api)
    kiosk = client.post(reverse("satisfaction:kiosk"), {"scan": f"x?code={dossier.code}&pin={dossier.pin}"})
    assert kiosk.status_code == 200 and no_store(kiosk)


def test_public_catalogue_pages_and_static_files_stay_cacheable(client, world):
    for url in (reverse("home"), reverse("procedures:list"), reverse("procedures:detail", args=["1.001193"]),
                static("css/portal.css")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" not in response.get("Cache-Control", ""), url
