from .booking_urls import urlpatterns as booking_patterns

app_name = "queueing"

urlpatterns = [*booking_patterns]
