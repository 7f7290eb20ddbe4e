"""Demo payments: most results waiting at the desk get their fee collected (cash, transfer, or online
through the simulator's signed callback, i.e. the real protocol path) and are then handed over; a few
stay unpaid at the desk, and some citizens pay online while their dossier is still being processed."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from accounts.models import Role, StaffRole
from dossiers import routing
from dossiers import services as dossier_services
from dossiers.models import Dossier, FeeStatus, HandoverKind, PaymentMethod
from dossiers.workflow import Status

from . import gateways, services
from .models import Payment
from .simulator import signed_result


def _pay_online(dossier: Dossier, when: dt.datetime) -> bool:
    payment, _url = services.payment_start_online(dossier=dossier, actor=dossier.citizen, at=when,
                                                  return_url="http://localhost:8000/thanh-toan/vnpay/ket-qua/")
    code, _payment = services.payment_callback(params=signed_result(payment, when=when + dt.timedelta(minutes=3)),
                                               source="ipn")
    return code == "00"


def seed(context: dict) -> None:
    if Payment.objects.exists():
        return
    rng = random.Random(766)
    now = timezone.now()
    online = gateways.mode() == "simulator"
    desk = {r.agency_id: r.user for r in StaffRole.objects.filter(role=Role.RECEPTION).select_related("user")}
    paid = returned = 0
    waiting = (Dossier.objects.filter(status=Status.RESULT_READY, fee_status=FeeStatus.UNPAID,
                                      resolved_at__lt=now - dt.timedelta(days=1)).order_by("pk"))
    for d in waiting:
        # A result sent to another desk (reception regardless of administrative boundaries) is handed over
        # there once it arrived; the demo's one such citizen comes back.
        elsewhere = HandoverKind.RESULT in routing.route(d)
        if not elsewhere and rng.random() < 0.15:
            continue  # the citizen has not come back yet
        officer = desk.get(d.receiving_agency_id)  # records the fee (payments.policies.can_record_payment)
        returner = desk.get(d.returning_agency_id)  # hands the result over
        start = d.resolved_at
        if elsewhere:
            arrived = d.handovers.filter(kind=HandoverKind.RESULT, acknowledged_at__isnull=False).values_list(
                "acknowledged_at", flat=True).first()
            if arrived is None:
                continue
            start = max(start, arrived)
        when = start + dt.timedelta(hours=rng.uniform(0.5, 20))
        if when >= now or officer is None or returner is None:
            continue
        if online and d.citizen_id and rng.random() < 0.6:
            _pay_online(d, when)
        else:
            # far from the desk that received the dossier, the citizen pays by bank transfer
            method = PaymentMethod.TRANSFER if elsewhere or rng.random() < 0.2 else PaymentMethod.CASH
            services.payment_record_desk(dossier=d, actor=officer, method=method, at=when,
                                         reference=f"FT{d.pk:08d}" if method == PaymentMethod.TRANSFER else "")
        paid += 1
        d.refresh_from_db()
        dossier_services.dossier_return(dossier=d, actor=returner, at=when + dt.timedelta(minutes=10))
        returned += 1
    if online:  # some pay as soon as the dossier is received
        for d in Dossier.objects.filter(status__in=(Status.RECEIVED, Status.IN_APPRAISAL), fee_status=FeeStatus.UNPAID,
                                        citizen__isnull=False).order_by("pk"):
            if rng.random() < 0.5:
                when = min(now, d.received_at + dt.timedelta(hours=rng.uniform(1, 30)))
                paid += _pay_online(d, when)
    context["payments"] = paid
