"""The administrator's page "Liên thông Cổng DVC quốc gia": administrators only; the procedures the national
portal cannot file for yet, the mapping form (all of a version or nothing), what was mapped, the refused
intake requests and the intake counts; the link from the administrator's workspace; the Django admin."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from nationalportal import intake, mapping
from nationalportal.models import DocumentTypeMapping, IntakeRefusal, NationalDossier, StatusMapping, VersionMapping
from nationalportal.tests.test_intake import request_body

pytestmark = pytest.mark.django_db
INDEX = reverse("np_admin:index")
SUPERUSER, ADMIN, DESK = "admin@demo.gov.vn", "admin.pleiku@demo.gov.vn", "tiepnhan.pleiku@demo.gov.vn"


@pytest.fixture
def as_admin(client, demo):
    client.force_login(demo.user(ADMIN))
    return client


def section(html: str, testid: str) -> str:
    """The <table data-testid=…> of one section, to assert what is listed where."""
    match = re.search(rf'data-testid="{testid}".*?</table>', html, re.S)
    assert match, testid
    return match.group(0)


def refused(data) -> DomainError:
    with pytest.raises(DomainError) as err:
        intake.intake(data)
    return err.value


def map_url(version):
    return reverse("np_admin:map", args=[version.pk])


def form_data(version, code, types: dict):
    data = {"national_procedure_code": code}
    data.update({f"types.{doc.pk}": value for doc, value in types.items()})
    return data


def documents(version):
    return list(version.documents.order_by("order", "pk"))


# -- who may open it --------------------------------------------------------------------------------


def test_administrators_open_the_page_others_are_refused(client, demo, world):
    for email in (SUPERUSER, ADMIN):
        client.force_login(demo.user(email))
        page = client.get(INDEX)
        assert page.status_code == 200, email
        html = page.content.decode()
        for heading in ("Thủ tục chưa ánh xạ", "Đã ánh xạ", "Yêu cầu bị từ chối", "Ánh xạ trạng thái hồ sơ"):
            assert heading in html
    client.force_login(demo.user(DESK))
    assert client.get(INDEX).status_code == 403
    assert client.get(map_url(world.birth)).status_code == 403
    before = VersionMapping.objects.count()
    denied = client.post(map_url(world.birth), form_data(world.birth, "1.001193", {}))
    assert denied.status_code == 403 and VersionMapping.objects.count() == before
    client.logout()
    anonymous = client.get(INDEX)
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]


def test_the_administrators_workspace_links_to_the_page(client, demo):
    client.force_login(demo.user(ADMIN))
    html = client.get(reverse("workspace:workspace", kwargs={"role": "admin"})).content.decode()
    assert f'href="{INDEX}"' in html and "Liên thông Cổng DVC quốc gia" in html


# -- unmapped and mapped ------------------------------------------------------------------------------


def test_unmapped_lists_the_household_once_the_birth_is_mapped(as_admin, world):
    html = as_admin.get(INDEX).content.decode()
    unmapped = section(html, "unmapped")
    assert "1.001193" in unmapped and "2.000575" in unmapped
    assert "Chưa có mã thủ tục trên Cổng quốc gia" in unmapped
    mapping.map_version(world.birth)
    html = as_admin.get(INDEX).content.decode()
    unmapped, mapped = section(html, "unmapped"), section(html, "mapped")
    assert "2.000575" in unmapped and map_url(world.household) in unmapped
    assert "1.001193" not in unmapped
    assert "1.001193" in mapped and map_url(world.birth) in mapped
    # a component added to a mapped version without a type: listed again, naming that component
    document = world.birth.documents.order_by("order").last()
    DocumentTypeMapping.objects.filter(document=document).delete()
    unmapped = section(as_admin.get(INDEX).content.decode(), "unmapped")
    assert "1.001193" in unmapped and document.name in unmapped
    assert "1.001193" not in section(as_admin.get(INDEX).content.decode(), "mapped")


def test_the_search_filters_both_lists(as_admin, world):
    mapping.map_version(world.birth)
    html = as_admin.get(INDEX, {"q": "2.000575"}).content.decode()
    assert "2.000575" in section(html, "unmapped") and "1.009994" not in section(html, "unmapped")
    assert "1.001193" not in section(html, "mapped")


def test_the_mapping_form_prefills_and_saves_every_row(as_admin, demo, world):
    docs = documents(world.household)
    page = as_admin.get(map_url(world.household))
    assert page.status_code == 200
    form = page.context["form"]
    assert form["national_procedure_code"].value() == "2.000575"
    assert [form[f"types.{d.pk}"].value() for d in docs] == [mapping.default_type(d) for d in docs]
    answer = as_admin.post(map_url(world.household), form_data(world.household, "2.000575-QG",
                                                               {d: f"GDN-{i}" for i, d in enumerate(docs)}))
    assert answer.status_code == 302 and answer["Location"] == INDEX
    row = VersionMapping.objects.get(version=world.household)
    assert (row.national_procedure_code, row.mapped_by) == ("2.000575-QG", demo.user(ADMIN))
    assert dict(DocumentTypeMapping.objects.filter(version=world.household).values_list("document", "national_type")) \
        == {d.pk: f"GDN-{i}" for i, d in enumerate(docs)}
    assert world.household not in mapping.unmapped_versions()
    after = as_admin.get(INDEX).content.decode()
    assert "Đã ánh xạ thủ tục 2.000575" in after and "2.000575-QG" in section(after, "mapped")
    # editing shows the stored values
    form = as_admin.get(map_url(world.household)).context["form"]
    assert form["national_procedure_code"].value() == "2.000575-QG"
    assert form[f"types.{docs[0].pk}"].value() == "GDN-0"


def test_a_type_used_twice_is_shown_on_the_field_and_nothing_is_saved(as_admin, world):
    first, second = documents(world.birth)[:2]
    answer = as_admin.post(map_url(world.birth), form_data(world.birth, "1.001193", {first: "TP1", second: "TP1"}))
    assert answer.status_code == 200
    form = answer.context["form"]
    assert form.errors[f"types.{second.pk}"] == ["Mã thành phần “TP1” dùng cho hai thành phần."]
    assert "dùng cho hai thành phần" in answer.content.decode()
    assert not VersionMapping.objects.filter(version=world.birth).exists()
    assert not DocumentTypeMapping.objects.filter(version=world.birth).exists()
    # a mapped version keeps its rows when an edit is refused
    mapping.map_version(world.birth)
    before = list(DocumentTypeMapping.objects.filter(version=world.birth).values_list("document", "national_type"))
    as_admin.post(map_url(world.birth), form_data(world.birth, "1.001193", {first: "X", second: "X"}))
    assert list(DocumentTypeMapping.objects.filter(version=world.birth).values_list(
        "document", "national_type")) == before


def test_bad_codes_and_bad_ids_change_nothing(as_admin, world):
    bad = as_admin.post(map_url(world.household), form_data(world.household, "2.000 575", {}))
    assert bad.status_code == 200
    assert bad.context["form"].errors["national_procedure_code"] == [
        "Mã thủ tục trên Cổng DVC quốc gia không hợp lệ."]
    too_long = as_admin.post(map_url(world.household), form_data(world.household, "9" * 41, {}))
    assert too_long.status_code == 200 and too_long.context["form"].errors["national_procedure_code"]
    with pytest.raises(DomainError) as err:  # the service refuses it too (other callers), instead of a DataError
        mapping.map_version(world.household, national_code="9" * 41)
    assert err.value.field == "national_procedure_code"
    document = documents(world.household)[0]
    wrong_type = as_admin.post(map_url(world.household), form_data(world.household, "2.000575", {document: "mã sai"}))
    assert wrong_type.context["form"].errors[f"types.{document.pk}"] == ["Mã thành phần “mã sai” không hợp lệ."]
    assert not VersionMapping.objects.exists() and not DocumentTypeMapping.objects.exists()
    missing = as_admin.post(reverse("np_admin:map", args=[999999]), {"national_procedure_code": "1.1"})
    assert missing.status_code == 404 and not VersionMapping.objects.exists()
    # a component of another version posted along is ignored: only this version's rows are written
    other = documents(world.birth)[0]
    as_admin.post(map_url(world.household), {**form_data(world.household, "2.000575", {}), f"types.{other.pk}": "Z"})
    assert set(DocumentTypeMapping.objects.values_list("version", flat=True)) == {world.household.pk}


# -- refusals and counts --------------------------------------------------------------------------------


def test_a_refused_intake_is_listed_and_filtered_by_code(as_admin, world):
    unmapped = refused(request_body(world.household, code="G22.99-261206-0101"))
    unknown = refused(request_body(world.household, code="G22.99-261206-0102", procedure_code="9.999999"))
    assert (unmapped.code, unknown.code) == ("procedure_unmapped", "unknown_procedure")
    html = as_admin.get(INDEX).content.decode()
    table = section(html, "refusals")
    assert table.index("G22.99-261206-0102") < table.index("G22.99-261206-0101")  # newest first
    assert "procedure_unmapped" in table and "chưa được ánh xạ" in table
    assert map_url(world.household) in table  # the refusal links to mapping its procedure
    only = section(as_admin.get(INDEX, {"ma_loi": "procedure_unmapped"}).content.decode(), "refusals")
    assert "G22.99-261206-0101" in only and "G22.99-261206-0102" not in only
    bogus = as_admin.get(INDEX, {"ma_loi": "khong-co"}).content.decode()
    assert "Không có yêu cầu nào bị từ chối với mã lỗi “khong-co”" in bogus
    assert "G22.99-261206-0102" in section(bogus, "refusals")


def test_refusals_are_paginated(as_admin):
    now = timezone.now()
    IntakeRefusal.objects.bulk_create([
        IntakeRefusal(at=now - dt.timedelta(minutes=i), national_code=f"N-{i:03d}", code="invalid", message="x")
        for i in range(25)])
    first = section(as_admin.get(INDEX).content.decode(), "refusals")
    assert "N-000" in first and "N-019" in first and "N-020" not in first
    second = section(as_admin.get(INDEX, {"trang_tu_choi": 2}).content.decode(), "refusals")
    assert "N-020" in second and "N-024" in second and "N-000" not in second
    for bad in ("abc", "-1", "99999999999999999999999"):  # a bad page number shows a page, never a 500
        answer = as_admin.get(INDEX, {"trang_tu_choi": bad, "trang_chua": bad, "trang_da": bad})
        assert answer.status_code == 200 and "N-0" in section(answer.content.decode(), "refusals")


def test_the_counts_of_received_and_refused(as_admin, world):
    mapping.map_version(world.birth)
    with time_machine.travel(timezone.now() - dt.timedelta(days=3), tick=False):
        intake.intake(request_body(world.birth, code="G22.99-261206-0201"))
    with time_machine.travel(timezone.now() - dt.timedelta(days=9), tick=False):
        intake.intake(request_body(world.birth, code="G22.99-261206-0202"))
        refused(request_body(world.household, code="G22.99-261206-0203"))
    intake.intake(request_body(world.birth, code="G22.99-261206-0204"))
    refused(request_body(world.household, code="G22.99-261206-0205"))
    assert NationalDossier.objects.count() == 3
    counts = as_admin.get(INDEX).context["counts"]
    assert counts == {"received_today": 1, "received_week": 2, "refused_week": 1}


# -- the Django admin --------------------------------------------------------------------------------------


def test_the_django_admin_shows_the_link_and_edits_status_codes(client, demo, world):
    client.force_login(demo.user(SUPERUSER))
    mapping.map_version(world.birth)
    refused(request_body(world.household, code="G22.99-261206-0301"))
    for model in ("versionmapping", "statusmapping", "nationaldossier", "intakerefusal"):
        assert client.get(reverse(f"admin:nationalportal_{model}_changelist")).status_code == 200, model
    row = VersionMapping.objects.get(version=world.birth)
    detail = client.get(reverse("admin:nationalportal_versionmapping_change", args=[row.pk])).content.decode()
    assert "TP1" in detail and map_url(world.birth) in detail
    filtered = client.get(reverse("admin:nationalportal_intakerefusal_changelist"), {"code": "procedure_unmapped"})
    assert "G22.99-261206-0301" in filtered.content.decode()
    assert client.get(reverse("admin:nationalportal_intakerefusal_add")).status_code == 403
    assert client.get(reverse("admin:nationalportal_nationaldossier_add")).status_code == 403
    received = StatusMapping.objects.get(status="received")
    answer = client.post(reverse("admin:nationalportal_statusmapping_change", args=[received.pk]),
                         {"national_status": "22", "national_label": "Đã tiếp nhận"})
    assert answer.status_code == 302
    received.refresh_from_db()
    assert (received.status, received.national_status, received.national_label) == ("received", "22", "Đã tiếp nhận")
    assert client.post(reverse("admin:nationalportal_statusmapping_delete", args=[received.pk]),
                       {"post": "yes"}).status_code == 403
    assert StatusMapping.objects.filter(pk=received.pk).exists()


def test_a_national_code_names_one_procedure(world):
    """Mapping the birth registration under the death registration's code would file death registrations as
    births: refused, nothing stored; near-duplicate component codes too."""
    mapping.map_version(world.birth)
    with pytest.raises(DomainError) as taken:
        mapping.map_version(world.household, national_code=world.birth.procedure.code)
    assert taken.value.code == "code_taken" and taken.value.field == "national_procedure_code"
    with pytest.raises(DomainError) as catalogued:
        mapping.map_version(world.birth, national_code=world.household.procedure.code)
    assert catalogued.value.code == "code_taken"
    documents = list(world.birth.documents.order_by("order")[:2])
    assert len(documents) == 2
    with pytest.raises(DomainError) as near:
        mapping.map_version(world.birth, types={documents[0].pk: "tp1", documents[1].pk: "TP1"})
    assert near.value.code == "duplicate_type"
    assert not VersionMapping.objects.filter(version=world.household).exists()
    assert DocumentTypeMapping.objects.get(document=documents[0]).national_type == mapping.default_type(documents[0])
    assert VersionMapping.objects.get(version=world.birth).national_procedure_code == world.birth.procedure.code


def test_the_page_links_to_reconciliation(client, demo):
    client.force_login(demo.user("admin.pleiku@demo.gov.vn"))
    page = client.get(reverse("np_admin:index")).content.decode()
    assert f'href="{reverse("nationalportal_reconcile:page")}"' in page


def test_a_refusal_later_taken_in_says_so(client, demo, world):
    """A request refused (say, its procedure was not mapped yet) and taken in later, after the mapping, is marked
    as taken on the refusals list, with a link to its dossier."""
    data = request_body(world.birth, code="G22.99-T-1")
    with pytest.raises(DomainError):
        intake.intake(data)
    mapping.map_version(world.birth)
    record = intake.intake(data).record
    client.force_login(demo.user(ADMIN))
    page = client.get(reverse("np_admin:index")).content.decode()
    assert f'href="{reverse("dossiers:detail", args=[record.dossier_id])}" data-testid="taken-later"' in page
