from django.urls import path

from . import stats_views

urlpatterns = [
    path("thong-ke/", stats_views.queue_stats, name="stats"),
    path("thong-ke/ve/", stats_views.ticket_list, name="stats_tickets"),
]
