from django.urls import path

from . import views
from .booking_urls import urlpatterns as booking_patterns
from .stats_urls import urlpatterns as stats_patterns

app_name = "queueing"

urlpatterns = [
    *booking_patterns,  # dat-lich/, lich-hen/…, <agency>/lay-so/lich-hen/ (kiosk check-in)
    *stats_patterns,  # thong-ke/, thong-ke/ve/
    path("<str:agency>/lay-so/", views.kiosk, name="kiosk"),
    path("<str:agency>/lay-so/<int:service>/", views.kiosk_service, name="kiosk_service"),
    path("<str:agency>/lay-so/ve/<str:token>/", views.kiosk_ticket, name="kiosk_ticket"),
    path("<str:agency>/man-hinh/", views.display, name="display"),
    path("<str:agency>/man-hinh/trang-thai/", views.display_json, name="display_state"),
    path("ve/<str:token>/", views.track, name="track"),
    path("ve/<str:token>/trang-thai/", views.track_state, name="track_state"),
    path("quay/", views.counter_page, name="counter"),
    path("quay/trang-thai/", views.counter_state, name="counter_state"),
    path("quay/mo/", views.counter_open, name="counter_open"),
    path("quay/thao-tac/", views.counter_act, name="counter_act"),
    path("am-thanh/<int:pk>.wav", views.audio, name="audio"),
]
