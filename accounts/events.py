"""Signals that accounts announces; higher layers (notifications) listen (ARCHITECTURE.md §1).

accounts is the lowest layer: it never imports notifications. It asks for an e-mail to the
user by sending `account_email_requested`; notifications/receivers.py queues it.
"""

from django.dispatch import Signal

from .models import User

# kwargs: user, template (e.g. "notifications/email/verify_email"), context (dict)
account_email_requested = Signal()


def account_email_request(*, user, template: str, context: dict) -> None:
    account_email_requested.send(sender=User, user=user, template=template, context=context)
