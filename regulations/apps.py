from django.apps import AppConfig


class RegulationsConfig(AppConfig):
    name = "regulations"
    verbose_name = "Quy định một cửa theo văn bản pháp luật"

    def ready(self):
        from . import receivers  # noqa: F401 - a saved or deleted version clears the cached rule sets
