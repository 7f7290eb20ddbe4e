from django.urls import path

from . import views

app_name = "signing"

urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("<str:public_id>", views.verify, name="verify"),
]
