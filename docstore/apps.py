from django.apps import AppConfig

from dossiers.panels import Panel, register


class DocstoreConfig(AppConfig):
    name = "docstore"
    verbose_name = "Kho dữ liệu cá nhân"

    def ready(self) -> None:
        # These import models, which Django allows only once the app registry is ready (here, in ready()).
        from eforms import prefill  # its data module imports the administrative units' model

        from . import receivers  # noqa: F401 - connects the dossier events' listener
        from .prefill import store_value  # reads the store's model
        from .views import reuse_panel_context  # the panel's context (views import models)

        register(Panel("docstore", "docstore/_reuse.html", reuse_panel_context, place="after_documents"))
        prefill.register("store", store_value)  # declarations pre-filled from the citizen's documents
