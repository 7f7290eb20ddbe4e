"""Notices people can read (#21): one digest line per (user, day, kind) with a true count, an unread counter
that is kept in the transactions that add, read and delete notices (never a scan), old notices out of the bell."""

import datetime as dt
import re
import threading
from unittest import mock

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from notifications.models import InboxDigest, InboxItem
from notifications.retention import inbox_purge
from notifications.selectors import unread_count
from notifications.services import Notice, inbox_digest_read, inbox_post, inbox_post_many, inbox_read_all

pytestmark = pytest.mark.django_db

LEADER = "lanhdao.pleiku@demo.gov.vn"


def _overdue(user, n, *, days_ago=0, start=0, kind="track-overdue"):
    at = timezone.now() - dt.timedelta(days=days_ago)
    return inbox_post_many(notices=[
        Notice(user_id=user.pk, key=f"track:{start + i}:overdue:{days_ago}:{user.pk}", kind=kind,
               text=f"Hồ sơ HS-{start + i:05d} quá hạn (hẹn trả 17:00 01/03/2026).", url=f"/ho-so/{start + i}/")
        for i in range(n)], at=at)


def _assert_counters_true():
    """Every digest's counters equal its items (the invariant the services keep)."""
    real = {(r["user_id"], r["day"], r["kind"]): (r["total"], r["unread"]) for r in InboxItem.objects.values(
        "user_id", "day", "kind").annotate(total=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))}
    kept = {(d.user_id, d.day, d.kind): (d.total, d.unread) for d in InboxDigest.objects.all()}
    assert kept == real


def _digest_lines(page: str) -> list[tuple[str, str, str]]:
    return re.findall(r'data-testid="digest" data-kind="([^"]+)" data-total="(\d+)" data-unread="(\d+)"', page)


def test_many_notices_of_a_kind_on_a_day_are_one_line_with_their_true_count(demo, client):
    leader = demo.user(LEADER)
    assert len(_overdue(leader, 60)) == 60
    inbox_post(user_id=leader.pk, key=f"reassign:1:{leader.pk}", text="Hồ sơ HS-1 được giao lại cho bạn.", url="/x/")
    assert inbox_post(user_id=leader.pk, key=f"reassign:1:{leader.pk}", text="again") is False  # same key: nothing
    assert _overdue(leader, 3) == []  # already posted keys are not counted again
    _assert_counters_true()
    assert InboxDigest.objects.filter(user=leader).count() == 2
    client.force_login(leader)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert sorted(_digest_lines(page)) == [("reassign", "1", "1"), ("track-overdue", "60", "60")]
    assert "Hồ sơ quá hạn</strong>: 60 thông báo (60 chưa đọc)" in page
    assert '<a href="/x/">Hồ sơ HS-1 được giao lại cho bạn.</a>' in page  # a digest of one is the notice itself
    assert page.count("HS-000") == 1  # the 60 overdue notices are one line (the newest quoted), not 60
    assert '<span class="bell">61</span>' in page and "Bạn có 61 thông báo chưa đọc trong 30 ngày gần nhất." in page

    digest = InboxDigest.objects.get(user=leader, kind="track-overdue")
    first = client.get(reverse("notifications:digest", args=[digest.pk])).content.decode()
    second = client.get(reverse("notifications:digest", args=[digest.pk]), {"page": 2}).content.decode()
    codes = re.findall(r"HS-\d{5}", first) + re.findall(r"HS-\d{5}", second)
    assert len(re.findall(r"HS-\d{5}", first)) == 50 and "60 thông báo, 60 chưa đọc." in first
    assert sorted(codes) == [f"HS-{i:05d}" for i in range(60)]  # every notice once, over the two pages
    assert "Trang 2/2" in second
    assert client.get(reverse("notifications:digest", args=[digest.pk]), {"page": "x"}).status_code == 200


def test_reading_a_digest_or_all_keeps_the_counter_true_and_never_negative(demo, client):
    leader = demo.user(LEADER)
    _overdue(leader, 12)
    _overdue(leader, 5, kind="track-due_soon", start=100)
    overdue = InboxDigest.objects.get(user=leader, kind="track-overdue")
    assert unread_count(leader) == 17
    assert inbox_digest_read(user=leader, digest_id=overdue.pk) == 12
    assert inbox_digest_read(user=leader, digest_id=overdue.pk) == 0  # twice: nothing more, not below zero
    overdue.refresh_from_db()
    assert (overdue.total, overdue.unread) == (12, 0) and unread_count(leader) == 5
    _overdue(leader, 2, start=500)  # new notices after the reading ring again
    assert unread_count(leader) == 7
    _assert_counters_true()

    client.force_login(leader)
    assert client.post(reverse("notifications:read_all")).status_code == 302
    assert unread_count(leader) == 0 and not InboxItem.objects.filter(user=leader, read_at__isnull=True).exists()
    assert inbox_read_all(user=leader) == 0
    _assert_counters_true()
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert 'class="bell"' not in page and "Bạn có 0 thông báo chưa đọc" in page
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses a negative counter
        InboxDigest.objects.filter(pk=overdue.pk).update(unread=F("unread") - 1)


