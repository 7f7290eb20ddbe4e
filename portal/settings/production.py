"""Production settings: base + HTTPS hardening. `manage.py check --deploy` is clean here."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
LOG_FORMAT = "json"
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405

if PAYMENT_GATEWAY == "simulator":  # noqa: F405
    raise ImproperlyConfigured("PAYMENT_GATEWAY=simulator is for tests and demos only; use vnpay or leave it empty.")
if PAYMENT_GATEWAY == "vnpay" and not (VNPAY_TMN_CODE and VNPAY_HASH_SECRET and VNPAY_PAY_URL and VNPAY_API_URL):  # noqa: F405
    raise ImproperlyConfigured(
        "PAYMENT_GATEWAY=vnpay needs VNPAY_TMN_CODE, VNPAY_HASH_SECRET, VNPAY_PAY_URL and VNPAY_API_URL.")

if NATIONAL_PORTAL_SIMULATOR:  # noqa: F405
    raise ImproperlyConfigured("NATIONAL_PORTAL_SIMULATOR is for tests and demos only; turn it off in production.")

# Behind HTTPS every sub-resource is fetched over HTTPS too.
CONTENT_SECURITY_POLICY = {
    **CONTENT_SECURITY_POLICY,  # noqa: F405
    "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "upgrade-insecure-requests": True},  # noqa: F405
}
