from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .models import InboxItem


@login_required
def inbox(request):
    items = list(InboxItem.objects.filter(user=request.user).order_by("-created_at")[:200])
    return render(request, "notifications/inbox.html", {"items": items})


@login_required
@require_POST
def inbox_read_all(request):
    InboxItem.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications:inbox")
