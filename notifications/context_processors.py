from django.urls import reverse

from .selectors import bell_badge


def inbox(request):
    """The header bell: the unread count, bounded ("99+"; `selectors.bell_badge`), on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": bell_badge(user), "inbox_url": reverse("notifications:inbox")}
