"""Start-up check: a key named in the signing configuration that cannot be used stops `migrate`, `check`
and `runserver` with what to fix (not a 500 at the desk when the first receipt is printed)."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from . import config


@register("signing", deploy=False)
def signing_configuration(app_configs=None, **kwargs):
    out = [Error(message, hint="SIGNING_CONFIG", id="signing.E001") for message in config.problems()]
    if not settings.DEBUG and not config.load().exists:
        out.append(Warning(
            "Chưa có cấu hình ký số (%s): mọi văn bản sẽ được ban hành không có chữ ký số." % config.load().path,
            hint="README: Configuring the province's certificates", id="signing.W001"))
    return out
