"""The administrator registers a leader's certificate from its file (errors on the form, never a 500) and
reads the register of issued documents."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import AgencyFactory
from signing import pdf, services
from signing.democa import der, pem
from signing.models import OfficerCertificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="quantri@example.vn", password="x",
                                                       full_name="Quản Trị")
    client.force_login(admin)
    client.admin = admin
    return client


@pytest.fixture
def leader(django_user_model):
    return django_user_model.objects.create_user(email="lanhdao@example.vn", password="x", full_name="Lê Lãnh Đạo")


def _add(client, user, data: bytes, name: str = "lanh-dao.cer"):
    return client.post(reverse("admin:signing_officercertificate_add"),
                       {"user": user.pk, "certificate": SimpleUploadedFile(name, data)})


def test_the_administrator_registers_a_leaders_certificate_file(admin_client, leader, pki):
    cert, _key = pki.person("Le Lanh Dao")
    page = admin_client.get(reverse("admin:signing_officercertificate_add"))
    assert page.status_code == 200 and 'name="certificate"' in page.content.decode()
    response = _add(admin_client, leader, pem(cert), "lanh-dao.pem")
    assert response.status_code == 302, response.content.decode()[:2000]
    row = OfficerCertificate.objects.get()
    assert (row.user, row.added_by, row.is_active) == (leader, admin_client.admin, True)
    assert "Le Lanh Dao" in row.subject and bytes(row.der) == der(cert)
    # taken out of use later: only "in use" changes
    change = reverse("admin:signing_officercertificate_change", args=[row.pk])
    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"is_active": ""}).status_code == 302
    row.refresh_from_db()
    assert not row.is_active and bytes(row.der) == der(cert)


def test_a_garbage_or_repeated_certificate_file_is_refused_on_the_form(admin_client, leader, pki):
    response = _add(admin_client, leader, b"this is not a certificate")
    assert response.status_code == 200
    assert "không phải là chứng thư số" in response.content.decode()
    assert not OfficerCertificate.objects.exists()
    cert, _key = pki.person("Le Lanh Dao")
    assert _add(admin_client, leader, der(cert)).status_code == 302
    response = _add(admin_client, leader, pem(cert))
    assert response.status_code == 200 and "đã được đăng ký" in response.content.decode()
    assert OfficerCertificate.objects.count() == 1
    response = _add(admin_client, leader, b"x" * (70 * 1024))
    assert response.status_code == 200 and OfficerCertificate.objects.count() == 1


def test_the_register_of_issued_documents_is_read_only_and_searchable(admin_client, pki):
    agency = AgencyFactory(name="Ủy ban nhân dân xã Ia Grai", code="H22.12")
    html = "<html><body><p>{url}</p></body></html>"
    doc = services.document_issue(kind="receipt", ref="dossier:9:receipt", agency=agency, number="H22.12-0009",
                                  render=lambda url: pdf.render_html(html.format(url=url)))
    changelist = reverse("admin:signing_issueddocument_changelist")
    page = admin_client.get(changelist, {"q": doc.public_id}).content.decode()
    assert "H22.12-0009" in page
    assert "H22.12-0009" not in admin_client.get(changelist, {"q": "khong-co"}).content.decode()
    assert admin_client.get(changelist, {"kind__exact": "receipt", "status__exact": "valid"}).status_code == 200
    assert admin_client.get(reverse("admin:signing_issueddocument_add")).status_code == 403
    detail = admin_client.get(reverse("admin:signing_issueddocument_change", args=[doc.pk]))
    assert detail.status_code == 200 and 'name="number"' not in detail.content.decode()
