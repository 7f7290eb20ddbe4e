"""Wrong tracking PINs are limited per dossier code, atomically, across the tracking page, the
API, the desk kiosk and the apology-letter link, for anonymous and logged-in clients alike; the
desk sees the lock and can lift it; another dossier from the same address is never locked out."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from dossiers import pins, services
from dossiers.models import DossierEvent

from .conftest import APPLICANT, at

LIMIT = 5


@pytest.fixture(autouse=True)
def _small_budget(settings):
    settings.TRACK_PIN_MAX_FAILURES = LIMIT
    settings.TRACK_PIN_WINDOW_SECONDS = 600


def _received(world, **extra):
    return services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                           at=at(2026, 3, 2, 10), **{**APPLICANT, **extra})


def _wrong(pin: str) -> str:
    return "000000" if pin != "000000" else "111111"


def _page(client, code, pin):
    return client.get(reverse("dossiers:track"), {"code": code, "pin": pin})


def _api(client, code, pin):
    return client.get("/api/dossiers/track/", {"code": code, "pin": pin})


def _kiosk(client, code, pin):
    return client.post(reverse("satisfaction:kiosk"), {"scan": f"{code} {pin}"})


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_pins_never_exceed_the_budget(world):
    d = _received(world)
    wrong = _wrong(d.pin)
    barrier = threading.Barrier(40)
    answers: list[int] = []

    def guess():
        try:
            barrier.wait()
            answers.append(_api(APIClient(), d.code, wrong).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(answers)) == [404, 429]
    assert answers.count(404) == LIMIT  # exactly LIMIT PINs were compared, the rest refused unchecked
    assert _api(APIClient(), d.code, d.pin).status_code == 429  # even the right PIN, while locked
    assert DossierEvent.objects.filter(dossier=d, type="pin_locked").count() == 1


@pytest.mark.django_db
def test_page_api_and_kiosk_share_one_budget_per_code(world):
    d = _received(world)
    wrong = _wrong(d.pin)
    anonymous, api = Client(), APIClient()
    assert _page(anonymous, d.code, wrong).status_code == 200
    assert _api(api, d.code, wrong).status_code == 404
    assert "Không tìm thấy hồ sơ" in _kiosk(anonymous, d.code, wrong).content.decode()
    assert _page(anonymous, d.code, wrong).status_code == 200
    letter_url = reverse("dossiers:track_apology_pdf", args=[1])
    assert anonymous.get(letter_url, {"code": d.code, "pin": wrong}).status_code == 404
    # Five wrong PINs through four doors: the code is locked on every one of them.
    page = _page(anonymous, d.code, d.pin)
    assert page.status_code == 429 and "tạm khóa" in page.content.decode()
    assert 'data-testid="track-result"' not in page.content.decode()
    locked = _api(api, d.code, d.pin)
    assert locked.status_code == 429 and locked.json()["code"] == "pin_locked"
    kiosk = _kiosk(anonymous, d.code, d.pin).content.decode()
    assert "tạm khóa" in kiosk and 'data-testid="kiosk-form"' not in kiosk
    assert anonymous.get(letter_url, {"code": d.code, "pin": d.pin}).status_code == 429


@pytest.mark.django_db
def test_a_logged_in_citizen_is_limited_too(world):
    d = _received(world)
    api = APIClient()
    api.force_authenticate(world.citizen)
    for _ in range(LIMIT):
        assert _api(api, d.code, _wrong(d.pin)).status_code == 404
    assert _api(api, d.code, d.pin).status_code == 429
    client = Client()
    client.force_login(world.citizen)
    assert _page(client, d.code, d.pin).status_code == 429


@pytest.mark.django_db
def test_another_dossier_from_the_same_address_still_works(world):
    victim, other = _received(world), _received(world)
    client = Client(REMOTE_ADDR="10.0.0.7")  # one office network
    for _ in range(LIMIT + 3):
        _page(client, victim.code, _wrong(victim.pin))
    assert _page(client, victim.code, victim.pin).status_code == 429
    page = _page(client, other.code, other.pin)
    assert page.status_code == 200 and 'data-testid="track-result"' in page.content.decode()
    assert _api(APIClient(REMOTE_ADDR="10.0.0.7"), other.code, other.pin).status_code == 200


@pytest.mark.django_db
def test_a_right_pin_does_not_use_the_budget_and_bad_input_is_not_a_guess(world):
    d = _received(world)
    client = Client()
    for _ in range(LIMIT * 2):
        assert _page(client, d.code, d.pin).status_code == 200
    for junk in ("12345", "abcdef", "", "1234567"):
        assert _api(APIClient(), d.code, junk).status_code == 404
    assert _api(APIClient(), "x" * 5000, "123456").status_code == 404
    assert pins.lock_state(d) is None


@pytest.mark.django_db
def test_the_desk_sees_the_lock_and_lifts_it(world):
    d = _received(world)
    for _ in range(LIMIT):
        _api(APIClient(), d.code, _wrong(d.pin))
    staff = Client()
    staff.force_login(world.reception)
    page = staff.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert 'data-testid="pin-lock"' in page and 'data-testid="pin-unlock"' in page
    assert "đã nhập sai PIN 5 lần" in page and "Khóa tra cứu bằng mã PIN" in page  # banner and timeline
    # The citizen's own page does not show the staff notice nor the internal event.
    owner = Client()
    owner.force_login(world.citizen)
    d.citizen = world.citizen
    d.save(update_fields=["citizen"])
    assert "Khóa tra cứu" not in owner.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    # Another agency's officer cannot lift it; the receiving desk can.
    other = Client()
    other.force_login(world.other_reception)
    assert other.post(reverse("dossiers:pin_unlock", args=[d.pk])).status_code == 404
    appraiser = Client()
    appraiser.force_login(world.appraiser)
    refused = appraiser.post(reverse("dossiers:pin_unlock", args=[d.pk]), follow=True).content.decode()
    assert "Chỉ Bộ phận Một cửa" in refused and _api(APIClient(), d.code, d.pin).status_code == 429
    staff.post(reverse("dossiers:pin_unlock", args=[d.pk]))
    assert _api(APIClient(), d.code, d.pin).status_code == 200
    event = DossierEvent.objects.get(dossier=d, type="pin_unlocked")
    assert (event.actor, event.payload["failures"]) == (world.reception, LIMIT)
    assert 'data-testid="pin-lock"' not in staff.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
