from __future__ import annotations

import json

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .sync import failed_for, verify


def sync_panel_context(request, dossier, staff_view: bool) -> dict | None:
    """The dossier page (staff): the status changes that could not be delivered to the national portal."""
    if not staff_view:
        return None
    failed = list(failed_for(dossier).select_related("event"))
    return {"sync_failed": failed} if failed else None


@csrf_exempt
@require_POST
def sync_receiver(request):
    """A local stand-in for the national portal's status endpoint (tests, `make run`): checks the
    signature and the payload, answers 204."""
    if not settings.SYNC_RECEIVER_ENABLED:
        raise Http404("Không có trang này.")
    if not verify(request.body, request.headers.get("X-Signature", "")):
        return HttpResponse("Chữ ký không hợp lệ.", status=401)
    try:
        data = json.loads(request.body)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not data.get("dossier_code") or not data.get("status"):
        return HttpResponse(_("Dữ liệu không hợp lệ: cần một đối tượng JSON có mã hồ sơ (dossier_code) và trạng "
                              "thái (status)."), status=400)
    received = cache.get("sync-receiver", [])[-99:]
    cache.set("sync-receiver", [*received, data], timeout=3600)
    return HttpResponse(status=204)
