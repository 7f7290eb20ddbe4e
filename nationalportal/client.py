"""What this portal asks the national portal (or the province's integration platform standing for it), over
signed HTTP GETs (`signing`: X-Timestamp, X-Signature of "<timestamp>.GET.<path?query>." — the body is empty):

- `GET {NATIONAL_PORTAL_API_URL}/dossiers/?since=<ISO 8601>` → {"dossiers": [summary, …]}: the dossiers filed
  there for this province since then, each {"national_code", "procedure_code", "filed_at",
  "receiving_agency_code", "national_status" (its code, or "" before any push), "dossier_code" (ours, or
  null)} — what reconciliation compares;
- `GET {NATIONAL_PORTAL_API_URL}/dossiers/new/?since=<ISO 8601>` → {"dossiers": [intake request, …]}: the full
  intake requests (intake.SCHEMA) filed since then — what the pull task takes in;
- `GET {NATIONAL_PORTAL_API_URL}/dossiers/<national code>/` → one intake request (404 if unknown) — what the
  reconciliation page pulls for a dossier missing here.

The simulator (`simulator.py`) answers the same three under /gia-lap/cong-dvc-quoc-gia/api/.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.translation import gettext as _

from . import signing


class ClientError(Exception):
    """The national portal could not be asked (not configured, unreachable, an error answer, bad JSON)."""


class Client:
    def __init__(self, base_url: str | None = None, timeout: float = 20):
        self.base_url = (base_url if base_url is not None else api_url()).rstrip("/")
        self.timeout = timeout

    def _get(self, path: str, params: dict | None = None):
        if not self.base_url:
            raise ClientError(_("Chưa cấu hình địa chỉ API của Cổng DVC quốc gia (NATIONAL_PORTAL_API_URL)."))
        url = f"{self.base_url}/{path.lstrip('/')}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        request = urllib.request.Request(url, method="GET", headers={
            **signing.headers(b"", method="GET", target=url), "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response: # the configured URL
                body = response.read(50 * 1024 * 1024)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise ClientError(_("Cổng DVC quốc gia trả lỗi HTTP %s.") % exc.code) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ClientError(_("Không kết nối được Cổng DVC quốc gia: %s.") % getattr(exc, "reason", exc)) from None
        try:
            return json.loads(body)
        except ValueError:
            raise ClientError(_("Cổng DVC quốc gia trả dữ liệu không phải JSON.")) from None

    def _list(self, path: str, since: dt.datetime) -> list[dict]:
        data = self._get(path, {"since": since.isoformat()})
        if not isinstance(data, dict) or not isinstance(data.get("dossiers"), list):
            raise ClientError(_("Cổng DVC quốc gia trả danh sách không đúng định dạng."))
        return [row for row in data["dossiers"] if isinstance(row, dict)]

    def list_dossiers(self, since: dt.datetime) -> list[dict]:
        return self._list("dossiers/", since)

    def new_dossiers(self, since: dt.datetime) -> list[dict]:
        return self._list("dossiers/new/", since)

    def get_dossier(self, national_code: str) -> dict | None:
        data = self._get(f"dossiers/{urllib.parse.quote(national_code, safe='')}/")
        if data is not None and not isinstance(data, dict):
            raise ClientError(_("Cổng DVC quốc gia trả dữ liệu không đúng định dạng."))
        return data


def api_url() -> str:
    return getattr(settings, "NATIONAL_PORTAL_API_URL", "")
