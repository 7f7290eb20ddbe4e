from celery import shared_task

from .delivery import email_deliver, sms_deliver
from .retention import inbox_purge


@shared_task(
    name="notifications.deliver_email", autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=3600,
    dont_autoretry_for=(ValueError,), max_retries=5, ignore_result=True,
)
def deliver_email(message_id: int) -> None:
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise ValueError(f"Mã thư không hợp lệ: {message_id!r}")
    email_deliver(message_id=message_id)


@shared_task(
    name="notifications.deliver_sms", autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=3600,
    dont_autoretry_for=(ValueError,), max_retries=5, ignore_result=True,
)
def deliver_sms(message_id: int) -> None:
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise ValueError(f"Mã tin nhắn không hợp lệ: {message_id!r}")
    sms_deliver(message_id=message_id)


@shared_task(name="notifications.purge_inbox", ignore_result=True)
def purge_inbox_task() -> int:
    """Nightly: the in-portal notices older than INBOX_KEEP_DAYS."""
    return inbox_purge()
