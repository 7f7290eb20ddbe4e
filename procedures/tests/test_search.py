import datetime as dt

import pytest

from procedures.models import Procedure
from procedures.selectors import procedure_search
from procedures.text import normalize

pytestmark = pytest.mark.django_db


def codes(**kwargs):
    return [p.code for p in procedure_search(**kwargs)]


def test_normalize_strips_vietnamese_accents():
    assert normalize("Đăng ký KHAI SINH, Lý lịch tư pháp") == "dang ky khai sinh ly lich tu phap"
    assert normalize("Giấy phép xây dựng 1.009994") == "giay phep xay dung 1.009994"


@pytest.mark.parametrize("query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "khai sinh", "Dang Ky Khai Sinh"])
def test_accent_and_case_insensitive(catalogue, query):
    assert codes(q=query)[0] == "1.001193"


def test_exact_code_ranks_first(catalogue):
    assert codes(q="2.000505")[0] == "2.000505"
    assert codes(q="1.009994")[0] == "1.009994"


def test_name_starting_with_the_query_ranks_above_a_mere_mention(catalogue):
    # "Cấp giấy phép xây dựng…" starts with "cap"; "Cấp Phiếu lý lịch…" too, but both words match only one.
    ranked = codes(q="cap giay phep")
    assert ranked[0] == "1.009994"


def test_words_in_any_order_and_keywords(catalogue):
    assert "2.000575" in codes(q="kinh doanh ho")
    assert codes(q="phieu ly lich") == ["2.000505"]


def test_typo_is_forgiven_on_postgresql(catalogue):
    assert codes(q="khai sinhh")[0] == "1.001193"


def test_unrelated_query_finds_nothing(catalogue):
    assert codes(q="visa du lich nuoc ngoai") == []


def test_filters_field_level_and_agency(catalogue, demo):
    assert set(codes(field="HT")) == {"1.001193"}
    assert set(codes(level="province")) == {"2.000505"}
    commune = demo.agency("H21.65")
    assert set(codes(agency=commune)) == {"1.001193", "2.000575", "1.009994"}
    assert set(codes(agency=demo.agency("H21.11"))) == {"2.000505"}


def test_only_procedures_in_force_are_listed(catalogue):
    assert "2.000575" in codes(on=dt.date(2024, 1, 1))  # the old version was in force then
    assert "1.009994" not in codes(on=dt.date(2024, 1, 1))  # not yet published
    Procedure.objects.filter(code="1.009994").first().versions.update(effective_to=dt.date(2025, 12, 31))
    assert "1.009994" not in codes(on=dt.date(2026, 6, 1))


def test_the_shortest_name_holding_the_phrase_ranks_first(db):
    from django.core.management import call_command

    call_command("seed_demo", "--quiet", "--skip", "dossiers")
    assert codes(q="ho kinh doanh")[:2] == ["1.001612", "2.000720"]  # "Đăng ký thành lập hộ kinh doanh" first
