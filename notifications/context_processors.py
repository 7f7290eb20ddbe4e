from django.urls import reverse

from .selectors import unread_count


def inbox(request):
    """The header bell: the true unread count of the last INBOX_BELL_DAYS days (`selectors.unread_count`, a sum
    of the digests' counters, not a scan of the notices), on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": unread_count(user), "inbox_url": reverse("notifications:inbox")}
