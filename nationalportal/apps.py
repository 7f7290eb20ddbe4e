from django.apps import AppConfig


class NationalPortalConfig(AppConfig):
    name = "nationalportal"
    verbose_name = "Cổng Dịch vụ công quốc gia"

    def ready(self) -> None:
        from dossiers.events import dossier_event_recorded
        from dossiers.models import Dossier
        from dossiers.panels import Panel, register

        from . import receivers
        from .views import sync_panel_context

        # Connected before the apps listed after this one in INSTALLED_APPS: the outbox row is written
        # first, as when dossiers.events wrote it itself.
        dossier_event_recorded.connect(receivers.on_dossier_event, sender=Dossier,
                                       dispatch_uid="nationalportal.on_dossier_event")
        register(Panel("sync_failed", "nationalportal/_sync_failed.html", sync_panel_context, place="before_actions"))
