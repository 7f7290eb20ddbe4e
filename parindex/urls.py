from django.urls import path

from . import views

app_name = "parindex"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("co-quan/<int:pk>/", views.agency_detail, name="agency"),
    path("ho-so/", views.dossier_list, name="dossiers"),
]
