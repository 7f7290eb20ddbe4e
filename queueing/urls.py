from .stats_urls import urlpatterns as stats_patterns

app_name = "queueing"

urlpatterns = [*stats_patterns]
