from django.apps import AppConfig


class SatisfactionConfig(AppConfig):
    name = "satisfaction"
    verbose_name = "Đánh giá sự hài lòng"

    def ready(self):
        from queueing.stats import register_rating_source  # imports models: only once the registry is ready

        from . import receivers  # noqa: F401 - connects the signal receivers
        from .selectors import ticket_ratings  # imports models: only once the registry is ready

        register_rating_source(ticket_ratings)  # the queue statistics show how linked tickets were rated
