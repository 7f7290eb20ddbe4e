"""Nothing is created twice: a form's one-time key and the API's Idempotency-Key replay the first
result (Back + submit again, a client's retry, two parallel requests), and statistics never count a
repeat."""

import datetime as dt
import re
import threading
import time

import pytest
from django.db import connection
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.errors import DomainError
from dossiers import idempotency, services
from dossiers.models import ApologyLetter, Dossier, DossierCodeCounter, IdempotencyKey, MonthlyAgencyStats
from dossiers.stats import monthly_stats_refresh

from .conftest import APPLICANT, at

pytestmark = pytest.mark.django_db


def once_key(page: str) -> str:
    match = re.search(r'name="once_key" value="" data-once-key="([A-Za-z0-9_-]+)"', page)
    assert match, "the form carries no one-time key"
    return match.group(1)


def _desk_form(client, world) -> dict:
    version = world.household
    page = client.get(reverse("dossiers:desk"), {"version": version.pk}).content.decode()
    return {"version": version.pk, "agency": world.pleiku.pk, "channel": "in_person", "return_channel": "desk",
            "applicant_kind": "person", "applicant_name": "Lê Văn Tư", "once_key": once_key(page),
            "components": [d.pk for d in version.documents.filter(requirement="required")]}


def test_back_and_submit_again_at_the_desk_gives_the_first_dossier(client, world):
    client.force_login(world.reception)
    form = _desk_form(client, world)
    first = client.post(reverse("dossiers:desk"), form)
    dossier = Dossier.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse("dossiers:detail", args=[dossier.pk])
    again = client.post(reverse("dossiers:desk"), form, follow=True)  # the browser's Back, then "Tiếp nhận"
    assert again.redirect_chain == [(reverse("dossiers:detail", args=[dossier.pk]), 302)]
    assert "kết quả của lần gửi đầu tiên" in again.content.decode()
    assert Dossier.objects.count() == 1 and dossier.events.filter(type="create_at_desk").count() == 1
    assert DossierCodeCounter.objects.get().last == 1  # no second code was drawn for the walk-in
    key = IdempotencyKey.objects.get()
    assert (key.scope, key.owner, key.key) == ("desk-reception", f"u:{world.reception.pk}", form["once_key"])
    # A new rendering of the form is a new walk-in: a new key, a new dossier.
    assert client.post(reverse("dossiers:desk"), _desk_form(client, world)).status_code == 302
    assert Dossier.objects.count() == 2


def test_a_refused_submission_keeps_its_key_free_and_the_form_keeps_the_key(client, world):
    client.force_login(world.reception)
    form = _desk_form(client, world)
    refused = client.post(reverse("dossiers:desk"), {**form, "components": []})
    assert "Hồ sơ chưa đủ, còn thiếu" in refused.content.decode()
    assert once_key(refused.content.decode()) == form["once_key"]  # Back to either rendering: one key
    assert not IdempotencyKey.objects.exists() and not Dossier.objects.exists()
    assert client.post(reverse("dossiers:desk"), form).status_code == 302
    assert Dossier.objects.count() == 1


def test_a_forged_key_is_refused_and_nothing_is_created(client, world):
    client.force_login(world.reception)
    form = {**_desk_form(client, world), "once_key": "<script>"}
    response = client.post(reverse("dossiers:desk"), form)
    assert response.status_code == 200 and "hãy tải lại trang" in response.content.decode()
    assert not Dossier.objects.exists() and not IdempotencyKey.objects.exists()


def test_the_online_start_form_creates_one_draft(client, world):
    client.force_login(world.citizen)
    url = reverse("dossiers:start", args=["1.001193"])
    data = {"agency": world.pleiku.pk, "return_channel": "online", "applicant_kind": "person",
            "applicant_name": "Nguyễn Văn An", "applicant_id_number": "064090000123",
            "applicant_phone": "0912345678", "applicant_email": "an.nguyen@example.com",
            "once_key": once_key(client.get(url).content.decode())}
    first, again = client.post(url, data), client.post(url, data)
    dossier = Dossier.objects.get()
    assert first["Location"] == again["Location"] == reverse("dossiers:detail", args=[dossier.pk])


def test_a_replayed_reception_leaves_the_monthly_counts_unchanged(client, world):
    client.force_login(world.reception)
    form = _desk_form(client, world)
    client.post(reverse("dossiers:desk"), form)
    month = timezone.localdate().replace(day=1)

    def counts():
        monthly_stats_refresh(first=month, last=month)
        return MonthlyAgencyStats.objects.filter(month=month).aggregate(
            received=Sum("received"), counted=Sum("dossiers_766"), open=Sum("in_progress_on_time"))

    before = counts()
    assert before == {"received": 1, "counted": 1, "open": 1}
    client.post(reverse("dossiers:desk"), form)
    client.post(reverse("dossiers:desk"), form)
    assert counts() == before


def test_apology_draft_submitted_twice_keeps_one_draft_and_says_so(client, world):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        **APPLICANT)
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    client.force_login(world.appraiser)
    page = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    section = page[page.index(reverse("dossiers:apology_draft", args=[d.pk])):]
    data = {"reason_kind": "lost_damaged", "reason_text": "Thất lạc bản chính.", "once_key": once_key(section)}
    client.post(reverse("dossiers:apology_draft", args=[d.pk]), data)
    again = client.post(reverse("dossiers:apology_draft", args=[d.pk]), data, follow=True).content.decode()
    assert ApologyLetter.objects.filter(dossier=d).count() == 1
    assert "kết quả của lần gửi đầu tiên" in again and "đang chờ ký" not in again  # no refusal shown


