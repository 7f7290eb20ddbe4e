"""Pause points for tests/test_celery_kill.py, loaded by a worker process through its settings
(never by the portal itself): each does the real work, then waits to be killed."""

from __future__ import annotations

import time

from notifications.sms import FileSmsBackend


class FileSmsBackendThenHang(FileSmsBackend):
    """The gateway takes the SMS (the file is written), then the worker hangs before the portal
    records it: the moment a kill loses the commit but not the message."""

    def send(self, to: str, text: str, *, reference: str) -> str:
        message_id = super().send(to, text, reference=reference)
        time.sleep(120)  # the test kills the worker well before this ends
        return message_id
