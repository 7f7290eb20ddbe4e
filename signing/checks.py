"""Start-up check: a key named in the signing configuration that cannot be used stops `migrate`, `check`
and `runserver` with what to fix (not a 500 at the desk when the first receipt is printed)."""

from django.core.checks import Error, register

from . import config


@register("signing", deploy=False)
def signing_configuration(app_configs=None, **kwargs):
    return [Error(message, hint="SIGNING_CONFIG", id="signing.E001") for message in config.problems()]