# -- the API's Idempotency-Key -----------------------------------------------------------------------

def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_api_create_with_the_same_key_replays_the_first_response(world):
    api = token_client(world.reception)
    body = {"procedure_version": world.household.pk, "agency": "H21.65", "desk": True, **APPLICANT}
    first = api.post("/api/dossiers/", body, format="json", HTTP_IDEMPOTENCY_KEY="f2b0c0de-0001")
    again = api.post("/api/dossiers/", body, format="json", HTTP_IDEMPOTENCY_KEY="f2b0c0de-0001")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Dossier.objects.count() == 1 and first.json()["code"]
    # Same key, another body: refused with a Vietnamese message, nothing created.
    other = api.post("/api/dossiers/", {**body, "applicant_name": "Trần Thị Bình"}, format="json",
                     HTTP_IDEMPOTENCY_KEY="f2b0c0de-0001")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert "đã được dùng" in other.json()["detail"] and Dossier.objects.count() == 1
    # Without the header each call creates (the header is optional).
    assert api.post("/api/dossiers/", body, format="json").status_code == 201
    assert Dossier.objects.count() == 2


def test_api_keys_belong_to_one_user(world):
    """Another user's request with the same key is theirs: it never replays someone else's dossier."""
    body = {"procedure_version": world.birth.pk, "agency": "H21.65", "applicant_name": "Nguyễn Văn An"}
    mine = token_client(world.citizen).post("/api/dossiers/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    from accounts.models import User

    stranger = User.objects.create_user(email="khac@example.com", password="x", full_name="Người Khác")
    theirs = token_client(stranger).post("/api/dossiers/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert mine.status_code == theirs.status_code == 201 and mine.json()["id"] != theirs.json()["id"]


def test_api_transition_with_the_same_key_is_done_once(world):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 10), **APPLICANT)
    api = token_client(world.reception)
    url = f"/api/dossiers/{d.pk}/transitions/assign/"
    first = api.post(url, {"appraiser": world.appraiser.pk}, format="json", HTTP_IDEMPOTENCY_KEY="assign-1")
    again = api.post(url, {"appraiser": world.appraiser.pk}, format="json", HTTP_IDEMPOTENCY_KEY="assign-1")
    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    assert d.events.filter(type="assign").count() == 1
    # Without the key the repeat is what it always was: the dossier moved on.
    assert api.post(url, {"appraiser": world.appraiser.pk}, format="json").status_code == 409


def test_api_refuses_a_malformed_key(world):
    api = token_client(world.citizen)
    body = {"procedure_version": world.birth.pk, "agency": "H21.65", "applicant_name": "Nguyễn Văn An"}
    response = api.post("/api/dossiers/", body, format="json", HTTP_IDEMPOTENCY_KEY="x" * 201)
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_invalid"
    assert not Dossier.objects.exists()


def test_the_schema_documents_the_header(world):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/dossiers/", "/api/dossiers/{id}/transitions/{name}/"):
        params = schema["paths"][path]["post"]["parameters"]
        header = next(p for p in params if p["name"] == "Idempotency-Key")
        assert header["in"] == "header" and not header.get("required")


# -- two requests at once ----------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_parallel_requests_with_one_key_create_one_dossier(world):
    """The second request waits on the key's unique index while the first is still creating, then
    replays the first result: no get-then-set window."""
    key, results, errors = idempotency.new_key(), {}, []
    created, release = threading.Event(), threading.Event()

    def create(pause: bool):
        d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                            **APPLICANT)
        if pause:
            created.set()
            release.wait(30)
        return d

    def request(name: str, pause: bool):
        try:
            results[name] = idempotency.run_once(scope="desk-reception", key=key, user=world.reception,
                                                 action=lambda: create(pause),
                                                 record=lambda d: {"url": f"/ho-so/{d.pk}/"})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=request, args=("first", True))
    first.start()
    assert created.wait(30)
    second = threading.Thread(target=request, args=("second", False))
    second.start()
    with connection.cursor() as cursor:  # until the second one waits for the first one's key row
        for _ in range(300):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND query ILIKE '%%dossiers_idempotencykey%%'")
            if cursor.fetchone()[0]:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the second request never waited on the key")
    release.set()
    first.join(30)
    second.join(30)
    assert not errors
    assert not results["first"].replayed and results["second"].replayed
    assert results["second"].result == results["first"].result
    assert Dossier.objects.count() == 1 and IdempotencyKey.objects.count() == 1


def test_a_key_reused_for_another_body_is_refused_by_run_once(world):
    idempotency.run_once(scope="t", key="k", user=world.citizen, action=lambda: 1, record=lambda v: {"v": v},
                         fingerprint="a")
    replay = idempotency.run_once(scope="t", key="k", user=world.citizen, action=lambda: 2,
                                  record=lambda v: {"v": v}, fingerprint="a")
    assert replay.replayed and replay.result == {"v": 1}
    with pytest.raises(DomainError) as caught:
        idempotency.run_once(scope="t", key="k", user=world.citizen, action=lambda: 3, record=lambda v: {"v": v},
                             fingerprint="b")
    assert caught.value.http_status == 422


def test_keys_older_than_a_week_are_purged_nightly(world):
    from dossiers.tasks import purge_idempotency_keys_task

    for key in ("old", "new"):
        idempotency.run_once(scope="t", key=key, user=world.citizen, action=lambda: 1, record=lambda v: {"v": v})
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - idempotency.KEEP - dt.timedelta(
        minutes=1))
    assert purge_idempotency_keys_task.delay().get() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
