from django.urls import reverse

from .models import InboxItem


def inbox(request):
    """The unread count for the header bell (staff only; one indexed COUNT)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": InboxItem.objects.filter(user=user, read_at__isnull=True).count(),
            "inbox_url": reverse("notifications:inbox")}
