"""Declared data is structured (issue #23): the appraiser reads a finished declaration's fields on the dossier page
(not a scan), the worklist finds dossiers by what was declared, and staff export one form's declarations as XLSX;
each only where the user may see the applicant's data."""

import datetime as dt
import io
import json
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dossiers import declarations, selectors, services
from dossiers.models import Dossier, PersonalDataAccess
from dossiers.workflow import Status
from eforms.models import AdministrativeUnit, UnitLevel
from eforms.tests.test_definition import small
from eforms.units import provinces_ensure
from procedures.models import DeclarationForm

from .conftest import APPLICANT, at

SEED = Path(__file__).resolve().parents[2] / "procedures" / "seed" / "forms" / "1.001193.json"
NOW = dt.datetime(2026, 6, 3, 2, tzinfo=dt.UTC)  # 09:00 in Hà Nội
HOME_AFFAIRS = "noivu@demo.gov.vn"
RECEIVED = at(2026, 6, 1, 9)
pytestmark = pytest.mark.django_db


@pytest.fixture
def form(world):
    spec = json.loads(SEED.read_text(encoding="utf-8"))
    document = world.birth.documents.get(name="Tờ khai đăng ký khai sinh")
    AdministrativeUnit.objects.create(code="T001", name="Phường Thử", level=UnitLevel.COMMUNE,
                                      parent=provinces_ensure()["52"])
    return DeclarationForm.objects.create(document=document, schema=spec["schema"], layout=spec["layout"],
                                          official_template=spec["official_template"])


@pytest.fixture
def group_form(world):
    """A second form, with a repeating group, on the birth version's other component."""
    schema, layout = small()
    document = world.birth.documents.exclude(name="Tờ khai đăng ký khai sinh").get()
    return DeclarationForm.objects.create(document=document, schema=schema, layout=layout)


def filled(**changes):
    raw = {"f-nyc_ho_ten": "Nguyễn Văn An", "f-nyc_so_dinh_danh": "064090000123",
           "f-nyc_noi_cu_tru-province": "52", "f-nyc_noi_cu_tru-commune": "T001",
           "f-nyc_noi_cu_tru-street": "12 Trần Phú", "f-quan_he": "cha", "f-ks_ho_ten": "Nguyễn Minh Khang",
           "f-ks_ngay_sinh": "05/03/2026", "f-ks_gioi_tinh": "nam", "f-ks_dan_toc": "Kinh",
           "f-ks_quoc_tich": "Việt Nam", "f-ks_noi_sinh": "Bệnh viện Đa khoa tỉnh Gia Lai",
           "f-me_ho_ten": "Trần Thị Cúc", "f-me_nam_sinh": "1996", "f-me_so_dinh_danh": "064196000222"}
    raw.update(changes)
    return {k: v for k, v in raw.items() if v is not None}


def at_desk(world, *, officer=None, agency=None, when=None) -> Dossier:
    """A walk-in birth registration recorded at the desk, not received yet (the desk fills the declaration)."""
    with mock.patch.object(services, "dossier_receive", lambda *, dossier, **kwargs: dossier):
        d = services.dossier_create_at_desk(actor=officer or world.reception, version=world.birth,
                                            agency=agency or world.pleiku, at=when or at(2026, 6, 1, 8), **APPLICANT)
    d.refresh_from_db()
    return d


def declared(world, form, *, officer=None, agency=None, received=RECEIVED, extra=None, **changes):
    """A dossier whose declaration the desk finished, then received (when `received`)."""
    officer = officer or world.reception
    dossier = at_desk(world, officer=officer, agency=agency)
    declarations.declaration_finish(dossier=dossier, document=form.document, actor=officer, post=filled(**changes))
    for other, post in (extra or {}).items():
        declarations.declaration_finish(dossier=dossier, document=other.document, actor=officer, post=post)
    if received:
        dossier = services.dossier_receive(dossier=dossier, actor=officer, at=received)
    dossier.refresh_from_db()
    return dossier


# -- the dossier page ----------------------------------------------------------------------------------------

@time_machine.travel(NOW, tick=False)
def test_the_appraiser_reads_the_declared_fields_on_the_dossier_page(client, world, form):
    dossier = declared(world, form)
    client.force_login(world.appraiser)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk]))
    html = page.content.decode()
    assert 'data-testid="declared-fields"' in html and "Nội dung tờ khai" in html
    panel = html.split('data-testid="declared-fields"')[1].split("</section>")[0]
    assert "<dt>Họ, chữ đệm, tên người mẹ</dt>" in panel and "<dd>Trần Thị Cúc</dd>" in panel
    assert "<dd>05/03/2026</dd>" in panel and "<dd>Nam</dd>" in panel
    assert "12 Trần Phú, Phường Thử, Tỉnh Gia Lai" in panel
    assert "Văn bản ủy quyền" not in panel  # a conditional part that does not apply
    assert "Họ, chữ đệm, tên người cha" not in panel and "<dd>—</dd>" not in panel  # only what was filled in
    assert reverse("dossiers:declaration", args=[dossier.pk, form.document_id]) in panel


