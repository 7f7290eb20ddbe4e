"""The catalogue page's search (issue #21): the typo test through the trigram index on PostgreSQL gives the
same rows in the same order as the plain `word_similarity(...) >= TYPO_SIMILARITY` test; a page is one
statement (its total counted with the rows); the settings it needs do not leak; the filter lists come from a
cache that follows the fields and agencies."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Agency, AgencyLevel
from procedures import selectors
from procedures.models import Field, Procedure, ProcedureVersion, VersionStatus
from procedures.selectors import TYPO_SIMILARITY, WordSimilarity, procedure_search, procedure_search_page
from procedures.text import search_key

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm's index and settings")

NOUNS = ["khai sinh", "kết hôn", "khai tử", "giấy phép xây dựng", "hộ kinh doanh", "lý lịch tư pháp",
         "quyền sử dụng đất", "an toàn thực phẩm", "giấy phép lái xe", "chứng thực bản sao", "người có công",
         "giấy phép kinh doanh", "biển số xe", "hộ tịch", "xây dựng nhà ở"]
VERBS = ["Đăng ký", "Cấp", "Cấp lại", "Cấp đổi", "Gia hạn", "Thu hồi", "Xác nhận"]
QUERIES = ["khai sinh", "dang ky khai sinh", "khai snh", "khai sinhh", "kết hôn", "ket hn", "giay phep xay dung",
           "giay phep xay dng", "giay phep lai xe", "ho kinh doanh", "ho kinh doan", "cap lai giay phep lai xe",
           "9.100012", "9.1000", "chung thuc ban sao", "chung thu", "quyen su dung dat lan dau", "ly lich tu phap",
           "li lich tu phap", "xyz khong co", "a", "ki", "xay dung nha o", "nguoi co cong", "ho tich", "bien so"]


@pytest.fixture
def generated(db):
    """A catalogue of 300 procedures with many near neighbours (the bench's words), each in force."""
    rng = random.Random(21)
    field = Field.objects.create(code="GEN", name="Lĩnh vực sinh")
    rows = []
    for i in range(300):
        name = f"{rng.choice(VERBS)} {rng.choice(NOUNS)} {rng.choice(['', 'lần đầu', 'cho tổ chức'])}".strip()
        procedure = Procedure(code=f"9.{100000 + i:06d}", name=name, field=field, keywords=rng.choice(NOUNS),
                              level=rng.choice(["commune", "province"]))
        procedure.search_text = procedure.build_search_text()
        rows.append(procedure)
    Procedure.objects.bulk_create(rows)
    ProcedureVersion.objects.bulk_create([
        ProcedureVersion(procedure=p, number=1, status=VersionStatus.PUBLISHED, decision_number=f"G-{p.code}",
                         effective_from="2025-01-01") for p in Procedure.objects.filter(field=field)])
    # One not in force: never found.
    Procedure.objects.filter(code="9.100299").update(name="Khai sinh nháp", search_text="9.100299 khai sinh nhap")
    ProcedureVersion.objects.filter(procedure__code="9.100299").update(status=VersionStatus.DRAFT)
    return field


def reference(q: str) -> list[str]:
    """The search as it was before the index: every word present, or word_similarity >= TYPO_SIMILARITY
    computed on every row; the same order (code, phrase, similarity, shortest name, name, code)."""
    text = search_key(q)
    all_words = Q()
    for word in text.split():
        all_words &= Q(search_text__contains=word)
    in_force = selectors.versions_in_force().values("procedure")
    qs = (Procedure.objects.filter(pk__in=in_force).annotate(similarity=WordSimilarity(text, "search_text"))
          .filter(all_words | Q(similarity__gte=TYPO_SIMILARITY)))
    rows = list(qs.values_list("code", "name", "search_text", "similarity"))

    def exact(code, search_text):
        if code.lower() == q.strip().lower():
            return 3
        return 2 if search_text.startswith(text) else 1 if text in search_text else 0
    rows.sort(key=lambda r: (-exact(r[0], r[2]), -r[3], len(r[1]), r[1], r[0]))
    return [r[0] for r in rows]


def every_page(q: str, per_page: int = 7) -> tuple[list[str], int]:
    found, number, total = [], 1, None
    while True:
        page = procedure_search_page(q=q, page=number, per_page=per_page)
        total = page.paginator.count
        found += [p.code for p in page]
        if not page.has_next():
            return found, total
        number += 1


@postgres_only
def test_the_index_finds_exactly_the_rows_and_order_of_the_plain_similarity_test(generated):
    for q in QUERIES:
        expected = reference(q)
        found, total = every_page(q)
        assert found == expected, q
        assert total == len(expected), q
        with selectors.typo_threshold():
            assert [p.code for p in procedure_search(q=q)] == expected, q
    assert reference("khai snh")[:1] and "9.100299" not in reference("khai sinh")


@postgres_only
def test_the_typo_test_is_answered_by_the_trigram_index(generated):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE procedures_procedure")
    sql, params = procedure_search(q="khai snh").query.sql_with_params()
    assert '"search_text" %> ' in sql.replace("%%", "%")
    with selectors.typo_threshold(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The typo condition no longer forces a sequential scan computing word_similarity on every row: the planner
    # reaches the rows through an index (the trigram index, or another index narrowing them further).
    assert "Seq Scan on procedures_procedure" not in plan and "Index Scan" in plan, plan
    assert "Seq Scan on procedures_procedure " not in plan, plan


@postgres_only
def test_the_settings_are_put_back_inside_a_transaction(generated):
    def current():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('pg_trgm.word_similarity_threshold'), "
                           "current_setting('enable_seqscan'), current_setting('enable_indexscan')")
            return cursor.fetchone()

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = 0.3")
    assert current() == ("0.3", "on", "on")
    page = procedure_search_page(q="khai snh", page=1, per_page=5)
    assert [p.code for p in page] == reference("khai snh")[:5]
    assert current() == ("0.3", "on", "on")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_nothing_is_left_on_a_connection_outside_a_transaction():
    """Autocommit (a page's usual case, CONN_MAX_AGE keeps the connection): SET LOCAL ends with the search's
    own transaction."""
    field = Field.objects.create(code="ONE", name="Một")
    procedure = Procedure.objects.create(code="9.000001", name="Đăng ký khai sinh", field=field,
                                         search_text="9.000001 dang ki khai sinh")
    ProcedureVersion.objects.create(procedure=procedure, number=1, status=VersionStatus.PUBLISHED,
                                    decision_number="A", effective_from="2025-01-01")
    assert not connection.in_atomic_block
    assert [p.code for p in procedure_search_page(q="khai snh", page=1, per_page=5)] == ["9.000001"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"
        cursor.execute("SHOW enable_indexscan")
        assert cursor.fetchone()[0] == "on"


@pytest.mark.parametrize("asked", [1, 2, "3", 5, 99, 0, -1, "abc", None, "2.0"])
def test_a_page_is_the_paginators_page(generated, asked):
    """The same rows, number and total as Django's Paginator.get_page over the whole search."""
    expected = Paginator(procedure_search(q="khai sinh"), 20).get_page(asked)
    page = procedure_search_page(q="khai sinh", page=asked, per_page=20)
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (
        expected.number, expected.paginator.count, expected.paginator.num_pages)
    assert [p.code for p in page] == [p.code for p in expected]


def test_nothing_found_is_one_empty_page(generated):
    page = procedure_search_page(q="xyz khong co", page=3, per_page=20)
    assert (page.number, page.paginator.count, list(page)) == (1, 0, [])


@pytest.mark.django_db(transaction=True)
def test_the_page_runs_the_search_once(client, generated):
    """The rows carry their total: no second statement for the paginator's COUNT, and the filter lists come
    from the cache after the first page."""
    client.get("/thu-tuc/", {"q": "khai snh"})
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/thu-tuc/", {"q": "khai snh", "page": "2"})
    assert response.status_code == 200
    searches = [q["sql"] for q in queries.captured_queries if "procedures_procedure" in q["sql"]]
    assert len(searches) == 1 and "COUNT(*) OVER ()" in searches[0]
    others = [q["sql"] for q in queries.captured_queries if "procedures_procedure" not in q["sql"]]
    assert not [sql for sql in others if "procedures_field" in sql or "accounts_agency" in sql]
    total = procedure_search(q="khai snh").count()
    assert total > 20
    assert f"Tìm thấy {total} thủ tục" in response.content.decode()
    assert f"Trang 2/{-(-total // 20)}" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_filter_lists_follow_the_fields_and_agencies(client, generated):
    def options(name):
        html = client.get("/thu-tuc/").content.decode()
        select = html.split(f'<select name="{name}">')[1].split("</select>")[0]
        return select

    assert "Lĩnh vực sinh" in options("field")
    Field.objects.create(code="MOI", name="Lĩnh vực mới")
    assert 'value="MOI"' in options("field")
    agency = Agency.objects.create(code="X.01", name="Ủy ban nhân dân xã Thử", short_name="UBND xã Thử",
                                   level=AgencyLevel.COMMUNE)
    assert ">UBND xã Thử<" in options("agency")
    agency.is_active = False
    agency.save()
    assert "X.01" not in options("agency")
    Field.objects.filter(code="MOI").delete()
    assert "MOI" not in options("field")


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_changed_a_field_never_fills_the_cache_with_its_rows(generated):
    """Rows written in a transaction that rolls back never reach the cache other processes read."""
    selectors.catalogue_renew()
    with pytest.raises(RuntimeError), transaction.atomic():
        Field.objects.create(code="TAM", name="Lĩnh vực tạm")
        assert ("TAM", "Lĩnh vực tạm") in selectors.catalogue_filter_choices()["fields"]
        raise RuntimeError
    assert ("TAM", "Lĩnh vực tạm") not in selectors.catalogue_filter_choices()["fields"]


def searches_run(client, params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/thu-tuc/", params)
    assert response.status_code == 200
    return len([q for q in queries.captured_queries if "procedures_procedure" in q["sql"]]), response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_search_page_is_served_from_the_cache_until_the_catalogue_changes(client, generated, settings):
    settings.CATALOGUE_SEARCH_CACHE_SECONDS = 600
    ran, first = searches_run(client, {"q": "khai snh"})
    assert ran == 1
    ran, again = searches_run(client, {"q": "khai snh"})
    assert ran == 0 and again.split('id="results"')[1] == first.split('id="results"')[1]
    total = procedure_search(q="khai snh").count()
    assert f"Tìm thấy {total} thủ tục" in again

    # A new procedure in force: found at once.
    new = Procedure.objects.create(code="9.200001", name="Khai sinh cho trẻ bị bỏ rơi", field=generated,
                                   level="commune", search_text="9.200001 khai sinh cho tre bi bo roi")
    ProcedureVersion.objects.create(procedure=new, number=1, status=VersionStatus.PUBLISHED,
                                    decision_number="N-1", effective_from="2025-01-01")
    ran, shown = searches_run(client, {"q": "khai snh"})
    assert ran == 1 and f"Tìm thấy {total + 1} thủ tục" in shown
    # A version retired (its end date passed): gone at once.
    ProcedureVersion.objects.filter(procedure=new).update(effective_to="2025-06-30")  # no signal: a direct write
    ProcedureVersion.objects.get(procedure=new).save()  # what the services do
    ran, shown = searches_run(client, {"q": "khai snh"})
    assert ran == 1 and f"Tìm thấy {total} thủ tục" in shown and "9.200001" not in shown
    # The agencies receiving a version (m2m): the agency filter follows.
    agency = Agency.objects.create(code="X.02", name="Bộ Thử", level=AgencyLevel.MINISTRY)  # no ministry procedure
    version = ProcedureVersion.objects.get(procedure__code="9.100000")
    _ran, shown = searches_run(client, {"agency": "X.02"})
    assert "9.100000" not in shown
    version.agencies.add(agency)
    _ran, shown = searches_run(client, {"agency": "X.02"})
    assert "9.100000" in shown


@pytest.mark.django_db(transaction=True)
def test_without_the_cache_every_page_searches(client, generated, settings):
    settings.CATALOGUE_SEARCH_CACHE_SECONDS = 0
    assert searches_run(client, {"q": "khai snh"})[0] == 1
    assert searches_run(client, {"q": "khai snh"})[0] == 1


@pytest.mark.django_db(transaction=True)
def test_a_repeated_search_is_served_rendered_and_asks_the_database_nothing(client, generated, settings):
    """The results and the filter lists are kept rendered (issue #21): the second request for the same thing runs
    no statement at all, and shows the same page."""
    settings.CATALOGUE_SEARCH_CACHE_SECONDS = 600
    params = {"q": "khai snh", "field": "GEN", "level": "commune"}
    first = client.get("/thu-tuc/", params).content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/thu-tuc/", params)
    assert again.status_code == 200 and queries.captured_queries == []
    assert again.content.decode().split('<form class="search-form"')[1] == first.split('<form class="search-form"')[1]
    total = procedure_search(q="khai snh", field="GEN", level="commune").count()
    assert f"Tìm thấy {total} thủ tục" in again.content.decode()
    assert '<option value="GEN" selected>' in again.content.decode()
    # The partial page htmx asks for is the same results fragment, from the same cache.
    with CaptureQueriesContext(connection) as queries:
        partial = client.get("/thu-tuc/", params, HTTP_HX_REQUEST="true").content.decode()
    assert queries.captured_queries == [] and partial in first and "<form" not in partial


@pytest.mark.django_db(transaction=True)
def test_kept_fragments_follow_what_was_asked_the_language_and_the_page(client, generated, settings):
    """Nothing kept for one visitor's question leaks into another's: the selected filters, the language and the
    page number are each part of what is kept."""
    settings.CATALOGUE_SEARCH_CACHE_SECONDS = 600
    first = Agency.objects.create(code="X.11", name="Sở Thử Một", level=AgencyLevel.DEPARTMENT)
    second = Agency.objects.create(code="X.12", name="Sở Thử Hai", level=AgencyLevel.DEPARTMENT)
    for agency in (first, second):
        client.get("/thu-tuc/", {"agency": agency.code})  # kept
    for agency, other in ((first, second), (second, first)):
        shown = client.get("/thu-tuc/", {"agency": agency.code}).content.decode()
        assert f'<option value="{agency.code}" selected>' in shown
        assert f'<option value="{other.code}" selected>' not in shown
    client.get("/thu-tuc/", {"q": "khai sinh"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/thu-tuc/", {"q": "khai sinh"}).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    total = procedure_search(q="khai sinh").count()
    assert f"Found {total} procedures" in english and "Tìm thấy" not in english
    assert f"Tìm thấy {total} thủ tục" in client.get("/thu-tuc/", {"q": "khai sinh"}).content.decode()
    codes = list(procedure_search(q="khai sinh").values_list("code", flat=True))
    page2 = client.get("/thu-tuc/", {"q": "khai sinh", "page": "2"}).content.decode()
    assert f">{codes[20]}<" in page2 and f">{codes[0]}<" not in page2


@pytest.mark.django_db(transaction=True)
def test_a_version_coming_into_force_at_midnight_is_found_the_next_day_without_a_write(client, generated, settings):
    """What is in force changes with the date alone: the kept results are kept per day."""
    settings.CATALOGUE_SEARCH_CACHE_SECONDS = 3 * 86400  # longer than the night: kept pages have not expired
    today = timezone.localdate()
    new = Procedure.objects.create(code="9.300001", name="Khai sinh có yếu tố nước ngoài", field=generated,
                                   level="commune", search_text="9.300001 khai sinh co yeu to nuoc ngoai")
    ProcedureVersion.objects.create(procedure=new, number=1, status=VersionStatus.PUBLISHED, decision_number="N-3",
                                    effective_from=today + dt.timedelta(days=1))
    assert ">9.300001<" not in client.get("/thu-tuc/", {"q": "9.300001"}).content.decode()
    assert ">9.300001<" not in client.get("/thu-tuc/", {"q": "9.300001"}).content.decode()  # kept, still right
    tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(8), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(tomorrow, tick=False):
        assert ">9.300001<" in client.get("/thu-tuc/", {"q": "9.300001"}).content.decode()


@pytest.mark.django_db(transaction=True)
def test_made_up_agencies_fields_and_parameters_add_nothing_to_what_is_kept(client, generated, settings):
    """What is kept is keyed by the question as the search understands it: an agency not in the list filters nothing,
    a field not in the list finds nothing, and parameters the page does not read are not part of it, so such
    requests are served from what one of them kept (no statement), and the pager's links carry none of them."""
    settings.CATALOGUE_SEARCH_CACHE_SECONDS = 600
    total = procedure_search(q="khai sinh").count()
    first = client.get("/thu-tuc/", {"q": "khai sinh", "agency": "KHONG.CO.1", "utm": "a"}).content.decode()
    assert f"Tìm thấy {total} thủ tục" in first and "KHONG.CO" not in first.split('id="results"')[1]
    results = first.split('id="results"')[1]
    assert "utm=" not in results and "page=2" in results
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/thu-tuc/", {"q": "khai sinh", "agency": "KHONG.CO.2", "x": "1"}).content.decode()
    assert queries.captured_queries == [] and f"Tìm thấy {total} thủ tục" in again
    client.get("/thu-tuc/", {"q": "khai sinh", "field": "KHONG-CO-1"})
    with CaptureQueriesContext(connection) as queries:
        none = client.get("/thu-tuc/", {"q": "khai sinh", "field": "KHONG-CO-2"}).content.decode()
    assert queries.captured_queries == [] and "Tìm thấy 0 thủ tục" in none
    # page numbers as before: a non-number is the first page, one past the end or below 1 the last
    last = (total - 1) // 20 + 1
    assert f"Trang 1/{last}" in client.get("/thu-tuc/", {"q": "khai sinh", "page": "abc"}).content.decode()
    for asked in ("999999999999", "-1"):
        shown = client.get("/thu-tuc/", {"q": "khai sinh", "page": asked}).content.decode()
        assert f"Trang {last}/{last}" in shown


@pytest.mark.django_db(transaction=True)
def test_a_write_without_a_signal_shows_in_the_filter_list_once_the_lists_are_read_again(client, generated,
                                                                                          settings):
    """An agency renamed by a plain UPDATE (no signal, no new generation) shows within FILTER_CHOICES_SECONDS: the
    kept filter fragment is keyed by the lists it was rendered from, so it is not served past the lists' life,
    although its own life (CATALOGUE_SEARCH_CACHE_SECONDS) is longer."""
    settings.CATALOGUE_SEARCH_CACHE_SECONDS = 3 * selectors.FILTER_CHOICES_SECONDS
    agency = Agency.objects.create(code="X.02", name="Ủy ban nhân dân xã Trước", short_name="UBND xã Trước",
                                   level=AgencyLevel.COMMUNE)  # a signal: a new generation
    shown = ">UBND xã Trước<"
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert shown in client.get("/thu-tuc/").content.decode()
        Agency.objects.filter(pk=agency.pk).update(short_name="", name="Cơ quan đổi tên không tín hiệu")
        assert shown in client.get("/thu-tuc/").content.decode()  # kept: the write sent no signal
    with time_machine.travel(start + dt.timedelta(seconds=selectors.FILTER_CHOICES_SECONDS + 1), tick=False):
        page = client.get("/thu-tuc/").content.decode()
    assert "Cơ quan đổi tên không tín hiệu" in page


@pytest.mark.django_db(transaction=True)
def test_filter_lists_kept_by_the_code_before_a_deployment_are_not_read(client, generated):
    """The shared cache outlives a deployment: lists kept by the previous code, in its shape (no digest) under its
    key, are not read by this one, and the catalogue answers as usual."""
    generation = selectors.catalogue_generation()
    assert generation  # outside a transaction that wrote the catalogue: the lists are read from the cache
    cache.set(f"procedures:catalogue-filters:{generation}", {"fields": [("OLD", "Lĩnh vực cũ")], "agencies": []})
    response = client.get("/thu-tuc/", {"q": "khai sinh"})
    assert response.status_code == 200
    assert "Lĩnh vực cũ" not in response.content.decode() and "Lĩnh vực sinh" in response.content.decode()
