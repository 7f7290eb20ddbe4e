from django.apps import AppConfig


class DocstoreConfig(AppConfig):
    name = "docstore"
    verbose_name = "Kho dữ liệu cá nhân"

    def ready(self) -> None:
        from dossiers.events import dossier_event_recorded
        from dossiers.models import Dossier
        from dossiers.panels import Panel, register

        from . import receivers
        from .views import reuse_panel_context

        dossier_event_recorded.connect(receivers.on_dossier_event, sender=Dossier,
                                       dispatch_uid="docstore.on_dossier_event")
        register(Panel("docstore", "docstore/_reuse.html", reuse_panel_context, place="after_documents"))
