"""core.rows gives the text the template filters it replaces would (issue #21: the worklist prepares its rows)."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from core.rows import short, stamp, url_maker


def _filters(template: str, **context) -> str:
    return Template("{% load i18n %}" + template).render(Context(context))


@pytest.mark.parametrize("pk", [1, 42, 987654321, 2**40])
def test_url_maker_gives_what_reverse_gives(pk):
    assert url_maker("dossiers:detail")(pk) == reverse("dossiers:detail", args=[pk])


def test_url_maker_refuses_a_view_without_one_integer_argument():
    with pytest.raises(NoReverseMatch):
        url_maker("dossiers:worklist")


@pytest.mark.parametrize("text", ["", "Đăng ký khai sinh", "x" * 70, "y" * 71,
                                  "Thủ tục cấp giấy chứng nhận đăng ký hộ kinh doanh khi chuyển địa điểm sang xã khác",
                                  "Cấp bản sao trích lục hộ tịch " + "e\u0301" * 60])
def test_short_is_truncatechars(text):
    assert short(text, 70) == _filters("{{ t|truncatechars:70 }}", t=text)


@pytest.mark.parametrize("value", [None, dt.datetime(2026, 12, 31, 16, 59, tzinfo=dt.UTC),
                                   dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)])
def test_stamp_is_the_date_filter_in_the_current_time_zone(value):
    with translation.override("vi"):
        expected = _filters('{{ v|date:"H:i d/m/Y"|default:"—" }}', v=value)
        assert stamp(value) == expected
    with timezone.override("Asia/Ho_Chi_Minh"):
        if value is not None:
            assert stamp(value) == _filters('{{ v|date:"H:i d/m/Y" }}', v=value)
