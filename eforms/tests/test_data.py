"""Filling a form: typed text → typed data, checked against the schema, every error on its field in Vietnamese."""

import datetime as dt

import pytest
import time_machine

from eforms.data import check_raw, coerce, raw_from
from eforms.definition import Form
from eforms.models import AdministrativeUnit, UnitLevel
from eforms.units import PROVINCES, provinces_ensure

from .test_definition import birth, small

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    province = provinces_ensure()["52"]
    other = provinces_ensure()["01"]
    AdministrativeUnit.objects.create(code="T001", name="Phường Thử", level=UnitLevel.COMMUNE, parent=province)
    AdministrativeUnit.objects.create(code="T002", name="Phường Khác", level=UnitLevel.COMMUNE, parent=other)


def valid_birth(**changes):
    raw = {"f-nyc_ho_ten": "Nguyễn Văn An", "f-nyc_so_dinh_danh": "064090000123",
           "f-nyc_noi_cu_tru-province": "52", "f-nyc_noi_cu_tru-commune": "T001",
           "f-nyc_noi_cu_tru-street": "12 Trần Phú", "f-quan_he": "cha", "f-ks_ho_ten": "Nguyễn Văn Bình",
           "f-ks_ngay_sinh": "05/03/2026", "f-ks_gioi_tinh": "nam", "f-ks_dan_toc": "Kinh",
           "f-ks_quoc_tich": "Việt Nam", "f-ks_noi_sinh": "Bệnh viện Đa khoa tỉnh Gia Lai",
           "f-me_ho_ten": "Trần Thị Cúc", "f-me_nam_sinh": "1996"}
    raw.update(changes)
    return {k: v for k, v in raw.items() if v is not None}


def test_the_provinces_are_loaded():
    assert len(PROVINCES) == 34 and len({code for code, _name in PROVINCES}) == 34
    provinces_ensure()  # a transactional test elsewhere may have flushed the migration's rows
    assert AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).count() == 34
    assert provinces_ensure()["52"].name == "Tỉnh Gia Lai"


@time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC))
def test_a_valid_birth_declaration_becomes_typed_data(units):
    data, errors = check_raw(Form(*birth()), valid_birth(**{"f-ban_sao": "on", "f-so_ban_sao": "2"}))
    assert errors == {}
    assert data["ks_ngay_sinh"] == "2026-03-05"          # typed dd/mm/yyyy, stored ISO
    assert data["me_nam_sinh"] == 1996 and data["so_ban_sao"] == 2
    assert data["ban_sao"] is True
    assert data["nyc_noi_cu_tru"] == {"province": "52", "commune": "T001", "street": "12 Trần Phú"}


@time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC))
@pytest.mark.parametrize("changes, field, words", [
    ({"f-ks_ho_ten": ""}, "f-ks_ho_ten", "Chưa điền “Họ, chữ đệm, tên”."),
    ({"f-ks_ngay_sinh": "2026-07-01"}, "f-ks_ngay_sinh", "không được sau ngày hôm nay"),
    ({"f-ks_ngay_sinh": "30/02/2026"}, "f-ks_ngay_sinh", "không phải một ngày"),
    ({"f-nyc_so_dinh_danh": "999090000123"}, "f-nyc_so_dinh_danh", "ba chữ số đầu không phải mã tỉnh"),
    ({"f-nyc_so_dinh_danh": "06409000012"}, "f-nyc_so_dinh_danh", "12 chữ số"),
    ({"f-ks_gioi_tinh": "khac"}, "f-ks_gioi_tinh", "hãy chọn một trong các lựa chọn"),
    ({"f-me_nam_sinh": "năm 96"}, "f-me_nam_sinh", "phải là một số nguyên"),
    ({"f-me_nam_sinh": "1,996"}, "f-me_nam_sinh", "phải là một số nguyên"),  # a comma is the decimal mark
    ({"f-me_nam_sinh": "19.96"}, "f-me_nam_sinh", "phải là một số nguyên"),  # not a thousands group
    ({"f-me_nam_sinh": "1850"}, "f-me_nam_sinh", "không được trước năm 1900"),
    ({"f-me_nam_sinh": "2030"}, "f-me_nam_sinh", "không được sau năm nay"),
    ({"f-ks_ngay_sinh": "01/01/1800"}, "f-ks_ngay_sinh", "không được trước năm 1900"),
    ({"f-nyc_ho_ten": "A" * 61}, "f-nyc_ho_ten", "dài quá 60 ký tự: mẫu in chỉ có chỗ cho 60"),
    ({"f-nyc_noi_cu_tru-commune": "T002"}, "f-nyc_noi_cu_tru", "không thuộc tỉnh, thành phố đã chọn"),
    ({"f-nyc_noi_cu_tru-commune": ""}, "f-nyc_noi_cu_tru-commune", "Nơi cư trú – xã, phường, đặc khu"),
    ({"f-nyc_noi_cu_tru-province": "99", "f-nyc_noi_cu_tru-commune": ""}, "f-nyc_noi_cu_tru",
     "tỉnh, thành phố không có trong danh mục"),
    ({"f-nyc_dien_thoai": "12345"}, "f-nyc_dien_thoai", "Số điện thoại"),
])
def test_bad_values_are_refused_on_their_field(units, changes, field, words):
    data, errors = check_raw(Form(*birth()), valid_birth(**changes))
    assert data == {}
    assert field in errors and words in errors[field], errors


