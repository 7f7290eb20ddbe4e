"""The header bell (#21): bounded work whatever the backlog, "99+" beyond the cap, old notices stop ringing."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from notifications.models import InboxItem
from notifications.selectors import BELL_CAP, bell_badge

pytestmark = pytest.mark.django_db


def _notices(user, n, *, days_ago=0, read=False, start=0):
    at = timezone.now() - dt.timedelta(days=days_ago)
    InboxItem.objects.bulk_create([InboxItem(user=user, key=f"t:{user.pk}:{days_ago}:{start + i}", text="x",
                                             created_at=at, read_at=at if read else None) for i in range(n)])


def test_the_badge_counts_unread_recent_notices_up_to_the_cap(demo, django_assert_num_queries, settings):
    settings.INBOX_BELL_DAYS = 30
    leader = demo.user("lanhdao.pleiku@demo.gov.vn")
    assert bell_badge(leader) == ""
    _notices(leader, 5)
    _notices(leader, 7, read=True, start=50)  # read: not counted
    _notices(leader, 3, days_ago=45)  # older than the bell's window: on the notices page, no longer ringing
    assert bell_badge(leader) == "5"
    _notices(leader, BELL_CAP - 5, start=100)
    assert bell_badge(leader) == str(BELL_CAP)
    _notices(leader, 1, start=1000)
    with django_assert_num_queries(1):
        assert bell_badge(leader) == f"{BELL_CAP}+"


def test_every_page_shows_the_bounded_badge(demo, client):
    leader = demo.user("lanhdao.pleiku@demo.gov.vn")
    _notices(leader, BELL_CAP + 50)
    client.force_login(leader)
    page = client.get("/ho-so/").content.decode()
    assert f'<span class="bell">{BELL_CAP}+</span>' in page


def test_the_benchmark_checks_what_it_times_and_leaves_nothing_behind(demo):
    out = StringIO()
    call_command("bench_inbox", "--count", "150", "--repeat", "2", stdout=out)
    text = out.getvalue()
    assert "150 thông báo chưa đọc" in text and "bell badge, bounded (now)" in text
    assert "staff page, bell by COUNT (before)" in text and "Đã hoàn tác" in text
    assert not InboxItem.objects.filter(key__startswith="bench-inbox:").exists()


def test_old_notices_are_deleted_in_batches_recent_ones_kept(demo, settings):
    from notifications.retention import inbox_purge

    settings.INBOX_KEEP_DAYS = 180
    leader = demo.user("lanhdao.pleiku@demo.gov.vn")
    _notices(leader, 25, days_ago=200)
    _notices(leader, 5, days_ago=200, read=True, start=100)
    _notices(leader, 4, days_ago=10)
    assert inbox_purge(batch=7) == 30
    assert InboxItem.objects.filter(user=leader).count() == 4
    assert inbox_purge() == 0
