"""Pluggable SMS backends (settings.SMS_BACKEND, a dotted path).

A real gateway (an operator's brandname SMS API) is a class with one method:

    class MyGatewayBackend(BaseSmsBackend):
        def send(self, to: str, text: str) -> str:
            # to: E.164 (+84912345678); text: Vietnamese, <= 480 characters.
            # Return the provider's message id; raise any exception to have the message retried.
            ...

The default writes to the log (console); FileSmsBackend appends to SMS_FILE_PATH (staging, tests).
"""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class BaseSmsBackend:
    def send(self, to: str, text: str) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, to: str, text: str) -> str:
        logger.info("SMS to %s: %s", to, text)
        return f"console-{uuid.uuid4().hex[:12]}"


class FileSmsBackend(BaseSmsBackend):
    def send(self, to: str, text: str) -> str:
        path = Path(getattr(settings, "SMS_FILE_PATH", settings.VAR_DIR / "sms.jsonl"))
        path.parent.mkdir(parents=True, exist_ok=True)
        message_id = f"file-{uuid.uuid4().hex[:12]}"
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"id": message_id, "to": to, "text": text, "at": timezone.now().isoformat()},
                                ensure_ascii=False) + "\n")
        return message_id


def get_backend() -> BaseSmsBackend:
    return import_string(getattr(settings, "SMS_BACKEND", "notifications.sms.ConsoleSmsBackend"))()
