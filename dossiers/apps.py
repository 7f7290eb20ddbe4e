from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = "Hồ sơ"

    def ready(self) -> None:
        # receivers import models (and the tasks), which Django allows only once the app registry is ready
        from . import receivers

        receivers.connect()
