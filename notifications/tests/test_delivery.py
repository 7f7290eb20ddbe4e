import pytest
from django.core import mail

from notifications.delivery import MAX_ATTEMPTS, email_deliver
from notifications.models import DeliveryStatus, EmailMessage
from notifications.services import email_queue
from notifications.tasks import deliver_email

pytestmark = pytest.mark.django_db

TEMPLATE = "notifications/email/password_reset"


def _queue(user, key=None):
    return email_queue(to=user.email, template=TEMPLATE, context={"user": user, "uid": "MQ", "token": "t"}, key=key)


def test_queued_mail_is_delivered_after_commit(demo, django_capture_on_commit_callbacks):
    user = demo.user("an.nguyen@example.com")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = _queue(user)
    assert message.status == DeliveryStatus.QUEUED and mail.outbox == []  # nothing sent before commit
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT and message.sent_at and message.attempts == 1
    assert mail.outbox[0].subject.startswith("Đặt lại mật khẩu")


def test_same_key_is_queued_and_sent_once(demo, django_capture_on_commit_callbacks):
    user = demo.user("an.nguyen@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        first = _queue(user, key="reset:1")
        second = _queue(user, key="reset:1")
    assert first.pk == second.pk
    assert EmailMessage.objects.count() == 1 and len(mail.outbox) == 1


def test_delivering_twice_sends_once(demo):
    message = _queue(demo.user("an.nguyen@example.com"))
    email_deliver(message_id=message.pk)
    email_deliver(message_id=message.pk)
    assert len(mail.outbox) == 1


def test_smtp_failure_is_recorded_and_retried_until_failed(demo, settings, monkeypatch):
    message = _queue(demo.user("an.nguyen@example.com"))

    def boom(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", boom)
    for attempt in range(1, MAX_ATTEMPTS):
        with pytest.raises(ConnectionRefusedError):
            email_deliver(message_id=message.pk)
        message.refresh_from_db()
        assert message.attempts == attempt and message.status == DeliveryStatus.QUEUED
        assert "smtp down" in message.last_error
    email_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED and message.attempts == MAX_ATTEMPTS


@pytest.mark.parametrize("bad", ["12", None, 1.5, True])
def test_task_rejects_bad_argument_with_vietnamese_message(bad):
    with pytest.raises(ValueError, match="Mã thư không hợp lệ"):
        deliver_email.apply(args=[bad], throw=True)
    assert EmailMessage.objects.count() == 0


def test_task_for_unknown_message_changes_nothing():
    deliver_email.apply(args=[999999], throw=True)
    assert mail.outbox == []


def test_sms_goes_through_the_configured_backend_once(settings, tmp_path, django_capture_on_commit_callbacks):
    import json

    from notifications.models import SmsMessage
    from notifications.services import sms_queue

    settings.SMS_BACKEND = "notifications.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    with django_capture_on_commit_callbacks(execute=True):
        first = sms_queue(to="+84912345678", text="H21.65-260302-0001: Đã tiếp nhận.", key="k1")
        again = sms_queue(to="+84912345678", text="H21.65-260302-0001: Đã tiếp nhận.", key="k1")
    assert first.pk == again.pk
    files = list((tmp_path / "sms").iterdir())
    assert [f.name for f in files] == [f"portal-sms-{first.pk}.json"]
    sent = json.loads(files[0].read_text(encoding="utf-8"))
    assert sent["text"].endswith("Đã tiếp nhận.") and sent["reference"] == f"portal-sms-{first.pk}"
    message = SmsMessage.objects.get()
    assert message.status == "sent" and message.provider_id == sent["id"]


def test_an_sms_resent_after_a_lost_commit_reaches_the_gateway_with_the_same_reference(settings, tmp_path):
    """A worker killed after the gateway took the SMS but before the row was marked sent sends it again
    on the rerun, with the same reference: the gateway (here the file backend) keeps one message."""
    import json

    from notifications.delivery import sms_deliver
    from notifications.models import SmsMessage

    settings.SMS_BACKEND = "notifications.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    message = SmsMessage.objects.create(to="+84912345678", body="Hồ sơ đã có kết quả.")
    first_id = sms_deliver(message_id=message.pk).provider_id
    SmsMessage.objects.filter(pk=message.pk).update(status="queued", sent_at=None)  # the lost commit
    again = sms_deliver(message_id=message.pk)
    files = list((tmp_path / "sms").iterdir())
    assert [f.name for f in files] == [f"portal-sms-{message.pk}.json"]
    assert json.loads(files[0].read_text(encoding="utf-8"))["id"] == first_id == again.provider_id
    assert (again.status, again.attempts) == ("sent", 2)


def test_the_file_backend_refuses_a_reference_that_is_not_a_file_name(settings, tmp_path):
    from notifications.sms import FileSmsBackend

    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    with pytest.raises(ValueError, match="không hợp lệ"):
        FileSmsBackend().send("+84912345678", "x", reference="../thoat-ra")
    assert not (tmp_path / "sms").exists() and not (tmp_path / "thoat-ra.json").exists()


def test_sms_gateway_failure_is_retried_and_recorded(settings):
    from notifications.delivery import sms_deliver
    from notifications.models import SmsMessage

    settings.SMS_BACKEND = "notifications.tests.test_delivery.BrokenGateway"
    message = SmsMessage.objects.create(to="+84912345678", body="x")
    with pytest.raises(TimeoutError):
        sms_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.attempts == 1 and message.status == "queued" and "gateway down" in message.last_error


class BrokenGateway:
    def send(self, to, text, *, reference):
        raise TimeoutError("gateway down")


def test_a_resend_after_a_lost_commit_carries_the_same_message_id(demo):
    """A worker killed after the SMTP server took the message but before the row was marked sent
    sends it again on the rerun: the copy has the first one's Message-ID, so it is recognised as the
    same message and dropped by the receiving side."""
    message = _queue(demo.user("an.nguyen@example.com"))
    email_deliver(message_id=message.pk)
    EmailMessage.objects.filter(pk=message.pk).update(status=DeliveryStatus.QUEUED, sent_at=None)  # the lost commit
    email_deliver(message_id=message.pk)
    ids = [m.message()["Message-ID"] for m in mail.outbox]
    assert len(ids) == 2 and ids[0] == ids[1] == f"<portal-email-{message.pk}." \
        f"{message.created_at:%Y%m%d%H%M%S}@localhost>"
