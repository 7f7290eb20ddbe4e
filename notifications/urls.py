from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("da-doc/", views.inbox_read_all, name="read_all"),
    path("nhom/<int:pk>/", views.digest, name="digest"),
    path("nhom/<int:pk>/da-doc/", views.digest_read, name="digest_read"),
]