def test_another_accounts_digest_is_not_found_and_not_touched(demo, client):
    leader, other = demo.user(LEADER), demo.user("thamdinh.pleiku@demo.gov.vn")
    _overdue(leader, 3)
    digest = InboxDigest.objects.get(user=leader)
    client.force_login(other)
    assert client.get(reverse("notifications:digest", args=[digest.pk])).status_code == 404
    assert client.post(reverse("notifications:digest_read", args=[digest.pk])).status_code == 404
    assert client.get("/thong-bao/nhom/999999/").status_code == 404
    digest.refresh_from_db()
    assert digest.unread == 3
    client.force_login(leader)
    response = client.post(reverse("notifications:digest_read", args=[digest.pk]), {"next": "digest"})
    assert response.status_code == 302 and response["Location"] == reverse("notifications:digest", args=[digest.pk])
    digest.refresh_from_db()
    assert digest.unread == 0


def test_the_bell_counts_the_last_days_and_the_page_says_how_far_back_it_shows(demo, client, settings,
                                                                               django_assert_num_queries):
    settings.INBOX_BELL_DAYS, settings.INBOX_KEEP_DAYS = 30, 180
    leader = demo.user(LEADER)
    _overdue(leader, 1234)
    _overdue(leader, 3, days_ago=45, start=5000)  # on the page, no longer ringing
    _overdue(leader, 2, days_ago=200, start=6000)  # older than the page's window (until the nightly purge)
    with django_assert_num_queries(1):
        assert unread_count(leader) == 1234
    client.force_login(leader)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert '<span class="bell">1.234</span>' in page  # the true count, written the Vietnamese way
    assert "hiển thị 180 ngày gần nhất" in page and "đếm thông báo chưa đọc của 30 ngày gần nhất" in page
    assert sorted(_digest_lines(page)) == [("track-overdue", "1234", "1234"), ("track-overdue", "3", "3")]


def test_the_purge_takes_old_notices_off_their_digests_even_when_interrupted(demo, settings):
    settings.INBOX_KEEP_DAYS, settings.INBOX_BELL_DAYS = 10, 30
    leader = demo.user(LEADER)
    _overdue(leader, 25, days_ago=15)
    inbox_digest_read(user=leader, digest_id=InboxDigest.objects.get(user=leader).pk)
    _overdue(leader, 6, days_ago=15, kind="reassign", start=100)
    _overdue(leader, 4, days_ago=3, start=200)
    assert unread_count(leader) == 10
    with mock.patch.object(InboxDigest, "delete", side_effect=RuntimeError("killed")), pytest.raises(RuntimeError):
        inbox_purge(batch=7)  # the first digest's last batch fails: the batches before it are kept, counted
    _assert_counters_true()
    assert InboxItem.objects.filter(user=leader, kind="track-overdue").count() == 4 + 4
    assert unread_count(leader) == 10
    assert inbox_purge(batch=7) == 4 + 6
    _assert_counters_true()
    assert list(InboxDigest.objects.filter(user=leader).values_list("total", "unread")) == [(4, 4)]
    assert unread_count(leader) == 4 and inbox_purge() == 0


@pytest.mark.django_db(transaction=True)
def test_posting_at_once_loses_no_count_and_makes_one_digest(django_user_model):
    user = django_user_model.objects.create_user(email="lanhdao@example.vn", password="x", full_name="Lê Lãnh Đạo")
    barrier, errors = threading.Barrier(3), []

    def post(start):
        try:
            barrier.wait(timeout=10)
            for round_ in range(5):  # overlapping keys: each of the 3 posts 0..59 and its own 20
                with transaction.atomic():
                    inbox_post_many(notices=[Notice(user_id=user.pk, key=f"track:{i}:overdue:x:{user.pk}", text="x")
                                             for i in [*range(round_ * 12, round_ * 12 + 12),
                                                       *range(start + round_ * 4, start + round_ * 4 + 4)]])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(1000 * (n + 1),)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    digest = InboxDigest.objects.get(user=user)  # one digest, not one per thread
    assert (digest.total, digest.unread) == (60 + 3 * 20, 60 + 3 * 20) == (InboxItem.objects.count(),) * 2


def test_existing_notices_are_counted_into_digests_by_the_migration(demo):
    from importlib import import_module

    from django.apps import apps as django_apps

    leader = demo.user(LEADER)
    old = timezone.now() - dt.timedelta(days=3)
    InboxItem.objects.bulk_create([  # as they were before digests: no kind, today's default day
        InboxItem(user=leader, key=f"track:{i}:due_soon:x:{leader.pk}", text=f"t{i}", created_at=old,
                  read_at=old if i < 2 else None) for i in range(5)] + [
        InboxItem(user=leader, key=f"feedback:9:{leader.pk}", text="pakn", created_at=old)])
    backfill = import_module("notifications.migrations.0005_inbox_digests").backfill
    with connection.schema_editor() as editor:
        backfill(django_apps, editor)
    _assert_counters_true()
    assert sorted(InboxDigest.objects.values_list("kind", "day", "total", "unread")) == [
        ("feedback", timezone.localdate(old), 1, 1), ("track-due_soon", timezone.localdate(old), 5, 3)]
