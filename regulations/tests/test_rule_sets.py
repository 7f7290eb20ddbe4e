"""The one-stop rules as versioned rows: the seeded versions, the version in force on a day, a new version
effective tomorrow, the cache, and the admin refusing to edit a version in force (in Vietnamese)."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from regulations.models import RuleSet
from regulations.seed import APOLOGY_REASONS
from regulations.selectors import apology_reason_label, rules_in_force, versions
from workcalendar.calendar import TZ

pytestmark = pytest.mark.django_db


def _at(y, m, d, hh=9):
    return dt.datetime(y, m, d, hh, tzinfo=TZ)


def _new_version(effective_from, **changes) -> RuleSet:
    current = RuleSet.objects.order_by("-effective_from").first()
    fields = {f.name: getattr(current, f.name) for f in RuleSet._meta.concrete_fields
              if f.name not in ("id", "created_at")}
    version = RuleSet(**{**fields, "effective_from": effective_from, **changes})
    version.full_clean()
    version.save()
    return version


def test_the_seeded_versions_cite_decree_61_then_decree_118():
    old, new = rules_in_force(dt.date(2020, 1, 1)), rules_in_force(dt.date(2025, 7, 1))
    assert old.effective_from == dt.date(2018, 6, 21) and "61/2018" in old.legal_basis
    assert "Điều 19 khoản 4" in old.legal_basis
    assert new.effective_from == dt.date(2025, 7, 1) and "118/2025" in new.legal_basis
    assert rules_in_force(dt.date(2025, 6, 30)) == old
    for rules in (old, new):
        assert rules.supplement_window_days == 3
        assert (rules.feedback_accept_days, rules.feedback_info_days, rules.feedback_answer_days,
                rules.feedback_publish_days) == (2, 5, 15, 2)
        assert rules.apology_reason_codes == ("consultation", "site_inspection", "supplement", "complex",
                                              "system_fault", "lost_damaged", "other")
    assert rules_in_force(dt.date(2010, 1, 1)) == old  # before the first version: the first one


def test_a_datetime_is_read_in_local_time():
    _new_version(dt.date(2099, 1, 1), supplement_window_days=7)
    # 31/12/2098 18:00 UTC is already 01/01/2099 01:00 in Hà Nội.
    assert rules_in_force(dt.datetime(2098, 12, 31, 18, tzinfo=dt.UTC)).supplement_window_days == 7
    assert rules_in_force(dt.datetime(2098, 12, 31, 16, tzinfo=dt.UTC)).supplement_window_days == 3


def test_a_version_effective_tomorrow_changes_nothing_today_and_applies_from_tomorrow():
    with time_machine.travel(_at(2026, 3, 10, 15), tick=False):
        assert rules_in_force().supplement_window_days == 3  # the cache is filled before the new version
        _new_version(dt.date(2026, 3, 11), supplement_window_days=5, feedback_answer_days=10)
        today = rules_in_force()
        assert (today.effective_from, today.supplement_window_days, today.feedback_answer_days) == (
            dt.date(2025, 7, 1), 3, 15)
    with time_machine.travel(_at(2026, 3, 11, 0), tick=False):
        tomorrow = rules_in_force()
        assert (tomorrow.effective_from, tomorrow.supplement_window_days, tomorrow.feedback_answer_days) == (
            dt.date(2026, 3, 11), 5, 10)
        assert rules_in_force(_at(2026, 3, 10, 23)).supplement_window_days == 3  # yesterday keeps its rules


def test_labels_come_from_the_version_of_the_day_in_the_active_language():
    reasons = [{**r, "label_vi": "Nhãn mới: cần thêm thời gian", "label_en": "New label"} if r["code"] == "complex"
               else r for r in APOLOGY_REASONS]
    _new_version(dt.date(2099, 1, 1), apology_reasons=reasons)
    assert apology_reason_label("complex", on=dt.date(2098, 12, 31)) == "Hồ sơ phức tạp, cần thêm thời gian thẩm định"
    assert apology_reason_label("complex", on=dt.date(2099, 1, 1)) == "Nhãn mới: cần thêm thời gian"
    with translation.override("en"):
        assert apology_reason_label("complex", on=dt.date(2099, 1, 1)) == "New label"
        assert rules_in_force(dt.date(2030, 1, 1)).apology_reason_choices()[0] == (
            "consultation", "Waiting for the opinion of another agency")
    assert apology_reason_label("unknown_code") == "unknown_code" and apology_reason_label("") == ""


def test_a_code_a_later_version_dropped_keeps_its_label():
    _new_version(dt.date(2099, 1, 1), apology_reasons=[r for r in APOLOGY_REASONS if r["code"] != "system_fault"])
    assert "system_fault" not in rules_in_force(dt.date(2099, 1, 2)).apology_reason_codes
    assert apology_reason_label("system_fault", on=dt.date(2099, 1, 2)) == "Sự cố hệ thống thông tin, đường truyền"


def test_an_empty_table_gets_the_starting_versions_back():
    RuleSet.objects.all().delete()
    assert [v.effective_from for v in versions()] == [dt.date(2018, 6, 21), dt.date(2025, 7, 1)]
    assert RuleSet.objects.count() == 2


def test_a_version_in_force_or_past_is_not_edited_and_a_new_one_is_not_retroactive():
    current = RuleSet.objects.get(effective_from=dt.date(2025, 7, 1))
    current.supplement_window_days = 4
    with pytest.raises(ValidationError, match="đã có hiệu lực nên không được sửa"):
        current.full_clean()
    with pytest.raises(ValidationError) as err:
        _new_version(dt.date(2025, 8, 1))
    assert "không áp dụng hồi tố" in str(err.value.message_dict["effective_from"])
    future = _new_version(dt.date(2099, 1, 1))
    future.supplement_window_days = 4
    future.full_clean()  # not yet in force: it may still be corrected
    future.save()
    assert rules_in_force(dt.date(2099, 1, 1)).supplement_window_days == 4


@pytest.mark.parametrize("reasons, message", [
    ([], "Hãy nhập danh sách lý do"),
    ({"code": "complex"}, "Hãy nhập danh sách lý do"),
    ([{"code": "Phức tạp", "label_vi": "x", "label_en": ""}], "mã phải gồm chữ thường không dấu"),
    ([{"code": "complex", "label_vi": "a"}, {"code": "complex", "label_vi": "b"}], "bị lặp"),
    ([{"code": "complex", "label_vi": "  "}], "hãy ghi nhãn tiếng Việt"),
    ([{"code": "complex", "label_vi": "a", "note": "?"}], "phải có dạng"),
])
def test_bad_apology_reasons_are_refused(reasons, message):
    with pytest.raises(ValidationError) as err:
        _new_version(dt.date(2099, 1, 1), apology_reasons=reasons)
    assert message in " ".join(err.value.message_dict["apology_reasons"])
    assert not RuleSet.objects.filter(effective_from=dt.date(2099, 1, 1)).exists()


def _form(version: RuleSet, **changes) -> dict:
    data = {"effective_from": version.effective_from.strftime("%d/%m/%Y"), "legal_basis": version.legal_basis,
            "supplement_window_days": version.supplement_window_days,
            "feedback_accept_days": version.feedback_accept_days, "feedback_info_days": version.feedback_info_days,
            "feedback_answer_days": version.feedback_answer_days,
            "feedback_publish_days": version.feedback_publish_days,
            "apology_notice_days": version.apology_notice_days,
            "handover_clock": version.handover_clock, "handover_hours": version.handover_hours,
            "apology_reasons": json.dumps(version.apology_reasons, ensure_ascii=False)}
    return {**data, **changes}


def test_the_admin_refuses_to_edit_a_version_in_force_in_vietnamese(admin_client):
    current = RuleSet.objects.get(effective_from=dt.date(2025, 7, 1))
    url = f"/admin/regulations/ruleset/{current.pk}/change/"
    page = admin_client.post(url, _form(current, supplement_window_days=10))
    assert page.status_code == 200  # the form again, with the reason
    assert "đã có hiệu lực nên không được sửa" in page.content.decode()
    current.refresh_from_db()
    assert current.supplement_window_days == 3
    assert admin_client.get(f"/admin/regulations/ruleset/{current.pk}/delete/").status_code == 403


def test_the_admin_adds_a_new_version_from_the_one_in_force(admin_client):
    current = RuleSet.objects.get(effective_from=dt.date(2025, 7, 1))
    with time_machine.travel(_at(2026, 3, 10), tick=False):
        retro = admin_client.post(f"/admin/regulations/ruleset/{current.pk}/change/",
                                  _form(current, effective_from="01/03/2026", _saveasnew="1"))
        assert "không áp dụng hồi tố" in retro.content.decode()
        done = admin_client.post(f"/admin/regulations/ruleset/{current.pk}/change/",
                                 _form(current, effective_from="01/04/2026", supplement_window_days=5,
                                       legal_basis="Nghị định sửa đổi (ví dụ)", _saveasnew="1"))
    assert done.status_code == 302
    assert RuleSet.objects.count() == 3 and RuleSet.objects.get(pk=current.pk).supplement_window_days == 3
    assert rules_in_force(dt.date(2026, 4, 1)).supplement_window_days == 5
    assert rules_in_force(dt.date(2026, 3, 31)).supplement_window_days == 3
