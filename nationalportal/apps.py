from django.apps import AppConfig

from dossiers.panels import Panel, register


class NationalPortalConfig(AppConfig):
    name = "nationalportal"
    verbose_name = "Cổng Dịch vụ công quốc gia"

    def ready(self) -> None:
        # These import models, which Django allows only once the app registry is ready (here, in ready()).
        # The listener is connected before those of the apps listed after this one in INSTALLED_APPS: the
        # outbox row is written first, as when dossiers.events wrote it itself.
        from . import receivers  # noqa: F401 - connects the dossier events' listener
        from .views import intake_panel_context, sync_panel_context  # the panels' context (views import models)

        register(Panel("sync_failed", "nationalportal/_sync_failed.html", sync_panel_context, place="before_actions"))
        register(Panel("national_intake", "nationalportal/_intake.html", intake_panel_context, place="before_actions"))
