from django.urls import path

from . import views

app_name = "nationalportal"

# Mounted under /ho-so/dong-bo/ (before dossiers' /ho-so/), where the receiver has always been.
urlpatterns = [
    path("nhan/", views.sync_receiver, name="sync_receiver"),
]
