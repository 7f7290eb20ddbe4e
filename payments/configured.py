"""The payment gateway the settings choose (`PAYMENT_GATEWAY`): VNPay at the configured addresses, or the
portal's own simulator speaking the same protocol. This factory sits above both `gateways` (the protocol)
and `simulator` (which builds its own gateway on it), so neither of them imports the other."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import gateways, simulator


def get_gateway() -> gateways.VNPayGateway:
    """The configured gateway; the simulator speaks the same protocol through the portal's own pages."""
    kind = gateways.mode()
    if kind == "vnpay":
        return gateways.VNPayGateway(tmn_code=settings.VNPAY_TMN_CODE, secret=settings.VNPAY_HASH_SECRET,
                                     pay_url=settings.VNPAY_PAY_URL, api_url=settings.VNPAY_API_URL)
    if kind == "simulator":
        return simulator.gateway()
    raise ImproperlyConfigured("Online payment is off (PAYMENT_GATEWAY is empty).")
