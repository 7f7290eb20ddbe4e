"""Settings defaults: a laptop with nothing installed works; production is locked down.

Each case imports the settings in a fresh interpreter with a clean environment, so the
test process's own variables (DATABASE_URL, ...) cannot leak in.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
from django.conf import settings
django.setup()
from django.core.files.storage import default_storage
print(json.dumps({
  "debug": settings.DEBUG,
  "engine": settings.DATABASES["default"]["ENGINE"],
  "db_name": str(settings.DATABASES["default"]["NAME"]),
  "broker": settings.CELERY_BROKER_URL,
  "backend": settings.CELERY_RESULT_BACKEND,
  "broker_options": getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
  "tz": settings.TIME_ZONE, "use_tz": settings.USE_TZ, "lang": settings.LANGUAGE_CODE,
  "languages": [c for c, _ in settings.LANGUAGES],
  "locale_mw": "portal.middleware.VietnameseFirstLocaleMiddleware" in settings.MIDDLEWARE,
  "email": settings.EMAIL_BACKEND, "email_host": getattr(settings, "EMAIL_HOST", ""),
  "storage": settings.STORAGES["default"]["BACKEND"],
  "storage_options": {k: v for k, v in settings.STORAGES["default"].get("OPTIONS", {}).items()
                      if k in ("default_acl", "querystring_auth", "base_url", "bucket_name")},
  "media_url": settings.MEDIA_URL,
  "media_root": str(settings.MEDIA_ROOT),
  "cache": settings.CACHES["default"]["BACKEND"],
}))
"""


def _run(env_overrides: dict, settings_module="portal.settings.base", code=PROBE, tmp_path=None):
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"),
           "DJANGO_SETTINGS_MODULE": settings_module}
    if tmp_path is not None:
        env["VAR_DIR"] = str(tmp_path / "var")
        env["ENV_FILE"] = str(tmp_path / "no.env")  # a developer's .env must not leak into these checks
    env.update(env_overrides)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_defaults_need_no_server(tmp_path):
    result = _run({"DEBUG": "true"}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    cfg = json.loads(result.stdout)
    assert cfg["debug"] is True
    assert cfg["engine"] == "django.db.backends.sqlite3"
    assert cfg["db_name"] == str(tmp_path / "var" / "portal.sqlite3")
    assert cfg["broker"] == "filesystem://"
    assert cfg["broker_options"]["data_folder_in"] == str(tmp_path / "var" / "celery" / "queue")
    assert cfg["backend"].startswith("file://") and str(tmp_path / "var" / "celery") in cfg["backend"]
    assert (tmp_path / "var" / "celery" / "queue").is_dir()
    assert cfg["tz"] == "Asia/Ho_Chi_Minh" and cfg["use_tz"] is True
    assert cfg["lang"] == "vi" and cfg["languages"] == ["vi", "en"] and cfg["locale_mw"]
    assert cfg["email"] == "django.core.mail.backends.console.EmailBackend"
    assert cfg["storage"] == "portal.storage.PrivateFileSystemStorage"
    assert cfg["media_root"] == str(tmp_path / "var" / "media")
    assert cfg["cache"] == "django.core.cache.backends.filebased.FileBasedCache"


def test_debug_is_off_unless_set_and_then_secret_key_is_required(tmp_path):
    result = _run({}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "ImproperlyConfigured" in result.stderr
    result = _run({"SECRET_KEY": "x" * 60}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["debug"] is False


def test_production_services_from_environment(tmp_path):
    result = _run({
        "SECRET_KEY": "x" * 60,
        "DATABASE_URL": "postgres://portal:secret@db:5432/portal",
        "CELERY_BROKER_URL": "redis://redis:6379/0",
        "CELERY_RESULT_BACKEND": "redis://redis:6379/1",
        "CACHE_URL": "redis://redis:6379/2",
        "EMAIL_URL": "smtp+tls://user:pw@smtp.example.org:587",
        "AWS_STORAGE_BUCKET_NAME": "ho-so",
        "AWS_S3_ENDPOINT_URL": "http://minio:9000",
    }, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    cfg = json.loads(result.stdout)
    assert cfg["engine"] == "django.db.backends.postgresql"
    assert cfg["broker"] == "redis://redis:6379/0" and cfg["backend"] == "redis://redis:6379/1"
    assert cfg["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert cfg["email"] == "django.core.mail.backends.smtp.EmailBackend" and cfg["email_host"] == "smtp.example.org"
    assert cfg["storage"] == "storages.backends.s3.S3Storage"
    # Dossier files stay private in the bucket too: no public ACL, only signed short-lived URLs.
    assert cfg["storage_options"] == {"bucket_name": "ho-so", "default_acl": "private", "querystring_auth": True}


def _check_deploy(tmp_path, **extra):
    env = {
        "PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": "k3y-" + "a9Z!" * 15, "ALLOWED_HOSTS": "dichvucong.example.gov.vn",
        "DJANGO_SETTINGS_MODULE": "portal.settings.production", "ENV_FILE": str(tmp_path / "no.env"), **extra,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    signing = tmp_path / "signing.json"  # a province's signing configuration (README), here with no key yet
    signing.write_text('{"trust_roots": [], "agencies": {}}', encoding="utf-8")
    result = _check_deploy(tmp_path, SIGNING_CONFIG=str(signing))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_signing_configuration_is_warned(tmp_path):
    result = _check_deploy(tmp_path)
    assert result.returncode != 0 and "signing.W001" in result.stdout + result.stderr


def test_test_settings_refuse_sqlite(tmp_path):
    result = _run({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"}, settings_module="portal.settings.test",
                  code="import django; django.setup()", tmp_path=tmp_path)
    assert result.returncode != 0 and "PostgreSQL" in result.stderr


@pytest.mark.django_db
def test_suite_runs_on_postgresql():
    from django.db import connection

    assert connection.vendor == "postgresql"


def test_uploaded_files_have_no_public_url(settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    storage = storages.create_storage(settings.STORAGES["default"])
    name = storage.save("dossiers/cccd.pdf", ContentFile(b"%PDF-1.4 private"))
    assert storage.exists(name)
    with pytest.raises(ValueError):
        storage.url(name)


@pytest.mark.django_db
def test_media_path_is_not_served(client, settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("dossiers/cccd.pdf", ContentFile(b"%PDF-1.4 private"))
    assert client.get(settings.MEDIA_URL + name).status_code == 404
    assert client.get("/media/" + name).status_code == 404


def test_default_office_hours_from_environment(tmp_path):
    code = ("import django; django.setup(); from django.conf import settings; from accounts.models import Agency; "
            "a = Agency(); print(a.morning_start, a.afternoon_end, a.reception_cutoff)")
    result = _run({"DEBUG": "true", "OFFICE_HOURS": "07:30-11:30,13:00-17:00", "RECEPTION_CUTOFF": "16:00"},
                  code=code, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["07:30:00", "17:00:00", "16:00:00"]
    bad = _run({"DEBUG": "true", "OFFICE_HOURS": "sáng 7 giờ"}, code="import django; django.setup()",
               tmp_path=tmp_path)
    assert bad.returncode != 0 and "OFFICE_HOURS" in bad.stderr


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    """JIT compilation cost seconds on the monthly counts' statements (bench_dashboard): the portal turns it off."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
