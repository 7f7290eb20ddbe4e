"""Project-wide pytest fixtures."""

from __future__ import annotations

import os

import pytest

# pytest-django's live_server + Playwright's sync API run the ORM from an event-loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_sessionfinish(session, exitstatus):
    """Record which database the suite really used, so CI can refuse a silent SQLite run."""
    path = os.environ.get("TEST_DB_VENDOR_FILE")
    if not path:
        return
    from django.db import connection

    with open(path, "w", encoding="utf-8") as fh:
        fh.write(connection.vendor)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "portal.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in Vietnamese: a request made with the English cookie activates English for the
    thread (the locale middleware), which would otherwise leak into the next test run by the same worker."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo(db):
    """The demo agencies, staff for every role and citizens, as `make run` loads them (without the
    procedure catalogue, demo dossiers, the demo document stores nor the dashboards' figures of those
    empty months, which took most of the fixture's time: tests that need them load or compute them)."""
    from django.core.management import call_command

    call_command("seed_demo", "--quiet", "--skip", "procedures", "--skip", "dossiers", "--skip", "satisfaction",
                 "--skip", "feedback", "--skip", "docstore", "--skip", "parindex")
    from accounts.models import Agency, User

    class Demo:
        password = "MotCua@2026"

        @staticmethod
        def user(email: str) -> User:
            return User.objects.get(email=email)

        @staticmethod
        def agency(code: str) -> Agency:
            return Agency.objects.get(code=code)

    return Demo()


@pytest.fixture(scope="module")
def seeded_module(django_db_setup, django_db_blocker):
    """`seed_demo` without the demo dossiers, dashboards' figures nor document stores (agencies, staff, the
    procedure catalogue, queues…) once for a whole test module: a module whose tests only read the catalogue
    pays for one seeding instead of one per test. The rows live in a transaction that is rolled back after
    the module's last test; each test runs in a savepoint inside it (the `db` fixture), so what a test writes
    is gone before the next one, as usual."""
    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        call_command("seed_demo", "--quiet", "--skip", "dossiers", "--skip", "parindex", "--skip", "docstore")
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def pki(settings, tmp_path):
    """A trusted test CA and a signing configuration (no agency key yet: `pki.add_agency(agency)`)."""
    from signing import config
    from signing.testing import Pki

    root = tmp_path / "signing"
    root.mkdir()
    settings.SIGNING_CONFIG = str(root / "signing.json")
    config.reset()
    yield Pki(root)
    config.reset()
