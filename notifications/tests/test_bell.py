"""The header bell (#21): the true unread count from the digests' counters, old notices stop ringing, every page."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from notifications.models import InboxDigest, InboxItem
from notifications.selectors import unread_count
from notifications.services import Notice, inbox_digest_read, inbox_post_many

pytestmark = pytest.mark.django_db


def _notices(user, n, *, days_ago=0, read=False, start=0):
    at = timezone.now() - dt.timedelta(days=days_ago)
    inbox_post_many(notices=[Notice(user_id=user.pk, key=f"t:{user.pk}:{days_ago}:{start + i}", text="x", at=at)
                             for i in range(n)])
    if read:  # read: these are the only unread notices of their (day, kind) digest here
        digest = InboxDigest.objects.get(user=user, day=timezone.localdate(at), kind="t")
        inbox_digest_read(user=user, digest_id=digest.pk)


def test_the_badge_counts_unread_recent_notices_in_one_query(demo, django_assert_num_queries, settings):
    settings.INBOX_BELL_DAYS = 30
    leader = demo.user("lanhdao.pleiku@demo.gov.vn")
    assert unread_count(leader) == 0
    _notices(leader, 7, read=True, days_ago=2)  # read: not counted
    _notices(leader, 5)
    _notices(leader, 3, days_ago=45)  # older than the bell's window: on the notices page, no longer ringing
    assert unread_count(leader) == 5
    _notices(leader, 150, start=100)
    with django_assert_num_queries(1):
        assert unread_count(leader) == 155  # the true count, no "99+" cap


def test_every_page_shows_the_badge(demo, client):
    leader = demo.user("lanhdao.pleiku@demo.gov.vn")
    _notices(leader, 150)
    client.force_login(leader)
    page = client.get("/ho-so/").content.decode()
    assert '<span class="bell">150</span>' in page


def test_the_benchmark_checks_what_it_times_and_leaves_nothing_behind(demo):
    digests = InboxDigest.objects.count()
    out = StringIO()
    call_command("bench_inbox", "--count", "150", "--repeat", "2", stdout=out)
    text = out.getvalue()
    assert "150 thông báo chưa đọc" in text and "bell: sum of the digests' counters" in text
    assert "notices page" in text and "staff page" in text and "Đã hoàn tác" in text
    assert not InboxItem.objects.filter(key__startswith="bench-inbox:").exists()
    assert InboxDigest.objects.count() == digests  # the digests it counted into went with the rollback


def test_the_benchmark_counts_the_notices_the_user_already_had_in_the_same_digest(demo):
    """A sweep's real notices of the same day and kind share the benchmark's digest: its pages show them too."""
    leader = demo.user("lanhdao.pleiku@demo.gov.vn")
    inbox_post_many(notices=[Notice(user_id=leader.pk, key=f"sweep:{i}", kind="track-overdue",
                                    text=f"Hồ sơ H21.65-{i:06d} quá hạn.", at=timezone.now()) for i in range(60)])
    out = StringIO()
    call_command("bench_inbox", "--count", "150", "--repeat", "1", stdout=out)
    assert "a digest's notices, first page" in out.getvalue() and "Đã hoàn tác" in out.getvalue()
    assert InboxItem.objects.filter(user=leader).count() == 60


def test_old_notices_are_deleted_in_batches_recent_ones_kept(demo, settings):
    from notifications.retention import inbox_purge

    settings.INBOX_KEEP_DAYS = 180
    leader = demo.user("lanhdao.pleiku@demo.gov.vn")
    _notices(leader, 25, days_ago=200)
    _notices(leader, 5, days_ago=201, read=True, start=100)
    _notices(leader, 4, days_ago=10)
    assert inbox_purge(batch=7) == 30
    assert InboxItem.objects.filter(user=leader).count() == 4
    assert list(InboxDigest.objects.filter(user=leader).values_list("total", "unread")) == [(4, 4)]
    assert inbox_purge() == 0
