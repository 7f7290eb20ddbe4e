from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dossiers.panels import Panel, register


class QueueingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "queueing"
    verbose_name = _("Xếp hàng, lấy số thứ tự tại quầy")

    def ready(self) -> None:
        # These import models, which Django allows only once the app registry is ready (here, in ready()).
        from . import receivers  # noqa: F401 - connects the dossier events' listener
        from .chain import dossier_panel_context  # the panel's context (reads tickets)

        register(Panel("queue_ticket", "queueing/_dossier_ticket.html", dossier_panel_context, place="before_actions"))
