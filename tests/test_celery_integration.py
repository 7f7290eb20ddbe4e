"""Real Celery workers, no eager mode: the Redis broker of production, and the embedded
filesystem broker of `make run` with beat (`celery worker -B`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from notifications.models import DeliveryStatus, EmailMessage

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def _worker_env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_", "CACHE_", "EMAIL_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings.base", "DEBUG": "true", "VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": _database_url(), "EMAIL_URL": f"filemail://{tmp_path / 'mail'}",
        "CONN_MAX_AGE": "0",
    })
    env.update(extra)
    return env


def _start(args: list[str], env: dict, tmp_path: Path) -> subprocess.Popen:
    log = open(tmp_path / "worker.log", "w")
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "portal", *args], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _wait_for(predicate, timeout=60.0, what="condition", log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


def _message() -> EmailMessage:
    return EmailMessage.objects.create(to="dan@example.com", subject="Thử gửi qua worker", body_text="Xin chào")


def test_worker_on_redis_delivers_a_queued_email(tmp_path, settings):
    from portal.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    broker = settings.REDIS_URL
    env = _worker_env(tmp_path, CELERY_BROKER_URL=broker, CELERY_RESULT_BACKEND=broker)
    proc = _start(["worker", "-Q", queue, "--pool", "solo", "--without-mingle", "--without-gossip",
                   "-l", "INFO"], env, tmp_path)
    try:
        message = _message()
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = False  # the unit-test default; here the message must cross Redis
        try:
            app.send_task("notifications.deliver_email", args=[message.pk], queue=queue)
        finally:
            app.conf.task_always_eager = eager
        _wait_for(lambda: EmailMessage.objects.get(pk=message.pk).status == DeliveryStatus.SENT,
                  what="the worker to send the e-mail", log=tmp_path / "worker.log")
    finally:
        _stop(proc)
    files = list((tmp_path / "mail").glob("*.log"))
    assert len(files) == 1 and "dan@example.com" in files[0].read_text()


def test_embedded_filesystem_broker_with_beat(tmp_path):
    """`make run` without servers: worker -B on kombu's filesystem transport runs tasks and beat."""
    from celery import Celery
    from django.core.cache.backends.filebased import FileBasedCache

    cache_dir = tmp_path / "cache"
    env = _worker_env(tmp_path, CACHE_URL=f"filecache://{cache_dir}", CELERY_HEARTBEAT_SECONDS="1")
    proc = _start(["worker", "-B", "--pool", "solo", "-l", "INFO", "-s", str(tmp_path / "beat-schedule")],
                  env, tmp_path)
    try:
        cache = FileBasedCache(str(cache_dir), {})
        _wait_for(lambda: cache.get("celery:heartbeat") is not None, what="beat's heartbeat",
                  log=tmp_path / "worker.log")

        queue_dir = tmp_path / "var" / "celery" / "queue"
        client = Celery("probe", broker="filesystem://")
        client.conf.broker_transport_options = {
            "data_folder_in": str(queue_dir), "data_folder_out": str(queue_dir), "store_processed": False,
            "control_folder": str(tmp_path / "var" / "celery" / "control"),
        }
        message = _message()
        client.send_task("notifications.deliver_email", args=[message.pk])
        _wait_for(lambda: EmailMessage.objects.get(pk=message.pk).status == DeliveryStatus.SENT,
                  what="the worker to send the e-mail", log=tmp_path / "worker.log")
    finally:
        _stop(proc)
