"""Errors are answered for what they are: the API's dossier gate turns only "not found / not yours" into a 404
(any other failure is not hidden behind one), and the local sync receiver checks its payload with a real check
and a clear Vietnamese answer (not an `assert`, which `python -O` drops)."""

import json
from unittest import mock

import pytest
from rest_framework.test import APIClient

from dossiers import selectors
from nationalportal import signing

from .conftest import APPLICANT
from .transitions_helper import drive

pytestmark = pytest.mark.django_db


def test_the_api_gate_answers_404_only_for_a_dossier_the_user_may_not_see(world):
    d = drive(world, "received")
    api = APIClient()
    api.force_authenticate(world.other_reception)
    assert api.get(f"/api/dossiers/{d.pk}/").json() == {"code": "not_found", "detail": "Không tìm thấy hồ sơ."}
    for pk in ("abc", "²", "9" * 30):
        assert api.get(f"/api/dossiers/{pk}/").status_code == 404, pk
    api.force_authenticate(world.reception)
    with mock.patch.object(selectors, "access_dossier", side_effect=RuntimeError("the database is gone")):
        with pytest.raises(RuntimeError):  # a failure, not a "not found"
            api.get(f"/api/dossiers/{d.pk}/")
    assert api.get(f"/api/dossiers/{d.pk}/").json()["applicant_name"] == APPLICANT["applicant_name"]


def test_the_sync_receiver_refuses_a_payload_without_code_or_status(client, settings):
    settings.SYNC_SECRET, settings.SYNC_RECEIVER_ENABLED = "bi-mat", True
    message = ("Dữ liệu không hợp lệ: cần một đối tượng JSON có mã hồ sơ (dossier_code hoặc national_code) và "
               "trạng thái (status).")
    for payload in (b"{not json", b"[1, 2]", b'"received"', json.dumps({"dossier_code": "H21.65-1"}).encode(),
                    json.dumps({"dossier_code": "", "status": "received"}).encode()):
        signed = signing.headers(payload, method="POST", target="/ho-so/dong-bo/nhan/", key="bi-mat")
        response = client.post("/ho-so/dong-bo/nhan/", payload, content_type="application/json",
                               HTTP_X_TIMESTAMP=signed["X-Timestamp"], HTTP_X_SIGNATURE=signed["X-Signature"])
        assert (response.status_code, response.content.decode()) == (400, message), payload
    body = json.dumps({"dossier_code": "H21.65-1", "status": "received"}).encode()
    signed = signing.headers(body, method="POST", target="/ho-so/dong-bo/nhan/", key="bi-mat")
    response = client.post("/ho-so/dong-bo/nhan/", body, content_type="application/json",
                           HTTP_X_TIMESTAMP=signed["X-Timestamp"], HTTP_X_SIGNATURE=signed["X-Signature"])
    assert response.status_code == 204
