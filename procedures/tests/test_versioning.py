import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import DomainError
from procedures import services
from procedures.models import ChannelOption, Procedure, ProcedureVersion, VersionStatus
from procedures.selectors import version_in_force

pytestmark = pytest.mark.django_db


def _current(code):
    return Procedure.objects.get(code=code).versions.get(status=VersionStatus.PUBLISHED)


def test_published_version_is_immutable(catalogue, demo):
    version = _current("1.001193")
    with pytest.raises(DomainError) as err:
        services.version_update_draft(actor=demo.user("admin@demo.gov.vn"), version=version, result="khác")
    assert err.value.code == "version_immutable" and err.value.http_status == 409
    version.refresh_from_db()
    assert version.result == "Giấy khai sinh (bản chính)"


def test_new_draft_copies_everything_then_publishing_retires_the_old_from_its_date(catalogue, demo):
    admin = demo.user("admin@demo.gov.vn")
    old = _current("1.001193")
    draft = services.version_new_draft_from(actor=admin, version=old, decision_number="99/QĐ-UBND")
    assert draft.number == 2 and draft.status == VersionStatus.DRAFT
    assert draft.channels.count() == 2 and draft.documents.count() == 2
    assert sum(s.hours for s in draft.channels.get(channel="in_person").steps.all()) == 8
    assert draft.channels.get(channel="in_person").fees.count() == 1
    services.version_update_draft(actor=admin, version=draft, effective_from=dt.date(2027, 1, 1),
                                  result="Giấy khai sinh điện tử")
    services.version_publish(actor=admin, version=draft)
    old.refresh_from_db()
    assert old.effective_to == dt.date(2026, 12, 31) and old.status == VersionStatus.RETIRED
    procedure = old.procedure
    assert version_in_force(procedure, dt.date(2026, 12, 31)).pk == old.pk  # a dossier received then keeps it
    assert version_in_force(procedure, dt.date(2027, 1, 1)).result == "Giấy khai sinh điện tử"


def test_overlapping_effective_dates_refused_and_nothing_changes(catalogue, demo):
    admin = demo.user("admin@demo.gov.vn")
    old = _current("1.001193")
    draft = services.version_new_draft_from(actor=admin, version=old, decision_number="100/QĐ-UBND")
    services.version_update_draft(actor=admin, version=draft, effective_from=dt.date(2020, 1, 1))
    with pytest.raises(DomainError) as err:
        services.version_publish(actor=admin, version=draft)
    assert err.value.code == "overlapping_effective_dates" and "trùng hoặc trước" in err.value.message
    old.refresh_from_db()
    draft.refresh_from_db()
    assert old.status == VersionStatus.PUBLISHED and old.effective_to is None
    assert draft.status == VersionStatus.DRAFT


def test_incomplete_draft_cannot_be_published(catalogue, demo):
    admin = demo.user("admin@demo.gov.vn")
    procedure = Procedure.objects.get(code="1.009994")
    draft = services.version_create_draft(actor=admin, procedure=procedure, decision_number="1/QĐ")
    with pytest.raises(DomainError) as err:
        services.version_publish(actor=admin, version=draft)
    assert "Thiếu ngày bắt đầu hiệu lực" in err.value.message and "cách thức thực hiện" in err.value.message


def test_publish_refuses_steps_that_do_not_add_up(catalogue, demo):
    admin = demo.user("admin@demo.gov.vn")
    old = _current("2.000575")
    draft = services.version_new_draft_from(actor=admin, version=old, decision_number="5/QĐ")
    services.version_update_draft(actor=admin, version=draft, effective_from=dt.date(2027, 1, 1))
    channel = draft.channels.get(channel="in_person")
    channel.time_limit = 2
    channel.save()
    with pytest.raises(DomainError, match="phải bằng thời hạn 2 ngày làm việc × 8 = 16 giờ"):
        services.version_publish(actor=admin, version=draft)


def test_duplicate_decision_refused(catalogue, demo):
    with pytest.raises(DomainError) as err:
        services.version_new_draft_from(actor=demo.user("admin@demo.gov.vn"), version=_current("1.001193"),
                                        decision_number="1872/qđ-btp")
    assert err.value.code == "decision_taken"


@pytest.mark.parametrize("email", ["tiepnhan.pleiku@demo.gov.vn", "noivu@demo.gov.vn", "an.nguyen@example.com"])
def test_only_administrators_edit_the_catalogue(catalogue, demo, email):
    before = ProcedureVersion.objects.count()
    with pytest.raises(PermissionDenied):
        services.version_new_draft_from(actor=demo.user(email), version=_current("1.001193"), decision_number="X")
    assert ProcedureVersion.objects.count() == before


def test_bad_procedure_input_refused_in_vietnamese(catalogue, demo):
    admin = demo.user("admin@demo.gov.vn")
    field = Procedure.objects.get(code="1.001193").field
    with pytest.raises(DomainError, match="Mã thủ tục không hợp lệ"):
        services.procedure_create(actor=admin, code="KS-01", name="Khai sinh", field=field, level="commune")
    with pytest.raises(DomainError):
        services.procedure_create(actor=admin, code="1.001193", name="Trùng mã", field=field, level="commune")
    with pytest.raises(DomainError):
        services.procedure_create(actor=admin, code="1.111111", name="Cấp lạ", field=field, level="district")
    assert not Procedure.objects.filter(code__in=["KS-01", "1.111111"]).exists()


def test_negative_time_limit_refused_by_the_database(catalogue):
    from django.db import IntegrityError, transaction

    version = _current("1.009994")
    with pytest.raises(IntegrityError), transaction.atomic():
        ChannelOption.objects.filter(version=version).update(time_limit=-1)


def test_allotment_rules():
    from decimal import Decimal as D

    err = services.allotment_error
    assert err(D(3), "working_days", [D(4), D(12), D(4), D(4)]) is None
    assert "phải bằng" in err(D(3), "working_days", [D(4), D(4)])
    assert err(D(0), "working_days", [D(1), D(4)]) is None
    assert "không được quá 8 giờ" in err(D(0), "working_days", [D(8), D(1)])
    assert err(D(4), "working_hours", [D(1), D(3)]) is None
    assert err(D(15), "days", [D(8), D(64), D(8), D(8)]) is None
    assert "vượt" in err(D(2), "days", [D(17)])
    assert err(D(5), "working_days", []) is None
