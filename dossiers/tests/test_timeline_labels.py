"""The timeline names an event by its declared type (EventType), not by a list of strings in the template: a
workflow step says the status it led to, every other kind its own label — a fee paid or a scan at reception
used to show the status it happened in."""

from django.template.loader import render_to_string
from django.utils import translation

from dossiers.models import DossierEvent, EventType
from dossiers.workflow import Status

from .conftest import at


def _event(type, to_status=Status.RECEIVED, **kw):
    return DossierEvent(type=type, from_status=Status.RECEIVED, to_status=to_status, at=at(2026, 3, 2, 9), **kw)


def test_each_kind_is_named_by_its_type():
    assert _event(EventType.RECEIVE).timeline_label == Status.RECEIVED.label
    assert _event(EventType.FEE_PAID).timeline_label == EventType.FEE_PAID.label
    assert _event(EventType.DIGITIZE, to_status=Status.SUBMITTED).timeline_label == EventType.DIGITIZE.label
    desk = _event(EventType.CREATE_AT_DESK, to_status=Status.SUBMITTED)
    assert desk.timeline_label == "Nộp hồ sơ tại Bộ phận Một cửa"
    assert _event(EventType.OVERDUE).timeline_label == "Hồ sơ quá hạn"
    assert _event("no_such_type").timeline_label == "no_such_type"


def test_the_timeline_prints_them_in_the_page_language():
    events = [_event(EventType.FEE_PAID), _event(EventType.LATE_TWICE), _event(EventType.RECEIVE)]
    html = render_to_string("dossiers/_timeline.html", {"events": events, "show_staff": False})
    assert "Đã nộp phí, lệ phí" in html and "Quá hạn lần 2 (sau ngày hẹn lại)" in html
    assert str(Status.RECEIVED.label) in html
    with translation.override("en"):
        html = render_to_string("dossiers/_timeline.html", {"events": events, "show_staff": False})
    assert "Đã nộp phí" not in html