@time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC))
@pytest.mark.parametrize("typed", ["1996", "1.996", "1 996", "1\u00a0996"])
def test_a_whole_number_may_be_typed_with_its_thousands_apart(units, typed):
    """Found in the walk-through: "150.000.000" (how a Vietnamese writes it) was refused as not a whole number."""
    data, errors = check_raw(Form(*birth()), valid_birth(**{"f-me_nam_sinh": typed}))
    assert errors == {} and data["me_nam_sinh"] == 1996


@time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC))
def test_conditional_fields_are_required_only_when_their_rule_applies(units):
    form = Form(*birth())
    assert check_raw(form, valid_birth(**{"f-quan_he": "me"}))[1] == {}
    _data, errors = check_raw(form, valid_birth(**{"f-quan_he": "uy_quyen"}))
    assert list(errors) == ["f-uy_quyen_van_ban"]
    assert "Văn bản ủy quyền" in errors["f-uy_quyen_van_ban"]
    _data, errors = check_raw(form, valid_birth(**{"f-ban_sao": "on"}))
    assert list(errors) == ["f-so_ban_sao"]
    data, errors = check_raw(form, valid_birth(**{"f-quan_he": "uy_quyen", "f-uy_quyen_van_ban": "Số 12/UQ"}))
    assert errors == {} and data["uy_quyen_van_ban"] == "Số 12/UQ"


def test_groups_keep_typed_rows_drop_empty_ones_and_check_each_row():
    form = Form(*small())
    raw = {"f-ho_ten": "A", "f-thanh_vien-rows": "3", "f-thanh_vien-0-ten": "Bình", "f-thanh_vien-0-nam_sinh": "1990",
           "f-thanh_vien-1-ten": "", "f-thanh_vien-2-nam_sinh": "2001"}
    data, errors = coerce(form, raw)
    assert data["thanh_vien"] == [{"ten": "Bình", "nam_sinh": 1990}, {"nam_sinh": 2001}]
    _data, errors = check_raw(form, raw)
    assert list(errors) == ["f-thanh_vien-2-ten"]  # the second kept row has no name: the page's third row
    rows = {"f-ho_ten": "A", **{f"f-thanh_vien-{n}-ten": f"T{n}" for n in range(6)}}
    assert len(coerce(form, rows)[0]["thanh_vien"]) == 5  # never more rows than the print has room for


def test_stored_data_shows_again_as_typed():
    form = Form(*small())
    data = {"ho_ten": "A", "la_dai_dien": True, "thanh_vien": [{"ten": "B"}]}
    raw = raw_from(form, data)
    assert raw == {"f-ho_ten": "A", "f-la_dai_dien": "on", "f-thanh_vien-rows": "1", "f-thanh_vien-0-ten": "B"}
    assert coerce(form, raw)[0] == data


@time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC))
def test_a_commune_is_typed_where_the_province_has_none_listed_and_chosen_where_it_has(units):
    """Found in the walk-through: a resident of Hà Nội could not be declared while only Gia Lai's communes were
    loaded."""
    from eforms.printing import printable

    form = Form(*birth())
    hanoi = valid_birth(**{"f-nyc_noi_cu_tru-province": "01", "f-nyc_noi_cu_tru-commune": "",
                           "f-nyc_noi_cu_tru-commune_name": "  Phường   Ba Đình "})
    # "01" has one listed commune in this test (T002): then the list must be used
    _data, errors = check_raw(Form(*birth()), hanoi)
    assert "hãy chọn xã, phường trong danh sách" in errors["f-nyc_noi_cu_tru"]
    AdministrativeUnit.objects.filter(code="T002").delete()
    data, errors = check_raw(form, hanoi)
    assert errors == {} and data["nyc_noi_cu_tru"]["commune"] == "Phường Ba Đình"
    assert printable(form, data)["values"]["nyc_noi_cu_tru"] == "12 Trần Phú, Phường Ba Đình, Thành phố Hà Nội"
    assert raw_from(form, data)["f-nyc_noi_cu_tru-commune_name"] == "Phường Ba Đình"
    too_long = {**hanoi, "f-nyc_noi_cu_tru-commune_name": "x" * 101}
    assert "dài quá 100 ký tự" in check_raw(form, too_long)[1]["f-nyc_noi_cu_tru"]