@time_machine.travel(NOW, tick=False)
def test_a_home_affairs_reader_sees_no_declared_field(client, world, form, demo):
    dossier = declared(world, form)
    client.force_login(demo.user(HOME_AFFAIRS))
    page = client.get(reverse("dossiers:detail", args=[dossier.pk]))
    assert page.status_code == 200  # the control sheet, without the applicant
    html = page.content.decode()
    assert 'data-testid="declared-fields"' not in html
    assert "Trần Thị Cúc" not in html and "Nguyễn Minh Khang" not in html


@time_machine.travel(NOW, tick=False)
def test_a_draft_declaration_is_not_shown_as_declared(client, world, form):
    dossier = at_desk(world)
    declarations.declaration_save_draft(dossier=dossier, document=form.document, actor=world.reception,
                                        post=filled())
    client.force_login(world.reception)
    html = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert 'data-testid="declared-fields"' not in html


@time_machine.travel(NOW, tick=False)
def test_the_panel_reads_all_declarations_at_once(client, world, form, group_form):
    one = declared(world, form)
    two = declared(world, form, extra={group_form: {"f-ho_ten": "Lê Văn Hộ", "f-thanh_vien-0-ten": "Lê Thị Một",
                                                    "f-thanh_vien-0-nam_sinh": "1990",
                                                    "f-thanh_vien-1-ten": "Lê Văn Hai"}})
    client.force_login(world.appraiser)

    def queries(dossier):
        client.get(reverse("dossiers:detail", args=[dossier.pk]))  # warm the caches (scope, calendar)
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
        return len(ctx.captured_queries), html

    n_one, _html = queries(one)
    n_two, html = queries(two)
    assert "<div>1) Lê Thị Một, 1990</div>" in html and "<div>2) Lê Văn Hai</div>" in html
    assert html.count('class="decl-panel card"') == 2
    assert n_two == n_one


# -- search by what was declared ----------------------------------------------------------------------------------

@time_machine.travel(NOW, tick=False)
def test_the_worklist_finds_a_dossier_by_a_declared_value(client, world, form, demo):
    dossier = declared(world, form)
    other = declared(world, form, **{"f-ks_ho_ten": "Phạm Gia Bảo", "f-me_so_dinh_danh": "064196000333"})
    client.force_login(world.reception)
    url = reverse("dossiers:worklist")

    def found(query):
        page = client.get(url, {"queue": "agency", "declared": query})
        assert page.status_code == 200
        return [row.pk for row in page.context["rows"]]

    assert found("nguyen minh khang") == [dossier.pk]      # the child's name, typed without accents
    assert found("Nguyễn Minh Khang") == [dossier.pk]
    assert found("064196000333") == [other.pk]            # a parent's ID number
    assert sorted(found("tran thi cuc")) == sorted([dossier.pk, other.pk])
    assert found("khong ai ten nay") == []
    short = client.get(url, {"declared": "ab"})
    assert [row.pk for row in short.context["rows"]] == sorted([dossier.pk, other.pk])  # filter left off, said so
    assert "ít nhất 3 chữ hoặc số" in short.content.decode()
    assert 'name="declared"' in client.get(url).content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_search_stays_within_what_the_user_may_see(client, world, form, demo):
    dossier = declared(world, form)
    client.force_login(world.other_reception)  # another commune's desk
    page = client.get(reverse("dossiers:worklist"), {"declared": "nguyen minh khang"})
    assert list(page.context["rows"]) == []
    home_affairs = demo.user(HOME_AFFAIRS)  # sees the dossier on its list, but not the applicant's data
    assert dossier.pk in [d.pk for d in selectors.worklist(home_affairs, queue="agency")]
    assert selectors.worklist(home_affairs, queue="agency", declared="nguyen minh khang") == []
    assert [d.pk for d in selectors.worklist(world.appraiser, queue="agency", declared="064196000222")] == [
        dossier.pk]


@time_machine.travel(NOW, tick=False)
def test_a_draft_declaration_is_not_searchable(world, form):
    dossier = at_desk(world)
    declarations.declaration_save_draft(dossier=dossier, document=form.document, actor=world.reception,
                                        post=filled())
    assert selectors.worklist(world.reception, queue="agency", declared="nguyen minh khang") == []


def test_the_trigram_index_exists_on_postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip("the index is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'dossiers_declaration_search_trgm'")
        [(definition,)] = cursor.fetchall()
    assert "gin" in definition and "gin_trgm_ops" in definition and "search_text" in definition


# -- export --------------------------------------------------------------------------------------------------------

