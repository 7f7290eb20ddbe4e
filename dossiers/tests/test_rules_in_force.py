"""The law-given rules dossiers read from the versioned rule sets (regulations): the supplement window of the
rules in force on the day of receipt, the apology reasons an officer may pick, and the reason label printed on
the letter (the rules in force on the letter's date)."""

import datetime as dt
import io

import pytest
import time_machine
from django.utils import translation
from pypdf import PdfReader

from core.errors import DomainError
from dossiers import services
from dossiers.lateness import letters as apologies
from dossiers.printing import render_apology
from dossiers.workflow import Status
from regulations.models import RuleSet
from regulations.seed import APOLOGY_REASONS
from workcalendar.calendar import TZ

from .conftest import APPLICANT, at

pytestmark = pytest.mark.django_db
OLD_LABEL = "Hồ sơ phức tạp, cần thêm thời gian thẩm định"
NEW_LABEL = "Nhiều cơ quan cùng phối hợp"


def _new_version(effective_from, **changes) -> RuleSet:
    """Added the day before it takes effect, as an administrator would (full_clean refuses a past date)."""
    current = RuleSet.objects.order_by("-effective_from").first()
    fields = {f.name: getattr(current, f.name) for f in RuleSet._meta.concrete_fields
              if f.name not in ("id", "created_at")}
    with time_machine.travel(dt.datetime.combine(effective_from - dt.timedelta(days=1), dt.time(9), tzinfo=TZ),
                             tick=False):
        version = RuleSet(**{**fields, "effective_from": effective_from, **changes})
        version.full_clean()
        version.save()
    return version


def _assigned(world, when):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=when, **APPLICANT)
    return services.dossier_assign(dossier=d, actor=world.reception,
                                   appraiser=world.appraiser, at=when)


def test_the_supplement_window_is_that_of_the_rules_in_force_on_the_day_of_receipt(world):
    _new_version(dt.date(2026, 3, 3), supplement_window_days=5)
    before = _assigned(world, at(2026, 3, 2, 10))  # Mon: received under the 3-day rules
    after = _assigned(world, at(2026, 3, 3, 10))  # Tue: received under the 5-day rules
    with time_machine.travel(at(2026, 3, 6, 9), tick=False), pytest.raises(DomainError) as err:
        services.dossier_request_supplement(dossier=before, actor=world.appraiser, reason="Bổ sung.",
                                            at=at(2026, 3, 6, 9))  # 4 working days after Monday
    assert err.value.code == "supplement_too_late" and "Đã quá 3 ngày làm việc" in str(err.value)
    before.refresh_from_db()
    assert before.status == Status.IN_APPRAISAL
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        services.dossier_request_supplement(dossier=after, actor=world.appraiser, reason="Bổ sung.",
                                            at=at(2026, 3, 9, 9))  # 4 working days after Tuesday
    after.refresh_from_db()
    assert after.status == Status.SUPPLEMENT_REQUESTED
    later = _assigned(world, at(2026, 3, 3, 11))
    with time_machine.travel(at(2026, 3, 11, 9), tick=False), pytest.raises(DomainError, match="Đã quá 5 ngày"):
        services.dossier_request_supplement(dossier=later, actor=world.appraiser, reason="Bổ sung.",
                                            at=at(2026, 3, 11, 9))  # 6 working days


def _pdf_text(letter) -> str:
    return " ".join(PdfReader(io.BytesIO(render_apology(letter))).pages[0].extract_text().split())


def test_the_printed_reason_label_is_that_of_the_rules_in_force_on_the_letters_date(world, client):
    reasons = [{**r, "label_vi": NEW_LABEL, "label_en": "Several agencies involved"} if r["code"] == "complex"
               else r for r in APOLOGY_REASONS]
    _new_version(dt.date(2026, 3, 5), apology_reasons=reasons)
    first = _assigned(world, at(2026, 3, 2, 10))
    second = _assigned(world, at(2026, 3, 2, 11))
    letter = apologies.apology_letter_draft(dossier=first, actor=world.appraiser, reason_kind="complex",
                                            at=at(2026, 3, 3, 9))
    early = apologies.apology_letter_issue(letter=letter, actor=world.approver, new_due=dt.date(2026, 3, 10),
                                           at=at(2026, 3, 4, 16))
    letter = apologies.apology_letter_draft(dossier=second, actor=world.appraiser, reason_kind="complex",
                                            at=at(2026, 3, 4, 9))
    late = apologies.apology_letter_issue(letter=letter, actor=world.approver, new_due=dt.date(2026, 3, 10),
                                          at=at(2026, 3, 5, 10))
    assert early.reason_display == OLD_LABEL and late.reason_display == NEW_LABEL
    assert OLD_LABEL in _pdf_text(early) and NEW_LABEL not in _pdf_text(early)
    assert NEW_LABEL in _pdf_text(late) and OLD_LABEL not in _pdf_text(late)
    with translation.override("en"):
        assert late.reason_display == "Several agencies involved"
    # The officer's list on the dossier page is the one in force today.
    third = _assigned(world, at(2026, 3, 5, 9))
    apologies.apology_letter_draft(dossier=third, actor=world.appraiser, reason_kind="complex", at=at(2026, 3, 5, 9))
    client.force_login(world.approver)
    with time_machine.travel(at(2026, 3, 5, 10), tick=False):
        page = client.get(f"/ho-so/{third.pk}/").content.decode()
    assert f'<option value="complex" selected>{NEW_LABEL}</option>' in page and OLD_LABEL not in page


def test_a_reason_the_new_rules_dropped_is_refused_from_their_date(world):
    _new_version(dt.date(2026, 3, 4), apology_reasons=[r for r in APOLOGY_REASONS if r["code"] != "system_fault"])
    first = _assigned(world, at(2026, 3, 2, 10))
    second = _assigned(world, at(2026, 3, 2, 11))
    kept = apologies.apology_letter_draft(dossier=first, actor=world.appraiser, reason_kind="system_fault",
                                          at=at(2026, 3, 3, 9))
    with pytest.raises(DomainError) as err:
        apologies.apology_letter_draft(dossier=second, actor=world.appraiser, reason_kind="system_fault",
                                       at=at(2026, 3, 4, 9))
    assert err.value.code == "reason_required"
    assert kept.reason_display == "Sự cố hệ thống thông tin, đường truyền"  # its own date's label


def test_a_letter_is_issued_late_by_the_notice_of_the_rules_in_force_on_the_signing_day():
    """Signing less than `apology_notice_days` (calendar days) before the appointment counts as issued late;
    a new version asking two days applies to letters signed from its date on, never to earlier ones."""
    due = at(2026, 3, 12, 17)
    thirty_hours_before = at(2026, 3, 11, 11)
    assert not apologies.issue_is_late(due, at(2026, 3, 10, 9))
    assert apologies.issue_is_late(due, at(2026, 3, 11, 18))  # less than one day before
    assert not apologies.issue_is_late(due, thirty_hours_before)
    assert not apologies.issue_is_late(None, thirty_hours_before)
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        _new_version(dt.date(2026, 3, 11), apology_notice_days=2)
    assert apologies.issue_is_late(due, thirty_hours_before)  # the new rule, in force on the signing day
    assert not apologies.issue_is_late(at(2026, 3, 12, 17), at(2026, 3, 10, 16))  # signed under the old rule
