"""The morning digest of dossiers at risk of being late, for the head of each agency (Agency.head).

Every morning (Celery beat, 07:30 Vietnam time; `manage.py risk_digest [--date]`) each head gets one e-mail
and one in-portal notice listing the dossiers of the agencies they head that the forecast puts at risk (at
most FORECAST_DIGEST_LIMIT per agency, highest risk first: risk, reason, appraiser, appointment, link) and a
link to the at-risk page, where they reassign or draft the apology letter early. A head with nothing at risk
gets nothing. The e-mail and the notice are keyed per head and day (as the deadline sweep's `Digest` keys its
e-mail per person and sweep), so a second run on the same day sends nothing more.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Agency
from core.dates import parse_day
from core.errors import DomainError
from notifications.models import EmailMessage
from notifications.services import email_queue, inbox_post

from .at_risk import at_risk_queryset, digest_limit, risk_percent


def digest_day(value: dt.date | str | None) -> dt.date:
    """The day a digest is for: today (Vietnam time) by default; a date typed (YYYY-MM-DD or dd/mm/yyyy) is
    checked — a day that is not a date or is still to come is refused with a DomainError in Vietnamese."""
    today = timezone.localdate()
    if value is None or value == "":
        return today
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
        raise DomainError("invalid_date", _("Ngày của bản tin phải là một ngày (YYYY-MM-DD)."), field="date")
    day = parse_day(value, field="date") if isinstance(value, str) else value
    if day > today:
        raise DomainError("future_date", _("Không gửi bản tin cho ngày chưa đến (%(day)s; hôm nay là %(today)s).")
                          % {"day": f"{day:%d/%m/%Y}", "today": f"{today:%d/%m/%Y}"}, field="date")
    return day


@dataclass
class Section:
    agency: Agency
    lines: list[dict]
    total: int


def _sections() -> dict[int, list[Section]]:
    """{head id: one section per agency they head with dossiers at risk}; one query per agency with a head
    (an ordered scan of the partial index with LIMIT), one more only where the list is cut."""
    limit = digest_limit()
    out: dict[int, list[Section]] = defaultdict(list)
    agencies = (Agency.objects.filter(is_active=True, head__isnull=False, head__is_active=True)
                .select_related("head").order_by("code"))
    for agency in agencies:
        qs = at_risk_queryset([agency.pk])
        rows = list(qs.select_related("procedure_version__procedure", "assignee")[:limit])
        if not rows:
            continue
        total = qs.count() if len(rows) == limit else len(rows)
        lines = [{"code": d.code, "procedure": d.procedure_version.procedure.name, "percent": risk_percent(d.risk),
                  "reason": d.risk_reason, "assignee": d.assignee.full_name if d.assignee else "",
                  "due_at": d.due_at, "url": reverse("dossiers:detail", args=[d.pk])} for d in rows]
        out[agency.head_id].append(Section(agency=agency, lines=lines, total=total))
    return out


@transaction.atomic
def risk_digest_send(*, day: dt.date | str | None = None) -> dict[str, int]:
    """Send the day's digest to every head with dossiers at risk (once per head and day). Returns how many
    heads had something at risk, how many notices and e-mails this run created (0 on a second run the same
    day) and how many dossiers were listed."""
    day = digest_day(day)
    sections = _sections()
    counts = {"heads": len(sections), "notices": 0, "emails": 0, "dossiers": 0}
    page = reverse("dossiers:at_risk")
    for head_id, parts in sections.items():
        head = parts[0].agency.head
        key = f"risk-digest:{head_id}:{day.isoformat()}"
        total = sum(p.total for p in parts)
        counts["dossiers"] += sum(len(p.lines) for p in parts)
        link = f"{page}?agency={parts[0].agency.code}"
        text = ngettext("Bản tin %(day)s: %(n)s hồ sơ có nguy cơ trễ hẹn, khả năng cao nhất %(top)s%%.",
                        "Bản tin %(day)s: %(n)s hồ sơ có nguy cơ trễ hẹn, khả năng cao nhất %(top)s%%.", total) % {
            "day": f"{day:%d/%m/%Y}", "n": total, "top": max(p.lines[0]["percent"] for p in parts)}
        counts["notices"] += inbox_post(user_id=head_id, key=key, text=text, url=link)
        if head.email and not EmailMessage.objects.filter(key=key).exists():
            email_queue(to=head.email, template="notifications/email/risk_digest", key=key, user_id=head_id,
                        link=link, context={"day": day, "sections": parts, "total": total, "head": head,
                                            "page": link})
            counts["emails"] += 1
    return counts