def sheet_of(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return book.worksheets[0]


def export(client, form, **params):
    return client.get(reverse("dossiers:declaration_export"),
                      {"form": form.pk, "format": "xlsx", "from": "01/06/2026", "to": "30/06/2026", **params})


@time_machine.travel(NOW, tick=False)
def test_the_export_has_one_column_per_field_in_layout_order(client, world, form):
    dossier = declared(world, form, **{"f-ks_noi_sinh": '=HYPERLINK("http://x.example","bấm")',
                                       "f-ban_sao": "on", "f-so_ban_sao": "2"})
    client.force_login(world.reception)
    page = client.get(reverse("dossiers:declaration_export")).content.decode()
    assert f'<option value="{form.pk}"' in page and "1.001193" in page
    sheet = sheet_of(export(client, form))
    rows = list(sheet.iter_rows(values_only=True))
    assert "Tờ khai đăng ký khai sinh" in rows[0][0] and "01/06/2026" in rows[0][0]
    header = rows[1]
    fields = [f for f in form.form.fields()]
    assert list(header[:3]) == ["Mã hồ sơ", "Trạng thái", "Ngày tiếp nhận"]
    assert len(header) == 3 + len(fields)
    assert header[3] == "Họ, chữ đệm, tên người yêu cầu"  # the layout's first field
    values = dict(zip(header, rows[2], strict=True))
    assert len(rows) == 3
    assert values["Mã hồ sơ"] == dossier.code and values["Trạng thái"] == "Đã tiếp nhận"
    assert values["Ngày tiếp nhận"] == dt.datetime(2026, 6, 1, 9)
    assert values["Họ, chữ đệm, tên người mẹ"] == "Trần Thị Cúc"
    assert values["Số định danh cá nhân"] == "064090000123"
    assert "12 Trần Phú, Phường Thử, Tỉnh Gia Lai" in rows[2]
    assert values["Ngày, tháng, năm sinh"] == dt.datetime(2026, 3, 5)  # a date cell (walk-through: was text)
    assert values["Năm sinh của mẹ"] == 1996 and "Nam" in rows[2]        # a number, not "1996"
    # the text that looks like a formula stays text
    cell = next(c for c in sheet[3] if isinstance(c.value, str) and c.value.startswith("=HYPERLINK"))
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x.example","bấm")'
    assert PersonalDataAccess.objects.filter(user=world.reception, action="export").exists()


@time_machine.travel(NOW, tick=False)
def test_a_group_is_one_column_with_its_rows_numbered(client, world, form, group_form):
    declared(world, form, extra={group_form: {"f-ho_ten": "Lê Văn Hộ", "f-thanh_vien-0-ten": "Lê Thị Một",
                                              "f-thanh_vien-0-nam_sinh": "1990", "f-thanh_vien-1-ten": "Lê Văn Hai"}})
    client.force_login(world.reception)
    rows = list(sheet_of(export(client, group_form)).iter_rows(values_only=True))
    values = dict(zip(rows[1], rows[2], strict=True))
    assert values["Họ tên"] == "Lê Văn Hộ"
    assert values["Thành viên"] == "1) Lê Thị Một, 1990; 2) Lê Văn Hai"


@time_machine.travel(NOW, tick=False)
def test_the_export_holds_only_what_the_user_may_see_in_the_period(client, world, form, demo):
    mine = declared(world, form)
    declared(world, form, received=at(2026, 5, 20, 9), **{"f-ks_ho_ten": "Trước Kỳ"})  # before the period
    declared(world, form, received=None, **{"f-ks_ho_ten": "Chưa Tiếp Nhận"})          # not received
    theirs = declared(world, form, officer=world.other_reception, agency=world.quynhon,
                      **{"f-ks_ho_ten": "Quy Nhơn Bé"})
    client.force_login(world.reception)
    rows = list(sheet_of(export(client, form)).iter_rows(values_only=True))[2:]
    assert [r[0] for r in rows] == [mine.code]
    client.force_login(world.other_reception)
    rows = list(sheet_of(export(client, form)).iter_rows(values_only=True))[2:]
    assert [r[0] for r in rows] == [theirs.code]
    client.force_login(demo.user(HOME_AFFAIRS))
    assert client.get(reverse("dossiers:declaration_export")).status_code == 403
    assert export(client, form).status_code == 403
    client.force_login(world.citizen)
    assert export(client, form).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_the_export_is_bounded(client, world, form):
    declared(world, form)
    declared(world, form, **{"f-ks_ho_ten": "Thứ Hai"})
    client.force_login(world.reception)
    with mock.patch("dossiers.declaration_views.LIMIT", 1):
        response = export(client, form)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Có hơn 1 tờ khai trong khoảng này" in response.content.decode()
    assert Dossier.objects.filter(status=Status.RECEIVED).count() == 2


@time_machine.travel(NOW, tick=False)
def test_the_export_page_answers_bad_input_with_a_message(client, world, form):
    client.force_login(world.reception)
    url = reverse("dossiers:declaration_export")
    for params in ({"form": "abc", "format": "xlsx"}, {"form": form.pk, "format": "xlsx", "from": "31/02/2026"},
                   {"form": form.pk, "format": "xlsx", "from": "01/06/2026", "to": "01/05/2026"},
                   {"form": "99999999999999999999", "format": "xlsx"}):
        response = client.get(url, params)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html"), params
