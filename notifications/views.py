from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from core.errors import DomainError

from . import selectors, services

PER_PAGE = 20
ITEMS_PER_PAGE = 50


class CountedPaginator(Paginator):
    """A paginator told its count (a digest's `total`): no COUNT(*) over the digest's notices."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _windows() -> dict:
    return {"bell_days": settings.INBOX_BELL_DAYS, "keep_days": settings.INBOX_KEEP_DAYS}


@login_required
def inbox(request):
    """The in-portal notices, one line per day and kind (a digest, its count and a link to its notices), and
    below them every e-mail and SMS sent to this account."""
    digests = Paginator(selectors.digests_for(request.user), PER_PAGE).get_page(request.GET.get("nhom"))
    page = Paginator(selectors.sent_messages_for(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {
        "digests": digests, "digest_rows": selectors.decorate_digests(digests.object_list),
        "unread": selectors.unread_count(request.user), "page": page,
        "messages_sent": selectors.decorate(page.object_list), **_windows(),
    })


@login_required
def digest(request, pk):
    """The notices of one digest (one day, one kind), newest first, a page at a time."""
    found = selectors.digest_get(request.user, pk)
    if found is None:
        raise Http404("Không tìm thấy nhóm thông báo này.")
    selectors.decorate_digests([found])
    page = CountedPaginator(selectors.digest_items(found), ITEMS_PER_PAGE, count=found.total).get_page(
        request.GET.get("page"))
    return render(request, "notifications/digest.html", {"digest": found, "page": page, **_windows()})


@login_required
@require_POST
def digest_read(request, pk):
    try:
        services.inbox_digest_read(user=request.user, digest_id=pk)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    if request.POST.get("next") == "digest":
        return redirect("notifications:digest", pk=pk)
    return redirect("notifications:inbox")


@login_required
@require_POST
def inbox_read_all(request):
    services.inbox_read_all(user=request.user)
    return redirect("notifications:inbox")
