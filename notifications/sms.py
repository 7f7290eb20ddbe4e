"""Pluggable SMS backends (settings.SMS_BACKEND, a dotted path).

A real gateway (an operator's brandname SMS API) is a class with one method:

    class MyGatewayBackend(BaseSmsBackend):
        def send(self, to: str, text: str, *, reference: str) -> str:
            # to: E.164 (+84912345678); text: Vietnamese, <= 480 characters.
            # reference: the portal's stable id of this message ("portal-sms-<pk>"), the same on every
            # attempt. Pass it as the gateway's client message id (brandname SMS APIs take one and drop a
            # second request with an id they already accepted): a worker killed after the gateway took the
            # message but before the portal recorded it runs the task again, and the rerun must not reach
            # the citizen's phone twice.
            # Return the provider's message id; raise any exception to have the message retried.
            ...

The default writes to the log (console); FileSmsBackend writes one file per reference in SMS_FILE_PATH
(a directory; staging, tests) and, like a gateway, never a second one for the same reference.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def reference_for(message) -> str:
    """The client reference of an SmsMessage row: stable across attempts and workers."""
    return f"portal-sms-{message.pk}"


class BaseSmsBackend:
    def send(self, to: str, text: str, *, reference: str) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, to: str, text: str, *, reference: str) -> str:
        logger.info("SMS %s to %s: %s", reference, to, text)
        return f"console-{uuid.uuid4().hex[:12]}"


class FileSmsBackend(BaseSmsBackend):
    """One JSON file per reference, `<SMS_FILE_PATH>/<reference>.json`. The file is written aside and
    linked into place, which fails if it exists: a rerun (or two workers at once) never makes a second
    one and gets the first one's message id back."""

    def send(self, to: str, text: str, *, reference: str) -> str:
        if not REFERENCE.fullmatch(reference or ""):
            raise ValueError(f"Mã tham chiếu tin nhắn không hợp lệ: {reference!r}")
        folder = Path(getattr(settings, "SMS_FILE_PATH", settings.VAR_DIR / "sms"))
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{reference}.json"
        message_id = f"file-{uuid.uuid4().hex[:12]}"
        record = {"id": message_id, "reference": reference, "to": to, "text": text,
                  "at": timezone.now().isoformat()}
        fd, scratch = tempfile.mkstemp(dir=folder, prefix=".sending-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(record, fh, ensure_ascii=False)
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(scratch, target)
            except FileExistsError:
                return json.loads(target.read_text(encoding="utf-8"))["id"]
        finally:
            os.unlink(scratch)
        return message_id


def get_backend() -> BaseSmsBackend:
    return import_string(getattr(settings, "SMS_BACKEND", "notifications.sms.ConsoleSmsBackend"))()
