from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services

PER_PAGE = 20


@login_required
def inbox(request):
    """The in-portal notifications and, below them, every e-mail and SMS sent to this account."""
    page = Paginator(selectors.sent_messages_for(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {
        "items": selectors.inbox_items_for(request.user), "page": page,
        "messages_sent": selectors.decorate(page.object_list),
    })


@login_required
@require_POST
def inbox_read_all(request):
    services.inbox_read_all(user=request.user)
    return redirect("notifications:inbox")
