"""A procedure's page is kept rendered (issue #21): the same for everyone in one language on one day, under the
catalogue's generation, so a repeated visit asks the database nothing; a write, the date and the language each
change what is shown; an unknown code is a 404 and keeps nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from procedures.models import ChannelOption, Field, Procedure, ProcedureVersion, VersionStatus

pytestmark = pytest.mark.django_db(transaction=True)  # the kept fragments need a committed catalogue


@pytest.fixture
def procedure(settings):
    settings.CATALOGUE_SEARCH_CACHE_SECONDS = 3 * 86400
    field = Field.objects.create(code="HT", name="Hộ tịch")
    procedure = Procedure.objects.create(code="1.001193", name="Đăng ký khai sinh", field=field, level="commune",
                                         search_text="1.001193 dang ky khai sinh")
    version = ProcedureVersion.objects.create(procedure=procedure, number=1, status=VersionStatus.PUBLISHED,
                                              decision_number="QĐ-1/2025", effective_from="2025-01-01")
    ChannelOption.objects.create(version=version, channel="in_person", time_limit=1)
    return procedure


def body(response) -> str:
    return response.content.decode().split('id="main"')[1]


def kept() -> list[str]:
    return [key for key in cache._cache if "procedures/_detail.html" in key]  # locmem's keys (the test settings)


def test_a_repeated_visit_is_the_same_page_and_asks_the_database_nothing(client, procedure):
    first = client.get("/thu-tuc/1.001193/")
    assert first.status_code == 200 and "<h1>Đăng ký khai sinh</h1>" in first.content.decode()
    assert "<title>Đăng ký khai sinh</title>" in first.content.decode() and "QĐ-1/2025" in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/thu-tuc/1.001193/")
    assert again.status_code == 200 and queries.captured_queries == []
    assert body(again) == body(first)


def test_a_change_to_the_procedure_shows_at_once(client, procedure):
    client.get("/thu-tuc/1.001193/")
    procedure.name = "Đăng ký khai sinh (sửa)"
    procedure.save()
    assert "<h1>Đăng ký khai sinh (sửa)</h1>" in client.get("/thu-tuc/1.001193/").content.decode()
    version = procedure.versions.get()
    version.decision_number = "QĐ-2/2026"
    version.save()
    shown = client.get("/thu-tuc/1.001193/").content.decode()
    assert "QĐ-2/2026" in shown and "QĐ-1/2025" not in shown


def test_a_version_coming_into_force_at_midnight_shows_the_next_day_without_a_write(client, procedure):
    today = timezone.localdate()
    ProcedureVersion.objects.filter(procedure=procedure).update(effective_to=today)
    ProcedureVersion.objects.create(procedure=procedure, number=2, status=VersionStatus.PUBLISHED,
                                    decision_number="QĐ-9/2026", effective_from=today + dt.timedelta(days=1))
    assert "<dd>QĐ-9/2026;" not in client.get("/thu-tuc/1.001193/").content.decode()
    assert "<dd>QĐ-9/2026;" not in client.get("/thu-tuc/1.001193/").content.decode()  # kept, still right
    tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(8), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(tomorrow, tick=False):
        assert "<dd>QĐ-9/2026;" in client.get("/thu-tuc/1.001193/").content.decode()


def test_each_language_is_kept_apart(client, procedure, settings):
    assert "Thành phần hồ sơ" in client.get("/thu-tuc/1.001193/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/thu-tuc/1.001193/").content.decode()
    assert "Thành phần hồ sơ" not in english and 'lang="en"' in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert "Thành phần hồ sơ" in client.get("/thu-tuc/1.001193/").content.decode()


def test_an_unknown_code_is_a_404_and_keeps_nothing(client, procedure):
    before = kept()
    assert client.get("/thu-tuc/9.999999/").status_code == 404
    assert client.get("/thu-tuc/9.999999/").status_code == 404
    assert kept() == before


def test_the_name_is_escaped_in_the_title_and_the_heading(client, procedure):
    procedure.name = "Thủ tục <script>alert(1)</script>"
    procedure.save()
    for _ in range(2):  # rendered, then kept
        shown = client.get("/thu-tuc/1.001193/").content.decode()
        assert "<script>alert(1)" not in shown
        assert "<title>Thủ tục &lt;script&gt;alert(1)&lt;/script&gt;</title>" in shown
