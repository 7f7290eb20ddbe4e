"""`make run` shows the whole national-portal loop: with DEBUG and the simulator on, the status outbox pushes to
the local receiver and the portal asks the simulator's API, unless the environment says otherwise; the test
settings start with neither (many tests assume no outbox)."""

import json

from django.conf import settings

from tests.test_settings import _run

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({"sync": settings.SYNC_TARGET_URL, "api": settings.NATIONAL_PORTAL_API_URL,
                  "intake": settings.NATIONAL_PORTAL_INTAKE_URL, "simulator": settings.NATIONAL_PORTAL_SIMULATOR}))
"""


def _settings(tmp_path, **env) -> dict:
    result = _run(env, code=PROBE, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_debug_with_the_simulator_points_the_loop_at_the_portal_itself(tmp_path):
    cfg = _settings(tmp_path, DEBUG="true", SITE_URL="http://127.0.0.1:8000")
    assert cfg == {"sync": "http://127.0.0.1:8000/ho-so/dong-bo/nhan/",
                   "api": "http://127.0.0.1:8000/gia-lap/cong-dvc-quoc-gia/api", "intake": "", "simulator": True}


def test_the_environment_wins_and_no_simulator_no_loop(tmp_path):
    chosen = _settings(tmp_path, DEBUG="true", SYNC_TARGET_URL="", NATIONAL_PORTAL_API_URL="https://lgsp.example/api")
    assert (chosen["sync"], chosen["api"]) == ("", "https://lgsp.example/api")
    off = _settings(tmp_path, DEBUG="true", NATIONAL_PORTAL_SIMULATOR="false")
    assert (off["sync"], off["api"], off["simulator"]) == ("", "", False)
    production_like = _settings(tmp_path, SECRET_KEY="x" * 60, NATIONAL_PORTAL_SIMULATOR="true")
    assert (production_like["sync"], production_like["api"]) == ("", "")  # DEBUG off: nothing pointed


def test_the_test_settings_start_without_outbox_nor_api():
    assert settings.SYNC_TARGET_URL == "" and settings.NATIONAL_PORTAL_API_URL == ""
    assert settings.NATIONAL_PORTAL_SIMULATOR is True
