from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "signing"
    verbose_name = _("Chữ ký số và xác minh văn bản")

    def ready(self):
        from . import checks  # noqa: F401  registers the start-up checks of the signing configuration
