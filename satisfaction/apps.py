from django.apps import AppConfig


class SatisfactionConfig(AppConfig):
    name = "satisfaction"
    verbose_name = "Đánh giá sự hài lòng"

    def ready(self):
        from . import receivers  # noqa: F401 - connects the signal receivers
