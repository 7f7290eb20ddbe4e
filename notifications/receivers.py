from django.dispatch import receiver

from accounts.events import account_email_requested

from .services import email_queue


@receiver(account_email_requested)
def queue_account_email(sender, *, user, template, context, **kwargs):
    email_queue(to=user.email, template=template, context={"user": user, **context}, user_id=user.pk)
