"""The personal-data rule of the gate (Decree 13/2023: only what the task needs): seeing an agency is not
enough to see its applicants; one must act for it."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import access
from accounts.models import Role, StaffRole

pytestmark = pytest.mark.django_db


def test_only_those_acting_for_the_agency_see_applicants(demo):
    pleiku, quynhon = demo.agency("H21.65"), demo.agency("H21.66")
    home_affairs = demo.user("noivu@demo.gov.vn")
    reception = demo.user("tiepnhan.pleiku@demo.gov.vn")
    assert {pleiku.pk, quynhon.pk} <= access.visible_agency_ids(home_affairs)  # sees every agency ...
    assert not access.may_see_personal_data(home_affairs, [pleiku.pk, quynhon.pk])  # ... but no applicant
    assert access.may_see_personal_data(reception, [pleiku.pk])
    assert access.may_see_personal_data(reception, [quynhon.pk, pleiku.pk])  # received here, handled there
    assert not access.may_see_personal_data(reception, [quynhon.pk, None])
    assert not access.may_see_personal_data(AnonymousUser(), [pleiku.pk])
    assert access.may_see_personal_data(demo.user("admin@demo.gov.vn"), [quynhon.pk])
    StaffRole.objects.create(user=home_affairs, agency=pleiku, role=Role.RECEPTION)  # also at a desk
    access.forget(home_affairs)
    assert access.may_see_personal_data(home_affairs, [pleiku.pk])
    assert not access.may_see_personal_data(home_affairs, [quynhon.pk])
